/**
 * Signals a test MariaDB server by its pid only while that pid still is the server: the launcher
 * (mariadb.ts) and the jest global teardown (stop-servers-of-run.ts) both stop servers this way.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { defaultsFileArgument } from './mariadb-folder';

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * Whether `pid` is the mariadbd of `folder`, read from /proc so that a pid the system gave to another
 * process since is not signalled. A zombie has an empty command line: it counts as gone.
 */
export function isServerOf(pid: number, folder: string): boolean {
  const argv = commandLine(pid);
  return basename(argv[0] ?? '') === 'mariadbd' && argv.includes(defaultsFileArgument(folder));
}

async function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends `signal` to the mariadbd of `folder` if `pid` still is it, and waits up to `seconds` for it
 * to go; true when it went or was already gone.
 */
export async function signalServerAndWait(pid: number, folder: string, signal: NodeJS.Signals, seconds: number): Promise<boolean> {
  if (!isServerOf(pid, folder)) {
    return true;
  }
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
