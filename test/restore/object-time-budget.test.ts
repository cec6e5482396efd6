/**
 * The object restore's copying steps stop once less than a day is left before its 7-day timeout,
 * as its loops stop at their history-event budget: a timed-out execution ends with a bare
 * `States.Timeout`, its open uploads not named and the copies it wrote not deleted. Stopped, the
 * restore fails with `RestoreTimeBudgetSpent` through its failure path (open uploads listed, then
 * the cleanup); a planning scan stopped the same way fails before anything is copied. The steps
 * are given `$$.Execution.StartTime`; the state machine is run locally with the real function, S3
 * mocked, and a start time days ago.
 */
import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command, RestoreObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ObjectRestorePlan, newScan } from '../../core/restore-workflows/objects';
import { MARGIN_MS, handler } from '../../lambda/restore-objects';
import { COPY_STOPS_AFTER_HOURS, FAILURE_RESERVE_HOURS, PLAN_STOPS_AFTER_HOURS, RESTORE_TIMEOUT_HOURS } from '../../lib/private/restore-time-budget';
import type { LocalStateMachine } from '../support/local-state-machine';
import { T, TARGET } from './object-loop-fixture';
import { objectRestoreMachine } from './workflow-fixture';

const s3 = mockClient(S3Client);
const HOUR = 3_600_000;
const START_TIME = { 'executionStartTime.$': '$$.Execution.StartTime' };

/** The start of an execution that has run `hours`. */
const startedHoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR);
const noSuchKey = () => Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} });

let machine: LocalStateMachine;

beforeAll(() => {
  machine = objectRestoreMachine();
});

test('the copying steps stop 144 hours into the 168-hour timeout, keeping 24 for the failure path; the planning scan at 72', () => {
  expect([RESTORE_TIMEOUT_HOURS, FAILURE_RESERVE_HOURS, COPY_STOPS_AFTER_HOURS, PLAN_STOPS_AFTER_HOURS]).toEqual([168, 24, 144, 72]);
  expect(machine.definition.TimeoutSeconds).toBe(RESTORE_TIMEOUT_HOURS * 3600);
});

test('the planning and copying steps are given the execution\'s start time, and a step stopped by time fails the restore with RestoreTimeBudgetSpent', () => {
  const states = machine.definition.States;
  for (const step of ['PlanScan', 'CopyScan', 'CopyArchive']) {
    expect(states[step].Parameters).toMatchObject(START_TIME);
  }
  for (const [choice, state, failure] of [['IsCopyDone', '$.copy', 'CopyTimeBudgetSpent'], ['IsArchiveCopied', '$.copied', 'ArchiveCopyTimeBudgetSpent']]) {
    expect(states[choice].Choices).toContainEqual({ Variable: `${state}.timeSpent`, IsPresent: true, Next: failure });
    // Stopped by time, the copy goes through the same path as a failed one: open uploads named, copies deleted.
    expect(states[failure]).toEqual({ Type: 'Pass', Parameters: { 'Error': 'RestoreTimeBudgetSpent', 'Cause.$': `${state}.timeSpent` }, ResultPath: '$.failure', Next: 'FailureUploads' });
  }
  // The planning scan copied nothing: the restore fails at once.
  expect(states.IsPlanDone.Choices).toContainEqual({ Variable: '$.scan.timeSpent', IsPresent: true, Next: 'PlanTimeBudgetSpent' });
  expect(states.PlanTimeBudgetSpent).toEqual({ Type: 'Pass', Parameters: { 'Error': 'RestoreTimeBudgetSpent', 'Cause.$': '$.scan.timeSpent' }, ResultPath: '$.failure', Next: 'RestoreFailed' });
});

