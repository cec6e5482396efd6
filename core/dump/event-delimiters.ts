/**
 * Events the dump program cannot write. To dump an event, mariadb-dump looks for a delimiter
 * that its CREATE EVENT statement does not contain, starting from `;;`; in MariaDB 10.11 that
 * search never ends when the statement contains `;;` (the loop grows the wrong variable), and
 * the dump hangs with replication paused until the workflow's timeout. The same loop is in
 * the mysqldump code it was forked from; whether MySQL 8.4's mysqldump still has it could not
 * be checked here, so such an event is refused with either program: an edit of the event is
 * cheap, a dump stuck for hours is not.
 */
import type { Connection } from 'mysql2/promise';
import { quoteIdentifier } from '../consistency/schema';

const DELIMITER_TRAP = ';;';

/** `db`.`event` of every event in the databases whose CREATE EVENT statement contains `;;`. */
export async function eventsWithDelimiterTrap(connection: Connection, databases: readonly string[]): Promise<string[]> {
  if (databases.length === 0) {
    return [];
  }
  // The parts of SHOW CREATE EVENT that can hold free text: the name, the definer, the body and the comment.
  const [rows] = await connection.query(
    `SELECT EVENT_SCHEMA AS db, EVENT_NAME AS name FROM information_schema.EVENTS
      WHERE EVENT_SCHEMA IN (?) AND (INSTR(EVENT_DEFINITION, ?) > 0 OR INSTR(EVENT_COMMENT, ?) > 0 OR INSTR(EVENT_NAME, ?) > 0 OR INSTR(DEFINER, ?) > 0)
      ORDER BY EVENT_SCHEMA, EVENT_NAME`,
    [databases, ...Array(4).fill(DELIMITER_TRAP)],
  ) as unknown as [Array<{ db: string; name: string }>];
  return rows.map((row) => `${quoteIdentifier(row.db)}.${quoteIdentifier(row.name)}`);
}

/** Throws, naming the events and what to change, when the dump would hang on one of them. */
export async function checkEventDelimiters(connection: Connection, databases: readonly string[]): Promise<void> {
  const events = await eventsWithDelimiterTrap(connection, databases);
  if (events.length > 0) {
    throw new Error(`${events.length === 1 ? 'event' : 'events'} ${events.join(', ')} contain${events.length === 1 ? 's' : ''} '${DELIMITER_TRAP}' in `
      + `${events.length === 1 ? 'its' : 'their'} CREATE EVENT statement, on which mariadb-dump never finishes (nor, probably, mysqldump): `
      + "change the text so that no two semicolons follow each other (e.g. CONCAT(';', ';') in a string, a space between statements) "
      + 'and run the dump again');
  }
}
