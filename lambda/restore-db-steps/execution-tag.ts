/**
 * Which execution created an instance. The request id (`EXECUTION_TAG`) is shared by every
 * execution of a request, and two of them (started under different names) may run at once:
 * the instance one of them creates carries the same request tag and is created after both
 * started. So each instance is also tagged with its creating execution, and only that
 * execution deletes it or adopts it.
 */
import { createHash } from 'node:crypto';
import type { DBInstance, Tag } from '@aws-sdk/client-rds';
import { TAG_CREATED_BY_EXECUTION, type RestorePlan } from './types';

/**
 * The tag's value for an execution: the SHA-256 of its ARN, in hex. Not the ARN itself: an
 * execution name may hold characters (`!`, `'`, `(`, `)`) that RDS refuses in a tag value.
 */
export function executionTagValue(executionArn: string): string {
  return createHash('sha256').update(executionArn).digest('hex');
}

/** This execution's tag, or none when the plan does not name the execution (a plan made by an earlier version of the workflow). */
export function createdByExecutionTag(plan: RestorePlan): Tag[] {
  return plan.executionArn ? [{ Key: TAG_CREATED_BY_EXECUTION, Value: executionTagValue(plan.executionArn) }] : [];
}

/** The instance's created-by-execution tag and this execution's; `ours` only when both exist and are equal. */
export function creatingExecution(instance: DBInstance, plan: RestorePlan): { readonly ours: boolean; readonly theirs?: string; readonly mine?: string } {
  const theirs = instance.TagList?.find((tag) => tag.Key === TAG_CREATED_BY_EXECUTION)?.Value;
  const mine = plan.executionArn ? executionTagValue(plan.executionArn) : undefined;
  return { ours: mine !== undefined && theirs === mine, theirs, mine };
}
