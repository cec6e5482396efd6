import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import type { CheckIo } from '../../../cli/commands/check';
import { parseConnectionUrl, run } from '../../../cli/commands/check';
import { main } from '../../../cli/index';
import { ProgressRenderer, renderBar } from '../../../cli/progress';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;

class Capture {
  public text = '';
  constructor(public readonly isTTY = false, public readonly columns = 80) {}
  public write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A URL without the password (it comes from MYSQL_PWD, or is asked for). */
function url(port: number): string {
  return `mysql://${ADMIN_USER}@127.0.0.1:${port}`;
}

async function check(args: string[], tty = false, io: Partial<CheckIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture(tty);
  const code = await run(args, { stdout, stderr, env: { MYSQL_PWD: ADMIN_PASSWORD }, stdin: new PassThrough(), ...io });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A terminal on which the given lines are typed, one each time the command asks. */
function terminal(lines: string[]): PassThrough & { isTTY: boolean } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  input.on('resume', () => {
    const line = lines.shift();
    if (line !== undefined) {
      setImmediate(() => input.write(line));
    }
  });
  return input;
}


beforeAll(async () => {
  pair = await startReplicatedPair();
  const master = await pair.master.connect();
  await master.query(`CREATE DATABASE app; CREATE TABLE app.users (id INT PRIMARY KEY, email VARCHAR(40) NULL);
    INSERT INTO app.users SELECT seq, CONCAT('u', seq, '@example.com') FROM app.seq_1_to_5000;
    CREATE DATABASE logs; CREATE TABLE logs.lines (line VARCHAR(40)); INSERT INTO logs.lines VALUES ('a'), ('b'), ('c');`);
  await master.end();
  await pair.waitForReplica();
});

afterAll(async () => {
  await stopStartedServers();
});

describe('cdk-backup-dr check', () => {
  test('consistent: exit 0, a progress line per table and a human summary', async () => {
    const result = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app,logs']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^CONSISTENT: the replica matches the master\n {2}2 tables compared in/);
    expect(result.stdout).toContain('CONSISTENT logs.lines (no primary key: compared as a whole)');
    expect(result.stderr).toContain('app.users  ok  (5,000 rows)\n');
    // A table without a primary key sends no chunk progress: its line counts the rows it compared.
    expect(result.stderr).toContain('logs.lines  ok  (3 rows)\n');
    expect(result.stderr).not.toContain('\r');
  });

  test('drift: exit 1, the keys in the summary and in --json', async () => {
    const replica = await pair.replica.connect();
    await replica.query("SET SESSION sql_log_bin = 0; UPDATE app.users SET email = NULL WHERE id = 42; DELETE FROM app.users WHERE id = 4000; SET SESSION sql_log_bin = 1");
    try {
      const human = await check([`--master=${url(pair.master.port)}`, `--replica=${url(pair.replica.port)}`, '--databases=app']);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain('DRIFT: 2 rows differ');
      expect(human.stdout).toContain('DRIFT      app.users\n');
      expect(human.stdout).toContain('\n    different id=42\n');
      expect(human.stdout).toContain('\n    missing   id=4000\n');
      const json = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app', '--json']);
      expect(json.code).toBe(1);
      expect(json.stderr).toBe('');
      const report = JSON.parse(json.stdout);
      expect(report.status).toBe('drift');
      expect(report.tables[0].drift).toHaveLength(2);
      expect(report.tables[0].drift).toEqual(expect.arrayContaining([{ key: { id: 42 }, kind: 'different' }, { key: { id: 4000 }, kind: 'missing' }]));
    } finally {
      await replica.query("SET SESSION sql_log_bin = 0; UPDATE app.users SET email = 'u42@example.com' WHERE id = 42; INSERT INTO app.users VALUES (4000, 'u4000@example.com'); SET SESSION sql_log_bin = 1");
      await replica.end();
    }
  });

  test('drift: the headline counts one row in the singular, and a table missing on the replica as a table, not as 0 rows', async () => {
    const master = await pair.master.connect();
    const replica = await pair.replica.connect();
    await master.query('SET SESSION sql_log_bin = 0; CREATE TABLE app.master_only (id INT PRIMARY KEY); SET SESSION sql_log_bin = 1');
    await replica.query("SET SESSION sql_log_bin = 0; UPDATE app.users SET email = 'changed' WHERE id = 7; SET SESSION sql_log_bin = 1");
    try {
      const both = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app']);
      expect(both.code).toBe(1);
      expect(both.stdout.split('\n')[0]).toBe('DRIFT: 1 row differs; 1 table differs as a whole (missing, extra or defined differently)');
      await replica.query("SET SESSION sql_log_bin = 0; UPDATE app.users SET email = 'u7@example.com' WHERE id = 7; SET SESSION sql_log_bin = 1");
      const tableOnly = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app']);
      expect(tableOnly.code).toBe(1);
      expect(tableOnly.stdout.split('\n')[0]).toBe('DRIFT: 1 table differs as a whole (missing, extra or defined differently)');
      expect(tableOnly.stdout).toContain('app.master_only');
    } finally {
      await replica.query("SET SESSION sql_log_bin = 0; UPDATE app.users SET email = 'u7@example.com' WHERE id = 7; SET SESSION sql_log_bin = 1");
      await master.query('SET SESSION sql_log_bin = 0; DROP TABLE app.master_only; SET SESSION sql_log_bin = 1');
      await replica.end();
      await master.end();
    }
  });

  test('unknown: exit 2 when the replica is stopped or cannot be reached', async () => {
    const replica = await pair.replica.connect();
    await replica.query('STOP SLAVE SQL_THREAD');
    try {
      const stopped = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app']);
      expect(stopped.code).toBe(2);
      expect(stopped.stdout).toContain('UNKNOWN: the check could not tell whether the replica matches\n  reason: replication is not running: the SQL thread is stopped');
    } finally {
      await replica.query('START SLAVE SQL_THREAD');
      await replica.end();
    }
    const misspelt = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'apq']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stdout).toContain('\n  reason: no tables found on the master in apq\n  0 tables compared in');
    const unreachable = await check(['--master', url(pair.master.port), '--replica', url(1), '--json']);
    expect(unreachable.code).toBe(2);
    expect(JSON.parse(unreachable.stdout)).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/^could not connect to the replica 127\.0\.0\.1:1: /) });
  });

  test('--time-limit: a check that has not finished when it passes ends unknown (exit 2), out of time, instead of waiting on', async () => {
    const replica = await pair.replica.connect();
    const master = await pair.master.connect();
    // A replica 30 s behind, with a lag limit above that: without a limit the check would wait for it.
    await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE');
    try {
      await master.query("UPDATE app.users SET email = 'late@example.com' WHERE id = 7");
      const started = Date.now();
      const result = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app', '--max-lag', '120', '--time-limit', '1.5s', '--json']);
      const took = Date.now() - started;
      expect(result.code).toBe(2);
      const report = JSON.parse(result.stdout) as { status: string; complete: boolean; reason: string; tables: unknown[] };
      expect(report).toMatchObject({ status: 'unknown', complete: false, tables: [] });
      expect(report.reason).toMatch(/^the check ran out of time before every table was compared/);
      expect(took).toBeGreaterThanOrEqual(1500);
      expect(took).toBeLessThan(3000);
    } finally {
      await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE');
      await master.query("UPDATE app.users SET email = 'u7@example.com' WHERE id = 7");
      await replica.end();
      await master.end();
      await pair.waitForReplica();
    }
    const inTime = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app', '--time-limit', '10m']);
    expect(inTime.code).toBe(0);
  });

  test('--time-limit: a check out of time after it found drift ends drift (exit 1), incomplete, listing only the tables compared', async () => {
    const master = await pair.master.connect();
    const replica = await pair.replica.connect();
    // A table the replica lacks (drift, found first), then app.users held by a write lock on the replica.
    await master.query('SET sql_log_bin = 0; CREATE TABLE app.a_only_here (id INT PRIMARY KEY); SET sql_log_bin = 1');
    await replica.query('LOCK TABLES app.users WRITE');
    try {
      const result = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app', '--time-limit', '1s', '--json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { status: string; complete: boolean; reason: string; tables: Array<{ table: string; status: string }> };
      expect(report).toMatchObject({ status: 'drift', complete: false, tables: [{ table: 'a_only_here', status: 'drift' }] });
      expect(report.tables).toHaveLength(1);
      expect(report.reason).toMatch(/^the check ran out of time before every table was compared/);
    } finally {
      await replica.query('UNLOCK TABLES');
      await master.query('SET sql_log_bin = 0; DROP TABLE app.a_only_here; SET sql_log_bin = 1');
      await replica.end();
      await master.end();
    }
  });

  test('--time-limit covers connecting: a server that accepts the connection but never answers ends the check at the limit, out of time', async () => {
    // A listening socket that never sends the MySQL handshake: the connection attempt would wait
    // for the 10 s connect timeout.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const result = await check(['--master', url(pair.master.port), '--replica', url(silentPort), '--time-limit', '1s', '--json']);
      const took = Date.now() - started;
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'unknown', complete: false, tables: [],
        reason: `could not connect to the replica 127.0.0.1:${silentPort}: the check ran out of time (--time-limit 1s) while connecting` });
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(2500);
      // The JSON says how long the command tried, as a report of a check that ran does.
      const report = JSON.parse(result.stdout) as { startedAt: string; finishedAt: string; durationSeconds: number };
      expect(report.durationSeconds).toBeGreaterThanOrEqual(0.9);
      expect(Date.parse(report.finishedAt) - Date.parse(report.startedAt)).toBe(Math.round(report.durationSeconds * 1000));
    } finally {
      silent.close();
    }
  });

  test('--time-limit longer than a timer can count (30 days, above 2^31 ms) connects and runs the check as without one', async () => {
    const result = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app,logs', '--time-limit', '720h', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'consistent', complete: true });
    expect(result.code).toBe(0);
  });

  test('a server that cannot be reached leaves no connection open to the other (the command would not exit)', async () => {
    const master = await pair.master.connect();
    const open = async (): Promise<number> => {
      const [rows] = await master.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Binlog Dump', 'Daemon')");
      return Number((rows as Array<{ n: number }>)[0].n);
    };
    try {
      const before = await open();
      // Port 1 refuses at once, before the master has answered: the master's connection opens after the check has given up.
      const unreachable = await check(['--master', url(pair.master.port), '--replica', url(1)]);
      expect(unreachable.code).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await open()).toBe(before);
    } finally {
      await master.end();
    }
  });

  test('draws a redrawn bar on a TTY', async () => {
    const result = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app'], true);
    expect(result.code).toBe(0);
    expect(result.stderr.replace(/\r/g, '<CR>').split('\u001b[2K').join('<EL>')).toMatch(/<CR><EL>app\.users \[[#.]+\] +\d+%/);
    expect(result.stderr).toContain('\r\x1b[2Kapp.users  ok  (5,000 rows)\n');
  });

  test('--tables and --exclude-tables choose the tables; the summary names the excluded ones', async () => {
    const only = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--tables', 'app.users']);
    expect(only.code).toBe(0);
    expect(only.stdout).toContain('1 table compared in');
    expect(only.stderr).toContain('app.users  ok');
    const without = await check(['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'app,logs', '--exclude-tables=logs.lines,app.none']);
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('  1 table compared in');
    expect(without.stdout).toContain('\n  not compared (excluded): logs.lines');
    expect(without.stderr).not.toContain('logs.lines');
  });

  test('usage errors: exit 64 with the reason; --help: exit 0', async () => {
    expect(await check(['--master', url(pair.master.port)])).toMatchObject({ code: 64, stderr: expect.stringContaining('--replica is required') });
    expect(await check(['--master', 'http://x', '--replica', url(1)])).toMatchObject({ code: 64, stderr: expect.stringContaining("--master must start with mysql://, got 'http://'") });
    expect(await check(['--master', url(1), '--replica', url(1), '--max-lag', '-3'])).toMatchObject({ code: 64, stderr: expect.stringContaining("--max-lag must be a number of seconds above 0, in decimal digits with an optional fraction (e.g. 30 or 0.5); got '-3'") });
    expect(await check(['--bogus'])).toMatchObject({ code: 64, stderr: expect.stringContaining("unknown option '--bogus'") });
    expect(await check(['--master', url(1), '--replica', url(1), '--exclude-tables', 'app.users,logs'])).toMatchObject({
      code: 64, stderr: expect.stringContaining("--exclude-tables takes table names 'schema.table' (a schema name, a dot, a table name), separated by commas, got 'logs'"),
    });
    const help = await check(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 consistent, 1 drift, 2 unknown, 64 usage error, 130 interrupted at a password prompt.');
  });

  test('is registered in the command table', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await main(['--help']);
      expect(String(log.mock.calls[0][0])).toMatch(/\n {2}check +compare a MySQL master and its replica/);
    } finally {
      log.mockRestore();
    }
  });
});

describe('passwords', () => {
  const args = (): string[] => ['--master', url(pair.master.port), '--replica', url(pair.replica.port), '--databases', 'logs'];
  const withPassword = (port: number): string => `mysql://${ADMIN_USER}:${encodeURIComponent(ADMIN_PASSWORD)}@127.0.0.1:${port}`;

  test('a password in a URL works, with a warning that others can read it', async () => {
    const result = await check(['--master', withPassword(pair.master.port), '--replica', withPassword(pair.replica.port), '--databases', 'logs'], false, { env: {} });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: the password in --master is visible to other users of this machine in the process list');
    expect(result.stderr).toContain('warning: the password in --replica is visible');
  });

  test('MYSQL_PWD gives the password of both servers, with no warning and no prompt', async () => {
    const result = await check(args(), false, { stdin: terminal([]) });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('warning');
    expect(result.stderr).not.toContain('Password for');
  });

  test('on a terminal the password is asked, not echoed; Enter reuses the master\'s for the same user', async () => {
    const result = await check(args(), false, { env: {}, stdin: terminal([`${ADMIN_PASSWORD}\r`, '\r']) });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Password for ${ADMIN_USER}@127.0.0.1:${pair.master.port} (master): \n`);
    expect(result.stderr).toContain(`Password for ${ADMIN_USER}@127.0.0.1:${pair.replica.port} (replica; Enter: the master's): \n`);
    expect(result.stderr).not.toContain(ADMIN_PASSWORD);
  });

  test('a wrong password typed for the replica is not replaced by the master\'s', async () => {
    const result = await check(args(), false, { env: {}, stdin: terminal([`${ADMIN_PASSWORD}\r`, 'wrong\r']) });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`could not connect to the replica 127.0.0.1:${pair.replica.port}`);
    expect(result.stdout).toContain('Access denied');
  });

  test.each([[false], [true]])('a wrong password in a URL is not printed by the server\'s refusal (--json %s)', async (json) => {
    const wrong = 'Wr0ng-S3cret-pw';
    const withWrong = (port: number): string => `mysql://${ADMIN_USER}:${wrong}@127.0.0.1:${port}`;
    const result = await check(['--master', withWrong(pair.master.port), '--replica', withWrong(pair.replica.port), '--databases', 'logs', ...(json ? ['--json'] : [])], false, { env: {} });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Access denied for user '[^']+'@'[^']+' \(using password: YES\)/);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/Wr0ng|S3cret/);
  });

  test('Ctrl-C or the end of the input at the prompt: exit 130, no check', async () => {
    const interrupted = await check(args(), false, { env: {}, stdin: terminal(['\x03']) });
    expect(interrupted).toMatchObject({ code: 130, stdout: '', stderr: expect.stringContaining('cdk-backup-dr check: interrupted at the password prompt') });
    const input = terminal([]);
    input.on('resume', () => setImmediate(() => input.end()));
    const ended = await check(args(), false, { env: {}, stdin: input });
    expect(ended).toMatchObject({ code: 130, stdout: '', stderr: expect.stringContaining('the input ended before a password was typed') });
  });

  test('not a terminal and no MYSQL_PWD: no password is sent, and the server says why', async () => {
    const result = await check(args(), false, { env: {} });
    expect(result.code).toBe(2);
    // Both connections are opened at once: whichever is refused first is named.
    expect(result.stdout).toMatch(/could not connect to the (master|replica) 127\.0\.0\.1:\d+: Access denied for user '[^']+'@'[^']+' \(using password: NO\)/);
  });
});

