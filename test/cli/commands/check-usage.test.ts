import { PassThrough } from 'node:stream';
import { run } from '../../../cli/commands/check';
import { durationSeconds } from '../../../cli/numeric-options';

class Capture {
  public text = '';
  public write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(args, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

// The command warns against a password in a URL (others read it in the process list), so
// its help and its errors show URLs without one, as the README does.
describe('cdk-backup-dr check shows URLs without a password', () => {
  test('in its usage line', async () => {
    const help = await check(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cdk-backup-dr check --master mysql://user@host:port --replica mysql://user@host:port [options]');
    expect(help.stdout).not.toContain('user:password@host:port');
  });

  test('in the errors of a malformed URL', async () => {
    expect(await check(['--master', 'not a url', '--replica', 'mysql://u@h'])).toMatchObject({
      code: 64, stderr: expect.stringContaining("--master must be a URL like mysql://user@host:3306, got 'not a url'"),
    });
    expect(await check(['--master', 'mysql://u@h', '--replica', 'mysql://h:3306'])).toMatchObject({
      code: 64, stderr: expect.stringContaining('--replica needs a user and a host: mysql://user@host:3306'),
    });
  });
});

describe('cdk-backup-dr check names the flag that is wrong', () => {
  test('a flag whose value is missing before the next flag', async () => {
    const result = await check(['--master', '--replica', 'mysql://u@h']);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe('cdk-backup-dr check: --master needs a value');
  });

  test('a password in a URL with a stray %, without repeating the password', async () => {
    const result = await check(['--master', 'mysql://u:p%ss@h', '--replica', 'mysql://u@h']);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe('cdk-backup-dr check: the password in --master is not valid percent-encoding: write % as %25 (and @ : / ? # as %40 %3A %2F %3F %23)');
    expect(result.stderr).not.toContain('p%ss');
  });

  test('a URL that does not parse, with its password (if any) hidden', async () => {
    for (const [text, shown] of [
      ['mysql://checker:S3cret!pw@db.example:33o6', 'mysql://checker:***@db.example:33o6'],
      ['mysql://checker:p@ss:w@rd@db.example:99999', 'mysql://checker:***@db.example:99999'],
      ['mysql//checker:S3cret@db.example:x', 'mysql//checker:***@db.example:x'],
    ]) {
      const result = await check(['--master', text, '--replica', 'mysql://u@h']);
      expect(result).toMatchObject({ code: 64, stdout: '' });
      expect(result.stderr.split('\n')[0]).toBe(`cdk-backup-dr check: --master must be a URL like mysql://user@host:3306, got '${shown}'`);
      expect(result.stderr).not.toMatch(/S3cret|p@ss|w@rd/);
    }
  });

  test('a URL with a query parameter other than tls, or a database path, instead of ignoring it', async () => {
    const ssl = await check(['--master', 'mysql://u@h?ssl-mode=REQUIRED', '--replica', 'mysql://u@h']);
    expect(ssl).toMatchObject({ code: 64, stdout: '' });
    expect(ssl.stderr.split('\n')[0]).toBe('cdk-backup-dr check: --master takes only ?tls=rds|verify|off, got ?ssl-mode');
    const database = await check(['--master', 'mysql://u@h', '--replica', 'mysql://u@h:3306/shop?tls=off']);
    expect(database).toMatchObject({ code: 64, stdout: '' });
    expect(database.stderr.split('\n')[0]).toBe("cdk-backup-dr check: --replica names no database (got '/shop'): choose the schemas with --databases");
  });

  // The URL API ends the password at an unencoded / ? or #: the rest of it would read as the path,
  // the query or the TLS mode, and an error quoting those would print it.
  test.each([
    ['a /', 'mysql://checker:S3c/ret@db.example:3306'],
    ['a / after an @', 'mysql://checker:S3@c/ret@db.example'],
    ['a ?', 'mysql://checker:S3@c?ret@db.example'],
    ['a ? before tls=', 'mysql://checker:S3@c?tls=ret@db.example'],
    ['a #', 'mysql://checker:S3@c#ret@db.example'],
    ['digits, then /', 'mysql://checker:123/ret@db.example'],
  ])('a password with %s unencoded is refused without any part of it printed', async (_what, text) => {
    const result = await check(['--master', 'mysql://u@h', '--replica', text]);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe("cdk-backup-dr check: --replica has an unencoded / ? # or @ in its user or password (got 'mysql://checker:***@db.example" +
      `${text.endsWith(':3306') ? ':3306' : ''}'): percent-encode them as %2F %3F %23 %40`);
    expect(result.stderr).not.toMatch(/S3|ret|123/);
  });

  test('a URL with a user and password but no @host, without printing the password', async () => {
    const result = await check(['--master', 'mysql://checker:S3cret!pw', '--replica', 'mysql://u@h']);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe("cdk-backup-dr check: --master must be a URL like mysql://user@host:3306, got 'mysql://checker:***'");
    expect(result.stderr).not.toMatch(/S3cret/);
  });

  test.each([
    ['a misspelt option with its URL after =', ['--mater=mysql://checker:S3cret@db.example', '--replica', 'mysql://u@h'], "unknown option '--mater' (its value is not shown)"],
    ['a URL without its option', ['--master', 'mysql://u@h', 'mysql://checker:S3cret@db.example'], "unexpected argument 'mysql://checker:***@db.example'"],
  ])('%s is named without the password in the URL', async (_what, args, says) => {
    const result = await check(args);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`cdk-backup-dr check: ${says}`);
    expect(result.stderr).not.toMatch(/S3cret/);
  });

  test('a TLS mode given with --tls', async () => {
    const result = await check(['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--tls', 'maybe']);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe("cdk-backup-dr check: --tls must be rds, verify or off, got 'maybe'");
  });
});

describe('cdk-backup-dr check takes numbers in decimal digits only', () => {
  // Number() would read these as 16, 1000, 5, 5 and 0.5 seconds.
  test.each([['--max-lag', '0x10'], ['--max-lag-wait', '1e3'], ['--max-lag', ' 5'], ['--chunk-time', '5.'], ['--chunk-time', '.5'], ['--max-lag', '0'], ['--max-lag-wait', '-1']])('%s %j', async (flag, value) => {
    const result = await check(['--master', 'mysql://u@h', '--replica', 'mysql://u@h', flag, value]);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`cdk-backup-dr check: ${flag} must be a number of seconds above 0, in decimal digits with an optional fraction (e.g. 30 or 0.5); got '${value}'`);
  });
});

describe('cdk-backup-dr check --time-limit takes seconds or a duration', () => {
  test.each([['90', 90], ['0.5', 0.5], ['45s', 45], ['2.5s', 2.5], ['15m', 900], ['2h', 7200], ['1h30m', 5400], ['1m30s', 90], ['1h0m5s', 3605]])('%j is %d seconds', (text, seconds) => {
    expect(durationSeconds('--time-limit', text)).toBe(seconds);
  });

  test.each(['0', '0s', '0h0m', '', 'm', '1.5m', '1e3', '0x10', ' 5', '5.', '-1', '10 m', '1d', '30m1h', '1H'])('%j is refused, naming the forms it takes', async (value) => {
    const result = await check(['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--time-limit', value]);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`cdk-backup-dr check: --time-limit must be above 0, in seconds (e.g. 90 or 0.5) or as a duration in h, m and s (e.g. 45s, 15m, 1h30m), in decimal digits; got '${value}'`);
  });
});

