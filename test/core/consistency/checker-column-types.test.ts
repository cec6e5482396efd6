import type { Connection } from 'mysql2/promise';
import { checkConsistency } from '../../../core/consistency/checker';
import type { ConsistencyReport } from '../../../core/consistency/report';
import { formatReport } from '../../../core/consistency/report';
import { ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;
let master: Connection;
let replica: Connection;

async function check(options: Parameters<typeof checkConsistency>[2]): Promise<ConsistencyReport> {
  const m = await pair.master.connect();
  const r = await pair.replica.connect();
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
  return report.tables.flatMap((table) => table.drift.map((row) => `${table.table} ${row.kind} ${JSON.stringify(row.key)}`)).sort();
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  master = await pair.master.connect();
  replica = await pair.replica.connect();
  await master.query(`
    CREATE DATABASE kinds;
    CREATE TABLE kinds.bits (k BIT(16) NOT NULL PRIMARY KEY, v INT NOT NULL);
    INSERT INTO kinds.bits SELECT seq, seq FROM kinds.seq_1_to_5000;
    CREATE TABLE kinds.floats (f FLOAT NOT NULL PRIMARY KEY, v VARCHAR(10) NOT NULL);
    INSERT INTO kinds.floats SELECT seq / 10, 'x' FROM kinds.seq_1_to_3000;
    CREATE TABLE kinds.labels (e ENUM('z','A','m') NOT NULL, n INT NOT NULL, v VARCHAR(10) NOT NULL, PRIMARY KEY (e, n));
    INSERT INTO kinds.labels SELECT ELT(1 + seq MOD 3, 'z', 'A', 'm'), seq, 'x' FROM kinds.seq_1_to_9000;
    CREATE TABLE kinds.tags (s SET('x','y','z') NOT NULL, n INT NOT NULL, v INT NOT NULL, PRIMARY KEY (s, n));
    INSERT INTO kinds.tags SELECT ELT(1 + seq MOD 3, 'x', 'y,z', 'z'), seq, seq FROM kinds.seq_1_to_6000;
    CREATE TABLE kinds.measures (id INT NOT NULL PRIMARY KEY, reading FLOAT NOT NULL);
    INSERT INTO kinds.measures SELECT seq, 1.0000001 FROM kinds.seq_1_to_100;
    CREATE TABLE kinds.versioned (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) WITH SYSTEM VERSIONING;
    INSERT INTO kinds.versioned SELECT seq, seq FROM kinds.seq_1_to_100;
    CREATE TABLE kinds.names (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT NOT NULL);
    INSERT INTO kinds.names SELECT CONCAT('name-', seq), seq FROM kinds.seq_1_to_4000;
  `);
  await pair.waitForReplica();
});

afterAll(async () => {
  await stopStartedServers(() => master?.end(), () => replica?.end());
});

