/**
 * The dump container's script, run for real: `mariadb-dump` (which takes the same flags as
 * `mysqldump`) against a MariaDB server on loopback, restored into a second server with the
 * `mariadb` client and compared table by table with `tableChecksum`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listTables } from '../../core/consistency/schema';
import { tableChecksum } from '../../core/consistency/table-checksum';
import { parseChecksumFile } from '../../core/dump/manifest';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';

const SCRIPT = join(__dirname, '..', '..', 'lib', 'dump', 'scripts', 'dump-database.sh');

let source: MariaDbServer;
let target: MariaDbServer;
let dumpDir: string;

beforeAll(async () => {
  [source, target] = await Promise.all([startMariaDb({ serverId: 11 }), startMariaDb({ serverId: 12 })]);
  dumpDir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-'));
  const connection = await source.connect();
  await connection.query(`
    CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE DATABASE audit CHARACTER SET utf8mb4;
    CREATE DATABASE ignored;
    CREATE TABLE shop.customers (
      id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, email VARCHAR(200) NULL,
      avatar BLOB NULL, profile JSON NULL, created TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), balance DECIMAL(12,2) NULL
    ) ENGINE=InnoDB;
    CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, note TEXT NULL, total DOUBLE NULL, KEY (customer_id)) ENGINE=InnoDB;
    CREATE TABLE shop.order_log (customer_id INT NULL, action VARCHAR(20) NOT NULL, at DATETIME NOT NULL) ENGINE=InnoDB;
    CREATE TABLE audit.events (id INT PRIMARY KEY, payload JSON NOT NULL, raw VARBINARY(64) NULL) ENGINE=InnoDB;
    CREATE TABLE ignored.t (id INT PRIMARY KEY);
    INSERT INTO ignored.t VALUES (1);
    CREATE TRIGGER shop.orders_log AFTER INSERT ON shop.orders FOR EACH ROW
      INSERT INTO shop.order_log VALUES (NEW.customer_id, 'insert', '2026-01-01 00:00:00');
    CREATE FUNCTION shop.double_it(x INT) RETURNS INT DETERMINISTIC RETURN x * 2;
  `);
  await connection.query(
    'INSERT INTO shop.customers (name, email, avatar, profile, balance) VALUES (?, ?, ?, ?, ?), (?, NULL, NULL, NULL, NULL), (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)', [
      'Zoë Ångström 😀', 'zoe@example.com', Buffer.from([0, 1, 2, 255, 39, 92, 10, 13, 26]), JSON.stringify({ tags: ['a', 'ü'], n: 1.5 }), '12.34',
      'NULL-only',
      'quote \' and backslash \\ and tab \t', '', Buffer.alloc(0), JSON.stringify(null), '-0.01',
      '中文 名字', 'x@y', Buffer.from('binary\u0000zero'), JSON.stringify({ nested: { deep: [1, 2, { k: 'v' }] } }), '99999999.99',
    ]);
  for (let i = 1; i <= 300; i++) {
    await connection.query('INSERT INTO shop.orders VALUES (?, ?, ?, ?)', [i, (i % 4) + 1, i % 3 === 0 ? null : `note ${i} ✓`, i % 5 === 0 ? null : i * 1.25]);
  }
  await connection.query('INSERT INTO shop.order_log VALUES (NULL, ?, ?), (NULL, ?, ?)', ['dup', '2026-01-01 00:00:00', 'dup', '2026-01-01 00:00:00']);
  await connection.query('INSERT INTO audit.events VALUES (1, ?, ?), (2, ?, NULL)', ['{"a": "b"}', Buffer.from([0xde, 0xad, 0xbe, 0xef]), '[]']);
  await connection.end();
});

afterAll(async () => {
  await stopStartedServers();
  if (dumpDir) {
    rmSync(dumpDir, { recursive: true, force: true });
  }
});

function runScript(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', [SCRIPT], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DUMP_BINARY: 'mariadb-dump', DB_TLS: 'off', DB_HOST: '127.0.0.1', DB_USER: ADMIN_USER, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the dump restores into another server with every table checksum equal', async () => {
  const result = runScript({ DB_PORT: String(source.port), DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: 'shop audit', DUMP_DIR: dumpDir });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/dumping shop audit from 127\.0\.0\.1:\d+ with mariadb-dump \(mariadb\)/);

  const dump = readFileSync(join(dumpDir, 'dump.sql.gz'));
  const recorded = parseChecksumFile(readFileSync(join(dumpDir, 'dump.sql.gz.sha256'), 'utf8'));
  expect(createHash('sha256').update(dump).digest('hex')).toBe(recorded);
  expect(execFileSync('sha256sum', ['-c', 'dump.sql.gz.sha256'], { cwd: dumpDir, encoding: 'utf8' })).toMatch(/dump\.sql\.gz: OK/);
  const text = execFileSync('gzip', ['-dc', join(dumpDir, 'dump.sql.gz')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(text).not.toContain(ADMIN_PASSWORD);
  expect(text).not.toContain('ignored');

  execFileSync('bash', ['-c', `gzip -dc dump.sql.gz | mariadb --host=127.0.0.1 --port=${target.port} --user=${ADMIN_USER} --password="$PW" --skip-ssl`], {
    cwd: dumpDir, env: { ...process.env, PW: ADMIN_PASSWORD }, stdio: 'pipe',
  });

  const from = await source.connect();
  const to = await target.connect();
  try {
    const tables = await listTables(from, ['shop', 'audit']);
    expect(tables.map((t) => `${t.schema}.${t.table}`).sort()).toEqual(['audit.events', 'shop.customers', 'shop.order_log', 'shop.orders']);
    expect(await listTables(to, ['shop', 'audit'])).toEqual(tables);
    for (const { schema, table } of tables) {
      const expected = await tableChecksum(from, schema, table);
      expect(await tableChecksum(to, schema, table)).toEqual(expected);
      expect(expected.rows).toBeGreaterThan(0);
    }
    // The trigger and the function came along.
    const [rows] = await to.query('SELECT shop.double_it(21) AS v');
    expect((rows as Array<{ v: number }>)[0].v).toBe(42);
    const [triggers] = await to.query("SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'shop'");
    expect(triggers).toEqual([{ name: 'orders_log' }]);
  } finally {
    await Promise.all([from.end(), to.end()]);
  }
});

test('database names are not expanded as file name patterns', async () => {
  const connection = await source.connect();
  const dir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-glob-'));
  try {
    await connection.query('CREATE DATABASE `gl`; CREATE DATABASE `g?`; CREATE TABLE `g?`.t (id INT PRIMARY KEY); INSERT INTO `g?`.t VALUES (7)');
    // A file in the working folder that `g?` matches.
    writeFileSync(join(dir, 'gl'), '');
    const result = spawnSync('bash', [SCRIPT], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', DUMP_BINARY: 'mariadb-dump', DB_TLS: 'off', DB_HOST: '127.0.0.1', DB_USER: ADMIN_USER,
        DB_PORT: String(source.port), DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: 'gl g?', DUMP_DIR: join(dir, 'out'),
      },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const text = execFileSync('gzip', ['-dc', join(dir, 'out', 'dump.sql.gz')], { encoding: 'utf8' });
    expect(text).toContain('CREATE DATABASE /*!32312 IF NOT EXISTS*/ `g?`');
    expect(text).toContain('INSERT INTO `t` VALUES\n(7)');
  } finally {
    await connection.query('DROP DATABASE `gl`; DROP DATABASE `g?`');
    await connection.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database whose name looks like an option is dumped as a database, not read as one', async () => {
  const connection = await source.connect();
  const dir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-dash-'));
  try {
    await connection.query('CREATE DATABASE `--no-data`; CREATE TABLE `--no-data`.t (id INT PRIMARY KEY); INSERT INTO `--no-data`.t VALUES (5)');
    const result = runScript({ DB_PORT: String(source.port), DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: 'audit --no-data', DUMP_DIR: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const text = execFileSync('gzip', ['-dc', join(dir, 'dump.sql.gz')], { encoding: 'utf8' });
    expect(text).toContain('CREATE DATABASE /*!32312 IF NOT EXISTS*/ `--no-data`');
    expect(text).toContain('INSERT INTO `t` VALUES\n(5)');
    expect(text).toContain('INSERT INTO `events` VALUES');
  } finally {
    await connection.query('DROP DATABASE `--no-data`');
    await connection.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Unescaped, the option file reads `\s` as a space and `\"` as a quote (the client would log in
// as another user), and a raw newline ends the value: the rest of the line is another option.
test.each([
  ['with quotes, backslashes and #', 'back\\slash "quoted" #1\\s', 'pass\\word "with" #2\\n'],
  ['with a newline, a carriage return and a tab', 'new\nline\tuser', 'pass\nhost=203.0.113.1\r\tword\n'],
])('a user name and a password %s are written to the option file as themselves', async (_, user, password) => {
  const connection = await source.connect();
  const dir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-escaped-'));
  try {
    await connection.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
    await connection.query("GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON *.* TO ?@'%'", [user]);
    const result = runScript({ DB_USER: user, DB_PORT: String(source.port), DB_PASSWORD: password, DUMP_DATABASES: 'audit', DUMP_DIR: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(execFileSync('gzip', ['-dc', join(dir, 'dump.sql.gz')], { encoding: 'utf8' })).toContain('INSERT INTO `events` VALUES');
  } finally {
    await connection.query("DROP USER IF EXISTS ?@'%'", [user]);
    await connection.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a password too long for one line of the option file stops the script, naming the variable and not the value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-long-'));
  // The clients read an option file line by line into a 4 KiB buffer: the rest of a longer line is read as another line.
  const password = `${'p'.repeat(4090)}\nhost=203.0.113.1`;
  try {
    const result = runScript({ DB_PORT: String(source.port), DB_PASSWORD: password, DUMP_DATABASES: 'audit', DUMP_DIR: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('dump-database: DB_PASSWORD is too long for an option file line (at most 4000 bytes once escaped, got 4108)\n');
    expect(result.stdout).not.toContain('ppp');
    expect(existsSync(join(dir, 'dump.sql.gz'))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed dump exits non-zero and leaves no dump file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-fail-'));
  try {
    const wrongPassword = runScript({ DB_PORT: String(source.port), DB_PASSWORD: 'wrong "pass\\word', DUMP_DATABASES: 'shop', DUMP_DIR: dir });
    expect(wrongPassword.status).not.toBe(0);
    expect(wrongPassword.stderr).toMatch(/Access denied/);
    expect(existsSync(join(dir, 'dump.sql.gz'))).toBe(false);
    expect(existsSync(join(dir, 'dump.sql.gz.sha256'))).toBe(false);

    const missingDatabase = runScript({ DB_PORT: String(source.port), DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: 'shop nosuchdb', DUMP_DIR: dir });
    expect(missingDatabase.status).not.toBe(0);
    expect(existsSync(join(dir, 'dump.sql.gz'))).toBe(false);

    const unset = runScript({ DB_PORT: String(source.port), DB_PASSWORD: ADMIN_PASSWORD, DUMP_DIR: dir });
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toMatch(/DUMP_DATABASES is not set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('TLS', () => {
  let certificates: string;
  /** Presents a certificate for 127.0.0.1 signed by test-ca; `misnamed` one signed by test-ca for db.example.com. */
  let loopback: MariaDbServer;
  let misnamed: MariaDbServer;
  const pem = (name: string): string => readFileSync(join(certificates, name), 'utf8');
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: certificates, stdio: 'pipe' });
  };

  function authority(name: string): void {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
  }

  function serverCertificate(name: string, subjectAltName: string): string[] {
    writeFileSync(join(certificates, `${name}.ext`), `subjectAltName=${subjectAltName}\n`);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
    // The server runs as the mysql user when the tests run as root.
    chmodSync(join(certificates, `${name}.key`), 0o644);
    return [`ssl-cert=${join(certificates, `${name}.pem`)}`, `ssl-key=${join(certificates, `${name}.key`)}`];
  }

  beforeAll(async () => {
    certificates = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-tls-'));
    chmodSync(certificates, 0o755);
    authority('test-ca');
    authority('other-ca');
    [loopback, misnamed] = await Promise.all([
      startMariaDb({ serverId: 13, extraConfig: serverCertificate('loopback', 'IP:127.0.0.1') }),
      startMariaDb({ serverId: 14, extraConfig: serverCertificate('misnamed', 'DNS:db.example.com') }),
    ]);
    for (const server of [loopback, misnamed]) {
      const connection = await server.connect();
      await connection.query('CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY); INSERT INTO shop.t VALUES (1), (2)');
      await connection.end();
    }
  });

  afterAll(async () => {
    await Promise.all([loopback?.stop(), misnamed?.stop()]);
    if (certificates) {
      rmSync(certificates, { recursive: true, force: true });
    }
  });

  function dumpOverTls(server: MariaDbServer, caCertificates: string | undefined): ReturnType<typeof runScript> & { dumped: boolean } {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-dump-tls-'));
    try {
      const result = runScript({
        DB_TLS: 'required', DB_PORT: String(server.port), DB_PASSWORD: ADMIN_PASSWORD, DUMP_DATABASES: 'shop', DUMP_DIR: dir,
        ...(caCertificates === undefined ? {} : { DB_CA_CERTIFICATES: caCertificates }),
      });
      // The written certificate file is removed with the other temporary files.
      return { ...result, dumped: existsSync(join(dir, 'dump.sql.gz')) && !existsSync(join(dir, 'tmp', 'server-ca.pem')) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('with the certificate authorities: the server certificate and host name are verified and the dump completes', () => {
    const result = dumpOverTls(loopback, `${pem('other-ca.pem')}${pem('test-ca.pem')}`);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ status: 0, dumped: true });
    expect(result.stdout).not.toContain('not verified');
  });

  test('a certificate signed by another authority, or for another host name, stops the dump', () => {
    const untrusted = dumpOverTls(loopback, pem('other-ca.pem'));
    expect(untrusted).toMatchObject({ dumped: false });
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toContain('TLS/SSL error: unable to get local issuer certificate');
    const wrongHost = dumpOverTls(misnamed, pem('test-ca.pem'));
    expect(wrongHost).toMatchObject({ dumped: false });
    expect(wrongHost.status).not.toBe(0);
    expect(wrongHost.stderr).toContain('TLS/SSL error: Validation of SSL server certificate failed');
    // The same server is dumped when the certificate is not verified: the host name was the reason.
    expect(dumpOverTls(misnamed, undefined)).toMatchObject({ status: 0, dumped: true });
  });

  test('without them the dump is encrypted only, and says so', () => {
    const result = dumpOverTls(loopback, undefined);
    expect(result).toMatchObject({ status: 0, dumped: true });
    expect(result.stdout).toContain("DB_CA_CERTIFICATES is not set: the connection is encrypted, but the server's certificate is not verified");
  });
});

test('the upload script is valid bash', () => {
  const result = spawnSync('bash', ['-n', join(__dirname, '..', '..', 'lib', 'dump', 'scripts', 'upload-dump.sh')], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});
