/**
 * The replica drift check: compares a master and its replica table by table in
 * primary-key chunks, both servers at once, at a matched replication position.
 *
 * Per chunk: read the master's GTID position and the replica's health, wait until the
 * replica has applied that position (`MASTER_GTID_WAIT` / `WAIT_FOR_EXECUTED_GTID_SET`),
 * then run ONE aggregate query (`COUNT(*)`, `BIT_XOR(row hash)`) per server concurrently. The
 * chunk size adapts so that a chunk takes about `targetChunkSeconds`. A chunk of a
 * single-integer key is aggregated in up to `MAX_PARTS` parts by that same one query (a
 * `UNION ALL` of range scans), so only a differing part is looked at again (row by row, or
 * narrowed by value first when it is larger than `LEAF_ROWS`); other keys bisect a differing
 * chunk with the same aggregate down to small ranges whose rows are compared by key. Every
 * candidate key is verified: master, replica at the master's position, master again; a row
 * that changed on the master in between is in flight and is retried, a row that is stable on
 * the master and different on the replica is drift.
 *
 * Memory does not grow with the table: only aggregates, ranges of at most `LEAF_ROWS`
 * rows and batches of candidate keys are held.
 */
import type { Connection } from 'mysql2/promise';
import type { Key, KeyRange } from './keys';
import { KeySpec, LOSSLESS, WHOLE_TABLE } from './keys';
import type { ReplicaHealth, ServerFlavor } from './replication';
import { describeUnhealthy, gtidProblem, masterGtidPosition, replicaHealth, serverInfo, waitForPosition } from './replication';
import type { CheckStatus, ConsistencyReport, DriftedRow, TableResult } from './report';
import { aggregateSelectList, keyedAggregateSelectList, rowHashExpression } from './row-hash';
import type { TableDefinition } from './schema';
import { describeDefinitionDifference, listTables, qualifiedName, readTableDefinition } from './schema';

/** What the check reports while it runs (for progress bars and logs). */
export type ProgressEvent =
  | { readonly kind: 'table-start'; readonly schema: string; readonly table: string; readonly estimatedRows: number }
  | { readonly kind: 'chunk'; readonly schema: string; readonly table: string; readonly rowsDone: number; readonly estimatedRows: number }
  | { readonly kind: 'table-done'; readonly result: TableResult }
  | { readonly kind: 'waiting-for-replica'; readonly lagSeconds: number | null; readonly reason: string };

/** Options of a check; every one has a default. */
export interface CheckOptions {
  /** The schemas to compare; empty or absent: every non-system schema. */
  readonly databases?: readonly string[];
  /** Chunks wait while the replica is more than this many seconds behind. Default 30 seconds. */
  readonly maxLagSeconds?: number;
  /** How long to wait, in seconds, for the lag to fall below the limit before giving up (`unknown`). Default 120 seconds. */
  readonly maxLagWaitSeconds?: number;
  /**
   * The target duration of one chunk query, in seconds: short chunks hold the master briefly
   * and keep the re-read of a differing chunk small. Default 0.1 seconds.
   */
  readonly targetChunkSeconds?: number;
  /** The size of the first chunk of each table, in rows. Default 20,000. */
  readonly initialChunkRows?: number;
  /** The largest chunk, in rows. Default 2,000,000. */
  readonly maxChunkRows?: number;
  /** `innodb_lock_wait_timeout` and `lock_wait_timeout` of the check's sessions, in seconds. Default 2 seconds. */
  readonly lockWaitTimeoutSeconds?: number;
  /**
   * How often a differing chunk is compared again as a whole before it is narrowed. Default 0:
   * narrowing itself compares the chunk again, part by part, at a fresh matched position,
   * so rows that were in flight converge there, and every remaining key is verified.
   */
  readonly chunkRechecks?: number;
  /** How often a row that is changing on the master is verified again before the table is `unknown`. Default 6. */
  readonly rowVerifyRounds?: number;
  /** At most this many drifted rows are listed per table (all are counted). Default 1,000. */
  readonly maxReportedRows?: number;
  /** Stop (status `unknown`, `complete: false`) when `Date.now()` passes this time, in epoch milliseconds. */
  readonly deadline?: number;
  /** Called as the check progresses. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Ranges with at most this many rows on either server are compared row by row. */
const LEAF_ROWS = 2000;
/**
 * Chunks of a single-integer key are compared in at most this many parts of at least
 * `LEAF_ROWS` rows (one query per server and chunk; every part costs the server a range
 * lookup, so a few larger parts, narrowed by value when they differ, are cheaper than many).
 */
const MAX_PARTS = 16;
/** Candidate keys are verified in batches of this size. */
const VERIFY_BATCH = 500;

/** A reason the whole check must stop with `unknown`. */
class CheckStopped extends Error {}

interface Aggregate {
  readonly rows: number;
  readonly sum: string;
}

type Row = Record<string, unknown>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isFatal(error: unknown): boolean {
  if (error instanceof CheckStopped) {
    return true;
  }
  const details = error as { fatal?: boolean; code?: string };
  return details.fatal === true || details.code === 'PROTOCOL_CONNECTION_LOST' || details.code === 'ECONNRESET' || /closed state|connection lost/i.test(errorMessage(error));
}

class Session {
  public maxLag: number | null = null;
  /** The last master position the replica was seen to reach (positions only move forward). */
  private reached: string | undefined;
  public readonly options: Required<Omit<CheckOptions, 'deadline' | 'onProgress' | 'databases'>>;

