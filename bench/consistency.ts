/**
 * `npm run bench:consistency`: times the replica drift check against pt-table-checksum and
 * against a single full-scan checksum on one server, on a local MariaDB master and replica
 * with a 1,000,000-row table, and shows that the checker's memory stays flat at 4,000,000 rows.
 *
 * Needs MariaDB (the npm script runs scripts/ensure-mariadb.sh first) and Debian's
 * percona-toolkit (installed with apt-get when missing and run as root). Not part of `npm test`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Connection } from 'mysql2/promise';
import { checkConsistency } from '../core/consistency/checker';
import type { ConsistencyReport } from '../core/consistency/report';
import { keyedAggregateSelectList } from '../core/consistency/row-hash';
import { readTableDefinition } from '../core/consistency/schema';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair } from '../test/support/mariadb';

const DATABASE = 'bench';
const TABLE = 'orders';
/** Timed runs of every contender, in turns; the medians are compared. */
const ROUNDS = 11;
/** Two scans at once taking longer than this times one scan mark a run in which the host's second core was busy. */
const BUSY_HOST_FLOOR_RATIO = 1.1;
const COLUMNS = ['id', 'customer', 'email', 'amount', 'status', 'created', 'token', 'note'];

function ensurePerconaToolkit(): void {
  if (spawnSync('sh', ['-c', 'command -v pt-table-checksum']).status === 0) {
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error('pt-table-checksum is missing: run `apt-get update && apt-get install -y percona-toolkit` as root');
  }
  console.log('installing percona-toolkit with apt-get ...');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'percona-toolkit'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** The CPU seconds (user and system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name: state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The CPU seconds each server's process used while `work` ran (its work on that server; wall time adds waits for the other). */
async function serverCpu<T>(pair: ReplicatedPair, work: () => Promise<T>): Promise<{ result: T; master: number; replica: number }> {
  const before = [cpuSeconds(pair.master.pid), cpuSeconds(pair.replica.pid)];
  const result = await work();
  return { result, master: cpuSeconds(pair.master.pid) - before[0], replica: cpuSeconds(pair.replica.pid) - before[1] };
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function fill(master: Connection, from: number, to: number): Promise<void> {
  // In slices of 500,000 rows: one transaction per slice keeps the binlog events reasonable.
  for (let low = from; low <= to; low += 500_000) {
    const high = Math.min(to, low + 499_999);
    await master.query(
      `INSERT INTO ${DATABASE}.${TABLE} SELECT seq, CONCAT('customer-', seq MOD 50000), IF(seq MOD 5 = 0, NULL, CONCAT('user', seq, '@example.com')), ` +
      `(seq MOD 100000) / 100, ELT(1 + seq MOD 4, 'new', 'paid', 'shipped', 'returned'), '2026-01-01 00:00:00' + INTERVAL seq SECOND, ` +
      `UNHEX(MD5(seq)), IF(seq MOD 3 = 0, '', IF(seq MOD 3 = 1, NULL, 'gift')) FROM ${DATABASE}.seq_${low}_to_${high}`);
  }
}

async function injectDrift(replica: Connection): Promise<string[]> {
  await replica.query(`SET SESSION sql_log_bin = 0;
    UPDATE ${DATABASE}.${TABLE} SET amount = amount + 1 WHERE id = 123456;
    DELETE FROM ${DATABASE}.${TABLE} WHERE id = 234567;
    INSERT INTO ${DATABASE}.${TABLE} VALUES (9999999, 'extra', NULL, 1, 'new', NOW(), NULL, NULL);
    UPDATE ${DATABASE}.${TABLE} SET note = '' WHERE id = 345679;
    UPDATE ${DATABASE}.${TABLE} SET token = UNHEX(MD5('changed')) WHERE id = 456789;
    SET SESSION sql_log_bin = 1`);
  return ['different 123456', 'different 345679', 'different 456789', 'extra 9999999', 'missing 234567'];
}

function found(report: ConsistencyReport): string[] {
  return report.tables.flatMap((table) => table.drift.map((row) => `${row.kind} ${String(row.key.id)}`)).sort();
}

/**
 * Waits until the InnoDB page cleaner has written the loaded rows out on both servers: the
 * flushing after a bulk load takes CPU for about a minute here and would be timed along with
 * whichever contender runs first (most with the checker, which needs both servers).
 */
async function settle(connections: Connection[]): Promise<void> {
  const started = Date.now();
  await Promise.all(connections.map((connection) => connection.query('SET GLOBAL innodb_max_dirty_pages_pct = 0')));
  try {
    for (;;) {
      const dirty = await Promise.all(connections.map(async (connection) => {
        const [rows] = await connection.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
        return Number((rows as Array<{ Value: string }>)[0].Value);
      }));
      if (dirty.every((pages) => pages < 100) || Date.now() - started > 120_000) {
        console.log(`settled in ${((Date.now() - started) / 1000).toFixed(1)} s (dirty pages: ${dirty.join(', ')})`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await Promise.all(connections.map((connection) => connection.query('SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT')));
  }
}

async function baseline(connection: Connection): Promise<number> {
  const started = process.hrtime.bigint();
  await connection.query(`SELECT COUNT(*), BIT_XOR(CRC32(CONCAT_WS('#', ${COLUMNS.join(', ')}))) FROM ${DATABASE}.${TABLE}`);
  return seconds(started);
}

/** The baseline full scan on the master and the replica at once: the floor of any check that reads both servers. */
async function baselineBoth(master: Connection, replica: Connection): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all([baseline(master), baseline(replica)]);
  return seconds(started);
}

/** The checker's own chunk aggregate (keyed table) as one full scan on one server: the work the checker does on each server. */
async function checkerScan(connection: Connection): Promise<number> {
  const definition = await readTableDefinition(connection, DATABASE, TABLE);
  const started = process.hrtime.bigint();
  await connection.query(`SELECT ${keyedAggregateSelectList(definition.columns)} FROM ${DATABASE}.${TABLE}`);
  return seconds(started);
}

async function timedCheck(pair: ReplicatedPair): Promise<{ seconds: number; report: ConsistencyReport; peakRssMb: number; peakHeapMb: number; baseRssMb: number }> {
  const master = await pair.master.connect();
  const replica = await pair.replica.connect();
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 20);
  const started = process.hrtime.bigint();
  try {
    const report = await checkConsistency(master, replica, { databases: [DATABASE] });
    return { seconds: seconds(started), report, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20, baseRssMb: baseRss / 2 ** 20 };
  } finally {
    clearInterval(sampler);
    await master.end();
    await replica.end();
  }
}

function ptTableChecksum(pair: ReplicatedPair): { seconds: number; differingChunks: number; output: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync('pt-table-checksum', [
    `h=127.0.0.1,P=${pair.master.port},u=${ADMIN_USER},p=${ADMIN_PASSWORD}`,
    `--databases=${DATABASE}`, `--tables=${TABLE}`,
    '--no-check-binlog-format', '--no-check-replication-filters',
    `--recursion-method=dsn=h=127.0.0.1,P=${pair.master.port},u=${ADMIN_USER},p=${ADMIN_PASSWORD},D=percona,t=dsns`,
  ], { encoding: 'utf8' });
  const elapsed = seconds(started);
  const output = `${result.stdout}${result.stderr}`;
  const row = output.split('\n').find((line) => line.trim().endsWith(`${DATABASE}.${TABLE}`));
  if (!row) {
    throw new Error(`pt-table-checksum printed no result for ${DATABASE}.${TABLE}:\n${output}`);
  }
  // TS ERRORS DIFFS ROWS DIFF_ROWS CHUNKS SKIPPED TIME TABLE
  const differingChunks = Number(row.trim().split(/\s+/)[2]);
  return { seconds: elapsed, differingChunks, output };
}

async function main(): Promise<void> {
  ensurePerconaToolkit();
  console.log('starting a MariaDB master and replica on loopback ...');
  const pair = await startReplicatedPair({ extraConfig: ['innodb-buffer-pool-size=1G', 'innodb-log-file-size=256M'] });
  try {
    const master = await pair.master.connect();
    const replica = await pair.replica.connect();
    await master.query(`CREATE DATABASE ${DATABASE}; CREATE TABLE ${DATABASE}.${TABLE} (
      id INT NOT NULL PRIMARY KEY, customer VARCHAR(40) NOT NULL, email VARCHAR(80) NULL, amount DECIMAL(12,2) NOT NULL,
      status VARCHAR(10) NOT NULL, created DATETIME NOT NULL, token VARBINARY(16) NULL, note VARCHAR(20) NULL)`);
    await master.query(`CREATE DATABASE percona; CREATE TABLE percona.dsns (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT NULL, dsn VARCHAR(255) NOT NULL);
      INSERT INTO percona.dsns (dsn) VALUES ('h=127.0.0.1,P=${pair.replica.port},u=${ADMIN_USER},p=${ADMIN_PASSWORD}')`);
    let started = process.hrtime.bigint();
    await fill(master, 1, 1_000_000);
    await pair.waitForReplica(600);
    console.log(`1,000,000 rows loaded and replicated in ${seconds(started).toFixed(1)} s`);
    const expected = await injectDrift(replica);
    await settle([master, replica]);

    // Warm both buffer pools, then time the contenders in turns (the machine may be shared:
    // interleaving spreads other load evenly) and take the median of eleven runs each.
    await Promise.all([baseline(master), baseline(replica)]);
    const baselineRuns: number[] = [];
    const baselineCpu: number[] = [];
    const bothRuns: number[] = [];
    const scanRuns: number[] = [];
    const runs: Array<Awaited<ReturnType<typeof timedCheck>>> = [];
    const checkerCpu: Array<{ master: number; replica: number }> = [];
    const ptRuns: Array<ReturnType<typeof ptTableChecksum>> = [];
    // Each check is timed between two full scans: the speed of this host swings within seconds,
    // and the checker against the scans right around it shows what the swing does not.
    const pairedRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const scan = await serverCpu(pair, () => baseline(master));
      baselineRuns.push(scan.result);
      baselineCpu.push(scan.master);
      const check = await serverCpu(pair, () => timedCheck(pair));
      runs.push(check.result);
      checkerCpu.push({ master: check.master, replica: check.replica });
      const scanAfter = await baseline(master);
      pairedRatios.push(check.result.seconds / ((scan.result + scanAfter) / 2));
      bothRuns.push(await baselineBoth(master, replica));
      scanRuns.push(await checkerScan(master));
      ptRuns.push(ptTableChecksum(pair));
    }
    const baselineSeconds = median(baselineRuns);
    const checkerSeconds = median(runs.map((run) => run.seconds));
    const allFound = runs.every((run) => JSON.stringify(found(run.report)) === JSON.stringify(expected));
    const pt = { seconds: median(ptRuns.map((run) => run.seconds)), differingChunks: Math.min(...ptRuns.map((run) => run.differingChunks)) };

    console.log('');
    console.log('| 1,000,000 rows | wall time | drift found |');
    console.log('|---|---|---|');
    console.log(`| this checker (master and replica) | ${checkerSeconds.toFixed(2)} s (runs: ${runs.map((run) => run.seconds.toFixed(2)).join(', ')}) | ${allFound ? 'all 5 rows, by key' : `NOT ALL: ${found(runs[0].report).join(', ')}`} |`);
    console.log(`| pt-table-checksum | ${pt.seconds.toFixed(2)} s (runs: ${ptRuns.map((run) => run.seconds.toFixed(2)).join(', ')}) | ${pt.differingChunks} differing chunk(s), no keys |`);
    console.log(`| full scan COUNT(*), BIT_XOR(CRC32(CONCAT_WS(...))) on one server | ${baselineSeconds.toFixed(2)} s (runs: ${baselineRuns.map((run) => run.toFixed(2)).join(', ')}) | - |`);
    const bothSeconds = median(bothRuns);
    console.log(`| (the same full scan on the master and the replica at once: the floor for two servers) | ${bothSeconds.toFixed(2)} s (runs: ${bothRuns.map((run) => run.toFixed(2)).join(', ')}) | - |`);
    const scanSeconds = median(scanRuns);
    console.log(`| (the checker's row checksum as one full scan on one server: its work per server) | ${scanSeconds.toFixed(2)} s (runs: ${scanRuns.map((run) => run.toFixed(2)).join(', ')}) | - |`);
    console.log('');
    console.log(`checker's row checksum / full scan, one server: ${(scanSeconds / baselineSeconds).toFixed(2)}x`);
    console.log(`pt-table-checksum / checker: ${(pt.seconds / checkerSeconds).toFixed(2)}x (target >= 2x)`);
    console.log(`checker / full scan:         ${(checkerSeconds / baselineSeconds).toFixed(2)}x (target <= 1.5x)`);
    console.log(`checker / the full scans just before and after it, median of the rounds: ${median(pairedRatios).toFixed(2)}x (rounds: ${pairedRatios.map((ratio) => ratio.toFixed(2)).join(', ')})`);
    console.log(`checker / full scan on both servers at once: ${(checkerSeconds / bothSeconds).toFixed(2)}x`);
    // On a quiet host two scans at once take as long as one; when they do not, the second core
    // is busy elsewhere, and the checker (which needs both cores) pays for that, the baseline not.
    const floorRatio = bothSeconds / baselineSeconds;
    console.log(`full scan on both servers at once / on one server: ${floorRatio.toFixed(2)}x` +
      (floorRatio > BUSY_HOST_FLOOR_RATIO ? ` (above ${BUSY_HOST_FLOOR_RATIO}x: the host's second core was busy elsewhere during this run, so its wall-time ratios overstate the checker's; rerun)` : ''));
    const scanCpu = median(baselineCpu);
    const busierServerCpu = median(checkerCpu.map((run) => Math.max(run.master, run.replica)));
    console.log(`server CPU time (medians): full scan ${scanCpu.toFixed(2)} s on the master; checker ${median(checkerCpu.map((run) => run.master)).toFixed(2)} s on the master, ` +
      `${median(checkerCpu.map((run) => run.replica)).toFixed(2)} s on the replica`);
    console.log(`checker's busier server / full scan, in CPU time: ${(busierServerCpu / scanCpu).toFixed(2)}x (the wall-time ratio to expect when each server has its own machine, as on RDS, before round trips)`);
    const oneMillion = runs[runs.length - 1];
    console.log(`checker memory at 1M rows: peak RSS ${oneMillion.peakRssMb.toFixed(0)} MB (before the check ${oneMillion.baseRssMb.toFixed(0)} MB), peak heap ${oneMillion.peakHeapMb.toFixed(0)} MB`);

    started = process.hrtime.bigint();
    await fill(master, 1_000_001, 4_000_000);
    await pair.waitForReplica(1200);
    console.log(`\n3,000,000 more rows loaded and replicated in ${seconds(started).toFixed(1)} s`);
    await settle([master, replica]);
    const fourMillion = await timedCheck(pair);
    const fourFound = JSON.stringify(found(fourMillion.report)) === JSON.stringify(expected);
    console.log(`checker at 4M rows: ${fourMillion.seconds.toFixed(2)} s, drift ${fourFound ? 'all 5 rows found' : `NOT ALL: ${found(fourMillion.report).join(', ')}`}`);
    console.log(`checker memory at 4M rows: peak RSS ${fourMillion.peakRssMb.toFixed(0)} MB (before the check ${fourMillion.baseRssMb.toFixed(0)} MB), peak heap ${fourMillion.peakHeapMb.toFixed(0)} MB`);
    await master.end();
    await replica.end();
    if (!allFound || !fourFound) {
      process.exitCode = 1;
    }
  } finally {
    await pair.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
