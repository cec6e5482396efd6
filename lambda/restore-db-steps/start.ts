/**
 * The second step: creates the new instance (or promotes the replica). A request that
 * already created its target resumes it instead of creating a second one.
 */
import { GetRecoveryPointRestoreMetadataCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import {
  AddTagsToResourceCommand, PromoteReadReplicaCommand, RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand, type Tag,
} from '@aws-sdk/client-rds';
import { clientToken, type ExecutionIdentity } from '../../core/restore-workflows/common';
import { aws, errorName, InvalidRestoreInput } from './errors';
import { createdByExecutionTag } from './execution-tag';
import { EXECUTION_TAG, TAG_DRILL, TAG_PROMOTED_BY, TAG_SOURCE, WORKFLOW_ID_TAG, type RestorePlan, type RestoreProgress, type StepsConfig } from './types';
import { createdByRequest, findInstance, type Clients } from './validate';

/** The tags of an instance this execution creates (or adopts: an AWS Backup restore job tags nothing). */
export function restoreTags(plan: RestorePlan, config: StepsConfig): Tag[] {
  return [
    { Key: EXECUTION_TAG, Value: plan.requestId },
    { Key: WORKFLOW_ID_TAG, Value: config.workflowId },
    { Key: TAG_SOURCE, Value: plan.source.identifier },
    ...createdByExecutionTag(plan),
    ...(plan.drill ? [{ Key: TAG_DRILL, Value: 'true' }] : []),
  ];
}

/** The settings every new instance copies from the source. */
function copiedSettings(plan: RestorePlan) {
  return {
    DBSubnetGroupName: plan.source.subnetGroup,
    VpcSecurityGroupIds: plan.source.securityGroupIds,
    // Undefined: the source uses the engine's default parameter group, which RDS then picks too.
    DBParameterGroupName: plan.source.parameterGroup,
    DBInstanceClass: plan.target.instanceClass,
    AvailabilityZone: plan.target.availabilityZone,
    // A zone given by hand means a single-AZ instance in that zone.
    MultiAZ: plan.target.availabilityZone ? false : plan.source.multiAz,
    PubliclyAccessible: false,
    CopyTagsToSnapshot: true,
    // A restored database is protected like any other; a drill's scratch copy is deleted by the drill.
    DeletionProtection: !plan.drill,
  };
}

/**
 * Starts the restore or the promotion the plan describes. The RDS restores take no token: the
 * target identifier makes them idempotent (an instance there is resumed only when this request's
 * tags are on it). An AWS Backup job's token is this execution's (`identity`).
 */
export async function startRestore(clients: Clients, config: StepsConfig, plan: RestorePlan, identity: ExecutionIdentity): Promise<RestoreProgress> {
  if (plan.kind === 'promote-replica') {
    return promoteReplica(clients, plan);
  }
  const identifier = plan.target.identifier;
  // Checked again right before creating: a parallel execution of the same request may have won.
  const existing = await findInstance(clients.rds, identifier);
  if (existing) {
    if (createdByRequest(existing, config, plan.requestId)) {
      return { targetIdentifier: identifier, created: false };
    }
    throw new InvalidRestoreInput(`\`targetIdentifier\` ${identifier} already exists and was not created by request ${plan.requestId}`);
  }
  const tags = restoreTags(plan, config);
  try {
    if (plan.kind === 'snapshot') {
      await aws(`RestoreDBInstanceFromDBSnapshot ${plan.snapshot!.identifier} -> ${identifier}`, () => clients.rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: identifier,
        DBSnapshotIdentifier: plan.snapshot!.arn,
        Tags: tags,
        ...copiedSettings(plan),
      })));
      return { targetIdentifier: identifier, created: true };
    }
    if (plan.kind === 'point-in-time') {
      const restoreTime = plan.restoreTime!;
      // A source that no longer exists is restored from its retained automated backup, to the time validated against its window.
      const from = restoreTime.automatedBackupArn
        ? { SourceDBInstanceAutomatedBackupsArn: restoreTime.automatedBackupArn, RestoreTime: new Date(restoreTime.time) }
        : { SourceDBInstanceIdentifier: plan.source.identifier, ...(restoreTime.latest ? { UseLatestRestorableTime: true } : { RestoreTime: new Date(restoreTime.time) }) };
      await aws(`RestoreDBInstanceToPointInTime ${restoreTime.automatedBackupArn ?? plan.source.identifier} -> ${identifier}`, () => clients.rds.send(new RestoreDBInstanceToPointInTimeCommand({
        ...from,
        TargetDBInstanceIdentifier: identifier,
        Tags: tags,
        ...copiedSettings(plan),
      })));
      return { targetIdentifier: identifier, created: true };
    }
    return await startBackupRestore(clients, config, plan, identity);
  } catch (error) {
    if (errorName(error) === 'DBInstanceAlreadyExistsFault' || errorName(error) === 'DBInstanceAlreadyExists') {
      const raced = await findInstance(clients.rds, identifier);
      if (raced && createdByRequest(raced, config, plan.requestId)) {
        return { targetIdentifier: identifier, created: false };
      }
    }
    throw error;
  }
}

