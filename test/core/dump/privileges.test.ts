/**
 * The dump user's grants, read from real MariaDB users: each lacks one thing a complete
 * dump needs, and the check names the user, the privilege, the database and the GRANT.
 */
import { execFileSync } from 'node:child_process';
import * as mysql from 'mysql2/promise';
import { checkDumpPrivileges, missingDumpPrivileges, parseGrantLine } from '../../../core/dump/privileges';
import { listDumpDatabases } from '../../../core/dump/source';
import { MariaDbServer, startMariaDb } from '../../support/mariadb';

let server: MariaDbServer;
let admin: mysql.Connection;

async function as(user: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user, password: 'pw' });
}

async function check(user: string, databases: string[], allDatabases: boolean): Promise<string[]> {
  const connection = await as(user);
  try {
    return await checkDumpPrivileges(connection, databases, allDatabases);
  } finally {
    await connection.end();
  }
}

beforeAll(async () => {
  server = await startMariaDb({ serverId: 33 });
  admin = await server.connect();
  await admin.query(`CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY);
    CREATE TRIGGER app.t_ins BEFORE INSERT ON app.t FOR EACH ROW SET NEW.id = NEW.id;
    CREATE DATABASE secret_db; CREATE TABLE secret_db.s (id INT PRIMARY KEY);
    CREATE USER 'no_trigger'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, EVENT ON app.* TO 'no_trigger'@'127.0.0.1';
    GRANT SHOW DATABASES ON *.* TO 'no_trigger'@'127.0.0.1'; GRANT SELECT ON mysql.proc TO 'no_trigger'@'127.0.0.1';
    CREATE USER 'app_only'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON app.* TO 'app_only'@'127.0.0.1'; GRANT SELECT ON mysql.proc TO 'app_only'@'127.0.0.1';
    CREATE USER 'full'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, SHOW DATABASES ON *.* TO 'full'@'127.0.0.1';
    CREATE ROLE dumping; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, SHOW DATABASES ON *.* TO dumping;
    CREATE USER 'by_role'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT dumping TO 'by_role'@'127.0.0.1'; SET DEFAULT ROLE dumping FOR 'by_role'@'127.0.0.1';`);
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

test('a user without TRIGGER is refused, naming the user, the privilege, the database and the GRANT', async () => {
  // What the dump would do: mariadb-dump leaves the trigger out and exits 0.
  const dump = execFileSync('mariadb-dump', ['--host=127.0.0.1', `--port=${server.port}`, '--user=no_trigger', '--password=pw', '--skip-ssl', '--single-transaction', '--skip-lock-tables', '--triggers', '--databases', 'app'], { encoding: 'utf8' });
  expect(dump).toContain('CREATE TABLE `t`');
  expect(dump).not.toContain('t_ins');
  await expect(check('no_trigger', ['app'], false)).rejects.toThrow(
    "the dump user no_trigger@127.0.0.1 lacks privileges a complete dump needs (the dump would leave data out silently): TRIGGER on database app (GRANT TRIGGER ON `app`.* TO 'no_trigger'@'127.0.0.1')");
});

test('a user without SELECT on a database does not see it; the dump of every database is refused', async () => {
  const connection = await as('app_only');
  try {
    expect(await listDumpDatabases(connection)).toEqual(['app']);
  } finally {
    await connection.end();
  }
  await expect(check('app_only', ['app'], true)).rejects.toThrow(
    "SHOW DATABASES: without it a database the user has no privilege on is not listed, so not dumped (GRANT SHOW DATABASES ON *.* TO 'app_only'@'127.0.0.1')");
  // Named explicitly, the database it cannot read is refused too.
  await expect(check('app_only', ['app', 'secret_db'], false)).rejects.toThrow(
    "SELECT, SHOW VIEW, TRIGGER, EVENT on database secret_db (GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `secret\\_db`.* TO 'app_only'@'127.0.0.1')");
  expect(await check('app_only', ['app'], false)).toEqual([]);
});

test('users with every privilege, directly or through a role, pass', async () => {
  expect(await check('full', ['app', 'secret_db'], true)).toEqual([]);
  expect(await check('by_role', ['app', 'secret_db'], true)).toEqual([]);
  expect(await checkDumpPrivileges(admin, ['app', 'secret_db'], true)).toEqual([]);
});

test('grants that cannot be read make the result unknown, noted for the manifest, not refused', async () => {
  expect(parseGrantLine("GRANT SELECT, TRIGGER ON `a\\_b`.* TO `u`@`%`")).toEqual({ revoke: false, privileges: ['SELECT', 'TRIGGER'], database: 'a\\_b', table: '*' });
  expect(parseGrantLine('GRANT `rds_superuser_role`@`%` TO `admin`@`%`')).toEqual({ role: '`rds_superuser_role`@`%`' });
  const notes = missingDumpPrivileges({ user: 'u@%', grants: [], unreadable: ['x'] }, ['app'], false);
  expect(notes[0]).toContain('SELECT, SHOW VIEW, TRIGGER, EVENT on database app');
  // A MySQL partial revoke takes a global privilege away from one database.
  const revoked = [parseGrantLine('GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, SHOW DATABASES ON *.* TO `u`@`%`'), parseGrantLine('REVOKE TRIGGER ON `app`.* FROM `u`@`%`')];
  expect(missingDumpPrivileges({ user: 'u@%', grants: revoked as never, unreadable: [] }, ['app', 'other'], true))
    .toEqual(["TRIGGER on database app (GRANT TRIGGER ON `app`.* TO 'u'@'%')"]);
});