  constructor(
    public readonly master: Connection,
    public readonly replica: Connection,
    public readonly flavor: ServerFlavor,
    private readonly checkOptions: CheckOptions,
  ) {
    this.options = {
      maxLagSeconds: checkOptions.maxLagSeconds ?? 30,
      maxLagWaitSeconds: checkOptions.maxLagWaitSeconds ?? 120,
      targetChunkSeconds: checkOptions.targetChunkSeconds ?? 0.1,
      initialChunkRows: checkOptions.initialChunkRows ?? 20_000,
      maxChunkRows: checkOptions.maxChunkRows ?? 2_000_000,
      lockWaitTimeoutSeconds: checkOptions.lockWaitTimeoutSeconds ?? 2,
      chunkRechecks: checkOptions.chunkRechecks ?? 0,
      rowVerifyRounds: checkOptions.rowVerifyRounds ?? 6,
      maxReportedRows: checkOptions.maxReportedRows ?? 1000,
    };
  }

  public progress(event: ProgressEvent): void {
    this.checkOptions.onProgress?.(event);
  }

  public checkDeadline(): void {
    if (this.checkOptions.deadline !== undefined && Date.now() > this.checkOptions.deadline) {
      throw new CheckStopped('the check ran out of time before every table was compared');
    }
  }

  private noteLag(health: ReplicaHealth): void {
    if (health.lagSeconds !== null) {
      this.maxLag = Math.max(this.maxLag ?? 0, health.lagSeconds);
    }
  }

