/**
 * The control-plane steps of the database restore workflow (`DatabaseRestore`), one
 * function dispatching on `action`:
 *   validate  { request, execution }                      -> plan (the request is the execution's input, which the state does not keep)
 *   start     { plan, identity }                          -> progress (identity: the execution's ARN and start time)
 *   check     { plan, progress }                          -> status
 *   report    { plan, progress, status, verification }    -> result
 *   record-drill { result }                               -> result (drill metrics put)
 *   delete-scratch { plan, progress, result }             -> result with the cleanup (a drill's scratch instance deleted)
 *   cleanup   { request, plan?, progress?, error }        -> { error, cause } (the failure document; `request` as measureRequest gives it)
 *   cleanup-incomplete { request, plan?, progress?, error, cleanupError } -> { error, cause } (the cleanup did not finish; a failed drill counted)
 * Invoked through an ARN qualified with RAW_INPUT_QUALIFIER (the first state), its event is the raw
 * execution input, which it only measures (measureRequest): what the workflow keeps of the input.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { RESTORE_ERROR_CHARACTERS, boundedText, withBoundedErrors } from '../../core/restore-workflows/bounded-error';
import type { ExecutionIdentity } from '../../core/restore-workflows/common';
import { cleanupTarget } from './cleanup';
import { incompleteCleanupResult } from './cleanup-incomplete';
import { errorName } from './errors';
import { measureRequest } from './measured-request';
import { buildResult, failureHead, recordDrill, recordDrillFailure, type CaughtError, type FailureResult, type RestoreResult, type VerificationSummary } from './result';
import { startRestore } from './start';
import { checkRestore } from './status';
import { configFromEnvironment, type ExecutionInfo, type RestorePlan, type RestoreProgress, type RestoreRequest, type RestoreStatus, type StepsConfig } from './types';
import { validateRequest, type Clients } from './validate';

const clients: Clients = { rds: new RDSClient({}), backup: new BackupClient({}) };
const cloudwatch = new CloudWatchClient({});

/** The event of every action. */
export interface StepEvent {
  readonly action: string;
  readonly request?: RestoreRequest;
  readonly execution?: ExecutionInfo;
  readonly identity?: ExecutionIdentity;
  readonly plan?: RestorePlan;
  readonly progress?: RestoreProgress;
  readonly status?: RestoreStatus;
  readonly verification?: VerificationSummary;
  readonly result?: RestoreResult;
  readonly error?: CaughtError;
  readonly cleanupError?: CaughtError;
}

/** What the failure path returns: the Fail state's `Error` and `Cause` (a JSON `FailureResult`). */
export interface FailureOutput {
  readonly error: string;
  readonly cause: string;
}

function need<T>(value: T | undefined, name: string, action: string): T {
  if (value === undefined || value === null) {
    throw new Error(`restore-db-steps: action '${action}' needs '${name}' in its event`);
  }
  return value;
}

/** Runs one action with the given clients and configuration (the tests call this directly). */
export async function runStep(event: StepEvent, deps: { clients: Clients; cloudwatch: CloudWatchClient; config: StepsConfig }): Promise<unknown> {
  const { action } = event;
  switch (action) {
    case 'validate':
      return validateRequest(deps.clients, deps.config, need(event.request, 'request', action), need(event.execution, 'execution', action));
    case 'start':
      return startRestore(deps.clients, deps.config, need(event.plan, 'plan', action), need(event.identity, 'identity', action));
    case 'check':
      return checkRestore(deps.clients, deps.config, need(event.plan, 'plan', action), need(event.progress, 'progress', action));
    case 'report':
      return buildResult(need(event.plan, 'plan', action), need(event.progress, 'progress', action), need(event.status, 'status', action), event.verification);
    case 'record-drill': {
      const result = need(event.result, 'result', action);
      await recordDrill(deps.cloudwatch, deps.config, result);
      return result;
    }
    case 'delete-scratch': {
      const result = need(event.result, 'result', action);
      const cleanup = await cleanupTarget(deps.clients, deps.config, need(event.plan, 'plan', action), event.progress);
      return { ...result, cleanup };
    }
    case 'cleanup':
      return cleanupAfterFailure(event, deps);
    case 'cleanup-incomplete':
      return reportIncompleteCleanup(event, deps);
    default:
      throw new Error(`restore-db-steps: unknown action ${JSON.stringify(action)}; the actions are validate, start, check, report, record-drill, delete-scratch, cleanup, cleanup-incomplete`);
  }
}

