/**
 * The per-row hash and the order-independent aggregate that every checksum in this
 * library uses (whole tables, primary-key chunks, single rows).
 *
 * Row hash: `CRC32(CONCAT_WS(CHAR(0), v1, ..., vn, trailer))`. `CONCAT_WS` skips NULLs, so
 * the trailer records which nullable columns are NULL (NULL, '' and a missing value all
 * differ) and the byte length of every binary value (binary values may contain the
 * separator byte). Text is joined with the NUL byte, which text columns do not hold in
 * practice; the NUL separator also makes the row string binary, so columns of different
 * collations concatenate without casts. This costs a few function calls per row more than
 * the plain `CRC32(CONCAT_WS('#', ...))` full scan, and less than per-column lengths.
 *
 * Aggregate: the SUM of the row hashes modulo 2^64 (and the row count). A sum does not
 * depend on the order of the rows, does not cancel out duplicate rows as BIT_XOR would
 * (tables without a primary key can hold duplicates), and is additive: the checksum of a
 * table is `combineChecksums()` of the checksums of its chunks.
 */
import type { ColumnInfo } from './schema';
import { quoteIdentifier } from './schema';

/** Columns whose values are arbitrary bytes: their lengths go into the trailer. */
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit', 'geometry', 'point', 'linestring', 'polygon',
  'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

/** The SQL value of one column inside the row string. */
function valueExpression(column: ColumnInfo): string {
  const name = quoteIdentifier(column.name);
  // TIMESTAMP: the stored UTC value, independent of the session time zone.
  return column.dataType === 'timestamp' ? `UNIX_TIMESTAMP(${name})` : name;
}

/** The trailer entry of one column, or undefined when the column needs none (NOT NULL and not binary). */
function trailerExpression(column: ColumnInfo): string | undefined {
  const name = quoteIdentifier(column.name);
  if (BINARY_TYPES.has(column.dataType)) {
    return column.nullable ? `IFNULL(LENGTH(${name}), 'N')` : `LENGTH(${name})`;
  }
  return column.nullable ? `ISNULL(${name})` : undefined;
}

/** The SQL expression of the row hash (an unsigned 32-bit integer) over the given columns. */
export function rowHashExpression(columns: readonly ColumnInfo[]): string {
  if (columns.length === 0) {
    throw new Error('a row hash needs at least one column');
  }
  const values = columns.map(valueExpression);
  const trailer = columns.map(trailerExpression).filter((part): part is string => part !== undefined);
  if (trailer.length > 0) {
    values.push(`CONCAT_WS(',', ${trailer.join(', ')})`);
  }
  return `CRC32(CONCAT_WS(CHAR(0), ${values.join(', ')}))`;
}

/** The select list of an aggregate checksum: `row_count` and `hash_sum` (NULL sums are read as 0). */
export function aggregateSelectList(columns: readonly ColumnInfo[]): string {
  return `COUNT(*) AS row_count, SUM(${rowHashExpression(columns)}) AS hash_sum`;
}

const MODULUS = 1n << 64n;

/** Formats a hash sum (any size, as the server returns it) as the 16-hex-digit checksum. */
export function formatChecksum(hashSum: unknown): string {
  const value = hashSum === null || hashSum === undefined ? 0n : BigInt(String(hashSum));
  return (value % MODULUS).toString(16).padStart(16, '0');
}

/** The checksum of the union of disjoint row sets, from their checksums. */
export function combineChecksums(checksums: readonly string[]): string {
  let total = 0n;
  for (const checksum of checksums) {
    if (!/^[0-9a-f]{16}$/.test(checksum)) {
      throw new Error(`not a checksum: '${checksum}' (16 lower-case hex digits expected)`);
    }
    total = (total + BigInt(`0x${checksum}`)) % MODULUS;
  }
  return formatChecksum(total);
}
