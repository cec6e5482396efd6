/**
 * What the CLI commands that run workflows ask Step Functions: which state machine carries a
 * workflow's tag, and the readable part of an execution's failure cause.
 */
import { ListStateMachinesCommand, ListTagsForResourceCommand, SFNClient } from '@aws-sdk/client-sfn';
import { WORKFLOW_TAG } from '../core/restore-workflows/common';

/** Why no single state machine could be found for a workflow: a usage error (the caller names it with a flag instead). */
export class StateMachineNotFound extends Error {}

function accessDenied(error: unknown): boolean {
  const name = (error as { name?: unknown }).name;
  return name === 'AccessDeniedException' || name === 'AccessDenied';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The one state machine in this account and region tagged `cdk-backup-dr:workflow=<workflow>`.
 * Throws `StateMachineNotFound` when there is none, more than one, or the identity may not list
 * them; `howToName` says how to name it instead (`--state-machine <arn>`, ...). A state machine
 * whose tags the identity may not read (an unrelated team's) is passed over, and counted in the
 * message when none is found.
 */
export async function findTaggedStateMachine(sfn: SFNClient, workflow: string, howToName: string): Promise<string> {
  const tag = `${WORKFLOW_TAG}=${workflow}`;
  const found: string[] = [];
  const unreadable: string[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    } catch (error) {
      if (accessDenied(error)) {
        throw new StateMachineNotFound(`the state machine tagged ${tag} cannot be looked up: this identity may not list state machines (${errorMessage(error)}); ${howToName}`);
      }
      throw error;
    }
    for (const machine of page.stateMachines ?? []) {
      try {
        const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: machine.stateMachineArn }));
        if ((tags.tags ?? []).some((entry) => entry.key === WORKFLOW_TAG && entry.value === workflow)) {
          found.push(machine.stateMachineArn!);
        }
      } catch (error) {
        if (!accessDenied(error)) {
          throw error;
        }
        unreadable.push(machine.name ?? machine.stateMachineArn!);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  if (found.length === 1) {
    return found[0];
  }
  if (found.length > 1) {
    throw new StateMachineNotFound(`${found.length} state machines are tagged ${tag}: ${found.join(', ')}; choose one with --state-machine <arn>`);
  }
  const shown = unreadable.slice(0, 5).join(', ') + (unreadable.length > 5 ? ', ...' : '');
  const passedOver = unreadable.length > 0 ? ` (the tags of ${unreadable.length} state machine(s) could not be read, access denied: ${shown})` : '';
  throw new StateMachineNotFound(`no state machine tagged ${tag} in this account and region${passedOver}; ${howToName}`);
}

/**
 * The readable part of a Step Functions failure cause: a failed Lambda step's cause is the
 * function's error as JSON, whose `errorMessage` is what a person needs; any other cause is
 * shown as it is.
 */
export function executionCause(cause: string | undefined): string {
  if (!cause) {
    return '';
  }
  try {
    return (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    return cause;
  }
}
