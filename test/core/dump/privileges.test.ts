/**
 * The dump user's grants, read from real MariaDB users: each lacks one thing a complete
 * dump needs, and the check names the user, the privilege, the database and the GRANT.
 */
import { execFileSync } from 'node:child_process';
import * as mysql from 'mysql2/promise';
import type { DumpGrants } from '../../../core/dump/privileges';
import { checkDumpPrivileges, missingDumpPrivileges, parseGrantLine, readCaseInsensitiveNames, readSchemaWildcards } from '../../../core/dump/privileges';
import { listDumpDatabases } from '../../../core/dump/source';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../../support/mariadb';

let server: MariaDbServer;
let admin: mysql.Connection;

async function as(user: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user, password: 'pw' });
}

/** The databases the dump would list for `user` (`listDumpDatabases` on its own connection). */
async function databasesListedFor(user: string): Promise<string[]> {
  const connection = await as(user);
  try {
    return await listDumpDatabases(connection);
  } finally {
    await connection.end();
  }
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
    CREATE PROCEDURE app.answer() SELECT 4242;
    CREATE DATABASE secret_db; CREATE TABLE secret_db.s (id INT PRIMARY KEY); CREATE DATABASE secretxdb; CREATE DATABASE x;
    CREATE USER 'no_trigger'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, EVENT ON app.* TO 'no_trigger'@'127.0.0.1';
    GRANT SHOW DATABASES ON *.* TO 'no_trigger'@'127.0.0.1'; GRANT SELECT ON mysql.proc TO 'no_trigger'@'127.0.0.1';
    CREATE USER 'app_only'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON app.* TO 'app_only'@'127.0.0.1'; GRANT SELECT ON mysql.proc TO 'app_only'@'127.0.0.1';
    CREATE USER 'full'@'127.0.0.1' IDENTIFIED BY 'pw';
    GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, SHOW DATABASES ON *.* TO 'full'@'127.0.0.1';
    CREATE ROLE dumping; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, SHOW DATABASES ON *.* TO dumping;
    CREATE USER 'by_role'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT dumping TO 'by_role'@'127.0.0.1'; SET DEFAULT ROLE dumping FOR 'by_role'@'127.0.0.1';
    CREATE USER 'every_name'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`%\`.* TO 'every_name'@'127.0.0.1';
    CREATE USER 'one_char'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`_\`.* TO 'one_char'@'127.0.0.1';
    GRANT SELECT ON mysql.proc TO 'one_char'@'127.0.0.1';
    CREATE USER 'secret_prefix'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`secret\\_%\`.* TO 'secret_prefix'@'127.0.0.1';
    GRANT SELECT ON mysql.proc TO 'secret_prefix'@'127.0.0.1';`);
});

afterAll(async () => {
  await stopStartedServers(() => admin?.end());
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
  expect(await databasesListedFor('app_only')).toEqual(['app']);
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
  const notes = missingDumpPrivileges({ user: 'u@%', flavor: 'mariadb', schemaWildcards: true, caseInsensitiveNames: false, grants: [], unreadable: ['x'] }, ['app'], false);
  expect(notes[0]).toContain('SELECT, SHOW VIEW, TRIGGER, EVENT on database app');
  // A MySQL partial revoke takes a global privilege away from one database.
  const revoked = [parseGrantLine('GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, SHOW DATABASES ON *.* TO `u`@`%`'), parseGrantLine('REVOKE TRIGGER ON `app`.* FROM `u`@`%`')];
  expect(missingDumpPrivileges({ user: 'u@%', flavor: 'mysql', schemaWildcards: false, caseInsensitiveNames: false, grants: revoked as never, unreadable: [] }, ['app', 'other'], true))
    .toEqual(["TRIGGER on database app (GRANT TRIGGER ON `app`.* TO 'u'@'%')"]);
});

function grantsOf(flavor: 'mariadb' | 'mysql', schemaWildcards: boolean, lines: string[], caseInsensitiveNames = false): DumpGrants {
  return { user: 'u@%', flavor, schemaWildcards, caseInsensitiveNames, grants: lines.map((line) => parseGrantLine(line)) as never, unreadable: [] };
}

const APP_GRANT = 'GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `app`.* TO `u`@`%`';

test('on MySQL only SHOW_ROUTINE or global SELECT reads routine bodies, and the message names that GRANT only', () => {
  const mysqlRoutines = "the right to read the bodies of routines it did not define: SHOW_ROUTINE, or SELECT on *.* (GRANT SHOW_ROUTINE ON *.* TO 'u'@'%')";
  // MySQL 8 has no mysql.proc: SELECT on it (or on mysql.*) gives no routine body.
  expect(missingDumpPrivileges(grantsOf('mysql', true, [APP_GRANT, 'GRANT SELECT ON `mysql`.`proc` TO `u`@`%`', 'GRANT SELECT ON `mysql`.* TO `u`@`%`']), ['app'], false))
    .toEqual([mysqlRoutines]);
  // A database pattern matching every name is no global SELECT.
  expect(missingDumpPrivileges(grantsOf('mysql', true, [APP_GRANT, 'GRANT SELECT ON `%`.* TO `u`@`%`']), ['app'], false)).toEqual([mysqlRoutines]);
  expect(missingDumpPrivileges(grantsOf('mysql', true, [APP_GRANT, 'GRANT SHOW_ROUTINE ON *.* TO `u`@`%`']), ['app'], false)).toEqual([]);
  expect(missingDumpPrivileges(grantsOf('mysql', true, [APP_GRANT, 'GRANT SELECT ON *.* TO `u`@`%`']), ['app'], false)).toEqual([]);
});

