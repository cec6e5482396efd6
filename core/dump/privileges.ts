/**
 * Whether the dump's database user may dump everything, read from its grants (`SHOW GRANTS`,
 * and `SHOW GRANTS FOR` each role it was granted). Without the privileges the dump leaves
 * things out silently: a database without SELECT is not listed at all, triggers without
 * TRIGGER, routines of other definers without the right to read their bodies.
 */
import type { Connection } from 'mysql2/promise';

/** What the dump reads in each database (`--single-transaction --routines --events --triggers`). */
const DATABASE_PRIVILEGES = ['SELECT', 'SHOW VIEW', 'TRIGGER', 'EVENT'] as const;

/**
 * Any of these lets the dump read the bodies of routines it did not define. Not CREATE
 * ROUTINE, ALTER ROUTINE or EXECUTE: with them MySQL's SHOW CREATE PROCEDURE / FUNCTION
 * answers with a NULL body, on which mysqldump --routines stops with "insufficient privileges".
 */
const ROUTINE_PRIVILEGES = ['SHOW_ROUTINE', 'SHOW CREATE ROUTINE'];

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

/** Reads the current user's grants, with those of the roles granted to it. */
export async function readDumpGrants(connection: Connection): Promise<DumpGrants> {
  const [users] = await connection.query('SELECT CURRENT_USER() AS user');
  const user = String((users as Row[])[0].user);
  const grants: Grant[] = [];
  const unreadable: string[] = [];
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
  return { user, grants, unreadable };
}

function patternMatches(pattern: string, database: string): boolean {
  if (pattern === '*') {
    return true;
  }
  let regex = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\' && index + 1 < pattern.length) {
      regex += pattern[++index].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (char === '%') {
      regex += '.*';
    } else if (char === '_') {
      regex += '.';
    } else {
      regex += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${regex}$`, 's').test(database);
}

function holds(grants: readonly Grant[], privilege: string, database: string, table = '*'): boolean {
  const covers = (grant: Grant): boolean => patternMatches(grant.database, database) && (grant.table === '*' || grant.table === table) &&
    (grant.privileges.includes(privilege) || grant.privileges.includes('ALL PRIVILEGES') || grant.privileges.includes('ALL'));
  // A partial revoke (MySQL `partial_revokes`) takes a global privilege away from one database.
  return grants.some((grant) => !grant.revoke && covers(grant)) && !grants.some((grant) => grant.revoke && covers(grant));
}

function quoteDatabase(name: string): string {
  return '`' + name.replace(/`/g, '``').replace(/_/g, '\\_').replace(/%/g, '\\%') + '`';
}

function grantee(user: string): string {
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
  if (allDatabases && !holds(grants.grants, 'SHOW DATABASES', '*') && !holds(grants.grants, 'SELECT', '*')) {
    missing.push(`SHOW DATABASES: without it a database the user has no privilege on is not listed, so not dumped (GRANT SHOW DATABASES ON *.* TO ${to})`);
  }
  for (const database of databases) {
    const lacking = DATABASE_PRIVILEGES.filter((privilege) => !holds(grants.grants, privilege, database));
    if (lacking.length > 0) {
      missing.push(`${lacking.join(', ')} on database ${database} (GRANT ${lacking.join(', ')} ON ${quoteDatabase(database)}.* TO ${to})`);
    }
  }
  const readsRoutines = holds(grants.grants, 'SELECT', '*') || holds(grants.grants, 'SELECT', 'mysql') || holds(grants.grants, 'SELECT', 'mysql', 'proc') ||
    ROUTINE_PRIVILEGES.some((privilege) => holds(grants.grants, privilege, '*'));
  if (!readsRoutines) {
    missing.push(`the right to read the bodies of routines it did not define: SELECT on mysql.proc (MariaDB) or SHOW_ROUTINE (MySQL 8.0.20+) (GRANT SELECT ON mysql.proc TO ${to}, or GRANT SHOW_ROUTINE ON *.* TO ${to})`);
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
