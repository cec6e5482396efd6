/**
 * Whether an object restore's planning or copying step is still given time to work, see
 * restore-time-budget.ts. A step stopped by time returns its state unchanged with `timeSpent`,
 * the cause of the restore's failure (`RestoreTimeBudgetSpent`), which the state machine routes.
 */
import { CLEANUP_STOPS_AFTER_HOURS, COPY_STOPS_AFTER_HOURS, FAILURE_RESERVE_HOURS, PLAN_STOPS_AFTER_HOURS, RESTORE_TIMEOUT_HOURS } from '../../lib/private/restore-time-budget';
import type { ObjectRestorePlan, ScanState } from './objects';

/** Why a step was stopped by the time left before the timeout: the cause of the restore's failure. */
export interface TimeSpent {
  readonly timeSpent: string;
}

const FAILURE_PATH = 'naming open uploads and deleting copies';

/**
 * Hours the execution started at `startTime` (`$$.Execution.StartTime`) has run at `now`;
 * undefined without one (a step of an execution started before the state machine passed it).
 */
function hoursRun(startTime: unknown, now: number): number | undefined {
  if (startTime === undefined) {
    return undefined;
  }
  const started = typeof startTime === 'string' ? Date.parse(startTime) : NaN;
  if (Number.isNaN(started)) {
    throw new Error(`restore-objects: executionStartTime must be an ISO time ($$.Execution.StartTime); got ${JSON.stringify(startTime)}`);
  }
  return (now - started) / 3_600_000;
}

/** Hours to one decimal, rounded down: 144.1, 72. */
function hoursText(hours: number): string {
  return String(Math.floor(hours * 10) / 10);
}

function afterStop(startTime: unknown, now: number, stopsAfterHours: number): string | undefined {
  const hours = hoursRun(startTime, now);
  return hours !== undefined && hours >= stopsAfterHours ? hoursText(hours) : undefined;
}

const timeoutText = `it times out after ${RESTORE_TIMEOUT_HOURS} hours (${RESTORE_TIMEOUT_HOURS / 24} days), which ends it without naming its open uploads or deleting its copies, `
  + `so copying stops at ${COPY_STOPS_AFTER_HOURS} hours and keeps ${FAILURE_RESERVE_HOURS} for that`;

function cleanupFollows(plan: ObjectRestorePlan): string {
  return `the open multipart uploads under s3://${plan.targetBucket}/${plan.targetPrefix} are listed and the copies this execution wrote are deleted next`;
}

const narrower = 'Restore the prefix in narrower parts, each in its own execution.';

/** The cause of a planning scan stopped by time, undefined while it may go on. Nothing has been copied yet. */
export function planTimeSpent(startTime: unknown, now: number, scan: ScanState): string | undefined {
  const hours = afterStop(startTime, now, PLAN_STOPS_AFTER_HOURS);
  if (hours === undefined) {
    return undefined;
  }
  const { keys, bytes, deletedAtTime, newerOnly, unchanged } = scan.counts;
  const upTo = scan.cursor.keyMarker === undefined ? '' : `, up to '${scan.cursor.keyMarker}'`;
  return `The planning scan was stopped unfinished ${hours} hours after the restore started, having gone through ${keys + deletedAtTime + newerOnly + unchanged} keys${upTo} `
    + `(${keys} to copy, ${bytes} bytes): the copying scan lists the same versions again, 200 at a time instead of 1,000, and copies them, so it takes at least as long, `
    + `and copying stops ${COPY_STOPS_AFTER_HOURS} hours after the restore started (its ${RESTORE_TIMEOUT_HOURS}-hour timeout less ${FAILURE_RESERVE_HOURS} hours kept for ${FAILURE_PATH}). `
    + `Nothing was copied. ${narrower}`;
}

/** The cause of a point-in-time copy stopped by time, undefined while it may go on. */
export function copyTimeSpent(startTime: unknown, now: number, plan: ObjectRestorePlan, scan: ScanState): string | undefined {
  const hours = afterStop(startTime, now, COPY_STOPS_AFTER_HOURS);
  if (hours === undefined) {
    return undefined;
  }
  const before = scan.cursor.keyMarker === undefined ? 'It had finished no page of keys' : `It had gone through the keys before '${scan.cursor.keyMarker}'`;
  return `The copy was stopped unfinished ${hours} hours after the restore started: ${timeoutText}. `
    + `${before} (${scan.counts.keys} objects, ${scan.counts.bytes} bytes, copied or to copy); ${cleanupFollows(plan)}. ${narrower}`;
}

/** The cause of an archive copy stopped by time, undefined while it may go on. */
export function archiveCopyTimeSpent(startTime: unknown, now: number, plan: ObjectRestorePlan): string | undefined {
  const hours = afterStop(startTime, now, COPY_STOPS_AFTER_HOURS);
  if (hours === undefined) {
    return undefined;
  }
  return `The archive copy was stopped unfinished ${hours} hours after the restore started: ${timeoutText}. `
    + `It had copied part of the objects under s3://${plan.bucket}/${plan.prefix}; ${cleanupFollows(plan)}. ${narrower}`;
}

/**
 * When the cleanup after a failed copy was stopped by time, for the restore's cause (the state
 * machine adds the copies deleted and what may remain); undefined while it may go on.
 */
export function cleanupTimeSpent(startTime: unknown, now: number): string | undefined {
  const hours = afterStop(startTime, now, CLEANUP_STOPS_AFTER_HOURS);
  return hours === undefined ? undefined
    : `stopped ${hours} hours after the restore started, shortly before its ${RESTORE_TIMEOUT_HOURS}-hour timeout, which ends it without this cause`;
}