test('on MariaDB SELECT on mysql.proc or SHOW CREATE ROUTINE reads routine bodies, SHOW_ROUTINE does not', () => {
  const mariadbRoutines = "the right to read the bodies of routines it did not define: SELECT on mysql.proc (GRANT SELECT ON mysql.proc TO 'u'@'%')";
  expect(missingDumpPrivileges(grantsOf('mariadb', true, [APP_GRANT, 'GRANT SHOW_ROUTINE ON *.* TO `u`@`%`']), ['app'], false)).toEqual([mariadbRoutines]);
  expect(missingDumpPrivileges(grantsOf('mariadb', true, [APP_GRANT, 'GRANT SELECT ON `mysql`.* TO `u`@`%`']), ['app'], false)).toEqual([]);
  expect(missingDumpPrivileges(grantsOf('mariadb', true, [APP_GRANT, 'GRANT SHOW CREATE ROUTINE ON `app`.* TO `u`@`%`']), ['app'], false)).toEqual([]);
  // SHOW CREATE ROUTINE is a database privilege: it must cover each database dumped.
  const otherGrant = 'GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `other`.* TO `u`@`%`';
  expect(missingDumpPrivileges(grantsOf('mariadb', true, [APP_GRANT, otherGrant, 'GRANT SHOW CREATE ROUTINE ON `app`.* TO `u`@`%`']), ['app', 'other'], false))
    .toEqual([mariadbRoutines]);
});

test('a database grant with wildcards covers the databases it matches, not the global level', () => {
  const wild = grantsOf('mariadb', true, ['GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `a_p`.* TO `u`@`%`', 'GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `b\\_c`.* TO `u`@`%`', 'GRANT SELECT ON `mysql`.`proc` TO `u`@`%`']);
  expect(missingDumpPrivileges(wild, ['app', 'a_p', 'b_c'], false)).toEqual([]);
  expect(missingDumpPrivileges(wild, ['bxc'], false)).toEqual(['SELECT, SHOW VIEW, TRIGGER, EVENT on database bxc (GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `bxc`.* TO \'u\'@\'%\')']);
  // `_` matches any one character, `*` too: that made it count as global SELECT (and so as SHOW DATABASES).
  expect(missingDumpPrivileges(grantsOf('mariadb', true, ['GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `_`.* TO `u`@`%`', 'GRANT SELECT ON `mysql`.`proc` TO `u`@`%`']), ['x'], true))
    .toEqual(["SHOW DATABASES: without it a database the user has no privilege on is not listed, so not dumped (GRANT SHOW DATABASES ON *.* TO 'u'@'%')"]);
  // MySQL with partial_revokes reads `%` and `_` as themselves.
  const literal = grantsOf('mysql', false, ['GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `a_p`.* TO `u`@`%`', 'GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `b\\_c`.* TO `u`@`%`', 'GRANT SHOW_ROUTINE ON *.* TO `u`@`%`']);
  expect(missingDumpPrivileges(literal, ['a_p', 'b_c'], false)).toEqual([]);
  expect(missingDumpPrivileges(literal, ['app'], false)).toEqual(['SELECT, SHOW VIEW, TRIGGER, EVENT on database app (GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `app`.* TO \'u\'@\'%\')']);
});

test('real MariaDB: a `%` grant makes every database visible and reads routines; `_` does not count as global; `\\_` is an underscore', async () => {
  // `%` matches every database, mysql (so mysql.proc) included: the dump is complete.
  const dump = execFileSync('mariadb-dump', ['--host=127.0.0.1', `--port=${server.port}`, '--user=every_name', '--password=pw', '--skip-ssl', '--single-transaction', '--routines', '--no-data', '--databases', 'app'], { encoding: 'utf8' });
  expect(dump).toContain('SELECT 4242');
  expect(await databasesListedFor('every_name')).toEqual(['app', 'secret_db', 'secretxdb', 'x']);
  expect(await check('every_name', ['app', 'secret_db', 'secretxdb', 'x'], true)).toEqual([]);

  // `_` matches the one-character database names only: the others are not even listed.
  expect(await databasesListedFor('one_char')).toEqual(['x']);
  await expect(check('one_char', ['x'], true)).rejects.toThrow(
    "the dump user one_char@127.0.0.1 lacks privileges a complete dump needs (the dump would leave data out silently): SHOW DATABASES: without it a database the user has no privilege on is not listed, so not dumped (GRANT SHOW DATABASES ON *.* TO 'one_char'@'127.0.0.1')");

  expect(await databasesListedFor('secret_prefix')).toEqual(['secret_db']);
  expect(await check('secret_prefix', ['secret_db'], false)).toEqual([]);
  await expect(check('secret_prefix', ['secretxdb'], false)).rejects.toThrow('SELECT, SHOW VIEW, TRIGGER, EVENT on database secretxdb');
});

