/**
 * What the CLI commands that run workflows ask Step Functions: which state machine carries a
 * workflow's tag, and the readable part of an execution's failure cause.
 */
import { ListStateMachinesCommand, ListTagsForResourceCommand, SFNClient } from '@aws-sdk/client-sfn';
import { WORKFLOW_TAG } from '../core/restore-workflows/common';

/** The ARNs of the state machines in this account and region tagged `cdk-backup-dr:workflow=<workflow>`. */
export async function stateMachinesTagged(sfn: SFNClient, workflow: string): Promise<string[]> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const machine of page.stateMachines ?? []) {
      const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: machine.stateMachineArn }));
      if ((tags.tags ?? []).some((tag) => tag.key === WORKFLOW_TAG && tag.value === workflow)) {
        found.push(machine.stateMachineArn!);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
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
