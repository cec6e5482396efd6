import type { Connection } from 'mysql2/promise';
import { replicaDisabledEvents } from '../../../core/restore-verification';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../../support/mariadb';

let server: MariaDbServer;
let connection: Connection;

beforeAll(async () => {
  server = await startMariaDb({ serverId: 21 });
  connection = await server.connect();
  // What a dump taken from a replica loads: events created DISABLE ON SLAVE.
  await connection.query('CREATE DATABASE shop');
  await connection.query("CREATE DATABASE `o'brien`");
  for (const name of ['purge', 'nightly-report', 'archive']) {
    await connection.query(`CREATE EVENT shop.\`${name}\` ON SCHEDULE EVERY 1 DAY ON COMPLETION PRESERVE DISABLE ON SLAVE DO DO 1`);
  }
  await connection.query('CREATE EVENT shop.runs ON SCHEDULE EVERY 1 DAY ON COMPLETION PRESERVE ENABLE DO DO 1');
  await connection.query("CREATE EVENT `o'brien`.tidy ON SCHEDULE EVERY 1 DAY ON COMPLETION PRESERVE DISABLE ON SLAVE DO DO 1");
}, 120_000);

afterAll(async () => {
  await stopStartedServers(() => connection?.end());
});

test('lists every disabled event of the restored schemas, sorted, with the statement that enables it', async () => {
  expect(await replicaDisabledEvents(connection, ['shop'], 100)).toEqual({
    total: 3,
    events: ['shop.archive', 'shop.nightly-report', 'shop.purge'],
    enableAfterCutover: ['ALTER EVENT `shop`.`archive` ENABLE;', 'ALTER EVENT `shop`.`nightly-report` ENABLE;', 'ALTER EVENT `shop`.`purge` ENABLE;'],
  });
});

test('beyond the limit it counts them all, lists the first, and gives a query whose statements enable every one', async () => {
  const found = await replicaDisabledEvents(connection, ['shop', "o'brien"], 2);
  expect(found).toMatchObject({ total: 4, events: ["o'brien.tidy", 'shop.archive'] });
  expect(found.enableAfterCutover).toHaveLength(2);
  const [rows] = await connection.query({ sql: found.listAll!, rowsAsArray: true });
  const statements = (rows as string[][]).map((row) => row[0]);
  expect(statements).toEqual([
    "ALTER EVENT `o'brien`.`tidy` ENABLE;", 'ALTER EVENT `shop`.`archive` ENABLE;', 'ALTER EVENT `shop`.`nightly-report` ENABLE;', 'ALTER EVENT `shop`.`purge` ENABLE;',
  ]);
  for (const statement of statements) {
    await connection.query(statement);
  }
  expect(await replicaDisabledEvents(connection, ['shop', "o'brien"], 2)).toEqual({ total: 0, events: [], enableAfterCutover: [] });
});
