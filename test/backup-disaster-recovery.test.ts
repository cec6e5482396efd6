import { App, Aws, CfnElement, CfnParameter, Duration, Lazy, Size, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ArchiveFrequency,
  BackupDisasterRecovery,
  BackupDisasterRecoveryProps,
  BackupDisasterRecoveryTarget,
  BackupDisasterRecoveryTargetProps,
  BackupCoverage,
  ReplicatedMySqlEngine,
  RetentionPolicy,
} from '../lib';
import { appWithComplianceGates, complianceFindings, describeFindings } from './support/compliance';
import { UNCHECKED_TOKEN_WARNING } from '../lib/private/unchecked-token';

const ACCOUNT = '123456789012';
const PRIMARY_REGION = 'eu-west-1';
const RECOVERY_REGION = 'eu-central-1';
const OWNER = 'dba-team@example.com';
const OFFSITE_VAULT_ARN = `:backup:${RECOVERY_REGION}:${ACCOUNT}:backup-vault:cdk-backup-dr-offsite`;

type PrimaryOverrides = Partial<BackupDisasterRecoveryProps>;

/** A primary-region stack with a VPC (public, private with egress, isolated subnets) and the construct. */
function primary(app: App = new App(), overrides: (stack: Stack) => PrimaryOverrides = () => ({})) {
  const stack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  stack.node.setContext(`availability-zones:account=${ACCOUNT}:region=${PRIMARY_REGION}`, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 3,
    natGateways: 1,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const dr = new BackupDisasterRecovery(stack, 'Dr', { vpc, ownerEmail: OWNER, recoveryRegion: RECOVERY_REGION, ...overrides(stack) });
  return { app, stack, vpc, dr };
}

/** A recovery-region stack with the target. */
function recovery(app: App = new App(), overrides: Partial<BackupDisasterRecoveryTargetProps> = {}) {
  const stack = new Stack(app, 'Recovery', { env: { account: ACCOUNT, region: RECOVERY_REGION } });
  const target = new BackupDisasterRecoveryTarget(stack, 'Target', { ownerEmail: OWNER, ...overrides });
  return { app, stack, target };
}

/** The resources of a type whose JSON contains a string. */
function resourcesMentioning(template: Template, type: string, text: string): string[] {
  return Object.entries(template.findResources(type)).filter(([, r]) => JSON.stringify(r).includes(text)).map(([id]) => id);
}

describe('BackupDisasterRecovery defaults', () => {
  let built: ReturnType<typeof primary>;
  let template: Template;
  beforeAll(() => {
    built = primary();
    template = Template.fromStack(built.stack);
  });

  test('the replicated pair: two encrypted instances with deletion protection, the master snapshotted on delete and the replica (of which RDS takes no final snapshot) retained, with the construct\'s key', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    const keyRef = { 'Fn::GetAtt': [built.stack.getLogicalId(built.dr.encryptionKey.node.defaultChild as CfnElement), 'Arn'] };
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({ DeletionProtection: true, StorageEncrypted: true, KmsKeyId: keyRef }),
    });
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: true, SourceDBInstanceIdentifier: Match.anyValue() }),
    });
  });

  test('the daily dump pauses replication: the replica\'s alarms wait out its longest pause (6 h 45 min) and the catch-up after it', () => {
    const properties = (alarm: cloudwatch.IAlarm) => template.toJSON().Resources[built.stack.getLogicalId(alarm.node.defaultChild as CfnElement)].Properties;
    expect(properties(built.dr.database.replicationStoppedAlarm)).toMatchObject({ Period: 300, EvaluationPeriods: 84, DatapointsToAlarm: 84 });
    expect(properties(built.dr.database.replicaLagAlarm)).toMatchObject({ Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  });

  test('the drift check runs daily at 15:00 UTC, outside the dump\'s replication pause (from 03:00 UTC, up to 6 h 45 min), not at a time of day set by the deployment', () => {
    const schedule = (description: RegExp) => Object.values(template.findResources('AWS::Scheduler::Schedule', { Properties: { Description: Match.stringLikeRegexp(description.source) } }))
      .map((resource) => resource.Properties.ScheduleExpression);
    expect(schedule(/^Drift check of/)).toEqual(['cron(0 15 * * ? *)']);
    expect(built.dr.databaseDump.replicationPauseLimit?.toMinutes()).toBe(6 * 60 + 45);
    expect(Object.values(template.findResources('AWS::Scheduler::Schedule')).map((resource) => resource.Properties.ScheduleExpression)).toContain('cron(0 3 * * ? *)');
  });

  test('a new rotated, retained key whose policy lets CloudWatch Logs of the region use it', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        Description: 'cdk-backup-dr: the data, backups and logs of Primary/Dr',
        KeyPolicy: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: `logs.${PRIMARY_REGION}.amazonaws.com` } })]),
        }),
      }),
    });
  });

  test('AWS Backup: the full ladder copied to the recovery region\'s vault by name, and point-in-time recovery of the master', () => {
    template.resourceCountIs('AWS::Backup::BackupVault', 2);
    template.resourceCountIs('AWS::Backup::BackupPlan', 2);
    const plans = template.findResources('AWS::Backup::BackupPlan');
    const tiers = Object.values(plans).find((plan) => plan.Properties.BackupPlan.BackupPlanName.endsWith('-tiers'));
    const rules = tiers!.Properties.BackupPlan.BackupPlanRule as Array<{ RuleName: string; CopyActions?: unknown[] }>;
    expect(rules.map((rule) => rule.RuleName)).toEqual(['Rolling', 'Weekly', 'Fortnightly', 'Monthly', 'Quarterly', 'HalfYearly', 'Yearly']);
    for (const rule of rules) {
      expect(JSON.stringify(rule.CopyActions)).toContain(OFFSITE_VAULT_ARN);
    }
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({ BackupPlanRule: [Match.objectLike({ EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: 14 } })] }),
    });
    template.resourceCountIs('AWS::Backup::BackupSelection', 2);
  });

  test('DLM snapshots every tier of the volumes tagged cdk-backup-dr:snapshots=tiers, copied to the recovery region', () => {
    template.resourceCountIs('AWS::DLM::LifecyclePolicy', 2);
    const policies = Object.values(template.findResources('AWS::DLM::LifecyclePolicy'));
    for (const policy of policies) {
      expect(policy.Properties.PolicyDetails.TargetTags).toEqual([{ Key: 'cdk-backup-dr:snapshots', Value: 'tiers' }]);
      for (const schedule of policy.Properties.PolicyDetails.Schedules) {
        expect(schedule.CrossRegionCopyRules).toEqual([expect.objectContaining({ Target: RECOVERY_REGION, Encrypted: true })]);
        expect(schedule.CrossRegionCopyRules[0].CmkArn).toBeUndefined();
      }
    }
    // Without `offSiteVolumeKey` the copies use the recovery region's default EBS key: synth says so.
    const warnings = Annotations.fromStack(built.stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('offSiteVolumeKeyMissing'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(/^Primary\/Dr: the off-site copies of the EBS snapshots in eu-central-1 are encrypted with that region's default EBS key .*not a customer-managed key of this library: give `offSiteVolumeKey`/),
    ]);
    expect(BackupDisasterRecovery.DEFAULT_VOLUME_TAG_KEY).toEqual('cdk-backup-dr:snapshots');
    expect(BackupDisasterRecovery.DEFAULT_VOLUME_TAG_VALUE).toEqual('tiers');
  });

  test('the dump buckets are retained and replicate to the target\'s deterministic bucket names', () => {
    const daily = resourcesMentioning(template, 'AWS::S3::Bucket', `:s3:::cdk-backup-dr-daily-`);
    const archive = resourcesMentioning(template, 'AWS::S3::Bucket', `:s3:::cdk-backup-dr-archive-`);
    expect(daily).toHaveLength(1);
    expect(archive).toHaveLength(1);
    expect(JSON.stringify(template.toJSON().Resources[daily[0]])).toContain(`-${RECOVERY_REGION}`);
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toEqual('Retain');
    }
  });

  test('the daily dump, the restore workflows and their schedules', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 5);
    // The dump, the drift check, the freshness check, the restore drill and the drill-age check.
    template.resourceCountIs('AWS::Scheduler::Schedule', 5);
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 4 1 * ? *)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HoursSinceLastDrill', Threshold: 31 * 24 + 48, TreatMissingData: 'breaching' });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      Tags: Match.arrayWith([{ Key: 'cdk-backup-dr:workflow', Value: 'database' }]),
    });
  });

  test('the owner is subscribed by email and receives failed AWS Backup jobs and every alarm', () => {
    const topicRef = { Ref: built.stack.getLogicalId(built.dr.notifications.topic.node.defaultChild as CfnElement) };
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: OWNER, TopicArn: topicRef });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.backup'] }),
      Targets: [Match.objectLike({ Arn: topicRef })],
    });
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(10);
    for (const [id, alarm] of alarms) {
      expect([id, alarm.Properties.AlarmActions]).toEqual([id, expect.arrayContaining([topicRef])]);
    }
  });

  test('replication that breaks reaches the owner at once, any time of day, during the dump\'s pause too: the replica\'s RDS error events go to the topic, with what to do', () => {
    const { stack, dr } = built;
    const topicRef = { Ref: stack.getLogicalId(dr.notifications.topic.node.defaultChild as CfnElement) };
    const rule = dr.database.node.findChild('ReplicationErrors');
    const resource = template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as CfnElement)];
    expect(resource.Properties.EventPattern).toEqual({
      'source': ['aws.rds'],
      'detail-type': ['RDS DB Instance Event'],
      'resources': [stack.resolve(dr.database.replica.instanceArn)],
      // Not RDS-EVENT-0062, the manual stop the dump's pause makes.
      'detail': { EventID: ['RDS-EVENT-0045', 'RDS-EVENT-0057'] },
    });
    const queue = stack.getLogicalId(dr.notifications.node.findChild('UndeliveredEvents').node.defaultChild as CfnElement);
    const [target] = resource.Properties.Targets;
    expect(target).toMatchObject({ Arn: topicRef, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 10 } });
    expect(target.InputTransformer.InputPathsMap).toEqual({
      'detail-EventID': '$.detail.EventID', 'time': '$.time', 'detail-Message': '$.detail.Message', 'detail-SourceArn': '$.detail.SourceArn',
    });
    // One JSON string, which EventBridge decodes before delivery: its lines reach the owner unquoted
    // (a template of one JSON string per line would reach them with each line in quotes).
    const inputTemplate: string = target.InputTransformer.InputTemplate;
    expect(inputTemplate.startsWith('"') && inputTemplate.endsWith('"')).toBe(true);
    expect(inputTemplate.slice(1, -1).split('\\n')).toEqual([
      'Replication to the read replica Primary/Dr/Database/Replica broke: RDS reported <detail-EventID> at <time>: <detail-Message>',
      'Replica: <detail-SourceArn>',
      'What to do: connect to the replica and read SHOW REPLICA STATUS: which replication thread stopped and its last error (Last_IO_Error, Last_SQL_Error).',
      'If replication stays stopped, the stopped-replication alarm Primary/Dr/Database/ReplicationStoppedAlarm pages later: it waits out the longest pause a job may make (6 hours 45 minutes) plus 15 minutes.',
    ]);
    expect(resource.Metadata['cdk-backup-dr']).toEqual({ role: 'alarm', owner: OWNER, description: 'Replication to the read replica broke (RDS read replica error events)' });
    // One dead-letter queue for every rule that reaches the owner.
    expect(resourcesMentioning(template, 'AWS::Events::Rule', queue).sort()).toEqual([
      stack.getLogicalId(dr.notifications.node.findChild('FailedBackupJobs').node.defaultChild as CfnElement),
      stack.getLogicalId(rule.node.defaultChild as CfnElement),
    ].sort());
  });

  test('the replication-error message names the longest pause allowed at synth, also one a later job allows', () => {
    const { stack, dr } = primary();
    dr.database.allowReplicationPauses(Duration.hours(10));
    const rule = dr.database.node.findChild('ReplicationErrors');
    const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as CfnElement)];
    const lines: string[] = resource.Properties.Targets[0].InputTransformer.InputTemplate.slice(1, -1).split('\\n');
    expect(lines[3]).toBe('If replication stays stopped, the stopped-replication alarm Primary/Dr/Database/ReplicationStoppedAlarm pages later: it waits out the longest pause a job may make (10 hours) plus 15 minutes.');
  });

  test('the restore drills prove the objectives: the latest restorable time, alarms at the RPO (1 hour) and the RTO (4 hours)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryTimeMinutes', Threshold: 240 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryPointMinutes', Threshold: 60 });
    const drills = Object.values(template.findResources('AWS::Scheduler::Schedule', { Properties: { Description: Match.stringLikeRegexp('^Restore drill of') } }));
    expect(drills).toHaveLength(1);
    expect(JSON.parse(drills[0].Properties.Target.Input)).toEqual({ kind: 'point-in-time', restoreTime: 'latest', drill: true });
  });

  test('the consistency checks check every tier, including the off-site vault by name', () => {
    expect(built.dr.consistencyChecks.freshnessChecks.map((check) => check.kind))
      .toEqual(['rds-snapshot', 'recovery-point', 'recovery-point', 'daily-dump', 'yearly-archive', 'daily-dump', 'yearly-archive']);
    for (const tier of ['automated', 'rolling', 'off-site', 'daily-dump', 'yearly', 'daily-dump-off-site', 'yearly-off-site']) {
      expect([tier, resourcesMentioning(template, 'AWS::Lambda::Function', `\\"tier\\":\\"${tier}\\"`)]).toEqual([tier, [expect.any(String)]]);
    }
    expect(resourcesMentioning(template, 'AWS::Lambda::Function', '\\"backupVaultName\\":\\"cdk-backup-dr-offsite\\"')).toHaveLength(1);
  });

  test('the dashboard, and the owner and objectives in the stack metadata', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const metric of ['NumberOfBackupJobsFailed', 'ReplicaLag', 'CheckStatus', 'BackupAgeHours', 'RecoveryTimeMinutes']) {
      expect([metric, body.includes(metric)]).toEqual([metric, true]);
    }
    expect(body.match(/BackupAgeHours/g)).toHaveLength(7);
    expect(template.toJSON().Metadata).toEqual({ 'cdk-backup-dr': { owner: OWNER, rpoMinutes: 60, rtoMinutes: 240 } });
  });

  test('every child is a public field', () => {
    const dr = built.dr;
    expect(dr.ownerEmail).toEqual(OWNER);
    expect(dr.recoveryRegion).toEqual(RECOVERY_REGION);
    expect(dr.recoveryPointObjective.toMinutes()).toEqual(60);
    expect(dr.recoveryTimeObjective.toMinutes()).toEqual(240);
    expect(dr.retentionPolicy.offSiteCopies).toEqual([{ region: RECOVERY_REGION }]);
    for (const child of [dr.notifications, dr.database, dr.backupVaults, dr.volumeSnapshots, dr.backupBuckets, dr.databaseDump, dr.consistencyChecks,
      dr.databaseRestore, dr.restoreDrills, dr.dumpRestore, dr.volumeRestore, dr.objectRestore, dr.dashboard]) {
      expect(child.node.scope).toBe(dr);
    }
    expect(dr.coverage).toBeDefined();
  });
});

