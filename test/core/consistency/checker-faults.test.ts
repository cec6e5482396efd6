import type { Connection } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { checkConsistency } from '../../../core/consistency/checker';
import type { ConsistencyReport } from '../../../core/consistency/report';
import { ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;
let master: Connection;
let replica: Connection;

async function check(options: Parameters<typeof checkConsistency>[2] = {}, during?: (m: Connection, r: Connection) => void): Promise<ConsistencyReport> {
  const m = await pair.master.connect();
  const r = await pair.replica.connect();
  try {
    return await checkConsistency(m, r, { databases: ['app'], ...options, ...(during ? { onProgress: () => during(m, r) } : {}) });
  } finally {
    await m.end().catch(() => undefined);
    await r.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  master = await pair.master.connect();
  replica = await pair.replica.connect();
  await master.query(`
    CREATE DATABASE app;
    CREATE TABLE app.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL);
    INSERT INTO app.t SELECT seq, CONCAT('v', seq) FROM app.seq_1_to_50000;`);
  await pair.waitForReplica();
});

afterAll(async () => {
  await stopStartedServers(() => master?.end(), () => replica?.end());
});

describe('checkConsistency faults: never consistent when it could not tell', () => {
  test('the healthy pair is consistent (the baseline of the fault tests)', async () => {
    expect((await check()).status).toBe('consistent');
  });

  test.each([
    [{ initialChunkRows: 0 }, '`initialChunkRows` must be a whole number of rows from 1, got 0'],
    [{ maxChunkRows: 2.5 }, '`maxChunkRows` must be a whole number of rows from 1, got 2.5'],
    [{ targetChunkSeconds: -1 }, '`targetChunkSeconds` must be a number of seconds above 0, got -1'],
    [{ chunkRechecks: -1 }, '`chunkRechecks` must be a whole number from 0, got -1'],
    [{ rowVerifyRounds: Number.NaN }, '`rowVerifyRounds` must be a whole number from 1, got NaN'],
  ])('an option out of range (%j): unknown before anything is read, naming it', async (options, reason) => {
    const report = await check(options);
    expect(report).toMatchObject({ status: 'unknown', complete: false, tablesChecked: 0, reason });
  });

  test('the replica given as the master too: unknown, never consistent with itself', async () => {
    const first = await pair.replica.connect();
    const second = await pair.replica.connect();
    try {
      const report = await checkConsistency(first, second, { databases: ['app'] });
      expect(report).toMatchObject({ status: 'unknown', complete: false, tablesChecked: 0 });
      expect(report.reason).toMatch(/^the master and the replica have the same server_id \d+: they are one server/);
    } finally {
      await first.end();
      await second.end();
    }
  });

  /**
   * Runs a check as a user created on both servers (outside the binlog) with `privileges` on
   * `*.*` and the grants `on` (`'SELECT ON app.t'`) only, over its own connections.
   */
  async function checkAs(user: string, privileges: string, options: Parameters<typeof checkConsistency>[2] = {}, on: readonly string[] = []): Promise<ConsistencyReport> {
    const grant = `SET SESSION sql_log_bin = 0; CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${user}-pw'; ` +
      [`${privileges} ON *.*`, ...on].map((level) => `GRANT ${level} TO '${user}'@'127.0.0.1'; `).join('') + 'SET SESSION sql_log_bin = 1';
    await master.query(grant);
    await replica.query(grant);
    const m = await createConnection({ host: '127.0.0.1', port: pair.master.port, user, password: `${user}-pw` });
    const r = await createConnection({ host: '127.0.0.1', port: pair.replica.port, user, password: `${user}-pw` });
    try {
      return await checkConsistency(m, r, options);
    } finally {
      await m.end();
      await r.end();
    }
  }

  test('works as a read-only user with SELECT, REPLICATION CLIENT and SLAVE MONITOR only', async () => {
    const report = await checkAs('checker', 'SELECT, REPLICATION CLIENT, SLAVE MONITOR', { databases: ['app'] });
    expect(report.reason).toBeUndefined();
    expect(report.status).toBe('consistent');
  });

  test('a user without SELECT sees no tables: nothing compared is unknown, never consistent', async () => {
    const report = await checkAs('blind', 'REPLICATION CLIENT, SLAVE MONITOR');
    expect(report.status).toBe('unknown');
    expect(report.complete).toBe(false);
    expect(report.tablesChecked).toBe(0);
    expect(report.reason).toBe("no tables found on the master or the replica outside the system schemas: nothing was compared (does the check's user have SELECT on the application's databases?)");
  });

  test('a user that holds SELECT on single tables or columns only: what it cannot see is not compared, so never consistent', async () => {
    await master.query('CREATE TABLE app.hidden (id INT PRIMARY KEY, v INT); INSERT INTO app.hidden VALUES (1, 1), (2, 2)');
    await pair.waitForReplica();
    await replica.query('SET SESSION sql_log_bin = 0; UPDATE app.hidden SET v = 0 WHERE id = 2; SET SESSION sql_log_bin = 1');
    try {
      const tablewise = await checkAs('tablewise', 'REPLICATION CLIENT, SLAVE MONITOR', { databases: ['app'] }, ['SELECT ON app.t']);
      expect(tablewise.tables.map((table) => `${table.table}:${table.status}`)).toEqual(['t:consistent']);
      expect(tablewise.status).toBe('unknown');
      expect(tablewise.complete).toBe(true);
      expect(tablewise.reason).toBe(['master', 'replica'].map((role) => `on the ${role}, the check's user tablewise@127.0.0.1 holds no SELECT on the database app ` +
        "(a table it holds no privilege on is not listed, so it was not compared): GRANT SELECT ON `app`.* TO 'tablewise'@'127.0.0.1'").join('; '));

      // Named tables are each compared or unknown: none is left out unseen.
      const named = await checkAs('tablenamed', 'REPLICATION CLIENT, SLAVE MONITOR', { tables: ['app.t'] }, ['SELECT ON app.t']);
      expect(named).toMatchObject({ status: 'consistent', complete: true });

      // A grant on some columns lists only those columns: the others would not be compared.
      const columnwise = await checkAs('columnwise', 'REPLICATION CLIENT, SLAVE MONITOR', { tables: ['app.hidden'] }, ['SELECT (id) ON app.hidden']);
      expect(columnwise.status).toBe('unknown');
      expect(columnwise.tables.map((table) => `${table.table}:${table.status}: ${table.reason}`)).toEqual([
        expect.stringMatching(/^hidden:unknown: could not be compared: the check's user may not read every column of app\.hidden on the master \(SELECT \* is refused: .*\): a column it holds no privilege on is not listed, so it would not be compared$/),
      ]);

      const schemawise = await checkAs('schemawise', 'REPLICATION CLIENT, SLAVE MONITOR', { databases: ['app'] }, ['SELECT ON app.*']);
      expect(schemawise.status).toBe('drift');
      expect(schemawise.tables.map((table) => `${table.table}:${table.status}`)).toEqual(['hidden:drift', 't:consistent']);

      const everySchema = await checkAs('everyschema', 'REPLICATION CLIENT, SLAVE MONITOR', {}, ['SELECT ON app.t']);
      expect(everySchema.status).toBe('unknown');
      expect(everySchema.reason).toBe(['master', 'replica'].map((role) => `on the ${role}, the check's user everyschema@127.0.0.1 holds no SELECT on *.* ` +
        "(a database or table it holds no privilege on is not listed, so it was not compared): name the databases to compare, or GRANT SELECT ON *.* TO 'everyschema'@'127.0.0.1'").join('; '));
    } finally {
      await master.query('DROP TABLE app.hidden');
      await pair.waitForReplica();
    }
  });

  test("MariaDB 10.11's PUBLIC role: SELECT granted to PUBLIC shows every table to the check's user; without it the check is unknown", async () => {
    const toPublic = (statement: string): string => `SET SESSION sql_log_bin = 0; ${statement}; SET SESSION sql_log_bin = 1`;
    await master.query(toPublic('GRANT SELECT ON app.* TO PUBLIC'));
    await replica.query(toPublic('GRANT SELECT ON app.* TO PUBLIC'));
    try {
      const viaPublic = await checkAs('viapublic', 'REPLICATION CLIENT, SLAVE MONITOR', { databases: ['app'] });
      expect(viaPublic.reason).toBeUndefined();
      expect(viaPublic).toMatchObject({ status: 'consistent', complete: true });
    } finally {
      await master.query(toPublic('REVOKE SELECT ON app.* FROM PUBLIC'));
      await replica.query(toPublic('REVOKE SELECT ON app.* FROM PUBLIC'));
    }
    const withoutPublic = await checkAs('nopublic', 'REPLICATION CLIENT, SLAVE MONITOR', { databases: ['app'] }, ['SELECT ON app.t']);
    expect(withoutPublic.status).toBe('unknown');
    expect(withoutPublic.reason).toContain("on the master, the check's user nopublic@127.0.0.1 holds no SELECT on the database app");
  });

  test('replica stopped: unknown, naming the stopped threads', async () => {
    await replica.query('STOP SLAVE');
    try {
      const report = await check();
      expect(report.status).toBe('unknown');
      expect(report.complete).toBe(false);
      expect(report.reason).toBe('replication is not running: the IO thread is stopped and the SQL thread is stopped');
      expect(report.replica.health).toMatchObject({ ioThreadRunning: false, sqlThreadRunning: false, lagSeconds: null });
    } finally {
      await replica.query('START SLAVE');
    }
  });

  test('replication that stops during the check, after its last position wait: unknown, naming the stopped thread', async () => {
    // A quiet master gives the replica no new position to wait for, so only the reading at the end can see the stop.
    let stopped: Promise<unknown> | undefined;
    try {
      const report = await check({}, () => {
        stopped ??= replica.query('STOP SLAVE SQL_THREAD');
      });
      expect(stopped).toBeDefined();
      expect(report.status).toBe('unknown');
      // Normally the table is compared within a second of the first status reading, so only the reading at the end
      // sees the stop; on a machine stalled for longer a reading during the table sees it and stops the check there.
      expect(report.reason).toMatch(/^replication is not running: the SQL thread is stopped(, read again when every table had been compared)?$/);
    } finally {
      await stopped;
      await replica.query('START SLAVE SQL_THREAD');
      await pair.waitForReplica();
    }
  });

  test('replication broken by an error: unknown, with the SQL thread error', async () => {
    await replica.query("SET SESSION sql_log_bin = 0; INSERT INTO app.t VALUES (90001, 'conflict'); SET SESSION sql_log_bin = 1");
    await master.query("INSERT INTO app.t VALUES (90001, 'from master')");
    for (let waited = 0; waited < 100; waited++) {
      const [rows] = await replica.query('SHOW SLAVE STATUS');
      if ((rows as Array<Record<string, string>>)[0].Slave_SQL_Running === 'No') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      const report = await check();
      expect(report.status).toBe('unknown');
      expect(report.reason).toMatch(/^replication is not running: the SQL thread is stopped \(SQL error 1062: .*Duplicate entry '90001'/);
      expect(report.replica.health?.lastError).toContain('1062');
    } finally {
      await replica.query('SET SESSION sql_log_bin = 0; DELETE FROM app.t WHERE id = 90001; SET SESSION sql_log_bin = 1; START SLAVE');
      await pair.waitForReplica();
    }
    expect((await check()).status).toBe('consistent');
  });

  test('a connection killed mid-check: unknown and incomplete', async () => {
    let killed = false;
    const report = await check({ initialChunkRows: 1000, maxChunkRows: 1000 }, (_m, r) => {
      if (!killed) {
        killed = true;
        void replica.query(`KILL ${r.threadId}`);
      }
    });
    expect(killed).toBe(true);
    expect(report.status).toBe('unknown');
    expect(report.complete).toBe(false);
    expect(report.reason).toMatch(/^the check stopped( after \d+ table\(s\))?: .*(closed|lost|killed|ended|Connection)/i);
    expect(report.tables).toEqual([]);
  });

  test('tables created, dropped and altered on the master just before the check, not yet on a delayed replica: compared at its position, no drift', async () => {
    await master.query('CREATE TABLE app.dropped (id INT PRIMARY KEY); INSERT INTO app.dropped VALUES (1)');
    await pair.waitForReplica();
    await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 2; START SLAVE');
    try {
      await master.query('CREATE TABLE app.created (id INT PRIMARY KEY); INSERT INTO app.created VALUES (1); DROP TABLE app.dropped; ALTER TABLE app.t ADD COLUMN w INT NULL');
      const report = await check();
      expect(report.tables.map((table) => `${table.table}:${table.status}${table.reason ? `: ${table.reason}` : ''}`)).toEqual(['created:consistent', 't:consistent']);
      expect(report.status).toBe('consistent');
    } finally {
      await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE');
      await master.query('DROP TABLE IF EXISTS app.created, app.dropped; ALTER TABLE app.t DROP COLUMN IF EXISTS w');
      await pair.waitForReplica();
    }
  });

  test('replica lag above the limit: unknown with the lag, after waiting at most the lag wait', async () => {
    await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE');
    try {
      await master.query("UPDATE app.t SET v = 'lagging' WHERE id = 1");
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const started = Date.now();
      const waits: string[] = [];
      const report = await check({
        maxLagSeconds: 1, maxLagWaitSeconds: 3,
        onProgress: (event) => { if (event.kind === 'waiting-for-replica') waits.push(event.reason); },
      });
      expect(report.status).toBe('unknown');
      expect(report.reason).toMatch(/^replica lag \d+ s stayed above the limit of 1 s for \d+ s/);
      expect(report.maxReplicaLagSeconds).toBeGreaterThan(1);
      expect(waits[0]).toMatch(/replica lag \d+ s is above the limit of 1 s/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE');
      await pair.waitForReplica();
    }
  });

  test('a deadline that passes while waiting for a lagging replica stops the wait', async () => {
    await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE');
    try {
      await master.query("UPDATE app.t SET v = 'delayed' WHERE id = 2");
      const started = Date.now();
      const report = await check({ maxLagSeconds: 120, maxLagWaitSeconds: 120, deadline: started + 2000 });
      expect(report.status).toBe('unknown');
      expect(report.reason).toContain('ran out of time');
      // The replica applies the update only after 30 s: stopping well before shows the wait was cut at the deadline.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE');
      await pair.waitForReplica();
    }
  });

  describe('a deadline that passes while the replica is behind ends the check at the deadline, not a wait of up to a second later', () => {
    /** A check of a replica delayed by 30 s, with the master one update ahead of it; how far past its deadline it ended (ms). */
    async function overrunBehindDelayedReplica(options: Parameters<typeof checkConsistency>[2], deadlineIn: number, lagFirst: boolean): Promise<{ report: ConsistencyReport; overrun: number }> {
      await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE');
      try {
        await master.query("UPDATE app.t SET v = LEFT(CONCAT('b', RAND()), 20) WHERE id = 3");
        if (lagFirst) {
          // Seconds_Behind_Master of a delayed replica grows with the age of the event it holds back.
          await new Promise((resolve) => setTimeout(resolve, 3000));
        }
        const deadline = Date.now() + deadlineIn;
        const report = await check({ ...options, deadline });
        return { report, overrun: Date.now() - deadline };
      } finally {
        await replica.query('STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE');
        await pair.waitForReplica();
      }
    }

    test.each([300, 1100])('waiting for the replica to reach the master\'s position, with the deadline %i ms away', async (deadlineIn) => {
      const { report, overrun } = await overrunBehindDelayedReplica({ maxLagSeconds: 120, maxLagWaitSeconds: 120 }, deadlineIn, false);
      expect(report).toMatchObject({ status: 'unknown', complete: false });
      expect(report.reason).toContain('ran out of time');
      expect(overrun).toBeLessThan(200);
    });

    test('waiting for the replica lag to fall below the limit', async () => {
      const { report, overrun } = await overrunBehindDelayedReplica({ maxLagSeconds: 1, maxLagWaitSeconds: 120 }, 300, true);
      expect(report).toMatchObject({ status: 'unknown', complete: false });
      expect(report.reason).toContain('ran out of time');
      expect(report.maxReplicaLagSeconds).toBeGreaterThan(1);
      expect(overrun).toBeLessThan(200);
    });
  });

  test('a table locked on the master (LOCK TABLES ... WRITE) under a deadline: the check ends at the deadline, not after the lock wait', async () => {
    const locker = await pair.master.connect();
    try {
      await locker.query('LOCK TABLES app.t WRITE');
      // A lock wait longer than the time left: the deadline, not the lock wait timeout, must end the check.
      const deadline = Date.now() + 500;
      const report = await check({ lockWaitTimeoutSeconds: 5, deadline });
      const overrun = Date.now() - deadline;
      expect(report).toMatchObject({ status: 'unknown', complete: false });
      expect(report.reason).toContain('ran out of time');
      expect(overrun).toBeLessThan(200);
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
    }
  });

  describe("a table whose metadata lock another session holds exclusively (a RENAME TABLE waiting for another table's lock), under a deadline", () => {
    // The RENAME takes its locks in name order and holds busy.t's while it waits for side.u,
    // which an open transaction has read. information_schema waits for busy.t's lock too.
    let holder: Connection;
    let renamer: Connection;
    let rename: Promise<unknown> | undefined;

    beforeEach(async () => {
      await master.query(`CREATE DATABASE busy; CREATE TABLE busy.a (id INT NOT NULL PRIMARY KEY); INSERT INTO busy.a VALUES (1);
        CREATE TABLE busy.t (id INT NOT NULL PRIMARY KEY); INSERT INTO busy.t VALUES (1);
        CREATE DATABASE side; CREATE TABLE side.u (id INT NOT NULL PRIMARY KEY)`);
      await pair.waitForReplica();
      holder = await pair.master.connect();
      renamer = await pair.master.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM side.u');
    });

    afterEach(async () => {
      await holder.query('ROLLBACK');
      await rename;
      rename = undefined;
      await holder.end();
      await renamer.end();
      await master.query('DROP DATABASE busy; DROP DATABASE side');
      await pair.waitForReplica();
    });

    function startRename(): void {
      rename = renamer.query('RENAME TABLE busy.t TO busy.t2, side.u TO side.u2');
    }

    /** Whether busy.t's lock is still held: its columns cannot be read from information_schema within 200 ms. */
    async function lockHeld(): Promise<boolean> {
      const probe = await pair.master.connect();
      try {
        await probe.query("SET STATEMENT max_statement_time = 0.2 FOR SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'busy' AND TABLE_NAME = 't'");
        return false;
      } catch (error) {
        return (error as { errno?: number }).errno === 1969;
      } finally {
        await probe.end();
      }
    }

    test('held when the check lists the tables: the check ends at the deadline, unknown, not after the lock wait', async () => {
      startRename();
      expect(await lockHeld()).toBe(true);
      const deadline = Date.now() + 500;
      const report = await check({ databases: ['busy'], lockWaitTimeoutSeconds: 5, deadline });
      const overrun = Date.now() - deadline;
      expect(report).toMatchObject({ status: 'unknown', complete: false, tables: [] });
      expect(report.reason).toContain('ran out of time');
      expect(overrun).toBeLessThan(250);
    });

    test('taken after the listing, held when the check reads the table definition: the check ends at the deadline, unknown, not after the lock waits', async () => {
      const deadline = Date.now() + 3000;
      const report = await check({
        databases: ['busy'], deadline,
        onProgress: (event) => {
          if (event.kind === 'table-start' && event.table === 'a') {
            startRename();
            while (Date.now() < deadline - 1000) {
              // The deadline is a second away when busy.a, a table of one row, starts; it passes while busy.t's definition is read.
            }
          }
        },
      });
      const overrun = Date.now() - deadline;
      expect(await lockHeld()).toBe(true);
      expect(report.tables.map((table) => `${table.schema}.${table.table}:${table.status}`)).toEqual(['busy.a:consistent']);
      expect(report).toMatchObject({ status: 'unknown', complete: false });
      expect(report.reason).toContain('ran out of time');
      expect(overrun).toBeLessThan(250);
    });
  });

  describe('a table without a primary key, compared as a whole in one query per server', () => {
    const reason = 'no primary key: the table could not be compared as a whole in the time left before the deadline';

    beforeAll(async () => {
      // Large enough that one whole-table aggregate takes hundreds of milliseconds.
      await master.query('CREATE DATABASE heap; CREATE TABLE heap.log (n INT NOT NULL, v VARCHAR(20) NOT NULL); INSERT INTO heap.log SELECT seq, CONCAT(\'entry-\', seq) FROM heap.seq_1_to_1000000');
      await pair.waitForReplica();
    });

    afterAll(async () => {
      await master.query('DROP DATABASE heap');
      await pair.waitForReplica();
    });

    /** A check of heap.log whose `onProgress` spends its time until `left` ms before the deadline when the table starts. */
    async function checkWithTimeLeft(left: number): Promise<{ report: ConsistencyReport; deadline: number; finished: number }> {
      const deadline = Date.now() + 3000;
      const report = await check({
        databases: undefined, tables: ['heap.log'], deadline,
        onProgress: (event) => {
          if (event.kind === 'table-start') {
            while (Date.now() < deadline - left) {
              // The check's time runs out while it starts the table.
            }
          }
        },
      });
      return { report, deadline, finished: Date.now() };
    }

    test('the query is cut off at the deadline: the table is unknown, never consistent, and the check ends in time', async () => {
      // With time enough, the bounded query compares the table.
      const inTime = await check({ databases: undefined, tables: ['heap.log'], deadline: Date.now() + 60_000 });
      expect(inTime.status).toBe('consistent');
      // Compared as a whole: one chunk, the whole table.
      expect(inTime.tables[0]).toMatchObject({ rowsMaster: 1000000, rowsReplica: 1000000, chunks: 1 });
      const wholeTableMs = inTime.tables[0].seconds * 1000;
      expect(wholeTableMs).toBeGreaterThan(150);

      const { report, deadline, finished } = await checkWithTimeLeft(30);
      expect(report.tables.map((table) => `${table.schema}.${table.table}:${table.status}: ${table.reason}`)).toEqual([`heap.log:unknown: ${reason}`]);
      expect(report.tables[0].noPrimaryKey).toBe(true);
      // Its rows were not counted: the result (and the JSON report) gives no row counts rather than 0.
      expect(report.tables[0]).not.toHaveProperty('rowsMaster');
      expect(report.tables[0]).not.toHaveProperty('rowsReplica');
      // Nor was a chunk of it compared.
      expect(report.tables[0].chunks).toBe(0);
      expect(report.status).toBe('unknown');
      expect(report.reason).toBe(`heap.log: ${reason}`);
      // The server stopped the query at the deadline instead of running it to the end.
      expect(finished - deadline).toBeLessThan(wholeTableMs / 2);
    });

    test('with time enough, drift in it is still found through the queries bounded by the deadline', async () => {
      await replica.query('SET SESSION sql_log_bin = 0; DELETE FROM heap.log WHERE n = 777; SET SESSION sql_log_bin = 1');
      try {
        const report = await check({ databases: undefined, tables: ['heap.log'], deadline: Date.now() + 60_000 });
        expect(report.status).toBe('drift');
        expect(report.tables[0].reason).toBe('no primary key: the table differs as a whole (1000000 rows on the master, 999999 on the replica); rows cannot be named');
      } finally {
        await replica.query("SET SESSION sql_log_bin = 0; INSERT INTO heap.log VALUES (777, 'entry-777'); SET SESSION sql_log_bin = 1");
      }
    });

    test('no time left when the table starts: unknown with the same reason, and no query runs past the deadline', async () => {
      const { report, deadline, finished } = await checkWithTimeLeft(-5);
      expect(report.tables.map((table) => `${table.schema}.${table.table}:${table.status}: ${table.reason}`)).toEqual([`heap.log:unknown: ${reason}`]);
      expect(report.tables[0]).toMatchObject({ chunks: 0, noPrimaryKey: true });
      expect(report.tables[0]).not.toHaveProperty('rowsMaster');
      expect(report.status).toBe('unknown');
      expect(finished - deadline).toBeLessThan(150);
    });
  });

  describe('a table with a primary key whose rows are slow to hash, under a deadline', () => {
    beforeAll(async () => {
      // Every row hashes a virtual column that costs about a millisecond: the first chunk (20,000
      // rows planned, so the whole table) takes seconds, far longer than the time left.
      await master.query(`CREATE DATABASE slow; CREATE TABLE slow.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL,
        h CHAR(64) AS (SHA2(REPEAT(v, 150000), 256)) VIRTUAL); INSERT INTO slow.t (id, v) SELECT seq, CONCAT('v', seq) FROM slow.seq_1_to_3000`);
      await pair.waitForReplica();
    });

    afterAll(async () => {
      await master.query('DROP DATABASE slow');
      await pair.waitForReplica();
    });

    test('the first chunk is cut off at the deadline: the check ends in time and is unknown, never consistent', async () => {
      const inTime = await check({ databases: ['slow'] });
      expect(inTime.status).toBe('consistent');
      const wholeTableMs = inTime.tables[0].seconds * 1000;
      expect(wholeTableMs).toBeGreaterThan(1500);

      const deadline = Date.now() + 300;
      const report = await check({ databases: ['slow'], deadline });
      const finished = Date.now();
      // The server stopped the chunk's queries at the deadline instead of running them to the end.
      expect(finished - deadline).toBeLessThan(250);
      expect(report.status).toBe('unknown');
      expect(report.complete).toBe(false);
      expect(report.reason).toContain('ran out of time');
      expect(report.tables.filter((table) => table.status === 'consistent')).toEqual([]);
    });

    test('narrowing a differing part is cut off at the deadline too', async () => {
      await replica.query("SET SESSION sql_log_bin = 0; UPDATE slow.t SET v = 'changed' WHERE id = 1500; SET SESSION sql_log_bin = 1");
      try {
        // One chunk of two parts of 1,500 rows: narrowing the differing one costs about half the table.
        const found = await check({ databases: ['slow'], initialChunkRows: 3000 });
        expect(found.tables[0]).toMatchObject({ status: 'drift', driftedRows: 1, chunks: 1 });
        const deadline = Date.now() + found.tables[0].seconds * 1500 + 1000;
        let chunks = 0;
        const report = await check({
          databases: ['slow'], initialChunkRows: 3000, deadline,
          onProgress: (event) => {
            if (event.kind === 'chunk') {
              chunks++;
              while (Date.now() < deadline - 30) {
                // The chunk was compared; the time runs out as its differing part is narrowed.
              }
            }
          },
        });
        const finished = Date.now();
        expect(chunks).toBe(1);
        expect(finished - deadline).toBeLessThan(250);
        expect(report.status).toBe('unknown');
        expect(report.reason).toContain('ran out of time');
      } finally {
        await replica.query("SET SESSION sql_log_bin = 0; UPDATE slow.t SET v = 'v1500' WHERE id = 1500; SET SESSION sql_log_bin = 1");
      }
    });
  });

  test('past the deadline: unknown and incomplete', async () => {
    const report = await check({ deadline: Date.now() - 1 });
    expect(report.status).toBe('unknown');
    expect(report.complete).toBe(false);
    expect(report.reason).toContain('ran out of time');
  });
});
