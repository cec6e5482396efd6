/**
 * A second, small app for the report tests: only some constructs, built from aws-cdk-lib
 * resources plus the report helpers, so that the report is tested on an app other than the
 * reference app. Primary region eu-west-1, recovery region eu-central-1.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, Duration, Fn, RemovalPolicy, Size, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { BackupCoverage } from '../../../lib/report/coverage';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { BackupNotifications } from '../../../lib/report/notifications';

export const ACCOUNT = '111111111111';
export const OWNER = 'dba-team@example.com';

/** Synthesizes the small app into a fresh temp folder and returns that folder. */
export function synthSmallApp(): string {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-backup-dr-small-app-')) });
  const recovery = new Stack(app, 'SmallRecovery', { env: { account: ACCOUNT, region: 'eu-central-1' } });
  const recoveryKey = new kms.Key(recovery, 'Key', { enableKeyRotation: true });
  const vault = new backup.BackupVault(recovery, 'Vault', {
    backupVaultName: 'small-recovery-vault',
    encryptionKey: recoveryKey,
    lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(400), changeableFor: Duration.days(3) },
  });
  BackupMetadata.describe(vault, { role: BackupRole.BACKUP_VAULT, description: 'Off-site copies' });
  const replicaBucket = new s3.Bucket(recovery, 'DumpReplicas', {
    bucketName: 'small-dump-replicas',
    encryptionKey: recoveryKey,
    versioned: true,
    lifecycleRules: [{ id: 'Expire', expiration: Duration.days(30) }],
  });
  BackupMetadata.describe(replicaBucket, { role: BackupRole.BACKUP_STORE, tier: 'dump' });

  const primary = new Stack(app, 'SmallPrimary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  BackupMetadata.describeStack(primary, {
    description: 'small app: a table, a volume and SQL dumps',
    owner: OWNER,
    recoveryPointObjective: Duration.hours(1),
    recoveryTimeObjective: Duration.hours(4),
  });
  Aspects.of(primary).add(new BackupCoverage({ owner: OWNER }));
  const key = new kms.Key(primary, 'Key', { enableKeyRotation: true });
  const localVault = new backup.BackupVault(primary, 'LocalVault', { encryptionKey: key });
  const table = new dynamodb.Table(primary, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    deletionProtection: true,
  });
  Tags.of(table).add('backup', 'daily');
  const plan = new backup.BackupPlan(primary, 'Plan', { backupVault: localVault });
  plan.addRule(new backup.BackupPlanRule({
    ruleName: 'Daily',
    scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
    deleteAfter: Duration.days(35),
    copyActions: [{ destinationBackupVault: backup.BackupVault.fromBackupVaultArn(primary, 'Dest', `arn:aws:backup:eu-central-1:${ACCOUNT}:backup-vault:small-recovery-vault`), deleteAfter: Duration.days(90) }],
  }));
  plan.addSelection('Tagged', { resources: [backup.BackupResource.fromTag('backup', 'daily')] });

  const volume = new ec2.Volume(primary, 'Volume', { availabilityZone: Fn.select(0, Fn.getAzs()), size: Size.gibibytes(8), encrypted: true, encryptionKey: key });
  Tags.of(volume).add('snapshots', 'hourly');
  const dlmRole = new iam.Role(primary, 'DlmRole', { assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com') });
  new dlm.CfnLifecyclePolicy(primary, 'Snapshots', {
    description: 'hourly snapshots',
    state: 'ENABLED',
    executionRoleArn: dlmRole.roleArn,
    policyDetails: {
      resourceTypes: ['VOLUME'],
      targetTags: [{ key: 'snapshots', value: 'hourly' }],
      schedules: [{
        name: 'hourly',
        createRule: { interval: 6, intervalUnit: 'HOURS', times: ['00:30'] },
        retainRule: { count: 8 },
        crossRegionCopyRules: [{ targetRegion: 'eu-central-1', encrypted: true, retainRule: { interval: 7, intervalUnit: 'DAYS' } }],
      }, {
        name: 'monthly',
        createRule: { cronExpression: 'cron(0 3 1 * ? *)' },
        retainRule: { interval: 30, intervalUnit: 'DAYS' },
        archiveRule: { retainRule: { retentionArchiveTier: { interval: 365, intervalUnit: 'DAYS' } } },
      }],
    },
  });

  const dumps = new s3.Bucket(primary, 'Dumps', {
    encryptionKey: key,
    versioned: true,
    objectLockEnabled: true,
    objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(1)),
    lifecycleRules: [{ id: 'ExpireDumps', expiration: Duration.days(2) }, { id: 'KeepOldVersions', noncurrentVersionExpiration: Duration.days(30) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const replicationRole = new iam.Role(primary, 'ReplicationRole', { assumedBy: new iam.ServicePrincipal('s3.amazonaws.com') });
  (dumps.node.defaultChild as s3.CfnBucket).replicationConfiguration = {
    role: replicationRole.roleArn,
    rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::small-dump-replicas' } }],
  };
  BackupMetadata.describe(dumps, { role: BackupRole.BACKUP_STORE, tier: 'dump', description: 'Daily SQL dumps' });

  const archive = new s3.Bucket(primary, 'Archive', {
    encryptionKey: key,
    versioned: true,
    lifecycleRules: [{ id: 'KeepOldVersionsAYear', noncurrentVersionExpiration: Duration.days(365) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  BackupMetadata.describe(archive, { role: BackupRole.BACKUP_STORE, tier: 'archive', description: 'Yearly archives' });
  Validations.of(dumps).acknowledge({ id: 'AwsSolutions-S1', reason: 'Access logs of the dump bucket go to CloudTrail data events instead.' });

  const scratch = new s3.Bucket(primary, 'Scratch', { encryption: s3.BucketEncryption.S3_MANAGED });
  BackupCoverage.exempt(scratch, 'Temporary files rebuilt from the table on every deploy');

  const dumpJob = new sfn.StateMachine(primary, 'DumpJob', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(primary, 'Dump')) });
  BackupMetadata.describe(dumpJob, { role: BackupRole.BACKUP_JOB, tier: 'dump', description: 'Writes a SQL dump', targets: [table] });
  const drill = new sfn.StateMachine(primary, 'Drill', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(primary, 'Restore')) });
  BackupMetadata.describe(drill, { role: BackupRole.RESTORE_DRILL, description: 'Restores the newest dump and checks it', targets: [dumps] });
  const schedulerRole = new iam.Role(primary, 'SchedulerRole', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
  new scheduler.CfnSchedule(primary, 'DumpSchedule', {
    scheduleExpression: 'cron(15 1 * * ? *)',
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: dumpJob.stateMachineArn, roleArn: schedulerRole.roleArn },
  });
  new scheduler.CfnSchedule(primary, 'DrillSchedule', {
    scheduleExpression: 'cron(0 9 ? * MON *)',
    flexibleTimeWindow: { mode: 'OFF' },
    target: { arn: drill.stateMachineArn, roleArn: schedulerRole.roleArn },
  });

  const notifications = new BackupNotifications(primary, 'Owner', { ownerEmail: OWNER });
  const failedDrills = new cloudwatch.Alarm(primary, 'DrillFailed', {
    alarmDescription: 'A restore drill failed',
    metric: drill.metricFailed(),
    threshold: 1,
    evaluationPeriods: 1,
  });
  notifications.notify(failedDrills);
  app.synth();
  return app.outdir;
}
