/**
 * The recovery point a restore reports, and the drill metrics: a time in the copy that no
 * backup could hold is an unknown recovery point, never 0 minutes of data lost.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { runStep } from '../../lambda/restore-db-steps/index';
import { buildResult, recordDrill, type VerificationSummary } from '../../lambda/restore-db-steps/result';
import type { SourceNewestRow } from '../../core/restore-verification';
import { configFromEnvironment, type RestorePlan, type RestoreProgress, type RestoreStatus } from '../../lambda/restore-db-steps/types';

const cloudwatch = mockClient(CloudWatchClient);
const config = configFromEnvironment({ SOURCE_INSTANCE_ID: 'source-db', WORKFLOW_ID: 'Stack/Restore' });

const STARTED = '2026-12-01T04:00:00.000Z';
const FINISHED = new Date('2026-12-01T05:30:00.000Z');

function plan(overrides: Partial<RestorePlan> = {}): RestorePlan {
  return {
    requestId: 'drill-1',
    kind: 'snapshot',
    drill: true,
    keepOnVerificationFailure: false,
    source: { identifier: 'source-db' },
    target: { identifier: 'drill-1', instanceClass: 'db.t4g.medium' },
    snapshot: { identifier: 'rds:source-db-2026-12-01', arn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:rds:source-db-2026-12-01', createdAt: '2026-12-01T03:00:00.000Z' },
    backupTime: '2026-12-01T03:00:00.000Z',
    existing: false,
    startedAt: STARTED,
    deadline: '2026-12-01T16:00:00.000Z',
    ...overrides,
  } as RestorePlan;
}

const progress: RestoreProgress = { targetIdentifier: 'drill-1', created: true };
const status: RestoreStatus = { state: 'available', instanceStatus: 'available', endpoint: 'drill-1.example', port: 3306 };

function verified(newestRow?: string): VerificationSummary {
  return {
    status: 'ok',
    checks: 3,
    problems: [],
    newestRow: newestRow
      ? { status: 'ok', time: newestRow, column: 'shop.orders.created_at', detail: 'MAX(shop.orders.created_at)' }
      : { status: 'unknown', detail: 'no timestamp column' },
  };
}

beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('recovery point', () => {
  test('minutes from the newest restored row to the start', () => {
    const result = buildResult(plan(), progress, status, verified('2026-12-01T02:59:30.000Z'), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 60.5, recoveryPointBasis: 'newest-row-source-unread', recoveryTimeMinutes: 90 });
    expect(result.recoveryPointUnknown).toBeUndefined();
  });

  test('a newest row after the start that the snapshot cannot hold is unknown, not 0 minutes', () => {
    const result = buildResult(plan(), progress, status, verified('2026-12-01T07:00:00.000Z'), FINISHED);
    expect(result.recoveryPointMinutes).toBeUndefined();
    expect(result.recoveryPointBasis).toBe('newest-row-source-unread');
    expect(result.recoveryPointUnknown).toBe('the newest restored row (2026-12-01T07:00:00.000Z) is 180 minutes after the start of the restore (2026-12-01T04:00:00.000Z): '
      + 'a clock is wrong or the timestamp column does not record when rows were written, so the data lost cannot be measured');
  });

  test('a newest row a few seconds ahead (clocks disagree) is within the tolerance: nothing lost', () => {
    const result = buildResult(plan(), progress, status, verified('2026-12-01T04:00:40.000Z'), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 0, recoveryPointBasis: 'newest-row-source-unread' });
  });

  test('a backup chosen after the start (latest restorable time) may hold rows newer than the start', () => {
    const pointInTime = plan({ kind: 'point-in-time', snapshot: undefined, restoreTime: { latest: true, time: '2026-12-01T04:00:20.000Z' }, backupTime: '2026-12-01T04:00:20.000Z' });
    expect(buildResult(pointInTime, progress, status, verified('2026-12-01T04:00:15.000Z'), FINISHED)).toMatchObject({ recoveryPointMinutes: 0 });
    // ... but not rows newer than the point the backup holds, beyond the tolerance.
    const ahead = buildResult(pointInTime, progress, status, verified('2026-12-01T04:10:20.000Z'), FINISHED);
    expect(ahead.recoveryPointMinutes).toBeUndefined();
    expect(ahead.recoveryPointUnknown).toMatch(/^the newest restored row \(2026-12-01T04:10:20.000Z\) is 10 minutes after the point the backup holds \(2026-12-01T04:00:20.000Z\)/);
  });

  test('without a timestamp column the backup time is the basis; a backup time after the restore ended is unknown', () => {
    expect(buildResult(plan(), progress, status, verified(), FINISHED)).toMatchObject({ recoveryPointMinutes: 60, recoveryPointBasis: 'backup-time' });
    const future = buildResult(plan({ backupTime: '2026-12-02T00:00:00.000Z' }), progress, status, verified(), FINISHED);
    expect(future.recoveryPointMinutes).toBeUndefined();
    expect(future.recoveryPointUnknown).toMatch(/^the backup time \(2026-12-02T00:00:00.000Z\) is 1110 minutes after the point the backup holds \(2026-12-01T05:30:00.000Z\)/);
  });

  test('a promotion has no recovery point', () => {
    const result = buildResult(plan({ kind: 'promote-replica', snapshot: undefined }), progress, status, undefined, FINISHED);
    expect(result.recoveryPointMinutes).toBeUndefined();
    expect(result.recoveryPointBasis).toBeUndefined();
    expect(result.recoveryPointUnknown).toBeUndefined();
  });
});

describe('recovery point against the live source', () => {
  const pointInTime = plan({ kind: 'point-in-time', snapshot: undefined, restoreTime: { latest: true, time: '2026-12-01T03:55:00.000Z' }, backupTime: '2026-12-01T03:55:00.000Z' });

  function withSource(newestRow: string, source: SourceNewestRow): VerificationSummary {
    return { ...verified(newestRow), sourceNewestRow: source };
  }

  test('a source without writes for 3 hours before the drill, fully restored: nothing lost (not 180 minutes)', async () => {
    const result = buildResult(pointInTime, progress, status, withSource('2026-12-01T01:00:00.000Z',
      { status: 'ok', time: '2026-12-01T01:00:00.000Z', column: 'shop.orders.created_at', atOrBefore: STARTED, detail: 'x' }), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 0, recoveryPointBasis: 'source-newest-row' });
    expect(result.recoveryPointDetail).toBe("the source's newest row at or before the start (2026-12-01T04:00:00.000Z) is 2026-12-01T01:00:00.000Z (shop.orders.created_at), "
      + 'the newest restored row 2026-12-01T01:00:00.000Z; the backup holds up to 2026-12-01T03:55:00.000Z: rows written after it and before the start count as lost');
    await recordDrill(new CloudWatchClient({ region: 'eu-west-1' }), config, result, FINISHED);
    const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(data.find((d) => d.MetricName === 'RecoveryPointMinutes')?.Value).toBe(0);
  });

  test('a copy whose newest row is older than the source\'s newest before the start lost the gap', () => {
    const result = buildResult(pointInTime, progress, status, withSource('2026-12-01T00:58:00.000Z',
      { status: 'ok', time: '2026-12-01T01:00:00.000Z', column: 'shop.orders.created_at', atOrBefore: STARTED, detail: 'x' }), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 2, recoveryPointBasis: 'source-newest-row' });
  });

  test('a snapshot older than the source\'s newest row counts the rows written since as lost', () => {
    const result = buildResult(plan(), progress, status, withSource('2026-12-01T02:59:00.000Z',
      { status: 'ok', time: '2026-12-01T03:45:00.000Z', column: 'shop.orders.created_at', atOrBefore: STARTED, detail: 'x' }), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 46, recoveryPointBasis: 'source-newest-row' });
  });

  test('a copy holding rows newer than the source\'s newest before the start (restored past the start) lost nothing', () => {
    const after = plan({ kind: 'point-in-time', snapshot: undefined, restoreTime: { latest: true, time: '2026-12-01T04:00:20.000Z' }, backupTime: '2026-12-01T04:00:20.000Z' });
    const result = buildResult(after, progress, status, withSource('2026-12-01T04:00:10.000Z',
      { status: 'ok', time: '2026-12-01T03:59:00.000Z', column: 'shop.orders.created_at', atOrBefore: STARTED, detail: 'x' }), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 0, recoveryPointBasis: 'source-newest-row' });
  });

  test('a source that could not be read keeps the measure from the start, and says so', () => {
    const result = buildResult(pointInTime, progress, status, withSource('2026-12-01T01:00:00.000Z',
      { status: 'unknown', atOrBefore: STARTED, detail: 'the source could not be reached: connect ETIMEDOUT' }), FINISHED);
    expect(result).toMatchObject({ recoveryPointMinutes: 180, recoveryPointBasis: 'newest-row-source-unread' });
    expect(result.recoveryPointDetail).toBe("the source's newest row at the start could not be read (the source could not be reached: connect ETIMEDOUT): "
      + 'measured from the newest restored row (2026-12-01T01:00:00.000Z) to the start (2026-12-01T04:00:00.000Z), so a time without writes before the start counts as lost');
  });

  test('a restored row from the future is unknown even when the source was read', () => {
    const result = buildResult(plan(), progress, status, withSource('2026-12-01T07:00:00.000Z',
      { status: 'ok', time: '2026-12-01T03:00:00.000Z', column: 'shop.orders.created_at', atOrBefore: STARTED, detail: 'x' }), FINISHED);
    expect(result.recoveryPointMinutes).toBeUndefined();
    expect(result.recoveryPointUnknown).toMatch(/^the newest restored row \(2026-12-01T07:00:00.000Z\) is 180 minutes after the start/);
  });
});

describe('drill metrics', () => {
  test('a measured drill puts its recovery time, recovery point and DrillFailures 0', async () => {
    await recordDrill(new CloudWatchClient({ region: 'eu-west-1' }), config, buildResult(plan(), progress, status, verified('2026-12-01T03:30:00.000Z'), FINISHED), FINISHED);
    const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(new Map(data.map((d) => [d.MetricName, d.Value]))).toEqual(new Map([['RecoveryTimeMinutes', 90], ['RecoveryPointMinutes', 30], ['DrillFailures', 0]]));
  });

  test('a drill whose recovery point is unknown puts its recovery time only and fails as DrillNotMeasured', async () => {
    const result = buildResult(plan(), progress, status, verified('2026-12-01T07:00:00.000Z'), FINISHED);
    const deps = { clients: { rds: new RDSClient({ region: 'eu-west-1' }), backup: new BackupClient({ region: 'eu-west-1' }) }, cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }), config };
    const error = await runStep({ action: 'record-drill', result }, deps).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('DrillNotMeasured');
    expect(error?.message).toMatch(/^the drill restored and verified drill-1, but its recovery point is unknown: the newest restored row \(2026-12-01T07:00:00.000Z\) is 180 minutes after/);
    const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(data.map((d) => d.MetricName)).toEqual(['RecoveryTimeMinutes']);
  });
});
