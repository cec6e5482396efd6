/**
 * The newest row up to a bound on a server whose time zone has daylight saving (a parameter
 * group's `time_zone`), real MariaDB: in Europe/Berlin 02:00-03:00 local passes twice on
 * 25 October 2026 (00:00-01:00 UTC in summer time, 01:00-02:00 UTC in winter time).
 */
import { execFileSync } from 'node:child_process';
import type { Connection } from 'mysql2/promise';
import { readNewestRows } from '../../../core/restore-verification';
import { interceptQueries } from '../../support/intercept-queries';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../../support/mariadb';

const ZONE = 'Europe/Berlin';
const PAID_AT = [{ schema: 'shop', table: 'payments', column: 'paid_at' }];

let server: MariaDbServer;
let connection: Connection;

/** The server's time zone tables hold `ZONE` (a fresh datadir has them empty). */
async function loadZone(): Promise<void> {
  let sql: string;
  try {
    sql = execFileSync('mariadb-tzinfo-to-sql', [`/usr/share/zoneinfo/${ZONE}`, ZONE], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`this test needs mariadb-tzinfo-to-sql (MariaDB client) and /usr/share/zoneinfo (tzdata): ${String(error)}`);
  }
  const admin = await server.connect('mysql');
  try {
    await admin.query(sql);
    await admin.query('SET GLOBAL time_zone = ?', [ZONE]);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  server = await startMariaDb({ serverId: 51 });
  await loadZone();
  connection = await server.connect();
  await connection.query(`
    SET time_zone = '+00:00';
    CREATE DATABASE shop;
    CREATE TABLE shop.payments (id INT PRIMARY KEY, paid_at TIMESTAMP NOT NULL, KEY (paid_at));
    INSERT INTO shop.payments VALUES (1, '2026-10-25 00:30:00'), (2, '2026-10-25 00:50:00'), (3, '2026-10-25 01:30:00'), (4, '2026-10-25 01:50:00');
    SET time_zone = DEFAULT;
  `);
});

afterAll(async () => {
  await connection?.end();
  await stopStartedServers();
});

test('a bound in the second pass of the repeated hour is not taken for the first (an hour early)', async () => {
  const [zone] = await connection.query('SELECT @@SESSION.time_zone AS zone');
  expect(zone).toEqual([{ zone: ZONE }]);
  // 02:45 winter time: the rows of 02:30 and 02:50 summer time and of 02:30 winter time are before it.
  const readings = await readNewestRows(connection, PAID_AT, new Date('2026-10-25T01:45:00Z'));
  expect(readings).toEqual([{ name: 'shop.payments.paid_at', time: Date.parse('2026-10-25T01:30:00Z') }]);
});

test('a bound in the first pass of the repeated hour', async () => {
  const readings = await readNewestRows(connection, PAID_AT, new Date('2026-10-25T00:45:00Z'));
  expect(readings).toEqual([{ name: 'shop.payments.paid_at', time: Date.parse('2026-10-25T00:30:00Z') }]);
});

test('the session keeps its own time zone after the reads', async () => {
  await readNewestRows(connection, PAID_AT, new Date('2026-10-25T01:45:00Z'));
  const [zone] = await connection.query('SELECT @@SESSION.time_zone AS zone');
  expect(zone).toEqual([{ zone: ZONE }]);
});

test('a session whose time zone cannot be set gives no reading, naming why (never a time read in another zone)', async () => {
  const refusing = interceptQueries(connection, (sql, run) => (sql.startsWith('SET SESSION time_zone') ? Promise.reject(new Error('Unknown or incorrect time zone')) : run()));
  const readings = await readNewestRows(refusing, PAID_AT, new Date('2026-10-25T01:45:00Z'));
  expect(readings).toEqual([{ name: 'shop.payments.paid_at', problem: 'shop.payments.paid_at: could not set the session time zone to UTC: Unknown or incorrect time zone' }]);
});
