/**
 * Stops the test MariaDB servers one jest run started and left running, and removes their folders.
 * A test stops its own servers; this catches those of a worker that was killed (a timeout, --forceExit,
 * a crash) before it could. Servers of other runs (another checkout's jest, a benchmark) are never touched.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_ID_FILE, SERVER_FOLDER_PREFIX, SPAWNED_PID_FILE } from './mariadb-folder';
import { isServerOf, signalServerAndWait } from './mariadb-process';

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The run's server folders under the OS temp folder. */
function foldersOfRun(runId: string): string[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith(SERVER_FOLDER_PREFIX))
    .map((name) => join(tmpdir(), name))
    .filter((folder) => readOrUndefined(join(folder, RUN_ID_FILE)) === runId);
}

async function stopAndRemove(folder: string, report: (line: string) => void): Promise<void> {
  const pid = Number(readOrUndefined(join(folder, SPAWNED_PID_FILE)));
  if (Number.isInteger(pid) && pid > 0 && isServerOf(pid, folder)) {
    const stopped = await signalServerAndWait(pid, folder, 'SIGTERM', 30)
      || await signalServerAndWait(pid, folder, 'SIGKILL', 30);
    if (!stopped) {
      report(`mariadbd ${pid} of ${folder} was left running by this test run and did not stop on SIGKILL; its folder is kept`);
      return;
    }
    report(`stopped mariadbd ${pid} that this test run left running, and removed ${folder}`);
  } else {
    report(`removed ${folder}, the folder of a MariaDB server this test run did not stop`);
  }
  rmSync(folder, { recursive: true, force: true });
}

/**
 * Stops every server whose folder carries `runId` by its pid (SIGTERM, then SIGKILL after 30 s) and removes
 * its folder, reporting one line per server. Call it only once the run's tests have all finished.
 */
export async function stopServersOfRun(runId: string, report: (line: string) => void): Promise<void> {
  await Promise.all(foldersOfRun(runId).map((folder) => stopAndRemove(folder, report)));
}
