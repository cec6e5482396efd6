import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startMariaDb, stopStartedServers } from './mariadb';

/** The state letter of a process (`/proc/<pid>/stat`), or 'gone'. */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0);
  } catch {
    return 'gone';
  }
}

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
  // Gone, or a zombie until Node.js reaps its child (on a loaded machine that may come a moment later).
  expect(processState(server.pid)).toMatch(/^(gone|Z)$/);
  const ps = spawnSync('ps', ['-o', 'pid=,args=', '-C', 'mariadbd'], { encoding: 'utf8' });
  expect(ps.stdout.split('\n').filter((line) => line.includes(`/${FOLDER_PREFIX}`))).toEqual([]);
  expect(readdirSync(tmpdir()).filter((name) => name.startsWith(FOLDER_PREFIX))).toEqual([]);
}, 120_000);
