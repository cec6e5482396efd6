/**
 * Reading table definitions from `information_schema`, and quoting identifiers.
 * Works the same on MySQL 8 and MariaDB.
 */
import type { Connection } from 'mysql2/promise';

/** One column of a table, as `information_schema.COLUMNS` describes it. */
export interface ColumnInfo {
  readonly name: string;
  /** `DATA_TYPE`, lower case: `int`, `varchar`, `json`, `timestamp`, ... */
  readonly dataType: string;
  /** `COLUMN_TYPE`, lower case: `int(10) unsigned`, `decimal(12,2)`, ... */
  readonly columnType: string;
  readonly nullable: boolean;
  /** `CHARACTER_SET_NAME`, lower case, for text columns: `utf8mb4`, `latin1`, `utf16`, ... */
  readonly characterSet?: string;
  /** `COLLATION_NAME`, lower case, for text columns: `utf8mb4_general_ci`, `utf8mb4_bin`, ... */
  readonly collation?: string;
}

/** The definition of a table that the checksums depend on. */
export interface TableDefinition {
  readonly schema: string;
  readonly table: string;
  /** In ordinal order. */
  readonly columns: ColumnInfo[];
  /** The primary key columns in key order; empty when the table has no primary key. */
  readonly primaryKey: string[];
}

/** The schemas every MySQL / MariaDB server has and that are never compared. */
export const SYSTEM_SCHEMAS: readonly string[] = ['mysql', 'information_schema', 'performance_schema', 'sys', 'percona'];

/** Quotes an identifier with backticks (a backtick inside is doubled). */
export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `schema`.`table`, quoted. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

type Row = Record<string, unknown>;

/** Reads the columns and the primary key of one table; throws when the table does not exist. */
export async function readTableDefinition(connection: Connection, schema: string, table: string): Promise<TableDefinition> {
  const [columnRows] = await connection.query(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, CHARACTER_SET_NAME AS characterSet, COLLATION_NAME AS collation ' +
    'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [schema, table]);
  const columns = (columnRows as Row[]).map((row) => ({
    name: String(row.name),
    dataType: String(row.dataType).toLowerCase(),
    columnType: String(row.columnType).toLowerCase(),
    nullable: String(row.nullable).toUpperCase() === 'YES',
    ...(row.characterSet ? { characterSet: String(row.characterSet).toLowerCase() } : {}),
    ...(row.collation ? { collation: String(row.collation).toLowerCase() } : {}),
  }));
  if (columns.length === 0) {
    throw new Error(`table ${schema}.${table} does not exist or has no columns visible to this user`);
  }
  const [keyRows] = await connection.query(
    'SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS ' +
    "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX", [schema, table]);
  return { schema, table, columns, primaryKey: (keyRows as Row[]).map((row) => String(row.name)) };
}

/** The base tables of the given schemas (or of every non-system schema when none are given), sorted. */
export async function listTables(connection: Connection, schemas: readonly string[] = []): Promise<Array<{ schema: string; table: string }>> {
  const params: string[] = [];
  let filter: string;
  if (schemas.length > 0) {
    filter = `TABLE_SCHEMA IN (${schemas.map(() => '?').join(', ')})`;
    params.push(...schemas);
  } else {
    filter = `TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')})`;
    params.push(...SYSTEM_SCHEMAS);
  }
  const [rows] = await connection.query(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND ${filter} ORDER BY TABLE_SCHEMA, TABLE_NAME`, params);
  return (rows as Row[]).map((row) => ({ schema: String(row.s), table: String(row.t) }));
}

/** A short description of the differences between two definitions of the same table, or '' when they match. */
export function describeDefinitionDifference(master: TableDefinition, replica: TableDefinition): string {
  const describe = (definition: TableDefinition): string =>
    definition.columns.map((column) => `${column.name} ${column.columnType}${column.collation ? ` ${column.collation}` : ''}${column.nullable ? ' null' : ' not null'}`).join(', ') +
    ` / primary key (${definition.primaryKey.join(', ')})`;
  const left = describe(master);
  const right = describe(replica);
  return left === right ? '' : `master has ${left}; replica has ${right}`;
}
