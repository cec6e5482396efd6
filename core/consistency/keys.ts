/**
 * Primary keys as values and key ranges as SQL: chunks are `(after, through]` ranges in
 * primary-key order, composite keys included.
 */
import { escape } from 'mysql2';
import type { ColumnInfo, TableDefinition } from './schema';
import { quoteIdentifier } from './schema';

/** The values of the primary-key columns of one row, in key order. */
export type Key = readonly unknown[];

/** The rows whose key is greater than `after` (null: from the start) and at most `through` (null: to the end). */
export interface KeyRange {
  readonly after: Key | null;
  readonly through: Key | null;
}

/** The whole table. */
export const WHOLE_TABLE: KeyRange = { after: null, through: null };

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']);
const DECIMAL_TYPES = new Set(['decimal', 'numeric']);
const FLOAT_TYPES = new Set(['float', 'double', 'real']);
/** Types whose keys are read and written as their number: BIT as its value, ENUM and SET as their index. */
const NUMBERED_TYPES = new Set(['bit', 'enum', 'set']);

/**
 * How a key column is read and written. A BIT value read as bytes, an ENUM or SET label
 * compared as text (while the table is ordered by index) and a FLOAT read with 6 digits all
 * select other rows than the ones read, so those are read as numbers that compare exactly.
 */
type KeyKind = 'integer' | 'decimal' | 'numbered' | 'float' | 'other';

function kindOf(dataType: string): KeyKind {
  if (INTEGER_TYPES.has(dataType)) {
    return 'integer';
  }
  if (DECIMAL_TYPES.has(dataType)) {
    return 'decimal';
  }
  if (NUMBERED_TYPES.has(dataType)) {
    return 'numbered';
  }
  return FLOAT_TYPES.has(dataType) ? 'float' : 'other';
}

/** Query options that return keys losslessly (BIGINT and DECIMAL as strings, dates as written). */
export const LOSSLESS = { supportBigNumbers: true, bigNumberStrings: true, dateStrings: true } as const;

/** How one table's primary key is written in SQL and in reports. */
export class KeySpec {
  /** The quoted key columns, comma-separated (for ORDER BY lists). */
  public readonly columnList: string;
  /** The key columns as read: the values that `literal` writes back. */
  public readonly selectList: string;
  /**
   * The key columns as the server compares them (`WEIGHT_STRING` of text columns), or null when
   * they compare as read. Under a case- or accent-insensitive collation 'abc' and 'ABC' are one
   * key, so a row whose key changed only in case differs: it is not missing and extra; under a
   * PAD SPACE collation so are 'abc' and 'abc  ' (see `comparedWeight`).
   */
  public readonly matchList: string | null;
  /** True when the key is a single integer column: chunks can then be cut by value. */
  public readonly singleInteger: boolean;
  private readonly names: string[];
  private readonly kinds: KeyKind[];
  /** The labels of ENUM and SET key columns, by key column index, for reports. */
  private readonly labels: Array<Labels | undefined>;

  constructor(definition: TableDefinition) {
    if (definition.primaryKey.length === 0) {
      throw new Error(`table ${definition.schema}.${definition.table} has no primary key`);
    }
    this.names = definition.primaryKey;
    const columns = definition.primaryKey.map((name) => definition.columns.find((candidate) => candidate.name === name));
    this.kinds = columns.map((column) => kindOf(column?.dataType ?? ''));
    this.labels = columns.map(labelsOf);
    this.columnList = this.names.map(quoteIdentifier).join(', ');
    const read = this.names.map((name, index) => {
      const kind = this.kinds[index];
      return kind === 'numbered' ? `${quoteIdentifier(name)} + 0` : kind === 'float' ? `CAST(${quoteIdentifier(name)} AS DOUBLE)` : quoteIdentifier(name);
    });
    this.selectList = read.join(', ');
    this.matchList = columns.some((column) => column?.collation)
      ? read.map((expression, index) => (columns[index]?.collation ? comparedWeight(quoteIdentifier(this.names[index])) : expression)).join(', ')
      : null;
    this.singleInteger = this.names.length === 1 && this.kinds[0] === 'integer';
  }

  /** The number of key columns. */
  public get width(): number {
    return this.names.length;
  }

  /** A SQL literal for the value of key column `index`: numbers inline and exact, everything else escaped. */
  public literal(index: number, value: unknown): string {
    const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
    const kind = this.kinds[index];
    if ((kind === 'integer' || kind === 'numbered') && typeof text === 'string' && /^-?\d+$/.test(text)) {
      return text;
    }
    if (kind === 'float' && typeof value === 'number' && Number.isFinite(value)) {
      // With an exponent the literal is a DOUBLE, equal to the stored value; without, a DECIMAL.
      const written = String(value);
      return written.includes('e') ? written : `${written}e0`;
    }
    if (kind === 'decimal' && typeof text === 'string' && /^-?\d+(\.\d+)?$/.test(text)) {
      return text;
    }
    return escape(text as Parameters<typeof escape>[0]);
  }

