import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableChecksum } from '../../core/consistency/table-checksum';
import { DumpStatementError, loadDump } from '../../lambda/restore-dump/load-dump';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, startMariaDb } from '../support/mariadb';

let source: MariaDbServer;
let target: MariaDbServer;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-load-dump-'));
  [source, target] = await Promise.all([startMariaDb({ serverId: 1 }), startMariaDb({ serverId: 2 })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  rmSync(folder, { recursive: true, force: true });
});

/** The real `mariadb-dump` of the given databases, gzip-compressed, written to a file. */
function dumpToFile(name: string, databases: string[]): string {
  const sql = execFileSync('mariadb-dump', [
    '--host=127.0.0.1', `--port=${source.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`,
    '--single-transaction', '--routines', '--triggers', '--databases', ...databases,
  ], { maxBuffer: 1024 * 1024 * 1024 });
  const file = join(folder, `${name}.sql.gz`);
  writeFileSync(file, gzipSync(sql, { level: 1 }));
  return file;
}

async function checksums(server: MariaDbServer, schema: string, tables: string[]): Promise<unknown[]> {
  const connection = await server.connect();
  try {
    const result = [];
    for (const table of tables) {
      result.push(await tableChecksum(connection, schema, table));
    }
    return result;
  } finally {
    await connection.end();
  }
}

async function dropDatabase(server: MariaDbServer, database: string): Promise<void> {
  const connection = await server.connect();
  await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await connection.end();
}

