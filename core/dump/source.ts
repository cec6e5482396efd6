/**
 * What the dump workflow asks of the replica: its engine, version and GTID position, the
 * databases to dump, and pausing / resuming replication around the dump window.
 * Works with MySQL 8 (RDS) and MariaDB.
 */
import type { Connection, ResultSetHeader } from 'mysql2/promise';
import type { ReplicaChannelHealth, ServerFlavor } from '../consistency/replication';
import { describeUnhealthy, replicaHealth, serverInfo } from '../consistency/replication';
import { SYSTEM_SCHEMAS } from '../consistency/schema';
import type { DumpSource } from './manifest';
import { readCaseInsensitiveNames } from './privileges';

/**
 * How replication is stopped and started:
 * - `rds`: the RDS stored procedures `CALL mysql.rds_stop_replication` /
 *   `CALL mysql.rds_start_replication` (RDS for MySQL and MariaDB replicas, where the
 *   master user may not run `STOP REPLICA`); they act on the default channel only;
 * - `sql`: `STOP REPLICA SQL_THREAD` / `START REPLICA SQL_THREAD` on each channel
 *   (self-managed servers, see `channelStatements`); the I/O threads keep fetching, so the
 *   replica catches up faster afterwards, and one found stopped tells a stop by someone else.
 */
export type ReplicationControl = 'rds' | 'sql';

/** The RDS procedures that pause and resume replication (control `rds`). */
export const RDS_REPLICATION_PROCEDURES = { pause: 'CALL mysql.rds_stop_replication', resume: 'CALL mysql.rds_start_replication' } as const;

/**
 * The statements that stop and start one channel's applier (control `sql`): MariaDB names the
 * connection after the keyword (`STOP REPLICA 'name' SQL_THREAD`, '' for the default one),
 * MySQL after `FOR CHANNEL` (without it, MySQL's statements act on every channel).
 */
