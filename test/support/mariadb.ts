/**
 * Real MariaDB servers on loopback for the tests and benchmarks that speak SQL.
 *
 * Each server gets its own folder (datadir, socket, pid file, defaults file) under the
 * OS temp folder, listens on 127.0.0.1 only, and is stopped by its pid, never by name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mysql from 'mysql2/promise';

const SERVER_BINARIES = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'];
const INSTALL_HINT = 'MariaDB is not installed: run `apt-get update && apt-get install -y mariadb-server mariadb-client` (or `npm test`, which installs it as root).';

/** The user every test server is created with; it has all privileges. */
export const ADMIN_USER = 'tester';
export const ADMIN_PASSWORD = 'tester-password';

export interface MariaDbServer {
  readonly port: number;
  readonly pid: number;
  readonly serverId: number;
  /** Folder holding the datadir, socket, pid file and error log. */
  readonly baseDir: string;
  /** Options for a `mysql2` connection as the admin user over TCP on 127.0.0.1. */
  connectionOptions(database?: string): mysql.ConnectionOptions;
  /** Opens a connection as the admin user. */
  connect(database?: string): Promise<mysql.Connection>;
  /** Stops the server by its pid and removes its folder. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Unique per server in a replication topology. @default 1 */
  readonly serverId?: number;
  /** ROW, STATEMENT or MIXED. @default ROW */
  readonly binlogFormat?: string;
  /** Extra `key=value` lines for the [mariadbd] section. */
  readonly extraConfig?: string[];
}

const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** The path of the server binary, or an error with the one-line install instruction. */
export function mariadbdPath(): string {
  const found = SERVER_BINARIES.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(INSTALL_HINT);
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts one MariaDB server on 127.0.0.1 with binary logging and GTIDs. */
export async function startMariaDb(options: StartOptions = {}): Promise<MariaDbServer> {
  const mariadbd = mariadbdPath();
  const serverId = options.serverId ?? 1;
  const asRoot = process.getuid?.() === 0;
  const baseDir = mkdtempSync(join(tmpdir(), `cdk-backup-dr-mariadb-${serverId}-`));
  const dataDir = join(baseDir, 'data');
  mkdirSync(dataDir);
  // An own tmpdir: mariadb-install-db runs started at the same time collide on temporary table names in a shared /tmp.
  const tmpDir = join(baseDir, 'tmp');
  mkdirSync(tmpDir);
  const port = await freePort();
  const defaultsFile = join(baseDir, 'my.cnf');
  const pidFile = join(baseDir, 'mariadbd.pid');
  const errorLog = join(baseDir, 'error.log');
  writeFileSync(defaultsFile, [
    '[mariadbd]',
    ...(asRoot ? ['user=mysql'] : []),
    `datadir=${dataDir}`,
    `tmpdir=${tmpDir}`,
    `socket=${join(baseDir, 'mariadbd.sock')}`,
    `pid-file=${pidFile}`,
    `log-error=${errorLog}`,
    `port=${port}`,
    'bind-address=127.0.0.1',
    `server-id=${serverId}`,
    `log-bin=${join(baseDir, 'binlog')}`,
    `binlog-format=${options.binlogFormat ?? 'ROW'}`,
    'log-slave-updates=1',
    'skip-name-resolve=1',
    'innodb-buffer-pool-size=256M',
    'innodb-log-file-size=64M',
    'innodb-flush-log-at-trx-commit=2',
    'sync-binlog=0',
    'max-connections=200',
    ...(options.extraConfig ?? []),
    '',
  ].join('\n'));
  if (asRoot) {
    execFileSync('chown', ['-R', 'mysql:mysql', baseDir]);
  }
  execFileSync('mariadb-install-db', [`--defaults-file=${defaultsFile}`, ...(asRoot ? ['--user=mysql'] : []), '--skip-test-db', '--auth-root-authentication-method=normal'], { stdio: 'pipe' });

  const log = openSync(join(baseDir, 'stdout.log'), 'a');
  const child = spawn(mariadbd, [`--defaults-file=${defaultsFile}`], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const pid = child.pid!;
  running.add(pid);

  const deadline = Date.now() + 60_000;
  let rootConnection: mysql.Connection | undefined;
  while (!rootConnection) {
    if (!isAlive(pid)) {
      const tail = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`mariadbd (server-id ${serverId}) exited during start-up:\n${tail}`);
    }
    try {
      rootConnection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`mariadbd on 127.0.0.1:${port} did not accept connections within 60 s: ${String(error)}`);
      }
      await sleep(100);
    }
  }
  // The admin user exists on each server on its own: it is not replicated.
  await rootConnection.query('SET SESSION sql_log_bin = 0');
  await rootConnection.query(`CREATE USER '${ADMIN_USER}'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}'`);
  await rootConnection.query(`GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION`);
  await rootConnection.end();

  const connectionOptions = (database?: string): mysql.ConnectionOptions => ({
    host: '127.0.0.1', port, user: ADMIN_USER, password: ADMIN_PASSWORD, database, multipleStatements: true,
  });
  return {
    port,
    pid,
    serverId,
    baseDir,
    connectionOptions,
    connect: (database?: string) => mysql.createConnection(connectionOptions(database)),
    stop: async () => {
      if (isAlive(pid)) {
        process.kill(pid, 'SIGTERM');
        const stopDeadline = Date.now() + 30_000;
        while (isAlive(pid) && Date.now() < stopDeadline) {
          await sleep(50);
        }
        if (isAlive(pid)) {
          process.kill(pid, 'SIGKILL');
        }
      }
      running.delete(pid);
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}

export interface ReplicatedPair {
  readonly master: MariaDbServer;
  readonly replica: MariaDbServer;
  /** Waits until the replica has applied everything the master has written. */
  waitForReplica(timeoutSeconds?: number): Promise<void>;
  /** Stops both servers. */
  stop(): Promise<void>;
}

/** Starts a master and a replica with GTID replication between them on loopback. */
export async function startReplicatedPair(options: Omit<StartOptions, 'serverId'> = {}): Promise<ReplicatedPair> {
  const [master, replica] = await Promise.all([
    startMariaDb({ ...options, serverId: 1 }),
    startMariaDb({ ...options, serverId: 2, extraConfig: ['read-only=1', ...(options.extraConfig ?? [])] }),
  ]);
  try {
    const replicaConnection = await replica.connect();
    await replicaConnection.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${master.port}, MASTER_USER='${ADMIN_USER}', ` +
      `MASTER_PASSWORD='${ADMIN_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`);
    await replicaConnection.query('START SLAVE');
    await replicaConnection.end();
  } catch (error) {
    await Promise.all([master.stop(), replica.stop()]);
    throw error;
  }
  const waitForReplica = async (timeoutSeconds = 60): Promise<void> => {
    const masterConnection = await master.connect();
    const [rows] = await masterConnection.query('SELECT @@gtid_binlog_pos AS pos');
    await masterConnection.end();
    const position = (rows as Array<{ pos: string }>)[0].pos;
    const replicaConnection = await replica.connect();
    const [waited] = await replicaConnection.query('SELECT MASTER_GTID_WAIT(?, ?) AS result', [position, timeoutSeconds]);
    await replicaConnection.end();
    if ((waited as Array<{ result: number }>)[0].result !== 0) {
      throw new Error(`replica did not reach master position ${position} within ${timeoutSeconds} s`);
    }
  };
  await waitForReplica();
  return {
    master,
    replica,
    waitForReplica,
    stop: async () => {
      await Promise.all([replica.stop(), master.stop()]);
    },
  };
}