  /**
   * Waits until the replica is healthy, within the lag limit and has applied the master's
   * current position. Throws `CheckStopped` when that does not happen in `maxLagWaitSeconds`.
   */
  public async syncReplica(): Promise<void> {
    const started = Date.now();
    const { maxLagSeconds, maxLagWaitSeconds } = this.options;
    for (;;) {
      this.checkDeadline();
      const [position, health] = await Promise.all([masterGtidPosition(this.master, this.flavor), replicaHealth(this.replica)]);
      this.noteLag(health);
      const unhealthy = describeUnhealthy(health);
      if (unhealthy) {
        throw new CheckStopped(unhealthy);
      }
      const waited = (Date.now() - started) / 1000;
      if (health.lagSeconds !== null && health.lagSeconds > maxLagSeconds) {
        if (waited >= maxLagWaitSeconds) {
          throw new CheckStopped(`replica lag ${health.lagSeconds} s stayed above the limit of ${maxLagSeconds} s for ${Math.round(waited)} s`);
        }
        this.progress({ kind: 'waiting-for-replica', lagSeconds: health.lagSeconds, reason: `replica lag ${health.lagSeconds} s is above the limit of ${maxLagSeconds} s` });
        await sleep(1000);
        continue;
      }
      if (position === this.reached) {
        return;
      }
      const timeout = Math.max(1, Math.min(maxLagSeconds, Math.ceil(maxLagWaitSeconds - waited)));
      if (await waitForPosition(this.replica, this.flavor, position, timeout)) {
        this.reached = position;
        return;
      }
      const waitedNow = (Date.now() - started) / 1000;
      if (waitedNow >= maxLagWaitSeconds) {
        throw new CheckStopped(`the replica did not reach the master's position ${position} within ${Math.round(waitedNow)} s (limit ${maxLagWaitSeconds} s)`);
      }
      this.progress({ kind: 'waiting-for-replica', lagSeconds: health.lagSeconds, reason: `waiting for the replica to reach ${position}` });
    }
  }
}

/**
 * The comparison aggregate of a table: BIT_XOR of the row hashes under a primary key (no row
 * can occur twice), the SUM otherwise (duplicate rows must not cancel out).
 */
function comparisonSelectList(definition: TableDefinition): string {
  return definition.primaryKey.length > 0 ? keyedAggregateSelectList(definition.columns) : aggregateSelectList(definition.columns);
}

async function aggregate(connection: Connection, definition: TableDefinition, condition: string): Promise<Aggregate> {
  const [rows] = await connection.query({
    sql: `SELECT ${comparisonSelectList(definition)} FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${condition}`,
    ...LOSSLESS,
  });
  const row = (rows as Row[])[0];
  return { rows: Number(row.row_count), sum: String(row.hash_sum ?? '0') };
}

/** Both aggregates at a matched position, run concurrently; `seconds` is the slower of the two. */
async function aggregateBoth(session: Session, definition: TableDefinition, condition: string): Promise<{ master: Aggregate; replica: Aggregate; seconds: number }> {
  await session.syncReplica();
  const started = process.hrtime.bigint();
  const [master, replica] = await Promise.all([aggregate(session.master, definition, condition), aggregate(session.replica, definition, condition)]);
  return { master, replica, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function same(left: Aggregate, right: Aggregate): boolean {
  return left.rows === right.rows && left.sum === right.sum;
}

/** Row hashes by key string, for the rows matching `condition` (at most a leaf or a batch of them). */
async function rowHashes(connection: Connection, definition: TableDefinition, spec: KeySpec, condition: string): Promise<Map<string, { key: Key; hash: string }>> {
  const [rows] = await connection.query({
    sql: `SELECT ${spec.columnList}, ${rowHashExpression(definition.columns)} FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${condition}`,
    rowsAsArray: true,
    ...LOSSLESS,
  });
  const result = new Map<string, { key: Key; hash: string }>();
  for (const row of rows as unknown[][]) {
    const key = row.slice(0, spec.width);
    result.set(spec.keyString(key), { key, hash: String(row[spec.width]) });
  }
  return result;
}

/** Collects drift of one keyed table: candidate keys are verified in batches, drifted rows counted and listed up to the limit. */
class TableDrift {
  public count = 0;
  public readonly rows: DriftedRow[] = [];
  public unresolved = 0;
  private pending: Key[] = [];
  private readonly pendingKeys = new Set<string>();

  constructor(private readonly session: Session, private readonly definition: TableDefinition, private readonly spec: KeySpec) {}

  public async add(key: Key): Promise<void> {
    const text = this.spec.keyString(key);
    if (this.pendingKeys.has(text)) {
      return;
    }
    this.pendingKeys.add(text);
    this.pending.push(key);
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
      const condition = this.spec.keysCondition(todo);
      const before = await rowHashes(this.session.master, this.definition, this.spec, condition);
      await this.session.syncReplica();
      const onReplica = await rowHashes(this.session.replica, this.definition, this.spec, condition);
      const after = await rowHashes(this.session.master, this.definition, this.spec, condition);
      const inFlight: Key[] = [];
      for (const key of todo) {
        const text = this.spec.keyString(key);
        const masterBefore = before.get(text)?.hash;
        const masterAfter = after.get(text)?.hash;
        const replica = onReplica.get(text)?.hash;
        if (masterBefore !== masterAfter) {
          inFlight.push(key);
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
async function keyAtOffset(connection: Connection, definition: TableDefinition, spec: KeySpec, range: KeyRange, offset: number): Promise<Key | null> {
  const [rows] = await connection.query({
    sql: `SELECT ${spec.columnList} FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${spec.rangeCondition(range)} ` +
      `ORDER BY ${spec.columnList} LIMIT 1 OFFSET ${Math.max(0, Math.floor(offset))}`,
    rowsAsArray: true,
    ...LOSSLESS,
  });
  const found = rows as unknown[][];
  return found.length > 0 ? found[0] : null;
}

/** Compares the rows of a small range by key on both servers and queues every key that differs for verification. */
async function compareRows(session: Session, definition: TableDefinition, spec: KeySpec, condition: string, drift: TableDrift): Promise<void> {
  const [onMaster, onReplica] = await Promise.all([
    rowHashes(session.master, definition, spec, condition),
    rowHashes(session.replica, definition, spec, condition),
  ]);
  for (const [text, row] of onMaster) {
    if (onReplica.get(text)?.hash !== row.hash) {
      await drift.add(row.key);
    }
  }
  for (const [text, row] of onReplica) {
    if (!onMaster.has(text)) {
      await drift.add(row.key);
    }
  }
}

/** Narrows a differing range to candidate keys by bisection with the aggregate checksum (any primary key). */
async function narrowByBisection(session: Session, definition: TableDefinition, spec: KeySpec, range: KeyRange, drift: TableDrift, _chunkRows: number): Promise<void> {
  const stack: KeyRange[] = [range];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const condition = spec.rangeCondition(current);
    const { master, replica } = await aggregateBoth(session, definition, condition);
    if (same(master, replica)) {
      continue;
    }
    const larger = master.rows >= replica.rows ? session.master : session.replica;
    const split = Math.max(master.rows, replica.rows) > LEAF_ROWS
      ? await keyAtOffset(larger, definition, spec, current, Math.floor(Math.max(master.rows, replica.rows) / 2) - 1)
      : null;
    if (split === null) {
      await compareRows(session, definition, spec, condition, drift);
      continue;
    }
    stack.push({ after: split, through: current.through }, { after: current.after, through: split });
  }
}

/** Aggregates per bucket of `bucketWidth` key values from `base`, as bucket number -> aggregate. */
async function bucketAggregates(connection: Connection, definition: TableDefinition, spec: KeySpec, condition: string, base: bigint, bucketWidth: bigint): Promise<Map<string, Aggregate>> {
  const [rows] = await connection.query({
    sql: `SELECT (${spec.columnList} - (${base})) DIV ${bucketWidth} AS bucket, ${comparisonSelectList(definition)} ` +
      `FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${condition} GROUP BY bucket`,
    ...LOSSLESS,
  });
  const result = new Map<string, Aggregate>();
  for (const row of rows as Row[]) {
    result.set(String(row.bucket), { rows: Number(row.row_count), sum: String(row.hash_sum ?? '0') });
  }
  return result;
}

/**
 * Narrows a differing range of a single-integer key: one GROUP BY pass per level splits the
 * range into buckets of about `LEAF_ROWS / 2` rows on both servers at once; only buckets
 * that differ are looked at again (one pass over a differing chunk, instead of one per bisection level).
 */
async function narrowByValue(session: Session, definition: TableDefinition, spec: KeySpec, range: KeyRange, drift: TableDrift, chunkRows: number): Promise<void> {
  const table = qualifiedName(definition.schema, definition.table);
  const stack: Array<{ range: KeyRange; rows: number }> = [{ range, rows: chunkRows }];
  while (stack.length > 0) {
    const { range: current, rows } = stack.pop()!;
    const condition = spec.rangeCondition(current);
    const bounds = await Promise.all([session.master, session.replica].map(async (connection) => {
      const [found] = await connection.query({ sql: `SELECT MIN(${spec.columnList}) AS low, MAX(${spec.columnList}) AS high FROM ${table} WHERE ${condition}`, ...LOSSLESS });
      return (found as Row[])[0];
    }));
    const present = bounds.filter((bound) => bound.low !== null && bound.low !== undefined);
    if (present.length === 0) {
      continue;
    }
    const low = present.map((bound) => BigInt(String(bound.low))).reduce((a, b) => (b < a ? b : a));
    const high = present.map((bound) => BigInt(String(bound.high))).reduce((a, b) => (b > a ? b : a));
    if (rows <= LEAF_ROWS || high - low < BigInt(LEAF_ROWS)) {
      await compareRows(session, definition, spec, condition, drift);
      continue;
    }
    const span = high - low + 1n;
    const buckets = BigInt(Math.ceil(Math.min(rows, Number(span)) / (LEAF_ROWS / 2)));
    const width = span / buckets + (span % buckets === 0n ? 0n : 1n);
    await session.syncReplica();
    const [onMaster, onReplica] = await Promise.all([
      bucketAggregates(session.master, definition, spec, condition, low, width),
      bucketAggregates(session.replica, definition, spec, condition, low, width),
    ]);
    for (const bucket of new Set([...onMaster.keys(), ...onReplica.keys()])) {
      const left = onMaster.get(bucket) ?? { rows: 0, sum: '0' };
      const right = onReplica.get(bucket) ?? { rows: 0, sum: '0' };
      if (!same(left, right)) {
        const start = low + BigInt(bucket) * width;
        stack.push({ range: { after: [(start - 1n).toString()], through: [(start + width - 1n).toString()] }, rows: Math.max(left.rows, right.rows) });
      }
    }
  }
}

/** A part of an integer-key chunk: `(after, through]`, null for an open end. */
interface IntegerPart {
  readonly after: bigint | null;
  readonly through: bigint | null;
}

function integerRange(part: IntegerPart): KeyRange {
  return { after: part.after === null ? null : [part.after.toString()], through: part.through === null ? null : [part.through.toString()] };
}

/**
 * The aggregates of several disjoint parts of a chunk in ONE statement (a `UNION ALL` of
 * primary-key range scans): one consistent read, about the cost of one aggregate over the
 * whole chunk, and no temporary table per row as a `GROUP BY` would need.
 */
async function partAggregates(connection: Connection, definition: TableDefinition, spec: KeySpec, parts: readonly IntegerPart[]): Promise<Aggregate[]> {
  const table = qualifiedName(definition.schema, definition.table);
  const select = comparisonSelectList(definition);
  const sql = parts.map((part, index) => `SELECT ${index} AS part, ${select} FROM ${table} WHERE ${spec.rangeCondition(integerRange(part))}`).join(' UNION ALL ');
  const [rows] = await connection.query({ sql, ...LOSSLESS });
  const result: Aggregate[] = parts.map(() => ({ rows: 0, sum: '0' }));
  for (const row of rows as Row[]) {
    result[Number(row.part)] = { rows: Number(row.row_count), sum: String(row.hash_sum ?? '0') };
  }
  return result;
}

function rowCount(aggregates: readonly Aggregate[]): number {
  return aggregates.reduce((total, entry) => total + entry.rows, 0);
}

/**
 * Compares one chunk of a single-integer key as up to `MAX_PARTS` parts, in one
 * query per server at a matched position. A differing part is compared row by row right
 * away (at a fresh matched position), so a differing chunk is never scanned a second time;
 * a part that turned out larger than `LEAF_ROWS` is narrowed by value first.
 */
async function compareIntegerChunk(session: Session, definition: TableDefinition, spec: KeySpec, chunk: IntegerPart, start: bigint, end: bigint, expectedRows: number,
  drift: TableDrift, synced: Promise<void> | undefined): Promise<{ master: number; replica: number; seconds: number; next: Promise<void> | undefined }> {
  const span = end > start ? end - start : 1n;
  const count = BigInt(Math.max(1, Math.min(MAX_PARTS, Math.ceil(expectedRows / LEAF_ROWS), Number(span))));
  const width = span / count + (span % count === 0n ? 0n : 1n);
  const parts: IntegerPart[] = [];
  for (let index = 0n; index < count; index++) {
    const after = index === 0n ? chunk.after : start + index * width;
    const through = index === count - 1n ? chunk.through : start + (index + 1n) * width;
    if (after !== null && through !== null && through <= after) {
      break;
    }
    parts.push({ after, through });
  }
  // The last part ends where the chunk ends (open or not), whatever the rounding.
  parts[parts.length - 1] = { after: parts[parts.length - 1].after, through: chunk.through };

  let first: { master: number; replica: number; seconds: number } | undefined;
  let differing: Array<{ part: IntegerPart; rows: number }> = [];
  let next: Promise<void> | undefined;
  for (let attempt = 0; attempt <= session.options.chunkRechecks; attempt++) {
    if (attempt > 0) {
      await sleep(100 * attempt);
    }
    await (attempt === 0 && synced ? synced : session.syncReplica());
    const started = process.hrtime.bigint();
    const both = Promise.all([partAggregates(session.master, definition, spec, parts), partAggregates(session.replica, definition, spec, parts)]);
    if (attempt === 0 && chunk.through !== null) {
      // The next chunk's matched position, queued behind this chunk's queries on both
      // connections: the master's position is read the moment its query ends, and the replica
      // waits for it right after its own, so no round trip is left between two chunks.
      next = session.syncReplica();
      next.catch(() => undefined);
    }
    const [onMaster, onReplica] = await both;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    first = first ?? { master: rowCount(onMaster), replica: rowCount(onReplica), seconds };
    differing = parts.flatMap((part, index) => (same(onMaster[index], onReplica[index]) ? [] : [{ part, rows: Math.max(onMaster[index].rows, onReplica[index].rows) }]));
    if (differing.length === 0) {
      break;
    }
  }
  for (const { part, rows } of differing) {
    if (rows <= LEAF_ROWS) {
      await session.syncReplica();
      await compareRows(session, definition, spec, spec.rangeCondition(integerRange(part)), drift);
    } else {
      await narrowByValue(session, definition, spec, integerRange(part), drift, rows);
    }
  }
  return { ...first!, next };
}

/** Compares one chunk, rechecking and then narrowing it when it differs. Returns the row counts and the slower query time. */
async function compareChunk(session: Session, definition: TableDefinition, spec: KeySpec, range: KeyRange, drift: TableDrift): Promise<{ master: number; replica: number; seconds: number }> {
  const condition = spec.rangeCondition(range);
  let first: { master: Aggregate; replica: Aggregate; seconds: number } | undefined;
  for (let attempt = 0; attempt <= session.options.chunkRechecks; attempt++) {
    if (attempt > 0) {
      await sleep(100 * attempt);
    }
    const result = await aggregateBoth(session, definition, condition);
    first = first ?? result;
    if (same(result.master, result.replica)) {
      return { master: result.master.rows, replica: result.replica.rows, seconds: first.seconds };
    }
  }
  await (spec.singleInteger ? narrowByValue : narrowByBisection)(session, definition, spec, range, drift, Math.max(first!.master.rows, first!.replica.rows));
  return { master: first!.master.rows, replica: first!.replica.rows, seconds: first!.seconds };
}

function nextChunkRows(session: Session, rows: number, seconds: number, current: number): number {
  const { targetChunkSeconds, maxChunkRows } = session.options;
  if (rows === 0 || seconds <= 0) {
    return Math.min(maxChunkRows, current * 4);
  }
  const wanted = (rows / seconds) * targetChunkSeconds;
  return Math.round(Math.max(1000, Math.min(maxChunkRows, current * 4, Math.max(current / 4, wanted))));
}

async function integerBounds(connection: Connection, definition: TableDefinition, spec: KeySpec): Promise<{ min: bigint; max: bigint } | null> {
  const [rows] = await connection.query({
    sql: `SELECT MIN(${spec.columnList}) AS low, MAX(${spec.columnList}) AS high FROM ${qualifiedName(definition.schema, definition.table)}`,
    ...LOSSLESS,
  });
  const row = (rows as Row[])[0];
  return row.low === null || row.low === undefined ? null : { min: BigInt(String(row.low)), max: BigInt(String(row.high)) };
}

async function checkKeyedTable(session: Session, definition: TableDefinition, estimatedRows: number): Promise<Omit<TableResult, 'seconds'>> {
  const spec = new KeySpec(definition);
  const drift = new TableDrift(session, definition, spec);
  let rowsMaster = 0;
  let rowsReplica = 0;
  let chunks = 0;
  let chunkRows = session.options.initialChunkRows;
  const done = (counts: { master: number; replica: number }): void => {
    chunks++;
    rowsMaster += counts.master;
    rowsReplica += counts.replica;
    session.progress({ kind: 'chunk', schema: definition.schema, table: definition.table, rowsDone: rowsMaster, estimatedRows });
  };

  if (spec.singleInteger) {
    // Chunks cut by key value: no boundary query, and ranges adapt to the key density.
    const [onMaster, onReplica] = await Promise.all([integerBounds(session.master, definition, spec), integerBounds(session.replica, definition, spec)]);
    const bounds = [onMaster, onReplica].filter((bound): bound is { min: bigint; max: bigint } => bound !== null);
    if (bounds.length === 0) {
      done(await compareChunk(session, definition, spec, WHOLE_TABLE, drift));
    } else {
      const low = bounds.reduce((result, bound) => (bound.min < result ? bound.min : result), bounds[0].min);
      const high = bounds.reduce((result, bound) => (bound.max > result ? bound.max : result), bounds[0].max);
      let width = BigInt(chunkRows);
      let after: bigint | null = null;
      let synced: Promise<void> | undefined;
      for (;;) {
        session.checkDeadline();
        const start: bigint = after ?? low - 1n;
        const through: bigint | null = start + width >= high ? null : start + width;
        const counts = await compareIntegerChunk(session, definition, spec, { after, through }, start, through ?? high, chunkRows, drift, synced);
        synced = counts.next;
        done(counts);
        if (through === null) {
          break;
        }
        const rows = Math.max(counts.master, counts.replica);
        const next = nextChunkRows(session, rows, counts.seconds, chunkRows);
        const density = rows > 0 ? rows / Number(width) : 0;
        width = density > 0 ? BigInt(Math.max(1, Math.round(next / density))) : width * 4n;
        chunkRows = next;
        after = through;
      }
    }
  } else {
    // Chunks cut at the master's key at an offset (composite and non-integer keys).
    let after: Key | null = null;
    for (;;) {
      session.checkDeadline();
      const through = await keyAtOffset(session.master, definition, spec, { after, through: null }, chunkRows - 1);
      const counts = await compareChunk(session, definition, spec, { after, through }, drift);
      done(counts);
      if (through === null) {
        break;
      }
      chunkRows = nextChunkRows(session, Math.max(counts.master, counts.replica), counts.seconds, chunkRows);
      after = through;
    }
  }
  await drift.flush();

  let status: CheckStatus = drift.count > 0 ? 'drift' : 'consistent';
  let reason: string | undefined;
  if (drift.unresolved > 0) {
    reason = `${drift.unresolved} row(s) kept changing on the master and could not be verified`;
    status = drift.count > 0 ? 'drift' : 'unknown';
  }
  return {
    schema: definition.schema, table: definition.table, status, primaryKey: definition.primaryKey, noPrimaryKey: false,
    rowsMaster, rowsReplica, chunks, driftedRows: drift.count, drift: drift.rows, driftTruncated: drift.count > drift.rows.length, reason,
  };
}

async function checkTableWithoutKey(session: Session, definition: TableDefinition): Promise<Omit<TableResult, 'seconds'>> {
  const base = { schema: definition.schema, table: definition.table, primaryKey: [], noPrimaryKey: true, chunks: 1, drift: [], driftTruncated: false };
  const first = await aggregateBoth(session, definition, '1 = 1');
  if (same(first.master, first.replica)) {
    return { ...base, status: 'consistent', rowsMaster: first.master.rows, rowsReplica: first.replica.rows, driftedRows: 0, reason: 'no primary key: compared as a whole' };
  }
  for (let round = 0; round < session.options.rowVerifyRounds; round++) {
    if (round > 0) {
      await sleep(100 * round);
    }
    const before = await aggregate(session.master, definition, '1 = 1');
    await session.syncReplica();
    const onReplica = await aggregate(session.replica, definition, '1 = 1');
    const after = await aggregate(session.master, definition, '1 = 1');
    if (!same(before, after)) {
      continue;
    }
    if (same(before, onReplica)) {
      return { ...base, status: 'consistent', rowsMaster: before.rows, rowsReplica: onReplica.rows, driftedRows: 0, reason: 'no primary key: compared as a whole' };
    }
    return {
      ...base, status: 'drift', rowsMaster: before.rows, rowsReplica: onReplica.rows, driftedRows: Math.max(1, Math.abs(before.rows - onReplica.rows)),
      reason: `no primary key: the table differs as a whole (${before.rows} rows on the master, ${onReplica.rows} on the replica); rows cannot be named`,
    };
  }
  return {
    ...base, status: 'unknown', rowsMaster: first.master.rows, rowsReplica: first.replica.rows, driftedRows: 0,
    reason: 'no primary key, and the table kept changing on the master: it could not be compared as a whole',
  };
}

function tableOnlyResult(schema: string, table: string, status: CheckStatus, reason: string): TableResult {
  return { schema, table, status, primaryKey: [], noPrimaryKey: false, rowsMaster: 0, rowsReplica: 0, chunks: 0, driftedRows: 0, drift: [], driftTruncated: false, reason, seconds: 0 };
}

async function estimateRows(connection: Connection, schema: string, table: string): Promise<number> {
  const [rows] = await connection.query('SELECT TABLE_ROWS AS estimate FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [schema, table]);
  return Number((rows as Row[])[0]?.estimate ?? 0);
}

/** Sets the check's session settings and returns a function that puts the previous ones back. */
async function prepareSession(connection: Connection, lockWaitSeconds: number): Promise<() => Promise<void>> {
  const [rows] = await connection.query('SELECT @@SESSION.time_zone AS tz, @@SESSION.innodb_lock_wait_timeout AS innodb, @@SESSION.lock_wait_timeout AS mdl');
  const previous = (rows as Row[])[0];
  await connection.query(`SET SESSION time_zone = '+00:00', SESSION innodb_lock_wait_timeout = ${lockWaitSeconds}, SESSION lock_wait_timeout = ${lockWaitSeconds}`);
  await connection.query('SET SESSION TRANSACTION READ ONLY');
  return async () => {
    await connection.query('SET SESSION TRANSACTION READ WRITE');
    await connection.query('SET SESSION time_zone = ?, SESSION innodb_lock_wait_timeout = ?, SESSION lock_wait_timeout = ?', [previous.tz, previous.innodb, previous.mdl]);
  };
}

/**
 * Compares a master and its replica. The connections should be dedicated to the check: their
 * sessions are read-only, in UTC and with short lock waits while it runs (restored at the end).
 * Never throws for a problem with the servers: a check
 * that cannot finish returns `unknown` (or `drift` when drift was already found) with
 * `complete: false` and the reason. Needs SELECT on the compared schemas and the right to
 * read the replica status (`REPLICATION CLIENT` on MySQL, `SLAVE MONITOR` on MariaDB 10.5+).
 */
export async function checkConsistency(master: Connection, replica: Connection, options: CheckOptions = {}): Promise<ConsistencyReport> {
  const startedAt = new Date();
  const tables: TableResult[] = [];
  let masterVersion = 'unknown';
  let replicaVersion = 'unknown';
  let gtidPosition = '';
  let health: ReplicaHealth | null = null;
  let stopReason: string | undefined;
  let session: Session | undefined;
  const restore: Array<() => Promise<void>> = [];
  try {
    const [masterInfo, replicaInfo] = await Promise.all([serverInfo(master), serverInfo(replica)]);
    masterVersion = masterInfo.version;
    replicaVersion = replicaInfo.version;
    if (masterInfo.flavor !== replicaInfo.flavor) {
      throw new CheckStopped(`the master runs ${masterVersion} and the replica ${replicaVersion}: GTID positions of MySQL and MariaDB cannot be matched`);
    }
    session = new Session(master, replica, replicaInfo.flavor, options);
    const lockWait = session.options.lockWaitTimeoutSeconds;
    restore.push(...await Promise.all([prepareSession(master, lockWait), prepareSession(replica, lockWait)]));
    const noGtid = await gtidProblem(master, masterInfo.flavor);
    if (noGtid) {
      throw new CheckStopped(noGtid);
    }
    gtidPosition = await masterGtidPosition(master, masterInfo.flavor);
    health = await replicaHealth(replica);
    const unhealthy = describeUnhealthy(health);
    if (unhealthy) {
      throw new CheckStopped(unhealthy);
    }

    const databases = options.databases ?? [];
    const [onMaster, onReplica] = await Promise.all([listTables(master, databases), listTables(replica, databases)]);
    const replicaNames = new Set(onReplica.map((entry) => `${entry.schema}.${entry.table}`));
    const masterNames = new Set(onMaster.map((entry) => `${entry.schema}.${entry.table}`));
    for (const entry of onReplica) {
      if (!masterNames.has(`${entry.schema}.${entry.table}`)) {
        tables.push(tableOnlyResult(entry.schema, entry.table, 'drift', 'the table exists on the replica only'));
      }
    }
    if (databases.length > 0 && onMaster.length === 0) {
      throw new CheckStopped(`no tables found on the master in ${databases.join(', ')}`);
    }
    for (const entry of onMaster) {
      session.checkDeadline();
      const started = Date.now();
      if (!replicaNames.has(`${entry.schema}.${entry.table}`)) {
        tables.push(tableOnlyResult(entry.schema, entry.table, 'drift', 'the table is missing on the replica'));
        continue;
      }
      const estimatedRows = await estimateRows(master, entry.schema, entry.table);
      session.progress({ kind: 'table-start', schema: entry.schema, table: entry.table, estimatedRows });
      let result: TableResult;
      try {
        const [definition, replicaDefinition] = await Promise.all([
          readTableDefinition(master, entry.schema, entry.table),
          readTableDefinition(replica, entry.schema, entry.table),
        ]);
        const difference = describeDefinitionDifference(definition, replicaDefinition);
        const compared = difference
          ? { ...tableOnlyResult(entry.schema, entry.table, 'drift', `the table definitions differ: ${difference}`), primaryKey: definition.primaryKey }
          : definition.primaryKey.length > 0
            ? await checkKeyedTable(session, definition, estimatedRows)
            : await checkTableWithoutKey(session, definition);
        result = { ...compared, seconds: (Date.now() - started) / 1000 };
      } catch (error) {
        if (isFatal(error)) {
          throw error;
        }
        result = { ...tableOnlyResult(entry.schema, entry.table, 'unknown', `could not be compared: ${errorMessage(error)}`), seconds: (Date.now() - started) / 1000 };
      }
      tables.push(result);
      session.progress({ kind: 'table-done', result });
    }
    try {
      health = await replicaHealth(replica);
    } catch (error) {
      stopReason = `the replica status could not be read at the end: ${errorMessage(error)}`;
    }
  } catch (error) {
    const where = tables.length > 0 ? ` after ${tables.length} table(s)` : '';
    stopReason = error instanceof CheckStopped ? `${error.message}${where}` : `the check stopped${where}: ${errorMessage(error)}`;
  }
  // Best effort: a connection that was lost has no session to restore.
  await Promise.all(restore.map((undo) => undo().catch(() => undefined)));

  const driftedRows = tables.reduce((total, table) => total + table.driftedRows, 0);
  const anyDrift = tables.some((table) => table.status === 'drift');
  const anyUnknown = tables.some((table) => table.status === 'unknown');
  const status: CheckStatus = anyDrift ? 'drift' : stopReason || anyUnknown ? 'unknown' : 'consistent';
  let reason = stopReason;
  if (!reason && anyUnknown) {
    reason = tables.filter((table) => table.status === 'unknown').map((table) => `${table.schema}.${table.table}: ${table.reason}`).join('; ');
  }
  const finishedAt = new Date();
  return {
    status,
    ...(reason ? { reason } : {}),
    complete: stopReason === undefined,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    master: { version: masterVersion, gtidPosition },
    replica: { version: replicaVersion, health },
    maxReplicaLagSeconds: session?.maxLag ?? health?.lagSeconds ?? null,
    tablesChecked: tables.length,
    driftedRows,
    tables,
  };
}
