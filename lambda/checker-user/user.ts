/**
 * The read-only database user the consistency checks connect as. Created on the master;
 * replication carries it to the replica.
 */
import type { Connection } from 'mysql2/promise';

/** MySQL and MariaDB user names: letters, digits and `_`, at most 32 characters. */
const USER_NAME = /^[A-Za-z0-9_]{1,32}$/;

/** Throws when a user name is not one this function creates. */
export function checkUserName(username: unknown): string {
  if (typeof username !== 'string' || !USER_NAME.test(username)) {
    throw new Error(`the checker user name must be 1 to 32 letters, digits or '_', got ${JSON.stringify(username)}`);
  }
  return username;
}

/**
 * The privileges the checker needs: `SELECT` for the checksums, `REPLICATION CLIENT` for the
 * binary log position, `PROCESS` for the server's activity, and on MariaDB 10.5 and newer
 * `SLAVE MONITOR` for `SHOW REPLICA STATUS` (there `REPLICATION CLIENT` no longer covers it).
 */
export async function checkerPrivileges(connection: Connection): Promise<string[]> {
  const [rows] = await connection.query('SELECT VERSION() AS version');
  const version = String((rows as Array<{ version: string }>)[0].version);
  const privileges = ['SELECT', 'REPLICATION CLIENT', 'PROCESS'];
  const mariadb = /^(\d+)\.(\d+)\.\d+.*mariadb/i.exec(version);
  if (mariadb && (Number(mariadb[1]) > 10 || (Number(mariadb[1]) === 10 && Number(mariadb[2]) >= 5))) {
    privileges.push('SLAVE MONITOR');
  }
  return privileges;
}

/**
 * Creates the user (or sets its password when it exists) with the checker's privileges on
 * every database, and nothing else. Idempotent. Returns the privileges granted.
 */
export async function ensureCheckerUser(connection: Connection, username: string, password: string): Promise<string[]> {
  checkUserName(username);
  if (typeof password !== 'string' || password.length === 0) {
    throw new Error(`the password of checker user ${username} is empty`);
  }
  const privileges = await checkerPrivileges(connection);
  await connection.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [username, password]);
  await connection.query("ALTER USER ?@'%' IDENTIFIED BY ?", [username, password]);
  await connection.query(`GRANT ${privileges.join(', ')} ON *.* TO ?@'%'`, [username]);
  return privileges;
}

/** Drops the user if it exists. */
export async function dropCheckerUser(connection: Connection, username: string): Promise<void> {
  checkUserName(username);
  await connection.query("DROP USER IF EXISTS ?@'%'", [username]);
}
