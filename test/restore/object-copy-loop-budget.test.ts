/**
 * The object restore's copy loops stop within the history events its loops may add (18,000 of
 * Step Functions' 25,000): an invocation cut off after some progress (a refused write, a full
 * carried state) returns long before its deadline and is not stalled, so without the count only
 * the number of objects bounds the loop. Past the budget the restore fails through its failure
 * path (open uploads named, copies deleted) with its own error, instead of being ended by Step
 * Functions without its cleanup. The state machine is run locally with the real function and S3
 * mocked; the copying step is a stand-in for the function that returns what an invocation cut
 * off after some progress returns.
 */
import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, ListObjectsV2Command, RestoreObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { withLoopEvents } from '../../core/restore-workflows/loop-events';
import { ObjectRestorePlan, ScanState, newScan } from '../../core/restore-workflows/objects';
import { handler } from '../../lambda/restore-objects';
import { LONGEST_ITERATION_EVENTS, LOOP_EVENTS_ALLOWED, LOOP_WAIT_EVENTS, STEP_ITERATION_EVENTS } from '../../lib/private/loop-event-budget';
import type { LocalStateMachine } from '../support/local-state-machine';
import { arrangeOneObjectToCopy, historyEventsOf, T, TARGET, timesVisited } from './object-loop-fixture';
import { objectRestoreMachine } from './workflow-fixture';

const s3 = mockClient(S3Client);

let machine: LocalStateMachine;

beforeAll(() => {
  machine = objectRestoreMachine();
});

test('one iteration is the task and its Choice (7 events), 9 with the Wait after a poll or copy that did not move on; the next copy starts only while it fits in 18,000', () => {
  expect([STEP_ITERATION_EVENTS, LOOP_WAIT_EVENTS, LONGEST_ITERATION_EVENTS, LOOP_EVENTS_ALLOWED]).toEqual([7, 2, 9, 18_000]);
  for (const [step, choice, failure] of [['CopyScan', 'IsCopyDone', 'CopyBudgetSpent'], ['CopyArchive', 'IsArchiveCopied', 'ArchiveCopyBudgetSpent']]) {
    expect(machine.definition.States[choice].Choices).toContainEqual({
      And: [{ Variable: expect.stringMatching(/\.loopEvents$/), IsPresent: true }, { Variable: expect.stringMatching(/\.loopEvents$/), NumericGreaterThan: 18_000 - 9 }], Next: failure,
    });
    expect(machine.definition.States[failure]).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Next: 'FailureUploads', Parameters: { Error: 'RestoreHistoryBudgetSpent' } });
    expect(machine.definition.States[step].Type).toBe('Task');
  }
});

describe('the function counts the events of each looping step', () => {
  const plan: ObjectRestorePlan = {
    mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: T, targetBucket: 'data', targetPrefix: TARGET, inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: 'aws s3api list-multipart-uploads',
  };
  beforeEach(() => {
    s3.reset();
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'app/a.txt', VersionId: 'a1', LastModified: new Date(Date.parse(T) - 3600_000), Size: 100, IsLatest: true }], IsTruncated: false });
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    s3.on(GetObjectTaggingCommand, { Key: `${TARGET}a.txt` }).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: {} }));
    s3.on(CopyObjectCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'app/a.gz', Size: 10, StorageClass: 'DEEP_ARCHIVE' }], IsTruncated: false });
  });

  test('a planning scan and a copy that moved on add 7', async () => {
    expect(await handler({ action: 'planScan', execution: 'e', plan, scan: { ...newScan(), loopEvents: 100 } as ScanState })).toMatchObject({ cursor: { done: true }, loopEvents: 107 });
    expect(await handler({ action: 'copyScan', execution: 'e', plan, scan: { ...newScan(), loopEvents: 107 } as ScanState })).toMatchObject({ cursor: { done: true }, loopEvents: 114 });
  });

  test('a poll adds 7 when the retrievals are ready, 9 when the Wait before the next one follows', async () => {
    const archive = { ...plan, mode: 'archive' as const };
    s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="true"' });
    expect(await handler({ action: 'retrievalStatus', execution: 'e', plan: archive, loopEvents: 0 })).toEqual({ ready: false, retrieved: 0, waiting: 1, loopEvents: 9 });
    s3.on(HeadObjectCommand).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
    expect(await handler({ action: 'retrievalStatus', execution: 'e', plan: archive, loopEvents: 9 })).toEqual({ ready: true, retrieved: 1, waiting: 0, loopEvents: 16 });
  });
});

/**
 * Stands in for the function's copying step: each invocation copies a little and is cut off (a refused write, a full carried
 * state), as the real step then returns. Past 5,000 invocations (25,000 events and more) it fails, which ends an unbounded loop.
 */
