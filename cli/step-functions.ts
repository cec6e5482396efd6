/**
 * What the CLI commands that run workflows ask Step Functions: which state machine carries a
 * workflow's tag, and the readable part of an execution's failure cause.
 */
import { ListStateMachinesCommand, ListTagsForResourceCommand, SFNClient } from '@aws-sdk/client-sfn';
import { WORKFLOW_TAG } from '../core/restore-workflows/common';
import { UsageError } from './usage-error';

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

/** A state machine ARN (or one of its version or alias ARNs), with its region as group 1. */
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):[0-9]{12}:stateMachine:[^:\s]+(:[^:\s]+)?$/;

/**
 * The region a command's AWS clients use when the state machine is named by ARN (`from`: the
 * flag or the environment variable that names it): `--region` when given, which must be the
 * ARN's (Step Functions refuses a state machine of another region, and the dry run would read the
 * resources of the wrong one), else the ARN's own. A value that is not a state machine ARN is a
 * usage error, before any AWS call. Without an ARN, `region` (undefined: the SDK's).
 */
export function regionOfStateMachine(named: { readonly from: string; readonly arn: string } | undefined, region: string | undefined): string | undefined {
  if (!named) {
    return region;
  }
  const match = STATE_MACHINE_ARN.exec(named.arn);
  if (!match) {
    throw new UsageError(`${named.from} must be a state machine ARN, arn:<partition>:states:<region>:<account>:stateMachine:<name>; got '${named.arn}'`);
  }
  if (region !== undefined && region !== match[1]) {
    throw new UsageError(`--region ${region} is not the region of the state machine ${named.arn} (${match[1]}): leave --region out, or name the state machine of ${region}`);
  }
  return match[1];
}

/**
 * Where the JSON object that starts at `start` (a `{`) ends, just past its closing `}`; -1 when
 * it does not close. Braces inside strings are skipped.
 */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') {
        i += 1;
      } else if (char === '"') {
        inString = false;
      }
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) {
        return i + 1;
      }
    }
  }
  return -1;
}

/** The `errorMessage` of a Lambda error document, undefined when `text` is not one. */
function lambdaErrorMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { errorMessage?: unknown }).errorMessage;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The readable part of a Step Functions failure cause: a failed Lambda step's cause is the
 * function's error as JSON, whose `errorMessage` is what a person needs. A workflow may add
 * text around it (the object restore appends the uploads left open, and a cleanup that failed
 * with its own error document): each error document in the cause is replaced by its
 * `errorMessage`, and the rest is shown as it is.
 */
export function executionCause(cause: string | undefined): string {
  if (!cause) {
    return '';
  }
  let readable = '';
  let from = 0;
  for (let start = cause.indexOf('{'); start !== -1; start = cause.indexOf('{', start + 1)) {
    const end = objectEnd(cause, start);
    const message = end === -1 ? undefined : lambdaErrorMessage(cause.slice(start, end));
    if (message !== undefined) {
      readable += cause.slice(from, start) + message;
      from = end;
    }
    if (end !== -1) {
      start = end - 1;
    }
  }
  return readable + cause.slice(from);
}
