import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { reportKey } from '../../../lambda/backup-freshness/report';
import { REPORT_MARGIN_MS } from '../../../lambda/backup-freshness/run-deadline';
import { awsError, serveObjects, storeRun } from './support';

const config = {
  resourceName: 'orders-db',
  metricNamespace: 'CdkBackupDr',
  reportBucket: 'reports',
  reportPrefix: 'checks/',
  checks: [
    { kind: 'rds-snapshot', tier: 'daily', resource: 'orders-db', intervalHours: 24, graceHours: 2, dbInstanceIdentifier: 'orders-db' },
    { kind: 'rds-snapshot', tier: 'daily-dr', resource: 'orders-db', intervalHours: 24, graceHours: 6, dbInstanceIdentifier: 'orders-db', region: 'eu-central-1' },
  ],
};

type Rds = typeof import('@aws-sdk/client-rds');
type S3 = typeof import('@aws-sdk/client-s3');
interface Loaded {
  readonly handler: typeof import('../../../lambda/backup-freshness/index')['handler'];
  /** The SDK modules the handler was loaded with (a fresh copy per load) and mocks of their clients. */
  readonly rds: Rds;
  readonly s3: S3;
  readonly rdsMock: AwsStub<object, import('@aws-sdk/client-rds').ServiceOutputTypes, unknown>;
  readonly s3Mock: AwsStub<object, import('@aws-sdk/client-s3').ServiceOutputTypes, unknown>;
}

