/** The KMS keys the report lists: those of the protected resources, vaults, copies, topics and state machines, with what would delete them. */
import type { Json, StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import { keyRotationText, keyStateText, pendingWindowText } from './key-facts';
import { aliasMayBeOfAssembly, keyOf } from './kms-key-refs';
import { Located, meta } from './located';
import type { ActivityEntry, KeyEntry, ProtectedResource } from './model';
import { OutsideKey, isAwsManagedKey, outsideKey } from './outside-key';
import { removalLocks } from './removal-policy';
import { replicaBucket } from './s3-buckets';

/**
 * The customer managed keys that encrypt the protected resources, the vaults, the copies
 * and the notification topics and state machines the report lists; a key the assembly does
 * not define is listed as written, with what the report cannot know of it.
 */
export function reportKeys(index: AssemblyIndex, resources: ProtectedResource[], activities: ActivityEntry[]): KeyEntry[] {
  const uses = new Map<string, { key?: Located; outside?: OutsideKey; mayBe?: string; stack: StackArtifact; written: string; shown: string; encrypts: Set<string> }>();
  const use = (value: unknown, stack: StackArtifact, what: string): void => {
    if (value === undefined || value === null || value === '') {
      return;
    }
    const key = keyOf(index, value, stack);
    // A key given by a function is kept as its JSON (`written`) and shown as `tokenText` says.
    const written = index.asWritten(value, stack);
    const shown = index.render(value, stack);
    // AWS managed keys (aws/s3, aws/rds, ...) are AWS's to rotate and cannot be deleted.
    if (!key && isAwsManagedKey(written)) {
      return;
    }
    // One row per key not in the assembly, whether its users give its ID or its ARN, in one stack or several.
    const outside = key ? undefined : outsideKey(value, stack, { render: (v) => index.render(v, stack), nameOf: (v) => index.nameOf(v, stack) });
    const id = key ? `${key.stack.id}\u0000${key.logicalId}` : `${outside!.region}\u0000${outside!.account}\u0000${outside!.name}`;
    // An alias ARN whose region or account a token gives may be the assembly's alias: the deploy decides.
    const mayBe = key ? undefined : aliasMayBeOfAssembly(index, value, stack);
    const entry = uses.get(id) ?? { key, outside, mayBe, stack: key?.stack ?? stack, written, shown, encrypts: new Set<string>() };
    if (!key && !entry.written.startsWith('arn:') && written.startsWith('arn:')) {
      entry.written = written;
      entry.shown = shown;
    }
    entry.encrypts.add(what);
    uses.set(id, entry);
  };
  const byPath = new Map(index.all.map((r) => [`${r.stack.id}\u0000${r.path}`, r]));
  for (const row of resources) {
    const r = byPath.get(`${row.stack}\u0000${row.path}`);
    if (!r) {
      continue;
    }
    const p = r.resource.Properties ?? {};
    const what = `data of ${row.typeName} ${r.path}`;
    use(p.KmsKeyId ?? p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID ?? p.SSESpecification?.KMSMasterKeyId, r.stack, what);
    // An instance's disks: the EBS volumes of its BlockDeviceMappings.
    for (const mapping of r.resource.Type === 'AWS::EC2::Instance' && Array.isArray(p.BlockDeviceMappings) ? p.BlockDeviceMappings : []) {
      use(mapping?.Ebs?.KmsKeyId, r.stack, `${what}, volume ${index.render(mapping.DeviceName, r.stack)}`);
    }
    for (const rule of p.ReplicationConfiguration?.Rules ?? []) {
      const bucket = replicaBucket(index, rule.Destination?.Bucket, r.stack);
      use(rule.Destination?.EncryptionConfiguration?.ReplicaKmsKeyID, r.stack, `replicas of ${r.path} in ${bucket ? bucket.path : index.render(rule.Destination?.Bucket, r.stack)}`);
    }
  }
  for (const vault of index.ofType('AWS::Backup::BackupVault')) {
    use(vault.resource.Properties?.EncryptionKeyArn, vault.stack, `recovery points in vault ${vault.path} (${vault.stack.region})`);
  }
  for (const policy of index.ofType('AWS::DLM::LifecyclePolicy')) {
    for (const schedule of policy.resource.Properties?.PolicyDetails?.Schedules ?? []) {
      for (const copy of schedule.CrossRegionCopyRules ?? []) {
        use(copy.CmkArn, policy.stack, `EBS snapshot copies in ${index.render(copy.TargetRegion ?? copy.Target, policy.stack)} (DLM policy ${policy.path}, schedule ${schedule.Name ?? ''})`);
      }
    }
  }
  for (const topic of index.ofType('AWS::SNS::Topic').filter((t) => meta(t)?.role === 'notification')) {
    use(topic.resource.Properties?.KmsMasterKeyId, topic.stack, `notification topic ${topic.path}`);
  }
  const activityPaths = new Set(activities.map((a) => a.path));
  for (const machine of index.ofType('AWS::StepFunctions::StateMachine').filter((m) => activityPaths.has(m.path))) {
    use(machine.resource.Properties?.EncryptionConfiguration?.KmsKeyId, machine.stack, `state machine ${machine.path} (its definition and execution data)`);
  }
  return [...uses.values()].map(({ key, outside, mayBe, stack, written, shown, encrypts }): KeyEntry => {
    const render = (value: Json): string => index.render(value, key?.stack ?? stack);
    const notKnown = mayBe ? `not known (key not known at synth: ${mayBe})` : 'not known (key not in this assembly)';
    return {
      stack: stack.id,
      // A region or account its ARN takes from a token (a parameter, a function) is the deploy's to say: `outsideKey` says so.
      region: outside ? outside.region : stack.region,
      account: outside ? outside.account : stack.account,
      key: key ? key.path : shown,
      ...(!key && written !== shown ? { written } : {}),
      ...(mayBe ? { mayBeInAssembly: mayBe } : {}),
      ...(key ? { logicalId: key.logicalId } : {}),
      rotation: key ? keyRotationText(key.resource.Properties, render) : notKnown,
      locks: key ? [
        ...[keyStateText(key.resource.Properties, render)].filter((x): x is string => x !== undefined),
        ...removalLocks({
          type: 'AWS::KMS::Key',
          deletionPolicy: key.resource.DeletionPolicy ?? 'Delete',
          updateReplacePolicy: key.resource.UpdateReplacePolicy,
          isReadReplica: false,
          autoDeletesObjects: false,
          pendingWindow: pendingWindowText(key.resource.Properties?.PendingWindowInDays, render),
          render,
        }),
      ] : [`deletion and replacement ${notKnown}`],
      encrypts: [...encrypts].sort(),
    };
  }).sort((a, b) => a.key.localeCompare(b.key));
}
