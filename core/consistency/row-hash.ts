/**
 * The per-row hash and the order-independent aggregate that every checksum in this
 * library uses (whole tables, primary-key chunks, single rows).
 *
 * Row hash: `CRC32(CONCAT_WS(SEPARATOR, values, lengths, any-byte values))`, with one
 * function call at most per column. Fields are separated by a NUL byte, which text does not hold in practice.
 * `CONCAT_WS` skips NULLs, so a nullable column that carries text enters as
 * `COALESCE(col, NULL_MARK)`: a NULL becomes a field holding the byte 0xFF, which is not UTF-8 and
 * not in any number or date, so it differs from '' (an empty field), from every UTF-8 text,
 * and, because it is not a separator, from its neighbours: (NULL, '') and ('', NULL) differ.
 * (Only in a single-byte character set such as latin1 is there one text, 'ÿ', that hashes
 * like NULL.) Binary values, and text in character sets whose bytes include NUL (ucs2,
 * utf16, utf32), may contain any byte: they come last, after the byte lengths of all but the
 * last of them (`'N'` when NULL), so NULL, '' and 0x00 differ and bytes cannot shift between
 * columns, and a table whose only such column is a binary key pays for no length at all.
 * Text of different collations (UTF-16 included) concatenates only when one argument is a
 * binary string that outranks the text's collations, which makes the row string binary (no
 * conversion). The NULL mark is one (`X'FF' COLLATE binary`, whose explicit collation outranks
 * every column's), and so is every binary column. A table with neither whose text spans
 * several collations gets the separator with that collation; every other table the plain
 * literal `X'00'`, and when its text shares one collation its row string is in that character
 * set. A literal with a COLLATE clause is a constant; a `CAST(... AS BINARY)` of one, which the
 * marks and the separator were until December 2026, is evaluated again for every row (3–4% of
 * a scan each), and `COALESCE` costs about 1% less than `IFNULL`. The row strings, and so the
 * checksums, are the same bytes as before. The whole hash costs about 1.06x the plain
 * `CRC32(CONCAT_WS('#', ...))` full scan.
 *
 * Aggregate: the row hashes are spread over 64 bits first (`spreadRowHash`), then summed
 * modulo 2^64 (with the row count). A sum does not depend on the order of the rows, does not
 * cancel out duplicate rows as BIT_XOR would (tables without a primary key can hold
 * duplicates), and is additive: the checksum of a table is `combineChecksums()` of the
 * checksums of its chunks. The replica check compares chunks of tables with a primary key
 * with the cheaper BIT_XOR of the multiplied hashes (`keyedAggregateSelectList`).
 *
 * Why spread: CRC32 is linear over GF(2), so the CRC32s of two row strings of one length XOR
 * to a value that depends only on the XOR of the strings. Rows that swap values of one length
 * (codes, statuses, serial numbers) keep that XOR: a BIT_XOR of plain CRC32s never changes,
 * and a SUM stays the same in about 1 of 10,000 swaps of similar values. Multiplying by an odd
 * 32-bit constant (whose carries are not linear) and XORing a 64-bit constant (which makes the
 * values' sum depend on more than their XOR) leaves no such relation: none of 1.1 million
 * swaps of similar codes kept either aggregate. The product of two 32-bit values fits in a
 * BIGINT UNSIGNED, so no server overflows; it costs about 2% of the scan.
 */
import type { ColumnInfo } from './schema';
import { quoteIdentifier } from './schema';

/** Between two fields: one NUL byte (a literal, which gives way to the columns' character set). */
const SEPARATOR = "X'00'";
/** The separator as a binary string of explicit collation: it makes the row string binary. */
const BINARY_SEPARATOR = "X'00' COLLATE `binary`";
/** The field of a NULL: the byte 0xFF, which no UTF-8 text, number or date holds (binary, explicit collation). */
const NULL_MARK = "X'FF' COLLATE `binary`";

/** Column types whose values are arbitrary bytes. */
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit', 'geometry', 'point', 'linestring', 'polygon',
  'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection']);

/** Character sets in which text holds NUL bytes (every ASCII character has one in UTF-16 and UTF-32). */
const WIDE_CHARACTER_SETS = new Set(['ucs2', 'utf16', 'utf16le', 'utf32']);

/** Whether a column's values may hold any byte, the separator included: they go last in the row string, found by their lengths. */
function holdsAnyByte(column: ColumnInfo): boolean {
  return BINARY_TYPES.has(column.dataType) || WIDE_CHARACTER_SETS.has(column.characterSet ?? '');
}

