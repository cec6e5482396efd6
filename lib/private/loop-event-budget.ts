/**
 * The history events the loops of an object restore (the archive polls, the planning scan, the
 * copying steps) may add together. Step Functions ends a standard execution at 25,000 events,
 * an error no Catch sees: the restore would end without its cleanup. 18,000 (as for the poll
 * loops, see poll-budget.ts) leave the steps outside the loops, retries, and the failure path
 * with its cleanup about 7,000.
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
