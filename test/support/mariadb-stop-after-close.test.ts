import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startMariaDb, stopStartedServers } from './mariadb';

/** The server id 9074 is used by no other test; its folder is named after it. */
const FOLDER_PREFIX = 'cdk-backup-dr-mariadb-9074-';

test('a close that throws before the stop still stops the server, and its error reaches the caller', async () => {
  const server = await startMariaDb({ serverId: 9074 });
  const connection = await server.connect();
  const closedAfter: string[] = [];

  await expect(stopStartedServers(
    async () => { throw new Error('connection end failed'); },
    async () => { await connection.end(); closedAfter.push('second close'); },
  )).rejects.toThrow('connection end failed');

  expect(closedAfter).toEqual(['second close']);
  expect(() => process.kill(server.pid, 0)).toThrow();
  const ps = spawnSync('ps', ['-o', 'pid=,args=', '-C', 'mariadbd'], { encoding: 'utf8' });
  expect(ps.stdout.split('\n').filter((line) => line.includes(`/${FOLDER_PREFIX}`))).toEqual([]);
  expect(readdirSync(tmpdir()).filter((name) => name.startsWith(FOLDER_PREFIX))).toEqual([]);
}, 120_000);