export function channelStatements(flavor: ServerFlavor, channel: string): { readonly stop: string; readonly startApplier: string; readonly start: string } {
  const name = `'${channel.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return flavor === 'mariadb'
    ? { stop: `STOP REPLICA ${name} SQL_THREAD`, startApplier: `START REPLICA ${name} SQL_THREAD`, start: `START REPLICA ${name}` }
    : { stop: `STOP REPLICA SQL_THREAD FOR CHANNEL ${name}`, startApplier: `START REPLICA SQL_THREAD FOR CHANNEL ${name}`, start: `START REPLICA FOR CHANNEL ${name}` };
}

/** Parses `rds` or `sql` (e.g. from an environment variable). */
export function parseReplicationControl(value: string | undefined): ReplicationControl {
  if (value === 'rds' || value === 'sql') {
    return value;
  }
  throw new Error(`replication control must be 'rds' or 'sql', got '${value ?? ''}'`);
}

type Row = Record<string, unknown>;

async function one(connection: Connection, sql: string): Promise<Row> {
  const [rows] = await connection.query(sql);
  return (rows as Row[])[0] ?? {};
}

/** Engine, version and executed GTID set of the server (`host` is what the caller connected to). */
export async function readSource(connection: Connection, host: string): Promise<DumpSource> {
  const info = await one(connection, 'SELECT @@version AS version, @@version_comment AS comment');
  const serverVersion = String(info.version);
  const engine = /mariadb/i.test(`${serverVersion} ${String(info.comment)}`) ? 'mariadb' : 'mysql';
  const gtid = engine === 'mariadb'
    ? await one(connection, 'SELECT @@gtid_current_pos AS position')
    : await one(connection, 'SELECT @@gtid_executed AS position');
  return { host, engine, serverVersion, gtidPosition: String(gtid.position ?? '').replace(/\s+/g, '') };
}

/**
 * The replica's channels (one, or several with multi-source replication); undefined when the
 * server is no replica. `startWaitMs`: how long a reading waits for an IO thread that is starting.
 */
async function replicaChannels(connection: Connection, flavor?: ServerFlavor, startWaitMs?: number): Promise<readonly ReplicaChannelHealth[] | undefined> {
  const health = await replicaHealth(connection, flavor ?? (await serverInfo(connection)).flavor, startWaitMs);
  return health.configured ? health.channels : undefined;
}

function channelNames(channels: readonly ReplicaChannelHealth[]): string {
  return channels.map((channel) => (channel.channel === '' ? 'the default channel' : `channel '${channel.channel}'`)).join(', ');
}

/**
 * Whether the replica applies changes: true when the SQL (applier) thread of any of its
 * channels runs; undefined when the server is no replica.
 */
export async function replicationApplying(connection: Connection): Promise<boolean | undefined> {
  const channels = await replicaChannels(connection);
  return channels === undefined ? undefined : channels.some((channel) => channel.sqlThreadRunning);
}

/**
 * Throws unless the server is a replica whose IO and SQL threads run and which is at most
 * `maxLagSeconds` behind its master. A dump of a replica that is stopped or far behind
 * would be reported as the latest data while it is not. Returns the lag it read (seconds).
 */
export async function checkReplicaCurrent(connection: Connection, maxLagSeconds: number): Promise<number> {
  const health = await replicaHealth(connection, (await serverInfo(connection)).flavor);
  if (!health.configured) {
    throw new Error('the server reports no replica status (is DB_HOST the replica?)');
  }
  const unhealthy = describeUnhealthy(health);
  if (unhealthy) {
    throw new Error(`the replica is not current: ${unhealthy}`);
  }
  if (health.lagSeconds === null || health.lagSeconds > maxLagSeconds) {
    const lag = health.lagSeconds === null ? 'an unknown time' : `${health.lagSeconds} s`;
    throw new Error(`the replica is not current: it is ${lag} behind its master (the limit is ${maxLagSeconds} s)`);
  }
  return health.lagSeconds;
}

/**
 * Where in its master's binary log the replica's applier stands, for every replication
 * channel (each named connection on MariaDB): `<channel>:<file>:<position>` of the last
 * event it executed, sorted by channel and joined by `,`. It
 * moves with every event the applier executes, GTID or not; so two equal readings around a
 * paused window mean the applier executed nothing in between, even if someone started and
 * stopped it meanwhile. Undefined when the server reports no replica status or no position.
 */
export async function readAppliedPosition(connection: Connection): Promise<string | undefined> {
  // On MariaDB SHOW REPLICA STATUS shows the default connection only.
  const { flavor } = await serverInfo(connection);
  const [rows] = await connection.query(flavor === 'mariadb' ? 'SHOW ALL SLAVES STATUS' : 'SHOW REPLICA STATUS');
  const channels = (rows as Row[]).map((row) => {
    const file = row.Relay_Source_Log_File ?? row.Relay_Master_Log_File;
    const position = row.Exec_Source_Log_Pos ?? row.Exec_Master_Log_Pos;
    if (file === undefined || file === null || position === undefined || position === null) {
      return undefined;
    }
    return `${String(row.Channel_Name ?? row.Connection_name ?? '')}:${String(file)}:${String(position)}`;
  });
  if (channels.length === 0 || channels.some((channel) => channel === undefined)) {
    return undefined;
  }
  return channels.sort().join(',');
}

/**
 * The replica's applier, or the IO thread of a channel, was stopped before or while this
 * pause stopped it, by someone else (an operator, a failover) or an error. The dump workflow routes it by its name: the run fails without starting
 * replication again, which would override whoever stopped it.
 */
export class ReplicationStoppedElsewhere extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicationStoppedElsewhere';
  }
}

/**
 * The notes a stop gives when the applier was not running: MariaDB and MySQL before 8.0
 * `1255 Slave already has been stopped`, MySQL 8 `3084 Replication thread(s) for channel
 * '...' are already stopped`.
 */
const ALREADY_STOPPED_CODES = new Set([1255, 3084]);

/**
 * Runs a stop statement and reads the server's own answer: false when it says the applier
 * was stopped already. Checking the thread first and stopping it in a second statement would
 * take a stop by someone else in between for this run's own. SHOW WARNINGS is read only when
 * the statement reported warnings: a statement without any leaves the previous one's list.
 */
async function stopApplier(connection: Connection, statement: string): Promise<boolean> {
  const [result] = await connection.query(statement);
  if (!(result as ResultSetHeader).warningStatus) {
    return true;
  }
  const [warnings] = await connection.query('SHOW WARNINGS');
  return !(warnings as Row[]).some((warning) => ALREADY_STOPPED_CODES.has(Number(warning.Code)));
}

/**
 * Starts again the appliers this pause stopped, except on a channel whose IO thread is stopped
 * now: the pause's statements leave IO threads running, so someone else stopped it since, by
 * `STOP REPLICA IO_THREAD` or by a whole `STOP REPLICA`, which the replica status cannot tell
 * apart once the applier is stopped, or an error did (which stays in the status after a stop
 * by someone else too, so it is named as one possible cause). Starting the applier would
 * override a whole stop, so it is left stopped and named. When the channels cannot be read,
 * none is started. Says what it did.
 */
async function undoStops(connection: Connection, flavor: ServerFlavor, stopped: readonly ReplicaChannelHealth[]): Promise<string> {
  if (stopped.length === 0) {
    return '';
  }
  let now: readonly ReplicaChannelHealth[];
  try {
    now = await replicaChannels(connection, flavor) ?? [];
  } catch (error) {
    return `; this run could not read the replica status to start again the SQL thread it had stopped on ${channelNames(stopped)} (${messageOf(error)}): start it by hand unless someone else stopped replication there`;
  }
  const ioStopped = now.filter((current) => current.ioState === 'No' && stopped.some((channel) => channel.channel === current.channel));
  const started: ReplicaChannelHealth[] = [];
  const failed: string[] = [];
  for (const channel of stopped.filter((candidate) => !ioStopped.some((current) => current.channel === candidate.channel))) {
    try {
      await connection.query(channelStatements(flavor, channel.channel).startApplier);
      started.push(channel);
    } catch (error) {
      failed.push(`${channelNames([channel])} (${messageOf(error)})`);
    }
  }
  const parts: string[] = [];
  if (started.length > 0) {
    parts.push(`this run started again the SQL thread it had stopped on ${channelNames(started)}`);
  }
  if (failed.length > 0) {
    parts.push(`this run could not start again the SQL thread it had stopped on ${failed.join(', ')}: start it by hand`);
  }
  const byError = ioStopped.filter((channel) => hasThreadError(channel, 'IO'));
  const bySomeone = ioStopped.filter((channel) => !byError.includes(channel));
  const startApplier = (channels: readonly ReplicaChannelHealth[]): string => channels.map((channel) => `'${channelStatements(flavor, channel.channel).startApplier}'`).join(', ');
  if (byError.length > 0) {
    const errors = byError.map((channel) => (byError.length > 1 ? `${channelNames([channel])}: ${channel.lastError}` : channel.lastError)).join('; ');
    parts.push(`this run left stopped the SQL thread it had stopped on ${channelNames(byError)}, whose IO thread stopped meanwhile, by an error (${errors}) or by someone else `
      + `(the error stays in the replica status after a stop too): ${fixThenStart(flavor, byError)} (or ${startApplier(byError)} if only the IO thread was meant to stop)`);
  }
  if (bySomeone.length > 0) {
    parts.push(`this run left stopped the SQL thread it had stopped on ${channelNames(bySomeone)}, whose IO thread someone else stopped meanwhile `
      + `(by stopping the IO thread alone or the whole channel, which the replica status cannot tell apart): start it with ${startApplier(bySomeone)} if only the IO thread was meant to stop`);
  }
  return parts.map((part) => `; ${part}`).join('');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Stops the SQL thread of each channel with its own statement and reads each answer. One
 * that was stopped already (by someone else, between the check and this stop) makes the
 * pause undo its own stops and fail with `ReplicationStoppedElsewhere`.
 */
async function stopEachApplier(connection: Connection, flavor: ServerFlavor, channels: readonly ReplicaChannelHealth[]): Promise<ReplicaChannelHealth[]> {
  const stopped: ReplicaChannelHealth[] = [];
  for (const channel of channels) {
    const { stop } = channelStatements(flavor, channel.channel);
    if (!(await stopApplier(connection, stop))) {
      const where = channels.length > 1 ? ` on ${channelNames([channel])}` : '';
      throw new ReplicationStoppedElsewhere(`replication was stopped by someone else before this run paused it (the server answered '${stop}' that the SQL thread${where} was stopped already); it is left stopped${await undoStops(connection, flavor, stopped)}`);
    }
    stopped.push(channel);
  }
  return stopped;
}

/**
 * Why the replica receives nothing from its master on some channel, or '' when it does: an IO
 * thread stopped (`No`), by someone or by an error, or not connected (`Connecting`). Its data
 * gets older with every minute and its lag no longer says by how much.
 */
function notReceiving(channels: readonly ReplicaChannelHealth[], ioState?: string): string {
  const idle = channels.filter((channel) => !channel.ioThreadRunning && (ioState === undefined || channel.ioState === ioState));
  if (idle.length === 0) {
    return '';
  }
  const states = idle.map((channel) => {
    const state = channel.ioState === 'No' ? 'stopped' : `'${channel.ioState}'`;
    const where = channels.length > 1 ? ` on ${channelNames([channel])}` : '';
    return `the IO thread is ${state}${where}${channel.lastError ? ` (${channel.lastError})` : ''}`;
  });
  return `${states.join(', ')}: the replica receives no changes from its master, so a dump of it would be older than its lag says`;
}

/**
 * Stops the replica from applying changes and checks that it stopped. Throws when the
 * server is not a replica (a dump taken from the master by mistake must not pass silently),
 * and `ReplicationStoppedElsewhere` when the applier or the IO thread of a channel is stopped
 * already: this pause did not stop it, so whoever resumes after it must not start it. When it
 * fails after stopping appliers, it starts again those it stopped that are still stopped, except
 * on channels whose IO thread was stopped meanwhile (see `undoStops`), and says which. A
 * channel whose IO thread does not connect is refused (as `checkReplicaCurrent` refuses it):
 * the replica receives nothing, and its dump would be older than its lag says. With control `sql`
 * every channel is stopped, and the decision is the server's answer to the stop itself;
 * the RDS procedures act on the default channel only and say nothing of what they found, so
 * with them a replica with several channels is refused, and a stop by someone else between
 * the check and the procedure cannot be told from this run's own.
 */
export async function pauseReplication(connection: Connection, control: ReplicationControl): Promise<void> {
  const { flavor } = await serverInfo(connection);
  const before = await replicaChannels(connection, flavor);
  if (before === undefined) {
    throw new Error('cannot pause replication: the server reports no replica status (is DB_HOST the replica?)');
  }
  const stopped = before.filter((channel) => !channel.sqlThreadRunning);
  if (stopped.length > 0) {
    const where = before.length > 1 ? ` on ${channelNames(stopped)}` : '';
    const byError = stopped.filter((channel) => hasThreadError(channel, 'SQL'));
    if (byError.length > 0) {
      const errors = byError.map((channel) => (before.length > 1 ? `${channelNames([channel])}: ${channel.lastError}` : channel.lastError)).join('; ');
      throw new ReplicationStoppedElsewhere(`replication stopped before this run paused it, by an error or by someone else (the SQL thread is not running${where} (${errors})); it is left stopped: ${fixThenStart(flavor, byError)}`);
    }
    throw new ReplicationStoppedElsewhere(`replication was stopped by someone else before this run paused it (the SQL thread is not running${where}); it is left stopped`);
  }
  // A stopped IO thread is left as it is (starting it would override whoever stopped it); one
  // that cannot connect is refused like at Prepare, and resuming after it is harmless.
  const ioStopped = notReceiving(before, 'No');
  if (ioStopped) {
    // An IO error stays in the status after someone stops the thread too: it is one possible cause.
    const byError = before.filter((channel) => channel.ioState === 'No' && hasThreadError(channel, 'IO'));
    throw new ReplicationStoppedElsewhere(byError.length > 0
      ? `replication stopped before this run paused it, by an error or by someone else (${ioStopped}); it is left as it is: ${fixThenStart(flavor, byError)}`
      : `replication was stopped by someone else before this run paused it (${ioStopped}); it is left as it is`);
  }
  const unconnected = notReceiving(before);
  if (unconnected) {
    throw new Error(`the replica is not current: ${unconnected}`);
  }
  if (control === 'rds') {
    if (before.length > 1) {
      throw new Error(`cannot pause replication with '${RDS_REPLICATION_PROCEDURES.pause}': it stops the default channel only, and the replica has ${before.length} (${channelNames(before)}); pause with SQL statements, which stop each, or do not pause`);
    }
    await connection.query(RDS_REPLICATION_PROCEDURES.pause);
  }
  const stoppedHere = control === 'sql' ? await stopEachApplier(connection, flavor, before) : [];
  const channels = await replicaChannels(connection, flavor) ?? [];
  // The SQL statements leave the IO threads running: one stopped now was stopped by someone
  // else or by an error (which undoStops names with the statements that start the channel).
  const ioStoppedSince = control === 'sql' ? notReceiving(channels, 'No') : '';
  if (ioStoppedSince) {
    const byError = channels.some((channel) => channel.ioState === 'No' && hasThreadError(channel, 'IO'));
    throw new ReplicationStoppedElsewhere(`${byError ? 'replication stopped while this run paused it, by an error or by someone else' : 'replication was stopped by someone else while this run paused it'} `
      + `(${ioStoppedSince}); it is left as it is${await undoStops(connection, flavor, stoppedHere)}`);
  }
  const applying = channels.filter((channel) => channel.sqlThreadRunning);
  if (applying.length > 0) {
    // Replication is left as it was found: the appliers this run stopped run again, those that
    // run already (started by someone else since) are not touched.
    const stillStopped = stoppedHere.filter((stopped) => channels.some((channel) => channel.channel === stopped.channel && !channel.sqlThreadRunning));
    throw new Error(`${stillApplying(flavor, control, channels, applying, stoppedHere)}${await undoStops(connection, flavor, stillStopped)}`);
  }
}

/** Names, for each channel still applying after the pause, the statement this run stopped it with (or that none did). */
function stillApplying(
  flavor: ServerFlavor, control: ReplicationControl, channels: readonly ReplicaChannelHealth[], applying: readonly ReplicaChannelHealth[], stoppedHere: readonly ReplicaChannelHealth[],
): string {
  return applying.map((channel) => {
    const where = channels.length > 1 ? ` on ${channelNames([channel])}` : '';
    if (control === 'rds') {
      return `'${RDS_REPLICATION_PROCEDURES.pause}' returned but the replica is still applying changes${where}`;
    }
    if (!stoppedHere.some((stopped) => stopped.channel === channel.channel)) {
      return `the replica is still applying changes${where}, which no statement of this run stopped (it was added after the pause read the channels)`;
    }
    return `'${channelStatements(flavor, channel.channel).stop}' returned but the replica is still applying changes${where}`;
  }).join('; ');
}

/** Whether a channel's status shows an error of its IO or SQL thread. */
function hasThreadError(channel: ReplicaChannelHealth, thread: 'IO' | 'SQL'): boolean {
  return new RegExp(`(^|; )${thread} error`).test(channel.lastError);
}

/** What to do about channels found stopped with an error: fix it, then start them. */
function fixThenStart(flavor: ServerFlavor, channels: readonly ReplicaChannelHealth[]): string {
  return `fix the error, then start ${channels.length > 1 ? 'them' : 'it'} with ${channels.map((channel) => `'${channelStatements(flavor, channel.channel).start}'`).join(', ')}`;
}

/**
 * Why channels whose applier is stopped and whose IO thread is stopped too are left alone by
 * the resume, and the statements that start them: the pause's SQL statements leave IO threads
 * running, so someone else or an error stopped it after the pause; a whole `STOP REPLICA` and
 * a `STOP REPLICA IO_THREAD` look the same once the applier is stopped, and an IO error stays
 * in the status after someone stops the channel too, so an error is named as one possible cause.
 */
function leftStopped(flavor: ServerFlavor, channels: readonly ReplicaChannelHealth[]): string {
  const several = channels.length > 1;
  const errors = channels.filter((channel) => channel.lastError).map((channel) => `${channelNames([channel])}: ${channel.lastError}`);
  const ioErrors = channels.some((channel) => hasThreadError(channel, 'IO'));
  const list = (statement: 'start' | 'startApplier'): string => channels.map((channel) => `'${channelStatements(flavor, channel.channel)[statement]}'`).join(', ');
  const which = `the IO ${several ? 'threads' : 'thread'} of ${channelNames(channels)} ${several ? 'are' : 'is'} stopped too`;
  const leftAsIs = `so ${several ? 'they are' : 'it is'} left as ${several ? 'they are' : 'it is'}`;
  const orApplier = `(or ${list('startApplier')} if only ${several ? 'their IO threads were' : 'its IO thread was'} meant to stop)`;
  if (ioErrors) {
    return `replication stopped after this run paused it: ${which}, by an error (${errors.join('; ')}) or by someone else (the pause leaves IO threads running), `
      + `${leftAsIs}; fix the error, then start ${several ? 'them' : 'it'} with ${list('start')} ${orApplier}`;
  }
  return `replication was stopped by someone else after this run paused it: ${which} (the pause leaves IO threads running${errors.length > 0 ? `; ${errors.join('; ')}` : ''}), ${leftAsIs}; `
    + `start ${several ? 'them' : 'it'} with ${list('start')} when ${several ? 'they' : 'it'} should run again ${orApplier}`;
}

/**
 * Starts replication again and checks (for up to `waitSeconds`) that the applier of every
 * channel it started runs. Safe to call when it already runs. With control `sql` it starts
 * the SQL thread alone of each channel whose applier is stopped and whose IO thread runs, as
 * the pause left it; a channel whose IO thread is stopped too was stopped by someone else (or
 * an error) after the pause, so it is left as it is, and the resume fails with
 * `ReplicationStoppedElsewhere` naming it and the statements that start it (after starting the
 * others). The RDS procedure starts every thread of the default channel and cannot tell an
 * operator's stop from the pause's. Only the appliers are checked, so its readings do not wait
 * for IO threads that are connecting, and none starts after the wait ends.
 */
export async function resumeReplication(connection: Connection, control: ReplicationControl, waitSeconds = 10): Promise<void> {
  const { flavor } = await serverInfo(connection);
  const before = await replicaChannels(connection, flavor, 0);
  if (before === undefined) {
    throw new Error('cannot resume replication: the server reports no replica status (is DB_HOST the replica?)');
  }
  const idle = before.filter((channel) => !channel.sqlThreadRunning);
  const leftAlone = control === 'sql' ? idle.filter((channel) => channel.ioState === 'No') : [];
  const toStart = idle.filter((channel) => !leftAlone.includes(channel));
  const left = leftAlone.length > 0 ? leftStopped(flavor, leftAlone) : '';
  const statements = toStart.length === 0 ? [] : control === 'rds' ? [RDS_REPLICATION_PROCEDURES.resume] : toStart.map((channel) => channelStatements(flavor, channel.channel).startApplier);
  for (const statement of statements) {
    await connection.query(statement);
  }
  const isLeftAlone = (channel: ReplicaChannelHealth): boolean => leftAlone.some((alone) => alone.channel === channel.channel);
  const started = Date.now();
  const deadline = started + waitSeconds * 1000;
  while (statements.length > 0) {
    const channels = await replicaChannels(connection, flavor, 0) ?? [];
    const notApplying = channels.filter((channel) => !channel.sqlThreadRunning && !isLeftAlone(channel));
    if (channels.length > 0 && notApplying.length === 0) {
      break;
    }
    const now = Date.now();
    if (now >= deadline) {
      const where = channels.length > 1 ? ` on ${channelNames(notApplying)}` : '';
      const waited = ((now - started) / 1000).toFixed(1);
      throw new Error(`'${statements.join("', '")}' returned but the replica is not applying changes${where} after ${waited} s (it waits up to ${waitSeconds} s; see SHOW REPLICA STATUS: Last_SQL_Error)${left ? `; ${left}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, deadline - now)));
  }
  if (left) {
    throw new ReplicationStoppedElsewhere(`${left}${toStart.length > 0 ? `; this run started again the SQL thread of ${channelNames(toStart)}` : ''}`);
  }
}

/**
 * The requested databases as the server names them, each once. With `lower_case_table_names`
 * 1 or 2 the server takes `App` and `app` for one database, so names are compared without
 * regard to case then, as in the grants check; when the setting cannot be read they are
 * compared as written, and an error for a name not found says so.
 */
async function requestedDatabases(connection: Connection, requested: readonly string[], existing: readonly string[]): Promise<string[]> {
  const caseInsensitive = await readCaseInsensitiveNames(connection);
  const key = (name: string): string => (caseInsensitive === true ? name.toLowerCase() : name);
  const byKey = new Map<string, string>();
  for (const name of existing) {
    if (!byKey.has(key(name))) {
      byKey.set(key(name), name);
    }
  }
  const missing = requested.filter((name) => !byKey.has(key(name)));
  if (missing.length > 0) {
    const comparison = caseInsensitive === undefined
      ? 'whether it compares database names without regard to case could not be read (lower_case_table_names): they were compared as written'
      : caseInsensitive
        ? 'it compares database names without regard to case: lower_case_table_names is 1 or 2'
        : 'it compares database names as written: lower_case_table_names is 0';
    throw new Error(`the database(s) ${missing.join(', ')} to dump do not exist on the replica (${comparison}); it has ${existing.join(', ')}`);
  }
  return [...new Set(requested.map((name) => byKey.get(key(name))!))];
}

/**
 * The longest list of databases (space-separated, as JSON writes it) the dump task can be
 * given: the workflow passes it in the task's container overrides, for which ECS takes 8192
 * characters in all, JSON formatting included, beside the run's prefixes and archive bucket
 * (about 500 characters). A longer list would fail RunTask after replication was paused.
 */
export const MAX_DATABASE_LIST_CHARACTERS = 7168;

/**
 * The databases to dump: the requested ones (each must exist; named as the server names
 * them, see `requestedDatabases`) or every database that is not a system schema, sorted.
 * Names with white space are refused: the dump script takes the list space-separated; so is
 * a list longer than `MAX_DATABASE_LIST_CHARACTERS`.
 */
export async function listDumpDatabases(connection: Connection, requested: readonly string[] = []): Promise<string[]> {
  const [rows] = await connection.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
  const existing = (rows as Row[]).map((row) => String(row.name));
  const databases = requested.length > 0 ? await requestedDatabases(connection, requested, existing) : existing.filter((name) => !SYSTEM_SCHEMAS.includes(name));
  const spaced = databases.filter((name) => /\s/.test(name));
  if (spaced.length > 0) {
    throw new Error(`database names with white space cannot be dumped by this job: ${spaced.map((name) => `'${name}'`).join(', ')}`);
  }
  if (databases.length === 0) {
    throw new Error('the replica has no database to dump (only system schemas)');
  }
  const listLength = JSON.stringify(databases.join(' ')).length - 2;
  if (listLength > MAX_DATABASE_LIST_CHARACTERS) {
    throw new Error(`the ${databases.length} databases to dump make a list of ${listLength} characters, more than the ${MAX_DATABASE_LIST_CHARACTERS} the dump task can be given `
      + "(ECS takes 8192 characters for all of a task's container overrides, which carry the list and the run's prefixes): "
      + 'dump them with several jobs, each naming some of them in `databases`, on schedules that do not overlap');
  }
  return databases.sort();
}
