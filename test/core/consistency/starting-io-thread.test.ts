/**
 * An IO thread that is starting, on a real MariaDB replica: right after `START SLAVE` it shows
 * `Connecting` (and `Preparing`) before `Yes`. The replica reaches its master through a TCP
 * relay on loopback that holds each connection before passing it on, so that the state lasts
 * long enough to be read every time: `delayMs` for a start that completes, for ever for one
 * that never does.
 */
import { createServer, Server, Socket, connect } from 'node:net';
import type { Connection } from 'mysql2/promise';
import { checkConsistency } from '../../../core/consistency/checker';
import { describeUnhealthy, replicaHealth } from '../../../core/consistency/replication';
import { checkReplicaCurrent } from '../../../core/dump/source';
import { ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

let pair: ReplicatedPair;
let replica: Connection;
let relay: Server;
let delayMs = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  pair = await startReplicatedPair();
  replica = await pair.replica.connect();
  relay = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    if (!Number.isFinite(delayMs)) {
      return;
    }
    setTimeout(() => {
      const master = connect(pair.master.port, '127.0.0.1');
      sockets.add(master);
      master.on('close', () => { sockets.delete(master); client.destroy(); });
      master.on('error', () => master.destroy());
      client.on('close', () => master.destroy());
      client.pipe(master).pipe(client);
      client.resume();
    }, delayMs);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await replica.query('STOP SLAVE');
  await replica.query(`CHANGE MASTER TO MASTER_PORT=${port}`);
});

afterAll(async () => {
  await stopStartedServers(
    () => replica?.query('STOP SLAVE').catch(() => undefined),
    () => replica?.end(),
    () => sockets.forEach((socket) => socket.destroy()),
    () => new Promise((resolve) => relay ? relay.close(resolve) : resolve(undefined)),
  );
});

/** Restarts replication; the relay holds the new connection for `delay` ms. */
async function restart(delay: number): Promise<void> {
  delayMs = delay;
  await replica.query('STOP SLAVE');
  await replica.query('START SLAVE');
}

test('right after a start the IO thread is not yet running; a reading waits for it and finds the replica current', async () => {
  await restart(700);
  const immediate = await replicaHealth(replica, 'mariadb', 0);
  expect(['Connecting', 'Preparing']).toContain(immediate.ioState);
  expect(immediate.ioThreadRunning).toBe(false);

  await restart(700);
  const health = await replicaHealth(replica, 'mariadb');
  expect(health).toMatchObject({ ioThreadRunning: true, sqlThreadRunning: true, ioState: 'Yes' });
  expect(describeUnhealthy(health)).toBe('');

  await restart(700);
  await expect(checkReplicaCurrent(replica, 300)).resolves.toEqual(expect.any(Number));
});

test('an IO thread that does not connect within the wait is not running: Prepare refuses the replica', async () => {
  await restart(Infinity);
  const started = Date.now();
  await expect(checkReplicaCurrent(replica, 300)).rejects.toThrow(/^the replica is not current: replication is not running: the IO thread is 'Connecting'/);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
});

test('a drift check under a deadline reads a starting IO thread only until the deadline, then stops with it not running', async () => {
  await restart(Infinity);
  const master = await pair.master.connect();
  const checker = await pair.replica.connect();
  try {
    const deadline = Date.now() + 300;
    const report = await checkConsistency(master, checker, { deadline });
    const overrun = Date.now() - deadline;
    expect(report).toMatchObject({ status: 'unknown', complete: false });
    expect(report.reason).toMatch(/^replication is not running: the IO thread is '(Connecting|Preparing)'/);
    expect(overrun).toBeLessThan(200);
  } finally {
    await master.end();
    await checker.end();
  }
});
