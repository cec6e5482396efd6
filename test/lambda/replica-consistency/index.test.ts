import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnection } from 'mysql2/promise';
import { readConfig, reportKey } from '../../../lambda/replica-consistency/config';
import { handler } from '../../../lambda/replica-consistency/index';
import { metricLine } from '../../../lambda/replica-consistency/metrics';
import { connectionOptionsFromSecret, runDriftCheck } from '../../../lambda/replica-consistency/run';
import { ADMIN_PASSWORD, ADMIN_USER, ReplicatedPair, startReplicatedPair, stopStartedServers } from '../../support/mariadb';

const secretsMock = mockClient(SecretsManagerClient);
const s3Mock = mockClient(S3Client);
let pair: ReplicatedPair;

const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:master-AbCdEf';
const REPLICA_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:replica-AbCdEf';
const ENV = {
  MASTER_SECRET_ARN: MASTER_ARN, REPLICA_SECRET_ARN: REPLICA_ARN, DATABASES: 'app', MAX_LAG_SECONDS: '30',
  REPORT_BUCKET: 'reports-bucket', REPORT_PREFIX: 'checks/', METRIC_NAMESPACE: 'CdkBackupDr', RESOURCE_NAME: 'orders-db',
};

function secretFor(port: number): string {
  return JSON.stringify({ engine: 'mysql', host: '127.0.0.1', port, username: ADMIN_USER, password: ADMIN_PASSWORD });
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  const master = await pair.master.connect();
  await master.query("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO app.t VALUES (1, 'a'), (2, 'b'), (3, NULL)");
  await master.end();
  await pair.waitForReplica();
});

afterAll(async () => {
  await stopStartedServers();
});

beforeEach(() => {
  secretsMock.reset();
  s3Mock.reset();
  secretsMock.on(GetSecretValueCommand, { SecretId: MASTER_ARN }).resolves({ SecretString: secretFor(pair.master.port) });
  secretsMock.on(GetSecretValueCommand, { SecretId: REPLICA_ARN }).resolves({ SecretString: secretFor(pair.replica.port) });
  s3Mock.on(PutObjectCommand).resolves({});
});

async function run(env: Record<string, string> = ENV): Promise<{ result: Awaited<ReturnType<typeof runDriftCheck>>; lines: string[] }> {
  const lines: string[] = [];
  const result = await runDriftCheck(env, {
    secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    connect: (options) => createConnection(options),
    log: (line) => lines.push(line),
  });
  return { result, lines };
}

