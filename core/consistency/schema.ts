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
  /** `COLUMN_TYPE` as the server writes it: `int(10) unsigned`, `decimal(12,2)`, `enum('Open','closed')` ... */
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
  /**
   * True for a MariaDB system-versioned table (`WITH SYSTEM VERSIONING`), which keeps the history
   * of its rows; absent otherwise. Not read by the checksums, but a copy without it keeps no history.
   */
  readonly systemVersioned?: boolean;
}

/** The schemas every MySQL / MariaDB server has and that are never compared. */
export const SYSTEM_SCHEMAS: readonly string[] = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/**
 * Tables (`schema.table`) whose rows differ between master and replica by design and that
 * are never compared: pt-table-checksum's results (`--replicate`, by default
 * `percona.checksums`), where each replica writes its own checksums beside the master's.
 * The rest of a `percona` database is user data like any other.
 */
export const REPLICA_SPECIFIC_TABLES: readonly string[] = ['percona.checksums'];

/** Quotes an identifier with backticks (a backtick inside is doubled). */
export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `schema`.`table`, quoted. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

type Row = Record<string, unknown>;

/**
 * Runs one SELECT (its `?` filled from `values`) on a connection and returns its rows. The
 * drift check passes one that stops it at its deadline: `information_schema` waits for a
 * table's metadata lock (held by a RENAME or ALTER TABLE) as long as `lock_wait_timeout`.
 */
export type SelectRunner = (connection: Connection, sql: string, values: string[]) => Promise<Row[]>;

async function runSelect(connection: Connection, sql: string, values: string[]): Promise<Row[]> {
  return (await connection.query(sql, values))[0] as Row[];
}

/**
 * Reads the columns, the primary key and the table type (system-versioned or not) of one table
 * in one round trip (a `UNION ALL` of the three `information_schema` lookups, each filtered by
 * constants so the server opens only this table); throws when the table does not exist.
 */
export async function readTableDefinition(connection: Connection, schema: string, table: string, select: SelectRunner = runSelect): Promise<TableDefinition> {
  const rows = await select(connection,
    'SELECT 1 AS kind, ORDINAL_POSITION AS seq, COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, ' +
    'CHARACTER_SET_NAME AS characterSet, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ' +
    'UNION ALL SELECT 2, SEQ_IN_INDEX, COLUMN_NAME, NULL, NULL, NULL, NULL, NULL FROM information_schema.STATISTICS ' +
    "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' " +
    'UNION ALL SELECT 3, 0, TABLE_TYPE, NULL, NULL, NULL, NULL, NULL FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ' +
    'ORDER BY kind, seq', [schema, table, schema, table, schema, table]);
  const columns = rows.filter((row) => Number(row.kind) === 1).map((row) => ({
    name: String(row.name),
    dataType: String(row.dataType).toLowerCase(),
    columnType: String(row.columnType),
    nullable: String(row.nullable).toUpperCase() === 'YES',
    ...(row.characterSet ? { characterSet: String(row.characterSet).toLowerCase() } : {}),
    ...(row.collation ? { collation: String(row.collation).toLowerCase() } : {}),
  }));
  if (columns.length === 0) {
    throw new Error(`table ${schema}.${table} does not exist or has no columns visible to this user`);
  }
  const primaryKey = rows.filter((row) => Number(row.kind) === 2).map((row) => String(row.name));
  const systemVersioned = rows.some((row) => Number(row.kind) === 3 && String(row.name) === 'SYSTEM VERSIONED');
  return { schema, table, columns, primaryKey, ...(systemVersioned ? { systemVersioned } : {}) };
}

/** A base table, with the server's estimate of its row count (`TABLE_ROWS`: exact for some engines, approximate for InnoDB). */
export interface ListedTable {
  readonly schema: string;
  readonly table: string;
  readonly estimatedRows: number;
  /** True for a MariaDB system-versioned table (`WITH SYSTEM VERSIONING`), whose history rows a plain SELECT does not read; absent otherwise. */
  readonly systemVersioned?: boolean;
}

/**
 * The base tables of the given schemas (or of every non-system schema when none are given), sorted, with their estimated row counts.
 * `withSequences`: MariaDB's sequences too, tables of one row each that hold the sequence's state.
 */
export async function listTablesWithEstimates(connection: Connection, schemas: readonly string[] = [], options: { readonly withSequences?: boolean; readonly select?: SelectRunner } = {}): Promise<ListedTable[]> {
  const params: string[] = [];
  let filter: string;
  if (schemas.length > 0) {
    filter = `TABLE_SCHEMA IN (${schemas.map(() => '?').join(', ')})`;
    params.push(...schemas);
  } else {
    filter = `TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')})`;
    params.push(...SYSTEM_SCHEMAS);
  }
  const types = ["'BASE TABLE'", "'SYSTEM VERSIONED'", ...(options.withSequences ? ["'SEQUENCE'"] : [])];
  const rows = await (options.select ?? runSelect)(connection,
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_ROWS AS estimate, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_TYPE IN (${types.join(', ')}) AND ${filter} ORDER BY TABLE_SCHEMA, TABLE_NAME`, params);
  return rows.map((row) => ({
    schema: String(row.s), table: String(row.t), estimatedRows: Number(row.estimate ?? 0),
    ...(String(row.type) === 'SYSTEM VERSIONED' ? { systemVersioned: true } : {}),
  }));
}

/** The base tables of the given schemas (or of every non-system schema when none are given), sorted. */
export async function listTables(connection: Connection, schemas: readonly string[] = []): Promise<Array<{ schema: string; table: string }>> {
  return (await listTablesWithEstimates(connection, schemas)).map(({ schema, table }) => ({ schema, table }));
}

/**
 * A short description of the differences between two definitions of the same table, or '' when they match.
 * System versioning is named only for a table that has it on either side.
 */
export function describeDefinitionDifference(master: TableDefinition, replica: TableDefinition): string {
  const versioned = master.systemVersioned === true || replica.systemVersioned === true;
  const describe = (definition: TableDefinition): string =>
    definition.columns.map((column) => `${column.name} ${column.columnType}${column.collation ? ` ${column.collation}` : ''}${column.nullable ? ' null' : ' not null'}`).join(', ') +
    ` / primary key (${definition.primaryKey.join(', ')})` +
    (versioned ? (definition.systemVersioned ? ' / with system versioning' : ' / without system versioning') : '');
  const left = describe(master);
  const right = describe(replica);
  return left === right ? '' : `master has ${left}; replica has ${right}`;
}
