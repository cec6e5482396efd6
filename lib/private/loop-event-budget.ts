/**
 * The history events the loops of an object restore (the archive polls, the planning scan, the
 * copying steps) may add together. Step Functions ends a standard execution at 25,000 events,
 * an error no Catch sees: the restore would end without its cleanup. 18,000 (as for the poll
 * loops, see poll-budget.ts) leave the steps outside the loops, retries, and the failure path
 * with its cleanup (counted on its own, CLEANUP_EVENTS_ALLOWED) about 7,000.
 *
 * Plain numbers, no aws-cdk-lib: the function counts the events, the state machine compares.
 */
export const LOOP_EVENTS_ALLOWED = 18_000;

/** One invocation of a looping Lambda step: the task (entered, scheduled, started, succeeded, exited) and the Choice after it (entered, exited). */
export const STEP_ITERATION_EVENTS = 7;

/** A Wait the loop passes through before its next invocation (entered, exited): after a poll that found the retrievals not ready, after a copy invocation that stalled. */
export const LOOP_WAIT_EVENTS = 2;

/** The most one iteration adds: a copying step's next invocation is started only while it fits in the budget. */
export const LONGEST_ITERATION_EVENTS = STEP_ITERATION_EVENTS + LOOP_WAIT_EVENTS;

/**
 * The history events the cleanup after a failed copy may add, on top of LOOP_EVENTS_ALLOWED
 * (each invocation STEP_ITERATION_EVENTS, its count starting at zero): past them the restore ends
 * with the copy's error, its cause saying that the cleanup stopped and which copies may remain,
 * rather than being ended at 25,000 events with a failure that says neither. 5,200 are 742
 * invocations; one returns unfinished only at its deadline, a minute before the function's
 * 15-minute timeout, so 742 take over 7 days and the restore's 7-day timeout comes first for a
 * cleanup whose invocations run their full time: the count bounds the events whatever the
 * invocations take. 18,000 + 5,200 leave 1,800 of the 25,000: about 30 for the steps outside the
 * loops, the rest for retries of the Lambda steps (about three events each).
 */
export const CLEANUP_EVENTS_ALLOWED = 5_200;