/** Loads the handler (its cold start reads the environment) with its own copy of the SDK, mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let loaded: Loaded | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const rds: Rds = require('@aws-sdk/client-rds');
      const s3: S3 = require('@aws-sdk/client-s3');
      const rdsMock = mockClient(rds.RDSClient);
      const s3Mock = mockClient(s3.S3Client);
      loaded = { handler: require('../../../lambda/backup-freshness/index').handler, rds, s3, rdsMock, s3Mock };
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    return loaded!;
  } finally {
    process.env = saved;
  }
}

let written: string[];
beforeEach(() => {
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

test('a run checks every copy, writes EMF metrics and stores the JSON report', async () => {
  const { handler, rds, s3, rdsMock, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify(config), AWS_REGION: 'eu-west-1' });
  // Each region answers for itself: the disaster-recovery copy is found only by a client of its own region.
  const taken = new Date(Date.now() - 3 * 3_600_000);
  rdsMock.on(rds.DescribeDBSnapshotsCommand).callsFake(async (_input, getClient) => {
    const region = await (getClient() as unknown as InstanceType<Rds['RDSClient']>).config.region();
    if (region !== 'eu-west-1') {
      throw awsError('AccessDeniedException', `denied in ${region}`, 403);
    }
    return { DBSnapshots: [{ DBSnapshotIdentifier: 'rds:orders-db-1', SnapshotCreateTime: taken, Status: 'available' }] };
  });
  s3Mock.on(s3.PutObjectCommand).resolves({});

  const report = await handler();

  expect(report.status).toBe('unknown');
  expect(report.summary).toEqual({ ok: 1, stale: 0, missing: 0, corrupt: 0, unknown: 1 });
  const put = s3Mock.commandCalls(s3.PutObjectCommand)[0].args[0].input;
  expect(put.Bucket).toBe('reports');
  expect(put.Key).toMatch(/^checks\/backup-freshness\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/);
  expect(report.reportLocation).toBe(`s3://reports/${put.Key}`);
  const stored = JSON.parse(String(put.Body));
  expect(stored.results.map((r: { status: string; region: string }) => `${r.region}:${r.status}`)).toEqual(['eu-west-1:ok', 'eu-central-1:unknown']);
  expect(report.results[1].detail).toContain('denied in eu-central-1');

  const documents = written.map((line) => JSON.parse(line));
  expect(documents).toHaveLength(3);
  expect(documents[0]).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: 'CdkBackupDr', Dimensions: [['Check', 'Resource', 'Tier', 'Region']], Metrics: [{ Name: 'CheckStatus' }, { Name: 'BackupAgeHours' }] }] },
    Check: 'rds-snapshot', Resource: 'orders-db', Tier: 'daily', Region: 'eu-west-1', CheckStatus: 0, BackupAgeHours: 3,
  });
  expect(documents[1]).toMatchObject({ Tier: 'daily-dr', Region: 'eu-central-1', CheckStatus: 2 });
  expect(documents[1].BackupAgeHours).toBeUndefined();
  expect(documents[2]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['Check', 'Resource']] }] }, Check: 'backup-freshness', Resource: 'orders-db', CheckStatus: 2 });
});

test('a report that cannot be stored fails the run with the bucket and key', async () => {
  const { handler, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, checks: [] }), AWS_REGION: 'eu-west-1' });
  s3Mock.on(s3.PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
  await expect(handler()).rejects.toThrow(/backup-freshness: could not store the report at s3:\/\/reports\/checks\/backup-freshness\/.*: AccessDenied: Access Denied/);
  // Nothing configured is not "ok".
  expect(JSON.parse(written[0])).toMatchObject({ Check: 'backup-freshness', CheckStatus: 2 });
});

test('a wrong configuration is unknown like any other failure: status 2 and a stored report with the reason, nothing is checked', async () => {
  const { handler, rdsMock, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, checks: [{ ...config.checks[0], kind: 'tape' }] }), AWS_REGION: 'eu-west-1' });
  s3Mock.on(s3.PutObjectCommand).resolves({});

  const report = await handler();

  const reason = 'the configuration is invalid: FRESHNESS_CONFIG.checks[0].kind: expected one of rds-snapshot, recovery-point, ebs-snapshot, daily-dump, yearly-archive, got "tape"';
  expect(report).toMatchObject({ check: 'backup-freshness', resource: 'orders-db', status: 'unknown', reason, results: [] });
  expect(rdsMock.calls()).toHaveLength(0);
  const documents = written.map((line) => JSON.parse(line));
  expect(documents).toHaveLength(1);
  expect(documents[0]).toMatchObject({
    _aws: { CloudWatchMetrics: [{ Namespace: 'CdkBackupDr', Dimensions: [['Check', 'Resource']], Metrics: [{ Name: 'CheckStatus' }] }] },
    Check: 'backup-freshness', Resource: 'orders-db', CheckStatus: 2,
  });
  const puts = s3Mock.commandCalls(s3.PutObjectCommand);
  expect(puts).toHaveLength(1);
  const put = puts[0].args[0].input;
  expect(put.Bucket).toBe('reports');
  expect(put.Key).toMatch(/^checks\/backup-freshness\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/);
  expect(report.reportLocation).toBe(`s3://reports/${put.Key}`);
  expect(JSON.parse(String(put.Body))).toMatchObject({ status: 'unknown', reason, resource: 'orders-db' });
});

test('a configuration without a metric namespace still stores the unknown report, then fails naming the metric', async () => {
  const { handler, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, metricNamespace: '' }), AWS_REGION: 'eu-west-1' });
  s3Mock.on(s3.PutObjectCommand).resolves({});
  await expect(handler()).rejects.toThrow('backup-freshness of orders-db (status unknown): the metric (metricNamespace and resourceName) could not be written: the configuration is invalid: FRESHNESS_CONFIG.metricNamespace: expected a non-empty string, got ""');
  expect(written).toHaveLength(0);
  expect(JSON.parse(String(s3Mock.commandCalls(s3.PutObjectCommand)[0].args[0].input.Body))).toMatchObject({ status: 'unknown', reason: expect.stringContaining('FRESHNESS_CONFIG.metricNamespace') });
});

test('a configuration with a wrong report prefix still writes the unknown metric, then fails naming the report', async () => {
  const { handler, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, reportPrefix: 'checks' }), AWS_REGION: 'eu-west-1' });
  await expect(handler()).rejects.toThrow('backup-freshness of orders-db (status unknown): the report (reportBucket and reportPrefix) could not be written: the configuration is invalid: FRESHNESS_CONFIG.reportPrefix');
  expect(JSON.parse(written[0])).toMatchObject({ Check: 'backup-freshness', Resource: 'orders-db', CheckStatus: 2 });
  expect(s3Mock.commandCalls(s3.PutObjectCommand)).toHaveLength(0);
});

test('a configuration that is not JSON has nowhere to report: the run fails naming the metric, the report and the reason', async () => {
  const { handler, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: '{', AWS_REGION: 'eu-west-1' });
  await expect(handler()).rejects.toThrow('backup-freshness of (resourceName not set) (status unknown): the metric (metricNamespace and resourceName) and the report (reportBucket and reportPrefix) could not be written: the configuration is invalid: FRESHNESS_CONFIG: not JSON');
  expect(written).toHaveLength(0);
  expect(s3Mock.commandCalls(s3.PutObjectCommand)).toHaveLength(0);
});

test('the unknown report of a wrong configuration that cannot be stored fails the run with the bucket and key', async () => {
  const { handler, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, checks: 'all' }), AWS_REGION: 'eu-west-1' });
  s3Mock.on(s3.PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
  await expect(handler()).rejects.toThrow(/backup-freshness: could not store the report at s3:\/\/reports\/checks\/backup-freshness\/.*: AccessDenied: Access Denied/);
  expect(JSON.parse(written[0])).toMatchObject({ Check: 'backup-freshness', CheckStatus: 2 });
});

test('with a verification prefix, a verified dump run is recorded in the report bucket under it', async () => {
  const dumpCheck = { kind: 'daily-dump', tier: 'daily-dump', resource: 'dumps', intervalHours: 24, graceHours: 2, bucket: 'dumps' };
  const { handler, s3, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, checks: [dumpCheck], verificationPrefix: 'checks/dump-verifications/' }), AWS_REGION: 'eu-west-1' });
  const createdAt = new Date(Date.now() - 3_600_000);
  const prefix = `daily/${createdAt.toISOString().slice(0, 10)}/run-1/`;
  const objects = new Map<string, Buffer>();
  const reports = new Map<string, Buffer>();
  storeRun(objects, prefix, 'run-1', createdAt, Buffer.from('dump'));
  serveObjects(s3Mock, { objects, reports, sdk: s3 });

  const report = await handler();

  expect(report.status).toBe('ok');
  expect([...reports.keys()]).toContain(`checks/dump-verifications/dumps/${prefix}verified.json`);
});

test('a dump that cannot be read before the run\'s time is up is unknown, and every other check, the metrics and the report are still written', async () => {
  const dumpCheck = { kind: 'daily-dump', tier: 'daily-dump', resource: 'dumps', intervalHours: 24, graceHours: 2, bucket: 'dumps' };
  const { handler, rds, s3, rdsMock, s3Mock } = loadHandler({ FRESHNESS_CONFIG: JSON.stringify({ ...config, checks: [config.checks[0], dumpCheck] }), AWS_REGION: 'eu-west-1' });
  rdsMock.on(rds.DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 'rds:orders-db-1', SnapshotCreateTime: new Date(Date.now() - 3_600_000), Status: 'available' }] });
  const createdAt = new Date(Date.now() - 3_600_000);
  const prefix = `daily/${createdAt.toISOString().slice(0, 10)}/run-1/`;
  const objects = new Map<string, Buffer>();
  const reports = new Map<string, Buffer>();
  storeRun(objects, prefix, 'run-1', createdAt, Buffer.from('dump'));
  serveObjects(s3Mock, { objects, reports, sdk: s3 });
  // The dump's bytes never arrive (a dump far larger than one run can read).
  s3Mock.on(s3.GetObjectCommand, { Bucket: 'dumps', Key: `${prefix}dump.sql.gz` }).callsFake(() => new Promise(() => undefined));

  const report = await handler(undefined, { getRemainingTimeInMillis: () => REPORT_MARGIN_MS + 50 });

  expect(report.results.map((result) => `${result.kind}:${result.status}`)).toEqual(['rds-snapshot:ok', 'daily-dump:unknown']);
  expect(report.results[1].detail).toMatch(/could not be checked: RunTimeUp: the run's time was up after 0 s .* before this check finished/);
  expect(report.status).toBe('unknown');
  expect([...reports.keys()].some((key) => key.startsWith('checks/backup-freshness/'))).toBe(true);
  expect(written.map((line) => JSON.parse(line)).find((document) => document.Check === 'backup-freshness')).toMatchObject({ CheckStatus: 2 });
});

test('report keys sort by time under the prefix', () => {
  expect(reportKey('', new Date('2026-11-21T12:34:56.789Z'))).toBe('backup-freshness/2026/11/21/2026-11-21T12-34-56.789Z.json');
});
