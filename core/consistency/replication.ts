/**
 * Replication positions and replica health, for MariaDB and MySQL 8 alike.
 */
import type { Connection } from 'mysql2/promise';

/** Which server family a connection speaks to: the GTID functions and status columns differ. */
export type ServerFlavor = 'mariadb' | 'mysql';

type Row = Record<string, unknown>;

/** Reads the server version, tells MariaDB from MySQL, and reads the `server_id` that names the server in replication. */
export async function serverInfo(connection: Connection): Promise<{ flavor: ServerFlavor; version: string; serverId: string }> {
  const [rows] = await connection.query('SELECT VERSION() AS version, @@GLOBAL.server_id AS id');
  const row = (rows as Row[])[0];
  const version = String(row.version);
  return { flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version, serverId: String(row.id) };
}

/** The master's current GTID position ('' when GTIDs are off). */
export async function masterGtidPosition(connection: Connection, flavor: ServerFlavor): Promise<string> {
  const sql = flavor === 'mariadb' ? 'SELECT @@GLOBAL.gtid_binlog_pos AS pos' : 'SELECT @@GLOBAL.gtid_executed AS pos';
  const [rows] = await connection.query(sql);
  return String((rows as Row[])[0].pos ?? '').replace(/\s+/g, '');
}

/**
 * Why positions cannot be matched on this master, or '' when they can: MySQL needs
 * `gtid_mode=ON` (MariaDB always has GTIDs).
 */
export async function gtidProblem(connection: Connection, flavor: ServerFlavor): Promise<string> {
  if (flavor === 'mariadb') {
    return '';
  }
  const [rows] = await connection.query('SELECT @@GLOBAL.gtid_mode AS mode');
  const mode = String((rows as Row[])[0].mode ?? 'OFF');
  return mode === 'ON' ? '' : `gtid_mode is ${mode} on the master: the replica's position cannot be matched (set gtid-mode=ON and enforce_gtid_consistency=ON)`;
}

/**
 * Waits until the replica has applied the master's position `position`.
 * @returns true when reached, false on timeout
 */
export async function waitForPosition(replica: Connection, flavor: ServerFlavor, position: string, timeoutSeconds: number): Promise<boolean> {
  if (position === '') {
    return true;
  }
  if (flavor === 'mariadb') {
    const [rows] = await replica.query('SELECT MASTER_GTID_WAIT(?, ?) AS result', [position, timeoutSeconds]);
    return Number((rows as Row[])[0].result) === 0;
  }
  const [rows] = await replica.query('SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS result', [position, timeoutSeconds]);
  return Number((rows as Row[])[0].result) === 0;
}

/** The health of one replication channel (MySQL) or named connection (MariaDB). */
export interface ReplicaChannelHealth {
  /** The channel's name; '' for the default one. */
  readonly channel: string;
  readonly ioThreadRunning: boolean;
  readonly sqlThreadRunning: boolean;
  /** The IO thread state as reported (`Yes`, `No`, `Connecting`, `Preparing` on MariaDB as it starts). */
  readonly ioState: string;
  readonly sqlState: string;
  /** Seconds behind the master, or null when the server cannot tell (a thread is stopped). */
  readonly lagSeconds: number | null;
  /** The last IO or SQL error, '' when none. */
  readonly lastError: string;
  /** The master host and port the channel reads from. */
  readonly source: string;
}

/**
 * The replication health of a replica over all its channels, from `SHOW ALL SLAVES STATUS`
 * (MariaDB) or `SHOW REPLICA STATUS` (MySQL, one row per channel). The threads run when they
 * run on every channel; the states and errors are those of the channels that do not; the lag
 * is the largest.
 */
export interface ReplicaHealth extends Omit<ReplicaChannelHealth, 'channel'> {
  /** False when the server is not configured as a replica at all. */
  readonly configured: boolean;
  /** Every channel, in the server's order; empty when the server is no replica. */
  readonly channels: readonly ReplicaChannelHealth[];
}

function pick(row: Row, ...names: string[]): unknown {
  for (const name of names) {
    if (name in row) {
      return row[name];
    }
  }
  return undefined;
}

/**
 * Reads one row of `SHOW REPLICA STATUS` in either naming: MySQL 8.4 (`Replica_IO_Running`,
 * `Seconds_Behind_Source`, `Source_Host`, `Channel_Name`) or MariaDB / older MySQL
 * (`Slave_IO_Running`, `Seconds_Behind_Master`, `Master_Host`, `Connection_name`).
 */
