/**
 * The per-row hash and the order-independent aggregate that every checksum in this
 * library uses (whole tables, primary-key chunks, single rows).
 *
 * Row hash: `CRC32(CONCAT_WS(CHAR(0), v1, ..., vn, lengths))`, with one function call at most
 * per column. `CONCAT_WS` skips NULLs, so a nullable column that is not binary enters as
 * `IFNULL(col, CHAR(0))`: a NULL becomes a field holding one NUL byte, which differs from ''
 * (an empty field), from a missing column (one separator fewer) and from every non-text value;
 * text columns do not hold the NUL byte in practice. Binary values may contain any byte, so
 * every binary column adds its byte length at the end (`'N'` when NULL): NULL, '' and 0x00
 * differ, and bytes cannot shift between binary columns. The NUL separator also makes the row
 * string binary, so columns of different collations concatenate without casts. This is about
 * as cheap as the plain `CRC32(CONCAT_WS('#', ...))` full scan (one `IFNULL` per nullable
 * column, one `LENGTH` per binary column).
 *
 * Aggregate: the SUM of the row hashes modulo 2^64 (and the row count). A sum does not
 * depend on the order of the rows, does not cancel out duplicate rows as BIT_XOR would
 * (tables without a primary key can hold duplicates), and is additive: the checksum of a
 * table is `combineChecksums()` of the checksums of its chunks. The replica check compares
 * chunks of tables with a primary key with the cheaper BIT_XOR (`keyedAggregateSelectList`).
 */
import type { ColumnInfo } from './schema';
import { quoteIdentifier } from './schema';

/** Columns whose values are arbitrary bytes: their lengths go at the end of the row string. */
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit', 'geometry', 'point', 'linestring', 'polygon',
  'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

/** The SQL value of one column inside the row string. */
function valueExpression(column: ColumnInfo): string {
  const name = quoteIdentifier(column.name);
  // TIMESTAMP: the stored UTC value, independent of the session time zone.
  const value = column.dataType === 'timestamp' ? `UNIX_TIMESTAMP(${name})` : name;
  // Binary values: a NULL is marked by the length entry; others: by a field holding one NUL byte.
  return column.nullable && !BINARY_TYPES.has(column.dataType) ? `IFNULL(${value}, CHAR(0))` : value;
}

/** The length entry of a binary column ('N' for NULL), or undefined for other columns. */
function lengthExpression(column: ColumnInfo): string | undefined {
  if (!BINARY_TYPES.has(column.dataType)) {
    return undefined;
  }
  const name = quoteIdentifier(column.name);
  return column.nullable ? `IFNULL(LENGTH(${name}), 'N')` : `LENGTH(${name})`;
}

/** The SQL expression of the row hash (an unsigned 32-bit integer) over the given columns. */
export function rowHashExpression(columns: readonly ColumnInfo[]): string {
  if (columns.length === 0) {
    throw new Error('a row hash needs at least one column');
  }
  const values = columns.map(valueExpression);
  const lengths = columns.map(lengthExpression).filter((part): part is string => part !== undefined);
  return `CRC32(CONCAT_WS(CHAR(0), ${[...values, ...lengths].join(', ')}))`;
}

/** The select list of an aggregate checksum: `row_count` and `hash_sum` (NULL sums are read as 0). */
export function aggregateSelectList(columns: readonly ColumnInfo[]): string {
  return `COUNT(*) AS row_count, SUM(${rowHashExpression(columns)}) AS hash_sum`;
}

/**
 * The select list of a comparison aggregate over rows with a primary key: `row_count` and
 * `hash_sum` as the BIT_XOR of the row hashes. Cheaper than the SUM; a row cannot occur twice
 * under a primary key, so nothing cancels out. Only compared between servers, never stored.
 */
export function keyedAggregateSelectList(columns: readonly ColumnInfo[]): string {
  return `COUNT(*) AS row_count, BIT_XOR(${rowHashExpression(columns)}) AS hash_sum`;
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
