/**
 * The verification function's handler as deployed, against a copy and a live source on real
 * MariaDB that accept TLS connections only (`require_secure_transport`). The handler trusts the
 * Amazon RDS CAs (mysql2's `Amazon RDS` profile); the servers here have certificates of a CA
 * made by the test, so the connections that ask for that profile get this CA instead, the
 * certificate and its host name still checked. Nothing else of the handler is replaced (the
 * secret comes from aws-sdk-client-mock).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type * as mysql from 'mysql2/promise';
import { handler } from '../../lambda/restore-db-verify/index';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';

const RDS_PROFILE = 'Amazon RDS';

/** A connection asking for the RDS profile trusts the CA of its port instead (and is recorded); every other one is made as asked. */
function connectWithTestCa(actual: typeof mysql, options: mysql.ConnectionOptions): Promise<mysql.Connection> {
  if (options.ssl !== RDS_PROFILE) {
    return actual.createConnection(options);
  }
  opened.push({ host: options.host, port: options.port });
  return actual.createConnection({ ...options, ssl: { ca: trustedCa.get(options.port!) } });
}

jest.mock('mysql2/promise', () => {
  const actual: typeof mysql = jest.requireActual('mysql2/promise');
  return { ...actual, createConnection: (options: mysql.ConnectionOptions) => connectWithTestCa(actual, options) };
});

const secrets = mockClient(SecretsManagerClient);

let certificates: string;
let source: MariaDbServer;
let restored: MariaDbServer;
let sourceSetup: mysql.Connection;
let restoredSetup: mysql.Connection;
/** The CA certificate (PEM) each server's port is trusted with, in place of the RDS CAs. */
const trustedCa = new Map<number, string>();
/** Where each connection that asked for the RDS profile went. */
let opened: Array<{ host?: string; port?: number }> = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: certificates, stdio: 'pipe' });
}

/** A CA of its own: `<name>-ca.pem` and its key. */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`, '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`);
}

/** A server certificate for 127.0.0.1 (`server.pem`, `server.key`) signed by CA `ca`. */
function makeServerCertificate(ca: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(certificates, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca.key`, '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  // The servers run as mysql when the tests run as root: they read the key too.
  chmodSync(join(certificates, 'server.key'), 0o644);
}

const ROWS = "SET time_zone = '+00:00'; CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, at DATETIME NOT NULL, KEY (at)); INSERT INTO app.t VALUES (1, '2026-11-21 10:00:00'), (2, '2026-11-21 11:00:00')";
const STARTED_AT = '2026-11-21T11:30:00.000Z';

beforeAll(async () => {
  certificates = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-tls-'));
  chmodSync(certificates, 0o755);
  makeCa('test');
  makeCa('other');
  makeServerCertificate('test');
  const tls = [`ssl-ca=${join(certificates, 'test-ca.pem')}`, `ssl-cert=${join(certificates, 'server.pem')}`, `ssl-key=${join(certificates, 'server.key')}`];
  [source, restored] = await Promise.all([startMariaDb({ serverId: 61, extraConfig: tls }), startMariaDb({ serverId: 62, extraConfig: tls })]);
  sourceSetup = await source.connect();
  restoredSetup = await restored.connect();
  await sourceSetup.query(ROWS);
  await restoredSetup.query(ROWS);
  // Written on the source after the restore started: not data the restore could have lost.
  await sourceSetup.query("INSERT INTO app.t VALUES (3, '2026-11-21 12:00:00')");
  // From here on, only TLS connections (the setup connections stay open).
  for (const connection of [sourceSetup, restoredSetup]) {
    await connection.query('SET GLOBAL require_secure_transport = ON');
  }
});

afterAll(async () => {
  await sourceSetup?.end();
  await restoredSetup?.end();
  await stopStartedServers();
  if (certificates) {
    rmSync(certificates, { recursive: true, force: true });
  }
});

beforeEach(() => {
  const testCa = readFileSync(join(certificates, 'test-ca.pem'), 'utf8');
  trustedCa.set(source.port, testCa).set(restored.port, testCa);
  opened = [];
  secrets.reset();
  process.env.CREDENTIALS_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';
  process.env.DATABASES = 'app';
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'tester', password: 'tester-password' }) });
});

afterEach(() => {
  delete process.env.CREDENTIALS_SECRET_ARN;
  delete process.env.DATABASES;
});

function event() {
  return {
    plan: { source: { identifier: 'source-db', live: true, endpoint: '127.0.0.1', port: source.port }, startedAt: STARTED_AT },
    status: { endpoint: '127.0.0.1', port: restored.port },
    progress: { targetIdentifier: 'restore-x' },
  };
}

test('over TLS, it checks the copy, compares its schema with the live source and reads the source\'s newest row at the start', async () => {
  const summary = await handler(event());
  expect(summary).toEqual({
    status: 'ok',
    checks: 3,
    problems: [],
    newestRow: { status: 'ok', time: '2026-11-21T11:00:00.000Z', column: 'app.t.at', detail: 'newest of 1 column(s)' },
    sourceNewestRow: { status: 'ok', time: '2026-11-21T11:00:00.000Z', column: 'app.t.at', atOrBefore: STARTED_AT, detail: `newest at or before ${STARTED_AT} of 1 column(s)` },
  });
  expect(opened).toEqual([
    { host: '127.0.0.1', port: restored.port },
    { host: '127.0.0.1', port: source.port },
  ]);
});

test('a source whose certificate it cannot verify is not read: the schema and the source\'s newest row are unknown, never ok', async () => {
  trustedCa.set(source.port, readFileSync(join(certificates, 'other-ca.pem'), 'utf8'));
  const summary = await handler(event());
  expect(summary.status).toBe('unknown');
  expect(summary.problems).toEqual([expect.stringMatching(/^unknown: schema: the source could not be reached to compare schemas: source-db: .*certificate/)]);
  expect(summary.newestRow).toMatchObject({ status: 'ok', time: '2026-11-21T11:00:00.000Z' });
  expect(summary.sourceNewestRow).toMatchObject({ status: 'unknown', atOrBefore: STARTED_AT, detail: expect.stringMatching(/^the source could not be reached: source-db: .*certificate/) });
});

test('a copy whose certificate it cannot verify is unknown, not failed and not ok', async () => {
  trustedCa.set(restored.port, readFileSync(join(certificates, 'other-ca.pem'), 'utf8'));
  const summary = await handler(event());
  expect(summary.status).toBe('unknown');
  expect(summary.problems).toEqual([expect.stringMatching(/^unknown: connect: cannot connect to restore-x at 127\.0\.0\.1 as tester: .*certificate/)]);
});