export function parseChannelStatus(row: Row): ReplicaChannelHealth {
  const ioState = String(pick(row, 'Replica_IO_Running', 'Slave_IO_Running') ?? 'No');
  const sqlState = String(pick(row, 'Replica_SQL_Running', 'Slave_SQL_Running') ?? 'No');
  const lag = pick(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
  const errors = [
    ['IO', pick(row, 'Last_IO_Errno'), pick(row, 'Last_IO_Error')],
    ['SQL', pick(row, 'Last_SQL_Errno'), pick(row, 'Last_SQL_Error')],
  ].filter(([, , message]) => message !== undefined && message !== null && String(message) !== '')
    .map(([thread, errno, message]) => `${thread} error ${String(errno ?? '')}: ${String(message)}`.replace(' : ', ': '));
  const host = pick(row, 'Source_Host', 'Master_Host');
  const port = pick(row, 'Source_Port', 'Master_Port');
  return {
    channel: String(pick(row, 'Channel_Name', 'Channel_name', 'Connection_name') ?? ''),
    ioThreadRunning: ioState === 'Yes',
    sqlThreadRunning: sqlState === 'Yes',
    ioState,
    sqlState,
    lagSeconds: lag === null || lag === undefined || lag === '' ? null : Number(lag),
    lastError: errors.join('; '),
    source: host ? `${String(host)}:${String(port ?? '')}` : '',
  };
}

function channelLabel(channel: ReplicaChannelHealth): string {
  return channel.channel === '' ? 'the default channel' : `channel '${channel.channel}'`;
}

/**
 * The health over every row of the replica status (one per channel). No row means "not a
 * replica"; one row reads as before; with several, a thread counts as running when it runs
 * on every channel, and the lag is the largest (unknown when any channel's is).
 */
export function parseReplicaStatus(rows: Row | readonly Row[] | undefined): ReplicaHealth {
  const list = rows === undefined ? [] : Array.isArray(rows) ? rows as readonly Row[] : [rows as Row];
  if (list.length === 0) {
    return { configured: false, ioThreadRunning: false, sqlThreadRunning: false, ioState: 'No', sqlState: 'No', lagSeconds: null, lastError: 'the server is not configured as a replica', source: '', channels: [] };
  }
  const channels = list.map(parseChannelStatus);
  if (channels.length === 1) {
    const [only] = channels;
    return {
      configured: true, ioThreadRunning: only.ioThreadRunning, sqlThreadRunning: only.sqlThreadRunning, ioState: only.ioState, sqlState: only.sqlState,
      lagSeconds: only.lagSeconds, lastError: only.lastError, source: only.source, channels,
    };
  }
  const broken = channels.filter((channel) => !channel.ioThreadRunning || !channel.sqlThreadRunning);
  const lags = channels.map((channel) => channel.lagSeconds);
  return {
    configured: true,
    ioThreadRunning: channels.every((channel) => channel.ioThreadRunning),
    sqlThreadRunning: channels.every((channel) => channel.sqlThreadRunning),
    ioState: (broken.find((channel) => !channel.ioThreadRunning) ?? channels[0]).ioState,
    sqlState: (broken.find((channel) => !channel.sqlThreadRunning) ?? channels[0]).sqlState,
    lagSeconds: lags.some((lag) => lag === null) ? null : Math.max(...(lags as number[])),
    lastError: channels.filter((channel) => channel.lastError).map((channel) => `${channelLabel(channel)}: ${channel.lastError}`).join('; '),
    source: channels.map((channel) => channel.source).filter((source) => source).join(', '),
    channels,
  };
}

/** IO thread states of a thread that is starting: MariaDB shows them for some milliseconds after `START SLAVE`. */
const STARTING_IO_STATES = new Set(['Preparing', 'Connecting']);

/** How long a reading waits for an IO thread that is starting before taking its state as it is. */
export const IO_THREAD_START_WAIT_MS = 2000;

/**
 * Reads the replica's health over all its channels in one query: `SHOW ALL SLAVES STATUS` on
 * MariaDB (`SHOW REPLICA STATUS` there shows the default connection only), `SHOW REPLICA
 * STATUS` on MySQL (every channel), falling back to `SHOW SLAVE STATUS` before MySQL 8.0.22.
 * While the IO thread of a channel is `Preparing` or `Connecting`, as right after a start, it
 * reads again every 200 ms for up to `startWaitMs`: a check that lands just after a start is not
 * refused for it. A thread still not running then is returned as it is (not running).
 */
export async function replicaHealth(replica: Connection, flavor: ServerFlavor, startWaitMs = IO_THREAD_START_WAIT_MS): Promise<ReplicaHealth> {
  const until = Date.now() + startWaitMs;
  for (;;) {
    const health = await readReplicaHealth(replica, flavor);
    if (Date.now() >= until || !health.channels.some((channel) => STARTING_IO_STATES.has(channel.ioState))) {
      return health;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, until - Date.now()))));
  }
}

async function readReplicaHealth(replica: Connection, flavor: ServerFlavor): Promise<ReplicaHealth> {
  let rows: unknown;
  if (flavor === 'mariadb') {
    [rows] = await replica.query('SHOW ALL SLAVES STATUS');
    return parseReplicaStatus(rows as Row[]);
  }
  try {
    [rows] = await replica.query('SHOW REPLICA STATUS');
  } catch (error) {
    if ((error as { errno?: number }).errno !== 1064) {
      throw error;
    }
    [rows] = await replica.query('SHOW SLAVE STATUS');
  }
  return parseReplicaStatus(rows as Row[]);
}

function describeThreads(channel: Omit<ReplicaChannelHealth, 'channel'>): string {
  const problems: string[] = [];
  if (!channel.ioThreadRunning) {
    problems.push(`the IO thread is ${channel.ioState === 'No' ? 'stopped' : `'${channel.ioState}'`}`);
  }
  if (!channel.sqlThreadRunning) {
    problems.push(`the SQL thread is ${channel.sqlState === 'No' ? 'stopped' : `'${channel.sqlState}'`}`);
  }
  return problems.length === 0 ? '' : `${problems.join(' and ')}${channel.lastError ? ` (${channel.lastError})` : ''}`;
}

/** Why the replica cannot be compared right now, or '' when its threads run on every channel. */
export function describeUnhealthy(health: ReplicaHealth): string {
  if (!health.configured) {
    return 'the replica server is not configured as a replica (SHOW REPLICA STATUS is empty)';
  }
  if (health.channels.length <= 1) {
    const threads = describeThreads(health);
    return threads ? `replication is not running: ${threads}` : '';
  }
  const problems = health.channels.map((channel) => [channelLabel(channel), describeThreads(channel)])
    .filter(([, threads]) => threads).map(([label, threads]) => `${label}: ${threads}`);
  return problems.length === 0 ? '' : `replication is not running on ${problems.join('; ')}`;
}
