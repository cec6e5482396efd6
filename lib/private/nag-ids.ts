import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The finding ids cdk-nag's AwsSolutions-IAM5 prints for the wildcards of a policy, so that
 * each can be acknowledged exactly (internal). cdk-nag flattens a CloudFormation value as
 * follows: `Fn::Join` joined, `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attr>`, anything else
 * as JSON.
 */
export function flattenLikeCdkNag(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  }
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenLikeCdkNag).join(delimiter);
  }
  if (node['Fn::Sub']) {
    return flattenLikeCdkNag(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenLikeCdkNag(resource)}.${flattenLikeCdkNag(attribute)}>`;
  }
  if (node['Fn::ImportValue']) {
    return flattenLikeCdkNag(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${flattenLikeCdkNag(node.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * Acknowledges, on `scope`, the IAM5 finding of each wildcard resource of `document`
 * for which `reasonFor` gives a reason. Wildcards it gives none for stay findings.
 */
export function acknowledgeWildcardResources(scope: iam.Policy | iam.ManagedPolicy | iam.Role, document: iam.PolicyDocument, reasonFor: (resource: string, actions: string[]) => string | undefined): void {
  const stack = Stack.of(scope);
  const rendered = stack.resolve(document.toJSON()) as { Statement?: Array<{ Action?: string | string[]; Resource?: unknown }> } | undefined;
  const seen = new Set<string>();
  for (const statement of rendered?.Statement ?? []) {
    const actions = statement.Action === undefined ? [] : ([] as string[]).concat(statement.Action);
    const resources = statement.Resource === undefined ? [] : ([] as unknown[]).concat(statement.Resource);
    for (const resource of resources) {
      const flat = flattenLikeCdkNag(resource);
      if (!flat.includes('*') || seen.has(flat)) {
        continue;
      }
      const reason = reasonFor(flat, actions);
      if (reason) {
        seen.add(flat);
        Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
      }
    }
  }
}

/** Acknowledges the three packs' no-inline-policy rule on a policy CDK writes for a construct. */
export function acknowledgeInlinePolicy(scope: iam.Policy, reason: string): void {
  Validations.of(scope).acknowledge(
    ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-IAMNoInlinePolicy`, reason })),
  );
}
