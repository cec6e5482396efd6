/**
 * Whether the dump's database user may dump everything, read from its grants (`SHOW GRANTS`,
 * and `SHOW GRANTS FOR` each role it was granted). Without the privileges the dump leaves
 * things out silently: a database without SELECT is not listed at all, triggers without
 * TRIGGER, routines of other definers without the right to read their bodies.
 */
import type { Connection } from 'mysql2/promise';
import type { ServerFlavor } from '../consistency/replication';
import { serverInfo } from '../consistency/replication';

/** What the dump reads in each database (`--single-transaction --routines --events --triggers`). */
const DATABASE_PRIVILEGES = ['SELECT', 'SHOW VIEW', 'TRIGGER', 'EVENT'] as const;

/** The level of `*.*`, as a grant's database and table. */
const GLOBAL = '*';

/**
 * What lets the dump read the bodies of routines it did not define, which each server keeps
 * elsewhere. MariaDB: SELECT on the table `mysql.proc` that holds them, or (11.3+) SHOW
 * CREATE ROUTINE on the routine's database. MySQL 8 has no `mysql.proc` (routines live in the
 * data dictionary): SHOW_ROUTINE (8.0.20+) or SELECT at the global level. Not CREATE ROUTINE,
 * ALTER ROUTINE or EXECUTE: with them SHOW CREATE PROCEDURE / FUNCTION answers with a NULL
 * body, which the dump program leaves out or stops on.
 */
function readsRoutines(grants: DumpGrants, databases: readonly string[]): boolean {
  if (grants.flavor === 'mariadb') {
    return holds(grants, 'SELECT', 'mysql', 'proc') || databases.every((database) => holds(grants, 'SHOW CREATE ROUTINE', database));
  }
  return holds(grants, 'SELECT', GLOBAL) || holds(grants, 'SHOW_ROUTINE', GLOBAL);
}

function routineGrant(flavor: ServerFlavor, to: string): string {
  return flavor === 'mariadb'
    ? `the right to read the bodies of routines it did not define: SELECT on mysql.proc (GRANT SELECT ON mysql.proc TO ${to})`
    : `the right to read the bodies of routines it did not define: SHOW_ROUTINE, or SELECT on *.* (GRANT SHOW_ROUTINE ON *.* TO ${to})`;
}

type Row = Record<string, unknown>;

/** One grant (or partial revoke) line: the privileges and the level they apply at. */
interface Grant {
  readonly revoke: boolean;
  readonly privileges: readonly string[];
  /** `*` for `*.*`, else the database name pattern (`%` and `_` are wildcards, `\_` a literal). */
  readonly database: string;
  /** `*` for every table of the database, else one table. */
  readonly table: string;
}

/** The privileges held and what could not be read. */
export interface DumpGrants {
  readonly user: string;
  readonly flavor: ServerFlavor;
  /**
   * Whether `%` and `_` in a database grant's name are wildcards: on MariaDB always, on MySQL
   * unless `partial_revokes` is on (it then reads them as the characters themselves).
   */
  readonly schemaWildcards: boolean;
  /**
   * Whether database and table names in grants compare without regard to case: with
   * `lower_case_table_names` 1 or 2 the server lowercases both sides (a grant on `App`.*
   * applies to `app`). False when that could not be read (the strict comparison).
   */
  readonly caseInsensitiveNames: boolean;
  readonly grants: readonly Grant[];
  /** Grants that could not be read or understood: a missing privilege may be held after all. */
  readonly unreadable: readonly string[];
}

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1).replace(/``/g, '`') : name;
}

function splitPrivileges(list: string): string[] {
  // Column privileges `SELECT (a, b)` are table-level detail: drop the column lists.
  return list.replace(/\([^)]*\)/g, '').split(',').map((privilege) => privilege.trim().toUpperCase()).filter((privilege) => privilege.length > 0);
}

/** Parses one line of `SHOW GRANTS`; undefined for a line that grants no privilege on objects (a role, a proxy). */
export function parseGrantLine(line: string): Grant | { readonly role: string } | undefined {
  const onObject = /^(GRANT|REVOKE)\s+(.+?)\s+ON\s+(?:TABLE\s+)?((?:`(?:[^`]|``)*`|[^\s.`]+))\.((?:`(?:[^`]|``)*`|[^\s`]+))\s+(?:TO|FROM)\s/is.exec(line);
  if (onObject) {
    return { revoke: onObject[1].toUpperCase() === 'REVOKE', privileges: splitPrivileges(onObject[2]), database: unquote(onObject[3]), table: unquote(onObject[4]) };
  }
  if (/^GRANT\s+\S+\s+ON\s+(FUNCTION|PROCEDURE|PACKAGE)\s/i.test(line) || /^GRANT\s+PROXY\s/i.test(line)) {
    return undefined;
  }
  const role = /^GRANT\s+((?:`(?:[^`]|``)*`(?:@`(?:[^`]|``)*`)?)(?:\s*,\s*`(?:[^`]|``)*`(?:@`(?:[^`]|``)*`)?)*)\s+TO\s/i.exec(line);
  if (role) {
    return { role: role[1] };
  }
  return undefined;
}

