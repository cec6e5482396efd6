/**
 * The files of a test MariaDB server's folder that the launcher (mariadb.ts) writes and the jest
 * global teardown (stop-servers-of-run.ts) reads to find the servers a test run left running.
 */
import { join } from 'node:path';

/** Every server's folder is `<os temp folder>/<prefix><server id>-<random>`. */
export const SERVER_FOLDER_PREFIX = 'cdk-backup-dr-mariadb-';

/** Set by the jest global setup for the whole run, so the workers inherit it; unset outside jest (benchmarks). */
export const RUN_ID_VARIABLE = 'CDK_BACKUP_DR_TEST_RUN_ID';

/** Holds the run id of the jest run that created the folder; a folder without it belongs to no run. */
export const RUN_ID_FILE = 'test-run-id';

/** The pid of the mariadbd the launcher spawned, written as soon as it is spawned (mariadbd writes its own pid file later). */
export const SPAWNED_PID_FILE = 'spawned.pid';

export const DEFAULTS_FILE = 'my.cnf';

/** The argument the launcher starts mariadbd with: it names the server's folder. */
export function defaultsFileArgument(folder: string): string {
  return `--defaults-file=${join(folder, DEFAULTS_FILE)}`;
}