test('a server without partial_revokes (MariaDB, MySQL before 8.0.16) reads `%` and `_` as wildcards', async () => {
  expect(await readSchemaWildcards(admin, 'mysql')).toBe(true);
  expect(await readSchemaWildcards(admin, 'mariadb')).toBe(true);
});

const DUMP_PRIVILEGES = 'SELECT, SHOW VIEW, TRIGGER, EVENT';

test.each([
  // [case, flavor, lower_case_table_names read as case-insensitive, grant lines, databases, missing]
  ['a grant on `App`.* covers app and APP', 'mariadb', true,
    [`GRANT ${DUMP_PRIVILEGES} ON \`App\`.* TO \`u\`@\`%\``, 'GRANT SELECT ON `mysql`.`proc` TO `u`@`%`'], ['app', 'APP'], []],
  ['a pattern `App\\_%` covers app_eu', 'mariadb', true,
    [`GRANT ${DUMP_PRIVILEGES} ON \`App\\_%\`.* TO \`u\`@\`%\``, 'GRANT SELECT ON `mysql`.`proc` TO `u`@`%`'], ['app_eu'], []],
  ['SELECT on `MySQL`.`Proc` reads routine bodies', 'mariadb', true,
    [`GRANT ${DUMP_PRIVILEGES} ON \`app\`.* TO \`u\`@\`%\``, 'GRANT SELECT ON `MySQL`.`Proc` TO `u`@`%`'], ['app'], []],
  ['a partial revoke on `App`.* takes TRIGGER from app', 'mysql', true,
    [`GRANT ${DUMP_PRIVILEGES}, SHOW_ROUTINE ON *.* TO \`u\`@\`%\``, 'REVOKE TRIGGER ON `App`.* FROM `u`@`%`'], ['app', 'other'],
    ["TRIGGER on database app (GRANT TRIGGER ON `app`.* TO 'u'@'%')"]],
  ['where case counts (lower_case_table_names 0, or not read), `App`.* does not cover app', 'mariadb', false,
    [`GRANT ${DUMP_PRIVILEGES} ON \`App\`.* TO \`u\`@\`%\``, 'GRANT SELECT ON `mysql`.`proc` TO `u`@`%`'], ['App', 'app'],
    [`${DUMP_PRIVILEGES} on database app (GRANT ${DUMP_PRIVILEGES} ON \`app\`.* TO 'u'@'%')`]],
] as const)('database names in grants and lower_case_table_names: %s', (_name, flavor, caseInsensitive, lines, databases, missing) => {
  expect(missingDumpPrivileges(grantsOf(flavor, flavor === 'mariadb', [...lines], caseInsensitive), databases, false)).toEqual(missing);
});

test('real MariaDB with lower_case_table_names=1: the server reads App in a grant and in a query as app, and so does the check', async () => {
  const folding = await startMariaDb({ serverId: 34, extraConfig: ['lower_case_table_names=1'] });
  const folded = await folding.connect();
  try {
    expect(await readCaseInsensitiveNames(folded)).toBe(true);
    await folded.query(`CREATE DATABASE App; CREATE TABLE App.T (id INT PRIMARY KEY);
      CREATE USER 'mixed_case'@'127.0.0.1' IDENTIFIED BY 'pw';
      GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`App\`.* TO 'mixed_case'@'127.0.0.1'; GRANT SELECT ON mysql.proc TO 'mixed_case'@'127.0.0.1';`);
    // The server keeps the grant (and the database) lowercased and reads the name App as app.
    // (listDumpDatabases names a requested App as the server does, app: see source.test.ts; this calls the check with App directly.)
    const user = await mysql.createConnection({ host: '127.0.0.1', port: folding.port, user: 'mixed_case', password: 'pw' });
    try {
      const [grants] = await user.query('SHOW GRANTS') as unknown as [Array<Record<string, string>>];
      expect(grants.map((row) => Object.values(row)[0])).toContain("GRANT SELECT, SHOW VIEW, EVENT, TRIGGER ON `app`.* TO `mixed_case`@`127.0.0.1`");
      const [rows] = await user.query('SELECT COUNT(*) AS n FROM App.T') as unknown as [Array<Record<string, number>>];
      expect(rows[0].n).toBe(0);
      expect(await checkDumpPrivileges(user, ['App'], false)).toEqual([]);
    } finally {
      await user.end();
    }
  } finally {
    await folded.end();
    await folding.stop();
  }
});

test('lower_case_table_names is read: 0 by default on Linux, unknown on a connection that cannot answer', async () => {
  expect(await readCaseInsensitiveNames(admin)).toBe(false);
  const closed = await server.connect();
  await closed.end();
  expect(await readCaseInsensitiveNames(closed)).toBeUndefined();
});
