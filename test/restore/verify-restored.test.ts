import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Connection } from 'mysql2/promise';
import { handler, sourceToCompare } from '../../lambda/restore-db-verify/index';
import { PROBLEM_LINE_CHARACTERS, parseTimestampColumns, verifyRestored } from '../../lambda/restore-db-verify/verify-restored';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';

let source: MariaDbServer;
let restored: MariaDbServer;
let sourceConnection: Connection;
let restoredConnection: Connection;

beforeAll(async () => {
  [source, restored] = await Promise.all([startMariaDb({ serverId: 31 }), startMariaDb({ serverId: 32 })]);
  sourceConnection = await source.connect();
  restoredConnection = await restored.connect();
  for (const connection of [sourceConnection, restoredConnection]) {
    await connection.query("SET time_zone = '+00:00'; CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, at DATETIME NOT NULL, KEY (at)); INSERT INTO app.t VALUES (1, '2026-11-21 10:00:00'), (2, '2026-11-21 11:00:00')");
  }
  // The live source has moved on since the backup: more rows, same schema.
  await sourceConnection.query("INSERT INTO app.t VALUES (3, '2026-11-21 12:00:00')");
});

afterAll(async () => {
  await stopStartedServers(() => sourceConnection?.end(), () => restoredConnection?.end());
});

test('a copy of a live source passes: tables checked, schema compared, rows not compared', async () => {
  const summary = await verifyRestored({ restored: restoredConnection, source: sourceConnection });
  expect(summary).toMatchObject({ status: 'ok', problems: [], newestRow: { status: 'ok', time: '2026-11-21T11:00:00.000Z', column: 'app.t.at' } });
  expect(summary.checks).toBe(3);
});

test('an unreachable source makes the verification unknown, never ok', async () => {
  const summary = await verifyRestored({ restored: restoredConnection, sourceError: 'connect ETIMEDOUT' });
  expect(summary.status).toBe('unknown');
  expect(summary.problems).toEqual(['unknown: schema: the source could not be reached to compare schemas: connect ETIMEDOUT']);
});

test('a schema difference from the live source (changed since the restore point) is unknown, not failed', async () => {
  await sourceConnection.query('ALTER TABLE app.t ADD COLUMN note TEXT NULL; CREATE TABLE app.added_later (id INT PRIMARY KEY)');
  try {
    const summary = await verifyRestored({ restored: restoredConnection, source: sourceConnection, databases: ['app'] });
    expect(summary.status).toBe('unknown');
    expect(summary.problems).toEqual([
      'unknown: table app.added_later: exists on the source but not on the restored server (the live source may have changed since the restore point)',
      expect.stringMatching(/^unknown: schema app.t: source has .*note text \S+ null.*; restored has .*\(the live source may have changed since the restore point\)$/),
    ]);
  } finally {
    await sourceConnection.query('ALTER TABLE app.t DROP COLUMN note; DROP TABLE app.added_later');
  }
});

test('a source that no longer exists is not compared: the schema check is unknown, never ok', async () => {
  const compareWith = sourceToCompare({ identifier: 'source-db', live: false });
  expect(compareWith).toEqual({ error: 'source-db no longer exists (the copy was restored from its backups alone)' });
  expect(sourceToCompare({ identifier: 'source-db', live: true, endpoint: 'db.example', port: 3307 })).toEqual({ host: 'db.example', port: 3307 });
  const summary = await verifyRestored({ restored: restoredConnection, sourceError: (compareWith as { error: string }).error });
  expect(summary.status).toBe('unknown');
  expect(summary.problems).toEqual(['unknown: schema: the source could not be reached to compare schemas: source-db no longer exists (the copy was restored from its backups alone)']);
});

