import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnParameter, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ReplicatedMySql, ReplicatedMySqlEngine, ReplicatedMySqlProps } from '../../lib';

const { DEFAULT_MYSQL_VERSION, DEFAULT_PORT } = ReplicatedMySql;
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function vpcIn(stack: Stack, zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: zones,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

function build(props: Partial<ReplicatedMySqlProps> = {}, zones?: string[]) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const vpc = vpcIn(stack, zones);
  const database = new ReplicatedMySql(stack, 'Db', { vpc, ...props });
  return { stack, vpc, database, template: () => Template.fromStack(stack) };
}

function instances(template: Template) {
  const all = template.findResources('AWS::RDS::DBInstance');
  const entries = Object.entries(all);
  const master = entries.find(([, r]) => r.Properties.SourceDBInstanceIdentifier === undefined)!;
  const replica = entries.find(([, r]) => r.Properties.SourceDBInstanceIdentifier !== undefined)!;
  return { master, replica, count: entries.length };
}

describe('ReplicatedMySql defaults', () => {
  const { database, template: t, stack } = build();
  const template = t();
  const { master, replica, count } = instances(template);

  test('a Multi-AZ MySQL 8.4 master, encrypted, protected and backed up', () => {
    expect(count).toBe(2);
    expect(master[1].Properties).toMatchObject({
      Engine: 'mysql',
      EngineVersion: DEFAULT_MYSQL_VERSION,
      MultiAZ: true,
      StorageEncrypted: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '22:00-23:00',
      PreferredMaintenanceWindow: 'sun:23:30-mon:00:30',
      CopyTagsToSnapshot: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'],
      EnablePerformanceInsights: true,
      MonitoringInterval: 60,
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      Port: String(DEFAULT_PORT),
      DBInstanceClass: 'db.r7g.large',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 1000,
      StorageType: 'gp3',
    });
    expect(master[1].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbKey/), 'Arn'] });
    expect(master[1].Properties.AvailabilityZone).toBeUndefined();
    expect(master[1].DeletionPolicy).toBe('Snapshot');
    expect(master[1].UpdateReplacePolicy).toBe('Snapshot');
    // Retained when the master is deleted: the point-in-time window of a deleted master.
    expect(master[1].Properties.DeleteAutomatedBackups).toBe(false);
  });

  test('the engine version is a full version RDS offers', () => {
    expect(DEFAULT_MYSQL_VERSION).toMatch(/^8\.4\.\d+$/);
    expect(database.engineVersion).toBe(DEFAULT_MYSQL_VERSION);
    expect(database.engine).toBe(ReplicatedMySqlEngine.MYSQL);
  });

  test('a read replica in an explicit zone, with its own automated backups', () => {
    expect(replica[1].Properties).toMatchObject({
      AvailabilityZone: 'eu-west-1c',
      MultiAZ: false,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '22:00-23:00',
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      CopyTagsToSnapshot: true,
    });
    expect(JSON.stringify(replica[1].Properties.SourceDBInstanceIdentifier)).toContain(`{"Ref":"${master[0]}"}`);
    // CloudFormation rejects StorageEncrypted on a replica: it inherits the master's encryption.
    expect(replica[1].Properties.StorageEncrypted).toBeUndefined();
    // RDS takes no final snapshot of a read replica: SNAPSHOT (the default) retains it instead.
    expect(master[1].DeletionPolicy).toBe('Snapshot');
    expect(replica[1].DeletionPolicy).toBe('Retain');
    expect(replica[1].UpdateReplacePolicy).toBe('Retain');
    expect(database.replicaAvailabilityZone).toBe('eu-west-1c');
  });

  test('the master\'s subnet group leaves out the replica\'s zone', () => {
    expect(database.masterAvailabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    const groups = template.findResources('AWS::RDS::DBSubnetGroup');
    const masterGroup = groups[master[1].Properties.DBSubnetGroupName.Ref];
    const subnetIds = masterGroup.Properties.SubnetIds.map((s: { Ref: string }) => s.Ref);
    expect(subnetIds).toHaveLength(2);
    const subnets = template.findResources('AWS::EC2::Subnet');
    expect(subnetIds.map((id: string) => subnets[id].Properties.AvailabilityZone).sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test('TLS required, GTID and row-based binlog in the parameter group of both instances', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mysql8.4',
      Parameters: Match.objectLike({
        'require_secure_transport': '1',
        'gtid-mode': 'ON',
        'enforce_gtid_consistency': 'ON',
        'binlog_format': 'ROW',
      }),
    });
    expect(replica[1].Properties.DBParameterGroupName).toEqual(master[1].Properties.DBParameterGroupName);
  });

  test('the audit plugin feeds the exported audit log', () => {
    template.hasResourceProperties('AWS::RDS::OptionGroup', {
      OptionConfigurations: [Match.objectLike({ OptionName: 'MARIADB_AUDIT_PLUGIN' })],
    });
  });

  test('new keys with rotation for the data and for the credentials, retained, granting only for AWS resources', () => {
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.keys(keys).sort()).toEqual([expect.stringMatching(/^DbCredentialsKey/), expect.stringMatching(/^DbKey/)]);
    for (const key of Object.values(keys)) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
        Effect: 'Deny', Action: 'kms:CreateGrant',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }));
    }
    expect(stack.resolve(database.credentialsEncryptionKey.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbCredentialsKey/), 'Arn'] });
  });

  test('master, replica and construct share one set of connections with a known port', () => {
    expect(database.master.connections).toBe(database.connections);
    expect(database.replica.connections).toBe(database.connections);
    expect(database.connections.defaultPort!.toString()).toBe(String(DEFAULT_PORT));
  });

  test('credentials in Secrets Manager, encrypted with the key, rotated every 30 days by a hosted function in the VPC', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({ KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbCredentialsKey'), 'Arn'] } }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'MySQLSingleUser', VpcSubnetIds: Match.anyValue() }),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    expect(database.credentials.secretArn).toBeDefined();
  });

  test('the security group admits only the rotation function', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('master and replica'),
      SecurityGroupEgress: Match.anyValue(),
    });
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
    expect(Object.values(ingress)).toHaveLength(1);
    expect(Object.values(ingress)[0].Properties).toMatchObject({ FromPort: DEFAULT_PORT, ToPort: DEFAULT_PORT });
  });

  test('alarms on replica lag, free storage and CPU', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Threshold: 300, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Maximum' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeStorageSpace', Threshold: 10 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 80, Period: 900 });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(database.alarms).toHaveLength(5);
  });

  // RDS puts ReplicaLag -1 while replication is not running: the lag alarm's maximum reads it as no lag.
  test('an alarm on the replica fires when replication is not running (ReplicaLag -1) in 3 consecutive 5-minute periods, not on a brief restart', () => {
    const replica = stack.resolve(database.replica.instanceIdentifier);
    const alarm = database.node.findChild('ReplicationStoppedAlarm').node.defaultChild as cloudwatch.CfnAlarm;
    expect(stack.resolve(database.replicationStoppedAlarm.alarmArn)).toEqual(stack.resolve(alarm.attrArn));
    expect(database.alarms).toContain(database.replicationStoppedAlarm);
    expect(template.toJSON().Resources[stack.getLogicalId(alarm)].Properties).toEqual({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replica }],
      Statistic: 'Minimum',
      Period: 300,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'ignore',
      AlarmDescription: 'Stack/Db: replication to the replica is not running (ReplicaLag -1, Seconds_Behind_Master NULL) at some point in each of the last three 5-minute periods; read SHOW REPLICA STATUS on the replica for the stopped thread and its last error',
    });
  });

  test('each alarm watches the instance it names: lag, stopped replication and replica storage the replica; storage and CPU the master', () => {
    const master = stack.resolve(database.master.instanceIdentifier);
    const replica = stack.resolve(database.replica.instanceIdentifier);
    const watched = (alarm: cloudwatch.IAlarm): unknown => {
      const resource = template.toJSON().Resources[stack.getLogicalId((alarm as cloudwatch.Alarm).node.defaultChild as cloudwatch.CfnAlarm)];
      return [resource.Properties.MetricName, resource.Properties.Dimensions];
    };
    const on = (instance: unknown) => [{ Name: 'DBInstanceIdentifier', Value: instance }];
    expect(database.alarms.map(watched)).toEqual([
      ['ReplicaLag', on(replica)],
      ['ReplicaLag', on(replica)],
      ['FreeStorageSpace', on(master)],
      ['FreeStorageSpace', on(replica)],
      ['CPUUtilization', on(master)],
    ]);
    expect(master).not.toEqual(replica);
  });

  test('the master\'s free storage alarm fires when the master puts no metrics (RDS cannot stop a master with a replica: it is deleted or broken); the CPU alarm does not page twice', () => {
    const master = stack.resolve(database.master.instanceIdentifier);
    const onMaster = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties).filter((p) => JSON.stringify(p.Dimensions) === JSON.stringify([{ Name: 'DBInstanceIdentifier', Value: master }]));
    expect(onMaster.map((p) => [p.MetricName, p.TreatMissingData])).toEqual(expect.arrayContaining([['FreeStorageSpace', 'breaching'], ['CPUUtilization', undefined]]));
    expect(onMaster).toHaveLength(2);
  });

  test('metrics with default statistics', () => {
    const lag = stack.resolve(database.metricReplicaLag().toMetricConfig().metricStat);
    expect(lag).toMatchObject({ metricName: 'ReplicaLag', namespace: 'AWS/RDS', statistic: 'Maximum' });
    expect(lag.dimensions[0].value).toEqual({ Ref: replica[0] });
    expect(database.metricFreeStorageSpace().statistic).toBe('Minimum');
    expect(database.metricReplicaFreeStorageSpace().statistic).toBe('Minimum');
    expect(database.metricCpuUtilization().statistic).toBe('Average');
    expect(database.metricCpuUtilization({ period: Duration.minutes(1) }).period.toMinutes()).toBe(1);
  });
});

