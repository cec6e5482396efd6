import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aws, CfnParameter, Duration, Lazy, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConsistencyCheckKind, ConsistencyChecks, ConsistencyChecksProps } from '../../lib/checks/consistency-checks';
import { FreshnessCheck, RdsSnapshotType } from '../../lib/checks/freshness-check';
import { parseConfig } from '../../lambda/backup-freshness/config';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';
import { LAST_IN_LIST_ALLOWED, LAST_IN_LIST_CRONS } from '../support/last-in-list-crons';
import { NTH_WEEKDAY_NOT_ALONE_CRONS } from '../support/nth-weekday-list-crons';
import { ALLOWED_CRON_VALUES, OUT_OF_RANGE_CRONS } from '../support/out-of-range-crons';

const ENV = { account: '111111111111', region: 'eu-west-1' };

interface Fixture {
  readonly stack: Stack;
  readonly vpc: ec2.IVpc;
  readonly master: rds.IDatabaseInstance;
  readonly replica: rds.IDatabaseInstance;
  readonly adminSecret: secretsmanager.ISecret;
}

function fixture(app: App = new App()): Fixture {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const securityGroup = new ec2.SecurityGroup(stack, 'DbSg', { vpc });
  const instance = (id: string, name: string): rds.IDatabaseInstance => rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, id, {
    instanceIdentifier: name, instanceEndpointAddress: `${name}.abc.eu-west-1.rds.amazonaws.com`, port: 3306, securityGroups: [securityGroup],
  });
  const adminSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Admin', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:admin-AbCdEf');
  return { stack, vpc, master: instance('Master', 'orders-master'), replica: instance('Replica', 'orders-replica'), adminSecret };
}

function build(overrides: Partial<ConsistencyChecksProps> = {}, f: Fixture = fixture()): { checks: ConsistencyChecks; template: Template; f: Fixture } {
  const checks = new ConsistencyChecks(f.stack, 'Checks', { master: f.master, replica: f.replica, vpc: f.vpc, adminSecret: f.adminSecret, ...overrides });
  return { checks, template: Template.fromStack(f.stack), f };
}

function functionEnv(template: Template, description: RegExp): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } });
  const [fn] = Object.values(functions);
  return (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
}

/** An RDS ARN of the fixture's account as CDK writes it (the partition a reference). */
function rdsArn(region: string, resource: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${region}:111111111111:${resource}`]] };
}

/** The statements of the freshness function's managed policy. */
function freshnessStatements(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('backup freshness') } }))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

function freshnessConfig(stack: Stack, template: Template): { checks: Array<Record<string, unknown>>; [key: string]: unknown } {
  const raw = functionEnv(template, /age and integrity/).FRESHNESS_CONFIG;
  return JSON.parse(JSON.stringify(stack.resolve(raw)).length > 0 ? flatten(raw) : '{}');
}

/** Joins an Fn::Join of the JSON config into text, writing each token as `<token>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) {
    return join[1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  }
  return '<token>';
}

