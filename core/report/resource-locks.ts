/** What keeps a resource's data from deletion: deletion protection, Object Lock, versioning, its removal policies. */
import type { Json } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { removalLocks } from './removal-policy';
import { tagsOf } from './resource-tags';
import { referencedIds } from './template-references';
import { knownNumber, plural } from './template-numbers';
import { isToken } from './token-text';

export function locksOf(index: AssemblyIndex, r: Located): string[] {
  const p = r.resource.Properties ?? {};
  const render = (value: unknown): string => index.render(value, r.stack);
  const locks: string[] = [];
  // A lock given by a token (a parameter, a condition) is decided at deployment: said as not known, neither left out nor stated.
  const flag = (name: string, value: unknown, on: unknown[]): void => {
    if (on.includes(value)) {
      locks.push(name);
    } else if (isToken(value)) {
      locks.push(`${name} not known at synth: ${render(value)}`);
    }
  };
  flag('deletion protection', p.DeletionProtection ?? p.DeletionProtectionEnabled, [true, 'true']);
  flag('point-in-time recovery', isToken(p.PointInTimeRecoverySpecification) ? p.PointInTimeRecoverySpecification
    : p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled, [true, 'true']);
  if (isToken(p.ObjectLockEnabled)) {
    locks.push(`Object Lock not known at synth: ${render(p.ObjectLockEnabled)}`);
  } else if (p.ObjectLockEnabled === true || p.ObjectLockEnabled === 'true') {
    locks.push(objectLockText(p.ObjectLockConfiguration, render));
  }
  flag('versioning', isToken(p.VersioningConfiguration) ? p.VersioningConfiguration : p.VersioningConfiguration?.Status, ['Enabled']);
  // CloudFormation's default is Snapshot for a DB cluster and for a DB instance outside a cluster.
  const deletionPolicy = r.resource.DeletionPolicy ?? (r.resource.Type === 'AWS::RDS::DBCluster'
    || (r.resource.Type === 'AWS::RDS::DBInstance' && p.DBClusterIdentifier === undefined) ? 'Snapshot' : 'Delete');
  locks.push(...removalLocks({
    type: r.resource.Type,
    deletionPolicy,
    updateReplacePolicy: r.resource.UpdateReplacePolicy,
    isReadReplica: r.resource.Type === 'AWS::RDS::DBInstance' && p.SourceDBInstanceIdentifier !== undefined,
    autoDeletesObjects: autoDeletesObjects(index, r),
    render,
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

/** Object Lock with its default retention; a configuration, rule, mode or period given by a token is not known at synth. */
function objectLockText(configuration: Json, render: (value: unknown) => string): string {
  const tokenIn = [configuration, configuration?.Rule, configuration?.Rule?.DefaultRetention].find(isToken);
  if (tokenIn !== undefined) {
    return `Object Lock enabled, default retention not known at synth: ${render(tokenIn)}`;
  }
  const retention = configuration?.Rule?.DefaultRetention;
  if (!retention) {
    return 'Object Lock enabled (no default retention)';
  }
  const period = retention.Days !== undefined ? retention.Days : retention.Years;
  const known = typeof retention.Mode === 'string' && knownNumber(period) !== undefined;
  return `Object Lock ${render(retention.Mode)} ${plural(period, retention.Days !== undefined ? 'day' : 'year')}${known ? '' : ' (not known at synth)'}`;
}
