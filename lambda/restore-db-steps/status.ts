/**
 * The polling step: is the new instance (or the promoted replica) available yet?
 */
import { DescribeRestoreJobCommand, type DescribeRestoreJobCommandOutput } from '@aws-sdk/client-backup';
import { AddTagsToResourceCommand, type DBInstance } from '@aws-sdk/client-rds';
import { RDS_DEAD_END_STATES } from '../../core/restore-workflows/common';
import { createdBeforeExecution } from './earlier-instance';
import { aws, RestoreFailed, RestoreTimedOut } from './errors';
import { creatingExecution } from './execution-tag';
import { restoreJobInstance } from './job-instance';
import { restoreTags } from './start';
import { TAG_CREATED_BY_EXECUTION, type RestorePlan, type RestoreProgress, type RestoreStatus, type StepsConfig } from './types';
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
  const instance = await findInstance(clients.rds, identifier);
  const anotherExecutions = job && instance ? createdByAnotherExecution(instance, config, plan, job) : undefined;
  if (job && anotherExecutions) {
    // Until this execution's own job ends it may still create an instance here (were the other
    // one deleted), which only this execution would clean up: so the wait goes on till then.
    if (!JOB_ENDED.has(job.Status ?? 'unknown')) {
      return { state: 'pending', instanceStatus: `restore job ${progress.restoreJobId} ${job.Status ?? 'unknown'}; ${anotherExecutions}: resumed once this execution's job ends` };
    }
  } else if (job?.Status === 'ABORTED' || job?.Status === 'FAILED') {
    throw new RestoreFailed(`AWS Backup restore job ${progress.restoreJobId} for ${identifier} ended ${job.Status}: ${job.StatusMessage ?? 'no message'}`);
  }
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
  if (job && !anotherExecutions && !createdByRequest(instance, config, plan.requestId)) {
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
    // The ARN is the identifier's: only the completed job's times tell its instance from one
    // another restore made there (once this job's was deleted).
    if (job.Status !== 'COMPLETED') {
      return { state: 'pending', instanceStatus: `restore job ${job.Status ?? 'unknown'}; ${identifier} is ${status}, taken as the job's once it completes` };
    }
    const fromJob = restoreJobInstance(instance, job, progress.restoreJobId!);
    if (!fromJob.ours) {
      throw new RestoreFailed(`${identifier} (${instance.DBInstanceArn}) is not shown to be the instance AWS Backup restore job ${progress.restoreJobId} created: ${fromJob.why}; left alone`);
    }
    await aws(`AddTagsToResource ${identifier}`, () => clients.rds.send(new AddTagsToResourceCommand({ ResourceName: instance.DBInstanceArn, Tags: restoreTags(plan, config) })));
  }
  if (RDS_DEAD_END_STATES.has(status)) {
    throw new RestoreFailed(`${identifier} is ${status}: the ${plan.kind === 'promote-replica' ? 'promotion' : 'restore'} cannot finish`);
  }
  const promoted = plan.kind !== 'promote-replica' || !instance.ReadReplicaSourceDBInstanceIdentifier;
  if (status === 'available' && promoted) {
    const resumed = job && anotherExecutions
      ? { resumed: `${anotherExecutions}; this execution's AWS Backup restore job ${progress.restoreJobId} ended ${job.Status}${job.StatusMessage ? ` (${job.StatusMessage})` : ''}` }
      : {};
    return { state: 'available', instanceStatus: status, endpoint: instance.Endpoint?.Address, port: instance.Endpoint?.Port, arn: instance.DBInstanceArn, ...resumed };
  }
  return { state: 'pending', instanceStatus: status };
}

/** The states in which an AWS Backup restore job creates nothing more. */
const JOB_ENDED: ReadonlySet<string> = new Set(['COMPLETED', 'ABORTED', 'FAILED']);

/**
 * Says how the instance at the target is another execution's of this request, when it is: it
 * carries the request's tags, but not this execution's created-by-execution tag. Without that tag
 * (an instance tagged by an earlier version of the workflow) it is this execution's only when its
 * own restore job names it. Such an instance is resumed, as StartRestore resumes one it finds,
 * never claimed: this execution's job started only because the instance did not exist yet.
 */
function createdByAnotherExecution(instance: DBInstance, config: StepsConfig, plan: RestorePlan, job: DescribeRestoreJobCommandOutput): string | undefined {
  if (!createdByRequest(instance, config, plan.requestId)) {
    return undefined;
  }
  const creator = creatingExecution(instance, plan);
  const another = creator.theirs !== undefined ? !creator.ours : job.CreatedResourceArn !== instance.DBInstanceArn;
  if (!another) {
    return undefined;
  }
  return `${instance.DBInstanceIdentifier} was created by another execution of request ${plan.requestId} (its ${TAG_CREATED_BY_EXECUTION} tag is ${creator.theirs ?? 'missing'}; this execution's is ${creator.mine ?? 'unknown'})`;
}