describe('ReplicatedMySql overrides', () => {
  // A job that pauses replication (the daily dump) puts ReplicaLag -1 for the pause, and a lag
  // as long as the pause when replication resumes: neither may page.
  test('allowReplicationPauses: the stopped alarm waits out the longest pause plus 15 minutes, the lag alarm three periods of lag', () => {
    const { stack, database, template } = build();
    database.allowReplicationPauses(Duration.hours(2));
    database.allowReplicationPauses(Duration.minutes(30));
    const properties = (id: string) => template().toJSON().Resources[stack.getLogicalId(database.node.findChild(id).node.defaultChild as cloudwatch.CfnAlarm)].Properties;
    expect(properties('ReplicationStoppedAlarm')).toMatchObject({
      Period: 300, EvaluationPeriods: 27, DatapointsToAlarm: 27, Statistic: 'Minimum', Threshold: 0,
      AlarmDescription: 'Stack/Db: replication to the replica is not running (ReplicaLag -1, Seconds_Behind_Master NULL) at some point in each of the last 27 5-minute periods, longer than a job may pause it (2 hours); read SHOW REPLICA STATUS on the replica for the stopped thread and its last error',
    });
    expect(properties('ReplicaLagAlarm')).toMatchObject({
      Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 3, Statistic: 'Maximum', Threshold: 300,
      AlarmDescription: 'Stack/Db: the replica lags the master by more than 5 minutes in each of the last three 5-minute periods (a job may pause replication for up to 2 hours; the catch-up after it is not paged unless it lasts 10 minutes or more)',
    });
  });

  test('allowReplicationPauses: a pause of a day or more is waited out in hourly periods (CloudWatch allows at most a day of 5-minute periods)', () => {
    const { stack, database, template } = build();
    database.allowReplicationPauses(Duration.hours(24));
    const alarm = database.node.findChild('ReplicationStoppedAlarm').node.defaultChild as cloudwatch.CfnAlarm;
    expect(template().toJSON().Resources[stack.getLogicalId(alarm)].Properties).toMatchObject({ Period: 3600, EvaluationPeriods: 25, DatapointsToAlarm: 25 });
  });

  test.each([
    ['under a minute', Duration.seconds(30), 'Stack/Db: the `longest` replication pause must be 1 minute to 6 days, got 30 seconds'],
    ['over 6 days', Duration.days(7), 'Stack/Db: the `longest` replication pause must be 1 minute to 6 days, got 7 days'],
  ])('allowReplicationPauses refuses a pause %s', (_, longest, message) => {
    const { database } = build();
    expect(() => database.allowReplicationPauses(longest)).toThrow(message);
  });

  test('existing key, instance classes, storage, retention, windows and port', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const vpc = vpcIn(stack);
    const key = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
    new ReplicatedMySql(stack, 'Db', {
      vpc,
      encryptionKey: key,
      masterInstanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.XLARGE),
      replicaInstanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE),
      allocatedStorage: 200,
      maxAllocatedStorage: 500,
      engineVersion: '8.0.45',
      backupRetention: Duration.days(35),
      preferredBackupWindow: '01:00-01:30',
      preferredMaintenanceWindow: 'sat:03:00-sat:04:00',
      port: 3310,
      masterUsername: 'owner',
      parameters: { max_connections: '500', require_secure_transport: '0' },
      credentialsRotation: Duration.days(7),
      replicaAvailabilityZone: 'eu-west-1a',
    });
    const template = Template.fromStack(stack);
    const { master, replica } = instances(template);
    expect(master[1].Properties).toMatchObject({
      DBInstanceClass: 'db.m7g.xlarge', AllocatedStorage: '200', MaxAllocatedStorage: 500, EngineVersion: '8.0.45',
      BackupRetentionPeriod: 35, PreferredBackupWindow: '01:00-01:30', PreferredMaintenanceWindow: 'sat:03:00-sat:04:00',
      Port: '3310', MasterUsername: 'owner',
    });
    expect(master[1].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OwnKey/), 'Arn'] });
    expect(replica[1].Properties).toMatchObject({ DBInstanceClass: 'db.r7g.large', AvailabilityZone: 'eu-west-1a', BackupRetentionPeriod: 35 });
    // The own key encrypts the data; the credentials get their own key.
    template.resourceCountIs('AWS::KMS::Key', 2);
    // Extra parameters are merged; the required TLS setting cannot be turned off.
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mysql8.0',
      Parameters: Match.objectLike({ max_connections: '500', require_secure_transport: '1' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
  });

  test('MariaDB as the engine', () => {
    const { database, template } = build({ engine: ReplicatedMySqlEngine.MARIADB });
    const t = template();
    expect(instances(t).master[1].Properties).toMatchObject({ Engine: 'mariadb', EngineVersion: database.engineVersion });
    expect(database.engineVersion).toMatch(/^11\.8\.\d+$/);
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'mariadb11.8',
      Parameters: Match.objectLike({ require_secure_transport: 'ON', binlog_format: 'ROW' }),
    });
    const parameters = Object.values(t.findResources('AWS::RDS::DBParameterGroup'))[0].Properties.Parameters;
    expect(parameters['gtid-mode']).toBeUndefined();
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { HostedRotationLambda: Match.objectLike({ RotationType: 'MariaDBSingleUser' }) });
  });

  test('a single-AZ master in an explicit zone, away from the replica', () => {
    const { database, template } = build({ multiAz: false, masterAvailabilityZone: 'eu-west-1b', replicaAvailabilityZone: 'eu-west-1a' }, ['eu-west-1a', 'eu-west-1b']);
    const { master } = instances(template());
    expect(master[1].Properties).toMatchObject({ MultiAZ: false, AvailabilityZone: 'eu-west-1b' });
    expect(database.masterAvailabilityZones).toEqual(['eu-west-1b']);
  });

  test('a VPC without isolated subnets: the private subnets', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
    const database = new ReplicatedMySql(stack, 'Db', { vpc });
    expect(database.masterAvailabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    const template = Template.fromStack(stack);
    const subnets = template.findResources('AWS::EC2::Subnet');
    for (const group of Object.values(template.findResources('AWS::RDS::DBSubnetGroup'))) {
      for (const id of group.Properties.SubnetIds) {
        expect(subnets[id.Ref].Properties.MapPublicIpOnLaunch).toBe(false);
      }
    }
  });

  test('RETAIN keeps both instances', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.RETAIN });
    const { master, replica } = instances(template());
    expect(master[1].DeletionPolicy).toBe('Retain');
    expect(replica[1].DeletionPolicy).toBe('Retain');
    expect(master[1].Properties.DeletionProtection).toBe(true);
    expect(master[1].Properties.DeleteAutomatedBackups).toBe(false);
  });

  test('DESTROY with the explicit opt-in', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY, allowDestroy: true });
    const t = template();
    const { master, replica } = instances(t);
    expect(master[1].DeletionPolicy).toBe('Delete');
    expect(replica[1].DeletionPolicy).toBe('Delete');
    expect(master[1].Properties.DeletionProtection).toBe(false);
    // The explicit opt-in to losing data: the automated backups go with the master.
    expect(master[1].Properties.DeleteAutomatedBackups).toBe(true);
    expect(Object.values(t.findResources('AWS::KMS::Key')).map((k) => k.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });

  test('alarm thresholds and actions', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const topic = new sns.Topic(stack, 'Topic');
    new ReplicatedMySql(stack, 'Db', {
      vpc: vpcIn(stack),
      replicaLagAlarmThreshold: Duration.seconds(30),
      freeStorageAlarmThreshold: Size.gibibytes(20),
      cpuAlarmThreshold: 90,
      alarmActions: [new cloudwatchActions.SnsAction(topic)],
    });
    const template = Template.fromStack(stack);
    const topicRef = { Ref: Match.stringLikeRegexp('^Topic') };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Threshold: 30, AlarmActions: [topicRef], OKActions: [topicRef] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Statistic: 'Minimum', Threshold: 0, AlarmActions: [topicRef], OKActions: [topicRef] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeStorageSpace', Threshold: 20 * 1024 ** 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 90 });
  });

  test('grantConnect allows rds-db:connect on both instances', () => {
    const { stack, database } = build();
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    database.grantConnect(role, 'reader');
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p).includes('rds-db:connect'));
    expect(policy!.Properties.PolicyDocument.Statement.filter((s: { Action: string }) => s.Action === 'rds-db:connect')).toHaveLength(2);
  });
});

