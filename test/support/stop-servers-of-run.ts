/**
 * Stops the test MariaDB servers one jest run started and left running, and removes their folders.
 * A test stops its own servers; this catches those of a worker that was killed (a timeout, --forceExit,
 * a crash) before it could. Servers of other runs (another checkout's jest, a benchmark) are never touched.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { defaultsFileArgument, RUN_ID_FILE, SERVER_FOLDER_PREFIX, SPAWNED_PID_FILE } from './mariadb-folder';

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

/**
 * Whether `pid` is the mariadbd of `folder`, read from /proc so that a pid the system gave to another
 * process since is not signalled. A zombie has an empty command line: it counts as gone.
 */
function isServerOf(pid: number, folder: string): boolean {
  const argv = readOrUndefined(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
  return basename(argv[0] ?? '') === 'mariadbd' && argv.includes(defaultsFileArgument(folder));
}

async function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `signal` and waits up to `seconds` for the server to go; true when it went. */
async function signalAndWait(pid: number, folder: string, signal: NodeJS.Signals, seconds: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return true; // gone between the check and the signal
  }
  const deadline = Date.now() + seconds * 1000;
  while (isServerOf(pid, folder)) {
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(50);
  }
  return true;
}

async function stopAndRemove(folder: string, report: (line: string) => void): Promise<void> {
  const pid = Number(readOrUndefined(join(folder, SPAWNED_PID_FILE)));
  if (Number.isInteger(pid) && pid > 0 && isServerOf(pid, folder)) {
    const stopped = await signalAndWait(pid, folder, 'SIGTERM', 30)
      || await signalAndWait(pid, folder, 'SIGKILL', 30);
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
