/**
 * The reference app, built the way `bin/app.ts` builds it and with the feature flags of
 * cdk.json, passes every compliance gate with zero unacknowledged findings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../bin/reference-app';
import { UNCHECKED_TOKEN_WARNING } from '../lib/private/unchecked-token';
import { DEFAULT_ACCOUNT, DEFAULT_PRIMARY_REGION, DEFAULT_RECOVERY_REGION, referenceSettings } from '../bin/settings';
import { appWithComplianceGates, complianceFindings, describeFindings } from './support/compliance';

/** The context `cdk synth` passes to the app: the feature flags of cdk.json. */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context;
}

describe('reference app', () => {
  test('cdk.json sets every feature flag that aws-cdk-lib recommends', () => {
    const recommended = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'));
    expect(cdkJsonContext()).toMatchObject(recommended);
  });

  // Deployed as the README says (the recovery stack first, then the primary with its key's ARN),
  // no gate finds anything; before that second step the one finding is the warning that the
  // off-site EBS snapshot copies use the recovery region's default EBS key (a warning: synth passes).
  test.each([
    ['with -c ebsCopyKeyArn: zero unacknowledged compliance findings', { ebsCopyKeyArn: `arn:aws:kms:${DEFAULT_RECOVERY_REGION}:${DEFAULT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }, ''],
    ['without it: only the warning that the off-site EBS copies use the default EBS key', {},
      'warning Construct Annotations Annotation::cdk-backup-dr:offSiteVolumeKeyMissing at BackupDrPrimary/Default'],
  ])('synthesizes both stacks %s', (_name, context, expected) => {
    const app = appWithComplianceGates({ context: { ...cdkJsonContext(), ...context } });
    const { primary, recovery } = buildReferenceApp(app);
    expect(primary.region).not.toEqual(recovery.region);
    expect(describeFindings(complianceFindings(app))).toEqual(expected);
  });

  // `cdk synth` also fails on error annotations, and on context lookups it cannot make without
  // credentials; as the CLI does, the region may come from CDK_DEFAULT_REGION.
  test.each([undefined, 'us-east-1'])('no error annotation and no lookup (CDK_DEFAULT_REGION %s)', (region) => {
    const previous = process.env.CDK_DEFAULT_REGION;
    if (region) {
      process.env.CDK_DEFAULT_REGION = region;
    }
    try {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-backup-dr-synth-')), context: cdkJsonContext() });
      buildReferenceApp(app);
      const assembly = app.synth();
      const errors = app.node.findAll().flatMap((construct) => construct.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:error')
        .map((entry) => `${construct.node.path}: ${entry.data}`));
      expect(errors).toEqual([]);
      // The reference app gives every value it checks at synth: no check was kept from running by a token.
      const unchecked = app.node.findAll().flatMap((construct) => construct.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:warning' && String(entry.data).includes(UNCHECKED_TOKEN_WARNING))
        .map((entry) => `${construct.node.path}: ${entry.data}`));
      expect(unchecked).toEqual([]);
      expect(assembly.manifest.missing ?? []).toEqual([]);
      rmSync(assembly.directory, { recursive: true, force: true });
    } finally {
      if (previous === undefined) {
        delete process.env.CDK_DEFAULT_REGION;
      } else {
        process.env.CDK_DEFAULT_REGION = previous;
      }
    }
  });

  // Dead-letter queues (failed asynchronous invocations, kept 14 days) are not listed: they hold no backup data.
  const STATEFUL_TYPES = [
    'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Backup::BackupVault', 'AWS::Logs::LogGroup',
    'AWS::EC2::Volume', 'AWS::DynamoDB::Table', 'AWS::EFS::FileSystem', 'AWS::SecretsManager::Secret',
    // Dead-letter queues: the only record of failed notifications, schedule runs and invocations.
    'AWS::SQS::Queue',
  ];
  /** Secrets derived from others, which the stack creates again: the checker's generated credentials and its connection descriptors. */
  const REGENERATED_SECRETS = /^ConsistencyChecks(CheckerCredentials|MasterConnection|ReplicaConnection)[0-9A-F]{8}$/;

  test('data is never lost by default: every stateful resource of both stacks is retained or snapshotted, on deletion and on replacement', () => {
    const app = new App({ context: cdkJsonContext() });
    const { primary, recovery } = buildReferenceApp(app);
    const lost: string[] = [];
    const counted: Record<string, number> = {};
    for (const stack of [primary, recovery]) {
      for (const [id, resource] of Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties?: { SourceDBInstanceIdentifier?: unknown } }>)) {
        if (!STATEFUL_TYPES.includes(resource.Type) || (resource.Type === 'AWS::SecretsManager::Secret' && REGENERATED_SECRETS.test(id))) {
          continue;
        }
        counted[resource.Type] = (counted[resource.Type] ?? 0) + 1;
        // RDS takes no final snapshot of a read replica: Snapshot keeps nothing of one.
        const readReplica = resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.SourceDBInstanceIdentifier !== undefined;
        const kept = readReplica ? ['Retain'] : ['Retain', 'Snapshot'];
        if (!kept.includes(resource.DeletionPolicy ?? 'Delete') || !kept.includes(resource.UpdateReplacePolicy ?? 'Delete')) {
          lost.push(`${stack.stackName}/${id} (${resource.Type}): DeletionPolicy ${resource.DeletionPolicy ?? 'Delete'}, UpdateReplacePolicy ${resource.UpdateReplacePolicy ?? 'Delete'}`);
        }
      }
    }
    expect(lost).toEqual([]);
    // The test looked at something of every kind the reference app holds data in.
    expect(counted).toMatchObject({
      'AWS::RDS::DBInstance': 2, 'AWS::S3::Bucket': 8, 'AWS::KMS::Key': 7, 'AWS::Backup::BackupVault': 3, 'AWS::EC2::Volume': 1, 'AWS::SecretsManager::Secret': 1,
    });
    expect(counted['AWS::SQS::Queue']).toBeGreaterThan(3);
    expect(counted['AWS::Logs::LogGroup']).toBeGreaterThan(10);
  });

  test('each stack is one top-level construct; the stack fields are its children; context backupOwner reaches both', () => {
    const app = new App({ context: { ...cdkJsonContext(), backupOwner: 'dba@example.com' } });
    const { primary, recovery } = buildReferenceApp(app);
    const dr = primary.backupDisasterRecovery;
    expect(dr.node.path).toEqual('BackupDrPrimary/Default');
    expect(dr.ownerEmail).toEqual('dba@example.com');
    expect(dr.recoveryRegion).toEqual(recovery.region);
    expect(primary.database).toBe(dr.database);
    expect(primary.encryptionKey).toBe(dr.encryptionKey);
    expect(primary.alarmTopic).toBe(dr.notifications.topic);
    expect(primary.backupVaults).toBe(dr.backupVaults);
    expect(primary.databaseDump).toBe(dr.databaseDump);
    expect(primary.databaseRestore).toBe(dr.databaseRestore);
    const target = recovery.backupDisasterRecoveryTarget;
    expect(target.ownerEmail).toEqual('dba@example.com');
    expect(recovery.offSiteVault).toBe(target.vault);
    expect(recovery.offSiteBuckets).toBe(target.buckets);
    expect(recovery.ebsCopyKey).toBe(target.ebsCopyKey);
    // `Default` is left out of logical ids: the children keep the ids of the hand-wired stack.
    expect(primary.getLogicalId(dr.database.master.node.defaultChild as never)).toEqual('DatabaseF44359DD');
    expect(primary.getLogicalId(dr.database.replica.node.defaultChild as never)).toEqual('DatabaseReplica3A6F4E05');
    const template = Template.fromStack(primary);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dba@example.com' });
    for (const output of ['DumpStateMachineArn', 'DailyBackupBucket', 'ArchiveBackupBucket', 'BackupNowCommand', 'DatabaseRestoreStateMachineArn',
      'DumpRestoreStateMachineArn', 'VolumeRestoreStateMachineArn', 'ObjectRestoreStateMachineArn']) {
      template.hasOutput(output, {});
    }
    Template.fromStack(recovery).hasOutput('EbsCopyKeyArn', {});
  });

  test('without -c ebsCopyKeyArn the off-site EBS copies use the default EBS key, and synth warns; with it they use the recovery stack\'s key', () => {
    const copyKeyWarnings = (app: App) => app.node.findAll().flatMap((construct) => construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning' && String(entry.data).includes('offSiteVolumeKeyMissing'))
      .map(() => construct.node.path));
    const cmkArns = (stack: Stack): Array<string | undefined> => Object.values(Template.fromStack(stack).findResources('AWS::DLM::LifecyclePolicy'))
      .flatMap((policy) => policy.Properties.PolicyDetails.Schedules.flatMap((schedule: { CrossRegionCopyRules: Array<{ CmkArn?: string }> }) => schedule.CrossRegionCopyRules.map((rule) => rule.CmkArn)));

    const byDefault = new App({ context: cdkJsonContext() });
    const defaultApp = buildReferenceApp(byDefault);
    const defaultArns = cmkArns(defaultApp.primary);
    expect(defaultArns.length).toBeGreaterThan(0);
    expect(defaultArns.map((arn) => arn ?? 'none')).toEqual(defaultArns.map(() => 'none'));
    expect(copyKeyWarnings(byDefault)).toEqual(['BackupDrPrimary/Default']);

    const keyArn = `arn:aws:kms:${DEFAULT_RECOVERY_REGION}:${DEFAULT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const withKey = new App({ context: { ...cdkJsonContext(), ebsCopyKeyArn: keyArn } });
    const keyedApp = buildReferenceApp(withKey);
    const keyedArns = cmkArns(keyedApp.primary);
    expect(keyedArns).toHaveLength(defaultArns.length);
    expect(keyedArns).toEqual(keyedArns.map(() => keyArn));
    expect(copyKeyWarnings(withKey)).toEqual([]);
  });

  describe('settings', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    afterEach(() => {
      for (const [name, value] of [['CDK_DEFAULT_ACCOUNT', saved.account], ['CDK_DEFAULT_REGION', saved.region]] as const) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
    });

    test('documented defaults without context or environment', () => {
      delete process.env.CDK_DEFAULT_ACCOUNT;
      delete process.env.CDK_DEFAULT_REGION;
      expect(referenceSettings(new App())).toEqual({ account: DEFAULT_ACCOUNT, primaryRegion: DEFAULT_PRIMARY_REGION, recoveryRegion: DEFAULT_RECOVERY_REGION });
    });

    test('the environment, then context, wins', () => {
      process.env.CDK_DEFAULT_ACCOUNT = '111111111111';
      process.env.CDK_DEFAULT_REGION = 'us-east-1';
      expect(referenceSettings(new App())).toEqual({ account: '111111111111', primaryRegion: 'us-east-1', recoveryRegion: DEFAULT_RECOVERY_REGION });
      const app = new App({ context: { account: '222222222222', primaryRegion: 'us-west-2', recoveryRegion: 'us-east-2' } });
      expect(referenceSettings(app)).toEqual({ account: '222222222222', primaryRegion: 'us-west-2', recoveryRegion: 'us-east-2' });
    });

    test('the recovery region must differ from the primary region', () => {
      const app = new App({ context: { primaryRegion: 'eu-central-1', recoveryRegion: 'eu-central-1' } });
      expect(() => referenceSettings(app)).toThrow(/'recoveryRegion' must differ from the primary region, got eu-central-1 for both/);
    });
  });
});
