import type { Connection } from 'mysql2/promise';
import { checkConsistency } from '../../../core/consistency/checker';
import type { ConsistencyReport } from '../../../core/consistency/report';
import { formatReport } from '../../../core/consistency/report';
import { interceptQueries } from '../../support/intercept-queries';
import { ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;
let master: Connection;
let replica: Connection;

async function fresh(): Promise<{ m: Connection; r: Connection }> {
  return { m: await pair.master.connect(), r: await pair.replica.connect() };
}

async function check(options: Parameters<typeof checkConsistency>[2] = {}): Promise<ConsistencyReport> {
  const { m, r } = await fresh();
  try {
    return await checkConsistency(m, r, options);
  } finally {
    await m.end();
    await r.end();
  }
}

/** Runs SQL on the replica without writing it to the replica's binary log: silent drift. */
async function onReplicaOnly(sql: string): Promise<void> {
  await replica.query(`SET SESSION sql_log_bin = 0; ${sql}; SET SESSION sql_log_bin = 1`);
}

function driftOf(report: ConsistencyReport): string[] {
  return report.tables.flatMap((table) => [
    ...table.drift.map((row) => `${table.schema}.${table.table} ${row.kind} ${JSON.stringify(row.key)}`),
    ...(table.status === 'drift' && table.drift.length === 0 ? [`${table.schema}.${table.table} table: ${table.reason}`] : []),
  ]).sort();
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  master = await pair.master.connect();
  replica = await pair.replica.connect();
  await master.query(`
    CREATE DATABASE shop;
    CREATE TABLE shop.items (
      id INT NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2) NOT NULL,
      data VARBINARY(16) NULL, note VARCHAR(40) NULL, doc JSON NULL, created DATETIME(3) NOT NULL, updated TIMESTAMP NULL);
    INSERT INTO shop.items SELECT seq, CONCAT('item-', seq), seq / 100, UNHEX(LPAD(HEX(seq), 8, '0')),
      IF(seq MOD 2 = 0, NULL, CONCAT('n', seq)), JSON_OBJECT('n', seq), '2026-01-01 00:00:00.000' + INTERVAL seq SECOND, NULL
      FROM shop.seq_1_to_60000;
    CREATE TABLE shop.lines (tenant VARCHAR(10) NOT NULL, n INT NOT NULL, body TEXT CHARACTER SET utf8mb4 NOT NULL, PRIMARY KEY (tenant, n));
    INSERT INTO shop.lines SELECT ELT(1 + seq MOD 3, 'a', 'b', 'c'), seq, CONCAT('zeile ', seq, ' 🙂') FROM shop.seq_1_to_9000;
    CREATE TABLE shop.events (kind VARCHAR(10) NULL, payload VARCHAR(40) NULL);
    INSERT INTO shop.events SELECT 'e', CONCAT('p', seq) FROM shop.seq_1_to_300;
    CREATE TABLE shop.clean (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v VARCHAR(10));
    INSERT INTO shop.clean SELECT seq + 18446744073709500000, 'v' FROM shop.seq_1_to_1000;
    CREATE DATABASE other;
    CREATE TABLE other.t (id INT PRIMARY KEY);
  `);
  await pair.waitForReplica();
});

afterAll(async () => {
  await stopStartedServers(() => master?.end(), () => replica?.end());
});

