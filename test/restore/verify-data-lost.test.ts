/**
 * The data a restore lost, measured against the live source's newest row at the start of the
 * restore (real MariaDB): a source without writes before the start loses nothing, whatever
 * its quiet time; a copy missing rows loses the gap; a source that cannot be read keeps the
 * measure from the start and says so.
 */
import type { Connection } from 'mysql2/promise';
import { buildResult } from '../../lambda/restore-db-steps/result';
import type { RestorePlan, RestoreProgress, RestoreStatus } from '../../lambda/restore-db-steps/types';
import { verifyRestored } from '../../lambda/restore-db-verify/verify-restored';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';

let source: MariaDbServer;
let restored: MariaDbServer;
let sourceConnection: Connection;
let restoredConnection: Connection;

const MINUTE = 60_000;
// Whole seconds: the columns hold no fractions.
const START = new Date(Math.floor(Date.now() / 1000) * 1000);
const FINISHED = new Date(START.getTime() + 90 * MINUTE);

function utc(minutesBeforeStart: number): string {
  return new Date(START.getTime() - minutesBeforeStart * MINUTE).toISOString().replace('T', ' ').replace('.000Z', '');
}

/** Orders (datetime) every 10 minutes until 3 hours before the start; payments (timestamp) until 4 hours before. */
const ROWS = `
  SET time_zone = '+00:00';
  CREATE DATABASE shop;
  CREATE TABLE shop.orders (id INT PRIMARY KEY, created_at DATETIME NOT NULL, KEY (created_at));
  CREATE TABLE shop.payments (id INT PRIMARY KEY, paid_at TIMESTAMP NOT NULL, KEY (paid_at));
  INSERT INTO shop.orders VALUES (1, '${utc(200)}'), (2, '${utc(190)}'), (3, '${utc(180)}');
  INSERT INTO shop.payments VALUES (1, '${utc(240)}');
`;

beforeAll(async () => {
  [source, restored] = await Promise.all([startMariaDb({ serverId: 41 }), startMariaDb({ serverId: 42 })]);
  sourceConnection = await source.connect();
  restoredConnection = await restored.connect();
  await sourceConnection.query(ROWS);
  await restoredConnection.query(ROWS);
  // Written on the source after the restore started: not data the restore could have lost.
  await sourceConnection.query(`SET time_zone = '+00:00'; INSERT INTO shop.orders VALUES (4, '${utc(-5)}'); INSERT INTO shop.payments VALUES (2, '${utc(-5)}')`);
});

afterAll(async () => {
  await stopStartedServers(() => sourceConnection?.end(), () => restoredConnection?.end());
});

const plan = {
  requestId: 'drill-1',
  kind: 'point-in-time',
  drill: true,
  keepOnVerificationFailure: false,
  source: { identifier: 'source-db', live: true },
  target: { identifier: 'drill-1', instanceClass: 'db.t4g.medium' },
  restoreTime: { latest: true, time: new Date(START.getTime() - 5 * MINUTE).toISOString() },
  backupTime: new Date(START.getTime() - 5 * MINUTE).toISOString(),
  existing: false,
  startedAt: START.toISOString(),
  deadline: new Date(START.getTime() + 12 * 60 * MINUTE).toISOString(),
} as RestorePlan;
const progress: RestoreProgress = { targetIdentifier: 'drill-1', created: true };
const status: RestoreStatus = { state: 'available', instanceStatus: 'available', endpoint: 'drill-1.example', port: 3306 };

test('a copy equal to a source without writes for 3 hours before the start lost nothing (not 180 minutes)', async () => {
  const verification = await verifyRestored({ restored: restoredConnection, source: sourceConnection, startedAt: plan.startedAt });
  expect(verification.sourceNewestRow).toMatchObject({ status: 'ok', time: new Date(START.getTime() - 180 * MINUTE).toISOString(), column: 'shop.orders.created_at', atOrBefore: plan.startedAt });
  const result = buildResult(plan, progress, status, verification, FINISHED);
  expect(result).toMatchObject({ recoveryPointMinutes: 0, recoveryPointBasis: 'source-newest-row' });
});

test('a copy missing the newest 2 rows lost the time between them and the source\'s newest', async () => {
  await restoredConnection.query('DELETE FROM shop.orders WHERE id IN (2, 3)');
  try {
    const verification = await verifyRestored({ restored: restoredConnection, source: sourceConnection, startedAt: plan.startedAt });
    expect(verification.newestRow).toMatchObject({ status: 'ok', time: new Date(START.getTime() - 200 * MINUTE).toISOString() });
    expect(buildResult(plan, progress, status, verification, FINISHED)).toMatchObject({ recoveryPointMinutes: 20, recoveryPointBasis: 'source-newest-row' });
  } finally {
    await restoredConnection.query(`INSERT INTO shop.orders VALUES (2, '${utc(190)}'), (3, '${utc(180)}')`);
  }
});

test('the timestamp column is read up to the start too', async () => {
  // Only payments: its newest before the start is 4 hours old, its row written after the start is not counted.
  const payments = [{ schema: 'shop', table: 'payments', column: 'paid_at' }];
  const verification = await verifyRestored({ restored: restoredConnection, source: sourceConnection, startedAt: plan.startedAt, timestampColumns: payments });
  expect(verification.sourceNewestRow).toMatchObject({ status: 'ok', time: new Date(START.getTime() - 240 * MINUTE).toISOString(), column: 'shop.payments.paid_at' });
  expect(buildResult(plan, progress, status, verification, FINISHED)).toMatchObject({ recoveryPointMinutes: 0, recoveryPointBasis: 'source-newest-row' });
});

test('an unreachable source keeps the measure from the start, saying so, never 0', async () => {
  const verification = await verifyRestored({ restored: restoredConnection, sourceError: 'connect ETIMEDOUT', startedAt: plan.startedAt });
  expect(verification.sourceNewestRow).toEqual({ status: 'unknown', atOrBefore: plan.startedAt, detail: 'the source could not be reached: connect ETIMEDOUT' });
  const result = buildResult(plan, progress, status, verification, FINISHED);
  expect(result).toMatchObject({ recoveryPointMinutes: 180, recoveryPointBasis: 'newest-row-source-unread' });
  expect(result.recoveryPointDetail).toMatch(/^the source's newest row at the start could not be read \(the source could not be reached: connect ETIMEDOUT\)/);
});

test('a column read on the copy that the source lacks makes the source unknown: its newest row may be there', async () => {
  await sourceConnection.query('ALTER TABLE shop.payments CHANGE paid_at paid_on TIMESTAMP NOT NULL');
  try {
    const verification = await verifyRestored({ restored: restoredConnection, source: sourceConnection, startedAt: plan.startedAt });
    expect(verification.sourceNewestRow).toMatchObject({ status: 'unknown', detail: 'could not read on the source: shop.payments.paid_at is not a timestamp or datetime column' });
    expect(buildResult(plan, progress, status, verification, FINISHED)).toMatchObject({ recoveryPointMinutes: 180, recoveryPointBasis: 'newest-row-source-unread' });
  } finally {
    await sourceConnection.query('ALTER TABLE shop.payments CHANGE paid_on paid_at TIMESTAMP NOT NULL');
  }
});