/**
 * Whether the server reads `%` and `_` in database grants as wildcards: MySQL with
 * `partial_revokes` on (8.0.16+) reads them as themselves. Undefined when that cannot be read.
 */
export async function readSchemaWildcards(connection: Connection, flavor: ServerFlavor): Promise<boolean | undefined> {
  if (flavor === 'mariadb') {
    return true;
  }
  try {
    const [rows] = await connection.query("SHOW GLOBAL VARIABLES LIKE 'partial_revokes'") as unknown as [Row[]];
    // A server without the variable (before 8.0.16) has no partial revokes.
    return rows.length === 0 || !/^(ON|1)$/i.test(String(rows[0].Value));
  } catch {
    return undefined;
  }
}

/**
 * Whether the server compares database and table names in grants without regard to case
 * (`lower_case_table_names` 1 or 2). Undefined when that cannot be read.
 */
export async function readCaseInsensitiveNames(connection: Connection): Promise<boolean | undefined> {
  try {
    const [rows] = await connection.query('SELECT @@lower_case_table_names AS value') as unknown as [Row[]];
    const value = Number(rows[0]?.value);
    return Number.isInteger(value) ? value !== 0 : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the current user's grants, with those of the roles granted to it. */
export async function readDumpGrants(connection: Connection): Promise<DumpGrants> {
  const [users] = await connection.query('SELECT CURRENT_USER() AS user');
  const user = String((users as Row[])[0].user);
  const { flavor } = await serverInfo(connection);
  const grants: Grant[] = [];
  const unreadable: string[] = [];
  const wildcards = await readSchemaWildcards(connection, flavor);
  if (wildcards === undefined) {
    unreadable.push('whether % and _ in database grants are wildcards could not be read (partial_revokes); they were taken as the characters themselves');
  }
  const caseInsensitive = await readCaseInsensitiveNames(connection);
  if (caseInsensitive === undefined) {
    unreadable.push('whether database names in grants compare without regard to case could not be read (lower_case_table_names); they were compared as written');
  }
  const seenRoles = new Set<string>();
  const read = async (sql: string, from: string): Promise<void> => {
    let rows: Row[];
    try {
      [rows] = await connection.query(sql) as unknown as [Row[]];
    } catch (error) {
      unreadable.push(`the grants of ${from} could not be read (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    for (const row of rows) {
      const line = String(Object.values(row)[0]);
      const parsed = parseGrantLine(line);
      if (parsed && 'role' in parsed) {
        for (const role of parsed.role.split(/\s*,\s*/)) {
          if (!seenRoles.has(role)) {
            seenRoles.add(role);
            await read(`SHOW GRANTS FOR ${role}`, `role ${role}`);
          }
        }
      } else if (parsed) {
        grants.push(parsed);
      }
    }
  };
  await read('SHOW GRANTS', user);
  return { user, flavor, schemaWildcards: wildcards ?? false, caseInsensitiveNames: caseInsensitive ?? false, grants, unreadable };
}

/**
 * Whether a grant's database `pattern` applies to `database`. `*` (the global level) applies
 * to every database, and only it applies at the global level: a pattern like `%` applies to
 * each database it matches, which is not the global level (global SELECT, SHOW_ROUTINE).
 * `\x` is the character x; `%` and `_` are wildcards when the server reads them so. Case is
 * ignored when the server ignores it (`lower_case_table_names`).
 */
function patternMatches(pattern: string, database: string, wildcards: boolean, caseInsensitive: boolean): boolean {
  if (pattern === GLOBAL) {
    return true;
  }
  if (database === GLOBAL) {
    return false;
  }
  let regex = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\' && index + 1 < pattern.length) {
      regex += escapeRegex(pattern[++index]);
    } else if (wildcards && char === '%') {
      regex += '.*';
    } else if (wildcards && char === '_') {
      regex += '.';
    } else {
      regex += escapeRegex(char);
    }
  }
  return new RegExp(`^${regex}$`, caseInsensitive ? 'si' : 's').test(database);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `privilege` is held on `database` (`*`: at the global level), or on its `table`. */
export function holds(grants: DumpGrants, privilege: string, database: string, table = '*'): boolean {
  const sameTable = (name: string): boolean => name === table || (grants.caseInsensitiveNames && name.toLowerCase() === table.toLowerCase());
  const covers = (grant: Grant): boolean => patternMatches(grant.database, database, grants.schemaWildcards, grants.caseInsensitiveNames) && (grant.table === '*' || sameTable(grant.table)) &&
    (grant.privileges.includes(privilege) || grant.privileges.includes('ALL PRIVILEGES') || grant.privileges.includes('ALL'));
  // A partial revoke (MySQL `partial_revokes`) takes a global privilege away from one database.
  return grants.grants.some((grant) => !grant.revoke && covers(grant)) && !grants.grants.some((grant) => grant.revoke && covers(grant));
}

/**
 * Whether the user sees every database: SHOW DATABASES lists only those it holds a privilege
 * on, unless it holds SHOW DATABASES or global SELECT. A grant on `%` (a pattern matching every
 * name, where it is a wildcard) holds one on every database.
 */
function everyDatabaseListed(grants: DumpGrants): boolean {
  return holds(grants, 'SHOW DATABASES', GLOBAL) || selectsEveryDatabase(grants);
}

/** Whether `SELECT` is held on every database: at the global level, or on `%` where that is a wildcard matching every name. */
export function selectsEveryDatabase(grants: DumpGrants): boolean {
  return holds(grants, 'SELECT', GLOBAL) ||
    (grants.schemaWildcards && grants.grants.some((grant) => !grant.revoke && /^%+$/.test(grant.database) && grant.table === '*' && grant.privileges.includes('SELECT')));
}

/** A database name as a grant's level: quoted, with `_` and `%` escaped so they are not wildcards. */
export function quoteDatabase(name: string): string {
  return '`' + name.replace(/`/g, '``').replace(/_/g, '\\_').replace(/%/g, '\\%') + '`';
}

/** `user@host` as a GRANT statement names it: `'user'@'host'`. */
export function grantee(user: string): string {
  const at = user.lastIndexOf('@');
  return at < 0 ? `'${user}'` : `'${user.slice(0, at)}'@'${user.slice(at + 1)}'`;
}

/**
 * The privileges `grants` lack for dumping `databases` with their views, triggers, events
 * and routines, each with the GRANT statement that gives it; `allDatabases` (no list was
 * configured) also needs every database to be visible. Empty when nothing is missing.
 */
export function missingDumpPrivileges(grants: DumpGrants, databases: readonly string[], allDatabases: boolean): string[] {
  const missing: string[] = [];
  const to = grantee(grants.user);
  if (allDatabases && !everyDatabaseListed(grants)) {
    missing.push(`SHOW DATABASES: without it a database the user has no privilege on is not listed, so not dumped (GRANT SHOW DATABASES ON *.* TO ${to})`);
  }
  for (const database of databases) {
    const lacking = DATABASE_PRIVILEGES.filter((privilege) => !holds(grants, privilege, database));
    if (lacking.length > 0) {
      missing.push(`${lacking.join(', ')} on database ${database} (GRANT ${lacking.join(', ')} ON ${quoteDatabase(database)}.* TO ${to})`);
    }
  }
  if (!readsRoutines(grants, databases)) {
    missing.push(routineGrant(grants.flavor, to));
  }
  return missing;
}

/**
 * Throws when the dump's user lacks a privilege a complete dump of `databases` needs, naming
 * the user, each privilege, the database and the GRANT to run. Returns the notes for the
 * manifest when some grants could not be read (a missing privilege may then be held
 * through them: the dump runs, and the manifest says its completeness is not known).
 */
export async function checkDumpPrivileges(connection: Connection, databases: readonly string[], allDatabases: boolean): Promise<string[]> {
  const grants = await readDumpGrants(connection);
  const missing = missingDumpPrivileges(grants, databases, allDatabases);
  if (missing.length === 0) {
    return [];
  }
  if (grants.unreadable.length > 0) {
    return missing.map((entry) => `the dump user ${grants.user} may lack ${entry}; whether it holds it is unknown: ${grants.unreadable.join('; ')}`);
  }
  throw new Error(`the dump user ${grants.user} lacks privileges a complete dump needs (the dump would leave data out silently): ${missing.join('; ')}`);
}
