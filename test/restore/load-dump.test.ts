import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tableChecksum } from '../../core/consistency/table-checksum';
import { DumpStatementError, loadDump } from '../../lambda/restore-dump/load-dump';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';

let source: MariaDbServer;
let target: MariaDbServer;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-load-dump-'));
  [source, target] = await Promise.all([startMariaDb({ serverId: 1 }), startMariaDb({ serverId: 2 })]);
}, 120_000);

afterAll(async () => {
  await stopStartedServers();
  rmSync(folder, { recursive: true, force: true });
});

/** The real `mariadb-dump` of the given databases, gzip-compressed, written to a file. */
function dumpToFile(name: string, databases: string[]): string {
  const sql = execFileSync('mariadb-dump', [
    '--host=127.0.0.1', `--port=${source.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`,
    '--single-transaction', '--routines', '--events', '--triggers', '--databases', ...databases,
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

describe('comments in the bodies of triggers, events and routines', () => {
  // Bodies with comments holding an odd quote, the dump's delimiter, `*/` and DELIMITER text.
  // mariadb-dump wraps trigger and event bodies in executable comments (`/*!50003 ... */`).
  // No `;;` in the event: mariadb-dump 10.11 never finishes choosing a delimiter for such an event.
  const objects = `
    CREATE TABLE commented.a_items (id INT PRIMARY KEY, note VARCHAR(100) NULL);
    CREATE TABLE commented.a_counts (item INT PRIMARY KEY, seen INT NOT NULL);
    CREATE TABLE commented.z_rows (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL);
    CREATE DEFINER=\`someone\`@\`%\` TRIGGER commented.a_items_note BEFORE INSERT ON commented.a_items FOR EACH ROW BEGIN
      -- the note's default;; see */ below
      SET NEW.note = IFNULL(NEW.note, 'none'); # don't "touch" ;; the id */
      -- DELIMITER ;
    END;
    CREATE DEFINER=\`someone\`@\`%\` TRIGGER commented.a_items_count AFTER INSERT ON commented.a_items FOR EACH ROW BEGIN
      /* it's counted here;; once */ INSERT INTO commented.a_counts VALUES (NEW.id, 1);
    END;
    CREATE DEFINER=\`someone\`@\`%\` EVENT commented.purge ON SCHEDULE EVERY 1 DAY DISABLE DO BEGIN
      # rows we don't keep; "old" ones */
      DELETE FROM commented.z_rows WHERE id < 0;
    END;
    CREATE DEFINER=\`someone\`@\`%\` PROCEDURE commented.report() BEGIN
      -- it's a report; of "all" rows */
      SELECT COUNT(*) FROM commented.z_rows;
    END;
    CREATE DEFINER=\`someone\`@\`%\` VIEW commented.notes AS SELECT id, note FROM commented.a_items;
  `;

  afterEach(async () => {
    for (const server of [source, target]) {
      const connection = await server.connect();
      await connection.query("DROP DATABASE IF EXISTS commented; DROP USER IF EXISTS 'someone'@'%'");
      await connection.end();
    }
  });

  async function definitions(server: MariaDbServer): Promise<Record<string, { definition: string; definer: string }>> {
    const connection = await server.connect();
    const [rows] = await connection.query(
      "SELECT TRIGGER_NAME AS name, ACTION_STATEMENT AS definition, DEFINER AS definer FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'commented' " +
      "UNION ALL SELECT ROUTINE_NAME, ROUTINE_DEFINITION, DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'commented' " +
      "UNION ALL SELECT EVENT_NAME, EVENT_DEFINITION, DEFINER FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'commented' " +
      "UNION ALL SELECT TABLE_NAME, VIEW_DEFINITION, DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'commented'");
    await connection.end();
    return Object.fromEntries((rows as Array<{ name: string; definition: string; definer: string }>).map((row) => [row.name, { definition: row.definition, definer: row.definer }]));
  }

  test('load as the mariadb client loads them, and the rows after them too', async () => {
    const setup = await source.connect();
    await setup.query(`CREATE USER 'someone'@'%'; CREATE DATABASE commented; GRANT ALL ON commented.* TO 'someone'@'%'; ${objects}`);
    await setup.query("INSERT INTO commented.a_items (id) VALUES (1), (2); INSERT INTO commented.z_rows VALUES (1, 'after'), (2, 'the objects')");
    await setup.end();
    const file = dumpToFile('commented', ['commented']);
    const original = await definitions(source);
    expect(Object.keys(original).sort()).toEqual(['a_items_count', 'a_items_note', 'notes', 'purge', 'report']);

    // The oracle: the real client, which drops line and block comments from what it sends.
    const prepare = await target.connect();
    await prepare.query("CREATE USER 'someone'@'%'");
    await prepare.end();
    execFileSync('mariadb', ['--host=127.0.0.1', `--port=${target.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`], { input: gunzipSync(readFileSync(file)) });
    const byClient = await definitions(target);
    await dropDatabase(target, 'commented');

    const result = await loadDump({ source: createReadStream(file), connection: target.connectionOptions(), stripDefiners: true });
    expect(result.done).toBe(true);
    const loaded = await definitions(target);
    const tables = ['a_items', 'a_counts', 'z_rows'];
    expect(await checksums(target, 'commented', tables)).toEqual(await checksums(source, 'commented', tables));
    // Line comments are dropped as the client drops them; the block comment is kept as written.
    expect(loaded.a_items_note.definition).toEqual(byClient.a_items_note.definition);
    expect(loaded.purge.definition).toEqual(byClient.purge.definition);
    expect(loaded.report.definition).toEqual(byClient.report.definition);
    expect(loaded.notes.definition).toEqual(byClient.notes.definition);
    expect(loaded.a_items_count.definition).toEqual(original.a_items_count.definition);
    for (const [name, object] of Object.entries(loaded)) {
      expect([name, object.definer]).toEqual([name, `${ADMIN_USER}@127.0.0.1`]);
    }
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(original).sort());

    // The restored triggers do what the source's do.
    const fire = async (server: MariaDbServer) => {
      const connection = await server.connect();
      await connection.query('INSERT INTO commented.a_items (id) VALUES (3)');
      const [rows] = await connection.query('SELECT i.note, c.seen FROM commented.a_items i JOIN commented.a_counts c ON c.item = i.id WHERE i.id = 3');
      await connection.end();
      return rows;
    };
    expect(await fire(target)).toEqual([{ note: 'none', seen: 1 }]);
    expect(await fire(source)).toEqual([{ note: 'none', seen: 1 }]);
  });
});

test('triggers and routines created with NO_BACKSLASH_ESCAPES load with their backslashes, and so do the rows after them', async () => {
  const setup = await source.connect();
  // The dump sets the objects' own sql_mode around them: their text has a lone backslash before a closing quote.
  await setup.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
  await setup.query('CREATE DATABASE backslashes');
  await setup.query('CREATE TABLE backslashes.a_paths (id INT PRIMARY KEY, path VARCHAR(20) NULL)');
  await setup.query("CREATE TRIGGER backslashes.a_paths_root BEFORE INSERT ON backslashes.a_paths FOR EACH ROW SET NEW.path = IFNULL(NEW.path, 'C:\\')");
  await setup.query("CREATE PROCEDURE backslashes.root() SELECT 'D:\\' AS root");
  await setup.query('SET SESSION sql_mode = DEFAULT');
  await setup.query('CREATE TABLE backslashes.z_rows (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)');
  await setup.query('INSERT INTO backslashes.a_paths (id) VALUES (1)');
  await setup.query("INSERT INTO backslashes.z_rows VALUES (1, 'it\\'s'), (2, 'back\\\\slash')");
  await setup.end();
  const file = dumpToFile('backslashes', ['backslashes']);
  try {
    const result = await loadDump({ source: createReadStream(file), connection: target.connectionOptions() });
    expect(result.done).toBe(true);
    const tables = ['a_paths', 'z_rows'];
    expect(await checksums(target, 'backslashes', tables)).toEqual(await checksums(source, 'backslashes', tables));
    const check = await target.connect();
    await check.query('INSERT INTO backslashes.a_paths (id) VALUES (2)');
    const [paths] = await check.query('SELECT path FROM backslashes.a_paths ORDER BY id');
    const [called] = await check.query('CALL backslashes.root()');
    await check.end();
    expect(paths).toEqual([{ path: 'C:\\' }, { path: 'C:\\' }]);
    expect((called as unknown[])[0]).toEqual([{ root: 'D:\\' }]);

    // Resumed one statement at a time: the replayed SET statements bring the mode back.
    await dropDatabase(target, 'backslashes');
    let applied = 0;
    for (let done = false; !done;) {
      const step = await loadDump({ source: createReadStream(file), connection: target.connectionOptions(), resumeAfter: applied, deadline: 0 });
      applied = step.statementsApplied;
      done = step.done;
    }
    expect(await checksums(target, 'backslashes', tables)).toEqual(await checksums(source, 'backslashes', tables));
  } finally {
    await dropDatabase(target, 'backslashes');
    await dropDatabase(source, 'backslashes');
  }
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
