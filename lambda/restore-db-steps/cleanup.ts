/**
 * Cleanup: deletes the instance this execution created, after a failure or at the end of a
 * drill. It never touches an instance that does not carry this workflow's tags for this
 * request and this execution (and, for a drill, the drill tag), nor the source or a replica.
 */
import { DescribeRestoreJobCommand, type DescribeRestoreJobCommandOutput } from '@aws-sdk/client-backup';
import { AddTagsToResourceCommand, DeleteDBInstanceCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { createdBeforeExecution } from './earlier-instance';
import { aws, CleanupPending, errorName } from './errors';
import { creatingExecution } from './execution-tag';
import { restoreJobInstance, type JobInstance } from './job-instance';
import { restoreTags } from './start';
import { TAG_CREATED_BY_EXECUTION, type RestorePlan, type RestoreProgress, type StepsConfig } from './types';
import { createdByRequest, findInstance, isDrillScratch, type Clients } from './validate';

/** What the cleanup did. */
export interface CleanupResult {
  /** `deleted`, `deleting`, `nothing-created`, `kept` or `not-ours` (left alone). */
  readonly outcome: string;
  readonly targetIdentifier?: string;
  readonly detail: string;
}

/** States in which RDS refuses a delete; the cleanup is retried until they pass. */
const BUSY_STATES = new Set(['creating', 'modifying', 'backing-up', 'renaming', 'rebooting', 'resetting-master-credentials', 'upgrading', 'configuring-enhanced-monitoring', 'configuring-log-exports', 'storage-optimization']);

/**
 * A promotion creates nothing to delete and cannot be undone: the replica is kept, and the
 * document says where it stands, so whoever reads a failed failover knows whether it was promoted.
 */
async function promotionKept(clients: Clients, identifier: string): Promise<CleanupResult> {
  let state: string;
  try {
    const instance = await findInstance(clients.rds, identifier);
    const source = instance?.ReadReplicaSourceDBInstanceIdentifier;
    state = !instance ? `${identifier} does not exist`
      : source ? `${identifier} still replicates from ${source} (${instance.DBInstanceStatus ?? 'status unknown'}): the promotion did not start or has not finished`
        : `${identifier} is a standalone instance (${instance.DBInstanceStatus ?? 'status unknown'}): promoted`;
  } catch (error) {
    state = `whether ${identifier} was promoted could not be read (${errorName(error)})`;
  }
  return { outcome: 'kept', targetIdentifier: identifier, detail: `a promotion creates nothing and cannot be undone: the replica is left as it is; ${state}` };
}

/** Deletes the target when (and only when) this execution created it (or its own AWS Backup restore job did). */
export async function cleanupTarget(clients: Clients, config: StepsConfig, plan: RestorePlan, progress: RestoreProgress | undefined, options: { keep?: boolean } = {}): Promise<CleanupResult> {
  if (plan.kind === 'promote-replica') {
    return promotionKept(clients, plan.target.identifier);
  }
  const identifier = progress?.targetIdentifier ?? plan.target.identifier;
  if (options.keep) {
    return { outcome: 'kept', targetIdentifier: identifier, detail: `kept: its verification failed; inspect it and delete ${identifier} when done` };
  }
  let job: DescribeRestoreJobCommandOutput | undefined;
  if (progress?.restoreJobId) {
    job = await aws(`DescribeRestoreJob ${progress.restoreJobId}`, () => clients.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: progress.restoreJobId })));
    if (job.Status === 'PENDING' || job.Status === 'RUNNING') {
      throw new CleanupPending(`AWS Backup restore job ${progress.restoreJobId} is still ${job.Status}; ${identifier} is deleted once it ends`);
    }
  }
  const instance = await findInstance(clients.rds, identifier);
  if (!instance) {
    return { outcome: 'nothing-created', targetIdentifier: identifier, detail: `${identifier} does not exist` };
  }
  const notSourceOrReplica = identifier !== plan.source.identifier && !config.replicaIdentifiers.includes(identifier);
  // The request id defaults to the execution name, which Step Functions lets a later execution
  // use again once the earlier one's history is gone. Without a creation time (RDS may give none
  // before the instance is created) the tags decide.
  const created = createdBeforeExecution(instance, plan);
  // A restore job that ended after the workflow stopped waiting left its instance untagged. One
  // older than this execution is not its job's, whatever ARN (made from the identifier) the job
  // names; nor is one another restore made at the identifier after this job's was deleted.
  const fromJob: JobInstance | undefined = job && progress?.restoreJobId && notSourceOrReplica && !created && !createdByRequest(instance, config, plan.requestId)
    ? restoreJobInstance(instance, job, progress.restoreJobId)
    : undefined;
  const untaggedFromJob = fromJob?.ours === true;
  if (untaggedFromJob) {
    await aws(`AddTagsToResource ${identifier}`, () => clients.rds.send(new AddTagsToResourceCommand({ ResourceName: instance.DBInstanceArn, Tags: restoreTags(plan, config) })));
  }
  const ofRequest = untaggedFromJob || (createdByRequest(instance, config, plan.requestId) && (!plan.drill || isDrillScratch(instance, config)) && notSourceOrReplica);
  if (!ofRequest) {
    const why = fromJob && !fromJob.ours ? `; not this execution's restore job's: ${fromJob.why}` : '';
    return { outcome: 'not-ours', targetIdentifier: identifier, detail: `${identifier} was not created by request ${plan.requestId} of ${config.workflowId}${why}: left alone` };
  }
  if (created) {
    return {
      outcome: 'kept',
      targetIdentifier: identifier,
      detail: `${identifier} was created ${created.toISOString()}, before this execution started (${plan.startedAt}): an earlier execution of request ${plan.requestId} made it; left alone`,
    };
  }
  // Another execution of the same request (started under another name) may be running: it made
  // the instance, resumed by this one, and deletes it itself when it is done with it.
  const creator = creatingExecution(instance, plan);
  if (!untaggedFromJob && !creator.ours) {
    return {
      outcome: 'kept',
      targetIdentifier: identifier,
      detail: `${identifier} was created by another execution of request ${plan.requestId} (its ${TAG_CREATED_BY_EXECUTION} tag is ${creator.theirs ?? 'missing'}; this execution's is ${creator.mine ?? 'unknown'}): left alone`,
    };
  }
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (status === 'deleting') {
    return { outcome: 'deleting', targetIdentifier: identifier, detail: `${identifier} is being deleted` };
  }
  if (BUSY_STATES.has(status)) {
    throw new CleanupPending(`${identifier} is ${status}; it is deleted once that ends`);
  }
  if (instance.DeletionProtection) {
    await aws(`ModifyDBInstance ${identifier} (deletion protection off)`, () => clients.rds.send(new ModifyDBInstanceCommand({
      DBInstanceIdentifier: identifier, DeletionProtection: false, ApplyImmediately: true,
    })));
  }
  try {
    // A copy made by this request: its source's backups are untouched, so no final snapshot.
    await aws(`DeleteDBInstance ${identifier}`, () => clients.rds.send(new DeleteDBInstanceCommand({
      DBInstanceIdentifier: identifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true,
    })));
  } catch (error) {
    if (errorName(error) === 'InvalidDBInstanceStateFault' || errorName(error) === 'InvalidDBInstanceState') {
      throw new CleanupPending(`${identifier} cannot be deleted yet: ${error instanceof Error ? error.message : String(error)}`);
    }
    throw error;
  }
  return { outcome: 'deleted', targetIdentifier: identifier, detail: `${identifier} deleted (no final snapshot: it was a copy made by request ${plan.requestId})` };
}
