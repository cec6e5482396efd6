import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MariaDbServer, startMariaDb, stopStartedServers } from './mariadb';
import { RUN_ID_FILE, RUN_ID_VARIABLE, SERVER_FOLDER_PREFIX, SPAWNED_PID_FILE } from './mariadb-folder';
import { stopServersOfRun } from './stop-servers-of-run';

// Should a test here fail half-way, no server it started stays behind.
afterAll(stopStartedServers);

/** Whether a mariadbd runs with the server's folder on its command line (a zombie's shows no folder). */
function runs(server: MariaDbServer): boolean {
  const ps = spawnSync('ps', ['-o', 'pid=,args=', '-C', 'mariadbd'], { encoding: 'utf8' });
  return ps.stdout.split('\n').some((line) => line.trim().startsWith(`${server.pid} `) && line.includes(`${server.baseDir}/`));
}

async function answers(server: MariaDbServer): Promise<boolean> {
  const connection = await server.connect();
  try {
    const [rows] = await connection.query('SELECT 1 AS one');
    return (rows as Array<{ one: number }>)[0].one === 1;
  } finally {
    await connection.end();
  }
}

/** Starts a server whose folder names `runId` (none when undefined), as a start under that jest run does. */
function startUnderRun(runId: string | undefined, serverId: number): Promise<MariaDbServer> {
  const before = process.env[RUN_ID_VARIABLE];
  try {
    setRunId(runId);
    // The start reads the variable when it is called, so the variable can be put back at once.
    return startMariaDb({ serverId });
  } finally {
    setRunId(before);
  }
}

function setRunId(runId: string | undefined): void {
  if (runId === undefined) {
    delete process.env[RUN_ID_VARIABLE];
  } else {
    process.env[RUN_ID_VARIABLE] = runId;
  }
}

test('the teardown of a run stops its server left running, by pid, and removes the folder; servers of another run and of no run keep running', async () => {
  // The global setup named this run; servers started in its tests carry the name.
  const thisRun = process.env[RUN_ID_VARIABLE];
  expect(thisRun).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const leakingRun = `teardown-test-${process.pid}`;
  // Server ids 9081-9083 are used by no other test.
  const [leaked, ofThisRun, ofNoRun] = await Promise.all([
    startUnderRun(leakingRun, 9081),
    startUnderRun(thisRun, 9082),
    startUnderRun(undefined, 9083), // as the benchmarks start theirs
  ]);
  expect(readFileSync(join(leaked.baseDir, RUN_ID_FILE), 'utf8')).toBe(leakingRun);
  expect(readFileSync(join(ofThisRun.baseDir, RUN_ID_FILE), 'utf8')).toBe(thisRun);
  expect(existsSync(join(ofNoRun.baseDir, RUN_ID_FILE))).toBe(false);
  expect([leaked, ofThisRun, ofNoRun].map(runs)).toEqual([true, true, true]);

  const reported: string[] = [];
  await stopServersOfRun(leakingRun, (line) => reported.push(line));

  expect(runs(leaked)).toBe(false);
  expect(existsSync(leaked.baseDir)).toBe(false);
  expect(reported).toEqual([`stopped mariadbd ${leaked.pid} that this test run left running, and removed ${leaked.baseDir}`]);
  expect([ofThisRun, ofNoRun].map(runs)).toEqual([true, true]);
  expect(await answers(ofThisRun)).toBe(true);
  expect(await answers(ofNoRun)).toBe(true);
  expect(existsSync(ofThisRun.baseDir) && existsSync(ofNoRun.baseDir)).toBe(true);

  await Promise.all([ofThisRun.stop(), ofNoRun.stop()]);
  expect([ofThisRun, ofNoRun].map(runs)).toEqual([false, false]);
});

test('a folder of the run whose pid is no longer its mariadbd is removed, and the process with that pid now is not signalled', async () => {
  const run = `teardown-test-${process.pid}-reused-pid`;
  const folder = mkdtempSync(join(tmpdir(), `${SERVER_FOLDER_PREFIX}9084-`));
  // The system gave the dead server's pid to another process.
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    writeFileSync(join(folder, RUN_ID_FILE), run);
    writeFileSync(join(folder, SPAWNED_PID_FILE), String(other.pid));

    const reported: string[] = [];
    await stopServersOfRun(run, (line) => reported.push(line));

    expect(existsSync(folder)).toBe(false);
    expect(reported).toEqual([`removed ${folder}, the folder of a MariaDB server this test run did not stop`]);
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
    expect(() => process.kill(other.pid!, 0)).not.toThrow();
  } finally {
    other.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
});