describe('checkConsistency with keys and values that do not read back as they compare', () => {
  test('every table is consistent before any drift', async () => {
    const report = await check({ databases: ['kinds'], initialChunkRows: 1000 });
    expect(report.tables.map((table) => `${table.table}:${table.status}`)).toEqual([
      'bits:consistent', 'floats:consistent', 'labels:consistent', 'measures:consistent', 'names:consistent', 'tags:consistent', 'versioned:consistent',
    ]);
    expect(report.status).toBe('consistent');
  });

  test('finds drift under BIT, FLOAT, ENUM and SET keys, in FLOAT values beyond 6 digits and in system-versioned tables', async () => {
    await onReplicaOnly(`
      UPDATE kinds.bits SET v = 0 WHERE k IN (7, 300, 4500);
      UPDATE kinds.floats SET v = 'drift' WHERE f > 29.95 AND f < 30.05;
      DELETE FROM kinds.floats WHERE f > 250.05 AND f < 250.15;
      UPDATE kinds.labels SET v = 'drift' WHERE n IN (5, 7999);
      UPDATE kinds.tags SET v = 0 WHERE n = 4;
      UPDATE kinds.measures SET reading = 1.0000002 WHERE id = 42;
      UPDATE kinds.versioned SET v = 0 WHERE id = 9`);
    const report = await check({ databases: ['kinds'], initialChunkRows: 1000 });
    expect(driftOf(report)).toEqual([
      'bits different {"k":"300"}',
      'bits different {"k":"4500"}',
      'bits different {"k":"7"}',
      'floats different {"f":30}',
      'floats missing {"f":250.10000610351562}',
      'labels different {"e":"A","n":7999}',
      'labels different {"e":"m","n":5}',
      'measures different {"id":42}',
      'tags different {"s":"y,z","n":4}',
      'versioned different {"id":9}',
    ]);
    expect(report.status).toBe('drift');
    expect(report.tables.map((table) => `${table.table}:${table.status}:${table.driftedRows}`)).toEqual([
      'bits:drift:3', 'floats:drift:2', 'labels:drift:2', 'measures:drift:1', 'names:consistent:0', 'tags:drift:1', 'versioned:drift:1',
    ]);
  });

  test('a named database that is on neither server is reported as unknown, not skipped', async () => {
    const report = await check({ databases: ['kinds', 'no_such_db'], tables: ['kinds.versioned'] });
    expect(report.tables.map((table) => `${table.schema}.${table.table}:${table.status}`)).toEqual(['no_such_db.*:unknown', 'kinds.versioned:drift']);
    expect(report.tables[0].reason).toBe('named in the databases to compare, but no table of it is on the master or the replica');
  });

  test('compares MariaDB sequences: one missing on the replica, or set to another value there, is drift', async () => {
    await master.query(`CREATE DATABASE seqs; CREATE TABLE seqs.orders (id INT PRIMARY KEY); INSERT INTO seqs.orders VALUES (1);
      CREATE SEQUENCE seqs.order_numbers; SELECT NEXTVAL(seqs.order_numbers); CREATE SEQUENCE seqs.invoice_numbers; CREATE SEQUENCE seqs.gone`);
    await pair.waitForReplica();
    try {
      const before = await check({ databases: ['seqs'] });
      expect(before.tables.map((table) => `${table.table}:${table.status}`).sort()).toEqual(['gone:consistent', 'invoice_numbers:consistent', 'order_numbers:consistent', 'orders:consistent']);
      expect(before.status).toBe('consistent');

      await onReplicaOnly('SELECT SETVAL(seqs.order_numbers, 5000); DROP SEQUENCE seqs.gone');
      const report = await check({ databases: ['seqs'] });
      expect(report.tables.map((table) => `${table.table}:${table.status}: ${table.reason}`).sort()).toEqual([
        'gone:drift: the table is missing on the replica',
        'invoice_numbers:consistent: no primary key: compared as a whole',
        'order_numbers:drift: no primary key: the table differs as a whole (1 rows on the master, 1 on the replica); rows cannot be named',
        'orders:consistent: undefined',
      ]);
      expect(report.status).toBe('drift');
    } finally {
      await master.query('DROP DATABASE seqs');
      await pair.waitForReplica();
    }
  });

  test('a key that changed only in case or accent under an insensitive collation is one differing row, not missing and extra', async () => {
    await onReplicaOnly("UPDATE kinds.names SET k = 'NAME-17' WHERE k = 'name-17'; UPDATE kinds.names SET k = 'nàme-2500' WHERE k = 'name-2500'; " +
      "INSERT INTO kinds.names VALUES ('name-x', 0)");
    const report = await check({ databases: ['kinds'], tables: ['kinds.names'], initialChunkRows: 500 });
    expect(report.status).toBe('drift');
    expect(driftOf(report)).toEqual(['names different {"k":"name-17"}', 'names different {"k":"name-2500"}', 'names extra {"k":"name-x"}']);
  });

  test('a key that changed only by trailing spaces under a PAD SPACE collation is one differing row, not missing and extra', async () => {
    await master.query(`CREATE TABLE kinds.padded (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, v INT NOT NULL);
      INSERT INTO kinds.padded SELECT CONCAT('code-', seq), seq FROM kinds.seq_1_to_3000`);
    await pair.waitForReplica();
    try {
      await onReplicaOnly("UPDATE kinds.padded SET k = 'code-42  ' WHERE k = 'code-42'; UPDATE kinds.padded SET k = 'Code-2999 ' WHERE k = 'code-2999'");
      const report = await check({ databases: ['kinds'], tables: ['kinds.padded'], initialChunkRows: 500 });
      expect(report.status).toBe('drift');
      expect(driftOf(report)).toEqual(['padded different {"k":"code-2999"}', 'padded different {"k":"code-42"}']);
    } finally {
      await master.query('DROP TABLE kinds.padded');
      await pair.waitForReplica();
    }
  });

  test('under a NO PAD collation a key with trailing spaces is a key of its own', async () => {
    await master.query(`CREATE TABLE kinds.unpadded (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL PRIMARY KEY, v INT NOT NULL);
      INSERT INTO kinds.unpadded SELECT CONCAT('code-', seq), seq FROM kinds.seq_1_to_3000;
      INSERT INTO kinds.unpadded VALUES ('code-42 ', 0), ('code-7  ', 0)`);
    await pair.waitForReplica();
    try {
      await onReplicaOnly("UPDATE kinds.unpadded SET v = 1 WHERE k = 'code-42 '; DELETE FROM kinds.unpadded WHERE k = 'code-7  '; INSERT INTO kinds.unpadded VALUES ('code-9 ', 0)");
      const report = await check({ databases: ['kinds'], tables: ['kinds.unpadded'], initialChunkRows: 500 });
      expect(driftOf(report)).toEqual(['unpadded different {"k":"code-42 "}', 'unpadded extra {"k":"code-9 "}', 'unpadded missing {"k":"code-7  "}']);
    } finally {
      await master.query('DROP TABLE kinds.unpadded');
      await pair.waitForReplica();
    }
  });

  test('a system-versioned table: only its current rows are compared, and the result and the summary say its history rows were not', async () => {
    await master.query(`CREATE TABLE kinds.prices (id INT NOT NULL PRIMARY KEY, amount INT NOT NULL) WITH SYSTEM VERSIONING;
      INSERT INTO kinds.prices SELECT seq, seq FROM kinds.seq_1_to_50; UPDATE kinds.prices SET amount = 0 WHERE id <= 10;
      CREATE TABLE kinds.plain (id INT NOT NULL PRIMARY KEY, amount INT NOT NULL); INSERT INTO kinds.plain VALUES (1, 1)`);
    await pair.waitForReplica();
    try {
      // The replica loses the history of 10 rows: its current rows still match.
      await onReplicaOnly('SET SESSION system_versioning_alter_history = KEEP; DELETE HISTORY FROM kinds.prices');
      const [[history]] = await replica.query('SELECT COUNT(*) AS n FROM kinds.prices FOR SYSTEM_TIME ALL') as unknown as [Array<{ n: number }>];
      expect(Number(history.n)).toBe(50);
      const report = await check({ databases: ['kinds'], tables: ['kinds.prices', 'kinds.plain'] });
      expect(report.status).toBe('consistent');
      expect(report.tables.map((table) => `${table.table}:${table.status}:${table.systemVersioned === true}`)).toEqual(['plain:consistent:false', 'prices:consistent:true']);
      expect(report.tables.find((table) => table.table === 'plain')).not.toHaveProperty('systemVersioned');
      const summary = formatReport(report);
      expect(summary).toContain('\n  CONSISTENT kinds.prices (system-versioned: its history rows were not compared, only its current rows)');
      expect(summary).not.toContain('kinds.plain');
    } finally {
      await master.query('DROP TABLE kinds.prices, kinds.plain');
      await pair.waitForReplica();
    }
  });

  test('system versioning on one server only is a definition difference: a replica that dropped it, or added it, is drift', async () => {
    await master.query(`CREATE TABLE kinds.prices (id INT NOT NULL PRIMARY KEY, amount INT NOT NULL) WITH SYSTEM VERSIONING;
      INSERT INTO kinds.prices SELECT seq, seq FROM kinds.seq_1_to_50; UPDATE kinds.prices SET amount = 0 WHERE id <= 10;
      CREATE TABLE kinds.plain (id INT NOT NULL PRIMARY KEY, amount INT NOT NULL); INSERT INTO kinds.plain VALUES (1, 1)`);
    await pair.waitForReplica();
    try {
      // The replica stops keeping history of kinds.prices and starts keeping it of kinds.plain; the current rows still match.
      await onReplicaOnly('ALTER TABLE kinds.prices DROP SYSTEM VERSIONING; ALTER TABLE kinds.plain ADD SYSTEM VERSIONING');
      const report = await check({ databases: ['kinds'], tables: ['kinds.prices', 'kinds.plain'] });
      expect(report.status).toBe('drift');
      expect(report.tables.map((table) => `${table.table}:${table.status}: ${table.reason}`)).toEqual([
        'plain:drift: the table definitions differ: master has id int(11) not null, amount int(11) not null / primary key (id) / without system versioning; ' +
          'replica has id int(11) not null, amount int(11) not null / primary key (id) / with system versioning',
        'prices:drift: the table definitions differ: master has id int(11) not null, amount int(11) not null / primary key (id) / with system versioning; ' +
          'replica has id int(11) not null, amount int(11) not null / primary key (id) / without system versioning',
      ]);
      const summary = formatReport(report);
      expect(summary).toContain('DRIFT: 2 tables differ as a whole (missing, extra or defined differently)');
      // No rows of either table were compared: the summary does not say its current rows were.
      expect(summary).toContain('\n  DRIFT      kinds.prices (system-versioned: its rows were not compared): the table definitions differ: ');
      expect(summary).not.toContain('only its current rows');
    } finally {
      await master.query('DROP TABLE kinds.prices, kinds.plain');
      await pair.waitForReplica();
    }
  });
});
