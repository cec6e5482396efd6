/**
 * The chunked comparison of a table with a primary key, streamed: each server works through
 * the chunks on its own connection without waiting for the other after every chunk.
 *
 * Per chunk, the master connection reads its GTID position and then runs the chunk's
 * aggregate; the replica connection waits until it has applied the newest position the
 * master has reported (that chunk's, or the one before when the master is still busy) and is
 * healthy and within the lag limit, and runs the same aggregate. At most `LEAD` chunks are
 * under way, so a chunk's two aggregates are never far apart in time, and the lag limit
 * still holds the check back. A chunk is cut into parts that one `UNION ALL` query
 * aggregates separately, so a difference is known to a part. Differing parts are narrowed to
 * keys after the stream, or as soon as `NARROW_BATCH` of them have collected (memory does not
 * grow with the table).
 */
import type { Key, KeyRange, KeySpec } from './keys';
import { WHOLE_TABLE } from './keys';
import type { DifferingRange, TableDrift } from './narrowing';
import { integerBounds, keyAtOffset, narrowRanges } from './narrowing';
import type { TableDefinition } from './schema';
import type { Aggregate, Session } from './session';
import { rangeAggregates, same } from './session';

/** At most this many chunks are under way (started and not yet compared): the bound on how far the servers drift apart. */
const LEAD = 2;
/** A chunk of a single-integer key is aggregated in at most `MAX_PARTS` parts of at least `MIN_PART_ROWS` rows. */
const MAX_PARTS = 16;
const MIN_PART_ROWS = 2000;
/** Differing parts are narrowed once this many have collected, and re-compared this many per query. */
const NARROW_BATCH = 64;

/** A chunk: its key ranges (parts), the rows it was planned for, and the key values it spans (integer keys). */
interface PlannedChunk {
  readonly parts: readonly KeyRange[];
  readonly expectedRows: number;
  readonly span?: bigint;
}

/** Cuts a table into chunks, adapting their size to how long the master took for the last one. */
interface ChunkPlanner {
  /** The next chunk, or null after the last. */
  next(): Promise<PlannedChunk | null>;
  /** A chunk that came back with `rows` rows after `seconds` on the master. */
  observe(chunk: PlannedChunk, rows: number, seconds: number): void;
}

function nextChunkRows(session: Session, rows: number, seconds: number, current: number): number {
  const { targetChunkSeconds, maxChunkRows } = session.options;
  if (rows === 0 || seconds <= 0) {
    return Math.min(maxChunkRows, current * 4);
  }
  const wanted = (rows / seconds) * targetChunkSeconds;
  return Math.round(Math.max(1000, Math.min(maxChunkRows, current * 4, Math.max(current / 4, wanted))));
}

function integerRange(after: bigint | null, through: bigint | null): KeyRange {
  return { after: after === null ? null : [after.toString()], through: through === null ? null : [through.toString()] };
}

/** Chunks of a single-integer key, cut by key value: no boundary query, and the width follows the key density. */
class IntegerKeyChunks implements ChunkPlanner {
  public static async create(session: Session, definition: TableDefinition, spec: KeySpec): Promise<ChunkPlanner> {
    const [bounds] = await integerBounds(session, definition, spec, [WHOLE_TABLE]);
    return bounds === null ? new SingleChunk(WHOLE_TABLE) : new IntegerKeyChunks(session, definition, spec, bounds.low, bounds.high);
  }

  private after: bigint | null = null;
  private done = false;
  private rows: number;
  private width: bigint;
  /** Set when a chunk came back empty: the next chunk starts at the next key that exists. */
  private gap = false;

  private constructor(private readonly session: Session, private readonly definition: TableDefinition, private readonly spec: KeySpec,
    private readonly low: bigint, private high: bigint) {
    this.rows = session.options.initialChunkRows;
    this.width = BigInt(this.rows);
  }

  public async next(): Promise<PlannedChunk | null> {
    if (this.done) {
      return null;
    }
    if (this.gap && this.after !== null) {
      await this.skipGap(this.after);
    }
    const start = this.after ?? this.low - 1n;
    const through = start + this.width >= this.high ? null : start + this.width;
    const span = (through ?? this.high) - start;
    const count = BigInt(Math.max(1, Math.min(MAX_PARTS, Math.ceil(this.rows / MIN_PART_ROWS), Number(span))));
    const partWidth = span / count + (span % count === 0n ? 0n : 1n);
    const parts: KeyRange[] = [];
    for (let index = 0n; index < count; index++) {
      const partAfter = index === 0n ? this.after : start + index * partWidth;
      const partThrough = index === count - 1n ? through : start + (index + 1n) * partWidth;
      if (partAfter !== null && partThrough !== null && partThrough <= partAfter) {
        break;
      }
      parts.push(integerRange(partAfter, partThrough));
    }
    // The last part ends where the chunk ends (open or not), whatever the rounding.
    parts[parts.length - 1] = { after: parts[parts.length - 1].after, through: integerRange(null, through).through };
    this.after = through;
    this.done = through === null;
    return { parts, expectedRows: this.rows, span: span > 0n ? span : 1n };
  }

  /**
   * Moves the start of the next chunk to just before the lowest key above `after` on either
   * server (sparse keys: one lookup instead of a run of empty chunks); when there is none, the
   * next chunk is the open-ended last one.
   */
  private async skipGap(after: bigint): Promise<void> {
    this.gap = false;
    const [rest] = await integerBounds(this.session, this.definition, this.spec, [integerRange(after, null)]);
    if (rest === null) {
      this.high = after;
      return;
    }
    this.after = rest.low - 1n > after ? rest.low - 1n : after;
    if (this.high < rest.high) {
      this.high = rest.high;
    }
  }

