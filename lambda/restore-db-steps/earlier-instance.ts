/**
 * Whether an instance at the target identifier predates this execution. The request id (and so
 * the tags) may be an earlier execution's, and RDS ARNs are made from the identifier alone, so
 * neither tells this execution's instance from an earlier one; its creation time does.
 */
import type { DBInstance } from '@aws-sdk/client-rds';
import { createdBeforeStart, executionStart } from '../../core/restore-workflows/common';
import type { RestorePlan } from './types';

/** The instance's creation time when it was created before the execution started (beyond the clock skew); else undefined. */
export function createdBeforeExecution(instance: DBInstance, plan: Pick<RestorePlan, 'startedAt' | 'requestId'>): Date | undefined {
  const created = instance.InstanceCreateTime ? new Date(instance.InstanceCreateTime) : undefined;
  return created && createdBeforeStart(created, executionStart({ startTime: plan.startedAt }, `request ${plan.requestId}`)) ? created : undefined;
}