describe('the function stops a step once the execution has run past its share of the timeout', () => {
  const plan: ObjectRestorePlan = {
    mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: T, targetBucket: 'data', targetPrefix: TARGET, inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: 'aws s3api list-multipart-uploads',
  };
  const scanned = { cursor: { done: false, keyMarker: 'app/m.txt', versionIdMarker: 'm1' }, counts: { keys: 1200, bytes: 52_000, deletedAtTime: 3, newerOnly: 2, unchanged: 0 }, loopEvents: 700 };
  beforeEach(() => {
    s3.reset();
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'app/z.txt', VersionId: 'z1', LastModified: new Date(Date.parse(T) - HOUR), Size: 100, IsLatest: true }], IsTruncated: false });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(GetObjectTaggingCommand, { Key: `${TARGET}z.txt` }).rejects(noSuchKey());
    s3.on(CopyObjectCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'app/a.gz', Size: 10, StorageClass: 'DEEP_ARCHIVE' }], IsTruncated: false });
  });

  test('a copy invocation past 144 hours copies nothing and says how long the restore ran, how far it got, and that the cleanup follows', async () => {
    const result = await handler({ action: 'copyScan', execution: 'e', plan, scan: scanned as never, executionStartTime: startedHoursAgo(COPY_STOPS_AFTER_HOURS + 0.1).toISOString() } as never);
    expect(s3.calls()).toHaveLength(0);
    expect(result).toMatchObject({ cursor: scanned.cursor, counts: scanned.counts, loopEvents: 707 });
    expect((result as { timeSpent: string }).timeSpent).toBe(
      'The copy was stopped unfinished 144.1 hours after the restore started: it times out after 168 hours (7 days), which ends it without naming its open uploads '
      + 'or deleting its copies, so copying stops at 144 hours and keeps 24 for that. It had gone through the keys before \'app/m.txt\' '
      + '(1200 objects, 52000 bytes, copied or to copy); the open multipart uploads under s3://data/restored/20261120T120000Z/app/ are listed '
      + 'and the copies this execution wrote are deleted next. Restore the prefix in narrower parts, each in its own execution.',
    );
  });

  test('a copy invocation before 144 hours copies as before', async () => {
    const result = await handler({ action: 'copyScan', execution: 'e', plan, scan: { ...newScan(), loopEvents: 0 } as never, executionStartTime: startedHoursAgo(COPY_STOPS_AFTER_HOURS - 0.2).toISOString() } as never);
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(1);
    expect(result).toMatchObject({ cursor: { done: true }, counts: { keys: 1 }, loopEvents: 7 });
    expect(result).not.toHaveProperty('timeSpent');
  });

  test('a planning scan invocation past 72 hours reads nothing and fails the restore before anything is copied', async () => {
    const result = await handler({ action: 'planScan', execution: 'e', plan, scan: scanned as never, executionStartTime: startedHoursAgo(PLAN_STOPS_AFTER_HOURS + 0.05).toISOString() } as never);
    expect(s3.calls()).toHaveLength(0);
    expect(result).toMatchObject({ cursor: scanned.cursor, counts: scanned.counts, loopEvents: 707 });
    expect((result as { timeSpent: string }).timeSpent).toBe(
      'The planning scan was stopped unfinished 72 hours after the restore started, having gone through 1205 keys, up to \'app/m.txt\' (1200 to copy, 52000 bytes): '
      + 'the copying scan lists the same versions again, 200 at a time instead of 1,000, and copies them, so it takes at least as long, and copying stops 144 hours '
      + 'after the restore started (its 168-hour timeout less 24 hours kept for naming open uploads and deleting copies). Nothing was copied. '
      + 'Restore the prefix in narrower parts, each in its own execution.',
    );
  });

  test('a planning scan invocation before 72 hours scans as before', async () => {
    const result = await handler({ action: 'planScan', execution: 'e', plan, scan: { ...newScan(), loopEvents: 0 } as never, executionStartTime: startedHoursAgo(PLAN_STOPS_AFTER_HOURS - 0.2).toISOString() } as never);
    expect(result).toMatchObject({ cursor: { done: true }, counts: { keys: 1 }, loopEvents: 7 });
    expect(result).not.toHaveProperty('timeSpent');
  });

  test('an archive copy invocation past 144 hours lists and copies nothing', async () => {
    const archive = { ...plan, mode: 'archive' as const, prefix: 'yearly/', targetPrefix: 'restored/yearly/' };
    const result = await handler({ action: 'copyArchive', execution: 'e', plan: archive, copied: { loopEvents: 50 }, executionStartTime: startedHoursAgo(COPY_STOPS_AFTER_HOURS + 1).toISOString() } as never);
    expect(s3.calls()).toHaveLength(0);
    expect(result).toMatchObject({ done: false, loopEvents: 57 });
    expect((result as { timeSpent: string }).timeSpent).toMatch(/^The archive copy was stopped unfinished 145 hours after the restore started: .* It had copied part of the objects under s3:\/\/data\/yearly\/; the open multipart uploads under s3:\/\/data\/restored\/yearly\/ are listed and the copies this execution wrote are deleted next\./);
  });

  test('a start time that is not a time is an error naming it', async () => {
    await expect(handler({ action: 'copyScan', execution: 'e', plan, scan: scanned as never, executionStartTime: 'yesterday' } as never))
      .rejects.toThrow(/executionStartTime must be an ISO time \(\$\$\.Execution\.StartTime\); got "yesterday"/);
  });
});

/**
 * S3 with two pages of versions under app/ (the second listed in 4 seconds, well after a deadline 2 seconds away even on a loaded machine) and, once copied, the
 * copies tagged with the execution under the target prefix.
 */
