/**
 * The state one drift check shares across tables: the two connections, the options with
 * their defaults, the replica's matched position, and the aggregate queries both servers run.
 */
import type { Connection, QueryOptions } from 'mysql2/promise';
import type { KeyRange, KeySpec } from './keys';
import { LOSSLESS } from './keys';
import type { ReplicaHealth, ServerFlavor } from './replication';
import { describeUnhealthy, IO_THREAD_START_WAIT_MS, masterGtidPosition, replicaHealth, waitForPosition } from './replication';
import type { TableResult } from './report';
import { aggregateSelectList, keyedAggregateSelectList } from './row-hash';
import type { SelectRunner, TableDefinition } from './schema';
import { qualifiedName } from './schema';

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
  /**
   * Only these tables (`schema.table`, within `databases`); one that is on neither server is
   * `unknown`. Empty or absent: every table.
   */
  readonly tables?: readonly string[];
  /** Tables left out (`schema.table`); the report lists those found in `excludedTables`. */
  readonly excludeTables?: readonly string[];
  /** Chunks wait while the replica is more than this many seconds behind. Default 30 seconds. */
  readonly maxLagSeconds?: number;
  /** How long to wait, in seconds, for the lag to fall below the limit before giving up (`unknown`). Default 120 seconds. */
  readonly maxLagWaitSeconds?: number;
  /**
   * The target duration of one chunk query, in seconds: short chunks hold the master briefly
   * and keep the re-read of a differing chunk small. Default 0.1 seconds.
   */
  readonly targetChunkSeconds?: number;
  /** The size of the first two chunks of each table (under way together), in rows. Default 20,000. */
  readonly initialChunkRows?: number;
  /** The largest chunk, in rows. Default 2,000,000. */
  readonly maxChunkRows?: number;
  /** `innodb_lock_wait_timeout` and `lock_wait_timeout` of the check's sessions, in seconds. Default 2 seconds. */
  readonly lockWaitTimeoutSeconds?: number;
  /**
   * How often a differing part of a chunk is compared again before it is narrowed. Default 0:
   * narrowing itself compares the part again at a fresh matched position, so rows that were
   * in flight converge there, and every remaining key is verified.
   */
  readonly chunkRechecks?: number;
  /** How often a row that is changing on the master is verified again before the table is `unknown`. Default 6. */
  readonly rowVerifyRounds?: number;
  /** At most this many drifted rows are listed per table (all are counted). Default 1,000. */
  readonly maxReportedRows?: number;
  /**
   * Stop (status `unknown`, `complete: false`) when `Date.now()` passes this time, in epoch
   * milliseconds. The server stops every statement that reads the rows of a table (chunks,
   * key bounds, narrowing, verification) or the tables' listing and definitions (which wait for
   * a metadata lock held by a RENAME or ALTER TABLE) at this time: a table with a primary key cut off is
   * not listed (the check stops there); the whole-table query of a table without a primary
   * key cut off leaves that table `unknown`. Without a deadline the statements carry no limit.
   */
  readonly deadline?: number;
  /** Called as the check progresses. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** The replica's health (threads, lag) is read again when a chunk starts at least this long after the last reading. */
const HEALTH_INTERVAL_MS = 1000;

/** A reason the whole check must stop with `unknown`. */
export class CheckStopped extends Error {}

/** The check's deadline passed (or a statement bounded by it was cut off): the check stops with `unknown`. */
export class DeadlinePassed extends CheckStopped {
  constructor() {
    super('the check ran out of time before every table was compared');
  }
}

/** MariaDB's ER_STATEMENT_TIMEOUT (`max_statement_time`) and MySQL's ER_QUERY_TIMEOUT (`MAX_EXECUTION_TIME`). */
const STATEMENT_TIMEOUT_ERRORS = new Set([1969, 3024]);

/**
 * A SELECT statement that the server stops after `ms` milliseconds (at least 1: a limit of 0 is
 * none): MariaDB runs it under `SET STATEMENT max_statement_time` (seconds), MySQL 8 with the
 * `MAX_EXECUTION_TIME` optimizer hint (milliseconds), which must follow the first SELECT.
 */
export function withTimeLimit(flavor: ServerFlavor, select: string, ms: number): string {
  if (!/^SELECT /.test(select)) {
    throw new Error(`only a SELECT statement can be given a time limit, got: ${select.slice(0, 40)}`);
  }
  const limit = Math.max(1, Math.ceil(ms));
  return flavor === 'mariadb'
    ? `SET STATEMENT max_statement_time = ${(limit / 1000).toFixed(3)} FOR ${select}`
    : `SELECT /*+ MAX_EXECUTION_TIME(${limit}) */ ${select.slice('SELECT '.length)}`;
}

/** The row count and the hash aggregate of a set of rows on one server. */
export interface Aggregate {
  readonly rows: number;
  readonly sum: string;
}

