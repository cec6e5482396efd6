/**
 * Pausing and resuming replication with SQL statements on a real MariaDB replica: first with
 * its one default connection, then with a second named connection from a second master. A
 * stop by someone else is made to land between the pause's check and its own stop by running
 * it, on another connection, just before the pause's stop statement reaches the server.
 */
import type { Connection } from 'mysql2/promise';
import { replicaHealth } from '../../../core/consistency/replication';
import { pauseReplication, readAppliedPosition, resumeReplication } from '../../../core/dump/source';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, ReplicatedPair, startMariaDb, startReplicatedPair, stopStartedServers } from '../../support/mariadb';
import { interceptQueries } from '../../support/intercept-queries';

let pair: ReplicatedPair;
let secondMaster: MariaDbServer;
let replica: Connection;
let operator: Connection;

beforeAll(async () => {
  [pair, secondMaster] = await Promise.all([startReplicatedPair(), startMariaDb({ serverId: 3, extraConfig: ['gtid-domain-id=2'] })]);
  replica = await pair.replica.connect();
  operator = await pair.replica.connect();
});

afterAll(async () => {
  await stopStartedServers(() => replica?.end(), () => operator?.end());
});

/**
 * The replica connection, on which `statement` runs on the operator's connection just before
 * the `occurrence`th query (the first by default) matching `before`.
 */
function withStopInBetween(before: RegExp, statement: string | string[], occurrence = 1): Connection {
  let seen = 0;
  return interceptQueries(replica, async (sql, run) => {
    if (before.test(sql) && ++seen === occurrence) {
      for (const sql of [statement].flat()) {
        await operator.query(sql);
      }
    }
    return run();
  });
}

/** The replica connection, on which `statement` runs on the operator's connection just after the first query matching `after`. */
function withStatementAfter(after: RegExp, statement: string): Connection {
  let done = false;
  return interceptQueries(replica, async (sql, run) => {
    const result = await run();
    if (!done && after.test(sql)) {
      done = true;
      await operator.query(statement);
    }
    return result;
  });
}

/** The replica connection, recording in `sent` every statement sent through it (it changes none). */
function recording(sent: string[]): Connection {
  return interceptQueries(replica, (sql, run) => {
    sent.push(sql);
    return run();
  });
}

async function threads(): Promise<Array<[string, boolean, boolean]>> {
  const health = await replicaHealth(replica, 'mariadb');
  return health.channels.map((channel) => [channel.channel, channel.ioThreadRunning, channel.sqlThreadRunning]);
}

