import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startMariaDb, stopStartedServers } from './mariadb';

/** Each server's folder is named after its server id; ids here are used by no other test. */
function folderPrefix(serverId: number): string {
  return `cdk-backup-dr-mariadb-${serverId}-`;
}

function mariadbdProcessesOf(serverId: number): string[] {
  const ps = spawnSync('ps', ['-o', 'pid=,args=', '-C', 'mariadbd'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(`/${folderPrefix(serverId)}`));
}

function foldersOf(serverId: number): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(folderPrefix(serverId)));
}

// Should a test here fail half-way, no server it started stays behind.
afterAll(stopStartedServers);

test('a start whose server runs but never accepts connections leaves no mariadbd and no folder behind', async () => {
  expect(mariadbdProcessesOf(9071)).toEqual([]);
  // skip-networking: the server comes up and listens on its socket only, so the wait for TCP times out while it runs.
  await expect(startMariaDb({ serverId: 9071, extraConfig: ['skip-networking=1'], startupTimeoutSeconds: 3 }))
    .rejects.toThrow(/did not accept connections within 3 s/);
  expect(mariadbdProcessesOf(9071)).toEqual([]);
  expect(foldersOf(9071)).toEqual([]);
});

test('a server whose handle the test never got (Promise.all rejected for the other start) is stopped by stopStartedServers', async () => {
  await expect(Promise.all([
    startMariaDb({ serverId: 9072 }),
    startMariaDb({ serverId: 9073, extraConfig: ['no-such-option=1'] }),
  ])).rejects.toThrow(/mariadb-install-db/);
  // The failed start (mariadb-install-db rejects the option) removed its own folder.
  expect(foldersOf(9073)).toEqual([]);

  await stopStartedServers();
  expect(mariadbdProcessesOf(9072)).toEqual([]);
  expect(foldersOf(9072)).toEqual([]);
});
