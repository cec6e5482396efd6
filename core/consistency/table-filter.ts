/**
 * Which tables a check compares: only those named in `tables` (when given) and never those
 * in `excludeTables`. Names are `schema.table`; a name matches every table whose schema, a dot
 * and its table name read the same (a schema or table name may hold dots itself).
 */

/** The form every name must have, for messages. */
export const TABLE_NAME_FORM = "'schema.table' (a schema name, a dot, a table name)";

/** Whether `text` is a `schema.table` name. */
export function isTableName(text: string): boolean {
  const dot = text.indexOf('.');
  return dot > 0 && dot < text.length - 1 && text.trim() === text;
}

/** The first name of `names` that is not `schema.table`, or undefined. */
export function invalidTableName(names: readonly string[]): string | undefined {
  return names.find((name) => !isTableName(name));
}

/**
 * The schema and table a `schema.table` name reads as: after the longest of `schemas` it starts
 * with, else up to its first dot (for a name of a table that was not found, as no listing tells).
 */
export function splitTableName(name: string, schemas: Iterable<string>): { schema: string; table: string } {
  let schema = name.slice(0, name.indexOf('.'));
  for (const candidate of schemas) {
    if (candidate.length > schema.length && name.length > candidate.length + 1 && name.startsWith(`${candidate}.`)) {
      schema = candidate;
    }
  }
  return { schema, table: name.slice(schema.length + 1) };
}

/** The tables a check compares, from its `tables` and `excludeTables` options. */
export class TableFilter {
  private readonly only: ReadonlySet<string> | undefined;
  private readonly excluded: ReadonlySet<string>;

  constructor(tables: readonly string[] = [], excludeTables: readonly string[] = []) {
    const invalid = invalidTableName([...tables, ...excludeTables]);
    if (invalid !== undefined) {
      throw new Error(`table names must be ${TABLE_NAME_FORM}, got '${invalid}'`);
    }
    this.only = tables.length > 0 ? new Set(tables) : undefined;
    this.excluded = new Set(excludeTables);
  }

  /** Whether `excludeTables` names the table. */
  public excludes(name: string): boolean {
    return this.excluded.has(name);
  }

  /** Whether the table is compared. */
  public compares(name: string): boolean {
    return !this.excluded.has(name) && (this.only === undefined || this.only.has(name));
  }

  /** The tables named in `tables` (and not excluded) that are not among `found`. */
  public notFound(found: ReadonlySet<string>): string[] {
    return [...this.only ?? []].filter((name) => !found.has(name) && !this.excluded.has(name)).sort();
  }
}
