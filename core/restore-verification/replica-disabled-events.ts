import type { Connection } from 'mysql2/promise';

/**
 * Events a dump of a replica brings back disabled. Events created on the master reach the replica
 * as `SLAVESIDE_DISABLED`, `mariadb-dump` writes them `DISABLE ON SLAVE`, and loaded into a new
 * instance they stay so: they never run there until an operator enables them. The restore
 * reports them rather than enabling them: the copy runs beside the live master, and an event
 * enabled during verification could change the data under the checks.
 */
export interface ReplicaDisabledEvents {
  /** `schema.event`, sorted. */
  readonly events: string[];
  /** `ALTER EVENT ... ENABLE` for each, to run on the restored instance once it replaces the source. */
  readonly enableAfterCutover: string[];
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** The events of the given schemas whose status is `SLAVESIDE_DISABLED`, with the statements that enable them. */
export async function replicaDisabledEvents(connection: Connection, schemas: readonly string[]): Promise<ReplicaDisabledEvents> {
  if (schemas.length === 0) {
    return { events: [], enableAfterCutover: [] };
  }
  const [rows] = await connection.query(
    `SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n FROM information_schema.EVENTS WHERE STATUS = 'SLAVESIDE_DISABLED' AND EVENT_SCHEMA IN (${schemas.map(() => '?').join(', ')}) ORDER BY EVENT_SCHEMA, EVENT_NAME`,
    [...schemas]);
  const events = (rows as Array<{ s: string; n: string }>).map((row) => ({ schema: String(row.s), name: String(row.n) }));
  return {
    events: events.map((event) => `${event.schema}.${event.name}`),
    enableAfterCutover: events.map((event) => `ALTER EVENT ${quoteIdentifier(event.schema)}.${quoteIdentifier(event.name)} ENABLE;`),
  };
}
