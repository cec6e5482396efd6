/**
 * Events whose CREATE EVENT statement holds `;;`, on which mariadb-dump never finishes: found
 * on a real MariaDB server, and the hang itself shown with the real mariadb-dump.
 */
import { spawnSync } from 'node:child_process';
import type * as mysql from 'mysql2/promise';
import { checkEventDelimiters, eventsWithDelimiterTrap } from '../../../core/dump/event-delimiters';
import { ADMIN_PASSWORD, ADMIN_USER, MariaDbServer, startMariaDb, stopStartedServers } from '../../support/mariadb';

let server: MariaDbServer;
let admin: mysql.Connection;

beforeAll(async () => {
  server = await startMariaDb({ serverId: 41 });
  admin = await server.connect();
  await admin.query(`CREATE DATABASE app; CREATE DATABASE other; CREATE DATABASE clean;
    CREATE EVENT app.in_body ON SCHEDULE EVERY 1 DAY DO SELECT 'a;;b';
    CREATE EVENT app.in_comment ON SCHEDULE EVERY 1 DAY COMMENT 'runs daily;; at midnight' DO SELECT 1;
    CREATE EVENT app.\`named;;oddly\` ON SCHEDULE EVERY 1 DAY DO SELECT 1;
    CREATE EVENT app.fine ON SCHEDULE EVERY 1 DAY DO BEGIN SELECT ';'; SELECT 2; END;
    CREATE EVENT other.in_body ON SCHEDULE EVERY 1 DAY DO SELECT ';;';
    CREATE EVENT clean.fine ON SCHEDULE EVERY 1 DAY DO SELECT '; ;'`);
}, 120_000);

afterAll(async () => {
  await stopStartedServers(() => admin?.end());
});

/** Exit status of mariadb-dump of one database with its events, stopped after `seconds` (124: still running). */
function dumpStatus(database: string, seconds: number): number | null {
  return spawnSync('timeout', [String(seconds), 'mariadb-dump', '--host=127.0.0.1', `--port=${server.port}`, `--user=${ADMIN_USER}`, `--password=${ADMIN_PASSWORD}`,
    '--skip-ssl', '--events', '--databases', database], { encoding: 'utf8' }).status;
}

test('every event whose CREATE EVENT statement holds ;; is found, in the dumped databases only', async () => {
  expect(await eventsWithDelimiterTrap(admin, ['app', 'clean'])).toEqual(['`app`.`in_body`', '`app`.`in_comment`', '`app`.`named;;oddly`']);
  expect(await eventsWithDelimiterTrap(admin, ['clean'])).toEqual([]);
  expect(await eventsWithDelimiterTrap(admin, [])).toEqual([]);
});

test('the check names the events and what to change', async () => {
  await expect(checkEventDelimiters(admin, ['other'])).rejects.toThrow(
    /^event `other`\.`in_body` contains ';;' in its CREATE EVENT statement, on which mariadb-dump never finishes .*CONCAT\(';', ';'\)/);
  await expect(checkEventDelimiters(admin, ['clean'])).resolves.toBeUndefined();
});

test('mariadb-dump hangs on such an event and dumps the others', () => {
  expect(dumpStatus('clean', 30)).toBe(0);
  expect(dumpStatus('other', 5)).toBe(124);
}, 60_000);