const cutOffAfterProgress = (result: (event: { scan?: ScanState; copied?: object }) => object) => {
  let invocations = 0;
  return async (event: { scan?: ScanState & { loopEvents?: number }; copied?: { loopEvents?: number } }) => {
    if (++invocations > 5000) {
      throw Object.assign(new Error('copied past 25,000 history events'), { name: 'UnboundedLoop' });
    }
    return withLoopEvents(result(event), (event.scan ?? event.copied)!.loopEvents, false);
  };
};

const loopStates = ['PlanScan', 'IsPlanDone', 'CopyScan', 'IsCopyDone', 'WaitAfterStalledCopy', 'CheckRetrievals', 'IsRetrieved', 'WaitForRetrieval', 'CopyArchive', 'IsArchiveCopied', 'WaitAfterStalledArchiveCopy'];

test('point in time: a copy that keeps being cut off after some progress ends through the failure path and its cleanup, within the budget', async () => {
  arrangeOneObjectToCopy(s3);
  let page = 0;
  const copyScan = cutOffAfterProgress((event) => ({ cursor: { done: false, keyMarker: `app/${++page}` }, counts: event.scan!.counts }));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyScan' ? copyScan : handler])), executionName: 'objects-budget',
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreHistoryBudgetSpent');
  // One planning invocation (7), then copies of 7 each while the next one fits: 7 + 2,570 × 7 = 17,997, one more could reach 18,006.
  expect(timesVisited(run, 'CopyScan')).toBe(2570);
  expect(historyEventsOf(run, loopStates)).toBe(17_997);
  expect(run.cause).toMatch(/^The copy was stopped unfinished: the loops of the restore \(retrieval polls, planning scan, copy invocations\) had added 17997 history events, and one more copy invocation could take them past the 18000 they may add \(Step Functions ends an execution at 25,000 events, without its cleanup\)\. .*restore the prefix in narrower parts/);
  expect(run.visited.map((s) => s.name).slice(-8)).toEqual(['IsCopyDone', 'CopyBudgetSpent', 'FailureUploads', 'NameOpenUploads', 'StartCleanup', 'Cleanup', 'IsCleanupDone', 'RestoreFailed']);
  expect(s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining({ Bucket: 'data', Prefix: TARGET })]);
  expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
}, 120_000);

test('archive: the polls for the retrievals leave the copy loop the rest of the budget', async () => {
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'yearly/r1/dump.sql.gz', Size: 10, StorageClass: 'DEEP_ARCHIVE' }], IsTruncated: false });
  s3.on(RestoreObjectCommand).resolves({});
  const retrieving = { Restore: 'ongoing-request="true"' };
  s3.on(HeadObjectCommand).resolvesOnce(retrieving).resolvesOnce(retrieving).resolvesOnce(retrieving).resolves({ Restore: 'ongoing-request="false", expiry-date="Fri, 27 Nov 2026 00:00:00 GMT"' });
  s3.on(ListMultipartUploadsCommand).resolves({ IsTruncated: false });
  const copyArchive = cutOffAfterProgress(() => ({ done: false }));
  const run = await machine.run({ mode: 'archive', bucket: 'archive', prefix: 'yearly/r1/', targetBucket: 'scratch' }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyArchive' ? copyArchive : handler])), executionName: 'objects-archive-budget',
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreHistoryBudgetSpent');
  // Three polls not ready (9 each) and one ready (7) make 34; 34 + 2,566 × 7 = 17,996.
  expect(timesVisited(run, 'CheckRetrievals')).toBe(4);
  expect(timesVisited(run, 'CopyArchive')).toBe(2566);
  expect(historyEventsOf(run, loopStates)).toBe(17_996);
  expect(run.cause).toMatch(/had added 17996 history events/);
  expect(run.visited.map((s) => s.name)).toEqual(expect.arrayContaining(['ArchiveCopyBudgetSpent', 'FailureUploads', 'Cleanup', 'RestoreFailed']));
}, 120_000);

test('a copy that finishes within the budget succeeds as before, the count left out of its result', async () => {
  arrangeOneObjectToCopy(s3);
  let invocations = 0;
  const copyScan = async (event: { scan?: ScanState }, context?: unknown) => (++invocations < 5
    ? withLoopEvents({ cursor: { done: false, keyMarker: `app/${invocations}` }, counts: event.scan!.counts }, (event.scan as { loopEvents?: number }).loopEvents, false)
    : handler(event as never, context as never));
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyScan' ? copyScan : handler])), executionName: 'objects-within-budget',
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(timesVisited(run, 'CopyScan')).toBe(5);
  expect(run.visited.map((s) => s.name)).not.toContain('CopyBudgetSpent');
  expect(run.output).not.toHaveProperty('loopEvents');
  expect(run.output).toMatchObject({ status: 'SUCCEEDED', mode: 'point-in-time', objects: 1 });
});