async function startBackupRestore(clients: Clients, config: StepsConfig, plan: RestorePlan, identity: ExecutionIdentity): Promise<RestoreProgress> {
  const point = plan.recoveryPoint!;
  const metadata = await aws(`GetRecoveryPointRestoreMetadata ${point.arn}`, () => clients.backup.send(new GetRecoveryPointRestoreMetadataCommand({
    BackupVaultName: point.vault, RecoveryPointArn: point.arn,
  })));
  const settings = copiedSettings(plan);
  const overrides: Record<string, string> = {
    DBInstanceIdentifier: plan.target.identifier,
    DBSubnetGroupName: settings.DBSubnetGroupName,
    VpcSecurityGroupIds: JSON.stringify(settings.VpcSecurityGroupIds),
    DBInstanceClass: settings.DBInstanceClass,
    MultiAZ: String(settings.MultiAZ),
    PubliclyAccessible: 'false',
    CopyTagsToSnapshot: 'true',
    DeletionProtection: String(settings.DeletionProtection),
  };
  if (settings.AvailabilityZone) {
    overrides.AvailabilityZone = settings.AvailabilityZone;
  }
  if (settings.DBParameterGroupName) {
    overrides.DBParameterGroupName = settings.DBParameterGroupName;
  }
  const restoreMetadata = { ...(metadata.RestoreMetadata ?? {}), ...overrides };
  // Metadata the recovery point carries from the source that must not be copied.
  delete restoreMetadata.Endpoint;
  const job = await aws(`StartRestoreJob ${point.arn} -> ${plan.target.identifier}`, () => clients.backup.send(new StartRestoreJobCommand({
    RecoveryPointArn: point.arn,
    IamRoleArn: config.backupRestoreRoleArn,
    Metadata: restoreMetadata,
    ResourceType: 'RDS',
    // A retried step of this execution gets its job back. Not made from the request id: AWS Backup
    // answers a token it has seen with that earlier job, which for a repeated request may have ended
    // long ago and its instance been deleted, leaving this execution waiting for nothing.
    IdempotencyToken: clientToken(identity, 'start-restore-job'),
  })));
  return { targetIdentifier: plan.target.identifier, created: true, restoreJobId: job.RestoreJobId };
}

async function promoteReplica(clients: Clients, plan: RestorePlan): Promise<RestoreProgress> {
  const identifier = plan.target.identifier;
  const replica = await findInstance(clients.rds, identifier);
  if (!replica) {
    throw new InvalidRestoreInput(`\`replica\` ${identifier} does not exist`);
  }
  if (!replica.ReadReplicaSourceDBInstanceIdentifier) {
    // Promoted already: by this request (validated), so the workflow resumes.
    return { targetIdentifier: identifier, created: false };
  }
  // Tagged first, so that a repeated request recognises its own promotion.
  await aws(`AddTagsToResource ${identifier}`, () => clients.rds.send(new AddTagsToResourceCommand({
    ResourceName: replica.DBInstanceArn, Tags: [{ Key: TAG_PROMOTED_BY, Value: plan.requestId }],
  })));
  await aws(`PromoteReadReplica ${identifier}`, () => clients.rds.send(new PromoteReadReplicaCommand({
    DBInstanceIdentifier: identifier,
    BackupRetentionPeriod: Math.max(1, replica.BackupRetentionPeriod ?? 7),
  })));
  return { targetIdentifier: identifier, created: true };
}