async function cleanupAfterFailure(event: StepEvent, deps: { clients: Clients; cloudwatch: CloudWatchClient; config: StepsConfig }): Promise<FailureOutput> {
  const error = event.error?.Error ?? 'RestoreFailed';
  // The state machine starts with empty `plan` and `progress` objects: empty means not reached.
  const plan = event.plan?.requestId ? event.plan : undefined;
  const progress = event.progress?.targetIdentifier ? event.progress : undefined;
  const failure: FailureResult = {
    ...failureHead(event, plan),
    target: progress?.targetIdentifier ?? plan?.target.identifier,
    // A copy made for the operator is never deleted for failing its checks: they decide.
    cleanup: plan ? await cleanupTarget(deps.clients, deps.config, plan, progress, { keep: error === 'VerificationFailed' && (!plan.drill || plan.keepOnVerificationFailure) }) : undefined,
  };
  // A drill that failed its checks has no plan yet: its request says it was a drill (failureHead reads both).
  if (failure.drill) {
    await recordDrillFailure(deps.cloudwatch, deps.config, plan?.source.identifier ?? deps.config.sourceIdentifier);
  }
  return { error, cause: JSON.stringify(failure) };
}

/**
 * The cleanup gave up or failed, so it may not have counted a failed drill: counted here. A
 * metric that cannot be put is said in the failure document rather than thrown, which would
 * lose the instance left behind from it.
 */
async function reportIncompleteCleanup(event: StepEvent, deps: { cloudwatch: CloudWatchClient; config: StepsConfig }): Promise<FailureOutput> {
  let failure = incompleteCleanupResult(event);
  if (failure.drill) {
    const plan = event.plan?.requestId ? event.plan : undefined;
    try {
      await recordDrillFailure(deps.cloudwatch, deps.config, plan?.source.identifier ?? deps.config.sourceIdentifier);
    } catch (error) {
      // Cut as the errors beside it are: the document is the cause, at most 32,768 characters.
      const reason = boundedText(error instanceof Error ? error.message : String(error), RESTORE_ERROR_CHARACTERS, errorName(error));
      failure = { ...failure, drillFailureNotRecorded: `DrillFailures was not put: ${reason}; the missed-drill alarm still fires when no drill succeeds` };
    }
  }
  return { error: failure.error, cause: JSON.stringify(failure) };
}

/**
 * The Lambda entry point. What it throws is cut as the other restore functions cut their errors
 * (a rejected request quotes its input, which may be long): the error travels in the state,
 * whose payload is limited to 256 KiB, to the failure document.
 */
export const handler = withBoundedErrors(
  async (event: StepEvent, context?: { readonly invokedFunctionArn?: string }): Promise<unknown> => (isRawInputInvocation(context)
    ? measureRequest(event)
    : runStep(event, { clients, cloudwatch, config: configFromEnvironment() })),
  RESTORE_ERROR_CHARACTERS,
);

/**
 * The qualifier of the function ARN the workflow's first state invokes: with no Parameters, so
 * that its event is the raw execution input (any wrapping could pass 256 KiB). That event is only
 * measured, never dispatched: the input, written by whoever starts the execution, could name any action.
 */
export const RAW_INPUT_QUALIFIER = '$LATEST';

function isRawInputInvocation(context: { readonly invokedFunctionArn?: string } | undefined): boolean {
  return context?.invokedFunctionArn?.endsWith(`:${RAW_INPUT_QUALIFIER}`) === true;
}
