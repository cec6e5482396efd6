/**
 * After the whole jest run: stops the MariaDB servers this run started and left running (a worker that
 * was killed cannot stop its servers, and a listener on `process` in a test never runs under jest) and
 * prints one line for each, so the leak is seen.
 */
import { RUN_ID_VARIABLE } from './mariadb-folder';
import { stopServersOfRun } from './stop-servers-of-run';

export default async function globalTeardown(): Promise<void> {
  const runId = process.env[RUN_ID_VARIABLE];
  if (runId) {
    await stopServersOfRun(runId, (line) => console.warn(`jest global teardown: ${line}`));
  }
}