describe('ReplicatedMySql bad input', () => {
  const cases: Array<[string, Partial<ReplicatedMySqlProps> & { zones?: string[] }, RegExp]> = [
    ['replica in the master\'s zone', { multiAz: false, masterAvailabilityZone: 'eu-west-1a', replicaAvailabilityZone: 'eu-west-1a' }, /Stack\/Db: `masterAvailabilityZone` must differ from `replicaAvailabilityZone`.*got 'eu-west-1a' for both/],
    ['replica in a zone without subnets', { replicaAvailabilityZone: 'eu-west-1d' }, /Stack\/Db: `replicaAvailabilityZone` must be one of the zones of the selected subnets \(eu-west-1a, eu-west-1b, eu-west-1c\), got 'eu-west-1d'/],
    ['a master zone with Multi-AZ', { masterAvailabilityZone: 'eu-west-1a' }, /Stack\/Db: `masterAvailabilityZone` cannot be set for a Multi-AZ master.*got 'eu-west-1a'/],
    ['Multi-AZ with only two zones', { zones: ['eu-west-1a', 'eu-west-1b'] }, /Stack\/Db: the selected subnets span 2 availability zone\(s\).*needs 3.*`multiAz: false`/],
    ['backup retention of 0 days', { backupRetention: Duration.days(0) }, /Stack\/Db: `backupRetention` must be 1 to 35 whole days, got 0 days/],
    ['backup retention of 40 days', { backupRetention: Duration.days(40) }, /Stack\/Db: `backupRetention` must be 1 to 35 whole days, got 40 days/],
    ['backup retention in hours', { backupRetention: Duration.hours(36) }, /Stack\/Db: `backupRetention` must be 1 to 35 whole days, got 1 day 12 hours/],
    ['a 20-minute backup window', { preferredBackupWindow: '22:00-22:20' }, /Stack\/Db: `preferredBackupWindow` must be at least 30 minutes, got '22:00-22:20' \(20 minutes\)/],
    ['a malformed backup window', { preferredBackupWindow: '10pm-11pm' }, /Stack\/Db: `preferredBackupWindow` must be 'hh:mm-hh:mm' in UTC, got '10pm-11pm'/],
    ['a malformed maintenance window', { preferredMaintenanceWindow: 'sunday' }, /Stack\/Db: `preferredMaintenanceWindow` must be 'ddd:hh:mm-ddd:hh:mm' in UTC, got 'sunday'/],
    ['overlapping windows', { preferredBackupWindow: '23:00-23:45' }, /Stack\/Db: `preferredBackupWindow` '23:00-23:45' overlaps `preferredMaintenanceWindow` 'sun:23:30-mon:00:30'/],
    ['a major-only engine version', { engineVersion: '8.4' }, /Stack\/Db: `engineVersion` must be a full MySQL version that RDS offers, got '8.4'; allowed: .*8\.4\.\d+/],
    ['an engine version RDS does not offer', { engineVersion: '8.4.99' }, /Stack\/Db: `engineVersion` must be a full MySQL version that RDS offers, got '8.4.99'/],
    ['a MySQL version for MariaDB', { engine: ReplicatedMySqlEngine.MARIADB, engineVersion: '8.4.10' }, /Stack\/Db: `engineVersion` must be a full MariaDB version that RDS offers, got '8.4.10'/],
    ['too little storage', { allocatedStorage: 10 }, /Stack\/Db: `allocatedStorage` must be a whole number of GiB from 20 to 65536, got 10/],
    ['a storage limit below the storage', { allocatedStorage: 200, maxAllocatedStorage: 100 }, /Stack\/Db: `maxAllocatedStorage` must be at least `allocatedStorage` \(200 GiB\), got 100 GiB/],
    ['a free storage threshold of 0, which never goes off', { freeStorageAlarmThreshold: Size.bytes(0) }, /^Stack\/Db: `freeStorageAlarmThreshold` must be more than 0 bytes and less than `allocatedStorage` \(100 GiB\), got 0 bytes$/],
    ['a free storage threshold as large as the storage, on from the start', { allocatedStorage: 50, freeStorageAlarmThreshold: Size.gibibytes(50) }, /^Stack\/Db: `freeStorageAlarmThreshold` must be more than 0 bytes and less than `allocatedStorage` \(50 GiB\), got 50 GiB$/],
    ['a CPU threshold above 100 %', { cpuAlarmThreshold: 120 }, /Stack\/Db: `cpuAlarmThreshold` must be a percentage above 0 and at most 100, got 120/],
    ['a storage limit above what RDS allows', { maxAllocatedStorage: 100000 }, /^Stack\/Db: `maxAllocatedStorage` must be a whole number of GiB up to 65536, got 100000$/],
    ['a fractional storage limit', { maxAllocatedStorage: 1000.5 }, /^Stack\/Db: `maxAllocatedStorage` must be a whole number of GiB up to 65536, got 1000.5$/],
    ['the well-known HTTP port', { port: 80 }, /^Stack\/Db: `port` must be a whole number from 1150 to 65535 \(the ports RDS accepts\), got 80$/],
    ['a port above 65535', { port: 70000 }, /^Stack\/Db: `port` must be a whole number from 1150 to 65535 \(the ports RDS accepts\), got 70000$/],
    ['a fractional port', { port: 3307.5 }, /^Stack\/Db: `port` must be a whole number from 1150 to 65535 \(the ports RDS accepts\), got 3307.5$/],
    ['an empty master user name', { masterUsername: '' }, /^Stack\/Db: `masterUsername` must be 1 to 16 letters, digits or '_' starting with a letter, got ''$/],
    ['a master user name with a hyphen', { masterUsername: 'db-admin' }, /^Stack\/Db: `masterUsername` must be 1 to 16 letters, digits or '_' starting with a letter, got 'db-admin'$/],
    ['a master user name of 17 characters', { masterUsername: 'a'.repeat(17) }, /^Stack\/Db: `masterUsername` must be 1 to 16 letters, digits or '_' starting with a letter, got 'a{17}'$/],
    ['a master user name starting with a digit', { masterUsername: '1admin' }, /^Stack\/Db: `masterUsername` must be 1 to 16 letters, digits or '_' starting with a letter, got '1admin'$/],
    ['the user RDS keeps for itself', { masterUsername: 'rdsadmin' }, /^Stack\/Db: `masterUsername` must not be 'rdsadmin' \(the user RDS keeps for itself\), got 'rdsadmin'$/],
    // aws-cdk-lib reads a rotation of 0 as "never rotate".
    ['a credentials rotation of 0 days', { credentialsRotation: Duration.days(0) }, /^Stack\/Db: `credentialsRotation` must be a whole number of hours from 4 hours to 1000 days \(the rotation intervals Secrets Manager accepts; the credentials are always rotated\), got 0 days$/],
    ['a credentials rotation of 2 hours', { credentialsRotation: Duration.hours(2) }, /^Stack\/Db: `credentialsRotation` must be a whole number of hours from 4 hours to 1000 days .*, got 2 hours$/],
    ['a credentials rotation of 1001 days', { credentialsRotation: Duration.days(1001) }, /^Stack\/Db: `credentialsRotation` must be a whole number of hours from 4 hours to 1000 days .*, got 1001 days$/],
    ['a credentials rotation of 5 hours 30 minutes', { credentialsRotation: Duration.minutes(330) }, /^Stack\/Db: `credentialsRotation` must be a whole number of hours from 4 hours to 1000 days .*, got 5 hours 30 minutes$/],
    ['a replica lag threshold of a fraction of a second', { replicaLagAlarmThreshold: Duration.millis(1500) },
      /Stack\/Db: `replicaLagAlarmThreshold` must be a whole number of seconds, at least 1 second \(CloudWatch compares the replica lag in seconds\), got 1 second 500 millis/],
    ['no replica lag threshold at all', { replicaLagAlarmThreshold: Duration.seconds(0) }, /`replicaLagAlarmThreshold` must be a whole number of seconds, at least 1 second .*, got 0 seconds/],
    ['DESTROY without the opt-in', { removalPolicy: RemovalPolicy.DESTROY }, /Stack\/Db: `removalPolicy` DESTROY deletes the databases.*allowed are SNAPSHOT \(default\) and RETAIN, or DESTROY together with `allowDestroy: true`/],
  ];
  test.each(cases)('%s fails at synth', (_name, { zones, ...props }, message) => {
    expect(() => build(props, zones)).toThrow(message);
  });

  test('a token window passes to RDS as it is (RDS checks windows at deploy)', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const vpc = vpcIn(stack);
    const window = new CfnParameter(stack, 'Window', { default: '22:00-23:00' }).valueAsString;
    new ReplicatedMySql(stack, 'Db', { vpc, preferredBackupWindow: window });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', { PreferredBackupWindow: { Ref: 'Window' } });
  });

  const withToken = (props: (stack: Stack) => Partial<ReplicatedMySqlProps>): Stack => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    new ReplicatedMySql(stack, 'Db', { vpc: vpcIn(stack), ...props(stack) });
    return stack;
  };
  const number = (stack: Stack): number => new CfnParameter(stack, 'Token', { type: 'Number' }).valueAsNumber;
  const text = (stack: Stack): string => new CfnParameter(stack, 'Token').valueAsString;

  test.each<[string, (stack: Stack) => Partial<ReplicatedMySqlProps>, string]>([
    // The parameter group's family and the option group's major version are cut from it: a token would name the full version there.
    ['a token engine version', (stack) => ({ engineVersion: text(stack) }),
      'Stack/Db: `engineVersion` must be a concrete full MySQL version that RDS offers (the major version of the parameter and option groups is computed from it at synth), got an unresolved token'],
    ['a token backup retention in hours', (stack) => ({ backupRetention: Duration.hours(number(stack)) }),
      'Stack/Db: `backupRetention` must be a concrete duration of 1 to 35 whole days, or a token given in days (`Duration.days(token)`, which RDS receives as it is), got Duration.hours(token)'],
    // The master's subnets are narrowed to its zone: a token selects none.
    ['a token master zone', (stack) => ({ multiAz: false, masterAvailabilityZone: text(stack) }),
      "Stack/Db: `masterAvailabilityZone` must be a concrete zone (the master's subnets are selected by it at synth, and a token selects none), got an unresolved token"],
    // The concrete window is checked alone when the other is a token.
    ['a malformed maintenance window beside a token backup window', (stack) => ({ preferredBackupWindow: text(stack), preferredMaintenanceWindow: 'sunday' }),
      "Stack/Db: `preferredMaintenanceWindow` must be 'ddd:hh:mm-ddd:hh:mm' in UTC, got 'sunday'"],
    ['a 20-minute backup window beside a token maintenance window', (stack) => ({ preferredBackupWindow: '22:00-22:20', preferredMaintenanceWindow: text(stack) }),
      "Stack/Db: `preferredBackupWindow` must be at least 30 minutes, got '22:00-22:20' (20 minutes)"],
    ['a token credentials rotation', (stack) => ({ credentialsRotation: Duration.days(number(stack)) }),
      'Stack/Db: `credentialsRotation` must be a concrete duration (the rate expression of the rotation schedule is computed from it at synth), got an unresolved token'],
    // CloudWatch compares seconds and bytes: a token in another unit cannot be converted at synth.
    ['a token replica lag threshold in minutes', (stack) => ({ replicaLagAlarmThreshold: Duration.minutes(number(stack)) }),
      "Stack/Db: `replicaLagAlarmThreshold` must be a concrete duration, or a token given in seconds (`Duration.seconds(token)`, which CloudWatch receives as the alarm's threshold as it is), got Duration.minutes(token)"],
    ['a token free storage threshold in GiB', (stack) => ({ freeStorageAlarmThreshold: Size.gibibytes(number(stack)) }),
      "Stack/Db: `freeStorageAlarmThreshold` must be a concrete size, or a token given in bytes (`Size.bytes(token)`, which CloudWatch receives as the alarms' threshold as it is), got a token in another unit than bytes"],
  ])('%s fails at synth', (_name, props, message) => {
    expect(() => withToken(props)).toThrow(message);
  });

  test('token alarm thresholds in seconds and bytes go to CloudWatch as they are, and the alarm descriptions show them as the template resolves them', () => {
    const stack = withToken((s) => ({
      replicaLagAlarmThreshold: Duration.seconds(new CfnParameter(s, 'Lag', { type: 'Number' }).valueAsNumber),
      freeStorageAlarmThreshold: Size.bytes(new CfnParameter(s, 'Free', { type: 'Number' }).valueAsNumber),
    }));
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties).filter((p) => ['ReplicaLag', 'FreeStorageSpace'].includes(p.MetricName));
    const joined = (value: unknown): string => (typeof value === 'string' ? value
      : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(''));
    expect(alarms.map((p) => [p.MetricName, p.Threshold, joined(p.AlarmDescription)])).toEqual([
      ['ReplicaLag', { Ref: 'Lag' }, 'Stack/Db: the replica lags the master by more than <Lag> seconds'],
      ['ReplicaLag', 0, 'Stack/Db: replication to the replica is not running (ReplicaLag -1, Seconds_Behind_Master NULL) at some point in each of the last three 5-minute periods; read SHOW REPLICA STATUS on the replica for the stopped thread and its last error'],
      ['FreeStorageSpace', { Ref: 'Free' }, 'Stack/Db: the master has less than <Free> bytes of free storage, or puts no metrics (deleted or failed)'],
      ['FreeStorageSpace', { Ref: 'Free' }, 'Stack/Db: the replica has less than <Free> bytes of free storage'],
    ]);
  });

  test('a free storage threshold that is not whole GiB is shown as CDK writes a size', () => {
    const stack = withToken(() => ({ freeStorageAlarmThreshold: Size.mebibytes(1536) }));
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1536 * 1024 * 1024, AlarmDescription: 'Stack/Db: the master has less than 1.5 GiB of free storage, or puts no metrics (deleted or failed)',
    });
  });

  test('one token zone for both instances is refused with the zone shown as the template resolves it', () => {
    const sameZone = (multiAz: boolean) => () => withToken((s) => {
      const zone = new CfnParameter(s, 'Zone').valueAsString;
      return { multiAz, masterAvailabilityZone: zone, replicaAvailabilityZone: zone };
    });
    expect(sameZone(true)).toThrow(/^Stack\/Db: `masterAvailabilityZone` cannot be set for a Multi-AZ master \(RDS picks its zones\), got a token \(\{"Ref":"Zone"\}\); set `multiAz: false` or leave it out$/);
    expect(sameZone(false)).toThrow(/^Stack\/Db: `masterAvailabilityZone` must be a concrete zone .*, got an unresolved token$/);
  });

  // RDS and CloudWatch accept what these checks refuse: no backups, both instances in one zone, an alarm that never goes off.
  test.each<[string, (stack: Stack) => Partial<ReplicatedMySqlProps>, string]>([
    ['backupRetention', (stack) => ({ backupRetention: Duration.days(number(stack)) }),
      '`backupRetention` is an unresolved token, so the synth-time check that it is 1 to 35 whole days did not run (unknown, not passed); RDS receives it as the retention in days of both instances and accepts 0 to 35 at deploy, where 0 turns automated backups and point-in-time recovery off'],
    ['replicaAvailabilityZone', (stack) => ({ replicaAvailabilityZone: text(stack) }),
      "`replicaAvailabilityZone` is an unresolved token, so the synth-time check that it is one of the zones of the selected subnets (eu-west-1a, eu-west-1b, eu-west-1c) and that the master's subnets leave it out did not run"],
    ['allocatedStorage', (stack) => ({ allocatedStorage: number(stack) }),
      '`allocatedStorage` is an unresolved token, so the synth-time check that the default `maxAllocatedStorage` (the larger of 1000 GiB and `allocatedStorage`) is at least `allocatedStorage` did not run'],
    ['cpuAlarmThreshold', (stack) => ({ cpuAlarmThreshold: number(stack) }),
      '`cpuAlarmThreshold` is an unresolved token, so the synth-time check that it is a percentage above 0 and at most 100 did not run (unknown, not passed); CloudWatch accepts any threshold at deploy'],
    ['port', (stack) => ({ port: number(stack) }),
      '`port` is an unresolved token, so the synth-time check that it is a whole number from 1150 to 65535 did not run (unknown, not passed); RDS rejects another port at deploy'],
    ['masterUsername', (stack) => ({ masterUsername: text(stack) }),
      "`masterUsername` is an unresolved token, so the synth-time check that it is 1 to 16 letters, digits or '_' starting with a letter did not run (unknown, not passed); RDS rejects another user name at deploy"],
    // RDS refuses bad windows at deploy; the overlap with the other window cannot be checked at synth either.
    ['preferredBackupWindow', (stack) => ({ preferredBackupWindow: text(stack) }),
      "`preferredBackupWindow` is an unresolved token, so the synth-time check that it is 'hh:mm-hh:mm' in UTC, at least 30 minutes, and never overlaps `preferredMaintenanceWindow` ('sun:23:30-mon:00:30') did not run (unknown, not passed); RDS receives it as it is and refuses at deploy"],
    ['preferredMaintenanceWindow', (stack) => ({ preferredMaintenanceWindow: text(stack) }),
      "`preferredMaintenanceWindow` is an unresolved token, so the synth-time check that it is 'ddd:hh:mm-ddd:hh:mm' in UTC, at least 30 minutes, and never overlaps `preferredBackupWindow` ('22:00-23:00') did not run (unknown, not passed)"],
  ])('a token %s warns that its check did not run', (_prop, props, message) => {
    const warnings = Annotations.fromStack(withToken(props)).findWarning('/Stack/Db', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('unresolved token'))).toEqual([expect.stringContaining(`Stack/Db: ${message}`)]);
  });

  test('a token allocatedStorage with its own maxAllocatedStorage passes to RDS as it is, without a warning', () => {
    const stack = withToken((s) => ({ allocatedStorage: number(s), maxAllocatedStorage: 2000 }));
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', { AllocatedStorage: { Ref: 'Token' }, MaxAllocatedStorage: 2000 });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Db', Match.stringLikeRegexp('unresolved token'));
  });
});

