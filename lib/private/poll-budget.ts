import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Step Functions ends a standard execution at 25,000 events of history, an error no Catch sees:
 * a restore would end without its cleanup. A poll of a restore workflow (a Wait, a Lambda task,
 * a Choice) adds nine events; at most 2,000 polls (18,000 events) leave the rest of the
 * execution (its steps, retries and cleanup) room.
 */
export const MAX_POLLS = 2000;
/** The history events of one poll (a Wait, a Lambda task, a Choice). */
export const POLL_EVENTS = 9;

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
