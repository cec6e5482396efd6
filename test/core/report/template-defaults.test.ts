/**
 * What the report says where the template leaves a setting to a default: a default
 * CloudFormation or the service documents is stated, one that depends on the account's
 * settings (EBS encryption by default and its key) is named as such, not guessed.
 */
import { CfnDeletionPolicy, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ProtectedResource, ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';
import { smallInstance } from './db-instances';

let model: ReportModel;

function row(path: string): ProtectedResource {
  return rowAt(model, path);
}

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Defaults', { env: { account: '111111111111', region: 'eu-west-1' } });
    const snapshotTags = [{ key: 'snapshots', value: 'daily' }];
    new ec2.CfnVolume(stack, 'KeylessVolume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, encrypted: true, tags: snapshotTags });
    new ec2.CfnVolume(stack, 'PlainVolume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, tags: snapshotTags });
    new dlm.CfnLifecyclePolicy(stack, 'Snapshots', {
      description: 'daily snapshots',
      state: 'ENABLED',
      executionRoleArn: 'arn:aws:iam::111111111111:role/dlm',
      policyDetails: {
        resourceTypes: ['VOLUME'],
        targetTags: snapshotTags,
        schedules: [{
          name: 'daily',
          createRule: { cronExpression: 'cron(0 3 * * ? *)' },
          retainRule: { count: 7 },
          crossRegionCopyRules: [
            { target: 'eu-central-1', encrypted: true, retainRule: { interval: 7, intervalUnit: 'DAYS' } },
            { target: 'eu-north-1', encrypted: false, retainRule: { interval: 7, intervalUnit: 'DAYS' } },
            { target: 'us-east-1', encrypted: true },
          ],
        }],
      },
    });
    // An L1 DB instance and cluster without a DeletionPolicy: CloudFormation's default applies.
    const instance = smallInstance(stack, 'Instance');
    new rds.CfnDBInstance(stack, 'BackedUpReplica', {
      dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: instance.ref, backupRetentionPeriod: 7, preferredBackupWindow: '01:00-02:00',
    });
    new rds.CfnDBInstance(stack, 'PlainReplica', { dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: instance.ref });
    new rds.CfnDBInstance(stack, 'ForeignReplica', {
      dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: 'arn:aws:rds:eu-west-1:111111111111:db:elsewhere', backupRetentionPeriod: 3,
    });
    // A DeletionPolicy chosen at deployment (AWS::LanguageExtensions): not known at synth.
    const policy = new CfnParameter(stack, 'VolumePolicy', { allowedValues: ['Delete', 'Retain'] });
    const parameterVolume = new ec2.CfnVolume(stack, 'ParameterVolume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, encrypted: true });
    parameterVolume.addOverride('DeletionPolicy', { Ref: policy.logicalId });
    parameterVolume.addOverride('UpdateReplacePolicy', { Ref: policy.logicalId });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-mysql', storageEncrypted: true });
    new rds.CfnDBInstance(stack, 'ClusterInstance', { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: 'cluster' });
    const topic = new sns.CfnTopic(stack, 'VaultEvents');
    BackupMetadata.describe(topic, { role: BackupRole.NOTIFICATION, description: 'vault events' });
    const vault = new backup.CfnBackupVault(stack, 'Vault', {
      backupVaultName: 'vault',
      notifications: { snsTopicArn: topic.ref, backupVaultEvents: ['BACKUP_JOB_FAILED', 'COPY_JOB_FAILED'] },
    });
    vault.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE;
    vault.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    // A Deny of another action beside an Allow of DeleteRecoveryPoint; a Deny with an exception.
    const looseVault = new backup.CfnBackupVault(stack, 'LooseVault', {
      backupVaultName: 'loose',
      accessPolicy: { Version: '2012-10-17', Statement: [
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'backup:PutBackupVaultAccessPolicy', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'backup:DeleteRecoveryPoint', Resource: '*' },
      ] },
    });
    const conditionalVault = new backup.CfnBackupVault(stack, 'ConditionalVault', {
      backupVaultName: 'conditional',
      accessPolicy: { Version: '2012-10-17', Statement: [
        { Effect: 'Deny', Principal: '*', Action: 'backup:DeleteRecoveryPoint', Resource: '*', Condition: { StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/admin' } } },
      ] },
    });
    // A vault kept on stack deletion but deleted when an update replaces it (if it holds no recovery points).
    const replacedVault = new backup.CfnBackupVault(stack, 'ReplacedVault', { backupVaultName: 'replaced' });
    replacedVault.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    replacedVault.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
    const rule = (ruleName: string, targetBackupVault: string): backup.CfnBackupPlan.BackupRuleResourceTypeProperty => ({
      ruleName, targetBackupVault, scheduleExpression: 'cron(0 3 * * ? *)', lifecycle: { deleteAfterDays: 7 },
    });
    // A vault of the same name in another region: a copy goes to the vault of its ARN's region, or to one not in the assembly.
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: '111111111111', region: 'eu-central-1' } });
    new backup.CfnBackupVault(elsewhere, 'Vault', { backupVaultName: 'vault' });
    const copyTo = (region: string): backup.CfnBackupPlan.CopyActionResourceTypeProperty => ({ destinationBackupVaultArn: `arn:aws:backup:${region}:111111111111:backup-vault:vault` });
    const plan = new backup.CfnBackupPlan(stack, 'Plan', {
      backupPlan: { backupPlanName: 'plan', backupPlanRule: [rule('Daily', vault.ref), { ...rule('Loose', looseVault.ref), copyActions: [copyTo('eu-central-1'), copyTo('us-east-2')] }, rule('Conditional', conditionalVault.ref), rule('Replaced', replacedVault.ref),
        { ...rule('Forever', vault.ref), lifecycle: { deleteAfterDays: -1, moveToColdStorageAfterDays: -1 } }] },
    });
    new backup.CfnBackupSelection(stack, 'Selection', {
      backupPlanId: plan.ref,
      backupSelection: { selectionName: 'instance', iamRoleArn: 'arn:aws:iam::111111111111:role/backup', resources: [`arn:aws:rds:eu-west-1:111111111111:db:${instance.ref}`] },
    });
    // Buckets listed by a selection: AWS Backup backs up only the one with versioning enabled.
    const unversioned = new s3.CfnBucket(stack, 'UnversionedBucket');
    const versioned = new s3.CfnBucket(stack, 'VersionedBucket', { versioningConfiguration: { status: 'Enabled' } });
    new backup.CfnBackupSelection(stack, 'BucketSelection', {
      backupPlanId: plan.ref,
      backupSelection: { selectionName: 'buckets', iamRoleArn: 'arn:aws:iam::111111111111:role/backup', resources: [unversioned.attrArn, versioned.attrArn] },
    });
    // A backup store replicated to a bucket made elsewhere.
    const store = new s3.CfnBucket(stack, 'Store', {
      versioningConfiguration: { status: 'Enabled' },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::made-elsewhere' } }],
      },
    });
    BackupMetadata.describe(store, { role: BackupRole.BACKUP_STORE, description: 'dumps' });
    // A backup store replicated in part: a prefix, a prefix and a tag, a rule without Filter (Prefix), a disabled rule, a rule with a token status.
    const replicationStatus = new CfnParameter(stack, 'ReplicationStatus', { allowedValues: ['Enabled', 'Disabled'] });
    const partialStore = new s3.CfnBucket(stack, 'PartialStore', {
      versioningConfiguration: { status: 'Enabled' },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [
          { status: 'Enabled', priority: 1, filter: { prefix: 'dumps/' }, deleteMarkerReplication: { status: 'Disabled' }, destination: { bucket: 'arn:aws:s3:::copies' } },
          { status: 'Enabled', priority: 2, filter: { and: { prefix: 'logs/', tagFilters: [{ key: 'keep', value: 'yes' }] } }, deleteMarkerReplication: { status: 'Disabled' }, destination: { bucket: 'arn:aws:s3:::copies' } },
          { status: 'Enabled', priority: 3, filter: { tagFilter: { key: 'tier', value: 'gold' } }, deleteMarkerReplication: { status: 'Disabled' }, destination: { bucket: 'arn:aws:s3:::copies' } },
          { status: 'Disabled', priority: 4, filter: {}, deleteMarkerReplication: { status: 'Disabled' }, destination: { bucket: 'arn:aws:s3:::disabled-copies' } },
          // A status chosen at deployment: whether S3 copies is not known at synth.
          { status: replicationStatus.valueAsString, priority: 5, filter: {}, deleteMarkerReplication: { status: 'Disabled' }, destination: { bucket: 'arn:aws:s3:::chosen-copies' } },
        ],
      },
    });
    BackupMetadata.describe(partialStore, { role: BackupRole.BACKUP_STORE, description: 'partly replicated' });
    const legacyStore = new s3.CfnBucket(stack, 'LegacyStore', {
      versioningConfiguration: { status: 'Enabled' },
      replicationConfiguration: { role: 'arn:aws:iam::111111111111:role/replication', rules: [{ status: 'Enabled', prefix: 'old/', destination: { bucket: 'arn:aws:s3:::copies' } }] },
    });
    BackupMetadata.describe(legacyStore, { role: BackupRole.BACKUP_STORE, description: 'replicated by a rule without Filter' });
    // Buckets without policies, retained only on deletion, and emptied by CDK's auto-delete-objects custom resource.
    new s3.CfnBucket(stack, 'PlainBucket');
    const retainedBucket = new s3.CfnBucket(stack, 'RetainedBucket');
    retainedBucket.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    retainedBucket.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
    new s3.Bucket(stack, 'AutoDeleted', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    // A DB instance that is kept as a snapshot both on deletion and on replacement.
    const snapshotted = smallInstance(stack, 'Snapshotted');
    snapshotted.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
    snapshotted.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.SNAPSHOT;
  });
});

