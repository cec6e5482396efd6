/**
 * From a differing key range to the exact keys that differ: ranges are narrowed (by value
 * for a single-integer key, by bisection otherwise) down to leaves whose rows are compared
 * by key, and every candidate key is verified before it is reported as drift.
 */
import type { Connection } from 'mysql2/promise';
import type { Key, KeyRange, KeySpec } from './keys';
import { LOSSLESS } from './keys';
import type { DriftedRow } from './report';
import { rowHashExpression } from './row-hash';
import type { TableDefinition } from './schema';
import { qualifiedName } from './schema';
import type { Row, Session } from './session';
import { aggregateBoth, boundedQuery, bothSettled, onBothAtMatchedPosition, rangeAggregates, readForVerification, same, sleep } from './session';

/**
 * Ranges of a single-integer key with at most this many rows on either server are compared
 * row by row; a larger one is cut into at most `SPLIT_PIECES` sub-ranges per level (an
 * aggregate per sub-range is cheaper for the server and the client than a row per row).
 */
const LEAF_ROWS = 256;
const SPLIT_PIECES = 16;
/** Bisection of other keys stops at ranges of this many rows (each level costs a boundary query and an aggregate). */
const BISECTION_LEAF_ROWS = 2000;
/** Candidate keys are verified in batches of this size. */
const VERIFY_BATCH = 500;

/** A key range whose aggregates differ between the servers, with the larger of its row counts. */
export interface DifferingRange {
  readonly range: KeyRange;
  readonly rows: number;
}

/** Row hashes by key string (the key as the server compares it), for the rows matching `condition` (at most a few leaves or a batch of keys). */
async function rowHashes(session: Session, connection: Connection, definition: TableDefinition, spec: KeySpec, condition: string): Promise<Map<string, { key: Key; hash: string }>> {
  const match = spec.matchList === null ? '' : `${spec.matchList}, `;
  const rows = await boundedQuery(session, connection, {
    sql: `SELECT ${spec.selectList}, ${match}${rowHashExpression(definition.columns)} FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${condition}`,
    rowsAsArray: true,
    ...LOSSLESS,
  });
  const matchEnd = spec.matchList === null ? spec.width : 2 * spec.width;
  const result = new Map<string, { key: Key; hash: string }>();
  for (const row of rows as unknown[][]) {
    const key = row.slice(0, spec.width);
    result.set(spec.keyString(row.slice(matchEnd - spec.width, matchEnd)), { key, hash: String(row[matchEnd]) });
  }
  return result;
}

/** Collects drift of one keyed table: candidate keys are verified in batches, drifted rows counted and listed up to the limit. */
export class TableDrift {
  public count = 0;
  public readonly rows: DriftedRow[] = [];
  public unresolved = 0;
  /** Candidate keys with their key strings (as the server compares them) to verify. */
  private pending: Array<{ key: Key; text: string }> = [];
  private readonly pendingKeys = new Set<string>();

  constructor(private readonly session: Session, private readonly definition: TableDefinition, private readonly spec: KeySpec) {}

  /** Queues a candidate key; `text` is its key string from `rowHashes`. */
  public async add(key: Key, text: string): Promise<void> {
    if (this.pendingKeys.has(text)) {
      return;
    }
    this.pendingKeys.add(text);
    this.pending.push({ key, text });
    if (this.pending.length >= VERIFY_BATCH) {
      await this.flush();
    }
  }

  /** Verifies the pending candidates: master, replica at the master's position, master again. */
  public async flush(): Promise<void> {
    let todo = this.pending;
    this.pending = [];
    this.pendingKeys.clear();
    for (let round = 0; todo.length > 0 && round < this.session.options.rowVerifyRounds; round++) {
      if (round > 0) {
        await sleep(100 * round);
      }
      const condition = this.spec.keysCondition(todo.map((candidate) => candidate.key));
      const { before, replica: onReplica, after } = await readForVerification(this.session, (connection) => rowHashes(this.session, connection, this.definition, this.spec, condition));
      const inFlight: Array<{ key: Key; text: string }> = [];
      for (const candidate of todo) {
        const { key, text } = candidate;
        const masterBefore = before.get(text)?.hash;
        const masterAfter = after.get(text)?.hash;
        const replica = onReplica.get(text)?.hash;
        if (masterBefore !== masterAfter) {
          inFlight.push(candidate);
        } else if (masterBefore !== replica) {
          this.record({ key: this.spec.keyObject(key), kind: masterBefore === undefined ? 'extra' : replica === undefined ? 'missing' : 'different' });
        }
      }
      todo = inFlight;
    }
    this.unresolved += todo.length;
  }