describe('a dump with the tricky parts', () => {
  let file: string;

  beforeAll(async () => {
    const connection = await source.connect();
    await connection.query(`
      CREATE DATABASE tricky;
      CREATE TABLE tricky.items (
        id INT PRIMARY KEY,
        label VARCHAR(100) CHARACTER SET utf8mb4 NULL,
        payload VARBINARY(300) NULL,
        note TEXT NULL,
        amount DECIMAL(12,2) NOT NULL DEFAULT 0,
        seen TIMESTAMP NULL
      );
      CREATE TABLE tricky.audit (id INT AUTO_INCREMENT PRIMARY KEY, item INT NOT NULL);
      CREATE TABLE tricky.nokey (a INT, b VARCHAR(10));
      CREATE TRIGGER tricky.items_audit AFTER INSERT ON tricky.items FOR EACH ROW BEGIN INSERT INTO tricky.audit (item) VALUES (NEW.id); END;
      CREATE VIEW tricky.labels AS SELECT id, label FROM tricky.items;
      CREATE PROCEDURE tricky.count_items() BEGIN SELECT COUNT(*) FROM tricky.items; END;
    `);
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_v, i) => i));
    await connection.query('INSERT INTO tricky.items VALUES (1, ?, ?, ?, 1.50, ?)', ['emoji 🦊 and ünïcödé', everyByte, "quote ' and \"double\"; -- not a comment /* nor this */ # nor this", '2026-11-21 10:00:00']);
    await connection.query('INSERT INTO tricky.items VALUES (2, NULL, NULL, \'\', 0, NULL)');
    await connection.query('INSERT INTO tricky.items VALUES (3, \'\', \'\', NULL, -3.25, \'2026-01-01 00:00:00\')');
    await connection.query("INSERT INTO tricky.items VALUES (4, 'line\\nbreak\\ttab\\\\backslash', 0x00, 'DELIMITER ;;', 99.99, NULL)");
    await connection.query("INSERT INTO tricky.nokey VALUES (1, 'a'), (1, 'a'), (NULL, NULL)");
    await connection.end();
    file = dumpToFile('tricky', ['tricky']);
  });

  afterEach(async () => {
    await dropDatabase(target, 'tricky');
  });

  test('loads byte for byte: unicode, binary, NULL vs empty, triggers, views and routines', async () => {
    const result = await loadDump({ source: createReadStream(file), connection: target.connectionOptions() });
    expect(result.done).toBe(true);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    const tables = ['items', 'audit', 'nokey'];
    expect(await checksums(target, 'tricky', tables)).toEqual(await checksums(source, 'tricky', tables));
    const connection = await target.connect();
    const [objects] = await connection.query(
      "SELECT (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'tricky') AS triggers, " +
      "(SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'tricky') AS views, " +
      "(SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'tricky') AS routines");
    const [rows] = await connection.query('SELECT label, HEX(payload) AS payload FROM tricky.items WHERE id = 1');
    await connection.end();
    expect(objects).toEqual([{ triggers: 1, views: 1, routines: 1 }]);
    expect(rows).toEqual([{ label: 'emoji 🦊 and ünïcödé', payload: Buffer.from(Array.from({ length: 256 }, (_v, i) => i)).toString('hex').toUpperCase() }]);
  });

  test('a load cut into one statement per invocation resumes to the same result', async () => {
    let applied = 0;
    let invocations = 0;
    let sha256: string | undefined;
    for (;;) {
      invocations++;
      // A deadline in the past: each invocation applies exactly one new statement.
      const result = await loadDump({ source: createReadStream(file), connection: target.connectionOptions(), resumeAfter: applied, deadline: 0 });
      expect(result.statementsApplied).toBeGreaterThan(applied);
      applied = result.statementsApplied;
      if (result.done) {
        sha256 = result.sha256;
        break;
      }
      expect(result.sha256).toBeUndefined();
    }
    expect(invocations).toBeGreaterThan(10);
    const whole = await loadDump({ source: createReadStream(file), connection: source.connectionOptions(), resumeAfter: applied });
    expect(whole.sha256).toEqual(sha256);
    expect(whole.statementsExecuted).toBeLessThan(applied);
    const tables = ['items', 'audit', 'nokey'];
    expect(await checksums(target, 'tricky', tables)).toEqual(await checksums(source, 'tricky', tables));
  });

  test('a statement committed by an invocation that was cut off before reporting it is not applied twice', async () => {
    // Find the first INSERT: apply everything up to and including it, then resume as if it had not been reported.
    let applied = 0;
    let firstInsert = 0;
    await loadDump({
      source: createReadStream(file),
      connection: target.connectionOptions(),
      deadline: 0,
      onProgress: (progress) => { applied = progress.statementsApplied; },
    });
    expect(applied).toBe(1);
    for (;;) {
      const before = applied;
      const result = await loadDump({ source: createReadStream(file), connection: target.connectionOptions(), resumeAfter: applied, deadline: 0 });
      applied = result.statementsApplied;
      const connection = await target.connect();
      const [rows] = await connection.query("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'tricky' AND TABLE_NAME = 'items'");
      let itemRows = 0;
      if ((rows as Array<{ n: number }>)[0].n > 0) {
        const [counted] = await connection.query('SELECT COUNT(*) AS n FROM tricky.items');
        itemRows = (counted as Array<{ n: number }>)[0].n;
      }
      await connection.end();
      if (itemRows > 0) {
        firstInsert = before + 1;
        break;
      }
    }
    const resumed = await loadDump({ source: createReadStream(file), connection: target.connectionOptions(), resumeAfter: firstInsert - 1 });
    expect(resumed.done).toBe(true);
    const tables = ['items', 'audit', 'nokey'];
    expect(await checksums(target, 'tricky', tables)).toEqual(await checksums(source, 'tricky', tables));
  });

  test('a statement the server rejects fails with its number and never reports done', async () => {
    const bad = join(folder, 'bad.sql.gz');
    writeFileSync(bad, gzipSync('CREATE DATABASE tricky;\nCREATE TABLE tricky.t (id INT PRIMARY KEY);\nINSERT INTO tricky.t VALUES (1),(1);\n'));
    await expect(loadDump({ source: createReadStream(bad), connection: target.connectionOptions() }))
      .rejects.toThrow(DumpStatementError);
    await expect(loadDump({ source: createReadStream(bad), connection: target.connectionOptions() }))
      .rejects.toThrow(/statement 1 of the dump failed: .*database exists/i);
  });

  test('a truncated or corrupt file fails instead of loading part of it as if complete', async () => {
    const whole = gzipSync("CREATE DATABASE tricky;\nCREATE TABLE tricky.t (v VARCHAR(10));\nINSERT INTO tricky.t VALUES ('a;b');\n");
    const truncated = join(folder, 'truncated.sql.gz');
    writeFileSync(truncated, whole.subarray(0, whole.length - 12));
    await expect(loadDump({ source: createReadStream(truncated), connection: target.connectionOptions() })).rejects.toThrow(/unexpected end of file|reading the dump failed/i);
    const notGzip = join(folder, 'plain.sql.gz');
    writeFileSync(notGzip, 'CREATE DATABASE tricky;\n');
    await expect(loadDump({ source: createReadStream(notGzip), connection: target.connectionOptions() })).rejects.toThrow(/incorrect header check|reading the dump failed/i);
  });
});