describe('BackupDisasterRecovery coverage guard', () => {
  test('an uncovered bucket in the stack fails the synth; a tagged volume and an exempted bucket pass', () => {
    const { app, stack } = primary();
    const volume = new ec2.Volume(stack, 'AppVolume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), encrypted: true });
    Tags.of(volume).add(BackupDisasterRecovery.DEFAULT_VOLUME_TAG_KEY, BackupDisasterRecovery.DEFAULT_VOLUME_TAG_VALUE);
    BackupCoverage.exempt(new s3.Bucket(stack, 'Scratch'), 'Scratch space rebuilt from the dumps; nothing to restore.');
    new s3.Bucket(stack, 'Uncovered');
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/S3 bucket \w+ \(Primary\/Uncovered\/Resource\) is not covered by any backup tier/);
    expect(message).not.toMatch(/Scratch|AppVolume/);
  });

  test('a volume with the tag is covered by the DLM policies', () => {
    const { app, stack } = primary();
    const volume = new ec2.Volume(stack, 'AppVolume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), encrypted: true });
    Tags.of(volume).add(BackupDisasterRecovery.DEFAULT_VOLUME_TAG_KEY, BackupDisasterRecovery.DEFAULT_VOLUME_TAG_VALUE);
    expect(() => app.synth()).not.toThrow();
    const untagged = primary(new App());
    new ec2.Volume(untagged.stack, 'Untagged', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), encrypted: true });
    expect(() => untagged.app.synth()).toThrow(/EBS volume \w+ \(Primary\/Untagged\/Resource\) is not covered/);
  });
});