function arrangeTwoPages(execution: string): void {
  s3.reset();
  const version = (key: string) => ({ Key: key, VersionId: `${key}-1`, LastModified: new Date(Date.parse(T) - HOUR), Size: 100, IsLatest: true });
  s3.on(ListObjectVersionsCommand).callsFake((input: { Prefix?: string; KeyMarker?: string }) => {
    if (input.Prefix === TARGET) {
      const copies = s3.commandCalls(CopyObjectCommand).map((call) => ({ Key: call.args[0].input.Key, VersionId: `copy-${call.args[0].input.Key}`, LastModified: new Date(), Size: 100, IsLatest: true }));
      return { Versions: copies, IsTruncated: false };
    }
    return input.KeyMarker === undefined
      ? { Versions: [version('app/a.txt')], IsTruncated: true, NextKeyMarker: 'app/a.txt', NextVersionIdMarker: 'app/a.txt-1' }
      : new Promise((resolve) => setTimeout(() => resolve({ Versions: [version('app/b.txt')], IsTruncated: false }), 4000));
  });
  s3.on(GetObjectTaggingCommand).callsFake((input: { Key?: string; VersionId?: string }) => {
    if (input.VersionId?.startsWith('copy-')) {
      return { TagSet: [{ Key: 'cdk-backup-dr:restore-execution', Value: execution }] };
    }
    if (input.Key?.startsWith(TARGET)) {
      throw noSuchKey();
    }
    return { TagSet: [] };
  });
  s3.on(CopyObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
}

test('point in time: a copy still running 144 hours into the restore stops, names the open uploads and deletes the copies it wrote', async () => {
  arrangeTwoPages('objects-time-budget');
  let copyInvocations = 0;
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name,
      // The planning scan and the first copy invocation ran in the restore's first hours, the first copy's deadline coming while
      // it listed the second page; the second copy invocation comes 144 hours in.
      name === 'PlanScan' ? (event: object, context?: unknown) => handler({ ...event, executionStartTime: new Date().toISOString() } as never, context as never)
        : name === 'CopyScan' ? (event: object, context?: object) => (++copyInvocations === 1
          ? handler({ ...event, executionStartTime: new Date().toISOString() } as never, { ...context, getRemainingTimeInMillis: () => MARGIN_MS + 2000 } as never)
          : handler(event as never, context as never))
          : handler])),
    executionName: 'objects-time-budget',
    startTime: startedHoursAgo(COPY_STOPS_AFTER_HOURS + 0.5),
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreTimeBudgetSpent');
  expect(run.cause).toMatch(/^The copy was stopped unfinished 144\.5 hours after the restore started: .* It had gone through the keys before 'app\/a\.txt' \(1 objects, 100 bytes, copied or to copy\); .* are deleted next\./);
  expect(run.visited.map((s) => s.name).slice(-9)).toEqual(['CopyScan', 'IsCopyDone', 'CopyTimeBudgetSpent', 'FailureUploads', 'NameOpenUploads', 'StartCleanup', 'Cleanup', 'IsCleanupDone', 'RestoreFailed']);
  expect(copyInvocations).toBe(2);
  expect(s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input.Key)).toEqual([`${TARGET}a.txt`]);
  expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({ Bucket: 'data', Key: `${TARGET}a.txt`, VersionId: `copy-${TARGET}a.txt` })]);
});

test('point in time: a planning scan still running 72 hours into the restore fails it before anything is created', async () => {
  arrangeTwoPages('objects-plan-time-budget');
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, handler])),
    executionName: 'objects-plan-time-budget',
    startTime: startedHoursAgo(PLAN_STOPS_AFTER_HOURS + 1),
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreTimeBudgetSpent');
  expect(run.cause).toMatch(/^The planning scan was stopped unfinished 73 hours after the restore started, having gone through 0 keys \(0 to copy, 0 bytes\): .* Nothing was copied\./);
  expect(run.visited.map((s) => s.name)).toEqual(['Validate', 'WhichMode', 'StartPlan', 'PlanScan', 'IsPlanDone', 'PlanTimeBudgetSpent', 'RestoreFailed']);
  expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  expect(s3.commandCalls(ListMultipartUploadsCommand)).toHaveLength(0);
});

test('archive: a copy after the retrievals still running 144 hours into the restore goes through the failure path', async () => {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/r1/dump.sql.gz', Size: 10, StorageClass: 'DEEP_ARCHIVE' }], IsTruncated: false });
  s3.on(RestoreObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, handler])),
    executionName: 'objects-archive-time-budget',
    startTime: startedHoursAgo(COPY_STOPS_AFTER_HOURS + 2),
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreTimeBudgetSpent');
  expect(run.cause).toMatch(/^The archive copy was stopped unfinished 146 hours after the restore started: /);
  expect(run.visited.map((s) => s.name).slice(-8)).toEqual(['IsArchiveCopied', 'ArchiveCopyTimeBudgetSpent', 'FailureUploads', 'NameOpenUploads', 'StartCleanup', 'Cleanup', 'IsCleanupDone', 'RestoreFailed']);
  expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
  expect(s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({ Bucket: 'scratch' })]);
});
