/**
 * Whether the check's user sees every table it is to compare: `information_schema` lists only
 * the tables a user holds some privilege on, so a table it holds none on is not compared, and
 * nothing else would say so.
 */
import type { Connection } from 'mysql2/promise';
import { grantee, holds, quoteDatabase, readDumpGrants, selectsEveryDatabase } from '../dump/privileges';
import { qualifiedName } from './schema';
import type { Session } from './session';
import { boundedQuery, errorMessage } from './session';

/** ER_TABLEACCESS_DENIED_ERROR and ER_COLUMNACCESS_DENIED_ERROR. */
const ACCESS_DENIED = new Set([1142, 1143]);

/**
 * Throws when the check's user may not read every column of a table: a grant on some columns
 * lists only those in `information_schema`, so the others would not be compared. `LIMIT 0`
 * reads no row, but waits for the table's metadata lock (a `LOCK TABLES ... WRITE`, an ALTER
 * TABLE), so the server stops it at the check's deadline (`DeadlinePassed`).
 */
export async function everyColumnReadable(session: Session, connection: Connection, role: 'master' | 'replica', schema: string, table: string): Promise<void> {
  try {
    await boundedQuery(session, connection, { sql: `SELECT * FROM ${qualifiedName(schema, table)} LIMIT 0` });
  } catch (error) {
    if (!ACCESS_DENIED.has(Number((error as { errno?: number }).errno))) {
      throw error;
    }
    throw new Error(`the check's user may not read every column of ${schema}.${table} on the ${role} (SELECT * is refused: ${errorMessage(error)}): ` +
      'a column it holds no privilege on is not listed, so it would not be compared');
  }
}

/**
 * Why tables of `databases` (every database when empty) may be hidden from the check's user on
 * this server, with the GRANT that shows them; '' when it holds SELECT on each of them as a whole.
 */
export async function hiddenTablesProblem(connection: Connection, role: 'master' | 'replica', databases: readonly string[]): Promise<string> {
  const grants = await readDumpGrants(connection);
  if (selectsEveryDatabase(grants)) {
    return '';
  }
  const to = grantee(grants.user);
  const unread = grants.unreadable.length > 0 ? ` (not all grants could be read: ${grants.unreadable.join('; ')})` : '';
  if (databases.length === 0) {
    return `on the ${role}, the check's user ${grants.user} holds no SELECT on *.* (a database or table it holds no privilege on is not listed, so it was not compared): ` +
      `name the databases to compare, or GRANT SELECT ON *.* TO ${to}${unread}`;
  }
  const lacking = databases.filter((database) => !holds(grants, 'SELECT', database));
  if (lacking.length === 0) {
    return '';
  }
  return `on the ${role}, the check's user ${grants.user} holds no SELECT on the database${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')} ` +
    `(a table it holds no privilege on is not listed, so it was not compared): ${lacking.map((database) => `GRANT SELECT ON ${quoteDatabase(database)}.* TO ${to}`).join('; ')}${unread}`;
}
