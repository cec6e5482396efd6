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

/** The replication health of a replica, from `SHOW REPLICA STATUS` / `SHOW SLAVE STATUS`. */
export interface ReplicaHealth {
  /** False when the server is not configured as a replica at all. */
  readonly configured: boolean;
  readonly ioThreadRunning: boolean;
  readonly sqlThreadRunning: boolean;
  /** The IO thread state as reported (`Yes`, `No`, `Connecting`). */
  readonly ioState: string;
  readonly sqlState: string;
  /** Seconds behind the master, or null when the server cannot tell (a thread is stopped). */
  readonly lagSeconds: number | null;
  /** The last IO or SQL error, '' when none. */
  readonly lastError: string;
  /** The master host and port the replica reads from. */
  readonly source: string;
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
 * `Seconds_Behind_Source`, `Source_Host`) or MariaDB / older MySQL (`Slave_IO_Running`,
 * `Seconds_Behind_Master`, `Master_Host`). `undefined` means "not a replica".
 */
export function parseReplicaStatus(row: Row | undefined): ReplicaHealth {
  if (!row) {
    return { configured: false, ioThreadRunning: false, sqlThreadRunning: false, ioState: 'No', sqlState: 'No', lagSeconds: null, lastError: 'the server is not configured as a replica', source: '' };
  }
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
    configured: true,
    ioThreadRunning: ioState === 'Yes',
    sqlThreadRunning: sqlState === 'Yes',
    ioState,
    sqlState,
    lagSeconds: lag === null || lag === undefined || lag === '' ? null : Number(lag),
    lastError: errors.join('; '),
    source: host ? `${String(host)}:${String(port ?? '')}` : '',
  };
}

/** Reads the replica's health (`SHOW REPLICA STATUS`, falling back to `SHOW SLAVE STATUS` on old servers). */
export async function replicaHealth(replica: Connection): Promise<ReplicaHealth> {
  let rows: unknown;
  try {
    [rows] = await replica.query('SHOW REPLICA STATUS');
  } catch (error) {
    if ((error as { errno?: number }).errno !== 1064) {
      throw error;
    }
    [rows] = await replica.query('SHOW SLAVE STATUS');
  }
  return parseReplicaStatus((rows as Row[])[0]);
}

/** Why the replica cannot be compared right now, or '' when its threads run. */
export function describeUnhealthy(health: ReplicaHealth): string {
  if (!health.configured) {
    return 'the replica server is not configured as a replica (SHOW REPLICA STATUS is empty)';
  }
  const problems: string[] = [];
  if (!health.ioThreadRunning) {
    problems.push(`the IO thread is ${health.ioState === 'No' ? 'stopped' : `'${health.ioState}'`}`);
  }
  if (!health.sqlThreadRunning) {
    problems.push(`the SQL thread is ${health.sqlState === 'No' ? 'stopped' : `'${health.sqlState}'`}`);
  }
  if (problems.length === 0) {
    return '';
  }
  return `replication is not running: ${problems.join(' and ')}${health.lastError ? ` (${health.lastError})` : ''}`;
}
