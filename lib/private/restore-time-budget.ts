/**
 * The time an object restore may spend copying. Its execution times out after RESTORE_TIMEOUT_HOURS,
 * an end no Catch sees: a copy still running then ends with a bare `States.Timeout`, its open uploads
 * not named and its copies under the target prefix not deleted. So the copying steps stop once less
 * than FAILURE_RESERVE_HOURS are left, and the restore goes through its failure path (open uploads
 * listed, then the cleanup) as when its loops spend their history events.
 *
 * 24 hours: the failure path before the cleanup takes minutes; the cleanup lists the copies 1,000
 * at a time and, for each, reads its tags and deletes it, moving no data, where the copy listed
 * versions 200 at a time and, for each, read tags, checked the target and copied the object. At
 * about 100 deletions a second (eight at a time) a day deletes some 8 million copies; a copy that
 * wrote more than the cleanup can delete in a day may leave some (the cleanup's cause says so).
 *
 * Plain numbers, no aws-cdk-lib: the function compares the time, the state machine routes.
 */
export const RESTORE_TIMEOUT_HOURS = 7 * 24;

/** Kept free before the timeout for the failure path and the cleanup after a copy stopped by time. */
export const FAILURE_RESERVE_HOURS = 24;

/** A copying step (copy scan, archive copy) starts no copy once the execution has run this long. */
export const COPY_STOPS_AFTER_HOURS = RESTORE_TIMEOUT_HOURS - FAILURE_RESERVE_HOURS;

/**
 * The planning scan of a point-in-time restore stops once the execution has run this long: the
 * copying scan lists the same versions again (200 a page, not 1,000) and copies them too, so it
 * takes at least as long as the planning scan, and one that started later than this would be
 * stopped by COPY_STOPS_AFTER_HOURS. Stopped here, the restore fails before anything is copied.
 */
export const PLAN_STOPS_AFTER_HOURS = COPY_STOPS_AFTER_HOURS / 2;

/** The error of a restore whose copying or planning was stopped by the time left before the timeout. */
export const TIME_BUDGET_ERROR = 'RestoreTimeBudgetSpent';

/**
 * The cleanup after a failed copy deletes nothing more once the execution has run this long, and
 * the restore ends with the copy's error and a cause saying which copies may remain: an invocation
 * started before it ends within the function's 15-minute timeout, and with retries of a throttled
 * invocation and the steps after it within the hour left, before a bare `States.Timeout` would.
 */
export const CLEANUP_STOPS_AFTER_HOURS = RESTORE_TIMEOUT_HOURS - 1;