describe('defaults', () => {
  const { template, checks, f } = build();

  test('three functions in the VPC: the drift check with its env contract, the freshness check, the user creator', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    const env = functionEnv(template, /row by row/);
    expect(Object.keys(env).sort()).toEqual(['DATABASES', 'MASTER_SECRET_ARN', 'MAX_LAG_SECONDS', 'METRIC_NAMESPACE', 'REPLICA_SECRET_ARN', 'REPORT_BUCKET', 'REPORT_PREFIX', 'RESOURCE_NAME']);
    expect(env).toMatchObject({ DATABASES: '', MAX_LAG_SECONDS: '300', REPORT_PREFIX: 'consistency-checks', METRIC_NAMESPACE: 'CdkBackupDr', RESOURCE_NAME: 'orders-master' });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('row by row'), Timeout: 900, MemorySize: 1024, VpcConfig: Match.anyValue() });
    expect(functionEnv(template, /read-only checker user/)).toMatchObject({ DATABASE_HOST: 'orders-master.abc.eu-west-1.rds.amazonaws.com', DATABASE_PORT: '3306', ADMIN_SECRET_ARN: f.adminSecret.secretArn });
  });

  test('the freshness check defaults to the master\'s automated snapshots, daily with two hours of grace', () => {
    const config = freshnessConfig(f.stack, template);
    expect(config).toMatchObject({ resourceName: 'orders-master', metricNamespace: 'CdkBackupDr', reportPrefix: 'consistency-checks/', reportBucket: '<token>' });
    expect(config.checks).toEqual([{ kind: 'rds-snapshot', tier: 'daily', intervalHours: 24, graceHours: 2, dbInstanceIdentifier: 'orders-master', snapshotType: 'automated' }]);
    // No dump to verify: no records, and no access to them (the policy's statements are listed exactly below).
    expect(config.verificationPrefix).toBeUndefined();
  });

  test('EventBridge Scheduler runs the drift check daily and the freshness check hourly, with retries into the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)', Target: { RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: Match.anyValue() } } });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
    template.hasResource('AWS::Scheduler::Schedule', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('ChecksCheckerUser')]) });
  });

  test('a report bucket: KMS, TLS only, versioned, access-logged, locked a year, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'consistency-reports/' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  test('an encrypted, TLS-only topic that every alarm notifies when it fires and when it recovers', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    // The topic policy replaces SNS's default one: the alarms of this account and region may publish only if it says so.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': ENV.account }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${ENV.region}:${ENV.account}:alarm:*`]] } } },
    })]) } });
    // SNS encrypts with the topic's key for the alarms: only for those of this account and region.
    const cloudWatchKeyUse = Object.values(template.findResources('AWS::KMS::Key'))
      .flatMap((key) => key.Properties.KeyPolicy.Statement as Array<{ Principal?: { Service?: unknown } }>)
      .filter((statement) => [statement.Principal?.Service].flat().includes('cloudwatch.amazonaws.com'));
    expect(cloudWatchKeyUse).toEqual([{
      Sid: 'AlarmsPublishToTheEncryptedTopic', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Principal: { Service: 'cloudwatch.amazonaws.com' }, Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ENV.account }, ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${ENV.region}:${ENV.account}:alarm:*`]] } } },
    }]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    expect(checks.alarms).toHaveLength(7);
    const topicRef = f.stack.resolve((checks.topic as sns.Topic).topicArn);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
  });

  test('a drift check timeout in seconds makes a status alarm period of whole minutes (interval, timeout rounded up, 15 minutes)', () => {
    const { template } = build({ driftCheckTimeout: Duration.seconds(90) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CheckStatus', Period: 86400 + 120 + 900, Dimensions: Match.arrayWith([{ Name: 'Check', Value: 'replica-consistency' }]),
      AlarmDescription: Match.stringLikeRegexp('did not report within 1 day 17 minutes'),
    });
  });

  test('alarms on the status (missing data breaches), drifted rows, lag, backup age (missing data keeps its state) and function errors', () => {
    // The status periods span the interval, the function timeout and 15 minutes: a run's value is
    // stamped at its start and arrives at its end, so a sliding window of just the interval held
    // no value between the next run's start and its report, and breached then (every day, every hour).
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CheckStatus', Namespace: 'CdkBackupDr', Statistic: 'Maximum', Period: 86400 + 900 + 900, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'Check', Value: 'replica-consistency' }, { Name: 'Resource', Value: 'orders-master' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CheckStatus', Period: 3600 + 600 + 900, Dimensions: [{ Name: 'Check', Value: 'backup-freshness' }, { Name: 'Resource', Value: 'orders-master' }], TreatMissingData: 'breaching' });
    // Before: missing data did not breach, so an unknown run (no row count, no lag) turned them to OK and notified so.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DriftedRows', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'ignore' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLagSeconds', Threshold: 300, TreatMissingData: 'ignore' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BackupAgeHours', Threshold: 26, Period: 3600, TreatMissingData: 'ignore',
      Dimensions: [{ Name: 'Check', Value: 'rds-snapshot' }, { Name: 'Region', Value: 'eu-west-1' }, { Name: 'Resource', Value: 'orders-master' }, { Name: 'Tier', Value: 'daily' }],
    });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda' } }))).toHaveLength(2);
  });

  test('least privilege: report writes under each check\'s prefix, secret reads only for the two connection secrets', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/consistency-checks/replica-consistency/*']] } }] },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [
        { Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/consistency-checks/backup-freshness/*']] } },
        // DescribeDBSnapshots authorizes against the instance and its snapshots (both optional resource types): not '*'.
        { Action: 'rds:DescribeDBSnapshots', Effect: 'Allow', Resource: [rdsArn('eu-west-1', 'db:orders-master'), rdsArn('eu-west-1', 'snapshot:*')] },
      ] },
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const secretReads = Object.entries(policies).flatMap(([, policy]) => (policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'))
      .map((s) => `${policy.Properties.PolicyName}:${JSON.stringify(s.Resource)}`));
    expect(secretReads).toHaveLength(4);
    expect(secretReads.filter((r) => r.startsWith('ChecksDriftCheck')).join()).toMatch(/MasterConnection.*|ReplicaConnection/);
    expect(secretReads.filter((r) => r.startsWith('ChecksDriftCheck')).every((r) => /MasterConnection|ReplicaConnection/.test(r))).toBe(true);
    for (const policy of [...Object.values(policies), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))]) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>) {
        expect([statement.Action].flat().filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      }
    }
  });

  // The fixture's instances share one security group: only instances with groups of their own
  // tell a rule on the replica's group from one on the master's.
  test('the functions reach both instances on the database port: the drift check each, the checker-user function the master', () => {
    const own = fixture();
    const replicaGroup = new ec2.SecurityGroup(own.stack, 'ReplicaSg', { vpc: own.vpc });
    const replica = rds.DatabaseInstance.fromDatabaseInstanceAttributes(own.stack, 'ReplicaOwnGroup', {
      instanceIdentifier: 'orders-replica', instanceEndpointAddress: 'orders-replica.abc.eu-west-1.rds.amazonaws.com', port: 3306, securityGroups: [replicaGroup],
    });
    const { template: separate } = build({ replica }, own);
    const rules = Object.values(separate.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) => rule.Properties as Record<string, unknown>);
    const groupOf = (ref: unknown): string => (ref as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
    expect(rules.map((rule) => [groupOf(rule.GroupId), groupOf(rule.SourceSecurityGroupId), rule.FromPort, rule.ToPort, rule.Description]).sort()).toEqual([
      ['DbSg', 'ChecksCheckerUserFunctionSecurityGroup', 3306, 3306, 'the checker-user function of Stack/Checks'],
      ['DbSg', 'ChecksDriftCheckSecurityGroup', 3306, 3306, 'the drift check of Stack/Checks'],
      ['ReplicaSg', 'ChecksDriftCheckSecurityGroup', 3306, 3306, 'the drift check of Stack/Checks'],
    ]);
  });

  test('a generated checker secret and two connection secrets with the endpoints, encrypted with the key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { SecretStringTemplate: '{"username":"backup_checker"}', GenerateStringKey: 'password' }, KmsKeyId: Match.anyValue() });
    const connections = Object.values(template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('connection to the') } }));
    expect(connections).toHaveLength(2);
    const text = JSON.stringify(connections.map((c) => c.Properties.SecretString));
    expect(text).toContain('orders-master.abc.eu-west-1.rds.amazonaws.com');
    expect(text).toContain('orders-replica.abc.eu-west-1.rds.amazonaws.com');
    expect(text).toContain('{{resolve:secretsmanager:');
    template.hasResourceProperties('Custom::CheckerUser', { ServiceToken: Match.anyValue(), Master: 'orders-master' });
  });
});

describe('overrides', () => {
  test('given topic, key, bucket, prefix, namespace, schedules, intervals, lag, databases and resource name', () => {
    const f = fixture();
    const key = new kms.Key(f.stack, 'OwnKey', { enableKeyRotation: true });
    const topic = new sns.Topic(f.stack, 'OwnTopic', { masterKey: key });
    const bucket = new s3.Bucket(f.stack, 'OwnBucket', { encryptionKey: key, encryption: s3.BucketEncryption.KMS });
    const { template, checks } = build({
      encryptionKey: key, topic, reportBucket: bucket, reportPrefix: 'audit/checks', metricNamespace: 'Shop/Backups', resourceName: 'orders',
      driftCheckSchedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '3,15' }), driftCheckInterval: Duration.hours(12),
      freshnessCheckSchedule: scheduler.ScheduleExpression.rate(Duration.minutes(30)), freshnessCheckInterval: Duration.minutes(30),
      maxReplicaLag: Duration.seconds(90), databases: ['shop', 'billing'], excludeTables: ['shop.audit_log', 'billing.sessions'], driftCheckTimeout: Duration.minutes(10),
    }, f);
    expect(checks.topic).toBe(topic);
    expect(checks.encryptionKey).toBe(key);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(functionEnv(template, /row by row/)).toMatchObject({ DATABASES: 'shop,billing', EXCLUDE_TABLES: 'shop.audit_log,billing.sessions', MAX_LAG_SECONDS: '90', REPORT_PREFIX: 'audit/checks', METRIC_NAMESPACE: 'Shop/Backups', RESOURCE_NAME: 'orders' });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('row by row'), Timeout: 600 });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 3,15 * * ? *)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(30 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CheckStatus', Namespace: 'Shop/Backups', Period: 43200 + 600 + 900, Dimensions: Match.arrayWith([{ Name: 'Check', Value: 'replica-consistency' }, { Name: 'Resource', Value: 'orders' }]) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CheckStatus', Namespace: 'Shop/Backups', Period: 1800 + 600 + 900, Dimensions: Match.arrayWith([{ Name: 'Resource', Value: 'orders' }]) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLagSeconds', Threshold: 90 });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/audit/checks/backup-freshness/*']] } })]) } });
    expect(freshnessConfig(f.stack, template)).toMatchObject({ reportPrefix: 'audit/checks/', metricNamespace: 'Shop/Backups', resourceName: 'orders' });
  });

  test('an existing checker secret without an admin secret creates no user and no generated secret', () => {
    const f = fixture();
    const checkerSecret = secretsmanager.Secret.fromSecretCompleteArn(f.stack, 'Checker', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:checker-AbCdEf');
    const { template, checks } = build({ adminSecret: undefined, checkerSecret }, f);
    expect(checks.checkerSecret).toBe(checkerSecret);
    template.resourceCountIs('Custom::CheckerUser', 0);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });

  test('shared database connections open the port once, on their security group', () => {
    const f = fixture();
    const sharedGroup = new ec2.SecurityGroup(f.stack, 'SharedSg', { vpc: f.vpc });
    const databaseConnections = new ec2.Connections({ securityGroups: [sharedGroup], defaultPort: ec2.Port.tcp(3307) });
    const { template } = build({ databaseConnections: { connections: databaseConnections } }, f);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 3307 } }));
    expect(ingress.map((rule) => rule.Properties.Description).sort()).toEqual(['the checker-user function of Stack/Checks', 'the drift check of Stack/Checks']);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { FromPort: 3306 }, 0);
  });

  test('a given access-log bucket receives the report bucket\'s logs through its bucket policy; functions in given subnets', () => {
    const f = fixture();
    const logs = new s3.Bucket(f.stack, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED });
    const { template } = build({ accessLogsBucket: logs, vpcSubnets: { subnets: [f.vpc.privateSubnets[1]] } }, f);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') }, LogFilePrefix: 'consistency-reports/' } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Logs') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ConsistencyReportAccessLogs', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('row by row'), VpcConfig: { SubnetIds: [f.stack.resolve(f.vpc.privateSubnets[1].subnetId)] } });
  });

  test('a generated checker user with another name', () => {
    const { template } = build({ checkerUsername: 'drift_reader' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { SecretStringTemplate: '{"username":"drift_reader"}' } });
  });

  // Before: the configuration named the vault only, and the function listed a vault of that name in its own account.
  test('a recovery-point check of a vault in another account names that account; of its own account, none', () => {
    const f = fixture();
    const elsewhere = backup.BackupVault.fromBackupVaultArn(f.stack, 'ElsewhereVault', 'arn:aws:backup:eu-central-1:222222222222:backup-vault:dr-vault');
    const own = backup.BackupVault.fromBackupVaultArn(f.stack, 'OwnVault', `arn:aws:backup:eu-central-1:${ENV.account}:backup-vault:dr-vault`);
    const { template } = build({ freshnessChecks: [
      FreshnessCheck.recoveryPoints({ instance: f.master, vault: elsewhere, tier: 'other-account' }),
      FreshnessCheck.recoveryPoints({ instance: f.master, vault: own, tier: 'own-account' }),
    ] }, f);
    const config = freshnessConfig(f.stack, template);
    expect(config.checks.map((c) => [c.tier, c.backupVaultName, c.backupVaultAccountId])).toEqual([['other-account', 'dr-vault', '222222222222'], ['own-account', 'dr-vault', undefined]]);
    expect(parseConfig(JSON.stringify(config)).checks[0]).toMatchObject({ backupVaultAccountId: '222222222222' });
  });

  test('every kind of freshness check, with copies in the disaster-recovery region', () => {
    const f = fixture();
    const dumps = new s3.Bucket(f.stack, 'Dumps', { encryption: s3.BucketEncryption.KMS });
    const archive = new s3.Bucket(f.stack, 'Archive');
    const drVault = backup.BackupVault.fromBackupVaultArn(f.stack, 'DrVault', 'arn:aws:backup:eu-central-1:111111111111:backup-vault:dr-vault');
    const volume = ec2.Volume.fromVolumeAttributes(f.stack, 'Volume', { volumeId: 'vol-0123456789abcdef0', availabilityZone: 'eu-west-1a' });
    const checks = [
      FreshnessCheck.rdsSnapshots({ instance: f.replica, snapshotType: RdsSnapshotType.MANUAL, tier: 'daily-dr', region: 'eu-central-1', grace: Duration.hours(6) }),
      FreshnessCheck.recoveryPoints({ instance: f.master, tier: 'hourly', interval: Duration.hours(1), grace: Duration.minutes(30) }),
      FreshnessCheck.recoveryPoints({ instance: f.master, vault: drVault, tier: 'daily-dr' }),
      FreshnessCheck.ebsSnapshots({ tagKey: 'backup', tagValue: 'hourly', tier: 'hourly', interval: Duration.hours(1) }),
      FreshnessCheck.ebsSnapshots({ volume }),
      FreshnessCheck.dailyDumps({ bucket: dumps }),
      FreshnessCheck.yearlyArchives({ bucket: archive }),
    ];
    const { template, checks: construct } = build({ freshnessChecks: checks }, f);
    const config = freshnessConfig(f.stack, template);
    expect(config.checks).toEqual([
      { kind: 'rds-snapshot', tier: 'daily-dr', intervalHours: 24, graceHours: 6, region: 'eu-central-1', dbInstanceIdentifier: 'orders-replica', snapshotType: 'manual' },
      { kind: 'recovery-point', tier: 'hourly', intervalHours: 1, graceHours: 0.5, resourceArn: 'arn:<token>:rds:eu-west-1:111111111111:db:orders-master' },
      { kind: 'recovery-point', tier: 'daily-dr', intervalHours: 24, graceHours: 2, region: 'eu-central-1', resourceArn: 'arn:<token>:rds:eu-west-1:111111111111:db:orders-master', backupVaultName: 'dr-vault' },
      { kind: 'ebs-snapshot', tier: 'hourly', intervalHours: 1, graceHours: 2, tagKey: 'backup', tagValue: 'hourly' },
      { kind: 'ebs-snapshot', tier: 'daily', intervalHours: 24, graceHours: 2, volumeId: 'vol-0123456789abcdef0' },
      { kind: 'daily-dump', tier: 'daily-dump', intervalHours: 24, graceHours: 2, bucket: '<token>' },
      { kind: 'yearly-archive', tier: 'yearly', intervalHours: 8784, graceHours: 336, bucket: '<token>' },
    ]);
    // `resource` is left out (the variable is limited to 4 KB): the function reads from the other fields the resource the metrics name.
    expect(parseConfig(JSON.stringify(config)).checks.map((c) => c.resource))
      .toEqual(['orders-replica', 'orders-master', 'orders-master', 'tag:backup=hourly', 'vol-0123456789abcdef0', '<token>', '<token>']);
    expect(construct.backupAgeAlarms).toHaveLength(7);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BackupAgeHours', Threshold: 30, Dimensions: Match.arrayWith([{ Name: 'Region', Value: 'eu-central-1' }, { Name: 'Tier', Value: 'daily-dr' }]) });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Action: 'backup:ListRecoveryPointsByBackupVault', Resource: 'arn:aws:backup:eu-central-1:111111111111:backup-vault:dr-vault' }),
      Match.objectLike({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['daily/*'] } } }),
      Match.objectLike({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/daily/*']] } }),
      Match.objectLike({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['yearly/*'] } } }),
    ]) } });
    // Of the archive, only the manifests are read: the dumps may be in Deep Archive.
    const archiveArn = { 'Fn::GetAtt': [f.stack.getLogicalId(archive.node.defaultChild as s3.CfnBucket), 'Arn'] };
    expect(freshnessStatements(template).filter((statement) => JSON.stringify(statement.Resource).includes(JSON.stringify(archiveArn)) && statement.Action !== 's3:ListBucket')).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [archiveArn, '/yearly/*/manifest.json']] } },
    ]);
    // Dump runs are hashed once: the records of verified runs are read and written under their own prefix of the report bucket, and nothing else there is read.
    expect(config.verificationPrefix).toBe('consistency-checks/dump-verifications/');
    const reportBucketArn = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }))[0], 'Arn'] };
    const onReportBucket = freshnessStatements(template).filter((statement) => JSON.stringify(statement.Resource).includes(JSON.stringify(reportBucketArn)));
    expect(onReportBucket).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [reportBucketArn, '/consistency-checks/backup-freshness/*']] } },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [reportBucketArn, '/consistency-checks/dump-verifications/*']] } },
    ]);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: Match.arrayWith([{ Action: 'backup:ListRecoveryPointsByResource', Effect: 'Allow', Resource: '*' }]) } });
    // RDS snapshots: the replica and the snapshots of the region its check looks in (its copies), not '*'.
    expect(freshnessStatements(template).filter((statement) => statement.Action === 'rds:DescribeDBSnapshots')).toEqual([
      { Action: 'rds:DescribeDBSnapshots', Effect: 'Allow', Resource: [rdsArn('eu-central-1', 'db:orders-replica'), rdsArn('eu-central-1', 'snapshot:*')] },
    ]);
    // EBS snapshots: only in the region both EBS checks look in, once.
    expect(freshnessStatements(template).filter((statement) => statement.Action === 'ec2:DescribeSnapshots')).toEqual([
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
    ]);
    // The dumps bucket's key may decrypt for the freshness function.
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyName: Match.stringLikeRegexp('FreshnessCheck'), PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt' })]) } });
    expect(f.stack.resolve(construct.metricBackupAgeHours(checks[2]).dimensions)).toEqual({ Check: 'recovery-point', Resource: 'orders-master', Tier: 'daily-dr', Region: 'eu-central-1' });
  });

  test('dump and archive buckets in another region: the region is the bucket\'s, or the one given, in the config, the metric and the key grant', () => {
    const f = fixture();
    const offSiteKey = kms.Key.fromKeyArn(f.stack, 'OffSiteKey', 'arn:aws:kms:eu-central-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    const offSiteDumps = s3.Bucket.fromBucketAttributes(f.stack, 'OffSiteDumps', { bucketName: 'dumps-replica', region: 'eu-central-1', encryptionKey: offSiteKey });
    const offSiteArchive = s3.Bucket.fromBucketName(f.stack, 'OffSiteArchive', 'archive-replica');
    const checks = [
      FreshnessCheck.dailyDumps({ bucket: offSiteDumps, tier: 'daily-dump-dr' }),
      FreshnessCheck.yearlyArchives({ bucket: offSiteArchive, region: 'eu-north-1', tier: 'yearly-dr' }),
      FreshnessCheck.dailyDumps({ bucket: offSiteDumps, region: 'eu-west-1', tier: 'given-region-wins' }),
    ];
    const { template, checks: construct } = build({ freshnessChecks: checks }, f);
    expect(freshnessConfig(f.stack, template).checks).toEqual([
      { kind: 'daily-dump', tier: 'daily-dump-dr', intervalHours: 24, graceHours: 2, region: 'eu-central-1', bucket: 'dumps-replica' },
      { kind: 'yearly-archive', tier: 'yearly-dr', intervalHours: 8784, graceHours: 336, region: 'eu-north-1', bucket: 'archive-replica' },
      { kind: 'daily-dump', tier: 'given-region-wins', intervalHours: 24, graceHours: 2, bucket: 'dumps-replica' },
    ]);
    expect(f.stack.resolve(construct.metricBackupAgeHours(checks[0]).dimensions)).toEqual({ Check: 'daily-dump', Resource: 'dumps-replica', Tier: 'daily-dump-dr', Region: 'eu-central-1' });
    expect(f.stack.resolve(construct.metricBackupAgeHours(checks[1]).dimensions)).toMatchObject({ Region: 'eu-north-1' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'BackupAgeHours', Dimensions: Match.arrayWith([{ Name: 'Region', Value: 'eu-central-1' }, { Name: 'Tier', Value: 'daily-dump-dr' }]) });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyName: Match.stringLikeRegexp('FreshnessCheck'), PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-central-1:111111111111:key/11111111-2222-3333-4444-555555555555' }),
    ]) } });
  });

  test('an EBS check by volume looks in the volume\'s region: its own stack\'s, the same region given again, or another stack\'s', () => {
    const f = fixture();
    const local = ec2.Volume.fromVolumeAttributes(f.stack, 'Local', { volumeId: 'vol-0aaa1', availabilityZone: 'eu-west-1a' });
    const elsewhere = new Stack(f.stack.node.scope as App, 'Elsewhere', { env: { account: ENV.account, region: 'eu-north-1' } });
    const remote = ec2.Volume.fromVolumeAttributes(elsewhere, 'Remote', { volumeId: 'vol-0bbb2', availabilityZone: 'eu-north-1a' });
    const checks = [
      FreshnessCheck.ebsSnapshots({ volume: local, region: 'eu-west-1', tier: 'same-region' }),
      FreshnessCheck.ebsSnapshots({ volume: remote }),
    ];
    const { template, checks: construct } = build({ freshnessChecks: checks }, f);
    expect(freshnessConfig(f.stack, template).checks).toEqual([
      { kind: 'ebs-snapshot', tier: 'same-region', intervalHours: 24, graceHours: 2, volumeId: 'vol-0aaa1' },
      { kind: 'ebs-snapshot', tier: 'daily', intervalHours: 24, graceHours: 2, region: 'eu-north-1', volumeId: 'vol-0bbb2' },
    ]);
    expect(f.stack.resolve(construct.metricBackupAgeHours(checks[1]).dimensions)).toMatchObject({ Region: 'eu-north-1' });
    expect(freshnessStatements(template).filter((statement) => statement.Action === 'ec2:DescribeSnapshots').map((statement) => statement.Condition)).toEqual([
      { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      { StringEquals: { 'aws:RequestedRegion': 'eu-north-1' } },
    ]);
  });

  test('an EBS check by volume in another region is refused: the copies there carry an arbitrary volume id', () => {
    const f = fixture();
    const volume = ec2.Volume.fromVolumeAttributes(f.stack, 'Volume', { volumeId: 'vol-1', availabilityZone: 'eu-west-1a' });
    const make = (region: string) => () => new ConsistencyChecks(f.stack, `Checks${f.stack.node.children.length}`, {
      master: f.master, replica: f.replica, vpc: f.vpc, adminSecret: f.adminSecret, freshnessChecks: [FreshnessCheck.ebsSnapshots({ volume, region })],
    });
    expect(make('eu-central-1')).toThrow(/^Stack\/Checks\d+: `region` of an ebs-snapshot check by `volume` must be left out or be the volume's region \(eu-west-1\), got 'eu-central-1': a snapshot copied to another region carries an arbitrary volume id there, so no copy can be found by volume; check the copies in another region by tag \(`tagKey`, which Data Lifecycle Manager copies with `copyTags`\)$/);
    // A region synth cannot compare with the volume's is refused too.
    expect(make(new CfnParameter(f.stack, 'Region').valueAsString)).toThrow(/must be left out or be the volume's region \(eu-west-1\), got a region unknown at synth \(a token\)/);
    expect(make(Lazy.string({ produce: () => 'eu-north-1' }))).toThrow(/got a region unknown at synth \(a token\)/);
    // A token that is the volume's region at deploy is the volume's region.
    expect(make(Lazy.string({ produce: () => 'eu-west-1' }))).not.toThrow();
    expect(make(Aws.REGION)).not.toThrow();
    // By tag, another region is what checks the copies.
    expect(() => new ConsistencyChecks(f.stack, 'ByTag', {
      master: f.master, replica: f.replica, vpc: f.vpc, adminSecret: f.adminSecret, freshnessChecks: [FreshnessCheck.ebsSnapshots({ tagKey: 'backup', region: 'eu-central-1' })],
    })).not.toThrow();
  });

  test('an EBS check by volume of an environment-agnostic stack: a region name is refused, the stack\'s own region token is the volume\'s', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
    const instance = (id: string, name: string): rds.IDatabaseInstance => rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, id, {
      instanceIdentifier: name, instanceEndpointAddress: `${name}.example.com`, port: 3306, securityGroups: [],
    });
    const checkerSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Checker', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:checker-AbCdEf');
    const volume = ec2.Volume.fromVolumeAttributes(stack, 'Volume', { volumeId: 'vol-1', availabilityZone: 'eu-west-1a' });
    const props = (region: string): ConsistencyChecksProps => ({ master: instance(`M${region.length}`, 'm'), replica: instance(`R${region.length}`, 'r'), vpc, checkerSecret, freshnessChecks: [FreshnessCheck.ebsSnapshots({ volume, region })] });
    expect(() => new ConsistencyChecks(stack, 'Named', props('eu-west-1'))).toThrow(/^Agnostic\/Named: `region` of an ebs-snapshot check by `volume` must be left out or be the volume's region \(the region of its stack, unknown at synth\), got 'eu-west-1'/);
    expect(() => new ConsistencyChecks(stack, 'Own', props(Aws.REGION))).not.toThrow();
  });

  test('a dump bucket whose key is known only by its alias: decrypt through S3 of the bucket\'s region with the keys carrying the alias', () => {
    const f = fixture();
    const replica = s3.Bucket.fromBucketAttributes(f.stack, 'ReplicaDumps', { bucketName: 'dumps-replica', region: 'eu-central-1' });
    const { template } = build({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: replica, tier: 'daily-dump-dr', encryptionKeyAlias: 'alias/dumps' })] }, f);
    const decrypts = freshnessStatements(template)
      .filter((statement) => JSON.stringify(statement.Action).includes('kms:'));
    expect(decrypts).toEqual([{
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-central-1:111111111111:key/*']] },
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/dumps' }, 'StringEquals': { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' } },
    }]);
  });

  test('an archive bucket whose key is known only by its alias: its manifests decrypt through S3 of the bucket\'s region with the keys carrying the alias', () => {
    const f = fixture();
    const replica = s3.Bucket.fromBucketAttributes(f.stack, 'ReplicaArchive', { bucketName: 'archive-replica', region: 'eu-central-1' });
    const { template } = build({ freshnessChecks: [FreshnessCheck.yearlyArchives({ bucket: replica, tier: 'yearly-dr', encryptionKeyAlias: 'alias/archive' })] }, f);
    const statements = freshnessStatements(template)
      .filter((statement) => JSON.stringify(statement.Action).includes('kms:') || JSON.stringify(statement.Resource).includes('archive-replica'));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::archive-replica']] }, Condition: { StringLike: { 's3:prefix': ['yearly/*'] } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::archive-replica/yearly/*/manifest.json']] } },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-central-1:111111111111:key/*']] },
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/archive' }, 'StringEquals': { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' } },
      },
    ]);
  });

  test('DESTROY removes the created bucket, log bucket and key with the stack, and the functions\' dead-letter queues', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    expect(Object.values(template.findResources('AWS::S3::Bucket')).map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    expect(Object.values(template.findResources('AWS::SQS::Queue')).map((queue) => queue.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete']);
  });

  test('by default the functions\' dead-letter queues are kept with the key that encrypts them', () => {
    const { template } = build();
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues.map((queue) => [queue.DeletionPolicy, queue.UpdateReplacePolicy])).toEqual([['Retain', 'Retain'], ['Retain', 'Retain'], ['Retain', 'Retain']]);
  });

  test('a different retention of the reports', () => {
    const { template } = build({ reportRetention: Duration.days(90) });
    template.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } } } });
  });
});

describe('metrics', () => {
  test('metric methods name the namespace, dimensions and the check\'s period, with the maximum statistic', () => {
    const { checks, f } = build();
    const status = checks.metricCheckStatus(ConsistencyCheckKind.REPLICA_CONSISTENCY);
    expect({ name: status.metricName, ns: status.namespace, stat: status.statistic, period: status.period.toSeconds(), dims: f.stack.resolve(status.dimensions) })
      .toEqual({ name: 'CheckStatus', ns: 'CdkBackupDr', stat: 'Maximum', period: 86400, dims: { Check: 'replica-consistency', Resource: 'orders-master' } });
    expect(checks.metricCheckStatus(ConsistencyCheckKind.BACKUP_FRESHNESS).period.toSeconds()).toBe(3600);
    expect(checks.metricDriftedRows({ statistic: 'Sum' }).statistic).toBe('Sum');
    expect(checks.metricReplicaLagSeconds().metricName).toBe('ReplicaLagSeconds');
    expect(checks.metricBackupAgeHours(checks.freshnessChecks[0]).metricName).toBe('BackupAgeHours');
    expect(() => checks.metricBackupAgeHours(FreshnessCheck.rdsSnapshots({ instance: f.master }))).toThrow('Stack/Checks: metricBackupAgeHours() takes one of this construct\'s `freshnessChecks`, got a rds-snapshot check that is not among them');
  });
});

describe('validation', () => {
  const cases: Array<[string, (f: Fixture) => Partial<ConsistencyChecksProps>, string]> = [
    ['maxReplicaLag', () => ({ maxReplicaLag: Duration.days(2) }), 'Stack/Checks: `maxReplicaLag` must be 1 second to 1 day, got 2 days'],
    ['driftCheckInterval', () => ({ driftCheckInterval: Duration.minutes(30) }), 'Stack/Checks: `driftCheckInterval` must be 1 hour to 1 day, got 30 minutes'],
    ['driftCheckInterval minutes', () => ({ driftCheckInterval: Duration.seconds(3630) }), 'Stack/Checks: `driftCheckInterval` must be a whole number of minutes (it is an alarm period), got 1 hour 30 seconds'],
    ['driftCheckInterval from a parameter', (f) => ({ driftCheckInterval: Duration.minutes(new CfnParameter(f.stack, 'DriftMinutes', { type: 'Number' }).valueAsNumber) }),
      'Stack/Checks: `driftCheckInterval` must be a concrete duration (schedules, alarm periods, thresholds and descriptions are computed from it at synth), got an unresolved token (<token> minutes)'],
    ['maxReplicaLag in seconds from a parameter', (f) => ({ maxReplicaLag: Duration.seconds(new CfnParameter(f.stack, 'LagSeconds', { type: 'Number' }).valueAsNumber) }),
      'Stack/Checks: `maxReplicaLag` must be a concrete duration (schedules, alarm periods, thresholds and descriptions are computed from it at synth), got an unresolved token (<token> seconds)'],
    ['freshnessCheckInterval', () => ({ freshnessCheckInterval: Duration.minutes(5) }), 'Stack/Checks: `freshnessCheckInterval` must be 15 minutes to 1 day, got 5 minutes'],
    ['driftCheckTimeout', () => ({ driftCheckTimeout: Duration.minutes(20) }), 'Stack/Checks: `driftCheckTimeout` must be 1 minute to 15 minutes, got 20 minutes'],
    ['reportRetention', () => ({ reportRetention: Duration.days(4000) }), 'Stack/Checks: `reportRetention` must be 1 day to 3650 days, got 4000 days'],
    ['reportRetention hours', () => ({ reportRetention: Duration.hours(36) }), 'Stack/Checks: `reportRetention` must be a whole number of days, got 1 day 12 hours'],
    ['reportRetention with a bucket', (f) => ({ reportBucket: new s3.Bucket(f.stack, 'B'), reportRetention: Duration.days(30) }), 'Stack/Checks: `reportRetention` applies only to the report bucket this construct creates'],
    ['accessLogsBucket with a bucket', (f) => ({ reportBucket: new s3.Bucket(f.stack, 'B'), accessLogsBucket: new s3.Bucket(f.stack, 'L') }), 'Stack/Checks: `accessLogsBucket` applies only to the report bucket this construct creates'],
    ['reportPrefix', () => ({ reportPrefix: '/reports/' }), 'Stack/Checks: `reportPrefix` must be key segments of letters, digits and !_.*\'()- joined by \'/\', without a leading or trailing \'/\', got \'/reports/\''],
    ['metricNamespace', () => ({ metricNamespace: 'AWS/RDS' }), 'Stack/Checks: `metricNamespace` must be 1 to 255 letters, digits or ._/#:- and not start with \'AWS/\', got \'AWS/RDS\''],
    ['checkerUsername', () => ({ checkerUsername: 'drop user' }), 'Stack/Checks: `checkerUsername` must be 1 to 32 letters, digits or \'_\', got \'drop user\''],
    ['checkerUsername with a secret', (f) => ({ checkerUsername: 'x', checkerSecret: new secretsmanager.Secret(f.stack, 'S') }), 'Stack/Checks: `checkerUsername` names the generated checker user; with `checkerSecret` the user name comes from that secret, got checkerUsername \'x\''],
    ['no secret', () => ({ adminSecret: undefined }), 'Stack/Checks: give `adminSecret` (to create the read-only checker user) or `checkerSecret` (an existing user with SELECT, REPLICATION CLIENT, PROCESS), got neither'],
    ['databases', () => ({ databases: ['shop; DROP'] }), 'Stack/Checks: `databases` must hold database names of 1 to 64 letters, digits, \'_\' or \'$\', got \'shop; DROP\''],
    ['excludeTables', () => ({ excludeTables: ['shop.audit_log', 'sessions'] }), 'Stack/Checks: `excludeTables` must hold \'schema.table\' names (a database name of letters, digits, \'_\' or \'$\', a dot, a table name of 1 to 64 characters without a comma), got \'sessions\''],
    ['excludeTables comma', () => ({ excludeTables: ['shop.a,shop.b'] }), 'got \'shop.a,shop.b\''],
    ['databases empty', () => ({ databases: [] }), 'Stack/Checks: `databases` must name at least one database when set (leave it unset to compare every database), got []'],
    // Before: accepted; the drift check compared the database twice, or another was meant.
    ['databases twice', () => ({ databases: ['shop', 'billing', 'shop'] }), 'Stack/Checks: `databases` may name each database once, got \'shop\' twice ([0] and [2])'],
    ['excludeTables twice', () => ({ excludeTables: ['shop.audit_log', 'shop.audit_log'] }), 'Stack/Checks: `excludeTables` may name each table once, got \'shop.audit_log\' twice ([0] and [1])'],
    ['freshnessChecks empty', () => ({ freshnessChecks: [] }), 'Stack/Checks: `freshnessChecks` must list at least one check (leave it unset for the master\'s automated snapshots), got []'],
    ['tier', (f) => ({ freshnessChecks: [FreshnessCheck.rdsSnapshots({ instance: f.master, tier: 'daily tier' })] }), 'Stack/Checks: `tier` of the rds-snapshot check must be 1 to 64 letters, digits, \'.\', \'_\' or \'-\', got \'daily tier\''],
    ['interval', (f) => ({ freshnessChecks: [FreshnessCheck.recoveryPoints({ instance: f.master, interval: Duration.days(400) })] }), 'Stack/Checks: `interval` of the recovery-point check must be 1 minute to 366 days, got 400 days'],
    ['grace under a second', (f) => ({ freshnessChecks: [FreshnessCheck.rdsSnapshots({ instance: f.master, grace: Duration.millis(500) })] }), 'Stack/Checks: `grace` of the rds-snapshot check must be a whole number of seconds, 0 seconds to 366 days, got 500 millis (500 milliseconds)'],
    ['grace in fractional seconds', (f) => ({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: new s3.Bucket(f.stack, 'D'), grace: Duration.seconds(0.5) })] }), 'Stack/Checks: `grace` of the daily-dump check must be a whole number of seconds, 0 seconds to 366 days, got 500 millis (500 milliseconds)'],
    ['interval with a fraction of a second', (f) => ({ freshnessChecks: [FreshnessCheck.recoveryPoints({ instance: f.master, interval: Duration.millis(90_500) })] }), 'Stack/Checks: `interval` of the recovery-point check must be a whole number of seconds, 1 minute to 366 days, got 1 minute 30 seconds (90500 milliseconds)'],
    ['grace', (f) => ({ freshnessChecks: [FreshnessCheck.yearlyArchives({ bucket: new s3.Bucket(f.stack, 'A'), grace: Duration.days(120) })] }), 'Stack/Checks: `grace` of the yearly-archive check must be 0 to 90 days, got 120 days'],
    ['interval from a parameter', (f) => ({ freshnessChecks: [FreshnessCheck.recoveryPoints({ instance: f.master, interval: Duration.hours(new CfnParameter(f.stack, 'IntervalHours', { type: 'Number' }).valueAsNumber) })] }),
      'Stack/Checks: `interval` of the recovery-point check must be a concrete duration (the check\'s age limit and its BackupAgeHours alarm threshold are computed from it at synth), got an unresolved token (<token> hours)'],
    ['grace in seconds from a parameter', (f) => ({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: new s3.Bucket(f.stack, 'D'), grace: Duration.seconds(new CfnParameter(f.stack, 'GraceSeconds', { type: 'Number' }).valueAsNumber) })] }),
      'Stack/Checks: `grace` of the daily-dump check must be a concrete duration (the check\'s age limit and its BackupAgeHours alarm threshold are computed from it at synth), got an unresolved token (<token> seconds)'],
    ['region', (f) => ({ freshnessChecks: [FreshnessCheck.rdsSnapshots({ instance: f.master, region: 'Frankfurt' })] }), 'Stack/Checks: `region` of the rds-snapshot check must be a region name like eu-central-1, got \'Frankfurt\''],
    ['region of a dump check', (f) => ({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: new s3.Bucket(f.stack, 'D'), region: 'EU' })] }), 'Stack/Checks: `region` of the daily-dump check must be a region name like eu-central-1, got \'EU\''],
    ['region of an archive check', (f) => ({ freshnessChecks: [FreshnessCheck.yearlyArchives({ bucket: new s3.Bucket(f.stack, 'A'), region: 'frankfurt' })] }), 'Stack/Checks: `region` of the yearly-archive check must be a region name like eu-central-1, got \'frankfurt\''],
    ['encryptionKeyAlias', (f) => ({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: s3.Bucket.fromBucketName(f.stack, 'D', 'dumps'), encryptionKeyAlias: 'dumps' })] }), 'Stack/Checks: `encryptionKeyAlias` of the daily-dump check must be a key alias such as \'alias/my-key\' (not an AWS managed \'alias/aws/...\' one), got \'dumps\''],
    ['encryptionKeyAlias of AWS', (f) => ({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: s3.Bucket.fromBucketName(f.stack, 'D', 'dumps'), encryptionKeyAlias: 'alias/aws/s3' })] }), 'got \'alias/aws/s3\''],
    ['encryptionKeyAlias with a key', (f) => ({ freshnessChecks: [FreshnessCheck.dailyDumps({ bucket: new s3.Bucket(f.stack, 'D', { encryption: s3.BucketEncryption.KMS }), encryptionKeyAlias: 'alias/dumps' })] }), 'Stack/Checks: `encryptionKeyAlias` of the daily-dump check is for a bucket imported without its key, got \'alias/dumps\' for a bucket that has one (`encryptionKey`)'],
    ['encryptionKeyAlias of an archive check', (f) => ({ freshnessChecks: [FreshnessCheck.yearlyArchives({ bucket: s3.Bucket.fromBucketName(f.stack, 'A', 'archive'), encryptionKeyAlias: 'archive' })] }), 'Stack/Checks: `encryptionKeyAlias` of the yearly-archive check must be a key alias such as \'alias/my-key\' (not an AWS managed \'alias/aws/...\' one), got \'archive\''],
    ['encryptionKeyAlias of an archive check with a key', (f) => ({ freshnessChecks: [FreshnessCheck.yearlyArchives({ bucket: new s3.Bucket(f.stack, 'A', { encryption: s3.BucketEncryption.KMS }), encryptionKeyAlias: 'alias/archive' })] }), 'Stack/Checks: `encryptionKeyAlias` of the yearly-archive check is for a bucket imported without its key, got \'alias/archive\' for a bucket that has one (`encryptionKey`)'],
    ['the same check twice', (f) => ({ freshnessChecks: [FreshnessCheck.rdsSnapshots({ instance: f.master, snapshotType: RdsSnapshotType.AUTOMATED }), FreshnessCheck.recoveryPoints({ instance: f.master }), FreshnessCheck.rdsSnapshots({ instance: f.master, snapshotType: RdsSnapshotType.MANUAL })] }),
      'Stack/Checks: `freshnessChecks` [0] and [2] are the same rds-snapshot check of orders-master, tier \'daily\', in eu-west-1: give one of them another `tier`, got the same kind, resource, tier and region twice'],
    // Aws.REGION is the stack's region, where a check without a region looks.
    ['the same check twice, once in Aws.REGION', (f) => ({ freshnessChecks: [FreshnessCheck.rdsSnapshots({ instance: f.master }), FreshnessCheck.rdsSnapshots({ instance: f.master, region: Aws.REGION })] }),
      'Stack/Checks: `freshnessChecks` [0] and [1] are the same rds-snapshot check of orders-master, tier \'daily\', in eu-west-1: give one of them another `tier`, got the same kind, resource, tier and region twice'],
    // Before: accepted; the function was granted the vault's ARN, in its own region, and looked in the other: every run access denied, unknown.
    ['recovery-point vault imported by name with another region', (f) => ({ freshnessChecks: [FreshnessCheck.recoveryPoints({ instance: f.master, vault: backup.BackupVault.fromBackupVaultName(f.stack, 'V', 'dr-vault'), region: 'eu-central-1' })] }),
      'Stack/Checks: `region` of a recovery-point check with `vault` must be left out or be the vault\'s region (eu-west-1), got \'eu-central-1\': the function may list only the vault\'s ARN, which names eu-west-1; import a vault of another region by its ARN (`BackupVault.fromBackupVaultArn`), whose region the check then uses'],
    ['recovery-point vault ARN of one region with another region', (f) => ({ freshnessChecks: [FreshnessCheck.recoveryPoints({ instance: f.master, vault: backup.BackupVault.fromBackupVaultArn(f.stack, 'V', 'arn:aws:backup:eu-central-1:111111111111:backup-vault:dr-vault'), region: 'us-east-1' })] }),
      'Stack/Checks: `region` of a recovery-point check with `vault` must be left out or be the vault\'s region (eu-central-1), got \'us-east-1\''],
    // Before: accepted; the function refuses an empty tag value in its configuration, so every check of every run was unknown.
    ['ebs tagValue empty', () => ({ freshnessChecks: [FreshnessCheck.ebsSnapshots({ tagKey: 'backup', tagValue: '' })] }),
      'Stack/Checks: `tagValue` of an ebs-snapshot check must be 1 to 256 characters (leave it out for any value of `tagKey`), got \'\''],
    ['ebs alsoTagged with an empty value', () => ({ freshnessChecks: [FreshnessCheck.ebsSnapshots({ tagKey: 'backup', alsoTagged: { key: 'dlm-policy', value: '' } })] }),
      'Stack/Checks: `alsoTagged` of an ebs-snapshot check must have a key of 1 to 128 characters and a value of 1 to 256 characters, got key \'dlm-policy\' and value \'\''],
    ['ebs alsoTagged with an empty key', () => ({ freshnessChecks: [FreshnessCheck.ebsSnapshots({ tagKey: 'backup', alsoTagged: { key: '', value: 'daily' } })] }),
      'Stack/Checks: `alsoTagged` of an ebs-snapshot check must have a key of 1 to 128 characters and a value of 1 to 256 characters, got key \'\' and value \'daily\''],
    ['ebs neither', () => ({ freshnessChecks: [FreshnessCheck.ebsSnapshots({})] }), 'Stack/Checks: an ebs-snapshot check needs exactly one of `volume` and `tagKey`, got neither'],
    ['ebs both', (f) => ({ freshnessChecks: [FreshnessCheck.ebsSnapshots({ tagKey: 'b', volume: ec2.Volume.fromVolumeAttributes(f.stack, 'V', { volumeId: 'vol-1', availabilityZone: 'eu-west-1a' }) })] }), 'Stack/Checks: an ebs-snapshot check needs exactly one of `volume` and `tagKey`, got both'],
    ['ebs tagValue alone', (f) => ({ freshnessChecks: [FreshnessCheck.ebsSnapshots({ tagValue: 'x', volume: ec2.Volume.fromVolumeAttributes(f.stack, 'V', { volumeId: 'vol-1', availabilityZone: 'eu-west-1a' }) })] }), 'Stack/Checks: `tagValue` of an ebs-snapshot check needs `tagKey`, got tagValue \'x\' alone'],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    const f = fixture();
    expect(() => new ConsistencyChecks(f.stack, 'Checks', { master: f.master, replica: f.replica, vpc: f.vpc, adminSecret: f.adminSecret, ...props(f) })).toThrow(message);
  });

  test('an interval or grace of whole seconds given in fractions of a larger unit is accepted, in hours', () => {
    const f = fixture();
    const bound = FreshnessCheck.rdsSnapshots({ instance: f.master, interval: Duration.minutes(1.1), grace: Duration.hours(0.5) })._bind(f.stack);
    expect(bound.config).toMatchObject({ intervalHours: 66 / 3600, graceHours: 0.5 });
    expect(bound.maxAgeHours).toBeCloseTo(0.5 + 66 / 3600, 12);
  });
});

test('passes every compliance gate with zero unacknowledged findings', () => {
  // With the feature flags of cdk.json, as the reference app is synthesized.
  const app = appWithComplianceGates({ context: JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context });
  const f = fixture(app);
  const dumps = new s3.Bucket(f.stack, 'Dumps', { encryption: s3.BucketEncryption.KMS });
  new ConsistencyChecks(f.stack, 'Checks', {
    master: f.master, replica: f.replica, vpc: f.vpc, adminSecret: f.adminSecret,
    freshnessChecks: [
      FreshnessCheck.rdsSnapshots({ instance: f.master }),
      FreshnessCheck.recoveryPoints({ instance: f.master, vault: backup.BackupVault.fromBackupVaultArn(f.stack, 'DrVault', 'arn:aws:backup:eu-central-1:111111111111:backup-vault:dr') }),
      FreshnessCheck.ebsSnapshots({ tagKey: 'backup' }),
      FreshnessCheck.dailyDumps({ bucket: dumps }),
      FreshnessCheck.yearlyArchives({ bucket: dumps }),
      FreshnessCheck.dailyDumps({ bucket: s3.Bucket.fromBucketAttributes(f.stack, 'ReplicaDumps', { bucketName: 'dumps-replica', region: 'eu-central-1' }), tier: 'dr', encryptionKeyAlias: 'alias/dumps' }),
      FreshnessCheck.yearlyArchives({ bucket: s3.Bucket.fromBucketAttributes(f.stack, 'ReplicaArchive', { bucketName: 'archive-replica', region: 'eu-central-1' }), tier: 'dr', encryptionKeyAlias: 'alias/archive' }),
    ],
  });
  // Every finding outside the test's own fixture (VPC, database security group, dumps bucket)
  // is this construct's, wherever CDK places it in the stack.
  const fixturePaths = ['Stack/Vpc', 'Stack/DbSg', 'Stack/Dumps', 'Stack/Custom::VpcRestrictDefaultSGCustomResourceProvider'];
  const findings = complianceFindings(app).filter((finding) => !fixturePaths.some((prefix) => finding.path.startsWith(prefix)));
  expect(describeFindings(findings)).toEqual('');
});

test('a cron schedule of either check without exactly one ? in its day fields fails at synth, naming its prop', () => {
  const everyMonday = scheduler.ScheduleExpression.expression('cron(0 3 * * MON *)');
  expect(() => build({ driftCheckSchedule: everyMonday })).toThrow(/^Stack\/Checks: `driftCheckSchedule` must be cron\(.*\), as EventBridge Scheduler requires, got 'cron\(0 3 \* \* MON \*\)'$/);
  expect(() => build({ freshnessCheckSchedule: everyMonday })).toThrow(/^Stack\/Checks: `freshnessCheckSchedule` must be cron\(/);
  // Before: ? in both passed.
  expect(() => build({ driftCheckSchedule: scheduler.ScheduleExpression.expression('cron(0 3 ? * ? *)') })).toThrow(
    /^Stack\/Checks: `driftCheckSchedule` must be cron\(.*with exactly one of day-of-month and day-of-week \?.*, as EventBridge Scheduler requires, got 'cron\(0 3 \? \* \? \*\)'$/);
  expect(() => build({ driftCheckSchedule: scheduler.ScheduleExpression.expression('cron(0 3 ? * * *)') })).not.toThrow();
});

// Before: each passed the synth, and its status alarm (missing data breaching, the interval as
// its period) went off between two runs: every weekend, or every other hour.
test.each([
  ['driftCheckSchedule', 'driftCheckInterval', 'cron(0 3 ? * MON-FRI *)', {}, '1 day', 72],
  ['driftCheckSchedule', 'driftCheckInterval', 'cron(30 3 * * ? *)', { driftCheckInterval: Duration.hours(12) }, '12 hours', 24],
  ['freshnessCheckSchedule', 'freshnessCheckInterval', 'rate(2 hours)', {}, '1 hour', 2],
  ['freshnessCheckSchedule', 'freshnessCheckInterval', 'cron(0 * * * ? *)', { freshnessCheckInterval: Duration.minutes(30) }, '30 minutes', 1],
] as const)('a %s that leaves more than the %s between two runs (%s) fails at synth, naming the gap', (prop, intervalProp, expression, overrides, interval, hours) => {
  expect(() => build({ ...overrides, [prop]: scheduler.ScheduleExpression.expression(expression) })).toThrow(new Error(
    `Stack/Checks: \`${prop}\` must run at least once every \`${intervalProp}\` (${interval}, the period of the alarms that breach when a run is missing), `
    + `got '${expression}', up to ${hours} hours between two runs: give a schedule that runs more often, or a longer \`${intervalProp}\``));
});