/** The SQL value of one column inside the row string. */
function valueExpression(column: ColumnInfo): string {
  const name = quoteIdentifier(column.name);
  // TIMESTAMP: the stored UTC value, independent of the session time zone. FLOAT: as a DOUBLE,
  // whose text is exact; a FLOAT's own text has 6 digits, so 1.0000001 and 1.0000002 would hash alike.
  const value = column.dataType === 'timestamp' ? `UNIX_TIMESTAMP(${name})` : column.dataType === 'float' ? `CAST(${name} AS DOUBLE)` : name;
  // Any-byte values: a NULL is marked by the length entry; others: by a field holding 0xFF.
  return column.nullable && !holdsAnyByte(column) ? `COALESCE(${value}, ${NULL_MARK})` : value;
}

/**
 * The separator: the plain literal when the row string is binary anyway (a binary column, or a
 * nullable one, whose NULL mark is binary) or all its text shares one collation; the binary
 * separator otherwise, as text of different collations cannot be concatenated.
 */
function separatorFor(columns: readonly ColumnInfo[]): string {
  const binaryArgument = columns.some((column) => BINARY_TYPES.has(column.dataType) || (column.nullable && !holdsAnyByte(column)));
  const collations = new Set(columns.map((column) => column.collation).filter((collation) => collation !== undefined));
  return binaryArgument || collations.size <= 1 ? SEPARATOR : BINARY_SEPARATOR;
}

/** The length entry of a column that may hold any byte ('N' for NULL). */
function lengthExpression(column: ColumnInfo): string {
  const name = quoteIdentifier(column.name);
  return column.nullable ? `COALESCE(LENGTH(${name}), 'N')` : `LENGTH(${name})`;
}

/** The SQL expression of the row hash (an unsigned 32-bit integer) over the given columns. */
export function rowHashExpression(columns: readonly ColumnInfo[]): string {
  if (columns.length === 0) {
    throw new Error('a row hash needs at least one column');
  }
  // Fields that hold no NUL first, then the lengths of the any-byte values, then those values:
  // the first fields are found by their separators, the any-byte values by their lengths, and
  // the last one is the rest of the string (present when a separator follows the lengths),
  // so it needs no length of its own unless it is the only field.
  const plain = columns.filter((column) => !holdsAnyByte(column));
  const anyByte = columns.filter(holdsAnyByte);
  const measured = columns.length > 1 ? anyByte.slice(0, -1) : anyByte;
  const fields = [...plain.map(valueExpression), ...measured.map(lengthExpression), ...anyByte.map(valueExpression)];
  return `CRC32(CONCAT_WS(${separatorFor(columns)}, ${fields.join(', ')}))`;
}

/** Knuth's multiplicative hashing constant: odd, below 2^32. */
const SPREAD_MULTIPLIER = '2654435761';
/** 2^64 divided by the golden ratio: a 64-bit constant with bits set all over. */
const SPREAD_MASK = '11400714819323198485';

/** The SQL expression of the row hash spread over 64 bits, the value every aggregate adds up (a BIGINT UNSIGNED). */
export function spreadRowHash(columns: readonly ColumnInfo[]): string {
  return `((${rowHashExpression(columns)} * ${SPREAD_MULTIPLIER}) ^ ${SPREAD_MASK})`;
}

/** The select list of an aggregate checksum: `row_count` and `hash_sum` (NULL sums are read as 0). */
export function aggregateSelectList(columns: readonly ColumnInfo[]): string {
  return `COUNT(*) AS row_count, SUM(${spreadRowHash(columns)}) AS hash_sum`;
}

/**
 * The select list of a comparison aggregate over rows with a primary key: `row_count` and
 * `hash_sum` as the BIT_XOR of the row hashes times the multiplier. Cheaper than the SUM (about
 * 8% of the scan); a row cannot occur twice under a primary key, so nothing cancels out. The
 * product alone breaks the linearity; the mask is left out, as XORing it into every row would
 * only add the parity of the row count, which is compared anyway (it saves about 1.7% of the
 * scan). Only compared between servers, never stored.
 */
export function keyedAggregateSelectList(columns: readonly ColumnInfo[]): string {
  return `COUNT(*) AS row_count, BIT_XOR(${rowHashExpression(columns)} * ${SPREAD_MULTIPLIER}) AS hash_sum`;
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