  private record(row: DriftedRow): void {
    this.count++;
    if (this.rows.length < this.session.options.maxReportedRows) {
      this.rows.push(row);
    }
  }
}

/** The key at `offset` (0-based) in key order within `range` on one server, or null when there are fewer rows. */
export async function keyAtOffset(session: Session, connection: Connection, definition: TableDefinition, spec: KeySpec, range: KeyRange, offset: number): Promise<Key | null> {
  const rows = await boundedQuery(session, connection, {
    sql: `SELECT ${spec.selectList} FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${spec.rangeCondition(range)} ` +
      `ORDER BY ${spec.columnList} LIMIT 1 OFFSET ${Math.max(0, Math.floor(offset))}`,
    rowsAsArray: true,
    ...LOSSLESS,
  });
  const found = rows as unknown[][];
  return found.length > 0 ? found[0] : null;
}

/**
 * Compares the rows of small ranges by key on both servers, at a fresh matched position, in
 * one query per server, and queues every key that differs for verification.
 */
async function compareRows(session: Session, definition: TableDefinition, spec: KeySpec, ranges: readonly KeyRange[], drift: TableDrift): Promise<void> {
  const condition = ranges.map((range) => `(${spec.rangeCondition(range)})`).join(' OR ');
  const { master: onMaster, replica: onReplica } = await onBothAtMatchedPosition(session, (connection) => rowHashes(session, connection, definition, spec, condition));
  for (const [text, row] of onMaster) {
    if (onReplica.get(text)?.hash !== row.hash) {
      await drift.add(row.key, text);
    }
  }
  for (const [text, row] of onReplica) {
    if (!onMaster.has(text)) {
      await drift.add(row.key, text);
    }
  }
}

/** Narrows a differing range to candidate keys by bisection with the aggregate checksum (any primary key). */
async function narrowByBisection(session: Session, definition: TableDefinition, spec: KeySpec, range: KeyRange, drift: TableDrift): Promise<void> {
  const stack: KeyRange[] = [range];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const { master, replica } = await aggregateBoth(session, definition, spec.rangeCondition(current));
    if (same(master, replica)) {
      continue;
    }
    const larger = master.rows >= replica.rows ? session.master : session.replica;
    const split = Math.max(master.rows, replica.rows) > BISECTION_LEAF_ROWS
      ? await keyAtOffset(session, larger, definition, spec, current, Math.floor(Math.max(master.rows, replica.rows) / 2) - 1)
      : null;
    if (split === null) {
      await compareRows(session, definition, spec, [current], drift);
      continue;
    }
    stack.push({ after: split, through: current.through }, { after: current.after, through: split });
  }
}

/** The lowest and highest key of each range of a single-integer key on either server, as bigint (null: no rows on either). */
export async function integerBounds(session: Session, definition: TableDefinition, spec: KeySpec, ranges: readonly KeyRange[]): Promise<Array<{ low: bigint; high: bigint } | null>> {
  const table = qualifiedName(definition.schema, definition.table);
  const sql = ranges.map((range, index) => `SELECT ${index} AS part, MIN(${spec.columnList}) AS low, MAX(${spec.columnList}) AS high FROM ${table} WHERE ${spec.rangeCondition(range)}`).join(' UNION ALL ');
  const found = await Promise.all([session.master, session.replica].map(async (connection) => await boundedQuery(session, connection, { sql, ...LOSSLESS }) as Row[]));
  return ranges.map((_, index) => {
    const present = found.map((rows) => rows.find((row) => Number(row.part) === index)).filter((row): row is Row => row !== undefined && row.low !== null && row.low !== undefined);
    if (present.length === 0) {
      return null;
    }
    const lows = present.map((row) => BigInt(String(row.low)));
    const highs = present.map((row) => BigInt(String(row.high)));
    return { low: lows.reduce((a, b) => (b < a ? b : a)), high: highs.reduce((a, b) => (b > a ? b : a)) };
  });
}

/** `count` sub-ranges of about equal width of an integer range whose keys lie in [low, high]; the first and last keep the range's own ends. */
function subRanges(range: KeyRange, low: bigint, high: bigint, count: number): KeyRange[] {
  const span = high - low + 1n;
  const pieces = BigInt(count) < span ? BigInt(count) : span;
  const width = span / pieces + (span % pieces === 0n ? 0n : 1n);
  const result: KeyRange[] = [];
  let after = range.after;
  for (let end = low + width - 1n; ; end += width) {
    if (end >= high) {
      result.push({ after, through: range.through });
      return result;
    }
    result.push({ after, through: [end.toString()] });
    after = [end.toString()];
  }
}

