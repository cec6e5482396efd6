/**
 * The polling step: is the new instance (or the promoted replica) available yet?
 */
import { DescribeRestoreJobCommand } from '@aws-sdk/client-backup';
import { AddTagsToResourceCommand } from '@aws-sdk/client-rds';
import { RDS_DEAD_END_STATES } from '../../core/restore-workflows/common';
import { createdBeforeExecution } from './earlier-instance';
import { aws, RestoreFailed, RestoreTimedOut } from './errors';
import { restoreTags } from './start';
import { type RestorePlan, type RestoreProgress, type RestoreStatus, type StepsConfig } from './types';
import { createdByRequest, findInstance, type Clients } from './validate';

/** Describes the target and says whether the wait is over; throws when the restore failed or ran out of time. */
export async function checkRestore(clients: Clients, config: StepsConfig, plan: RestorePlan, progress: RestoreProgress, now: Date = new Date()): Promise<RestoreStatus> {
  const identifier = progress.targetIdentifier;
  if (now.getTime() > new Date(plan.deadline).getTime()) {
    throw new RestoreTimedOut(`${identifier} was not available by ${plan.deadline} (${config.restoreTimeoutMinutes} minutes after the start)`);
  }
  const job = progress.restoreJobId
    ? await aws(`DescribeRestoreJob ${progress.restoreJobId}`, () => clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: progress.restoreJobId })))
    : undefined;
  if (job?.Status === 'ABORTED' || job?.Status === 'FAILED') {
    throw new RestoreFailed(`AWS Backup restore job ${progress.restoreJobId} for ${identifier} ended ${job.Status}: ${job.StatusMessage ?? 'no message'}`);
  }
  const instance = await findInstance(clients.rds, identifier);
  if (!instance) {
    if (progress.restoreJobId && job?.Status !== 'COMPLETED') {
      // AWS Backup creates the instance some time after the job starts.
      return { state: 'pending', instanceStatus: 'not-yet-created' };
    }
    if (progress.restoreJobId) {
      throw new RestoreFailed(`AWS Backup restore job ${progress.restoreJobId} completed, but ${identifier} does not exist: it was deleted after the restore`);
    }
    throw new RestoreFailed(`${identifier} does not exist any more: it was deleted while the workflow waited for it`);
  }
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (job && !createdByRequest(instance, config, plan.requestId)) {
    // AWS Backup does not tag what it restores. An instance at this identifier is adopted (tagged)
    // only once the job names it as the one it created: before that it may be someone else's.
    // An ARN is made from the identifier alone, so an instance older than this execution is not
    // the job's even when the job names its ARN.
    const earlier = createdBeforeExecution(instance, plan);
    if (earlier) {
      throw new RestoreFailed(`${identifier} was created ${earlier.toISOString()}, before this execution started (${plan.startedAt}): not the instance AWS Backup restore job ${progress.restoreJobId} restores; left alone`);
    }
    if (!job.CreatedResourceArn || job.CreatedResourceArn !== instance.DBInstanceArn) {
      if (job.Status === 'COMPLETED') {
        throw new RestoreFailed(`${identifier} (${instance.DBInstanceArn}) is not the instance AWS Backup restore job ${progress.restoreJobId} created (${job.CreatedResourceArn ?? 'none reported'}): left alone`);
      }
      return { state: 'pending', instanceStatus: `restore job ${job.Status ?? 'unknown'}; ${identifier} is ${status} and not yet reported by the job` };
    }
    await aws(`AddTagsToResource ${identifier}`, () => clients.rds.send(new AddTagsToResourceCommand({ ResourceName: instance.DBInstanceArn, Tags: restoreTags(plan, config) })));
  }
  if (RDS_DEAD_END_STATES.has(status)) {
    throw new RestoreFailed(`${identifier} is ${status}: the ${plan.kind === 'promote-replica' ? 'promotion' : 'restore'} cannot finish`);
  }
  const promoted = plan.kind !== 'promote-replica' || !instance.ReadReplicaSourceDBInstanceIdentifier;
  if (status === 'available' && promoted) {
    return { state: 'available', instanceStatus: status, endpoint: instance.Endpoint?.Address, port: instance.Endpoint?.Port, arn: instance.DBInstanceArn };
  }
  return { state: 'pending', instanceStatus: status };
}