test('stripDefiners makes the loading user the definer of views, triggers and routines', async () => {
  const connection = await source.connect();
  await connection.query(`
    CREATE DATABASE definers;
    CREATE TABLE definers.t (id INT PRIMARY KEY);
    CREATE DEFINER=\`someone\`@\`%\` VIEW definers.v AS SELECT id FROM definers.t;
    CREATE DEFINER=\`someone\`@\`%\` TRIGGER definers.tr BEFORE INSERT ON definers.t FOR EACH ROW SET NEW.id = NEW.id;
    CREATE DEFINER=\`someone\`@\`%\` PROCEDURE definers.p() SELECT 1;
    CREATE TABLE definers.notes (id INT PRIMARY KEY, body TEXT NOT NULL);
    INSERT INTO definers.notes VALUES (1, 'CREATE DEFINER=\`a\`@\`b\` VIEW stays as written');
  `);
  await connection.end();
  const file = dumpToFile('definers', ['definers']);
  const definers = async () => {
    const check = await target.connect();
    const [rows] = await check.query(
      "SELECT (SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'definers') AS v, " +
      "(SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'definers') AS tr, " +
      "(SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'definers') AS p, " +
      '(SELECT body FROM definers.notes) AS note');
    await check.query('DROP DATABASE definers');
    await check.end();
    return (rows as unknown[])[0];
  };
  await loadDump({ source: createReadStream(file), connection: target.connectionOptions() });
  const note = 'CREATE DEFINER=`a`@`b` VIEW stays as written';
  expect(await definers()).toEqual({ v: 'someone@%', tr: 'someone@%', p: 'someone@%', note });
  await loadDump({ source: createReadStream(file), connection: target.connectionOptions(), stripDefiners: true });
  // Only the objects' headers lose the clause: data that holds the text is loaded as it is.
  expect(await definers()).toEqual({ v: `${ADMIN_USER}@127.0.0.1`, tr: `${ADMIN_USER}@127.0.0.1`, p: `${ADMIN_USER}@127.0.0.1`, note });
});

test('streams the real mariadb-dump of a 1,000,000-row table into a real server with equal checksums', async () => {
  const connection = await source.connect();
  await connection.query(`
    CREATE DATABASE big;
    CREATE TABLE big.orders (id INT UNSIGNED PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(12,2) NOT NULL, note VARCHAR(64) NULL, created DATETIME NOT NULL);
    INSERT INTO big.orders SELECT seq, CONCAT('customer-', seq MOD 9973), (seq MOD 100000) / 100, IF(seq MOD 7 = 0, NULL, MD5(seq)), '2026-01-01' + INTERVAL seq SECOND FROM big.seq_1_to_1000000;
  `);
  await connection.end();
  const file = dumpToFile('big', ['big']);
  const started = Date.now();
  const result = await loadDump({ source: createReadStream(file), connection: target.connectionOptions() });
  const seconds = (Date.now() - started) / 1000;
  expect(result.done).toBe(true);
  const [restored, original] = await Promise.all([checksums(target, 'big', ['orders']), checksums(source, 'big', ['orders'])]);
  expect(restored).toEqual(original);
  expect((restored[0] as { rows: number }).rows).toBe(1_000_000);
  console.log(`loaded 1,000,000 rows in ${seconds.toFixed(1)} s (${Math.round(1_000_000 / seconds)} rows/s)`);
}, 300_000);