/**
 * One level of narrowing by value for ranges of a single-integer key: each range is cut into
 * up to `SPLIT_PIECES` sub-ranges of about `LEAF_ROWS / 2` rows or more, compared as the parts
 * of one `UNION ALL` query per server and batch (no GROUP BY, which costs a temporary-table row
 * per row). Returns the sub-ranges that differ.
 */
async function splitByValue(session: Session, definition: TableDefinition, spec: KeySpec, ranges: readonly DifferingRange[], batch: number): Promise<DifferingRange[]> {
  const open = ranges.filter((entry) => entry.range.after === null || entry.range.through === null);
  const openBounds = open.length > 0 ? await integerBounds(session, definition, spec, open.map((entry) => entry.range)) : [];
  const pieces: DifferingRange[] = [];
  for (const entry of ranges) {
    const bounds = entry.range.after !== null && entry.range.through !== null
      ? { low: BigInt(String(entry.range.after[0])) + 1n, high: BigInt(String(entry.range.through[0])) }
      : openBounds[open.indexOf(entry)];
    if (bounds !== null) {
      const count = Math.min(SPLIT_PIECES, Math.ceil(entry.rows / (LEAF_ROWS / 2)));
      pieces.push(...subRanges(entry.range, bounds.low, bounds.high, count).map((range) => ({ range, rows: 0 })));
    }
  }
  return stillDiffering(session, definition, spec, pieces, batch);
}

/** Compares small ranges row by row, a few together per query (at most about `4 * LEAF_ROWS` rows). */
async function compareLeaves(session: Session, definition: TableDefinition, spec: KeySpec, leaves: readonly DifferingRange[], drift: TableDrift): Promise<void> {
  let batch: KeyRange[] = [];
  let rows = 0;
  for (const leaf of leaves) {
    if (batch.length > 0 && rows + leaf.rows > 4 * LEAF_ROWS) {
      await compareRows(session, definition, spec, batch, drift);
      batch = [];
      rows = 0;
    }
    batch.push(leaf.range);
    rows += leaf.rows;
  }
  if (batch.length > 0) {
    await compareRows(session, definition, spec, batch, drift);
  }
}

/** Compares the ranges again at a fresh matched position (in batches of `batch`) and keeps those that still differ. */
async function stillDiffering(session: Session, definition: TableDefinition, spec: KeySpec, ranges: readonly DifferingRange[], batch: number): Promise<DifferingRange[]> {
  const result: DifferingRange[] = [];
  for (let start = 0; start < ranges.length; start += batch) {
    const slice = ranges.slice(start, start + batch);
    const { master: onMaster, replica: onReplica } = await onBothAtMatchedPosition(session, (connection) =>
      rangeAggregates(session, connection, definition, spec, slice.map((entry) => entry.range)));
    slice.forEach((entry, index) => {
      if (!same(onMaster[index], onReplica[index])) {
        result.push({ range: entry.range, rows: Math.max(onMaster[index].rows, onReplica[index].rows) });
      }
    });
  }
  return result;
}

/**
 * Finds the differing keys of differing ranges (after `chunkRechecks` comparisons of the
 * ranges again): small ranges of a single-integer key are compared row by row together, a
 * few per query; larger ones are narrowed by value; ranges of other keys by bisection.
 */
export async function narrowRanges(session: Session, definition: TableDefinition, spec: KeySpec, ranges: readonly DifferingRange[], drift: TableDrift, batch: number): Promise<void> {
  let todo = [...ranges];
  for (let attempt = 1; attempt <= session.options.chunkRechecks && todo.length > 0; attempt++) {
    await sleep(100 * attempt);
    todo = await stillDiffering(session, definition, spec, todo, batch);
  }
  if (!spec.singleInteger) {
    for (const entry of todo) {
      await narrowByBisection(session, definition, spec, entry.range, drift);
    }
    return;
  }
  // The small ranges' rows are compared while the large ones are cut (one wait for both).
  while (todo.length > 0) {
    const large = todo.filter((entry) => entry.rows > LEAF_ROWS);
    [, todo] = await bothSettled(
      compareLeaves(session, definition, spec, todo.filter((entry) => entry.rows <= LEAF_ROWS), drift),
      large.length > 0 ? splitByValue(session, definition, spec, large, batch) : Promise.resolve([]));
  }
}