describe('connection URLs and progress', () => {
  test('URLs: decoded credentials, default port, TLS by host or flag', () => {
    expect(parseConnectionUrl('--master', 'mysql://app%40ops:p%3Ass@db.example.com')).toMatchObject({ host: 'db.example.com', port: 3306, user: 'app@ops', password: 'p:ss' });
    expect(parseConnectionUrl('--master', 'mysql://u:p@db.example.com')).not.toHaveProperty('ssl');
    expect(parseConnectionUrl('--master', 'mysql://u@db.example.com')).not.toHaveProperty('password');
    expect(parseConnectionUrl('--master', 'mysql://u:@db.example.com')).not.toHaveProperty('password');
    expect(parseConnectionUrl('--master', 'mysql://u:p@x.abc.eu-west-1.rds.amazonaws.com:3306')).toMatchObject({ ssl: 'Amazon RDS' });
    expect(parseConnectionUrl('--master', 'mysql://u:p@h?tls=verify')).toMatchObject({ ssl: { rejectUnauthorized: true } });
    expect(parseConnectionUrl('--master', 'mysql://u:p@x.rds.amazonaws.com', 'off')).not.toHaveProperty('ssl');
    expect(() => parseConnectionUrl('--master', 'mysql://u:p@h?tls=maybe')).toThrow("the TLS mode of --master must be rds, verify or off, got 'maybe'");
  });

  test('the renderer prints plain lines when not a TTY and fits the bar to the width', () => {
    const plain = new Capture(false);
    const renderer = new ProgressRenderer(plain);
    renderer.start('a.b', 100);
    renderer.update(50);
    renderer.note('waiting: lag');
    renderer.finish('ok');
    expect(plain.text).toBe('waiting: lag\na.b  ok  (50 rows)\n');
    renderer.start('c.d', 10);
    renderer.finish('ok', 7);
    renderer.start('e.f', 10);
    renderer.finish('UNKNOWN', null);
    expect(plain.text).toBe('waiting: lag\na.b  ok  (50 rows)\nc.d  ok  (7 rows)\ne.f  UNKNOWN\n');
    expect(renderBar('a.b', 500, 1000, 'rows', 60)).toBe('a.b [################...............]  50%  500/1,000 rows');
    expect(renderBar('a.b', 5000, 1000, 'rows', 200)).toContain(' 99%  5,000/1,000 rows');
  });
});