test('a daily drift check at a local time with daylight saving time needs a longer interval than a day, which is refused; in UTC it passes', () => {
  const daily = { minute: '0', hour: '3' };
  expect(() => build({ driftCheckSchedule: scheduler.ScheduleExpression.cron({ ...daily, timeZone: TimeZone.EUROPE_BERLIN }) })).toThrow(
    /^Stack\/Checks: `driftCheckSchedule` must run at least once every `driftCheckInterval` \(1 day, .*got 'cron\(0 3 \* \* \? \*\)' in Europe\/Berlin, up to 25 hours between two runs/);
  expect(() => build({ driftCheckSchedule: scheduler.ScheduleExpression.cron(daily) })).not.toThrow();
  expect(() => build({ driftCheckSchedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3,15', timeZone: TimeZone.EUROPE_BERLIN }) })).not.toThrow();
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(OUT_OF_RANGE_CRONS)('a cron schedule %s of either check, out of its field\'s range, fails at synth, naming its prop, the value and what is allowed', (expression, why) => {
  const schedule = scheduler.ScheduleExpression.expression(expression);
  const message = (prop: string): string => `Stack/Checks: \`${prop}\` must have in each field a value EventBridge Scheduler accepts (${ALLOWED_CRON_VALUES}), got '${expression}': ${why}`;
  expect(() => build({ driftCheckSchedule: schedule })).toThrow(new Error(message('driftCheckSchedule')));
  expect(() => build({ freshnessCheckSchedule: schedule })).toThrow(new Error(message('freshnessCheckSchedule')));
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(NTH_WEEKDAY_NOT_ALONE_CRONS)('a cron schedule %s of either check, with # not alone in the day of the week, fails at synth, naming its prop, the value and what is allowed', (expression, why) => {
  const schedule = scheduler.ScheduleExpression.expression(expression);
  const message = (prop: string): string => `Stack/Checks: \`${prop}\` must have a day-of-week field EventBridge Scheduler accepts, got '${expression}': ${why}`;
  expect(() => build({ driftCheckSchedule: schedule })).toThrow(new Error(message('driftCheckSchedule')));
  expect(() => build({ freshnessCheckSchedule: schedule })).toThrow(new Error(message('freshnessCheckSchedule')));
});

// Before: each passed the synth, and AWS would refuse the schedule at deploy.
test.each(LAST_IN_LIST_CRONS)('a cron schedule %s of either check, with L in a list of a day field, fails at synth, naming its prop, the value and what is allowed', (expression, why) => {
  const schedule = scheduler.ScheduleExpression.expression(expression);
  const message = (prop: string): string => `Stack/Checks: \`${prop}\` ${LAST_IN_LIST_ALLOWED}, got '${expression}': ${why}`;
  expect(() => build({ driftCheckSchedule: schedule })).toThrow(new Error(message('driftCheckSchedule')));
  expect(() => build({ freshnessCheckSchedule: schedule })).toThrow(new Error(message('freshnessCheckSchedule')));
});

// Lambda refuses an environment over 4 KB (names and values, as one JSON object), and
// CloudFormation then fails the deploy; the whole check list is one variable.
describe('the freshness function\'s configuration fits Lambda\'s 4 KB environment', () => {
  const tagChecks = (count: number): FreshnessCheck[] => Array.from({ length: count }, (_, i) =>
    FreshnessCheck.ebsSnapshots({ tagKey: 'cdk-backup-dr:snapshots', tagValue: `volume-${i}`, alsoTagged: { key: 'cdk-backup-dr:snapshot-policy', value: 'eu-west-1/Stack/Policy' }, tier: `tier-${i}` }));

  test('too many checks for one function fail the synth, naming the function, the size, the limit and what to do', () => {
    const f = fixture();
    build({ freshnessChecks: tagChecks(5) }, f);
    const tooMany = fixture();
    new ConsistencyChecks(tooMany.stack, 'Checks', { master: tooMany.master, replica: tooMany.replica, vpc: tooMany.vpc, adminSecret: tooMany.adminSecret, freshnessChecks: tagChecks(30) });
    expect(() => Template.fromStack(tooMany.stack)).toThrow(new RegExp(
      '\\[Stack/Checks/FreshnessCheck\\] the environment variables take \\d{4,5} bytes as Lambda measures them \\(FRESHNESS_CONFIG \\d+-\\d+\\), over Lambda\'s limit of 4096 bytes \\(4 KB\\), so the deploy would fail: '
      + '`freshnessChecks` of Stack/Checks lists 30 checks, all in this one variable: give it fewer, or put some in another ConsistencyChecks'));
  });
});

test('a recovery-point check keeps its resource in the configuration only when its ARN does not end in it', () => {
  const f = fixture();
  const byParameter = rds.DatabaseInstance.fromDatabaseInstanceAttributes(f.stack, 'ByParameter', {
    instanceIdentifier: new CfnParameter(f.stack, 'InstanceId').valueAsString, instanceEndpointAddress: 'db.abc.eu-west-1.rds.amazonaws.com', port: 3306, securityGroups: [],
  });
  const odd = rds.DatabaseInstance.fromDatabaseInstanceAttributes(f.stack, 'Odd', { instanceIdentifier: 'odd:name', instanceEndpointAddress: 'odd.abc.eu-west-1.rds.amazonaws.com', port: 3306, securityGroups: [] });
  const { template } = build({ freshnessChecks: [FreshnessCheck.recoveryPoints({ instance: byParameter }), FreshnessCheck.recoveryPoints({ instance: odd })] }, f);
  const config = freshnessConfig(f.stack, template);
  expect(config.checks.map((check) => check.resource)).toEqual([undefined, 'odd:name']);
  expect(parseConfig(JSON.stringify(config)).checks.map((check) => check.resource)).toEqual(['<token>', 'odd:name']);
});