describe('BackupDisasterRecovery overrides', () => {
  test('encryptionKey: used for the database and the topic, no key of its own', () => {
    let key: kms.IKey | undefined;
    const { stack, dr } = primary(new App(), (s) => {
      key = new kms.Key(s, 'TeamKey', { enableKeyRotation: true });
      return { encryptionKey: key };
    });
    expect(dr.encryptionKey).toBe(key);
    const template = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key!.node.defaultChild as CfnElement);
    expect(resourcesMentioning(template, 'AWS::KMS::Key', 'cdk-backup-dr: the data, backups and logs')).toEqual([]);
    template.hasResourceProperties('AWS::RDS::DBInstance', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('retentionPolicy, recovery objectives, volumeTags and offSiteVolumeKey', () => {
    const { stack, dr } = primary(new App(), (s) => ({
      retentionPolicy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: RECOVERY_REGION }] }),
      recoveryPointObjective: Duration.minutes(15),
      recoveryTimeObjective: Duration.hours(2),
      volumeTags: { 'team:backup': 'yes' },
      offSiteVolumeKey: kms.Key.fromKeyArn(s, 'CopyKey', `arn:aws:kms:${RECOVERY_REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
    }));
    const template = Template.fromStack(stack);
    const plans = Object.values(template.findResources('AWS::Backup::BackupPlan'));
    const tiers = plans.find((plan) => plan.Properties.BackupPlan.BackupPlanName.endsWith('-tiers'));
    expect(tiers!.Properties.BackupPlan.BackupPlanRule.map((rule: { RuleName: string }) => rule.RuleName)).toEqual(['Rolling']);
    expect(template.toJSON().Metadata).toEqual({ 'cdk-backup-dr': { owner: OWNER, rpoMinutes: 15, rtoMinutes: 120 } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryTimeMinutes', Threshold: 120 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RecoveryPointMinutes', Threshold: 15 });
    const dlm = Object.values(template.findResources('AWS::DLM::LifecyclePolicy'));
    expect(dlm).toHaveLength(1);
    expect(dlm[0].Properties.PolicyDetails.TargetTags).toEqual([{ Key: 'team:backup', Value: 'yes' }]);
    expect(dlm[0].Properties.PolicyDetails.Schedules[0].CrossRegionCopyRules[0].CmkArn).toEqual(`arn:aws:kms:${RECOVERY_REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('offSiteVolumeKeyMissing'))).toEqual([]);
    // Given tags, the freshness check also checks the newest snapshot with them.
    expect(dr.consistencyChecks.freshnessChecks.map((check) => check.kind)).toContain('ebs-snapshot');
    expect(resourcesMentioning(template, 'AWS::Lambda::Function', 'team:backup')).toHaveLength(1);
  });

  test('offSiteVolumeKey covers recoveryRegion only: a further copy region without a key warns', () => {
    const { stack } = primary(new App(), (s) => ({
      retentionPolicy: RetentionPolicy.rolling48Hours({ offSiteCopies: [{ region: RECOVERY_REGION }, { region: 'eu-north-1' }] }),
      offSiteVolumeKey: kms.Key.fromKeyArn(s, 'CopyKey', `arn:aws:kms:${RECOVERY_REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
    }));
    const warnings = Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('offSiteVolumeKeyMissing'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(/^Primary\/Dr: the off-site copies of the EBS snapshots in eu-north-1 are encrypted .*\(`offSiteVolumeKey` covers `recoveryRegion` only\)/),
    ]);
  });

  test('driftCheckExcludeTables: passed to the drift check and named in its metadata', () => {
    const { stack } = primary(new App(), () => ({ driftCheckExcludeTables: ['shop.audit_log', 'shop.sessions'] }));
    const template = Template.fromStack(stack);
    const [driftCheck] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('row by row') } }));
    expect(driftCheck.Properties.Environment.Variables.EXCLUDE_TABLES).toBe('shop.audit_log,shop.sessions');
    expect(JSON.stringify(driftCheck.Metadata)).toContain('Compares the replica with the master row by row, except the tables shop.audit_log, shop.sessions');
  });

  test('driftCheckDatabases: passed to the drift check and named in its metadata with the excluded tables', () => {
    const { stack } = primary(new App(), () => ({ driftCheckDatabases: ['shop', 'billing'], driftCheckExcludeTables: ['shop.sessions'] }));
    const template = Template.fromStack(stack);
    const [driftCheck] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('row by row') } }));
    expect(driftCheck.Properties.Environment.Variables.DATABASES).toBe('shop,billing');
    expect(JSON.stringify(driftCheck.Metadata)).toContain('Compares the replica with the master row by row in the databases shop, billing, except the tables shop.sessions');
  });

  // Before: accepted; the drift check compared the database twice, or another was meant.
  test.each([
    [{ driftCheckDatabases: ['shop', 'shop'] }, /\/Dr: `driftCheckDatabases` may name each database once, got 'shop' twice \(\[0\] and \[1\]\)$/],
    [{ driftCheckExcludeTables: ['shop.sessions', 'shop.cart', 'shop.sessions'] }, /\/Dr: `driftCheckExcludeTables` may name each table once, got 'shop.sessions' twice \(\[0\] and \[2\]\)$/],
  ])('a repeated drift check entry is refused at synth: %j', (props, message) => {
    expect(() => primary(new App(), () => props)).toThrow(message);
  });

  test('driftCheckDatabases: a name that is not a database name is refused at synth, naming the value', () => {
    expect(() => primary(new App(), () => ({ driftCheckDatabases: ['shop; DROP'] }))).toThrow(/ConsistencyChecks: `databases` must hold database names .* got 'shop; DROP'/);
  });

  test('database options pass through to the pair and the dump job (MariaDB)', () => {
    const { stack, dr } = primary(new App(), () => ({
      database: {
        engine: ReplicatedMySqlEngine.MARIADB,
        masterInstanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
        allocatedStorage: 200,
        backupRetention: Duration.days(21),
      },
    }));
    expect(dr.database.engine).toEqual(ReplicatedMySqlEngine.MARIADB);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'mariadb', DBInstanceClass: 'db.r7g.xlarge', AllocatedStorage: '200', BackupRetentionPeriod: 21 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Image: 'public.ecr.aws/docker/library/mariadb:11.8' })]),
    });
  });

  test('target: vault lock, source accounts and the primary region', () => {
    const { stack, target } = recovery(new App(), { vaultLock: { minRetention: Duration.days(7) }, sourceAccounts: ['210987654321'], primaryRegion: PRIMARY_REGION });
    const template = Template.fromStack(stack);
    expect(target.ownerEmail).toEqual(OWNER);
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'cdk-backup-dr-offsite',
      LockConfiguration: Match.objectLike({ MinRetentionDays: 7 }),
      AccessPolicy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCopyFromSourceAccounts' })]),
      }),
    });
  });
});

describe('BackupDisasterRecoveryTarget defaults', () => {
  test('the locked vault, the replica buckets by name, the EBS copy key and the stack metadata', () => {
    const { stack, target } = recovery();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Backup::BackupVault', 1);
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ BackupVaultName: 'cdk-backup-dr-offsite', LockConfiguration: Match.objectLike({ MinRetentionDays: 1, ChangeableForDays: 3 }) }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: { 'Fn::Join': ['', ['cdk-backup-dr-daily-', { Ref: 'AWS::AccountId' }, `-${RECOVERY_REGION}`]] } });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: { 'Fn::Join': ['', ['cdk-backup-dr-archive-', { Ref: 'AWS::AccountId' }, `-${RECOVERY_REGION}`]] } });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: BackupDisasterRecoveryTarget.EBS_COPY_KEY_ALIAS });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Description: 'cdk-backup-dr: encrypts the off-site copies of the EBS snapshots', EnableKeyRotation: true }) });
    expect(template.toJSON().Metadata).toEqual({ 'cdk-backup-dr': { owner: OWNER } });
    expect(target.vault.backupVaultName).toEqual('cdk-backup-dr-offsite');
    expect(target.buckets.node.scope).toBe(target);
    expect(target.ebsCopyKey).toBeDefined();
    expect(target.coverage).toBeDefined();
  });

  test('its coverage guard exempts the access-log bucket and fails on an uncovered bucket', () => {
    const { app, stack } = recovery();
    new s3.Bucket(stack, 'Stray');
    expect(() => app.synth()).toThrow(/\(Recovery\/Stray\/Resource\) is not covered/);
  });
});

/** A resolved value as text: an Fn::Join joined, each `Ref` written as `<name>`, a list joined by commas. */
function flat(stack: Stack, value: unknown): string {
  const resolved = stack.resolve(value) as unknown;
  const part = (item: unknown): string => {
    if (typeof item === 'string') {
      return item;
    }
    if (item === undefined || Array.isArray(item)) {
      return (item ?? []).map(part).join(',');
    }
    const join = (item as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) {
      return join[1].map(part).join(join[0]);
    }
    const ref = (item as { Ref?: string }).Ref;
    return ref ? `<${ref}>` : '<token>';
  };
  return part(resolved);
}

describe('off-site freshness', () => {
  test('the replicas of the dump buckets are checked in the recovery region, under the names the target gives them, with reads scoped to them', () => {
    const { stack } = primary();
    const template = Template.fromStack(stack);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('age and integrity') } }));
    const config = JSON.parse(flat(stack, fn.Properties.Environment.Variables.FRESHNESS_CONFIG)) as { checks: Array<Record<string, unknown>> };
    const dailyReplica = `cdk-backup-dr-daily-<AWS::AccountId>-${RECOVERY_REGION}`;
    const archiveReplica = `cdk-backup-dr-archive-<AWS::AccountId>-${RECOVERY_REGION}`;
    expect(config.checks.filter((check) => String(check.tier).endsWith('-off-site'))).toEqual([
      { kind: 'daily-dump', tier: 'daily-dump-off-site', intervalHours: 24, graceHours: 3, region: RECOVERY_REGION, bucket: dailyReplica },
      { kind: 'yearly-archive', tier: 'yearly-off-site', intervalHours: 8784, graceHours: 336, region: RECOVERY_REGION, bucket: archiveReplica },
    ]);

    // The same names as the target's replica buckets.
    const target = recovery();
    const targetBuckets = Object.values(Template.fromStack(target.stack).findResources('AWS::S3::Bucket')).map((bucket) => flat(target.stack, bucket.Properties.BucketName));
    expect(targetBuckets).toEqual(expect.arrayContaining([dailyReplica, archiveReplica]));

    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('backup freshness') } }))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>)
      .map((statement): Record<string, unknown> & { Resource: string } => ({ ...statement, Resource: flat(stack, statement.Resource) }))
      .filter((statement) => (statement.Resource.includes(RECOVERY_REGION) && statement.Resource.includes(':s3:::')) || JSON.stringify(statement.Action).includes('kms:'));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:<AWS::Partition>:s3:::${dailyReplica}`, Condition: { StringLike: { 's3:prefix': ['daily/*'] } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:<AWS::Partition>:s3:::${dailyReplica}/daily/*` },
      {
        Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:<AWS::Partition>:kms:${RECOVERY_REGION}:${ACCOUNT}:key/*`,
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/cdk-backup-dr/recovery-buckets' }, 'StringEquals': { 'kms:ViaService': `s3.${RECOVERY_REGION}.amazonaws.com` } },
      },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:<AWS::Partition>:s3:::${archiveReplica}`, Condition: { StringLike: { 's3:prefix': ['yearly/*'] } } },
      // Of the archive replica only the manifests, which replication puts in Deep Archive: HEAD reads their created-at metadata,
      // and GET one restored from there, decrypting with the key above (both replicas have it; the policy holds the statement once).
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:<AWS::Partition>:s3:::${archiveReplica}/yearly/*/manifest.json` },
    ]);

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BackupAgeHours', Threshold: 27, Dimensions: Match.arrayWith([{ Name: 'Region', Value: RECOVERY_REGION }, { Name: 'Tier', Value: 'daily-dump-off-site' }]),
    });
  });

  test('without the rolling tier off site, the check expects a copy as often as the most frequent archive tier', () => {
    const retentionPolicy = RetentionPolicy.of({
      archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) }, { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(35) }],
      offSiteCopies: [{ region: RECOVERY_REGION }],
      copyRollingTierOffSite: false,
    });
    const { stack } = primary(new App(), () => ({ retentionPolicy }));
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .filter((alarm) => String(alarm.Properties.AlarmDescription).includes('copy of tier off-site'));
    // The weekly tier: 7 days plus 6 hours of grace.
    expect(alarms.map((alarm) => alarm.Properties.Threshold)).toEqual([7 * 24 + 6]);
  });
});

describe('off-site EBS snapshot freshness', () => {
  const FRESHNESS_POLICY = { Properties: { Description: Match.stringLikeRegexp('backup freshness') } };
  function built(overrides: PrimaryOverrides) {
    const { stack, dr } = primary(new App(), () => overrides);
    const template = Template.fromStack(stack);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('age and integrity') } }));
    const config = JSON.parse(flat(stack, fn.Properties.Environment.Variables.FRESHNESS_CONFIG)) as { checks: Array<Record<string, unknown>> };
    const describes = Object.values(template.findResources('AWS::IAM::ManagedPolicy', FRESHNESS_POLICY))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>)
      .filter((statement) => JSON.stringify(statement.Action).includes('ec2:'));
    return { stack, dr, template, ebsChecks: config.checks.filter((check) => check.kind === 'ebs-snapshot'), describes };
  }

  test('with volumeTags, the snapshots and their DLM copies in the recovery region are checked per volume tag and by the tag of this snapshot policy, which they carry, the copies as often as they are copied', () => {
    const { dr, template, ebsChecks, describes } = built({ volumeTags: { 'team:backup': 'yes', 'team:disk': 'data' } });
    const policyTag = `${PRIMARY_REGION}/Primary/Dr/VolumeSnapshots`;
    expect(dr.volumeSnapshots.snapshotTag).toEqual({ key: 'cdk-backup-dr:snapshot-policy', value: policyTag });
    // What makes the tag a way to find the copies: each schedule adds it to its snapshots,
    // and its copy rule to the recovery region copies the snapshot's tags on.
    for (const policy of Object.values(template.findResources('AWS::DLM::LifecyclePolicy'))) {
      for (const schedule of policy.Properties.PolicyDetails.Schedules) {
        expect(schedule).toMatchObject({ CopyTags: true, CrossRegionCopyRules: [expect.objectContaining({ Target: RECOVERY_REGION, CopyTags: true })] });
        expect(schedule.TagsToAdd).toContainEqual({ Key: 'cdk-backup-dr:snapshot-policy', Value: policyTag });
      }
    }
    const alsoTagged = { alsoTagKey: 'cdk-backup-dr:snapshot-policy', alsoTagValue: policyTag };
    expect(ebsChecks).toEqual([
      // Not by the volume tags alone: snapshots of the same volumes by another policy, and in the
      // recovery region snapshots of other volumes (a standby of the app), may carry them; nor by
      // the policy tag alone: one group's snapshots would hide another's missing ones.
      { kind: 'ebs-snapshot', tier: 'rolling', intervalHours: 1, graceHours: 1, tagKey: 'team:backup', tagValue: 'yes', ...alsoTagged },
      { kind: 'ebs-snapshot', tier: 'rolling', intervalHours: 1, graceHours: 1, tagKey: 'team:disk', tagValue: 'data', ...alsoTagged },
      // The rolling tier goes off site every hour; 6 hours for the copy.
      { kind: 'ebs-snapshot', tier: 'off-site', intervalHours: 1, graceHours: 6, region: RECOVERY_REGION, tagKey: 'team:backup', tagValue: 'yes', ...alsoTagged },
      { kind: 'ebs-snapshot', tier: 'off-site', intervalHours: 1, graceHours: 6, region: RECOVERY_REGION, tagKey: 'team:disk', tagValue: 'data', ...alsoTagged },
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BackupAgeHours', Threshold: 7,
      Dimensions: Match.arrayWith([{ Name: 'Check', Value: 'ebs-snapshot' }, { Name: 'Region', Value: RECOVERY_REGION }, { Name: 'Tier', Value: 'off-site' }]),
    });
    // DescribeSnapshots takes no resource: it is allowed only in the two regions the checks look in.
    expect(describes).toEqual([
      { Effect: 'Allow', Action: 'ec2:DescribeSnapshots', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': PRIMARY_REGION } } },
      { Effect: 'Allow', Action: 'ec2:DescribeSnapshots', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': RECOVERY_REGION } } },
    ]);
  });

  test('without the rolling tier off site, the copies are expected as often as the most frequent archive tier', () => {
    const retentionPolicy = RetentionPolicy.of({
      archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) }, { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(35) }],
      offSiteCopies: [{ region: RECOVERY_REGION }],
      copyRollingTierOffSite: false,
    });
    const { ebsChecks } = built({ retentionPolicy, volumeTags: { 'team:backup': 'yes' } });
    expect(ebsChecks.filter((check) => check.region === RECOVERY_REGION)).toEqual([expect.objectContaining({ tier: 'off-site', intervalHours: 7 * 24, graceHours: 6 })]);
  });

  test('no check of copies DLM does not make (a copy to another account, left to AWS Backup), nor without volumeTags', () => {
    // Another account in the same region: AWS Backup copies RDS recovery points to another account or another region, not both.
    const retentionPolicy = RetentionPolicy.fullLadder({ offSiteCopies: [{ region: RECOVERY_REGION }, { region: PRIMARY_REGION, account: '210987654321' }] });
    const otherAccount = built({ retentionPolicy, volumeTags: { 'team:backup': 'yes' } });
    expect(otherAccount.dr.volumeSnapshots.copyRegions).toEqual([RECOVERY_REGION]);
    expect(otherAccount.ebsChecks.map((check) => check.region ?? PRIMARY_REGION)).toEqual([PRIMARY_REGION, RECOVERY_REGION]);
    expect(built({}).ebsChecks).toEqual([]);
  });

  test('a token recoveryRegion that resolves to the copy region: the copies there are checked', () => {
    const recoveryRegion = Lazy.string({ produce: () => RECOVERY_REGION });
    const { ebsChecks, stack } = built({ recoveryRegion, retentionPolicy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: RECOVERY_REGION }] }), volumeTags: { 'team:backup': 'yes' } });
    expect(ebsChecks.map((check) => [check.tier, check.region])).toEqual([['rolling', undefined], ['off-site', RECOVERY_REGION]]);
    expect(Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('copies the snapshots|copies to `recoveryRegion`'))).toEqual([]);
  });

  test('a copy region that synth cannot compare with recoveryRegion warns that the off-site EBS copies are not checked', () => {
    const { stack } = primary(new App(), (s) => ({
      retentionPolicy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: new CfnParameter(s, 'CopyRegion').valueAsString }] }),
      volumeTags: { 'team:backup': 'yes' },
    }));
    const warnings = Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('Data Lifecycle Manager copies the snapshots'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(/^Primary\/Dr: copy region 1 of `volumeSnapshots` is an unresolved token, so the synth-time check of `recoveryRegion` that Data Lifecycle Manager copies the snapshots of `volumeTags` to it \(its copy regions: a token \(\{"Ref":"CopyRegion"\}\)\) did not run \(unknown, not passed\); the freshness check of the off-site EBS snapshot copies is left out/),
    ]);
  });
});

describe('validation', () => {
  test.each([
    ['', 'Primary/Dr: `ownerEmail` must be the email address of the person or team responsible for the backups, got ""'],
    ['   ', 'Primary/Dr: `ownerEmail` must be the email address of the person or team responsible for the backups, got "   "'],
    ['dba-team', 'Primary/Dr: `ownerEmail` must be an email address (name@domain), got \'dba-team\''],
  ])('ownerEmail %j', (ownerEmail, message) => {
    expect(() => primary(new App(), () => ({ ownerEmail }))).toThrow(message);
  });

  test('recoveryRegion equal to the stack\'s region', () => {
    expect(() => primary(new App(), () => ({ recoveryRegion: PRIMARY_REGION })))
      .toThrow('Primary/Dr: `recoveryRegion` must be another region than the stack\'s, got eu-west-1 (the stack\'s region)');
  });

  test('recoveryRegion that is the stack\'s region at deploy (Aws.REGION in a stack with a region)', () => {
    expect(() => primary(new App(), () => ({ recoveryRegion: Aws.REGION })))
      .toThrow('Primary/Dr: `recoveryRegion` must be another region than the stack\'s, got a token ({"Ref":"AWS::Region"}) (the stack\'s region)');
  });

  test('recoveryRegion that synth cannot compare with the stack\'s region warns', () => {
    const { stack } = primary(new App(), (s) => {
      const recoveryRegion = new CfnParameter(s, 'RecoveryRegion').valueAsString;
      return { recoveryRegion, retentionPolicy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: recoveryRegion }] }) };
    });
    const warnings = Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp(UNCHECKED_TOKEN_WARNING));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(/^Primary\/Dr: `recoveryRegion` is an unresolved token, so the synth-time check that it is another region than the stack's did not run \(unknown, not passed\)/),
    ]);
  });

  test('recoveryRegion that is not a region name', () => {
    expect(() => primary(new App(), () => ({ recoveryRegion: 'Frankfurt' })))
      .toThrow('Primary/Dr: `recoveryRegion` must be an AWS region name such as \'eu-central-1\', got "Frankfurt"');
  });

  test('recoveryPointObjective under 5 minutes', () => {
    expect(() => primary(new App(), () => ({ recoveryPointObjective: Duration.minutes(1) })))
      .toThrow('Primary/Dr: `recoveryPointObjective` must be at least 5 minutes (what point-in-time recovery can restore), got 1 minute');
  });

  test('recoveryPointObjective over 35 days', () => {
    expect(() => primary(new App(), () => ({ recoveryPointObjective: Duration.days(36) })))
      .toThrow('Primary/Dr: `recoveryPointObjective` must be at most 35 days (the longest point-in-time window of RDS, from which the restore drills prove it), got 36 days');
  });

  test('recoveryPointObjective that is not a whole number of minutes', () => {
    expect(() => primary(new App(), () => ({ recoveryPointObjective: Duration.seconds(330) })))
      .toThrow('Primary/Dr: `recoveryPointObjective` must be a whole number of minutes (the restore drills\' recovery point alarm compares minutes), got 5 minutes 30 seconds');
  });

  test.each([
    [Duration.minutes(10), '10 minutes'],
    [Duration.days(3), '3 days'],
  ])('recoveryTimeObjective %s', (recoveryTimeObjective, shown) => {
    expect(() => primary(new App(), () => ({ recoveryTimeObjective })))
      .toThrow(`Primary/Dr: \`recoveryTimeObjective\` must be 15 minutes to 48 hours, got ${shown}`);
  });

  test('recoveryTimeObjective that is not a whole number of minutes', () => {
    expect(() => primary(new App(), () => ({ recoveryTimeObjective: Duration.seconds(930) })))
      .toThrow('Primary/Dr: `recoveryTimeObjective` must be a whole number of minutes (the restore drills\' recovery time alarm compares minutes), got 15 minutes 30 seconds');
  });

  test('retentionPolicy without a copy to recoveryRegion', () => {
    expect(() => primary(new App(), () => ({ retentionPolicy: RetentionPolicy.fullLadder() })))
      .toThrow('Primary/Dr: `retentionPolicy` must copy off-site to `recoveryRegion` (eu-central-1), got off-site copies to no region');
    expect(() => primary(new App(), () => ({ retentionPolicy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: 'us-east-1' }] }) })))
      .toThrow('Primary/Dr: `retentionPolicy` must copy off-site to `recoveryRegion` (eu-central-1), got off-site copies to us-east-1');
  });

  test('retentionPolicy whose copy region is a token that resolves to recoveryRegion copies there', () => {
    const retentionPolicy = RetentionPolicy.fullLadder({ offSiteCopies: [{ region: Lazy.string({ produce: () => RECOVERY_REGION }) }] });
    const { stack } = primary(new App(), () => ({ retentionPolicy }));
    expect(Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('copies to `recoveryRegion`'))).toEqual([]);
  });

  test('retentionPolicy whose copy regions synth cannot compare with recoveryRegion warns, naming the tokens', () => {
    const { stack } = primary(new App(), (s) => ({
      recoveryRegion: new CfnParameter(s, 'RecoveryRegion').valueAsString,
      retentionPolicy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: 'us-east-1' }, { region: new CfnParameter(s, 'CopyRegion').valueAsString }] }),
    }));
    const warnings = Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('copies to `recoveryRegion`'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      'Primary/Dr: each of `recoveryRegion` and the region of off-site copy 2 is an unresolved token, so the synth-time check of `retentionPolicy.offSiteCopies` '
      + 'that one of them copies to `recoveryRegion` (a token ({"Ref":"RecoveryRegion"}); they copy to us-east-1, a token ({"Ref":"CopyRegion"})) did not run (unknown, not passed); '
      + 'if none resolves to it, nothing is copied to the recovery region, where the target\'s vault waits and the off-site freshness checks find no copy [ack: cdk-backup-dr:uncheckedToken]',
    ]);
  });

  test('retentionPolicy that copies no tier off site', () => {
    const retentionPolicy = RetentionPolicy.of({ offSiteCopies: [{ region: RECOVERY_REGION }], copyRollingTierOffSite: false });
    expect(() => primary(new App(), () => ({ retentionPolicy })))
      .toThrow('Primary/Dr: `retentionPolicy` must copy at least one tier off site to `recoveryRegion` (eu-central-1): set `copyRollingTierOffSite` or add an archive tier, got `copyRollingTierOffSite` false and no archive tier');
  });

  test('retentionPolicy that copies to another account in another region: the error names this construct and its prop, before any inner construct is built', () => {
    const retentionPolicy = RetentionPolicy.fullLadder({ offSiteCopies: [{ region: RECOVERY_REGION }, { region: 'us-east-1', account: '210987654321' }] });
    let stack: Stack | undefined;
    expect(() => primary(new App(), (s) => {
      stack = s;
      return { retentionPolicy };
    })).toThrow(new Error('Primary/Dr: `retentionPolicy.offSiteCopies` copies to account 210987654321 in us-east-1, another account and another region, '
      + 'which AWS Backup cannot do for the RDS resources selected (the master and the replica this construct creates); '
      + 'allowed: another region in the same account, or the same region in another account'));
    expect(stack!.node.findChild('Dr').node.children.map((child) => child.node.id)).toEqual([]);
  });

  // The off-site freshness check, and the target, look for the copies in `recoveryRegion` of the stack's own account:
  // a copy of the pair there in another account is one AWS Backup cannot make, so synth must not accept it as the copy to `recoveryRegion`.
  test('retentionPolicy whose only copy to recoveryRegion goes to another account fails, naming the copy and what is allowed', () => {
    const retentionPolicy = RetentionPolicy.fullLadder({ offSiteCopies: [{ region: RECOVERY_REGION, account: '210987654321' }] });
    expect(() => primary(new App(), () => ({ retentionPolicy })))
      .toThrow(new Error(`Primary/Dr: \`retentionPolicy.offSiteCopies\` copies to account 210987654321 in ${RECOVERY_REGION}, another account and another region, `
        + 'which AWS Backup cannot do for the RDS resources selected (the master and the replica this construct creates); '
        + 'allowed: another region in the same account, or the same region in another account'));
  });

  test('retentionPolicy that may copy to another account in another region (an account unknown at synth): the warning is on this construct and names its prop', () => {
    const { stack } = primary(new App(), (s) => ({
      retentionPolicy: RetentionPolicy.fullLadder({ offSiteCopies: [{ region: RECOVERY_REGION }, { region: 'us-east-1', account: new CfnParameter(s, 'CopyAccount').valueAsString }] }),
    }));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AWS Backup cannot copy RDS'));
    expect(warnings.map((w) => [w.id, String(w.entry.data)])).toEqual([['/Primary/Dr', expect.stringMatching(/^`retentionPolicy.offSiteCopies` copies to account a token \(\{"Ref":"CopyAccount"\}\) in us-east-1: AWS Backup cannot copy RDS/)]]);
  });

  test('empty volumeTags', () => {
    expect(() => primary(new App(), () => ({ volumeTags: {} })))
      .toThrow('Primary/Dr: `volumeTags` must hold at least one tag (key and value), got {}');
  });

  // Before: accepted; the freshness checks of the tag passed the empty value on, which the freshness
  // function refuses in its configuration, so every check of every run was unknown.
  test('a volume tag with an empty value', () => {
    expect(() => primary(new App(), () => ({ volumeTags: { app: 'orders', backup: '' } })))
      .toThrow('Primary/Dr: `volumeTags` must hold keys of 1 to 128 characters and values of 1 to 256 characters (the freshness checks find the snapshots by both), got backup=\'\'');
  });

  test('target: ownerEmail and primaryRegion', () => {
    expect(() => recovery(new App(), { ownerEmail: 'nobody' }))
      .toThrow('Recovery/Target: `ownerEmail` must be an email address (name@domain), got \'nobody\'');
    expect(() => recovery(new App(), { primaryRegion: RECOVERY_REGION }))
      .toThrow('Recovery/Target: `primaryRegion` must be another region than this stack\'s, got eu-central-1 (the stack\'s region)');
    expect(() => recovery(new App(), { primaryRegion: Aws.REGION }))
      .toThrow('Recovery/Target: `primaryRegion` must be another region than this stack\'s, got a token ({"Ref":"AWS::Region"}) (the stack\'s region)');
  });

  test('target: primaryRegion in an environment-agnostic stack warns that it was not compared', () => {
    const stack = new Stack(new App(), 'Recovery');
    new BackupDisasterRecoveryTarget(stack, 'Target', { ownerEmail: OWNER, primaryRegion: PRIMARY_REGION });
    const warnings = Annotations.fromStack(stack).findWarning('/Recovery/Target', Match.stringLikeRegexp(UNCHECKED_TOKEN_WARNING));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringMatching(/^Recovery\/Target: the stack's region \(an environment-agnostic stack\) is an unresolved token, so the synth-time check of `primaryRegion` that it is another region than this stack's did not run/),
    ]);
  });
});