  private compare(key: Key, strict: '>' | '<', last: '>' | '<='): string {
    const alternatives: string[] = [];
    for (let depth = 0; depth < this.names.length; depth++) {
      const equal = this.names.slice(0, depth).map((name, index) => `${quoteIdentifier(name)} = ${this.literal(index, key[index])}`);
      const operator = depth === this.names.length - 1 ? last : strict;
      alternatives.push([...equal, `${quoteIdentifier(this.names[depth])} ${operator} ${this.literal(depth, key[depth])}`].join(' AND '));
    }
    return alternatives.length === 1 ? alternatives[0] : alternatives.map((alternative) => `(${alternative})`).join(' OR ');
  }

  /** The WHERE condition of a key range ('1 = 1' for the whole table). */
  public rangeCondition(range: KeyRange): string {
    const between = this.integerBetween(range);
    if (between) {
      return between;
    }
    const parts: string[] = [];
    if (range.after) {
      parts.push(`(${this.compare(range.after, '>', '>')})`);
    }
    if (range.through) {
      parts.push(`(${this.compare(range.through, '<', '<=')})`);
    }
    return parts.length > 0 ? parts.join(' AND ') : '1 = 1';
  }

  /**
   * A range of a single integer key bounded at both ends as `BETWEEN after + 1 AND through`,
   * or null. The server evaluates a range scan's condition again for every row, and one
   * `BETWEEN` costs about 3% less of the scan than two comparisons.
   */
  private integerBetween(range: KeyRange): string | null {
    if (!this.singleInteger || !range.after || !range.through) {
      return null;
    }
    const after = this.literal(0, range.after[0]);
    const through = this.literal(0, range.through[0]);
    if (!/^-?\d+$/.test(after) || !/^-?\d+$/.test(through)) {
      return null;
    }
    return `${quoteIdentifier(this.names[0])} BETWEEN ${BigInt(after) + 1n} AND ${through}`;
  }

  /** The WHERE condition selecting exactly the given keys. */
  public keysCondition(keys: readonly Key[]): string {
    if (keys.length === 0) {
      return '1 = 0';
    }
    if (this.names.length === 1) {
      return `${quoteIdentifier(this.names[0])} IN (${keys.map((key) => this.literal(0, key[0])).join(', ')})`;
    }
    return keys.map((key) => `(${this.names.map((name, index) => `${quoteIdentifier(name)} = ${this.literal(index, key[index])}`).join(' AND ')})`).join(' OR ');
  }

  /** A string that is equal for equal keys (the map key of a row). */
  public keyString(key: Key): string {
    return JSON.stringify(key.map(plainValue));
  }

  /** The key as `{ column: value }` for reports (binary values as `0x...` hex, ENUM and SET values by label). */
  public keyObject(key: Key): Record<string, string | number | null> {
    const result: Record<string, string | number | null> = {};
    this.names.forEach((name, index) => {
      const labels = this.labels[index];
      result[name] = labels ? labelled(labels, key[index]) : plainValue(key[index]);
    });
    return result;
  }
}

/**
 * The weight of a text key as its collation compares it. `WEIGHT_STRING` keeps the weights of
 * trailing spaces, which a PAD SPACE collation (MariaDB's and MySQL 5.7's defaults) ignores
 * when it compares; they are trimmed where the collation finds the value equal to its trimmed
 * self, which a NO PAD collation does only when there are none to trim.
 */
function comparedWeight(column: string): string {
  return `WEIGHT_STRING(IF(${column} = RTRIM(${column}), RTRIM(${column}), ${column}))`;
}

/** The labels of an ENUM or SET column, from its `COLUMN_TYPE`: `enum('a','b''c')`. */
interface Labels {
  readonly set: boolean;
  readonly names: string[];
}

function labelsOf(column: ColumnInfo | undefined): Labels | undefined {
  if (column?.dataType !== 'enum' && column?.dataType !== 'set') {
    return undefined;
  }
  const list = column.columnType.slice(column.columnType.indexOf('(') + 1, column.columnType.lastIndexOf(')'));
  return { set: column.dataType === 'set', names: [...list.matchAll(/'((?:[^']|'')*)'/g)].map((match) => match[1].replace(/''/g, "'")) };
}

/** An ENUM value by its label ('' for the error value 0), a SET value as its labels joined by commas, as MySQL writes them. */
function labelled(labels: Labels, value: unknown): string | number | null {
  const number = Number(value);
  if (value === null || value === undefined || !Number.isSafeInteger(number) || number < 0) {
    return plainValue(value);
  }
  if (labels.set) {
    return labels.names.filter((_, bit) => Math.floor(number / 2 ** bit) % 2 === 1).join(',');
  }
  return number === 0 ? '' : labels.names[number - 1] ?? number;
}

function plainValue(value: unknown): string | number | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (Buffer.isBuffer(value)) {
    return `0x${value.toString('hex')}`;
  }
  if (typeof value === 'number') {
    return value;
  }
  return String(value);
}
