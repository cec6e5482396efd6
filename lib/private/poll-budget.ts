import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { LONGEST_ITERATION_EVENTS, LOOP_EVENTS_ALLOWED } from './loop-event-budget';

/** The history events of one poll (a Wait, a Lambda task, a Choice). */
export const POLL_EVENTS = LONGEST_ITERATION_EVENTS;
/** The polls that fit in the loops' budget of history events (loop-event-budget.ts): 2,000. */
export const MAX_POLLS = Math.floor(LOOP_EVENTS_ALLOWED / POLL_EVENTS);

/**
 * Fails unless a loop that polls every `pollSeconds` until `deadlineProp` (`deadlineSeconds`)
 * has passed stays within `MAX_POLLS`. Tokens are not checked.
 */
export function checkPollBudget(scope: IConstruct, deadlineProp: string, deadlineSeconds: number, pollProp: string, pollSeconds: number): void {
  if (Token.isUnresolved(deadlineSeconds) || Token.isUnresolved(pollSeconds)) {
    return;
  }
  const polls = Math.ceil(deadlineSeconds / pollSeconds);
  if (polls > MAX_POLLS) {
    const longest = Duration.seconds(MAX_POLLS * pollSeconds).toHumanString();
    throw new Error(`${scope.node.path}: \`${deadlineProp}\` may be at most ${MAX_POLLS} times \`${pollProp}\` (${longest} with ${pollProp} ${Duration.seconds(pollSeconds).toHumanString()}): `
      + `each poll adds ${POLL_EVENTS} events to the execution's history, and Step Functions ends an execution at 25,000 without its cleanup; `
      + `got ${Duration.seconds(deadlineSeconds).toHumanString()}, ${polls} polls`);
  }
}