export type Row = Record<string, unknown>;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether an error ends the whole check (the connection is gone, or `CheckStopped`), not just one table. */
export function isFatal(error: unknown): boolean {
  if (error instanceof CheckStopped) {
    return true;
  }
  const details = error as { fatal?: boolean; code?: string };
  return details.fatal === true || details.code === 'PROTOCOL_CONNECTION_LOST' || details.code === 'ECONNRESET' || details.code === 'EPIPE' ||
    /closed state|connection lost|ended by the other party/i.test(errorMessage(error));
}

export class Session {
  public maxLag: number | null = null;
  /** The last master position the replica was seen to reach (positions only move forward). */
  private reached: string | undefined;
  /** When the replica's health was last read (`Date.now()`). */
  private healthReadAt = 0;
  public readonly options: Required<Omit<CheckOptions, 'deadline' | 'onProgress' | 'databases' | 'tables' | 'excludeTables'>>;

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

  /**
   * The timeout of a position wait that may last `seconds` (whole seconds) and must end by the
   * deadline: `seconds` itself without a deadline. MariaDB's `MASTER_GTID_WAIT` takes a fraction
   * of a second (0 returns at once; a negative timeout would wait for ever, so none is sent).
   * `WAIT_FOR_EXECUTED_GTID_SET` reads a fraction only in newer MySQL releases, and a timeout
   * that an older one truncated to 0 would wait for ever: MySQL gets whole seconds, ending at or
   * before the deadline from 1 s before it; the last second is waited whole.
   */
  private waitSeconds(seconds: number): number {
    const left = this.millisecondsToDeadline();
    if (left === Infinity) {
      return seconds;
    }
    if (this.flavor === 'mariadb') {
      return Math.min(seconds, Math.max(1, Math.ceil(left)) / 1000);
    }
    return Math.max(1, Math.min(seconds, Math.floor(left / 1000)));
  }

  /** Milliseconds left before the deadline (Infinity without one; 0 or less once it passed). */
  public millisecondsToDeadline(): number {
    return this.checkOptions.deadline === undefined ? Infinity : this.checkOptions.deadline - Date.now();
  }

  public checkDeadline(): void {
    if (this.checkOptions.deadline !== undefined && Date.now() > this.checkOptions.deadline) {
      throw new DeadlinePassed();
    }
  }

  /**
   * The replica's health over all its channels. An IO thread that is starting is read again for
   * at most `IO_THREAD_START_WAIT_MS`, and not past the deadline: then it is taken as not running.
   */
  public replicaHealth(): Promise<ReplicaHealth> {
    return replicaHealth(this.replica, this.flavor, Math.min(IO_THREAD_START_WAIT_MS, Math.max(0, this.millisecondsToDeadline())));
  }

  /** The master's current position, read on the master connection (queued behind its earlier queries). */
  public masterPosition(): Promise<string> {
    return masterGtidPosition(this.master, this.flavor);
  }