/** The locks of a vault without DeletionPolicy or UpdateReplacePolicy: CloudFormation deletes it, if it holds no recovery points. */
const DELETED_VAULT = ['vault DELETED with the stack if it holds no recovery points', 'vault DELETED when an update replaces it if it holds no recovery points (no UpdateReplacePolicy)'];

describe('settings a template leaves to a default', () => {
  test('a bucket without versioning that a selection lists has no AWS Backup tier (its jobs would fail); a versioned one has', () => {
    expect(row('Defaults/UnversionedBucket').tiers).toEqual([]);
    expect(row('Defaults/VersionedBucket').tiers.map((tier) => tier.tier)).toEqual(['Daily', 'Loose', 'Conditional', 'Replaced', 'Forever']);
  });

  test('an encrypted volume without a key is encrypted with the account\'s default EBS key of its region, which the template does not name', () => {
    const volume = row('Defaults/KeylessVolume');
    expect(volume.encryption).toBe('the account\'s default EBS key in eu-west-1 (aws/ebs unless the account set another; not in the template)');
    expect(volume.tiers[0].encryptionKey).toBe(volume.encryption);
  });

  test('a volume without Encrypted is unencrypted only if EBS encryption by default is off, which the template does not say', () => {
    const volume = row('Defaults/PlainVolume');
    expect(volume.encryption).toBe('not encrypted unless EBS encryption by default is on for the account in eu-west-1 (not in the template)');
    expect(volume.tiers[0].encryptionKey).toBe(volume.encryption);
  });

  test('a DLM copy without CmkArn is encrypted with the default EBS key of the target region, not said to be aws/ebs', () => {
    const [encryptedCopy, plainCopy] = row('Defaults/KeylessVolume').tiers[0].copies;
    expect(encryptedCopy.encryptionKey).toBe('the account\'s default EBS key in eu-central-1 (aws/ebs unless the account set another; not in the template)');
    // Encrypted: false still copies an encrypted snapshot encrypted, and a copy cannot use a key of another region.
    expect(plainCopy.encryptionKey).toBe('the account\'s default EBS key in eu-north-1 (aws/ebs unless the account set another; not in the template)');
  });

  test('a DLM copy of an unencrypted snapshot, Encrypted false, depends on EBS encryption by default in the target region', () => {
    const [, plainCopy] = row('Defaults/PlainVolume').tiers[0].copies;
    expect(plainCopy.encryptionKey).toBe('not encrypted unless EBS encryption by default is on for the account in eu-north-1 (not in the template)');
  });

  test('a DB instance outside a cluster, and a DB cluster, without DeletionPolicy get a final snapshot (CloudFormation\'s default)', () => {
    expect(row('Defaults/Instance').locks[0]).toBe('final snapshot on stack deletion');
    expect(row('Defaults/Cluster').locks[0]).toBe('final snapshot on stack deletion');
    // An instance of a cluster is deleted; its data is the cluster's.
    expect(row('Defaults/ClusterInstance').locks[0]).toBe('DELETED with the stack');
  });

  test('without UpdateReplacePolicy an update that replaces a resource deletes the old one: said next to the deletion policy, even where that is a final snapshot', () => {
    expect(row('Defaults/Instance').locks).toEqual(['final snapshot on stack deletion', 'DELETED when an update replaces it (no UpdateReplacePolicy)']);
    expect(row('Defaults/Cluster').locks).toEqual(['final snapshot on stack deletion', 'DELETED when an update replaces it (no UpdateReplacePolicy)']);
    expect(row('Defaults/ClusterInstance').locks).toEqual(['DELETED with the stack', 'DELETED when an update replaces it (no UpdateReplacePolicy)']);
    expect(row('Defaults/KeylessVolume').locks).toEqual(['DELETED with the stack', 'DELETED when an update replaces it (no UpdateReplacePolicy)']);
  });

  test('an UpdateReplacePolicy that keeps what the DeletionPolicy keeps adds nothing; one that keeps less is stated', () => {
    expect(row('Defaults/Snapshotted').locks).toEqual(['final snapshot on stack deletion']);
    expect(row('Defaults/RetainedBucket').locks).toEqual(['retained on stack deletion', 'DELETED if empty when an update replaces it']);
  });

  test('a bucket without DeletionPolicy is deleted with the stack only if empty; with CDK\'s auto-delete-objects custom resource it is emptied first', () => {
    expect(row('Defaults/PlainBucket').locks).toEqual(['DELETED with the stack if empty', 'DELETED if empty when an update replaces it (no UpdateReplacePolicy)']);
    expect(row('Defaults/AutoDeleted/Resource').locks).toEqual(['EMPTIED and DELETED with the stack', 'EMPTIED and DELETED when an update replaces it']);
  });

  test('each S3 replication rule says which objects it copies', () => {
    expect(row('Defaults/Store').tiers[0].copies.map((c) => c.destination)).toEqual(['bucket made-elsewhere (copy of the whole bucket)']);
    expect(row('Defaults/PartialStore').tiers[0].copies.map((c) => c.destination).slice(0, 3)).toEqual([
      'bucket copies (copy of the objects with prefix "dumps/" only)',
      'bucket copies (copy of the objects with prefix "logs/" and tag keep=yes only)',
      'bucket copies (copy of the objects with tag tier=gold only)',
    ]);
    expect(row('Defaults/LegacyStore').tiers[0].copies.map((c) => c.destination)).toEqual(['bucket copies (copy of the objects with prefix "old/" only)']);
  });

  // Before: the disabled rule and the rule with a token status were left out, as if the bucket had no such rule.
  test('a disabled S3 replication rule is shown as disabled, one whose status is a token as not known; neither has a lifetime or counts as off-site', () => {
    const copies = row('Defaults/PartialStore').tiers[0].copies;
    expect(copies.map((c) => c.status)).toEqual([undefined, undefined, undefined, 'disabled', 'not known']);
    expect(copies[3]).toMatchObject({ destination: 'bucket disabled-copies (copy of the whole bucket)', retention: 'none: the replication rule is disabled, S3 makes no copy' });
    expect(copies[4]).toMatchObject({ destination: 'bucket chosen-copies (copy of the whole bucket)', retention: 'not known: the replication rule\'s status is not known at synth (ReplicationStatus)' });
    for (const copy of copies.slice(3)) {
      expect(copy.minHours).toBeUndefined();
      expect(copy.maxHours).toBeUndefined();
    }
    const markdown = renderMarkdown(model);
    expect(markdown).toContain('→ bucket disabled-copies (copy of the whole bucket) [replication rule DISABLED: no copy]');
    expect(markdown).toContain('→ bucket chosen-copies (copy of the whole bucket) [replication rule status not known]');
    // The report's off-site counts are of the copies' `offsite`.
    expect(copies.slice(3).map((c) => c.offsite)).toEqual([false, 'not known']);
  });

  test('an instance of a cluster has no automated backups of its own (the cluster\'s retention applies)', () => {
    expect(row('Defaults/ClusterInstance').tiers).toEqual([]);
    expect(row('Defaults/Cluster').tiers.map((t) => [t.mechanism, t.retention])).toEqual([['RDS automated backups', '1 day, point-in-time restore within it']]);
  });

  test('a MySQL read replica with a retention has daily automated backups, without a point-in-time claim', () => {
    const [tier] = row('Defaults/BackedUpReplica').tiers;
    expect(tier).toMatchObject({
      mechanism: 'RDS automated backups of a read replica', schedule: 'daily in the window 01:00-02:00 UTC', retention: '7 days', minHours: 168,
    });
    expect(tier.runs).toHaveLength(7);
    expect(row('Defaults/PlainReplica').tiers).toEqual([]);
  });

  test('a read replica whose engine is not in the assembly: its automated backups are not known, and do not count as runs', () => {
    const [tier] = row('Defaults/ForeignReplica').tiers;
    expect(tier.schedule).toBe('not known: the template sets a retention of 3 days; the Amazon RDS User Guide documents automated backups of MySQL, MariaDB and Db2 read replicas, '
      + 'and this replica\'s engine is not in the assembly (its source is not)');
    expect(tier).toMatchObject({ retention: 'not known (3 days set)', runs: [] });
  });

  test('a read replica with DeletionPolicy Snapshot (here CloudFormation\'s default) gets no final snapshot: RDS takes none of a read replica', () => {
    expect(row('Defaults/PlainReplica').locks[0]).toBe('DeletionPolicy Snapshot, but RDS takes no final snapshot of a read replica');
  });

  test('a DeletionPolicy that is not a string at synth is said to be not known, not DELETED', () => {
    expect(row('Defaults/ParameterVolume').locks).toEqual(['deletion policy not known at synth: VolumePolicy']);
  });

  test('a vault kept with RetainExceptOnCreate is retained on stack deletion, as a protected resource would be', () => {
    const [daily] = row('Defaults/Instance').tiers;
    expect(daily.storedIn).toBe('vault Defaults/Vault (eu-west-1)');
    expect(daily.locks).toEqual(['vault retained on stack deletion']);
  });

  // Before: a vault's UpdateReplacePolicy was not stated, nor a DeletionPolicy that deletes it: no line at all.
  test('a vault\'s UpdateReplacePolicy is stated where it differs from its DeletionPolicy or deletes, as a bucket\'s; AWS Backup deletes only an empty vault', () => {
    const replaced = row('Defaults/Instance').tiers.find((t) => t.tier === 'Replaced')!;
    expect(replaced.locks).toEqual(['vault retained on stack deletion', 'vault DELETED when an update replaces it if it holds no recovery points']);
    // Without DeletionPolicy or UpdateReplacePolicy, CloudFormation deletes the vault in both cases.
    const loose = row('Defaults/Instance').tiers.find((t) => t.tier === 'Loose')!;
    expect(loose.locks).toEqual(['vault DELETED with the stack if it holds no recovery points', 'vault DELETED when an update replaces it if it holds no recovery points (no UpdateReplacePolicy)']);
  });

  test('a DLM copy rule without RetainRule: how long the copies are kept is not known, not the source schedule\'s retention', () => {
    const copy = row('Defaults/KeylessVolume').tiers[0].copies[2];
    expect(copy).toMatchObject({ region: 'us-east-1', retention: 'not known: the copy rule sets no RetainRule, and DLM\'s documentation does not say how long such copies are kept' });
    expect(copy.minHours).toBeUndefined();
    expect(copy.maxHours).toBeUndefined();
  });

  test('an AWS Backup lifecycle of -1 days keeps recovery points indefinitely, without a move to cold storage', () => {
    const forever = row('Defaults/Instance').tiers.find((t) => t.tier === 'Forever')!;
    expect(forever).toMatchObject({ retention: 'kept until deleted by hand', minHours: Infinity, maxHours: Infinity });
  });

  test('a copy goes to the vault of its ARN\'s region and account; one not in the assembly has its key and locks not known', () => {
    const [inAssembly, outside] = row('Defaults/Instance').tiers.find((t) => t.tier === 'Loose')!.copies;
    expect(inAssembly).toMatchObject({
      destination: 'Elsewhere/Vault', region: 'eu-central-1', encryptionKey: 'AWS-owned key of AWS Backup', locks: DELETED_VAULT,
    });
    expect(outside).toMatchObject({
      destination: 'arn:aws:backup:us-east-2:111111111111:backup-vault:vault', region: 'us-east-2',
      encryptionKey: 'not known (vault not in this assembly)', locks: ['locks not known (vault not in this assembly)'],
    });
  });

  test('a replication destination bucket not in the assembly has its encryption and locks not known, not none', () => {
    const [copy] = row('Defaults/Store').tiers[0].copies;
    expect(copy).toMatchObject({
      destination: 'bucket made-elsewhere (copy of the whole bucket)', region: 'unknown (bucket not in this assembly)',
      encryptionKey: 'not known (bucket not in this assembly)', locks: ['locks not known (bucket not in this assembly)'],
    });
  });

  test('a vault policy that denies another action and allows deleting recovery points is no lock', () => {
    const loose = row('Defaults/Instance').tiers.find((t) => t.tier === 'Loose')!;
    expect(loose.locks).toEqual(DELETED_VAULT);
  });

  test('a vault policy that denies deleting recovery points with an exception says so, rather than as a plain lock', () => {
    const conditional = row('Defaults/Instance').tiers.find((t) => t.tier === 'Conditional')!;
    expect(conditional.locks).toEqual(['vault policy denies deleting recovery points only for some principals or recovery points, or under conditions: '
      + '{"Principal":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/admin"}}}', ...DELETED_VAULT]);
  });

  test('a vault that sends its events to a notification topic is a source of that topic', () => {
    const events = model.notifications.find((n) => n.topic === 'Defaults/VaultEvents')!;
    expect(events.sources).toEqual(['vault Defaults/Vault: BACKUP_JOB_FAILED, COPY_JOB_FAILED']);
  });
});