describe('cdk-backup-dr check --time-limit is at most 720h (30 days)', () => {
  test.each(['720h', '719h59m59.5s', '2592000'])('%j is taken', async (value) => {
    // Refused otherwise before connecting, with exit 64; taken, the check runs and cannot connect to host h (exit 2).
    const result = await check(['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--time-limit', value]);
    expect(result.code).not.toBe(64);
  });

  test.each(['720h0m0.5s', '2592001', '87600h', '315360000', '99999999999999999999999'])('%j is refused, naming the largest allowed', async (value) => {
    const result = await check(['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--time-limit', value]);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`cdk-backup-dr check: --time-limit must be at most 720h (30 days, 2592000 seconds): ` +
      `MySQL's statement time limit ends at about 49.7 days, so the check's statements could not be stopped at a later limit; got '${value}'`);
  });
});

describe('cdk-backup-dr check refuses an option given twice instead of taking the last', () => {
  test.each([
    ['--tables', ['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--tables', 'a.b', '--tables', 'c.d']],
    ['--master', ['--master', 'mysql://u@x', '--master=mysql://u@y', '--replica', 'mysql://u@h']],
    ['--max-lag', ['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--max-lag', '5', '--max-lag', '5']],
  ])('%s', async (flag, args) => {
    const result = await check(args);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr.split('\n')[0]).toBe(`cdk-backup-dr check: ${flag} is given more than once; it takes one value`);
  });
});

describe('cdk-backup-dr check when a password cannot be read', () => {
  test('reports unknown (exit 2), with the JSON report --json promises, not an error that exits 1 (drift)', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    // A terminal that cannot be put in raw mode (readline calls setRawMode when it opens it).
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => { throw new Error('setRawMode EIO'); } });
    const code = await run(['--master', 'mysql://u@h', '--replica', 'mysql://u@h', '--json'], { stdout, stderr, stdin, env: {} });
    expect(code).toBe(2);
    expect(JSON.parse(stdout.text)).toMatchObject({ status: 'unknown', reason: 'could not read the passwords: setRawMode EIO', complete: false });
  });
});