  /**
   * Waits until the replica is healthy, within the lag limit and has applied `position`. Throws `CheckStopped` when that does
   * not happen in `maxLagWaitSeconds`. The health is read at most every `HEALTH_INTERVAL_MS`
   * while the replica keeps reaching the positions it is given within a second.
   */
  public async replicaAt(position: string): Promise<void> {
    this.checkDeadline();
    // Between two health checks, a position needs no query when it was reached, or a wait only.
    if (Date.now() - this.healthReadAt < HEALTH_INTERVAL_MS) {
      if (position === this.reached) {
        return;
      }
      if (await waitForPosition(this.replica, this.flavor, position, this.waitSeconds(1))) {
        this.reached = position;
        return;
      }
    }
    const started = Date.now();
    const { maxLagSeconds, maxLagWaitSeconds } = this.options;
    for (;;) {
      this.checkDeadline();
      const health = await this.replicaHealth();
      this.observeHealth(health);
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
        // Not past the deadline: the next round ends the check once it has passed.
        await sleep(Math.min(1000, Math.max(0, this.millisecondsToDeadline()) + 1));
        continue;
      }
      if (position === this.reached) {
        return;
      }
      const timeout = this.waitSeconds(Math.max(1, Math.min(maxLagSeconds, Math.ceil(maxLagWaitSeconds - waited))));
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

  /**
   * Records a reading of the replica's health: its lag, and, when the reading lets chunks run
   * (threads running, lag within the limit), its time, which spares the next chunks a reading
   * of their own for `HEALTH_INTERVAL_MS`.
   */
  public observeHealth(health: ReplicaHealth): void {
    if (health.lagSeconds !== null) {
      this.maxLag = Math.max(this.maxLag ?? 0, health.lagSeconds);
    }
    if (!describeUnhealthy(health) && (health.lagSeconds === null || health.lagSeconds <= this.options.maxLagSeconds)) {
      this.healthReadAt = Date.now();
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

function readAggregate(row: Row | undefined): Aggregate {
  return row ? { rows: Number(row.row_count), sum: String(row.hash_sum ?? '0') } : { rows: 0, sum: '0' };
}

function aggregateStatement(definition: TableDefinition, condition: string): string {
  return `SELECT ${comparisonSelectList(definition)} FROM ${qualifiedName(definition.schema, definition.table)} WHERE ${condition}`;
}

/**
 * Runs one of the check's SELECT statements on one server and returns its rows. Without a
 * deadline the statement is sent exactly as written; with one, the server stops it when the
 * deadline passes (`withTimeLimit`), since one statement (a first chunk of large rows, a whole
 * table without a primary key, the narrowing of a large part) can take far longer than the
 * time left. Throws `DeadlinePassed` when no time is left to start it or the server cut it off.
 */
export async function boundedQuery(session: Session, connection: Connection, options: QueryOptions & { readonly sql: string }): Promise<unknown> {
  const left = session.millisecondsToDeadline();
  if (left === Infinity) {
    return (await connection.query(options))[0];
  }
  if (left <= 0) {
    throw new DeadlinePassed();
  }
  try {
    return (await connection.query({ ...options, sql: withTimeLimit(session.flavor, options.sql, left) }))[0];
  } catch (error) {
    if (STATEMENT_TIMEOUT_ERRORS.has(Number((error as { errno?: number }).errno))) {
      throw new DeadlinePassed();
    }
    throw error;
  }
}

/** Runs the SELECTs it is given as `boundedQuery` does: stopped at the check's deadline. */
export function boundedSelect(session: Session): SelectRunner {
  return async (connection, sql, values) => (await boundedQuery(session, connection, { sql, values })) as Row[];
}

/** The aggregate of the rows matching `condition` on one server (stopped at the check's deadline). */
export async function aggregate(session: Session, connection: Connection, definition: TableDefinition, condition: string): Promise<Aggregate> {
  const rows = await boundedQuery(session, connection, { sql: aggregateStatement(definition, condition), ...LOSSLESS });
  return readAggregate((rows as Row[])[0]);
}

/**
 * The aggregate of a whole table on one server, in one query that the server stops at the
 * check's deadline (a table without a primary key has no chunks to stop between). Throws
 * `DeadlinePassed` when no time is left to start it or the server cut it off.
 */
export function wholeTableAggregate(session: Session, connection: Connection, definition: TableDefinition): Promise<Aggregate> {
  return aggregate(session, connection, definition, '1 = 1');
}

/**
 * Runs `work` on both servers at a fresh matched position: the master's position is read and
 * the master's work is queued right behind it on the same connection, and the replica's work
 * starts once the replica has reached that position (one round trip fewer than reading the
 * position, waiting, and then starting both). Returns when both are done, even when one failed.
 */
export async function onBothAtMatchedPosition<T>(session: Session, work: (connection: Connection) => Promise<T>): Promise<{ master: T; replica: T }> {
  const position = session.masterPosition();
  const onMaster = work(session.master);
  const onReplica = position.then(async (read) => {
    await session.replicaAt(read);
    return work(session.replica);
  });
  const [replica, master] = await bothSettled(onReplica, onMaster);
  return { master, replica };
}

/**
 * Both results, once both promises have settled; the first one's error when it failed, else
 * the second one's. Work that shares the connections never outlives a failure of the other.
 */
export async function bothSettled<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') {
    throw a.reason;
  }
  if (b.status === 'rejected') {
    throw b.reason;
  }
  return [a.value, b.value];
}

/**
 * The verification reads: `read` on the master, the master's position (queued right behind
 * that read), `read` on the replica once it has reached the position, and `read` on the
 * master again. What is the same in `before` and `after` was stable on the master while the
 * replica was read, so a different replica value is drift; what changed between them was in
 * flight and must be read again.
 */
export async function readForVerification<T>(session: Session, read: (connection: Connection) => Promise<T>): Promise<{ before: T; replica: T; after: T }> {
  const [before, position] = await Promise.all([read(session.master), session.masterPosition()]);
  await session.replicaAt(position);
  const replica = await read(session.replica);
  const after = await read(session.master);
  return { before, replica, after };
}

/** Both aggregates of the rows matching `condition` at a fresh matched position, run concurrently. */
export function aggregateBoth(session: Session, definition: TableDefinition, condition: string): Promise<{ master: Aggregate; replica: Aggregate }> {
  return onBothAtMatchedPosition(session, (connection) => aggregate(session, connection, definition, condition));
}

/**
 * The aggregates of several disjoint key ranges in ONE statement (a `UNION ALL` of
 * primary-key range scans): one round trip, about the cost of one aggregate over them all,
 * and no temporary table per row as a `GROUP BY` would need. Stopped at the check's deadline.
 */
export async function rangeAggregates(session: Session, connection: Connection, definition: TableDefinition, spec: KeySpec, ranges: readonly KeyRange[]): Promise<Aggregate[]> {
  const table = qualifiedName(definition.schema, definition.table);
  const select = comparisonSelectList(definition);
  const sql = ranges.map((range, index) => `SELECT ${index} AS part, ${select} FROM ${table} WHERE ${spec.rangeCondition(range)}`).join(' UNION ALL ');
  const rows = await boundedQuery(session, connection, { sql, ...LOSSLESS });
  const result: Aggregate[] = ranges.map(() => readAggregate(undefined));
  for (const row of rows as Row[]) {
    result[Number(row.part)] = readAggregate(row);
  }
  return result;
}

export function same(left: Aggregate, right: Aggregate): boolean {
  return left.rows === right.rows && left.sum === right.sum;
}
