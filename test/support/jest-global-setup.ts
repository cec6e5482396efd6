/**
 * Names the jest run before its workers start: they inherit the variable, and every MariaDB server
 * a test starts carries the id in its folder, for the run's global teardown.
 */
import { randomUUID } from 'node:crypto';
import { RUN_ID_VARIABLE } from './mariadb-folder';

export default function globalSetup(): void {
  // Always a new id: a run started from inside another (an inherited variable) is a run of its own.
  process.env[RUN_ID_VARIABLE] = randomUUID();
}
