/**
 * A MariaDB replica with two connections: the default one from a real master on loopback,
 * and a named one whose master cannot be reached. Every reading of the replica's health
 * must see the broken second connection.
 */
import type { Connection } from 'mysql2/promise';
import { checkConsistency } from '../../../core/consistency/checker';
import { describeUnhealthy, replicaHealth } from '../../../core/consistency/replication';
import { checkReplicaCurrent, pauseReplication } from '../../../core/dump/source';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;
let master: Connection;
let replica: Connection;

beforeAll(async () => {
  pair = await startReplicatedPair();
  master = await pair.master.connect();
  replica = await pair.replica.connect();
  await master.query('CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY); INSERT INTO app.t VALUES (1), (2)');
  await pair.waitForReplica();
  // Port 1 on loopback refuses connections: the IO thread of 'second' keeps 'Connecting'.
  await replica.query(`CHANGE MASTER 'second' TO MASTER_HOST='127.0.0.1', MASTER_PORT=1, MASTER_USER='${ADMIN_USER}', MASTER_PASSWORD='${ADMIN_PASSWORD}', MASTER_CONNECT_RETRY=1`);
  await replica.query("START SLAVE 'second'");
});

afterAll(async () => {
  await stopStartedServers(() => replica?.end(), () => master?.end());
});

test('the health covers every named connection: a broken second one is unhealthy, and named', async () => {
  const health = await replicaHealth(replica, 'mariadb');
  expect(health.channels.map((channel) => [channel.channel, channel.ioThreadRunning])).toEqual([['', true], ['second', false]]);
  expect(health.ioThreadRunning).toBe(false);
  expect(describeUnhealthy(health)).toMatch(/^replication is not running on channel 'second': the IO thread is '(Connecting|No)'/);
  await expect(checkReplicaCurrent(replica, 300)).rejects.toThrow("the replica is not current: replication is not running on channel 'second'");
});

test('the drift check is unknown while a named connection is broken', async () => {
  const [m, r] = [await pair.master.connect(), await pair.replica.connect()];
  try {
    const report = await checkConsistency(m, r);
    expect(report.status).toBe('unknown');
    expect(report.reason).toContain("replication is not running on channel 'second'");
    expect(report.replica.health?.channels).toHaveLength(2);
  } finally {
    await m.end();
    await r.end();
  }
});

test('a pause is refused while a named connection cannot reach its master (the replica receives nothing from it), before anything is stopped', async () => {
  await expect(pauseReplication(replica, 'sql')).rejects.toThrow(/^the replica is not current: the IO thread is '(Connecting|No)' on channel 'second'.*: the replica receives no changes from its master/);
  const health = await replicaHealth(replica, 'mariadb');
  expect(health.channels.map((channel) => [channel.channel, channel.sqlThreadRunning])).toEqual([['', true], ['second', true]]);
});

test('a pause that finds a named connection\'s applier stopped already is refused before it stops anything, naming it', async () => {
  await replica.query("STOP SLAVE 'second' SQL_THREAD");
  try {
    const refused = pauseReplication(replica, 'sql');
    await expect(refused).rejects.toThrow("replication was stopped by someone else before this run paused it (the SQL thread is not running on channel 'second'); it is left stopped");
    await expect(refused).rejects.toHaveProperty('name', 'ReplicationStoppedElsewhere');
    const health = await replicaHealth(replica, 'mariadb');
    expect(health.channels.map((channel) => [channel.channel, channel.sqlThreadRunning])).toEqual([['', true], ['second', false]]);
  } finally {
    await replica.query("START SLAVE 'second' SQL_THREAD");
  }
});