function storedReport(): { key: string; body: Record<string, unknown> } {
  const calls = s3Mock.commandCalls(PutObjectCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input;
  expect(input.Bucket).toBe('reports-bucket');
  expect(input.ContentType).toBe('application/json');
  return { key: String(input.Key), body: JSON.parse(String(input.Body)) as Record<string, unknown> };
}

describe('replica-consistency function', () => {
  test('a consistent replica: report in S3 under the dated key, CheckStatus 0 in embedded metric format', async () => {
    const { result, lines } = await run();
    expect(result.status).toBe('consistent');
    const { key, body } = storedReport();
    expect(key).toMatch(/^checks\/replica-consistency\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\.json$/);
    expect(key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 11).replace(/-/g, '/')).toBe(key.split('/').slice(2, 5).join('/'));
    expect(result.reportUri).toBe(`s3://reports-bucket/${key}`);
    expect(body).toMatchObject({ status: 'consistent', resourceName: 'orders-db', driftedRows: 0, tablesChecked: 1 });
    expect(lines).toHaveLength(1);
    const metric = JSON.parse(lines[0]);
    expect(metric).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'CdkBackupDr', Dimensions: [['Check', 'Resource']] }] },
      Check: 'replica-consistency', Resource: 'orders-db', CheckStatus: 0, DriftedRows: 0, ReplicaLagSeconds: 0,
    });
    expect(metric._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual(['CheckStatus', 'DriftedRows', 'ReplicaLagSeconds']);
  });

  test('drift: status 1 and the drifted key in the stored report', async () => {
    const replica = await pair.replica.connect();
    await replica.query("SET SESSION sql_log_bin = 0; UPDATE app.t SET v = '' WHERE id = 3; SET SESSION sql_log_bin = 1");
    try {
      const { result, lines } = await run();
      expect(result.status).toBe('drift');
      expect(JSON.parse(lines[0])).toMatchObject({ CheckStatus: 1, DriftedRows: 1 });
      const { body } = storedReport();
      expect((body.tables as Array<{ drift: unknown[] }>)[0].drift).toEqual([{ key: { id: 3 }, kind: 'different' }]);
    } finally {
      await replica.query('SET SESSION sql_log_bin = 0; UPDATE app.t SET v = NULL WHERE id = 3; SET SESSION sql_log_bin = 1');
      await replica.end();
    }
  });

  test('EXCLUDE_TABLES: the table is left out, and the stored report says so', async () => {
    const master = await pair.master.connect();
    await master.query('CREATE TABLE app.sessions (id INT PRIMARY KEY); INSERT INTO app.sessions VALUES (1)');
    await pair.waitForReplica();
    const replica = await pair.replica.connect();
    await replica.query('SET SESSION sql_log_bin = 0; DELETE FROM app.sessions; SET SESSION sql_log_bin = 1');
    try {
      const { result } = await run({ ...ENV, EXCLUDE_TABLES: 'app.sessions' });
      expect(result.status).toBe('consistent');
      expect(storedReport().body).toMatchObject({ tablesChecked: 1, excludedTables: ['app.sessions'] });
      s3Mock.resetHistory();
      expect((await run()).result.status).toBe('drift');
    } finally {
      await master.query('DROP TABLE app.sessions');
      await pair.waitForReplica();
      await Promise.all([master.end(), replica.end()]);
    }
  });

  test('a secret that cannot be read: unknown (status 2, no lag metric), the report is still stored', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: REPLICA_ARN }).rejects(new Error('AccessDeniedException: not allowed'));
    const { result, lines } = await run();
    expect(result.status).toBe('unknown');
    expect(result.reason).toBe(`the replica secret ${REPLICA_ARN} could not be read: AccessDeniedException: not allowed`);
    const metric = JSON.parse(lines[0]);
    expect(metric).toMatchObject({ CheckStatus: 2 });
    expect(metric).not.toHaveProperty('ReplicaLagSeconds');
    expect(metric).not.toHaveProperty('DriftedRows');
    expect(storedReport().body).toMatchObject({ status: 'unknown', complete: false });
  });

  test('a report that cannot be stored fails the run, naming the resource, after the metric was printed', async () => {
    s3Mock.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const lines: string[] = [];
    await expect(runDriftCheck(ENV, {
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }),
      connect: (options) => createConnection(options), log: (line) => lines.push(line),
    })).rejects.toThrow(/^replica consistency check of orders-db \(status consistent\): the report could not be stored at s3:\/\/reports-bucket\/checks\/replica-consistency\/.*: AccessDenied$/);
    expect(JSON.parse(lines[0])).toMatchObject({ CheckStatus: 0 });
  });

  test('a wrong configuration is unknown like any other failure: status 2 and a stored report, nothing is read', async () => {
    const { result, lines } = await run({ ...ENV, MAX_LAG_SECONDS: 'ten' });
    expect(result).toMatchObject({ status: 'unknown', complete: false, resourceName: 'orders-db' });
    expect(result.reason).toBe("the configuration is invalid: environment variable MAX_LAG_SECONDS must be a positive number of seconds, got 'ten'");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ Check: 'replica-consistency', Resource: 'orders-db', CheckStatus: 2 });
    expect(JSON.parse(lines[0])).not.toHaveProperty('DriftedRows');
    const { key, body } = storedReport();
    expect(key).toMatch(/^checks\/replica-consistency\//);
    expect(result.reportUri).toBe(`s3://reports-bucket/${key}`);
    expect(body).toMatchObject({ status: 'unknown', reason: result.reason, resourceName: 'orders-db' });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  test('a configuration without a report bucket still prints the unknown metric, then fails naming what could not be written', async () => {
    const withoutBucket: Record<string, string> = { ...ENV };
    delete withoutBucket.REPORT_BUCKET;
    const lines: string[] = [];
    await expect(runDriftCheck(withoutBucket, {
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }),
      connect: (options) => createConnection(options), log: (line) => lines.push(line),
    })).rejects.toThrow('replica consistency check of orders-db (status unknown): the report (REPORT_BUCKET) could not be written: the configuration is invalid: environment variable REPORT_BUCKET is not set');
    expect(JSON.parse(lines[0])).toMatchObject({ CheckStatus: 2 });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a configuration without a metric namespace still stores the unknown report, then fails naming the metric', async () => {
    const lines: string[] = [];
    await expect(runDriftCheck({ ...ENV, METRIC_NAMESPACE: ' ' }, {
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }),
      connect: (options) => createConnection(options), log: (line) => lines.push(line),
    })).rejects.toThrow('replica consistency check of orders-db (status unknown): the metric (METRIC_NAMESPACE and RESOURCE_NAME) could not be written: the configuration is invalid: environment variable METRIC_NAMESPACE is not set');
    expect(lines).toHaveLength(0);
    expect(storedReport().body).toMatchObject({ status: 'unknown', reason: 'the configuration is invalid: environment variable METRIC_NAMESPACE is not set' });
  });

  test('the handler insists on verified TLS: a server without TLS is unknown, never consistent', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, ENV);
    // Metric lines go straight to stdout: Lambda's JSON log format would wrap console.log output.
    const log = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const result = await handler({}, { getRemainingTimeInMillis: () => 600_000 } as never);
      expect(result.status).toBe('unknown');
      expect(result.reason).toMatch(/^could not connect to the (master|replica) 127\.0\.0\.1:\d+: .*(secure|SSL|TLS)/i);
      const metricLine = log.mock.calls.map(([chunk]) => String(chunk)).find((line) => line.includes('"CheckStatus"'));
      expect(JSON.parse(metricLine!)).toMatchObject({ CheckStatus: 2 });
    } finally {
      log.mockRestore();
      process.env = saved;
    }
  });
});

