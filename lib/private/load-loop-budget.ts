import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { LOOP_EVENTS_ALLOWED, STEP_ITERATION_EVENTS } from './loop-event-budget';
import { POLL_EVENTS } from './poll-budget';

/** One iteration of the dump restore's LoadDump loop: the Lambda task (entered, scheduled, started, succeeded, exited) and its Choice (entered, exited). */
export const LOAD_ITERATION_EVENTS = STEP_ITERATION_EVENTS;

/**
 * The shortest a LoadDump invocation that does not finish the load runs: no statement starts
 * after its deadline, the function's 15-minute timeout less the 90 seconds it keeps free
 * (LOAD_MARGIN_MS in lambda/restore-dump), counted from the invocation's start.
 */
export const LOAD_INVOCATION_SECONDS = 15 * 60 - 90;

/** What bounds the history events of a dump restore's two loops. */
export interface LoadLoopLimits {
  readonly timeoutSeconds: number;
  readonly availableSeconds: number;
  readonly pollSeconds: number;
}

/**
 * Fails unless the dump restore's loops stay within LOOP_EVENTS_ALLOWED history events: the polls for the instance (`availableWithin` /
 * `pollInterval`) and the LoadDump invocations, at most one per LOAD_INVOCATION_SECONDS of
 * `timeout`. Tokens are not checked.
 */
export function checkLoadLoopBudget(scope: IConstruct, limits: LoadLoopLimits): void {
  const { timeoutSeconds, availableSeconds, pollSeconds } = limits;
  if ([timeoutSeconds, availableSeconds, pollSeconds].some((value) => Token.isUnresolved(value))) {
    return;
  }
  const budget = LOOP_EVENTS_ALLOWED;
  const polls = Math.ceil(availableSeconds / pollSeconds);
  const invocations = Math.ceil(timeoutSeconds / LOAD_INVOCATION_SECONDS);
  if (polls * POLL_EVENTS + invocations * LOAD_ITERATION_EVENTS > budget) {
    const allowed = Math.max(Math.floor((budget - polls * POLL_EVENTS) / LOAD_ITERATION_EVENTS), 0);
    const longestHours = Math.floor(allowed * LOAD_INVOCATION_SECONDS / 3600);
    const human = (seconds: number) => Duration.seconds(seconds).toHumanString();
    const why = `each LoadDump invocation that does not finish the load runs at least ${human(LOAD_INVOCATION_SECONDS)} and adds ${LOAD_ITERATION_EVENTS} events to the execution's history, `
      + `the ${polls} polls for the instance ${POLL_EVENTS} events each, together at most ${budget} (Step Functions ends an execution at 25,000 without its cleanup)`;
    // `timeout` must also be longer than `availableWithin`: then no timeout fits, the polls take the events.
    if (longestHours * 3600 <= availableSeconds) {
      throw new Error(`${scope.node.path}: \`availableWithin\` ${human(availableSeconds)} with pollInterval ${human(pollSeconds)} leaves the load loop events for at most ${longestHours} hours of \`timeout\`, `
        + `which must be longer than availableWithin: make pollInterval longer or availableWithin shorter. ${why}; got timeout ${timeoutSeconds / 3600} hours, ${polls} polls`);
    }
    throw new Error(`${scope.node.path}: \`timeout\` may be at most ${longestHours} hours with availableWithin ${human(availableSeconds)} and pollInterval ${human(pollSeconds)}: `
      + `${why}; got ${timeoutSeconds / 3600} hours, ${invocations} invocations`);
  }
}
