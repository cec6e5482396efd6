/**
 * What happens to a resource's data when its stack is deleted (DeletionPolicy) and when a
 * stack update replaces it (UpdateReplacePolicy), worded for the report's locks.
 */
import { Json } from './assembly';

/** The facts about one resource that decide how its removal is worded. */
export interface RemovalFacts {
  readonly type: string;
  /** The DeletionPolicy with CloudFormation's default applied. */
  readonly deletionPolicy: Json;
  /** The UpdateReplacePolicy as written; CloudFormation deletes the old resource without one. */
  readonly updateReplacePolicy: Json;
  readonly isReadReplica: boolean;
  /** CDK's Custom::S3AutoDeleteObjects empties this bucket when its custom resource is deleted. */
  readonly autoDeletesObjects: boolean;
  /** For a KMS key: its pending window in words (see `pendingWindowText`). */
  readonly pendingWindow?: string;
  /** The policy value as a template writer reads it (a parameter's name, not its JSON). */
  readonly render: (value: Json) => string;
}

function kind(policy: Json): Json {
  return policy === 'RetainExceptOnCreate' ? 'Retain' : policy;
}

function removalText(policy: Json, when: 'stack' | 'replace', facts: RemovalFacts): string {
  const onStack = when === 'stack';
  if (policy === 'Retain' || policy === 'RetainExceptOnCreate') {
    const retained = onStack ? 'retained on stack deletion' : 'retained when an update replaces it';
    return facts.autoDeletesObjects ? `${retained}, but EMPTIED by its auto-delete-objects custom resource` : retained;
  }
  if (policy === 'Snapshot' && facts.isReadReplica) {
    // RDS DeleteDBInstance: deleting a read replica requires SkipFinalSnapshot.
    return `${onStack ? 'DeletionPolicy' : 'UpdateReplacePolicy'} Snapshot, but RDS takes no final snapshot of a read replica`;
  }
  if (policy === 'Snapshot') {
    return onStack ? 'final snapshot on stack deletion' : 'final snapshot when an update replaces it';
  }
  if (typeof policy !== 'string') {
    return `${onStack ? 'deletion policy' : 'update replace policy'} not known at synth: ${facts.render(policy)}`;
  }
  const event = onStack ? 'with the stack' : 'when an update replaces it';
  if (facts.type === 'AWS::S3::Bucket') {
    // CloudFormation cannot delete a bucket that holds objects: the deletion fails and the bucket stays.
    return facts.autoDeletesObjects ? `EMPTIED and DELETED ${event}` : onStack ? 'DELETED with the stack if empty' : 'DELETED if empty when an update replaces it';
  }
  if (facts.type === 'AWS::KMS::Key') {
    // CloudFormation schedules the key's deletion: it cannot be used from then on.
    return `scheduled for DELETION ${event}: unusable at once, deleted after ${facts.pendingWindow ?? 'its pending window'}, then all it encrypts is unreadable`;
  }
  if (facts.type === 'AWS::Backup::BackupVault') {
    // AWS Backup's DeleteBackupVault: "A vault can be deleted only if it is empty."
    return onStack ? 'DELETED with the stack if it holds no recovery points' : 'DELETED when an update replaces it if it holds no recovery points';
  }
  return `DELETED ${event}`;
}

/** The deletion line, and the replacement line where it differs from the deletion or leaves the data unprotected. */
export function removalLocks(facts: RemovalFacts): string[] {
  const locks = [removalText(facts.deletionPolicy, 'stack', facts)];
  const replace = facts.updateReplacePolicy ?? 'Delete';
  if (JSON.stringify(kind(replace)) !== JSON.stringify(kind(facts.deletionPolicy)) || replace === 'Delete') {
    locks.push(`${removalText(replace, 'replace', facts)}${facts.updateReplacePolicy === undefined ? ' (no UpdateReplacePolicy)' : ''}`);
  }
  return locks;
}