describe('compliance', () => {
  test('a primary stack with BackupDisasterRecovery and a recovery stack with BackupDisasterRecoveryTarget have zero findings', () => {
    const app = appWithComplianceGates();
    const { stack: recoveryStack } = recovery(app);
    const { stack: primaryStack } = primary(app);
    primaryStack.addStackDependency(recoveryStack);
    const findings = complianceFindings(app);
    // The test's own VPC is not part of the constructs.
    expect(describeFindings(findings.filter((f) => !f.path.startsWith('Primary/Vpc')))).toEqual('');
  });

  test('a recoveryRegion given as a CfnParameter synthesizes with zero findings, warning that synth could not compare it', () => {
    const recoveryRegion = (scope: Stack): PrimaryOverrides => ({ recoveryRegion: new CfnParameter(scope, 'RecoveryRegion').valueAsString });
    const { stack } = primary(new App(), recoveryRegion);
    expect(Annotations.fromStack(stack).findWarning('/Primary/Dr', Match.stringLikeRegexp('`recoveryRegion` is an unresolved token'))).toHaveLength(1);
    const app = appWithComplianceGates();
    primary(app, recoveryRegion);
    const findings = complianceFindings(app);
    expect(describeFindings(findings.filter((f) => !f.path.startsWith('Primary/Vpc')))).toEqual('');
  });
});
