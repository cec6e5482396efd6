/** What keeps a resource's data from deletion: deletion protection, Object Lock, versioning, its removal policies. */
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { removalLocks } from './removal-policy';
import { tagsOf } from './resource-tags';
import { referencedIds } from './template-references';
import { plural } from './template-numbers';

export function locksOf(index: AssemblyIndex, r: Located): string[] {
  const p = r.resource.Properties ?? {};
  const locks: string[] = [];
  if (p.DeletionProtection === true || p.DeletionProtectionEnabled === true) {
    locks.push('deletion protection');
  }
  if (p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true) {
    locks.push('point-in-time recovery');
  }
  if (p.ObjectLockEnabled === true) {
    const retention = p.ObjectLockConfiguration?.Rule?.DefaultRetention;
    locks.push(retention
      ? `Object Lock ${retention.Mode} ${retention.Days !== undefined ? plural(retention.Days, 'day') : plural(retention.Years, 'year')}`
      : 'Object Lock enabled (no default retention)');
  }
  if (p.VersioningConfiguration?.Status === 'Enabled') {
    locks.push('versioning');
  }
  // CloudFormation's default is Snapshot for a DB cluster and for a DB instance outside a cluster.
  const deletionPolicy = r.resource.DeletionPolicy ?? (r.resource.Type === 'AWS::RDS::DBCluster'
    || (r.resource.Type === 'AWS::RDS::DBInstance' && p.DBClusterIdentifier === undefined) ? 'Snapshot' : 'Delete');
  locks.push(...removalLocks({
    type: r.resource.Type,
    deletionPolicy,
    updateReplacePolicy: r.resource.UpdateReplacePolicy,
    isReadReplica: r.resource.Type === 'AWS::RDS::DBInstance' && p.SourceDBInstanceIdentifier !== undefined,
    autoDeletesObjects: autoDeletesObjects(index, r),
    render: (value) => index.render(value, r.stack),
  }));
  return locks;
}

/** CDK's auto-delete-objects custom resource empties a bucket tagged for it when the custom resource is deleted. */
export function autoDeletesObjects(index: AssemblyIndex, r: Located): boolean {
  if (r.resource.Type !== 'AWS::S3::Bucket' || tagsOf(r.resource)['aws-cdk:auto-delete-objects'] !== 'true') {
    return false;
  }
  return index.ofType('Custom::S3AutoDeleteObjects').some((c) => c.stack.id === r.stack.id && referencedIds(c.resource.Properties?.BucketName).has(r.logicalId));
}
