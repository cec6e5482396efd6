/**
 * The object restore's cleanup (after a failed copy) counts the history events of its loop and
 * stops within its own share (CLEANUP_EVENTS_ALLOWED), as the copy loops stop within
 * LOOP_EVENTS_ALLOWED: Step Functions ends an execution at 25,000 events with a failure that
 * says nothing of the copy's error nor of the copies left. Stopped, the restore ends with the
 * copy's error, its cause saying that the cleanup stopped and which copies may remain. The
 * state machine is run locally with the real function and S3 mocked; the cleanup step is a
 * stand-in that keeps returning partial progress.
 */
import {
  DeleteObjectCommand, ListObjectVersionsCommand, S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { withLoopEvents } from '../../core/restore-workflows/loop-events';
import { CleanupState, ObjectRestorePlan, ScanState } from '../../core/restore-workflows/objects';
import { handler } from '../../lambda/restore-objects';
import { CLEANUP_EVENTS_ALLOWED, LOOP_EVENTS_ALLOWED, STEP_ITERATION_EVENTS } from '../../lib/private/loop-event-budget';
import type { LocalStateMachine } from '../support/local-state-machine';
import { arrangeOneObjectToCopy, historyEventsOf, T, TARGET, timesVisited } from './object-loop-fixture';
import { objectRestoreMachine } from './workflow-fixture';

const s3 = mockClient(S3Client);
const HISTORY_LIMIT = 25_000;

let machine: LocalStateMachine;

beforeAll(() => {
  machine = objectRestoreMachine();
});

/**
 * Stands in for the function's cleanup step: each invocation deletes ten copies and returns
 * with more to do. Past 5,000 invocations (35,000 events) it fails, which ends an unbounded loop.
 */
function cleanupThatNeverEnds() {
  let invocations = 0;
  return async (event: { cleanup: CleanupState & { loopEvents?: number } }) => {
    if (++invocations > 5000) {
      throw Object.assign(new Error('cleaned up past 25,000 history events'), { name: 'UnboundedLoop' });
    }
    const deleted = (event.cleanup.deleted ?? 0) + 10;
    return withLoopEvents({ cursor: { done: false, keyMarker: `${TARGET}${invocations}` }, deleted, notDeleted: 1, notDeletedExamples: [`s3://data/${TARGET}locked`], done: false }, event.cleanup.loopEvents, false);
  };
}

const refusedCopy = async () => {
  throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
};

/** Each copy invocation is cut off after some progress, as in object-copy-loop-budget.test.ts: the copy loops spend their whole budget. */
function copyCutOffAfterProgress() {
  let page = 0;
  return async (event: { scan: ScanState & { loopEvents?: number } }) => withLoopEvents({ cursor: { done: false, keyMarker: `app/${++page}` }, counts: event.scan.counts }, event.scan.loopEvents, false);
}

const LEFTOVER = /the copies under the target prefix tagged cdk-backup-dr:restore-execution=objects-cleanup-[a-z-]+ may remain: delete those not wanted by hand$/;

test('the cleanup starts its count at zero and stops once one more invocation could take it past its share; a finished cleanup ends as before', () => {
  expect(machine.definition.States.StartCleanup.Result).toMatchObject({ done: false, loopEvents: 0 });
  const choices = machine.definition.States.IsCleanupDone.Choices;
  expect(choices[0]).toMatchObject({ Variable: '$.cleanup.done', BooleanEquals: true, Next: 'RestoreFailed' });
  expect(choices).toContainEqual({
    And: [{ Variable: '$.cleanup.loopEvents', IsPresent: true }, { Variable: '$.cleanup.loopEvents', NumericGreaterThan: CLEANUP_EVENTS_ALLOWED - STEP_ITERATION_EVENTS }], Next: 'CleanupBudgetSpent',
  });
  expect(machine.definition.States.CleanupBudgetSpent).toMatchObject({ Type: 'Pass', ResultPath: '$.failure', Next: 'RestoreFailed', Parameters: { 'Error.$': '$.failure.Error' } });
});

test('the function adds the 7 events of a cleanup invocation to the count it was given', async () => {
  const plan: ObjectRestorePlan = {
    mode: 'point-in-time', bucket: 'data', prefix: 'app/', time: T, targetBucket: 'data', targetPrefix: TARGET, inPlace: false,
    startedAt: '2026-11-21T00:00:00.000Z', listUploads: 'aws s3api list-multipart-uploads',
  };
  s3.reset();
  s3.on(ListObjectVersionsCommand).resolves({ Versions: [], IsTruncated: false });
  const started = { done: false, deleted: 0, notDeleted: 0, notDeletedExamples: [], loopEvents: 0 };
  expect(await handler({ action: 'cleanup', execution: 'e', plan, cleanup: started as never })).toEqual({ cursor: { done: true }, deleted: 0, notDeleted: 0, notDeletedExamples: [], done: true, loopEvents: 7 });
  expect(await handler({ action: 'cleanup', execution: 'e', plan, cleanup: { ...started, cursor: { done: false, keyMarker: `${TARGET}k` }, loopEvents: 70 } as never }))
    .toMatchObject({ done: true, loopEvents: 77 });
});

test('a cleanup that keeps returning unfinished stops within its share; the restore ends with the copy\'s error, its cause saying what may remain', async () => {
  arrangeOneObjectToCopy(s3);
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyScan' ? refusedCopy : name === 'Cleanup' ? cleanupThatNeverEnds() : handler])),
    executionName: 'objects-cleanup-budget',
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('AccessDenied');
  // 5,200 less one invocation's 7: 742 invocations (5,194 events) fit, the 743rd could reach 5,201.
  expect(timesVisited(run, 'Cleanup')).toBe(742);
  expect(historyEventsOf(run, ['Cleanup', 'IsCleanupDone'])).toBe(5194);
  expect(run.visited.map((s) => s.name).slice(-4)).toEqual(['Cleanup', 'IsCleanupDone', 'CleanupBudgetSpent', 'RestoreFailed']);
  expect(run.cause).toMatch(/^\{"errorType":"AccessDenied","errorMessage":"Access Denied".*\}.* The cleanup did not finish \(stopped by its history events: its invocations had added 5194, one more could take them past the 5200 it may add, and Step Functions ends an execution at 25,000 events without this cause; 7420 copies deleted, 1 could not be deleted\): /);
  expect(run.cause).toMatch(LEFTOVER);
  expect(run.cause).not.toMatch(/UnboundedLoop/);
}, 120_000);

test('a copy that spends the loops\' budget, then a cleanup that spends its share, stay below 25,000 events with room for retries', async () => {
  arrangeOneObjectToCopy(s3);
  const run = await machine.run({ bucket: 'data', prefix: 'app/', time: T }, {
    handlers: Object.fromEntries(machine.taskStates.map((name) => [name, name === 'CopyScan' ? copyCutOffAfterProgress() : name === 'Cleanup' ? cleanupThatNeverEnds() : handler])),
    executionName: 'objects-cleanup-after-budget',
  });
  expect(run.error).toBe('RestoreHistoryBudgetSpent');
  expect(run.cause).toMatch(/had added 17997 history events/);
  expect(run.cause).toMatch(/The cleanup did not finish \(stopped by its history events: its invocations had added 5194,/);
  expect(run.cause).toMatch(LEFTOVER);
  expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  // The loops, the cleanup, 26 for the steps outside them (Validate, WhichMode, StartPlan, StartCopy, CopyBudgetSpent, FailureUploads,
  // NameOpenUploads, StartCleanup, CleanupBudgetSpent, RestoreFailed) and 2 for the execution's own start and end.
  const events = historyEventsOf(run) + 2;
  expect(events).toBe(17_997 + 5_194 + 26 + 2);
  // A retried Lambda step adds about 3 events (scheduled, started, failed): some 590 retries fit in what is left.
  expect(HISTORY_LIMIT - events).toBeGreaterThanOrEqual(1_750);
  expect(LOOP_EVENTS_ALLOWED + CLEANUP_EVENTS_ALLOWED).toBeLessThanOrEqual(HISTORY_LIMIT - 1_750);
}, 240_000);
