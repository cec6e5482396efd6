/**
 * What the dump workflow asks of the replica: its engine, version and GTID position, the
 * databases to dump, and pausing / resuming replication around the dump window.
 * Works with MySQL 8 (RDS) and MariaDB.
 */
import type { Connection } from 'mysql2/promise';
import type { ReplicaChannelHealth } from '../consistency/replication';
import { describeUnhealthy, replicaHealth, serverInfo } from '../consistency/replication';
import { SYSTEM_SCHEMAS } from '../consistency/schema';
import type { DumpSource } from './manifest';

/**
 * How replication is stopped and started:
 * - `rds`: the RDS stored procedures `CALL mysql.rds_stop_replication` /
 *   `CALL mysql.rds_start_replication` (RDS for MySQL and MariaDB replicas, where the
 *   master user may not run `STOP REPLICA`);
 * - `sql`: `STOP REPLICA SQL_THREAD` / `START REPLICA` (self-managed servers); the
 *   I/O thread keeps fetching, so the replica catches up faster afterwards.
 */
export type ReplicationControl = 'rds' | 'sql';

/** The statements that pause and resume replication, per control. */
export const REPLICATION_STATEMENTS: Record<ReplicationControl, { readonly pause: string; readonly resume: string }> = {
  rds: { pause: 'CALL mysql.rds_stop_replication', resume: 'CALL mysql.rds_start_replication' },
  sql: { pause: 'STOP REPLICA SQL_THREAD', resume: 'START REPLICA' },
};

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

/** The replica's channels (one, or several with multi-source replication); undefined when the server is no replica. */
async function replicaChannels(connection: Connection): Promise<readonly ReplicaChannelHealth[] | undefined> {
  const health = await replicaHealth(connection, (await serverInfo(connection)).flavor);
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

/** True when the SQL thread of every channel runs. */
async function everyChannelApplying(connection: Connection): Promise<boolean> {
  const channels = await replicaChannels(connection);
  return channels !== undefined && channels.every((channel) => channel.sqlThreadRunning);
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
 * channel: `<channel>:<file>:<position>` of the last event it executed, joined by `,`. It
 * moves with every event the applier executes, GTID or not; so two equal readings around a
 * paused window mean the applier executed nothing in between, even if someone started and
 * stopped it meanwhile. Undefined when the server reports no replica status or no position.
 */
export async function readAppliedPosition(connection: Connection): Promise<string | undefined> {
  const [rows] = await connection.query('SHOW REPLICA STATUS');
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
  return channels.join(',');
}

/**
 * The replica's applier was stopped before this pause, by someone else (an operator, a
 * failover). The dump workflow routes it by its name: the run fails without starting
 * replication again, which would override whoever stopped it.
 */
export class ReplicationStoppedElsewhere extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplicationStoppedElsewhere';
  }
}

/**
 * Stops the replica from applying changes and checks that it stopped. Throws when the
 * server is not a replica (a dump taken from the master by mistake must not pass silently),
 * and `ReplicationStoppedElsewhere` when the applier of a channel is stopped already: this
 * pause did not stop it, so whoever resumes after it must not start it.
 */
export async function pauseReplication(connection: Connection, control: ReplicationControl): Promise<void> {
  const before = await replicaChannels(connection);
  if (before === undefined) {
    throw new Error('cannot pause replication: the server reports no replica status (is DB_HOST the replica?)');
  }
  const stopped = before.filter((channel) => !channel.sqlThreadRunning);
  if (stopped.length > 0) {
    const where = before.length > 1 ? ` on ${channelNames(stopped)}` : '';
    throw new ReplicationStoppedElsewhere(`replication was stopped by someone else before this run paused it (the SQL thread is not running${where}); it is left stopped`);
  }
  await connection.query(REPLICATION_STATEMENTS[control].pause);
  const channels = await replicaChannels(connection) ?? [];
  const applying = channels.filter((channel) => channel.sqlThreadRunning);
  if (applying.length > 0) {
    const where = channels.length > 1 ? ` on ${channelNames(applying)}` : '';
    throw new Error(`'${REPLICATION_STATEMENTS[control].pause}' returned but the replica is still applying changes${where}`);
  }
}

/**
 * Starts replication again and checks (for up to `waitSeconds`) that the applier of every
 * channel runs. Safe to call when it already runs.
 */
export async function resumeReplication(connection: Connection, control: ReplicationControl, waitSeconds = 10): Promise<void> {
  if (await everyChannelApplying(connection)) {
    return;
  }
  await connection.query(REPLICATION_STATEMENTS[control].resume);
  const deadline = Date.now() + waitSeconds * 1000;
  while (!(await everyChannelApplying(connection))) {
    if (Date.now() >= deadline) {
      const channels = await replicaChannels(connection) ?? [];
      const where = channels.length > 1 ? ` on ${channelNames(channels.filter((channel) => !channel.sqlThreadRunning))}` : '';
      throw new Error(`'${REPLICATION_STATEMENTS[control].resume}' returned but the replica is not applying changes${where} after ${waitSeconds} s (see SHOW REPLICA STATUS: Last_SQL_Error)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The databases to dump: the requested ones (each must exist) or every database that is not
 * a system schema, sorted. Names with white space are refused: the dump script takes the
 * list space-separated.
 */
export async function listDumpDatabases(connection: Connection, requested: readonly string[] = []): Promise<string[]> {
  const [rows] = await connection.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
  const existing = (rows as Row[]).map((row) => String(row.name));
  let databases: string[];
  if (requested.length > 0) {
    const missing = requested.filter((name) => !existing.includes(name));
    if (missing.length > 0) {
      throw new Error(`the database(s) ${missing.join(', ')} to dump do not exist on the replica; it has ${existing.join(', ')}`);
    }
    databases = [...new Set(requested)];
  } else {
    databases = existing.filter((name) => !SYSTEM_SCHEMAS.includes(name));
  }
  const spaced = databases.filter((name) => /\s/.test(name));
  if (spaced.length > 0) {
    throw new Error(`database names with white space cannot be dumped by this job: ${spaced.map((name) => `'${name}'`).join(', ')}`);
  }
  if (databases.length === 0) {
    throw new Error('the replica has no database to dump (only system schemas)');
  }
  return databases.sort();
}
