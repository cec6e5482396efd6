/**
 * The steps of the S3 object restore workflow (the step chosen by `action`):
 * point in time: validate -> planScan (until done) -> copyScan (until done) -> openUploads;
 * archive: validate -> listArchive -> requestRetrievals -> retrievalStatus (until ready) -> copyArchive (until done) -> openUploads;
 * when copying fails: failureUploads (the open uploads named in the failure), then cleanup (until done).
 *
 * Environment (set by `ObjectRestoreWorkflow`): SOURCE_BUCKETS, TARGET_BUCKETS
 * (comma-separated bucket names), ARCHIVE_READY_WITHIN_MINUTES.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { RESTORE_ERROR_CHARACTERS, withBoundedErrors } from '../../core/restore-workflows/bounded-error';
import { RestoreInputError, inputObject } from '../../core/restore-workflows/common';
import {
  CleanupState, ObjectRestorePlan, PART_OVERRUN_MS, RefusedWrites, ScanState, archivedObjects, copyArchive, copyScan, deleteCopies, failureUploadsNote, listArchive, newScan, openUploads, planObjectRestore,
  UnfinishedUploads, planScan, requestRetrievals, retrievalState,
} from '../../core/restore-workflows/objects';
import { LoopEventCount, withLoopEvents } from '../../core/restore-workflows/loop-events';
import { archiveCopyTimeSpent, cleanupTimeSpent, copyTimeSpent, planTimeSpent } from '../../core/restore-workflows/time-budget';
import { settingsFromEnvironment } from './settings';

const s3 = new S3Client({});

/**
 * Time kept free at the end of an invocation that works through pages, in milliseconds: a copy
 * call under way at the deadline is cancelled PART_OVERRUN_MS later, and 15 seconds remain to return.
 */
export const MARGIN_MS = PART_OVERRUN_MS + 15_000;

export interface ObjectRestoreEvent {
  readonly action: 'validate' | 'planScan' | 'copyScan' | 'listArchive' | 'requestRetrievals' | 'retrievalStatus' | 'copyArchive' | 'openUploads' | 'failureUploads' | 'cleanup';
  /** `$$.Execution.Name`. */
  readonly execution: string;
  /** `$$.Execution.StartTime` (planScan, copyScan, copyArchive, cleanup): past their share of the timeout they stop, see restore-time-budget.ts. */
  readonly executionStartTime?: string;
  readonly input?: unknown;
  readonly plan?: ObjectRestorePlan;
  /** The scan so far (planScan, copyScan); a new scan when absent. */
  readonly scan?: ScanState & LoopEventCount;
  /** What an earlier copyArchive invocation left unfinished (copyArchive). */
  readonly copied?: { readonly uploads?: UnfinishedUploads; readonly stalled?: number; readonly refused?: RefusedWrites } & LoopEventCount;
  /** The history events of the loops before this poll (retrievalStatus). */
  readonly loopEvents?: number;
  /** Where an earlier cleanup invocation stopped, and the history events of the cleanup's loop (cleanup). */
  readonly cleanup?: CleanupState & LoopEventCount;
}

/*
 * RESTORE_ERROR_CHARACTERS is what this function's errors may take. A failed restore's cause
 * is the copy's error document, the open uploads (at most 8,000 bytes of notes, about 2,500
 * characters around them with a target prefix of 1,024 characters twice) and, when cleanup fails
 * too, about 600 characters around the cleanup's error document: two documents of at most
 * RESTORE_ERROR_CHARACTERS + DOCUMENT_OVERHEAD (2,090) + twice a name of at most 256 make 29,304 of
 * the 32,768 Step Functions allows. It is above the 6,000 (and the count of those not shown)
 * of several copies' combined errors, which are not cut unless JSON escapes their characters.
 */
export const handler = withBoundedErrors(step, RESTORE_ERROR_CHARACTERS);

async function step(event: ObjectRestoreEvent, context?: Context): Promise<unknown> {
  const settings = settingsFromEnvironment();
  // An invocation left less than the margin gets a deadline already past: its step starts no
  // copy and returns for the next invocation, which has the function's whole timeout (15 minutes).
  const deadline = Date.now() + (context?.getRemainingTimeInMillis?.() ?? 300_000) - MARGIN_MS;
  const plan = (): ObjectRestorePlan => {
    if (!event.plan) {
      throw new Error(`restore-objects: action '${event.action}' needs the plan of the validate step`);
    }
    return event.plan;
  };
  // The archive's objects are listed again by each step that needs them rather than carried in the state.
  const objects = () => archivedObjects(s3, plan());
  switch (event.action) {
    case 'validate':
      return planObjectRestore(s3, settings, inputObject(event.input));
    // The looping steps count the history events of their loops (the state machine stops copying past its budget).
    // A step stopped by time reads and writes nothing: its state goes back unchanged with the cause of the failure.
    case 'planScan': {
      const scan = event.scan ?? newScan();
      const timeSpent = planTimeSpent(event.executionStartTime, Date.now(), scan);
      return withLoopEvents(timeSpent === undefined ? await planScan(s3, plan(), scan, deadline) : { ...scan, timeSpent }, event.scan?.loopEvents, false);
    }
    case 'copyScan': {
      const scan = event.scan ?? newScan();
      const timeSpent = copyTimeSpent(event.executionStartTime, Date.now(), plan(), scan);
      if (timeSpent !== undefined) {
        return withLoopEvents({ ...scan, timeSpent }, event.scan?.loopEvents, false);
      }
      const scanned = await copyScan(s3, plan(), scan, deadline, event.execution);
      return withLoopEvents(scanned, event.scan?.loopEvents, scanned.stalled !== undefined);
    }
    case 'listArchive':
      return listArchive(s3, plan());
    case 'requestRetrievals':
      return requestRetrievals(s3, plan(), await objects());
    case 'retrievalStatus': {
      const retrieval = await retrievalState(s3, plan(), await objects());
      return withLoopEvents(retrieval, event.loopEvents, !retrieval.ready);
    }
    case 'copyArchive': {
      const timeSpent = archiveCopyTimeSpent(event.executionStartTime, Date.now(), plan());
      if (timeSpent !== undefined) {
        return withLoopEvents({ done: false, ...event.copied, timeSpent }, event.copied?.loopEvents, false);
      }
      const copied = await copyArchive(s3, plan(), await objects(), event.execution, deadline, event.copied?.uploads, event.copied?.stalled, event.copied?.refused);
      return withLoopEvents(copied, event.copied?.loopEvents, !copied.done && copied.stalled !== undefined);
    }
    case 'openUploads':
      return openUploads(s3, plan(), deadline);
    case 'failureUploads':
      return failureUploadsNote(s3, plan(), deadline);
    case 'cleanup': {
      // Counted on their own (CLEANUP_EVENTS_ALLOWED), from zero at StartCleanup.
      const timeSpent = cleanupTimeSpent(event.executionStartTime, Date.now());
      if (timeSpent !== undefined) {
        return withLoopEvents({ ...event.cleanup, timeSpent }, event.cleanup?.loopEvents, false);
      }
      return withLoopEvents(await deleteCopies(s3, plan(), event.execution, deadline, event.cleanup?.cursor ? event.cleanup : undefined), event.cleanup?.loopEvents, false);
    }
    default:
      throw new RestoreInputError(`restore-objects: unknown action ${JSON.stringify((event as { action?: unknown }).action)}; allowed: validate, planScan, copyScan, listArchive, requestRetrievals, retrievalStatus, copyArchive, openUploads, failureUploads, cleanup`);
  }
}
