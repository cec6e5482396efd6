/**
 * A whole-table checksum: the daily dump's manifest records it and the restore
 * verification recomputes it on the restored copy.
 */
import type { Connection } from 'mysql2/promise';
import { aggregateSelectList, formatChecksum } from './row-hash';
import { qualifiedName, readTableDefinition } from './schema';

/** The checksum of one table. */
export interface TableChecksum {
  readonly schema: string;
  readonly table: string;
  /** The number of rows. */
  readonly rows: number;
  /**
   * 16 hex digits: the sum modulo 2^64 of the per-row hashes (see `row-hash.ts`).
   * Independent of row order and of the session time zone; equal to
   * `combineChecksums()` of the checksums of any split of the table into disjoint chunks.
   */
  readonly checksum: string;
}

/**
 * Computes the checksum of a whole table in one streaming scan on the server (memory on
 * the client does not grow with the table). Runs as a consistent read: it takes no row locks.
 */
export async function tableChecksum(connection: Connection, schema: string, table: string): Promise<TableChecksum> {
  const definition = await readTableDefinition(connection, schema, table);
  const [rows] = await connection.query({
    sql: `SELECT ${aggregateSelectList(definition.columns)} FROM ${qualifiedName(schema, table)}`,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const result = (rows as Array<Record<string, unknown>>)[0];
  return { schema, table, rows: Number(result.row_count), checksum: formatChecksum(result.hash_sum) };
}
