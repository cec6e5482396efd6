/**
 * The failure document when the cleanup itself did not finish (still pending after its
 * retries, or failed): the original failure, and the instance that may be left behind.
 */
import { executionTagValue } from './execution-tag';
import { causeMessage, failureHead, type CaughtError, type FailureResult } from './result';
import { EXECUTION_TAG, TAG_CREATED_BY_EXECUTION, type RestorePlan, type RestoreProgress, type RestoreRequest } from './types';

export interface IncompleteCleanupEvent {
  readonly request?: RestoreRequest;
  readonly plan?: RestorePlan;
  readonly progress?: RestoreProgress;
  /** The failure the cleanup was for. */
  readonly error?: CaughtError;
  /** Why the cleanup did not finish. */
  readonly cleanupError?: CaughtError;
}

/** The failure document (the failed execution's `Cause`): what failed, and what the cleanup may have left behind. */
export function incompleteCleanupResult(event: IncompleteCleanupEvent): FailureResult {
  // Empty `plan` and `progress` objects mean the request did not get that far.
  const plan = event.plan?.requestId ? event.plan : undefined;
  const identifier = event.progress?.targetIdentifier || plan?.target.identifier;
  const why = `${event.cleanupError?.Error ?? 'Error'}: ${causeMessage(event.cleanupError)}`;
  let detail: string;
  if (plan?.kind === 'promote-replica') {
    detail = `the cleanup did not finish (${why}); a promotion creates nothing to delete: ${identifier} is left as it is`;
  } else if (plan && identifier) {
    // Another execution of the request may be running with an instance of the same request tag: the execution tag tells them apart.
    const execution = plan.executionArn ? `, ${TAG_CREATED_BY_EXECUTION}=${executionTagValue(plan.executionArn)}` : '';
    detail = `the cleanup did not finish (${why}); ${identifier} may be left behind: check it and delete it by hand unless it is wanted (tags ${EXECUTION_TAG}=${plan.requestId}${execution})`;
  } else {
    detail = `the cleanup did not finish (${why}); the request failed before it named an instance, so none was created`;
  }
  return {
    ...failureHead(event, plan),
    target: identifier,
    cleanup: { outcome: 'incomplete', targetIdentifier: identifier, detail },
  };
}
