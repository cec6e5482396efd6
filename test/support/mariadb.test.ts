import { readdirSync, readlinkSync } from 'node:fs';
import { startReplicatedPair, ReplicatedPair } from './mariadb';

/** The files under `folder` this process holds open (Linux: /proc/self/fd). */
function openFilesUnder(folder: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(`${folder}/`) ? [target] : [];
    } catch {
      return []; // closed between the listing and the read
    }
  });
}

describe('MariaDB test servers', () => {
  let pair: ReplicatedPair;
  beforeAll(async () => {
    pair = await startReplicatedPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  test('a row written on the master reaches the replica', async () => {
    const master = await pair.master.connect();
    await master.query('CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO shop.t VALUES (1, \'a\')');
    await master.end();
    await pair.waitForReplica();
    const replica = await pair.replica.connect();
    const [rows] = await replica.query('SELECT v FROM shop.t WHERE id = 1');
    const [status] = await replica.query('SHOW REPLICA STATUS');
    await replica.end();
    expect(rows).toEqual([{ v: 'a' }]);
    expect((status as Array<Record<string, unknown>>)[0]).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
  });

  test('each server listens on loopback and is stopped by its pid', async () => {
    expect(pair.master.pid).not.toEqual(pair.replica.pid);
    expect(() => process.kill(pair.master.pid, 0)).not.toThrow();
  });

  test('the test process keeps no file of a server open once it runs (the server writes its output itself)', () => {
    expect(openFilesUnder(pair.master.baseDir)).toEqual([]);
    expect(openFilesUnder(pair.replica.baseDir)).toEqual([]);
  });
});