/** Runs `statement` (a start) and waits until every connection's threads run ('Preparing' and 'Connecting' come first). */
async function startAndWait(statement: string, expected: Array<[string, boolean, boolean]>): Promise<void> {
  await replica.query(statement);
  const deadline = Date.now() + 30_000;
  while (JSON.stringify(await threads()) !== JSON.stringify(expected)) {
    if (Date.now() > deadline) {
      throw new Error(`replication did not start: ${JSON.stringify(await threads())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a stop by someone else between the check and the pause\'s own stop is not taken for the pause\'s own: ReplicationStoppedElsewhere, left stopped', async () => {
  try {
    const paused = pauseReplication(withStopInBetween(/^STOP REPLICA/, 'STOP SLAVE SQL_THREAD'), 'sql');
    await expect(paused).rejects.toThrow(/^replication was stopped by someone else before this run paused it \(the server answered 'STOP REPLICA '' SQL_THREAD' that the SQL thread was stopped already\); it is left stopped$/);
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(await threads()).toEqual([['', true, false]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

test('a replica whose IO thread alone was stopped (it receives nothing, its SQL thread runs) is refused with ReplicationStoppedElsewhere; nothing is stopped or started', async () => {
  await replica.query('STOP SLAVE IO_THREAD');
  try {
    const paused = pauseReplication(replica, 'sql');
    await expect(paused).rejects.toThrow('replication was stopped by someone else before this run paused it (the IO thread is stopped: the replica receives no changes from its master, so a dump of it would be older than its lag says); it is left as it is');
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(await threads()).toEqual([['', false, true]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

const IO_STOPPED_MEANWHILE = 'replication was stopped by someone else while this run paused it (the IO thread is stopped: the replica receives no changes from its master, '
  + 'so a dump of it would be older than its lag says); it is left as it is; this run left stopped the SQL thread it had stopped on the default channel, whose IO thread someone '
  + 'else stopped meanwhile (by stopping the IO thread alone or the whole channel, which the replica status cannot tell apart): '
  + "start it with 'START REPLICA '' SQL_THREAD' if only the IO thread was meant to stop";

test('a whole STOP SLAVE by someone else right after the pause stopped the applier: ReplicationStoppedElsewhere, and the pause does not start the applier again', async () => {
  try {
    // The second reading of the replica status is the pause's check after its stops.
    const paused = pauseReplication(withStopInBetween(/^SHOW ALL SLAVES STATUS/, 'STOP SLAVE', 2), 'sql');
    await expect(paused).rejects.toThrow(IO_STOPPED_MEANWHILE);
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(await threads()).toEqual([['', false, false]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

test('an IO thread alone stopped by someone else just before the pause stops the applier reads the same as a whole stop after it: the applier is left stopped, and the error says how to start it', async () => {
  try {
    const paused = pauseReplication(withStopInBetween(/^STOP REPLICA/, 'STOP SLAVE IO_THREAD'), 'sql');
    await expect(paused).rejects.toThrow(IO_STOPPED_MEANWHILE);
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(await threads()).toEqual([['', false, false]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

test('when the replica status cannot be read to undo the pause\'s stops, none is started again, and the error says to start them by hand', async () => {
  const stopsIoThread = withStopInBetween(/^STOP REPLICA/, 'STOP SLAVE IO_THREAD');
  let readings = 0;
  // The third reading (the undo's) fails, as a dropped connection would make it.
  const failingThirdReading = interceptQueries(stopsIoThread, async (sql, run) => {
    if (/^SHOW ALL SLAVES STATUS/.test(sql) && ++readings === 3) {
      throw new Error('connection lost');
    }
    return run();
  });
  try {
    const paused = pauseReplication(failingThirdReading, 'sql');
    await expect(paused).rejects.toThrow(/; it is left as it is; this run could not read the replica status to start again the SQL thread it had stopped on the default channel \(connection lost\): start it by hand unless someone else stopped replication there$/);
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(await threads()).toEqual([['', false, false]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

test('an applier started by someone else right after the pause\'s stop fails the pause naming the statement it ran', async () => {
  try {
    // The second reading of the replica status is the pause's check after its stops.
    const paused = pauseReplication(withStopInBetween(/^SHOW ALL SLAVES STATUS/, 'START SLAVE SQL_THREAD', 2), 'sql');
    await expect(paused).rejects.toThrow(/^'STOP REPLICA '' SQL_THREAD' returned but the replica is still applying changes$/);
    expect(await threads()).toEqual([['', true, true]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

test('a whole STOP SLAVE by someone else during the dump window: resume leaves replication stopped and fails with ReplicationStoppedElsewhere, saying how to start it', async () => {
  try {
    await pauseReplication(replica, 'sql');
    await operator.query('STOP SLAVE');
    const sent: string[] = [];
    const resumed = resumeReplication(recording(sent), 'sql', 1);
    await expect(resumed).rejects.toThrow("replication was stopped by someone else after this run paused it: the IO thread of the default channel is stopped too (the pause leaves IO threads running), so it is left as it is; "
      + "start it with 'START REPLICA ''' when it should run again (or 'START REPLICA '' SQL_THREAD' if only its IO thread was meant to stop)");
    await expect(resumed).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(sent.filter((sql) => /^START/.test(sql))).toEqual([]);
    expect(await threads()).toEqual([['', false, false]]);
  } finally {
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

/** Makes the replica's IO thread stop with an error: the master takes the replica's server id and drops its connection; the IO thread reconnects (after 1 s) and stops with error 1593 (equal server ids). `master.query('SET GLOBAL server_id = 1')` undoes it. */
async function stopIoThreadByError(master: Connection): Promise<void> {
  await master.query('SET GLOBAL server_id = 2');
  const [dumps] = await master.query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'");
  for (const { ID } of dumps as Array<{ ID: number }>) {
    await master.query(`KILL ${ID}`);
  }
  const deadline = Date.now() + 30_000;
  while ((await replicaHealth(replica, 'mariadb')).channels[0].ioState !== 'No') {
    if (Date.now() > deadline) {
      throw new Error(`the IO thread did not stop: ${JSON.stringify(await replicaHealth(replica, 'mariadb'))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Before: the refusal said someone else had stopped replication, though the status showed the IO error.
test('an IO thread stopped by an error before the pause: refused with ReplicationStoppedElsewhere, naming the error as a cause it cannot tell from a stop by someone else; nothing is stopped or started', async () => {
  const master = await pair.master.connect();
  try {
    await stopIoThreadByError(master);
    const sent: string[] = [];
    const paused = pauseReplication(recording(sent), 'sql');
    await expect(paused).rejects.toThrow(/^replication stopped before this run paused it, by an error or by someone else \(the IO thread is stopped \(IO error 1593: .*server ids.*\): the replica receives no changes from its master, so a dump of it would be older than its lag says\); it is left as it is: fix the error, then start it with 'START REPLICA '''$/);
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(sent.filter((sql) => /^(STOP|START)/.test(sql))).toEqual([]);
    expect(await threads()).toEqual([['', false, true]]);
  } finally {
    await master.query('SET GLOBAL server_id = 1');
    await master.end();
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

// Before: the refusal said someone else had stopped replication, and did not show the error.
test('a SQL thread stopped by an error before the pause: refused with ReplicationStoppedElsewhere, naming the error as a cause it cannot tell from a stop by someone else; nothing is stopped or started', async () => {
  const master = await pair.master.connect();
  try {
    // A row the replica has and the master has not: the master's insert of it stops the applier (error 1062).
    await master.query('CREATE DATABASE sql_error_app; CREATE TABLE sql_error_app.t (id INT PRIMARY KEY)');
    await pair.waitForReplica();
    await replica.query('SET SESSION sql_log_bin = 0; INSERT INTO sql_error_app.t VALUES (1); SET SESSION sql_log_bin = 1');
    await master.query('INSERT INTO sql_error_app.t VALUES (1)');
    const deadline = Date.now() + 30_000;
    while ((await replicaHealth(replica, 'mariadb')).channels[0].sqlThreadRunning) {
      if (Date.now() > deadline) {
        throw new Error(`the SQL thread did not stop: ${JSON.stringify(await replicaHealth(replica, 'mariadb'))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const sent: string[] = [];
    const paused = pauseReplication(recording(sent), 'sql');
    await expect(paused).rejects.toThrow(/^replication stopped before this run paused it, by an error or by someone else \(the SQL thread is not running \(SQL error 1062: .*Duplicate entry.*\)\); it is left stopped: fix the error, then start it with 'START REPLICA '''$/);
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(sent.filter((sql) => /^(STOP|START)/.test(sql))).toEqual([]);
    expect(await threads()).toEqual([['', true, false]]);
  } finally {
    await replica.query('SET SESSION sql_log_bin = 0; DELETE FROM sql_error_app.t; SET SESSION sql_log_bin = 1');
    await startAndWait('START SLAVE', [['', true, true]]);
    await master.query('DROP DATABASE sql_error_app');
    await pair.waitForReplica();
    await master.end();
  }
});

// Before: the failure said someone else had stopped replication, and to start the applier alone, though the status showed the IO error.
test('an IO thread stopped by an error while the pause stops the applier: ReplicationStoppedElsewhere naming the error as a cause it cannot tell from a stop by someone else, the applier left stopped, and how to start the channel once fixed', async () => {
  const master = await pair.master.connect();
  try {
    let done = false;
    const paused = pauseReplication(interceptQueries(replica, async (sql, run) => {
      if (!done && /^STOP REPLICA/.test(sql)) {
        done = true;
        await stopIoThreadByError(master);
      }
      return run();
    }), 'sql');
    await expect(paused).rejects.toThrow(new RegExp('^replication stopped while this run paused it, by an error or by someone else \\(the IO thread is stopped \\(IO error 1593: .*server ids.*\\): '
      + 'the replica receives no changes from its master, so a dump of it would be older than its lag says\\); it is left as it is; this run left stopped the SQL thread it had stopped on the default channel, '
      + 'whose IO thread stopped meanwhile, by an error \\(IO error 1593: .*server ids.*\\) or by someone else \\(the error stays in the replica status after a stop too\\): '
      + "fix the error, then start it with 'START REPLICA ''' \\(or 'START REPLICA '' SQL_THREAD' if only the IO thread was meant to stop\\)$"));
    await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(await threads()).toEqual([['', false, false]]);
  } finally {
    await master.query('SET GLOBAL server_id = 1');
    await master.end();
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

test('an IO thread stopped by an error during the dump window: resume leaves replication stopped, names the error as a cause it cannot tell from a stop by someone else, and says to fix it before starting', async () => {
  const master = await pair.master.connect();
  try {
    await pauseReplication(replica, 'sql');
    await stopIoThreadByError(master);
    const sent: string[] = [];
    const resumed = resumeReplication(recording(sent), 'sql', 1);
    await expect(resumed).rejects.toThrow(/^replication stopped after this run paused it: the IO thread of the default channel is stopped too, by an error \(the default channel: IO error 1593: .*server ids.*\) or by someone else \(the pause leaves IO threads running\), so it is left as it is; fix the error, then start it with 'START REPLICA '''/);
    await expect(resumed).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    expect(sent.filter((sql) => /^START/.test(sql))).toEqual([]);
    expect(await threads()).toEqual([['', false, false]]);
  } finally {
    await master.query('SET GLOBAL server_id = 1');
    await master.end();
    await startAndWait('START SLAVE', [['', true, true]]);
  }
});

describe('a replica with two named connections', () => {
  beforeAll(async () => {
    await replica.query(`CHANGE MASTER 'second' TO MASTER_HOST='127.0.0.1', MASTER_PORT=${secondMaster.port}, MASTER_USER='${ADMIN_USER}', ` +
      `MASTER_PASSWORD='${ADMIN_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`);
    await startAndWait("START SLAVE 'second'", [['', true, true], ['second', true, true]]);
  });

  test('a pause stops the applier of every connection and leaves their IO threads fetching; resume starts each again', async () => {
    await pauseReplication(replica, 'sql');
    expect(await threads()).toEqual([['', true, false], ['second', true, false]]);
    const master = await secondMaster.connect();
    try {
      await master.query('CREATE DATABASE second_app; CREATE TABLE second_app.t (id INT PRIMARY KEY); INSERT INTO second_app.t VALUES (1)');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [schemas] = await replica.query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'second_app'");
      expect(schemas).toEqual([]);
      await resumeReplication(replica, 'sql');
      expect(await threads()).toEqual([['', true, true], ['second', true, true]]);
      const [position] = await master.query('SELECT @@gtid_binlog_pos AS position');
      const [waited] = await replica.query('SELECT MASTER_GTID_WAIT(?, 30) AS result', [(position as Array<{ position: string }>)[0].position]);
      expect(waited).toEqual([{ result: 0 }]);
    } finally {
      await master.end();
    }
  });

  test('resume starts again only the SQL thread of each paused connection (the pause left their IO threads running)', async () => {
    await pauseReplication(replica, 'sql');
    const sent: string[] = [];
    await resumeReplication(recording(sent), 'sql');
    expect(sent.filter((sql) => /^START/.test(sql))).toEqual(["START REPLICA '' SQL_THREAD", "START REPLICA 'second' SQL_THREAD"]);
    expect(await threads()).toEqual([['', true, true], ['second', true, true]]);
  });

  test('a whole stop of the second connection by someone else during the dump window: resume starts the default one\'s applier only, leaves the second stopped and fails naming it', async () => {
    try {
      await pauseReplication(replica, 'sql');
      await operator.query("STOP SLAVE 'second'");
      const resumed = resumeReplication(replica, 'sql', 5);
      await expect(resumed).rejects.toThrow("replication was stopped by someone else after this run paused it: the IO thread of channel 'second' is stopped too (the pause leaves IO threads running), so it is left as it is; "
        + "start it with 'START REPLICA 'second'' when it should run again (or 'START REPLICA 'second' SQL_THREAD' if only its IO thread was meant to stop); this run started again the SQL thread of the default channel");
      await expect(resumed).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
      expect(await threads()).toEqual([['', true, true], ['second', false, false]]);
    } finally {
      await startAndWait("START SLAVE 'second'", [['', true, true], ['second', true, true]]);
    }
  });

  test('a resume whose wait ends with an applier it started not running fails with that (retried by the workflow), and still names the connection it left stopped', async () => {
    try {
      await pauseReplication(replica, 'sql');
      await operator.query("STOP SLAVE 'second'");
      // Someone stops the default connection's applier again right after the resume started it.
      const resumed = resumeReplication(withStatementAfter(/^START REPLICA '' SQL_THREAD$/, "STOP SLAVE '' SQL_THREAD"), 'sql', 1);
      await expect(resumed).rejects.toThrow(/^'START REPLICA '' SQL_THREAD' returned but the replica is not applying changes on the default channel after 1\.\d s \(.*\); replication was stopped by someone else after this run paused it: the IO thread of channel 'second' is stopped too/);
      await expect(resumed).rejects.toHaveProperty('name', 'Error');
      expect(await threads()).toEqual([['', true, false], ['second', false, false]]);
    } finally {
      await startAndWait('START ALL SLAVES', [['', true, true], ['second', true, true]]);
    }
  });

  test('STOP ALL SLAVES by someone else during the dump window: resume starts nothing and names both connections', async () => {
    try {
      await pauseReplication(replica, 'sql');
      await operator.query('STOP ALL SLAVES');
      const resumed = resumeReplication(replica, 'sql', 1);
      await expect(resumed).rejects.toThrow(/^replication was stopped by someone else after this run paused it: the IO threads of the default channel, channel 'second' are stopped too .*; start them with 'START REPLICA ''', 'START REPLICA 'second'' when they should run again/);
      await expect(resumed).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
      expect(await threads()).toEqual([['', false, false], ['second', false, false]]);
    } finally {
      await startAndWait('START ALL SLAVES', [['', true, true], ['second', true, true]]);
    }
  });

  test('a stop by someone else of the second connection\'s applier, just before the pause stops it, fails the pause naming it; the pause starts again the applier it had stopped', async () => {
    try {
      const paused = pauseReplication(withStopInBetween(/^STOP REPLICA 'second'/, "STOP SLAVE 'second' SQL_THREAD"), 'sql');
      await expect(paused).rejects.toThrow("replication was stopped by someone else before this run paused it (the server answered 'STOP REPLICA 'second' SQL_THREAD' that the SQL thread on channel 'second' was stopped already); it is left stopped; this run started again the SQL thread it had stopped on the default channel");
      await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
      expect(await threads()).toEqual([['', true, true], ['second', true, false]]);
    } finally {
      await startAndWait("START SLAVE 'second'", [['', true, true], ['second', true, true]]);
    }
  });

  test('a whole stop of the second connection by someone else right after the pause\'s stops: the pause starts again the applier it stopped on the default one only', async () => {
    try {
      const paused = pauseReplication(withStopInBetween(/^SHOW ALL SLAVES STATUS/, "STOP SLAVE 'second'", 2), 'sql');
      await expect(paused).rejects.toThrow(/; it is left as it is; this run started again the SQL thread it had stopped on the default channel; this run left stopped the SQL thread it had stopped on channel 'second', whose IO thread someone else stopped meanwhile \(.*\): start it with 'START REPLICA 'second' SQL_THREAD' if only the IO thread was meant to stop$/);
      await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
      expect(await threads()).toEqual([['', true, true], ['second', false, false]]);
    } finally {
      await startAndWait("START SLAVE 'second'", [['', true, true], ['second', true, true]]);
    }
  });

  test('STOP ALL SLAVES by someone else between the pause\'s stops: the pause fails on the second connection and does not start the default one\'s applier again', async () => {
    try {
      const paused = pauseReplication(withStopInBetween(/^STOP REPLICA 'second'/, 'STOP ALL SLAVES'), 'sql');
      await expect(paused).rejects.toThrow(/^replication was stopped by someone else before this run paused it \(the server answered 'STOP REPLICA 'second' SQL_THREAD' that the SQL thread on channel 'second' was stopped already\); it is left stopped; this run left stopped the SQL thread it had stopped on the default channel, whose IO thread someone else stopped meanwhile \(.*\): start it with 'START REPLICA '' SQL_THREAD' if only the IO thread was meant to stop$/);
      await expect(paused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
      expect(await threads()).toEqual([['', false, false], ['second', false, false]]);
    } finally {
      await startAndWait('START ALL SLAVES', [['', true, true], ['second', true, true]]);
    }
  });

  test('the second connection\'s applier started by someone else right after the pause\'s stops: the failure names the statement run on it, and the pause starts again the applier it stopped on the default one', async () => {
    try {
      const paused = pauseReplication(withStopInBetween(/^SHOW ALL SLAVES STATUS/, "START SLAVE 'second' SQL_THREAD", 2), 'sql');
      await expect(paused).rejects.toThrow(/^'STOP REPLICA 'second' SQL_THREAD' returned but the replica is still applying changes on channel 'second'; this run started again the SQL thread it had stopped on the default channel$/);
      expect(await threads()).toEqual([['', true, true], ['second', true, true]]);
    } finally {
      await startAndWait('START SLAVE', [['', true, true], ['second', true, true]]);
    }
  });

  test('a connection added and started by someone else after the pause read them: the failure says no statement of the run stopped it, and the pause starts again the appliers it stopped', async () => {
    // Its applier is what matters: its IO thread may keep connecting (port 1 refuses connections;
    // MariaDB refuses a second connection to a master it already has).
    const addThird = [`CHANGE MASTER 'third' TO MASTER_HOST='127.0.0.1', MASTER_PORT=1, MASTER_USER='${ADMIN_USER}', `
      + `MASTER_PASSWORD='${ADMIN_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`, "START SLAVE 'third'"];
    try {
      const paused = pauseReplication(withStopInBetween(/^SHOW ALL SLAVES STATUS/, addThird, 2), 'sql');
      await expect(paused).rejects.toThrow(/^the replica is still applying changes on channel 'third', which no statement of this run stopped \(it was added after the pause read the channels\); this run started again the SQL thread it had stopped on the default channel, channel 'second'$/);
      expect((await threads()).filter(([channel]) => channel !== 'third')).toEqual([['', true, true], ['second', true, true]]);
    } finally {
      await operator.query("STOP SLAVE 'third'");
      await operator.query("RESET SLAVE 'third' ALL");
      await startAndWait('START ALL SLAVES', [['', true, true], ['second', true, true]]);
    }
  });

  test('resume gives up once its wait is over, even while a connection\'s IO thread keeps connecting, and says how long it waited', async () => {
    // 'third' reads from port 1, which refuses connections: its IO thread stays 'Connecting'.
    await replica.query(`CHANGE MASTER 'third' TO MASTER_HOST='127.0.0.1', MASTER_PORT=1, MASTER_USER='${ADMIN_USER}', `
      + `MASTER_PASSWORD='${ADMIN_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`);
    try {
      await replica.query("START SLAVE 'third'");
      await replica.query("STOP SLAVE '' SQL_THREAD");
      // Someone stops the default connection's applier again right after the resume started it.
      const started = Date.now();
      const resumed = resumeReplication(withStatementAfter(/^START REPLICA '' SQL_THREAD$/, "STOP SLAVE '' SQL_THREAD"), 'sql', 1);
      await expect(resumed).rejects.toThrow(/^'START REPLICA '' SQL_THREAD' returned but the replica is not applying changes on the default channel after 1\.\d s \(it waits up to 1 s; see SHOW REPLICA STATUS: Last_SQL_Error\)$/);
      // The readings do not wait for the connecting IO thread (about 2 s each before): the wait ends near its 1 s.
      expect(Date.now() - started).toBeLessThan(1700);
    } finally {
      await operator.query("STOP SLAVE 'third'");
      await operator.query("RESET SLAVE 'third' ALL");
      await startAndWait('START ALL SLAVES', [['', true, true], ['second', true, true]]);
    }
  });

  test('the applier position covers every connection: a change applied through the second one alone moves it', async () => {
    const before = await readAppliedPosition(replica);
    expect(before).toMatch(/^:binlog\.\d+:\d+,second:binlog\.\d+:\d+$/);
    const master = await secondMaster.connect();
    try {
      await master.query('CREATE DATABASE second_only');
      const [position] = await master.query('SELECT @@gtid_binlog_pos AS position');
      const [waited] = await replica.query('SELECT MASTER_GTID_WAIT(?, 30) AS result', [(position as Array<{ position: string }>)[0].position]);
      expect(waited).toEqual([{ result: 0 }]);
    } finally {
      await master.end();
    }
    const after = await readAppliedPosition(replica);
    expect(after).not.toBe(before);
    expect(after?.split(',')[0]).toBe(before?.split(',')[0]);
  });

  test('the RDS procedures, which stop the default connection only, are refused before anything is stopped, naming the connections', async () => {
    await expect(pauseReplication(replica, 'rds')).rejects.toThrow("cannot pause replication with 'CALL mysql.rds_stop_replication': it stops the default channel only, and the replica has 2 (the default channel, channel 'second'); pause with SQL statements, which stop each, or do not pause");
    expect(await threads()).toEqual([['', true, true], ['second', true, true]]);
  });
});