describe('ReplicatedMySql compliance', () => {
  const cdkJsonContext = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
  test.each([ReplicatedMySqlEngine.MYSQL, ReplicatedMySqlEngine.MARIADB])('%s: zero unacknowledged findings across every gate when it is in a backup plan and its alarms notify', (engine) => {
    const app = appWithComplianceGates({ context: cdkJsonContext });
    const stack = new Stack(app, 'Stack', { env: ENV });
    const vpc = vpcIn(stack);
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    const database = new ReplicatedMySql(stack, 'Db', { vpc, engine, alarmActions: [new cloudwatchActions.SnsAction(topic)] });
    // A client the way the library's functions are: its role writes to a log group encrypted
    // with the data key, it reads the credentials and connects through the master's connections.
    const clientLogs = new logs.LogGroup(stack, 'ClientLogs', { encryptionKey: database.encryptionKey, retention: logs.RetentionDays.ONE_YEAR });
    const clientRole = new iam.Role(stack, 'ClientRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    clientRole.addManagedPolicy(new iam.ManagedPolicy(stack, 'ClientPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [clientLogs.logGroupArn] })],
    }));
    database.credentials.grantRead(clientRole);
    const clientGroup = new ec2.SecurityGroup(stack, 'ClientGroup', { vpc });
    database.master.connections.allowDefaultPortFrom(clientGroup);
    // The backup tiers of this library put the pair into an AWS Backup plan; here a plain plan does.
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    plan.addSelection('Selection', {
      resources: [
        backup.BackupResource.fromRdsDatabaseInstance(database.master as rds.DatabaseInstance),
        backup.BackupResource.fromRdsDatabaseInstance(database.replica as rds.DatabaseInstance),
      ],
    });
    const findings = complianceFindings(app);
    expect(describeFindings(findings.filter((f) => f.path.startsWith('Stack/Db')))).toEqual('');
  });
});
