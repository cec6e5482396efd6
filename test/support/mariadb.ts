/**
 * Real MariaDB servers on loopback for the tests and benchmarks that speak SQL.
 *
 * Each server gets its own folder (datadir, socket, pid file, defaults file) under the
 * OS temp folder, listens on 127.0.0.1 only, and is stopped by its pid, never by name.
 * Under jest the folder also names the run, so that the run's global teardown stops a server
 * a killed worker left running (jest-global-teardown.ts).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mysql from 'mysql2/promise';
import { defaultsFileArgument, DEFAULTS_FILE, RUN_ID_FILE, RUN_ID_VARIABLE, SERVER_FOLDER_PREFIX, SPAWNED_PID_FILE } from './mariadb-folder';
import { signalServerAndWait } from './mariadb-process';

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
  /** How long to wait for the server to accept connections. @default 60 */
  readonly startupTimeoutSeconds?: number;
}

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

/**
 * Every start of this test file, including ones still running or whose server's handle the test never got
 * (a step between the start and the assignment threw, or a `Promise.all` of starts rejected for another one).
 */
const starts = new Set<Promise<MariaDbServer>>();

/**
 * Starts one MariaDB server on 127.0.0.1 with binary logging and GTIDs.
 * A start that fails leaves no process and no folder behind.
 * The server belongs to the jest run named by the run id variable when this is called.
 */
export function startMariaDb(options: StartOptions = {}): Promise<MariaDbServer> {
  const start = launch(options);
  starts.add(start);
  return start;
}

/**
 * Stops every server this test file started and has not stopped, waiting for starts still running.
 * Call it in `afterAll` instead of stopping servers by their handles, which are not assigned when a step
 * after their start failed. `closeFirst` (closing connections, stopping replication) run one after the
 * other before the stop; one that throws skips neither the others nor the stop, and its error is
 * rethrown once the servers are stopped.
 */
export async function stopStartedServers(...closeFirst: Array<() => unknown>): Promise<void> {
  const closeErrors: unknown[] = [];
  for (const close of closeFirst) {
    try {
      await close();
    } catch (error) {
      closeErrors.push(error);
    }
  }
  // A failed start cleaned up after itself (its caller got the error); a stopped server stops once only.
  const outcomes = await Promise.allSettled([...starts]);
  await Promise.all(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop() : undefined)));
  if (closeErrors.length > 0) {
    throw closeErrors[0];
  }
}

async function launch(options: StartOptions): Promise<MariaDbServer> {
  const mariadbd = mariadbdPath();
  const serverId = options.serverId ?? 1;
  const baseDir = mkdtempSync(join(tmpdir(), `${SERVER_FOLDER_PREFIX}${serverId}-`));
  let pid: number | undefined;
  try {
    const runId = process.env[RUN_ID_VARIABLE];
    if (runId) {
      writeFileSync(join(baseDir, RUN_ID_FILE), runId);
    }
    return await launchIn(baseDir, mariadbd, serverId, options, (spawned) => { pid = spawned; });
  } catch (error) {
    if (pid !== undefined) {
      await signalServerAndWait(pid, baseDir, 'SIGKILL', 30);
    }
    rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
}

async function launchIn(baseDir: string, mariadbd: string, serverId: number, options: StartOptions,
  onSpawn: (pid: number) => void): Promise<MariaDbServer> {
  const asRoot = process.getuid?.() === 0;
  const dataDir = join(baseDir, 'data');
  mkdirSync(dataDir);
  // An own tmpdir: mariadb-install-db runs started at the same time collide on temporary table names in a shared /tmp.
  const tmpDir = join(baseDir, 'tmp');
  mkdirSync(tmpDir);
  const port = await freePort();
  const defaultsFile = join(baseDir, DEFAULTS_FILE);
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
  let child: ChildProcess;
  try {
    child = spawn(mariadbd, [defaultsFileArgument(baseDir)], { detached: true, stdio: ['ignore', log, log] });
  } finally {
    // The server has its own copy of the descriptor; ours would stay open for the life of the jest worker.
    closeSync(log);
  }
  child.unref();
  const pid = child.pid!;
  onSpawn(pid);
  writeFileSync(join(baseDir, SPAWNED_PID_FILE), String(pid));

  const timeoutSeconds = options.startupTimeoutSeconds ?? 60;
  const deadline = Date.now() + timeoutSeconds * 1000;
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
        throw new Error(`mariadbd on 127.0.0.1:${port} did not accept connections within ${timeoutSeconds} s: ${String(error)}`);
      }
      await sleep(100);
    }
  }
  try {
    // The admin user exists on each server on its own: it is not replicated.
    await rootConnection.query('SET SESSION sql_log_bin = 0');
    await rootConnection.query(`CREATE USER '${ADMIN_USER}'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}'`);
    await rootConnection.query(`GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION`);
  } finally {
    await rootConnection.end().catch(() => undefined);
  }

  const connectionOptions = (database?: string): mysql.ConnectionOptions => ({
    host: '127.0.0.1', port, user: ADMIN_USER, password: ADMIN_PASSWORD, database, multipleStatements: true,
  });
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    // By pid only while it is still this server's mariadbd: the system may have given it to another process.
    if (!await signalServerAndWait(pid, baseDir, 'SIGTERM', 30)) {
      await signalServerAndWait(pid, baseDir, 'SIGKILL', 30);
    }
    rmSync(baseDir, { recursive: true, force: true });
  };
  const server: MariaDbServer = {
    port,
    pid,
    serverId,
    baseDir,
    connectionOptions,
    connect: (database?: string) => mysql.createConnection(connectionOptions(database)),
    // Once only: stopping again (by its handle and by stopStartedServers) must not signal a pid the system reused.
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
  return server;
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
  // Settled, not Promise.all: when one start fails, the other server is stopped here instead of left running.
  const [masterStart, replicaStart] = await Promise.allSettled([
    startMariaDb({ ...options, serverId: 1 }),
    startMariaDb({ ...options, serverId: 2, extraConfig: ['read-only=1', ...(options.extraConfig ?? [])] }),
  ]);
  if (masterStart.status === 'rejected' || replicaStart.status === 'rejected') {
    await Promise.all([masterStart, replicaStart].map((start) => (start.status === 'fulfilled' ? start.value.stop() : undefined)));
    throw masterStart.status === 'rejected' ? masterStart.reason : (replicaStart as PromiseRejectedResult).reason;
  }
  const master = masterStart.value;
  const replica = replicaStart.value;
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
  try {
    const replicaConnection = await replica.connect();
    await replicaConnection.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${master.port}, MASTER_USER='${ADMIN_USER}', ` +
      `MASTER_PASSWORD='${ADMIN_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`);
    await replicaConnection.query('START SLAVE');
    await replicaConnection.end();
    await waitForReplica();
  } catch (error) {
    await Promise.all([master.stop(), replica.stop()]);
    throw error;
  }
  return {
    master,
    replica,
    waitForReplica,
    stop: async () => {
      await Promise.all([replica.stop(), master.stop()]);
    },
  };
}