test('a problem line of any length is cut, saying so, to PROBLEM_LINE_CHARACTERS in JSON', async () => {
  // Quotes take two characters each in JSON: the cut counts what the state holds, not the text's length.
  const reason = `connect ECONNREFUSED ${'"'.repeat(100_000)}`;
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const summary = await verifyRestored({ restored: restoredConnection, sourceError: reason });
    expect(summary.status).toBe('unknown');
    expect(summary.problems).toHaveLength(1);
    const [line] = summary.problems;
    expect(JSON.stringify(line).length - 2).toBeLessThanOrEqual(PROBLEM_LINE_CHARACTERS);
    expect(JSON.stringify(line).length - 2).toBeGreaterThan(PROBLEM_LINE_CHARACTERS - 2);
    expect(line).toMatch(/^unknown: schema: the source could not be reached to compare schemas: connect ECONNREFUSED "+ \.\.\. \(cut at 500 characters to keep the workflow's state small: the verification function's log has the whole line\)$/);
    // The whole line is logged.
    expect(logged.mock.calls.map((call) => JSON.parse(String(call[0])).line)).toEqual([`unknown: schema: the source could not be reached to compare schemas: ${reason}`]);
  } finally {
    logged.mockRestore();
  }
});

test('the newest row\'s detail, naming every column it skipped, is cut like a problem line', async () => {
  // Columns that do not exist (a long TIMESTAMP_COLUMNS list, or a schema changed since): each is named in the detail.
  const missing = Array.from({ length: 300 }, (_, i) => ({ schema: 'app', table: 't', column: `created_at_of_a_column_that_is_not_there_${i}` }));
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const summary = await verifyRestored({ restored: restoredConnection, source: sourceConnection, timestampColumns: [{ schema: 'app', table: 't', column: 'at' }, ...missing] });
    expect(summary.newestRow).toMatchObject({ status: 'ok', time: '2026-11-21T11:00:00.000Z', column: 'app.t.at' });
    const detail = summary.newestRow.detail;
    expect(JSON.stringify(detail).length - 2).toBeLessThanOrEqual(PROBLEM_LINE_CHARACTERS);
    expect(detail).toMatch(/^newest of 301 column\(s\); skipped: app\.t\.created_at_of_a_column_that_is_not_there_0 is not a timestamp or datetime column; .* \.\.\. \(cut at 500 characters to keep the workflow's state small: the verification function's log has the whole line\)$/);
    // The whole detail is logged.
    expect(logged.mock.calls.map((call) => JSON.parse(String(call[0])).line)).toEqual([expect.stringContaining('created_at_of_a_column_that_is_not_there_299 is not a timestamp or datetime column')]);
  } finally {
    logged.mockRestore();
  }
});

test('TIMESTAMP_COLUMNS entries are schema.table.column', () => {
  expect(parseTimestampColumns(' app.t.at , shop.orders.created_at')).toEqual([
    { schema: 'app', table: 't', column: 'at' }, { schema: 'shop', table: 'orders', column: 'created_at' },
  ]);
  expect(parseTimestampColumns('')).toBeUndefined();
  expect(() => parseTimestampColumns('t.at')).toThrow("TIMESTAMP_COLUMNS entries must be schema.table.column, got 't.at'");
});

describe('the verify function', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
    process.env.CREDENTIALS_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'tester', password: 'tester-password' }) });
  });

  test('a copy it cannot log in to (here: no TLS) is unknown, not failed and not ok', async () => {
    const summary = await handler({
      plan: { source: { identifier: 'source-db', endpoint: '127.0.0.1', port: source.port } },
      status: { endpoint: '127.0.0.1', port: restored.port },
      progress: { targetIdentifier: 'restore-x' },
    });
    expect(summary.status).toBe('unknown');
    expect(summary.problems[0]).toMatch(/^unknown: connect: cannot connect to restore-x at 127.0.0.1 as tester: /);
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: process.env.CREDENTIALS_SECRET_ARN });
  });

  test('a copy without an endpoint is an error naming it', async () => {
    await expect(handler({ plan: { source: { identifier: 'source-db' } }, status: {}, progress: { targetIdentifier: 'restore-x' } }))
      .rejects.toThrow('restore-db-verify: restore-x has no endpoint to verify');
  });
});

test('a database named percona is verified like any other database', async () => {
  await sourceConnection.query('CREATE DATABASE percona; CREATE TABLE percona.accounts (id INT PRIMARY KEY)');
  try {
    const summary = await verifyRestored({ restored: restoredConnection, source: sourceConnection });
    expect(summary.problems).toContain('unknown: table percona.accounts: exists on the source but not on the restored server (the live source may have changed since the restore point)');
  } finally {
    await sourceConnection.query('DROP DATABASE percona');
  }
});
