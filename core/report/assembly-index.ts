/** The resources of an assembly by stack and logical id, and CloudFormation values read against them: as text, as a name, as the resource they refer to. */
import type { Json, StackArtifact } from './assembly';
import type { Located } from './located';
import { getAttsOf, importedNames, referencedIds } from './template-references';
import { subReference, templateText } from './template-text';
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

/** How `renderWith` reads the parts of a value only the deploy resolves. */
interface TokenReading {
  /** A function other than Fn::Join, Fn::Sub, Fn::GetAtt and Fn::ImportValue. */
  readonly token: (value: unknown) => string;
  /** A `Ref` (`Name`) or `Fn::GetAtt` (`Id.Attribute`) to no resource of the stack nor pseudo parameter the report knows; `words` is how `render` reads it. */
  readonly reference: (name: string, words: string) => string;
  /** A `${Name}` of Fn::Sub that its variable map does not define; the default reads it as a path, a pseudo parameter's value or `reference`. */
  readonly subName?: (name: string) => string;
  /** The export name an `Fn::ImportValue` reads; the default reads `export <name>`. */
  readonly imported?: (name: string) => string;
}

export class AssemblyIndex {
  private readonly byStackAndId = new Map<string, Located>();
  /** The exports of the assembly's stacks by name: what another stack's `Fn::ImportValue` reads. */
  private readonly exports = new Map<string, { readonly stack: StackArtifact; readonly value: Json }>();
  /** The marks `nameOf` reads the parts the deploy decides as, by stack (or region and account) and part. */
  private readonly marks = new Map<string, number>();

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
    return this.renderWith(value, stack, { token: tokenText, reference: (_, words) => words });
  }

  /** As `render`, but a function only the deploy resolves is kept as the template writes it (JSON), so two different ones never read alike. */
  asWritten(value: unknown, stack: StackArtifact): string {
    return this.renderWith(value, stack, { token: (v) => JSON.stringify(v), reference: (_, words) => words });
  }

  /**
   * A CloudFormation value as a name to match (a vault's, a bucket's, a key's, an export's) or to
   * tell one value from another: as `render`, but each part the deploy decides (a parameter, a
   * pseudo parameter the report does not know, an attribute of a resource not in the stack, an
   * import, any other function) reads as a mark no literal name holds, standing for that part in
   * that stack alone (an import: in that region and account), so two stacks' parameters of one
   * logical id never read as one name. Not for showing: the marks are opaque.
   */
  nameOf(value: unknown, stack: StackArtifact): string {
    const mark = (key: string): string => {
      const known = this.marks.get(key) ?? this.marks.size;
      this.marks.set(key, known);
      return `\uE001${known}\uE001`;
    };
    const inStack = (token: unknown): string => mark(`${stack.id}\u0000${JSON.stringify(token)}`);
    const reading: TokenReading = {
      token: inStack,
      reference: (name) => inStack(subReference(name)),
      subName: (name) => this.renderPart(subReference(name), stack, reading),
      imported: (name) => mark(`${stack.region}\u0000${stack.account}\u0000${name}`),
    };
    return this.renderWith(value, stack, reading);
  }

  private renderWith(value: unknown, stack: StackArtifact, reading: TokenReading): string {
    return templateText(value, {
      part: (part) => this.renderPart(part, stack, reading),
      subName: (name) => reading.subName?.(name)
        ?? PSEUDO[name]?.(stack) ?? this.find(stack, name.split('.')[0])?.path ?? reading.reference(name, name),
    });
  }

  /** A value that is neither Fn::Join nor Fn::Sub, as `renderWith` reads it. */
  private renderPart(value: unknown, stack: StackArtifact, reading: TokenReading): string {
    if (value === undefined || value === null) {
      return '';
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.renderWith(v, stack, reading)).join(', ');
    }
    const o = value as { [key: string]: Json };
    if (typeof o.Ref === 'string') {
      const pseudo = PSEUDO[o.Ref];
      if (pseudo) {
        return pseudo(stack);
      }
      return this.find(stack, o.Ref)?.path ?? reading.reference(o.Ref, o.Ref);
    }
    if (o['Fn::GetAtt'] !== undefined) {
      const [id, attr] = Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'] : String(o['Fn::GetAtt']).split('.');
      const found = this.find(stack, id);
      return found ? `${found.path} (${attr})` : reading.reference(`${id}.${attr}`, `${id} (${attr})`);
    }
    if (o['Fn::ImportValue'] !== undefined) {
      const name = this.renderWith(o['Fn::ImportValue'], stack, reading);
      return reading.imported?.(name) ?? `export ${name}`;
    }
    return reading.token(value);
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
