/**
 * A connection whose `query` calls a test sees, changes the order of, or fails: the tests of
 * what the dump does when the replica changes between its statements, or a reading fails.
 */
import type { Connection } from 'mysql2/promise';

/**
 * `connection`, each `query` going through `around` with its SQL (also of a query given as
 * options, `{ sql, values }`) and a function that runs it on `connection`; everything else as it is.
 */
export function interceptQueries(connection: Connection, around: (sql: string, run: () => Promise<unknown>) => Promise<unknown>): Connection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (query: string | { sql: string }, ...rest: unknown[]) =>
          around(typeof query === 'string' ? query : query.sql, () => (target.query as (...args: unknown[]) => Promise<unknown>)(query, ...rest));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
