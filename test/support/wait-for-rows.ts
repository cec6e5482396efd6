import type { Connection } from 'mysql2/promise';

/**
 * Waits until `table` holds `rows` rows (such as after an event ran on the server), polling
 * every 100 ms; throws after `timeoutMs`.
 */
export async function waitForRows(connection: Connection, table: string, rows: number, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const [found] = await connection.query(`SELECT COUNT(*) AS n FROM ${table}`);
    const count = Number((found as Array<{ n: unknown }>)[0].n);
    if (count === rows) {
      return;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${table} still holds ${count} rows after ${timeoutMs} ms, not ${rows}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
