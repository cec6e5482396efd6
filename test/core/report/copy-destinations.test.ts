/**
 * Where the copies go: an AWS Backup copy action's destination vault and an S3 replication
 * rule's destination bucket in another stack of the assembly are found by reference (through
 * the `Fn::ImportValue` CDK writes between stacks of one environment, and through its
 * cross-region export reader and writer), so their region, key, locks and lifecycle are
 * known; a copy whose region or account is not known is "off-site not known", never counted
 * as off site.
 */
import { CfnParameter, Duration, Fn, Size, Stack, Tags } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ProtectedResource, ReportModel } from '../../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';
import { timelineSvg } from '../../../core/report/timeline';
import { rowAt } from './model-row';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';

const ACCOUNT = '111111111111';
let model: ReportModel;

function row(path: string): ProtectedResource {
  return rowAt(model, path);
}

function tableWithCopyTo(stack: Stack, id: string, destination: backup.IBackupVault): void {
  const table = new dynamodb.Table(stack, id, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const plan = new backup.BackupPlan(stack, `${id}Plan`, { backupVault: new backup.BackupVault(stack, `${id}Vault`) });
  plan.addRule(new backup.BackupPlanRule({ ruleName: 'Daily', deleteAfter: Duration.days(35), copyActions: [{ destinationBackupVault: destination, deleteAfter: Duration.days(90) }] }));
  plan.addSelection(`${id}Selection`, { resources: [backup.BackupResource.fromConstruct(table)] });
}

function storeReplicatedTo(stack: Stack, id: string, destinationArn: string, role: iam.IRole, replicaKmsKeyId?: string): void {
  const store = new s3.Bucket(stack, id, { versioned: true });
  const destination = { bucket: destinationArn, ...(replicaKmsKeyId ? { encryptionConfiguration: { replicaKmsKeyId } } : {}) };
  (store.node.defaultChild as s3.CfnBucket).replicationConfiguration = { role: role.roleArn, rules: [{ status: 'Enabled', destination }] };
  BackupMetadata.describe(store, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
}

beforeAll(() => {
  model = reportOfApp((app) => {
    // The recovery stack owns the off-site vault and bucket, in another region.
    const recovery = new Stack(app, 'Recovery', { env: { account: ACCOUNT, region: 'eu-central-1' }, crossRegionReferences: true });
    const key = new kms.Key(recovery, 'Key', { enableKeyRotation: true });
    const offSiteVault = new backup.BackupVault(recovery, 'Vault', { encryptionKey: key, lockConfiguration: { minRetention: Duration.days(7) } });
    const offSiteBucket = new s3.Bucket(recovery, 'Replicas', { versioned: true, encryptionKey: key, lifecycleRules: [{ expiration: Duration.days(30) }] });
    new kms.Alias(recovery, 'ReplicaKeyAlias', { aliasName: 'alias/recovery-replicas', targetKey: key });
    // Another stack of the primary's environment.
    const vaults = new Stack(app, 'Vaults', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const nearVault = new backup.BackupVault(vaults, 'Vault', { lockConfiguration: { minRetention: Duration.days(1) } });
    const nearBucket = new s3.Bucket(vaults, 'Copies', { versioned: true, lifecycleRules: [{ expiration: Duration.days(10) }] });

    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    BackupMetadata.describeStack(primary, { description: 'copies to other stacks', owner: 'dba@example.com' });
    const role = new iam.Role(primary, 'ReplicationRole', { assumedBy: new iam.ServicePrincipal('s3.amazonaws.com') });
    tableWithCopyTo(primary, 'AcrossRegions', offSiteVault);
    tableWithCopyTo(primary, 'AcrossStacks', nearVault);
    // An export no stack of the assembly writes: the vault's region and account are not known.
    tableWithCopyTo(primary, 'Elsewhere', backup.BackupVault.fromBackupVaultArn(primary, 'ElsewhereVaultRef', Fn.importValue('vault-made-elsewhere')));
    storeReplicatedTo(primary, 'StoreAcrossRegions', offSiteBucket.bucketArn, role);
    storeReplicatedTo(primary, 'StoreAcrossStacks', nearBucket.bucketArn, role);
    storeReplicatedTo(primary, 'StoreElsewhere', 'arn:aws:s3:::bucket-made-elsewhere', role);
    // The replica key named by the ARN of its alias, written out as the reference app does (S3 takes a key or alias ARN there).
    storeReplicatedTo(primary, 'StoreWithReplicaKey', offSiteBucket.bucketArn, role, `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/recovery-replicas`);
    // A bucket encrypted with a key named by its alias name, in the bucket's stack.
    const dataKey = new kms.Key(primary, 'DataKey', { enableKeyRotation: true });
    new kms.Alias(primary, 'DataKeyAlias', { aliasName: 'alias/primary-data', targetKey: dataKey });
    new s3.CfnBucket(primary, 'Data', { bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/primary-data' } }] } });
    // The same name in another region is another alias.
    const central = new Stack(app, 'Central', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    new kms.Alias(central, 'DataKeyAlias', { aliasName: 'alias/central-data', targetKey: new kms.Key(central, 'DataKey') });
    new s3.CfnBucket(primary, 'OtherData', { bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/central-data' } }] } });
    // Snapshots copied to a region given as a parameter: known only at deploy.
    const volume = new ec2.Volume(primary, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(8), encrypted: true });
    Tags.of(volume).add('snapshots', 'daily');
    const copyRegion = new CfnParameter(primary, 'CopyRegion', { type: 'String' });
    new dlm.CfnLifecyclePolicy(primary, 'Snapshots', {
      description: 'daily snapshots',
      state: 'ENABLED',
      executionRoleArn: role.roleArn,
      policyDetails: {
        resourceTypes: ['VOLUME'],
        targetTags: [{ key: 'snapshots', value: 'daily' }],
        schedules: [{
          name: 'daily',
          createRule: { interval: 24, intervalUnit: 'HOURS', times: ['03:00'] },
          retainRule: { count: 7 },
          crossRegionCopyRules: [{ targetRegion: copyRegion.valueAsString, encrypted: true, retainRule: { interval: 30, intervalUnit: 'DAYS' } }],
        }],
      },
    });
  });
});

describe('a copy destination in another stack of the assembly, found by reference', () => {
  // Before: the reader's attribute matched no vault name: region 'unknown', key and locks 'not known (vault not in this assembly)'.
  test('a backup copy to a vault in another region, through CDK\'s cross-region export reader and writer', () => {
    const [copy] = row('Primary/AcrossRegions/Resource').tiers[0].copies;
    expect(copy).toMatchObject({ destination: 'Recovery/Vault/Resource', region: 'eu-central-1', account: ACCOUNT, retention: '90 days', encryptionKey: 'KMS key Recovery/Key/Resource, rotated yearly' });
    expect(copy.locks).toContain('vault lock (governance mode; min 7 days)');
  });

  // Before: the imported ARN rendered as 'export Vaults:ExportsOutput...', matching no vault name.
  test('a backup copy to a vault of another stack of the environment, through Fn::ImportValue', () => {
    const [copy] = row('Primary/AcrossStacks/Resource').tiers[0].copies;
    expect(copy).toMatchObject({ destination: 'Vaults/Vault/Resource', region: 'eu-west-1', account: ACCOUNT });
    expect(copy.locks).toContain('vault lock (governance mode; min 1 day)');
  });

  // Before: region 'unknown (bucket not in this assembly)', retention 'unknown', locks not known.
  test('an S3 replica bucket in another region or stack: its region, expiry, key and locks', () => {
    const [across] = row('Primary/StoreAcrossRegions/Resource').tiers[0].copies;
    expect(across).toMatchObject({ destination: 'bucket Recovery/Replicas/Resource (copy of the whole bucket)', region: 'eu-central-1', minHours: 30 * 24, encryptionKey: 'aws:kms: KMS key Recovery/Key/Resource, rotated yearly' });
    expect(across.locks).toContain('versioning');
    const [near] = row('Primary/StoreAcrossStacks/Resource').tiers[0].copies;
    expect(near).toMatchObject({ destination: 'bucket Vaults/Copies/Resource (copy of the whole bucket)', region: 'eu-west-1', minHours: 10 * 24 });
  });
});

describe('a copy whose region or account is not known', () => {
  test('is said to be off-site not known, and counted as such, not as an off-site copy', () => {
    const markdown = renderMarkdown(model);
    expect(markdown).toContain('→ export vault-made-elsewhere (unknown, account unknown; off-site not known)');
    expect(markdown).toContain('→ bucket bucket-made-elsewhere (copy of the whole bucket) (unknown (bucket not in this assembly), account not known (bucket not in this assembly); off-site not known)');
    expect(markdown).not.toMatch(/Recovery\/Vault \(eu-central-1, account 111111111111; off-site not known\)/);
    const html = renderHtml(model);
    // Off site: the table and the two stores copied to eu-central-1; not known: the copies to what the assembly does not hold, and to a parameter's region.
    expect(html).toContain('With an off-site copy<b id="count-offsite">3</b>');
    expect(html).toContain('Off-site copy not known<b id="count-offsite-not-known" class="alert">3</b>');
  });

  // Before: account 111111111111, the source's, given as the bucket's. S3 checks a rule's
  // Destination.Account only with AccessControlTranslation: without it the bucket may be in any account.
  test('a replica bucket not in the assembly, with no Destination.Account, is in an account not known', () => {
    const [copy] = row('Primary/StoreElsewhere/Resource').tiers[0].copies;
    expect(copy.account).toBe('not known (bucket not in this assembly)');
  });

  // Before: only the timeline's lifetimes said so, and not for a copy without a lifetime.
  test('each copy in the JSON says whether it is off site: true, false or not known', () => {
    const json = JSON.parse(renderJson(model)) as ReportModel;
    const offsite = (path: string): unknown[] => json.resources.find((r) => r.path === path)!.tiers.flatMap((t) => t.copies.map((c) => c.offsite));
    expect(offsite('Primary/AcrossRegions/Resource')).toEqual([true]);
    expect(offsite('Primary/AcrossStacks/Resource')).toEqual([false]);
    expect(offsite('Primary/Elsewhere/Resource')).toEqual(['not known']);
    expect(offsite('Primary/StoreElsewhere/Resource')).toEqual(['not known']);
  });

  // Before: the Markdown had no summary; only the HTML's cards gave these counts.
  test('the Markdown summary gives the counts of the HTML cards', () => {
    const uncovered = model.resources.filter((r) => r.tiers.length === 0 && r.exemptReason === undefined).length;
    expect(uncovered).toBeGreaterThan(0);
    expect(model.summary).toEqual({
      protectedResources: model.resources.length,
      withoutTierOrExemption: uncovered,
      coverageNotKnownAtSynth: 0,
      withOffSiteCopy: 3,
      offSiteCopyNotKnown: 3,
      acknowledgedFindings: model.acknowledgements.length,
    });
    expect(renderMarkdown(model)).toContain(['## Summary', '',
      `- Protected resources: ${model.resources.length}`,
      `- Without a tier or exemption: **${uncovered}**`,
      '- Coverage not known at synth: 0',
      '- With an off-site copy: 3',
      '- Off-site copy not known: **3**',
      `- Acknowledged findings: ${model.acknowledgements.length}`].join('\n'));
  });

  // Before: the region was the parameter's JSON: 'EBS snapshot copies in [object Object]' in the text.
  test('a DLM copy to a region given as a parameter: the parameter named, off-site not known', () => {
    const [copy] = row('Primary/Volume/Resource').tiers[0].copies;
    expect(copy).toMatchObject({ destination: 'EBS snapshot copies in CopyRegion', region: 'CopyRegion' });
    expect(renderMarkdown(model)).toContain('→ EBS snapshot copies in CopyRegion (CopyRegion, account 111111111111; off-site not known)');
  });

  test('its lifetime in the timeline is neither local nor off site', () => {
    const lane = model.timeline.find((l) => l.label.startsWith('Daily') && l.lifetimes.some((life) => life.offsite === 'not known'));
    expect(lane?.lifetimes.map((life) => life.offsite)).toEqual([false, 'not known']);
    expect(timelineSvg([lane!])).toContain('class="t-offsite-unknown"');
  });
});

describe('a KMS key named by its alias\'s ARN or name, written out rather than referenced', () => {
  // Before: 'KMS key arn:aws:kms:...:alias/recovery-replicas', and a key row 'not in this assembly' with rotation and deletion not known.
  test('an alias ARN is followed to the key of the alias of that name in the ARN\'s region and account', () => {
    const [copy] = row('Primary/StoreWithReplicaKey/Resource').tiers[0].copies;
    expect(copy.encryptionKey).toBe('KMS key Recovery/Key/Resource, rotated yearly');
    const key = model.keys.find((k) => k.key === 'Recovery/Key/Resource');
    expect(key?.encrypts).toContain('replicas of Primary/StoreWithReplicaKey/Resource in Recovery/Replicas/Resource');
    expect(model.keys.filter((k) => k.logicalId === undefined).map((k) => k.key)).toEqual(['alias/central-data']);
  });

  test('an alias name is the alias of that name in the region and account of the resource that names it', () => {
    expect(row('Primary/Data').encryption).toBe('aws:kms: KMS key Primary/DataKey/Resource, rotated yearly');
    expect(row('Primary/OtherData').encryption).toBe('aws:kms: KMS key alias/central-data (not in this assembly: rotation and deletion not inspected)');
  });
});