  public observe(chunk: PlannedChunk, rows: number, seconds: number): void {
    this.gap = rows === 0;
    const next = nextChunkRows(this.session, rows, seconds, chunk.expectedRows);
    const density = rows / Number(chunk.span ?? 1n);
    this.width = density > 0 ? BigInt(Math.max(1, Math.round(next / density))) : this.width * 4n;
    this.rows = next;
  }
}

/** Chunks of any other key, cut at the master's key at an offset (one short index query per chunk). */
class KeyOffsetChunks implements ChunkPlanner {
  private after: Key | null = null;
  private done = false;
  private rows: number;

  constructor(private readonly session: Session, private readonly definition: TableDefinition, private readonly spec: KeySpec) {
    this.rows = session.options.initialChunkRows;
  }

  public async next(): Promise<PlannedChunk | null> {
    if (this.done) {
      return null;
    }
    const through = await keyAtOffset(this.session, this.session.master, this.definition, this.spec, { after: this.after, through: null }, this.rows - 1);
    const chunk = { parts: [{ after: this.after, through }], expectedRows: this.rows };
    this.after = through;
    this.done = through === null;
    return chunk;
  }

  public observe(chunk: PlannedChunk, rows: number, seconds: number): void {
    this.rows = nextChunkRows(this.session, rows, seconds, chunk.expectedRows);
  }
}

/** One chunk: the whole table (a table that is empty on both servers). */
class SingleChunk implements ChunkPlanner {
  private done = false;

  constructor(private readonly range: KeyRange) {}

  public async next(): Promise<PlannedChunk | null> {
    if (this.done) {
      return null;
    }
    this.done = true;
    return { parts: [this.range], expectedRows: 0 };
  }

  public observe(): void {}
}

/** A chunk under way on both connections. */
interface ChunkRun {
  readonly chunk: PlannedChunk;
  readonly result: Promise<{ master: Aggregate[]; replica: Aggregate[]; masterSeconds: number }>;
}

function total(aggregates: readonly Aggregate[]): number {
  return aggregates.reduce((sum, entry) => sum + entry.rows, 0);
}

/** Row counts of a compared table. */
export interface ChunkTotals {
  readonly rowsMaster: number;
  readonly rowsReplica: number;
  readonly chunks: number;
}

/**
 * Compares a table with a primary key chunk by chunk and hands every differing key to
 * `drift` (not yet flushed). `onChunk` is called after each compared chunk with the totals so far.
 */
export async function compareKeyedTable(session: Session, definition: TableDefinition, spec: KeySpec, drift: TableDrift, onChunk: (totals: ChunkTotals) => void): Promise<ChunkTotals> {
  const planner = spec.singleInteger ? await IntegerKeyChunks.create(session, definition, spec) : new KeyOffsetChunks(session, definition, spec);
  let replicaTail: Promise<unknown> = Promise.resolve();
  let latestPosition: string | undefined;

  const start = (chunk: PlannedChunk): ChunkRun => {
    // Queued on the master connection in this order: the position, then the aggregate.
    const position = session.masterPosition();
    const masterStarted = position.then((read) => {
      latestPosition = read;
      return process.hrtime.bigint();
    }, () => process.hrtime.bigint());
    const onMaster = rangeAggregates(session, session.master, definition, spec, chunk.parts);
    const masterSeconds = onMaster.then(async () => Number(process.hrtime.bigint() - await masterStarted) / 1e9);
    const onReplica = replicaTail.then(async () => {
      // This chunk's position is read once the master has finished the chunk before; a replica
      // that is done earlier does not wait for that, but matches the position read before the
      // master's previous chunk (rows written in between are in flight and are verified).
      await session.replicaAt(latestPosition ?? await position);
      return rangeAggregates(session, session.replica, definition, spec, chunk.parts);
    });
    replicaTail = onReplica;
    const result = Promise.all([onMaster, onReplica, masterSeconds]).then(([master, replica, seconds]) => ({ master, replica, masterSeconds: seconds }));
    // Awaited in order by the caller; a failure of a chunk after a failed one must not go unhandled.
    result.catch(() => undefined);
    return { chunk, result };
  };

  const window: ChunkRun[] = [];
  let differing: DifferingRange[] = [];
  let totals: ChunkTotals = { rowsMaster: 0, rowsReplica: 0, chunks: 0 };
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && window.length < LEAD && differing.length < NARROW_BATCH) {
        session.checkDeadline();
        const chunk = await planner.next();
        if (chunk === null) {
          exhausted = true;
        } else {
          window.push(start(chunk));
        }
      }
      const run = window.shift();
      if (run === undefined) {
        await narrowRanges(session, definition, spec, differing, drift, NARROW_BATCH);
        differing = [];
        if (exhausted) {
          return totals;
        }
        continue;
      }
      const { master, replica, masterSeconds } = await run.result;
      const rowsMaster = total(master);
      const rowsReplica = total(replica);
      planner.observe(run.chunk, Math.max(rowsMaster, rowsReplica), masterSeconds);
      run.chunk.parts.forEach((range, index) => {
        if (!same(master[index], replica[index])) {
          differing.push({ range, rows: Math.max(master[index].rows, replica[index].rows) });
        }
      });
      totals = { rowsMaster: totals.rowsMaster + rowsMaster, rowsReplica: totals.rowsReplica + rowsReplica, chunks: totals.chunks + 1 };
      onChunk(totals);
    }
  } catch (error) {
    // Let the chunks under way finish before the connections are used for anything else.
    await Promise.allSettled(window.map((run) => run.result));
    throw error;
  }
}
