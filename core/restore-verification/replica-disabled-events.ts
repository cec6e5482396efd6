import type { Connection } from 'mysql2/promise';

/**
 * Events a dump of a replica brings back disabled. Events created on the master reach the replica
 * as `SLAVESIDE_DISABLED`, `mariadb-dump` writes them `DISABLE ON SLAVE`, and loaded into a new
 * instance they stay so: they never run there until an operator enables them. The restore
 * reports them rather than enabling them: the copy runs beside the live master, and an event
 * enabled during verification could change the data under the checks.
 */
export interface ReplicaDisabledEvents {
  /** How many events are disabled, listed or not. */
  readonly total: number;
  /** `schema.event`, sorted: the first `limit` of them. */
  readonly events: string[];
  /** `ALTER EVENT ... ENABLE` for each listed event, to run on the restored instance once it replaces the source. */
  readonly enableAfterCutover: string[];
  /** When not every event is listed: a query that writes the `ALTER EVENT` statements of all of them. */
  readonly listAll?: string;
}

function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A string literal that reads the same whatever the server's sql_mode: quoted when it holds no quote or backslash, hex otherwise. */
function stringLiteral(text: string): string {
  return /['\\]/.test(text) ? `CONVERT(X'${Buffer.from(text, 'utf8').toString('hex')}' USING utf8mb4)` : `'${text}'`;
}

/**
 * The events of the given schemas whose status is `SLAVESIDE_DISABLED`, with the statements that
 * enable them. At most `limit` are listed (a restore's result travels in a Step Functions
 * payload of at most 256 KB); `total` counts them all.
 */
export async function replicaDisabledEvents(connection: Connection, schemas: readonly string[], limit: number): Promise<ReplicaDisabledEvents> {
  if (schemas.length === 0) {
    return { total: 0, events: [], enableAfterCutover: [] };
  }
  const where = `STATUS = 'SLAVESIDE_DISABLED' AND EVENT_SCHEMA IN (${schemas.map(() => '?').join(', ')})`;
  const [rows] = await connection.query(`SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n FROM information_schema.EVENTS WHERE ${where} ORDER BY EVENT_SCHEMA, EVENT_NAME`, [...schemas]);
  const all = (rows as Array<{ s: string; n: string }>).map((row) => ({ schema: String(row.s), name: String(row.n) }));
  const listed = all.slice(0, Math.max(0, limit));
  const listAll = listed.length < all.length
    ? 'SELECT CONCAT(\'ALTER EVENT `\', REPLACE(EVENT_SCHEMA, \'`\', \'``\'), \'`.`\', REPLACE(EVENT_NAME, \'`\', \'``\'), \'` ENABLE;\') FROM information_schema.EVENTS ' +
      `WHERE STATUS = 'SLAVESIDE_DISABLED' AND EVENT_SCHEMA IN (${schemas.map(stringLiteral).join(', ')}) ORDER BY EVENT_SCHEMA, EVENT_NAME;`
    : undefined;
  return {
    total: all.length,
    events: listed.map((event) => `${event.schema}.${event.name}`),
    enableAfterCutover: listed.map((event) => `ALTER EVENT ${quoteIdentifier(event.schema)}.${quoteIdentifier(event.name)} ENABLE;`),
    ...(listAll === undefined ? {} : { listAll }),
  };
}