describe('configuration', () => {
  test('reads the environment and names a missing or wrong variable', () => {
    expect(readConfig({ ...ENV, DATABASES: ' app, shop ,', REPORT_PREFIX: '/a/b/' })).toMatchObject({ databases: ['app', 'shop'], reportPrefix: 'a/b', maxLagSeconds: 30 });
    expect(readConfig({ ...ENV, DATABASES: '', MAX_LAG_SECONDS: '' })).toMatchObject({ databases: [], excludeTables: [], maxLagSeconds: 30 });
    expect(readConfig({ ...ENV, EXCLUDE_TABLES: 'app.audit_log, app.sessions' })).toMatchObject({ excludeTables: ['app.audit_log', 'app.sessions'] });
    expect(() => readConfig({ ...ENV, EXCLUDE_TABLES: 'app.audit_log,sessions' }))
      .toThrow("environment variable EXCLUDE_TABLES must list table names 'schema.table' (a schema name, a dot, a table name) separated by commas, got 'sessions'");
    expect(() => readConfig({ ...ENV, REPORT_BUCKET: '' })).toThrow('environment variable REPORT_BUCKET is not set');
    expect(() => readConfig({ ...ENV, MAX_LAG_SECONDS: 'ten' })).toThrow("environment variable MAX_LAG_SECONDS must be a positive number of seconds, got 'ten'");
  });

  test('report keys are dated in UTC, with or without a prefix', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    expect(reportKey('p', at)).toBe('p/replica-consistency/2026/03/04/2026-03-04T05:06:07.089Z.json');
    expect(reportKey('', at)).toBe('replica-consistency/2026/03/04/2026-03-04T05:06:07.089Z.json');
  });

  test('secrets: RDS fields, default port 3306, clear errors', () => {
    expect(connectionOptionsFromSecret('{"host":"db","username":"u","password":"p"}', 'arn')).toMatchObject({ host: 'db', port: 3306, user: 'u', password: 'p' });
    expect(() => connectionOptionsFromSecret('not json', 'arn:x')).toThrow('secret arn:x is not JSON');
    expect(() => connectionOptionsFromSecret('{"host":"db","username":"u"}', 'arn:x')).toThrow("secret arn:x has no 'password'");
  });

  test('metric line without lag leaves ReplicaLagSeconds out', () => {
    const line = JSON.parse(metricLine('N', 'R', 'consistent', 0, null, new Date(0)));
    expect(line._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'CheckStatus', Unit: 'None' }, { Name: 'DriftedRows', Unit: 'Count' }]);
    expect(line._aws.Timestamp).toBe(0);
  });

  // Before: an unknown run put DriftedRows 0, which turned a drift alarm to OK (and notified so)
  // although the rows it did not compare may differ.
  test('metric line of an unknown run puts the status alone, even with a lag and rows counted before it stopped', () => {
    const line = JSON.parse(metricLine('N', 'R', 'unknown', 0, 12, new Date(0)));
    expect(line._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'CheckStatus', Unit: 'None' }, { Name: 'ReplicaLagSeconds', Unit: 'Seconds' }]);
    expect(line).toMatchObject({ CheckStatus: 2, ReplicaLagSeconds: 12 });
    expect(line).not.toHaveProperty('DriftedRows');
  });
});
