/**
 * The drill-age check against the Step Functions and CloudWatch APIs, mocked with
 * aws-sdk-client-mock: the age of the newest successful drill, or the look-back when there
 * is none, and nothing put when the executions cannot be read.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDrillAge, configFromEnvironment, type DrillAgeConfig } from '../../../lambda/drill-age/index';

const sfnMock = mockClient(SFNClient);
const cloudwatchMock = mockClient(CloudWatchClient);
const clients = { sfn: new SFNClient({ region: 'eu-west-1' }), cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }) };

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Restore';
const config: DrillAgeConfig = { stateMachineArn: MACHINE, database: 'source-db', metricNamespace: 'CdkBackupDr', lookbackHours: 2160 };
const NOW = new Date('2026-12-10T05:00:00Z');

function arn(name: string): string {
  return `arn:aws:states:eu-west-1:123456789012:execution:Restore:${name}`;
}

function listed(name: string, start: string) {
  return { executionArn: arn(name), stateMachineArn: MACHINE, name, status: 'SUCCEEDED' as const, startDate: new Date(start) };
}

function described(name: string, stop: string, output: object, status: DescribeExecutionCommandOutput['status'] = 'SUCCEEDED') {
  sfnMock.on(DescribeExecutionCommand, { executionArn: arn(name) }).resolves({ executionArn: arn(name), status, startDate: new Date(stop), stopDate: new Date(stop), output: JSON.stringify(output) });
}

const DRILL = { status: 'SUCCEEDED', drill: true, verified: true, recoveryTimeMinutes: 42, recoveryPointMinutes: 61 };

function putValue(): number | undefined {
  const calls = cloudwatchMock.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input;
  expect(input.Namespace).toBe('CdkBackupDr');
  expect(input.MetricData![0]).toMatchObject({ MetricName: 'HoursSinceLastDrill', Dimensions: [{ Name: 'Database', Value: 'source-db' }] });
  return input.MetricData![0].Value;
}

beforeEach(() => {
  sfnMock.reset();
  cloudwatchMock.reset();
  cloudwatchMock.on(PutMetricDataCommand).resolves({});
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

test('the hours since the newest successful drill ended', async () => {
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [listed('drill-dec', '2026-12-01T04:00:00Z'), listed('drill-nov', '2026-11-01T04:00:00Z')] });
  described('drill-dec', '2026-12-01T05:00:00Z', DRILL);
  const report = await checkDrillAge(clients, config, NOW);
  expect(report.hoursSinceLastDrill).toBe(216);
  expect(report.lastDrill).toMatchObject({ executionArn: arn('drill-dec'), recoveryTimeMinutes: 42, recoveryPointMinutes: 61 });
  expect(putValue()).toBe(216);
  expect(sfnMock.commandCalls(ListExecutionsCommand)[0].args[0].input).toMatchObject({ stateMachineArn: MACHINE, statusFilter: 'SUCCEEDED' });
  // The newest drill is enough: the older one is not read.
  expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
});

test('no drill ever: the look-back itself, an alarm value', async () => {
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  const report = await checkDrillAge(clients, config, NOW);
  expect(report.lastDrill).toBeUndefined();
  expect(report.detail).toBe('no successful drill since 2026-09-11T05:00:00.000Z (0 successful executions read)');
  expect(putValue()).toBe(2160);
});

test('failed drills, unmeasured drills and other restores are not successful drills', async () => {
  sfnMock.on(ListExecutionsCommand).resolves({
    executions: [listed('incident', '2026-12-09T00:00:00Z'), listed('drill-failed', '2026-12-05T00:00:00Z'), listed('drill-unmeasured', '2026-12-03T00:00:00Z'), listed('drill-unverified', '2026-12-02T00:00:00Z'), listed('drill-ok', '2026-11-01T00:00:00Z')],
  });
  described('incident', '2026-12-09T01:00:00Z', { ...DRILL, drill: false });
  described('drill-failed', '2026-12-05T01:00:00Z', { status: 'FAILED', drill: true, error: 'RestoreFailed' }, 'FAILED');
  described('drill-unmeasured', '2026-12-03T01:00:00Z', { ...DRILL, recoveryPointMinutes: undefined, recoveryPointUnknown: 'the newest restored row is in the future' });
  described('drill-unverified', '2026-12-02T01:00:00Z', { ...DRILL, verified: false });
  described('drill-ok', '2026-11-01T05:00:00Z', DRILL);
  const report = await checkDrillAge(clients, config, NOW);
  expect(report.lastDrill?.executionArn).toBe(arn('drill-ok'));
  expect(putValue()).toBe(936);
});

test('a drill that succeeded according to its output but whose execution did not is not counted', async () => {
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [listed('drill-aborted', '2026-12-05T00:00:00Z')] });
  described('drill-aborted', '2026-12-05T01:00:00Z', DRILL, 'ABORTED');
  expect((await checkDrillAge(clients, config, NOW)).lastDrill).toBeUndefined();
  expect(putValue()).toBe(2160);
});

test('pages are followed back to the look-back, and executions older than it are not read', async () => {
  sfnMock.on(ListExecutionsCommand, { nextToken: undefined }).resolves({ executions: [listed('incident', '2026-12-09T00:00:00Z')], nextToken: 'page-2' });
  sfnMock.on(ListExecutionsCommand, { nextToken: 'page-2' }).resolves({ executions: [listed('drill-old', '2026-08-01T00:00:00Z')] });
  described('incident', '2026-12-09T01:00:00Z', { ...DRILL, drill: false });
  described('drill-old', '2026-08-01T01:00:00Z', DRILL);
  const report = await checkDrillAge(clients, config, NOW);
  expect(report.lastDrill).toBeUndefined();
  expect(sfnMock.commandCalls(ListExecutionsCommand)).toHaveLength(2);
  expect(sfnMock.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([arn('incident')]);
  expect(putValue()).toBe(2160);
});

test.each([
  ['ListExecutions', () => sfnMock.on(ListExecutionsCommand).rejects(Object.assign(new Error('not authorized to perform states:ListExecutions'), { name: 'AccessDeniedException' }))],
  ['DescribeExecution', () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [listed('drill-dec', '2026-12-01T04:00:00Z')] });
    sfnMock.on(DescribeExecutionCommand).rejects(Object.assign(new Error('kms:Decrypt denied'), { name: 'KmsAccessDeniedException' }));
  }],
])('an error of %s: the age is unknown, nothing is put and the run fails', async (_api, arrange) => {
  arrange();
  await expect(checkDrillAge(clients, config, NOW)).rejects.toThrow(/^drill-age: the age of the last drill of source-db is unknown \(HoursSinceLastDrill not put\): the executions of arn:aws:states:eu-west-1:123456789012:stateMachine:Restore could not be read: \w+: /);
  expect(cloudwatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
});

test('configuration comes from the environment; a missing or bad variable is named', () => {
  const env = { STATE_MACHINE_ARN: MACHINE, DATABASE: 'source-db', METRIC_NAMESPACE: 'CdkBackupDr', LOOKBACK_HOURS: '2160' };
  expect(configFromEnvironment(env)).toEqual(config);
  expect(() => configFromEnvironment({ ...env, DATABASE: undefined })).toThrow('drill-age: environment variable DATABASE is not set');
  expect(() => configFromEnvironment({ ...env, LOOKBACK_HOURS: 'ninety days' })).toThrow("drill-age: LOOKBACK_HOURS must be a whole number of hours of at least 1, got 'ninety days'");
});
