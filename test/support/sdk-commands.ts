/**
 * The AWS SDK v3 commands a function's code can send, found statically: the imports are
 * followed from `lambda/<name>/index.ts` (the entry point esbuild bundles) through the
 * repository's own files, and every `XxxCommand` class or `paginateXxx` paginator imported
 * from an `@aws-sdk/client-*` package is one call. Type-only imports are left out: they
 * send nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

export const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** One operation the code can call. */
export interface SdkCall {
  /** The client package, e.g. `client-s3`. */
  readonly client: string;
  /** The operation, e.g. `HeadObject` (from `HeadObjectCommand` or `paginateHeadObject`). */
  readonly operation: string;
  /** The file, relative to the repository, that imports it. */
  readonly file: string;
  /** The input fields of every `new XxxCommand({ ... })` in that file (they can need further actions, e.g. `VersionId`). */
  readonly inputFields: ReadonlySet<string>;
  /** A copy's `CopySource` can name a version: the file builds a `?versionId=` query. */
  readonly copiesVersions: boolean;
  /** The file tells a missing object or resource apart by its error name (`NoSuchKey`, `NotFound`). */
  readonly expectsNotFound: boolean;
}

/** The files of the repository reached from `entry` through relative imports, `entry` included. */
export function reachableFiles(entry: string): string[] {
  const seen = new Set<string>();
  const pending = [resolve(entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) {
      continue;
    }
    seen.add(file);
    for (const { specifier } of valueImports(parse(file))) {
      if (specifier.startsWith('.')) {
        pending.push(resolveModule(file, specifier));
      }
    }
  }
  return [...seen].sort();
}

/** The SDK calls the code reachable from `entry` can make. */
export function sdkCalls(entry: string): SdkCall[] {
  return reachableFiles(entry).flatMap((file) => callsIn(parse(file)));
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function resolveModule(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidate = [`${base}.ts`, join(base, 'index.ts'), base].find((path) => existsSync(path) && path.endsWith('.ts'));
  if (!candidate) {
    throw new Error(`${relative(REPOSITORY_ROOT, from)} imports '${specifier}', which resolves to no .ts file`);
  }
  return candidate;
}

interface ValueImport {
  readonly specifier: string;
  /** Imported name -> local name; empty for a side-effect import or `export * from`. */
  readonly names: Map<string, string>;
}

/** The imports and re-exports of a file that can carry values (not `import type`). */
function valueImports(source: ts.SourceFile): ValueImport[] {
  const imports: ValueImport[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) {
        continue;
      }
      const names = new Map<string, string>();
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && statement.moduleSpecifier.text.startsWith('@aws-sdk/client-')) {
        throw new Error(`${relative(REPOSITORY_ROOT, source.fileName)}: a namespace import of ${statement.moduleSpecifier.text} hides which commands it sends; import them by name`);
      }
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements.filter((e) => !e.isTypeOnly)) {
          names.set((element.propertyName ?? element.name).text, element.name.text);
        }
      }
      imports.push({ specifier: statement.moduleSpecifier.text, names });
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const names = new Map<string, string>();
      if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements.filter((e) => !e.isTypeOnly)) {
          names.set((element.propertyName ?? element.name).text, element.name.text);
        }
      }
      imports.push({ specifier: statement.moduleSpecifier.text, names });
    }
  }
  return imports;
}

const OPERATION = /^(?:paginate([A-Z]\w+)|([A-Z]\w+)Command)$/;

function callsIn(source: ts.SourceFile): SdkCall[] {
  const file = relative(REPOSITORY_ROOT, source.fileName);
  const copiesVersions = /[?&]versionId=/.test(source.text);
  const expectsNotFound = /\bNoSuchKey\b|['"]NotFound['"]/.test(source.text);
  const calls: SdkCall[] = [];
  for (const { specifier, names } of valueImports(source)) {
    const client = /^@aws-sdk\/(client-[a-z0-9-]+)$/.exec(specifier)?.[1];
    if (!client) {
      continue;
    }
    for (const [imported, local] of names) {
      const match = OPERATION.exec(imported);
      if (match) {
        calls.push({ client, operation: match[1] ?? match[2], file, inputFields: inputFieldsOf(source, local), copiesVersions, expectsNotFound });
      }
    }
  }
  return calls;
}

/** The property names of the object literals passed to `new <local>(...)` in the file. */
function inputFieldsOf(source: ts.SourceFile, local: string): Set<string> {
  const fields = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === local) {
      const input = node.arguments?.[0];
      if (input && ts.isObjectLiteralExpression(input)) {
        for (const property of input.properties) {
          if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
            fields.add(property.name.text);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return fields;
}