describe('checkConsistency on a real MariaDB master and replica', () => {
  test('a replica that matches is consistent', async () => {
    const report = await check({ databases: ['shop'] });
    expect(report.status).toBe('consistent');
    expect(report.complete).toBe(true);
    expect(report.reason).toBeUndefined();
    expect(report.tables.map((table) => `${table.table}:${table.status}`)).toEqual(['clean:consistent', 'events:consistent', 'items:consistent', 'lines:consistent']);
    expect(report.tables.find((table) => table.table === 'items')!.rowsMaster).toBe(60000);
    expect(report.tables.find((table) => table.table === 'events')!.noPrimaryKey).toBe(true);
    expect(report.replica.health).toMatchObject({ ioThreadRunning: true, sqlThreadRunning: true, lagSeconds: 0 });
    expect(report.maxReplicaLagSeconds).toBe(0);
  });

  test('finds every injected drift with its key and nothing else, also while the master keeps writing', async () => {
    await onReplicaOnly("UPDATE shop.items SET name = 'changed' WHERE id = 100");
    await onReplicaOnly('DELETE FROM shop.items WHERE id = 200');
    await onReplicaOnly("INSERT INTO shop.items VALUES (70001, 'extra', 1, NULL, NULL, NULL, NOW(), NULL)");
    await onReplicaOnly("UPDATE shop.items SET note = '' WHERE id = 300");
    await onReplicaOnly('UPDATE shop.items SET data = 0xDEADBEEF WHERE id = 401');
    await onReplicaOnly("UPDATE shop.lines SET body = 'zeile 7 🙃' WHERE tenant = 'b' AND n = 7");
    await onReplicaOnly("INSERT INTO shop.events VALUES ('e', 'only on the replica')");
    const expected = [
      'shop.events table: no primary key: the table differs as a whole (300 rows on the master, 301 on the replica); rows cannot be named',
      'shop.items different {"id":100}',
      'shop.items different {"id":300}',
      'shop.items different {"id":401}',
      'shop.items extra {"id":70001}',
      'shop.items missing {"id":200}',
      'shop.lines different {"tenant":"b","n":7}',
    ];

    const quiet = await check({ databases: ['shop'] });
    expect(quiet.status).toBe('drift');
    expect(quiet.complete).toBe(true);
    expect(driftOf(quiet)).toEqual(expected);
    expect(quiet.driftedRows).toBe(7);
    expect(quiet.tables.find((table) => table.table === 'clean')!.status).toBe('consistent');
    expect(formatReport(quiet)).toContain('missing   id=200');

    // Writes on the master during the check: updates, inserts and deletes of rows that did not drift.
    const writer = await pair.master.connect();
    let writing = true;
    let writes = 0;
    const load = (async () => {
      let next = 100_000;
      while (writing) {
        const id = 10_000 + Math.floor(Math.random() * 40_000);
        await writer.query(`UPDATE shop.items SET price = price + 1, updated = NOW() WHERE id = ${id};
          INSERT INTO shop.items VALUES (${next}, 'new', 2, NULL, NULL, NULL, NOW(), NULL);
          DELETE FROM shop.items WHERE id = ${next - 50};
          UPDATE shop.lines SET body = CONCAT(body, '+') WHERE tenant = 'c' AND n = ${3 * (1000 + (next % 1500))}`);
        next++;
        writes++;
      }
    })();
    let busy: ConsistencyReport;
    try {
      busy = await check({ databases: ['shop'], initialChunkRows: 2000, targetChunkSeconds: 0.02 });
    } finally {
      writing = false;
      await load;
      await writer.end();
    }
    expect(writes).toBeGreaterThan(20);
    expect(busy.status).toBe('drift');
    expect(driftOf(busy)).toEqual(expected);
  });

  test('finds drift under sparse, negative and near-2^64 keys, in gaps and beyond the last key, with chunks larger than a leaf', async () => {
    await master.query(`CREATE DATABASE keys_db;
      CREATE TABLE keys_db.sparse (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL);
      INSERT INTO keys_db.sparse SELECT CAST(seq AS SIGNED) - 5000, CONCAT('a', seq) FROM keys_db.seq_1_to_10000;
      INSERT INTO keys_db.sparse SELECT seq + 40000000, CONCAT('b', seq) FROM keys_db.seq_1_to_10000;
      CREATE TABLE keys_db.high (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL);
      INSERT INTO keys_db.high SELECT 18446744073709551615 - seq, CONCAT('h', seq) FROM keys_db.seq_0_to_19999`);
    await pair.waitForReplica();
    await onReplicaOnly("UPDATE keys_db.sparse SET v = 'changed' WHERE id = -4000");
    await onReplicaOnly("INSERT INTO keys_db.sparse VALUES (20000000, 'in the gap')");
    await onReplicaOnly("INSERT INTO keys_db.sparse VALUES (90000000, 'beyond the last key')");
    await onReplicaOnly('DELETE FROM keys_db.sparse WHERE id = 40005000');
    await onReplicaOnly("UPDATE keys_db.high SET v = 'changed' WHERE id = 18446744073709551615 - 12345");
    await onReplicaOnly('DELETE FROM keys_db.high WHERE id = 18446744073709551615');

    const report = await check({ databases: ['keys_db'], initialChunkRows: 40000 });
    expect(driftOf(report)).toEqual([
      'keys_db.high different {"id":"18446744073709539270"}',
      'keys_db.high missing {"id":"18446744073709551615"}',
      'keys_db.sparse different {"id":"-4000"}',
      'keys_db.sparse extra {"id":"20000000"}',
      'keys_db.sparse extra {"id":"90000000"}',
      'keys_db.sparse missing {"id":"40005000"}',
    ]);
    expect(report.tables.map((table) => [table.table, table.rowsMaster, table.rowsReplica])).toEqual([['high', 20000, 19999], ['sparse', 20000, 20001]]);
    // Comparing differing parts again before narrowing them finds the same rows.
    expect(driftOf(await check({ databases: ['keys_db'], initialChunkRows: 40000, chunkRechecks: 1 }))).toEqual(driftOf(report));
    await master.query('DROP DATABASE keys_db');
    await pair.waitForReplica();
  });

  test('finds values swapped between rows, which leave a BIT_XOR of plain CRC32 row hashes unchanged', async () => {
    await master.query(`CREATE DATABASE swap_db;
      CREATE TABLE swap_db.codes (id INT NOT NULL PRIMARY KEY, code VARCHAR(10) NOT NULL);
      INSERT INTO swap_db.codes SELECT seq, CONCAT('v', LPAD(seq, 6, '0')) FROM swap_db.seq_1_to_5000`);
    await pair.waitForReplica();
    // Rows close together (one part of a chunk), keys of one length and codes of one length.
    await onReplicaOnly("UPDATE swap_db.codes SET code = IF(id = 1001, 'v001009', 'v001001') WHERE id IN (1001, 1009)");
    await onReplicaOnly("UPDATE swap_db.codes SET code = ELT(id - 3000, 'v003002', 'v003003', 'v003001') WHERE id IN (3001, 3002, 3003)");

    const report = await check({ databases: ['swap_db'] });
    expect(report.status).toBe('drift');
    expect(driftOf(report)).toEqual(['1001', '1009', '3001', '3002', '3003'].map((id) => `swap_db.codes different {"id":${id}}`));
    await master.query('DROP DATABASE swap_db');
    await pair.waitForReplica();
  });

  test('without a deadline sends the chunk and narrowing statements as written; with one, the server stops each at the deadline', async () => {
    await onReplicaOnly("UPDATE shop.items SET name = 'bounded' WHERE id = 4321; UPDATE shop.lines SET body = 'bounded' WHERE tenant = 'b' AND n = 4000");
    try {
      /** The statements that read rows of shop.items or shop.lines (chunks, bounds, narrowing, verification), on both servers, and the report. */
      const statementsOf = async (options: Parameters<typeof checkConsistency>[2]): Promise<{ report: ConsistencyReport; reads: string[] }> => {
        const reads: string[] = [];
        const { m, r } = await fresh();
        const record = (sql: unknown, run: () => Promise<unknown>): Promise<unknown> => {
          const text = typeof sql === 'string' ? sql : String((sql as { sql: string }).sql);
          // Not the column-privilege probes (`LIMIT 0`), which read no rows.
          if (/FROM `shop`\.`(items|lines)`/.test(text) && !text.endsWith(' LIMIT 0')) {
            reads.push(text);
          }
          return run();
        };
        try {
          const report = await checkConsistency(interceptQueries(m, record), interceptQueries(r, record), { tables: ['shop.items', 'shop.lines'], ...options });
          return { report, reads };
        } finally {
          await m.end();
          await r.end();
        }
      };
      const expected = ['shop.items different {"id":4321}', 'shop.lines different {"tenant":"b","n":4000}'];

      const free = await statementsOf({});
      // Earlier tests may have left drift of their own in these tables.
      expect(driftOf(free.report)).toEqual(expect.arrayContaining(expected));
      expect(free.reads.length).toBeGreaterThan(6);
      expect(free.reads.filter((sql) => !sql.startsWith('SELECT ')).map((sql) => sql.slice(0, 80))).toEqual([]);

      const bounded = await statementsOf({ deadline: Date.now() + 60_000 });
      expect(driftOf(bounded.report)).toEqual(driftOf(free.report));
      expect(bounded.reads.length).toBeGreaterThan(6);
      expect(bounded.reads.filter((sql) => !/^SET STATEMENT max_statement_time = \d+\.\d{3} FOR SELECT /.test(sql)).map((sql) => sql.slice(0, 80))).toEqual([]);
    } finally {
      await onReplicaOnly("UPDATE shop.items SET name = 'item-4321' WHERE id = 4321; UPDATE shop.lines SET body = CONCAT('zeile ', 4000, ' 🙂') WHERE tenant = 'b' AND n = 4000");
    }
  });

  test('puts the session settings of its connections back', async () => {
    const { m, r } = await fresh();
    try {
      await m.query("SET SESSION time_zone = '+02:00', SESSION innodb_lock_wait_timeout = 40");
      await checkConsistency(m, r, { databases: ['other'] });
      const [rows] = await m.query('SELECT @@SESSION.time_zone AS tz, @@SESSION.innodb_lock_wait_timeout AS wait, @@SESSION.tx_read_only AS ro');
      expect((rows as Array<Record<string, unknown>>)[0]).toEqual({ tz: '+02:00', wait: 40, ro: 0 });
      await m.query('SET SESSION TRANSACTION READ ONLY');
      await checkConsistency(m, r, { databases: ['other'] });
      const [after] = await m.query('SELECT @@SESSION.tx_read_only AS ro');
      expect((after as Array<Record<string, unknown>>)[0]).toEqual({ ro: 1 });
    } finally {
      await m.end();
      await r.end();
    }
  });

  test('compares only the named databases, and all non-system ones by default', async () => {
    const all = await check();
    expect([...new Set(all.tables.map((table) => table.schema))]).toEqual(['other', 'shop']);
    const none = await check({ databases: ['nothing_here'] });
    expect(none.status).toBe('unknown');
    expect(none.reason).toContain('no tables found on the master in nothing_here');
  });

  test("compares a user database named percona, but not pt-table-checksum's percona.checksums", async () => {
    await master.query(`CREATE DATABASE percona;
      CREATE TABLE percona.accounts (id INT PRIMARY KEY, v INT); INSERT INTO percona.accounts VALUES (1, 1), (2, 2);
      CREATE TABLE percona.checksums (db CHAR(64) NOT NULL, tbl CHAR(64) NOT NULL, chunk INT NOT NULL, this_crc CHAR(40) NOT NULL, master_crc CHAR(40) NULL,
        PRIMARY KEY (db, tbl, chunk));
      INSERT INTO percona.checksums VALUES ('shop', 'items', 1, 'a1b2', 'a1b2');`);
    await pair.waitForReplica();
    try {
      // pt-table-checksum computes this_crc on each server: the rows differ by design.
      await onReplicaOnly("UPDATE percona.accounts SET v = 20 WHERE id = 2; UPDATE percona.checksums SET this_crc = 'c3d4'");
      const report = await check();
      expect(report.status).toBe('drift');
      expect(report.tables.find((table) => table.schema === 'percona' && table.table === 'accounts')?.drift.map((row) => row.key)).toEqual([{ id: 2 }]);
      expect(report.tables.some((table) => table.table === 'checksums')).toBe(false);
      expect(report.excludedTables).toEqual(['percona.checksums']);
    } finally {
      await master.query('DROP DATABASE percona');
      await pair.waitForReplica();
    }
  });

  test('compares only the named tables, leaves out the excluded ones and lists them', async () => {
    await master.query(`CREATE DATABASE filter_db;
      CREATE TABLE filter_db.a (id INT PRIMARY KEY, v INT); CREATE TABLE filter_db.b (id INT PRIMARY KEY, v INT); CREATE TABLE filter_db.c (id INT PRIMARY KEY, v INT);
      INSERT INTO filter_db.a SELECT seq, seq FROM filter_db.seq_1_to_500; INSERT INTO filter_db.b SELECT seq, seq FROM filter_db.seq_1_to_500;`);
    await pair.waitForReplica();
    await onReplicaOnly('UPDATE filter_db.a SET v = 0 WHERE id = 7');
    try {
      await checkFilters();
    } finally {
      await master.query('DROP DATABASE filter_db');
      await pair.waitForReplica();
    }
  });

  async function checkFilters(): Promise<void> {
    const names = (report: ConsistencyReport): string[] => report.tables.map((table) => `${table.schema}.${table.table} ${table.status}`).sort();

    const withoutA = await check({ databases: ['filter_db'], excludeTables: ['filter_db.a'] });
    expect(withoutA).toMatchObject({ status: 'consistent', excludedTables: ['filter_db.a'] });
    expect(names(withoutA)).toEqual(['filter_db.b consistent', 'filter_db.c consistent']);
    expect(formatReport(withoutA)).toContain('\n  not compared (excluded): filter_db.a');

    const onlyB = await check({ tables: ['filter_db.b'] });
    expect(names(onlyB)).toEqual(['filter_db.b consistent']);
    expect(onlyB.excludedTables).toBeUndefined();

    const withMissing = await check({ tables: ['filter_db.a', 'filter_db.nope'] });
    expect(withMissing.status).toBe('drift');
    expect(names(withMissing)).toEqual(['filter_db.a drift', 'filter_db.nope unknown']);
    expect(withMissing.tables.find((table) => table.table === 'nope')?.reason).toBe('named in the tables to compare, but on neither the master nor the replica');

    const nothing = await check({ databases: ['filter_db'], excludeTables: ['filter_db.a', 'filter_db.b', 'filter_db.c'] });
    expect(nothing).toMatchObject({ status: 'unknown', tables: [], reason: 'every table found is excluded (filter_db.a, filter_db.b, filter_db.c): nothing was compared' });

    const badName = await check({ tables: ['filter_db'] });
    expect(badName).toMatchObject({ status: 'unknown', reason: "table names must be 'schema.table' (a schema name, a dot, a table name), got 'filter_db'" });
  }

  test('names a table whose schema or table name holds a dot by its own schema and table', async () => {
    await master.query(`CREATE DATABASE dots; CREATE DATABASE \`dots.x\`;
      CREATE TABLE dots.\`a.b\` (id INT PRIMARY KEY, v INT); INSERT INTO dots.\`a.b\` SELECT seq, seq FROM dots.seq_1_to_300;
      CREATE TABLE \`dots.x\`.t (id INT PRIMARY KEY, v INT); INSERT INTO \`dots.x\`.t SELECT seq, seq FROM dots.seq_1_to_300`);
    await pair.waitForReplica();
    try {
      await onReplicaOnly('UPDATE dots.`a.b` SET v = 0 WHERE id = 12; DELETE FROM `dots.x`.t WHERE id = 34');
      // `dots`.`x.y` on the master only and `dots.x`.`y` on the replica only both read 'dots.x.y'.
      await master.query('SET SESSION sql_log_bin = 0; CREATE TABLE dots.`x.y` (id INT PRIMARY KEY); SET SESSION sql_log_bin = 1');
      await onReplicaOnly('CREATE TABLE `dots.x`.y (id INT PRIMARY KEY)');
      const names = (report: ConsistencyReport): string[] => report.tables.map((table) => `${table.schema} | ${table.table} | ${table.status} | ${table.reason}`).sort();

      const report = await check({ databases: ['dots', 'dots.x'] });
      expect(report.status).toBe('drift');
      expect(names(report)).toEqual([
        'dots | a.b | drift | undefined',
        'dots | x.y | drift | the table is missing on the replica',
        'dots.x | t | drift | undefined',
        'dots.x | y | drift | the table exists on the replica only',
      ]);
      expect(driftOf(report)).toEqual(expect.arrayContaining(['dots.a.b different {"id":12}', 'dots.x.t missing {"id":34}']));

      const named = await check({ databases: ['dots.x'], tables: ['dots.x.t', 'dots.x.nope'] });
      expect(names(named)).toEqual(['dots.x | nope | unknown | named in the tables to compare, but on neither the master nor the replica', 'dots.x | t | drift | undefined']);

      // Created on the master between the master's two listings of the tables.
      const { m, r } = await fresh();
      let listings = 0;
      const creating = interceptQueries(m, async (sql, run) => {
        const result = await run();
        if (String(sql).includes('information_schema.TABLES') && ++listings === 1) {
          await master.query('CREATE TABLE dots.`new.t` (id INT PRIMARY KEY)');
        }
        return result;
      });
      try {
        const created = await checkConsistency(creating, r, { tables: ['dots.a.b', 'dots.new.t'] });
        expect(names(created)).toEqual(['dots | a.b | drift | undefined', 'dots | new.t | unknown | created or dropped on the master while the check listed the tables']);
      } finally {
        await m.end();
        await r.end();
      }
    } finally {
      await master.query('DROP DATABASE dots; DROP DATABASE `dots.x`');
      await onReplicaOnly('DROP TABLE IF EXISTS `dots.x`.y');
      await pair.waitForReplica();
    }
  });

  test('reports tables missing on one side and differing definitions as drift', async () => {
    await onReplicaOnly('CREATE TABLE other.replica_only (id INT PRIMARY KEY)');
    await onReplicaOnly('ALTER TABLE other.t ADD COLUMN extra INT NULL');
    await master.query('SET SESSION sql_log_bin = 0; CREATE TABLE other.master_only (id INT PRIMARY KEY); SET SESSION sql_log_bin = 1');
    const report = await check({ databases: ['other'] });
    expect(report.status).toBe('drift');
    expect(report.tables.map((table) => `${table.table}: ${table.reason}`).sort()).toEqual([
      'master_only: the table is missing on the replica',
      'replica_only: the table exists on the replica only',
      expect.stringMatching(/^t: the table definitions differ: master has id int\(11\) not null \/ primary key \(id\); replica has id int\(11\) not null, extra int\(11\) null/),
    ]);
    // None of them had its rows counted: no row counts rather than 0.
    expect(report.tables.filter((table) => 'rowsMaster' in table || 'rowsReplica' in table)).toEqual([]);
  });
});
