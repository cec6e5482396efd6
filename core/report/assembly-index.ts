/** The resources of an assembly by stack and logical id, and CloudFormation values read against them: as text, as a name, as the resource they refer to. */
import type { Json, StackArtifact } from './assembly';
import type { Located } from './located';
import { getAttsOf, importedNames, referencedIds } from './template-references';
import { templateText } from './template-text';
import { tokenText } from './token-text';

const PSEUDO: { [name: string]: (s: StackArtifact) => string } = {
  'AWS::Region': (s) => s.region,
  'AWS::AccountId': (s) => s.account,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (s) => s.id,
};

/** Whether a `Ref` to this name reads as a value the report knows of the stack (its region, account, ...), not as a token. */
export function isStackPseudoParameter(name: string): boolean {
  return Object.hasOwn(PSEUDO, name);
}

export class AssemblyIndex {
  private readonly byStackAndId = new Map<string, Located>();
  /** The exports of the assembly's stacks by name: what another stack's `Fn::ImportValue` reads. */
  private readonly exports = new Map<string, { readonly stack: StackArtifact; readonly value: Json }>();

  constructor(readonly all: Located[]) {
    for (const r of all) {
      this.byStackAndId.set(`${r.stack.id}\u0000${r.logicalId}`, r);
    }
    for (const stack of new Set(all.map((r) => r.stack))) {
      for (const output of Object.values<Json>(stack.template.Outputs ?? {})) {
        const name = output?.Export?.Name;
        if (name !== undefined) {
          this.exports.set(this.nameOf(name, stack), { stack, value: output.Value });
        }
      }
    }
  }

  /** A CloudFormation value as readable text: references become construct paths, a value only the deploy resolves reads as `tokenText` says. */
  render(value: unknown, stack: StackArtifact): string {
    return this.renderWith(value, stack, tokenText);
  }

  /**
   * A CloudFormation value as a name to match (a vault's, a bucket's, a key's, an export's) or to tell
   * one value from another: as `render`, but a value only the deploy resolves is kept as written
   * (JSON), so two different ones never read as the same name.
   */
  nameOf(value: unknown, stack: StackArtifact): string {
    return this.renderWith(value, stack, (v) => JSON.stringify(v));
  }

  private renderWith(value: unknown, stack: StackArtifact, unresolved: (value: unknown) => string): string {
    return templateText(value, {
      part: (part) => this.renderPart(part, stack, unresolved),
      subName: (name) => PSEUDO[name]?.(stack) ?? this.find(stack, name.split('.')[0])?.path ?? name,
    });
  }

  /** A value that is neither Fn::Join nor Fn::Sub, as `renderWith` reads it. */
  private renderPart(value: unknown, stack: StackArtifact, unresolved: (value: unknown) => string): string {
    if (value === undefined || value === null) {
      return '';
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.renderWith(v, stack, unresolved)).join(', ');
    }
    const o = value as { [key: string]: Json };
    if (typeof o.Ref === 'string') {
      const pseudo = PSEUDO[o.Ref];
      if (pseudo) {
        return pseudo(stack);
      }
      return this.find(stack, o.Ref)?.path ?? o.Ref;
    }
    if (o['Fn::GetAtt'] !== undefined) {
      const [id, attr] = Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'] : String(o['Fn::GetAtt']).split('.');
      return `${this.find(stack, id)?.path ?? id} (${attr})`;
    }
    if (o['Fn::ImportValue'] !== undefined) {
      return `export ${this.renderWith(o['Fn::ImportValue'], stack, unresolved)}`;
    }
    return unresolved(value);
  }

  find(stack: StackArtifact, logicalId: string): Located | undefined {
    return this.byStackAndId.get(`${stack.id}\u0000${logicalId}`);
  }

  ofType(type: string): Located[] {
    return this.all.filter((r) => r.resource.Type === type);
  }

  /** The resource a value refers to in the same stack, if any. */
  target(value: unknown, stack: StackArtifact): Located | undefined {
    for (const id of referencedIds(value)) {
      const found = this.find(stack, id);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  /**
   * The resource a value refers to: by `Ref`/`Fn::GetAtt` in its own stack, by `Fn::ImportValue`
   * through another stack's export, or through CDK's cross-region export reader and writer.
   */
  referenced(value: unknown, stack: StackArtifact): Located | undefined {
    const own = this.target(value, stack);
    if (own?.resource.Type === 'Custom::CrossRegionExportReader') {
      return this.crossRegionExport(value, own) ?? own;
    }
    if (own) {
      return own;
    }
    for (const name of importedNames(value)) {
      const exported = this.exports.get(name);
      const found = exported && this.target(exported.value, exported.stack);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  /** The resource of this type a value refers to, as `referenced` finds it. */
  referencedOfType(value: unknown, stack: StackArtifact, type: string): Located | undefined {
    const found = this.referenced(value, stack);
    return found?.resource.Type === type ? found : undefined;
  }

  /**
   * What a value read from CDK's cross-region export reader (`crossRegionReferences`) refers
   * to: the reader's attribute is an SSM parameter name, which the producer stack's
   * `Custom::CrossRegionExportWriter` writes for the reader's region from a `Ref`/`Fn::GetAtt`.
   */
  private crossRegionExport(value: unknown, reader: Located): Located | undefined {
    for (const [id, attribute] of getAttsOf(value)) {
      if (id !== reader.logicalId) {
        continue;
      }
      for (const writer of this.ofType('Custom::CrossRegionExportWriter')) {
        const props = writer.resource.Properties?.WriterProps;
        const exported = props?.exports?.[attribute];
        if (exported !== undefined && props.region === reader.stack.region && writer.stack.account === reader.stack.account) {
          return this.target(exported, writer.stack);
        }
      }
    }
    return undefined;
  }
}
