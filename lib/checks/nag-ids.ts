import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The text cdk-nag shows for a policy resource (its `flattenCfnReference`): `Fn::GetAtt` as
 * `<LogicalId.Attr>`, `Ref` as `<LogicalId>`, `Fn::Join` joined. Used to acknowledge an
 * IAM5 finding on exactly one wildcard resource, named as nag prints it.
 * Internal: not exported from the package.
 */
export function nagResourceText(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined || node === null) {
      return '';
    }
    if (typeof node === 'string') {
      return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    }
    const object = node as Record<string, unknown>;
    if (object['Fn::Join']) {
      const [delimiter, items] = object['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (object['Fn::Sub']) {
      return visit(object['Fn::Sub']);
    }
    if (object['Fn::GetAtt']) {
      const [resource, attribute] = object['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (object['Fn::ImportValue']) {
      return visit(object['Fn::ImportValue']);
    }
    if (object.Ref) {
      return `<${visit(object.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}
