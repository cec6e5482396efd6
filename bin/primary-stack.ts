import { Aspects, CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps, Tags, Token, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ReplicatedMySql } from '../lib/database/replicated-mysql';
import { denyGrantsExceptForAwsResources } from '../lib/private/key-policy';
import { RetentionPolicy } from '../lib/policy/retention-policy';
import { EbsSnapshotPolicy } from '../lib/snapshots/ebs-snapshot-policy';
import { BackupVaults } from '../lib/vault/backup-vaults';
import { BackupCoverage } from '../lib/report/coverage';
import { BackupDashboard } from '../lib/report/dashboard';
import { BackupMetadata, BackupRole } from '../lib/report/metadata';
import { BackupNotifications } from '../lib/report/notifications';
import { DatabaseRestore } from '../lib/restore/database-restore';
import { RestoreDrills } from '../lib/restore/restore-drills';
import { DumpRestoreWorkflow } from '../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from '../lib/restore/object-restore-workflow';
import { VolumeRestoreWorkflow } from '../lib/restore/volume-restore-workflow';
import { ConsistencyChecks } from '../lib/checks/consistency-checks';
import { FreshnessCheck, RdsSnapshotType } from '../lib/checks/freshness-check';
import { RecoveryVault } from '../lib/vault/recovery-vault';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackupBuckets } from '../lib/buckets/backup-buckets';
import { DatabaseDumpJob } from '../lib/dump/database-dump-job';
import { ReplicatedMySqlEngine } from '../lib/database/replicated-mysql';
import { RecoveryStack } from './recovery-stack';

export interface PrimaryStackProps extends StackProps {
  /** The stack in the disaster-recovery region that receives the off-site copies. */
  readonly recovery: RecoveryStack;
}

/** The primary region of the reference app: the replicated MySQL pair and its backups. */
export class PrimaryStack extends Stack {
  /** Three zones (`<region>a`, `b`, `c`); public subnets for a NAT gateway per zone, private subnets with egress for functions, isolated subnets for the databases; flow logs. */
  public readonly vpc: ec2.IVpc;
  /** The customer-managed key (rotated yearly) for the data and logs of this stack. */
  public readonly encryptionKey: kms.IKey;
  /** The SNS topic (encrypted with `encryptionKey`) every alarm of the reference app notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The MySQL master and its replica in another zone. */
  public readonly database: ReplicatedMySql;
  /** Every backup tier, from the hourly rolling copies to the yearly archives kept indefinitely, with copies in the recovery region. */
  public readonly retentionPolicy: RetentionPolicy;
  /** AWS Backup vaults and plans that protect the master and the replica. */
  public readonly backupVaults: BackupVaults;
  /** The scheduled drift and backup freshness checks, their reports and alarms. */
  public readonly consistencyChecks: ConsistencyChecks;
  /** The data volume of an example application, protected by `volumeSnapshots`. */
  public readonly appVolume: ec2.IVolume;
  /** EBS snapshot lifecycle policies for the volumes tagged `cdk-backup-dr:snapshots=tiers`. */
  public readonly volumeSnapshots: EbsSnapshotPolicy;
  /** The 48-hour and yearly archive buckets, replicated to the recovery stack's `RecoveryBuckets`. */
  public readonly backupBuckets: BackupBuckets;
  /** The daily dump of the replica into `backupBuckets`. */
  public readonly databaseDump: DatabaseDumpJob;

  constructor(scope: Construct, id: string, props: PrimaryStackProps) {
    super(scope, id, props);
    // The VPC names its zones. The stack is told the same zones, so that synth makes no
    // availability-zone lookup (which would need AWS credentials).
    const region = this.region;
    const zones = [`${region}a`, `${region}b`, `${region}c`];
    if (!Token.isUnresolved(region) && !Token.isUnresolved(this.account)) {
      this.node.setContext(`availability-zones:account=${this.account}:region=${region}`, zones);
    }
    const encryptionKey = new kms.Key(this, 'Key', {
      description: 'cdk-backup-dr reference app: the data, backups and logs of the primary region',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.encryptionKey = encryptionKey;
    // CloudWatch Logs may use the key for the log groups of this account and region (flow logs, functions).
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` } },
    }));

    const vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: zones,
      // One NAT gateway per zone: losing a zone must not cut the functions of the others off.
      natGateways: 3,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    this.vpc = vpc;
    vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogGroup', {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      })),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // Public subnets hold only the NAT gateway (no instance gets a public address).
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.findChild('DefaultRoute');
      Validations.of(route).acknowledge(
        ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
          id: `${pack}-VPCNoUnrestrictedRouteToIGW`,
          reason: 'The public subnets hold only the NAT gateway that gives the private subnets outbound access; they launch no instance with a public address.',
        })),
      );
    }
    const flowLogPolicy = this.vpc.node.findChild('FlowLogs').node.findChild('IAMRole').node.findChild('DefaultPolicy');
    Validations.of(flowLogPolicy).acknowledge(
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The inline policy CDK writes for flow-log delivery; it only writes to the flow-log group of this VPC.',
      })),
    );

    // Closing the default security group takes a custom resource whose function CDK provides.
    const restrictProvider = this.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (restrictProvider) {
      Validations.of(restrictProvider).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: 'The function CDK provides to remove the rules of the VPC\'s default security group runs once at deployment and only calls the EC2 API; it cannot run inside the VPC it is creating.',
      });
    }
    // Grants on the key only for AWS services acting for a resource (Control Tower CT.KMS.PR.3).
    this.encryptionKey.addToResourcePolicy(denyGrantsExceptForAwsResources());

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'cdk-backup-dr alarms',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    const alarmActions = [new cloudwatchActions.SnsAction(this.alarmTopic)];

    this.database = new ReplicatedMySql(this, 'Database', {
      vpc: this.vpc,
      encryptionKey: this.encryptionKey,
      alarmActions,
    });

    // Backup tiers (issue 3): one retention policy compiled into AWS Backup and EBS snapshot
    // lifecycle policies. The off-site vault and copy key live in the recovery stack and are
    // named by plain strings (their region is a literal), never by a cross-region reference.
    this.retentionPolicy = RetentionPolicy.fullLadder({ offSiteCopies: [{ region: props.recovery.region }] });
    this.backupVaults = new BackupVaults(this, 'Backup', {
      policy: this.retentionPolicy,
      databases: [this.database.master, this.database.replica],
      // Continuous backup (point-in-time recovery) is for the master: a read replica has none of its own.
      pointInTimeDatabases: [this.database.master],
    });
    const appVolume = new ec2.Volume(this, 'AppVolume', {
      availabilityZone: vpc.availabilityZones[0],
      size: Size.gibibytes(20),
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      encrypted: true,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.appVolume = appVolume;
    Tags.of(appVolume).add('cdk-backup-dr:snapshots', 'tiers');
    Validations.of(appVolume).acknowledge(
      ...['HIPAA.Security', 'NIST.800.53.R5'].map((pack) => ({
        id: `${pack}-EC2EBSInBackupPlan`,
        reason: 'The volume is backed up by the EBS snapshot lifecycle policies of `VolumeSnapshots` (Data Lifecycle Manager), compiled from the same retention policy as the AWS Backup plan.',
      })),
    );
    // DLM takes a key ARN only: pass the recovery stack's output `EbsCopyKeyArn` with
    // `-c ebsCopyKeyArn=...`; until then the copies use the recovery region's default EBS key.
    const ebsCopyKeyArn: string | undefined = this.node.tryGetContext('ebsCopyKeyArn');
    this.volumeSnapshots = new EbsSnapshotPolicy(this, 'VolumeSnapshots', {
      policy: this.retentionPolicy,
      targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
      volumeEncryptionKeys: [this.encryptionKey],
      copyEncryptionKeys: ebsCopyKeyArn ? { [props.recovery.region]: ebsCopyKeyArn } : undefined,
    });

    // S3 tiers and the daily dump (issue 3): the 48-hour and yearly buckets replicate to the
    // recovery stack's RecoveryBuckets, found by their deterministic names and key alias
    // (so the recovery stack deploys first); the dump is taken from the replica with
    // replication paused for the dump window.
    this.addDependency(props.recovery, 'S3 replication needs the replica buckets of the recovery region');
    this.backupBuckets = new BackupBuckets(this, 'BackupBuckets', { replication: { region: props.recovery.region } });
    const mariadb = this.database.engine === ReplicatedMySqlEngine.MARIADB;
    this.databaseDump = new DatabaseDumpJob(this, 'DatabaseDump', {
      vpc: this.vpc,
      replica: this.database.replica,
      databaseConnections: this.database,
      credentials: this.database.credentials,
      dailyBucket: this.backupBuckets.dailyBucket,
      archiveBucket: this.backupBuckets.archiveBucket,
      encryptionKey: this.encryptionKey,
      pauseReplication: true,
      alarmActions,
      ...(mariadb ? { dumpImage: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/mariadb:11.8'), dumpBinary: 'mariadb-dump' } : {}),
    });
    new CfnOutput(this, 'DumpStateMachineArn', {
      description: 'The daily database dump workflow: `cdk-backup-dr backup now` starts it (or finds it by its tag cdk-backup-dr:workflow=backup)',
      value: this.databaseDump.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'DailyBackupBucket', {
      description: 'The 48-hour bucket: daily/YYYY-MM-DD/<run id>/dump.sql.gz, .sha256 and manifest.json (objects live 48 to 72 hours: S3 rounds expiry to the next midnight UTC)',
      value: this.backupBuckets.dailyBucket.bucketName,
    });
    new CfnOutput(this, 'ArchiveBackupBucket', {
      description: 'The yearly archive bucket (Object Lock, compliance mode): yearly/YYYY/YYYY-MM-DD/<run id>/',
      value: this.backupBuckets.archiveBucket.bucketName,
    });
    new CfnOutput(this, 'BackupNowCommand', {
      description: 'An on-demand backup before a risky change: the dump and AWS Backup recovery points of the master and the app volume',
      value: [
        'npx cdk-backup-dr backup now',
        `--region ${this.region}`,
        `--state-machine ${this.databaseDump.stateMachine.stateMachineArn}`,
        `--vault ${this.backupVaults.vault.backupVaultName}`,
        `--backup-role-arn ${this.backupVaults.backupRole.roleArn}`,
        `--resource-arn ${this.database.master.instanceArn}`,
        `--resource-arn ${this.formatArn({ service: 'ec2', resource: 'volume', resourceName: this.appVolume.volumeId })}`,
      ].join(' '),
    });

    // Restores (issue 5): the database restore workflow (snapshot, AWS Backup recovery point,
    // point in time, replica promotion), and a monthly drill that restores the newest
    // snapshot to a scratch instance, verifies it, records RTO/RPO and deletes it.
    const databaseRestore = new DatabaseRestore(this, 'DatabaseRestore', {
      database: this.database.master,
      credentials: this.database.credentials,
      databaseConnections: this.database.connections,
      databaseKey: this.database.encryptionKey,
      vpc: this.vpc,
      encryptionKey: this.encryptionKey,
      replicas: [this.database.replica],
    });
    new RestoreDrills(this, 'RestoreDrills', { restore: databaseRestore, alarmActions });
    new CfnOutput(this, 'DatabaseRestoreStateMachineArn', {
      description: 'Start a database restore here (`cdk-backup-dr restore db`, or aws stepfunctions start-execution --name restore-<request id>)',
      value: databaseRestore.stateMachine.stateMachineArn,
    });

    // Restores from the other tiers (issue 5): a database from the daily (or yearly) dump,
    // an EBS volume from a snapshot, and S3 objects to a point in time or back from Deep
    // Archive. `cdk-backup-dr restore db --from-dump | volume | objects` finds them by tag.
    const dumpRestore = new DumpRestoreWorkflow(this, 'DumpRestore', {
      vpc: this.vpc,
      dumpBucket: this.backupBuckets.dailyBucket,
      archiveBucket: this.backupBuckets.archiveBucket,
      encryptionKey: this.encryptionKey,
      engine: this.database.master.engine,
      parameterGroup: this.database.parameterGroup,
    });
    const volumeRestore = new VolumeRestoreWorkflow(this, 'VolumeRestore', { vpc: this.vpc, encryptionKey: this.encryptionKey });
    // Copies go to the 48-hour bucket (restored/<time>/...): the archive bucket's Object Lock would keep a failed restore's copies for years.
    const objectRestore = new ObjectRestoreWorkflow(this, 'ObjectRestore', {
      vpc: this.vpc,
      encryptionKey: this.encryptionKey,
      buckets: [this.backupBuckets.dailyBucket, this.backupBuckets.archiveBucket],
      targetBuckets: [this.backupBuckets.dailyBucket],
    });
    // `cdk-backup-dr restore db --from-snapshot | --from-recovery-point | --to-time | --promote-replica` finds the database workflow by this tag.
    Tags.of(databaseRestore.stateMachine).add('cdk-backup-dr:workflow', 'database');
    for (const [id, workflow] of [['DumpRestore', dumpRestore], ['VolumeRestore', volumeRestore], ['ObjectRestore', objectRestore]] as const) {
      new CfnOutput(this, `${id}StateMachineArn`, {
        description: `The ${id} workflow: \`cdk-backup-dr restore\` finds it by its tag cdk-backup-dr:workflow (or pass --state-machine with this ARN)`,
        value: workflow.stateMachine.stateMachineArn,
      });
    }

    // Consistency checks (issue 4): the replica compared with the master row by row every
    // day as a read-only user the checks create, and every hour the newest copy of each
    // tier (automated snapshots, AWS Backup recovery points here and off-site, EBS
    // snapshots of the app volume, today's dump with its SHA-256, this year's archive)
    // checked against its interval plus a grace.
    const rollingInterval = this.retentionPolicy.rollingInterval;
    this.consistencyChecks = new ConsistencyChecks(this, 'ConsistencyChecks', {
      master: this.database.master,
      replica: this.database.replica,
      databaseConnections: this.database.connections,
      vpc: this.vpc,
      adminSecret: this.database.credentials,
      encryptionKey: this.encryptionKey,
      topic: this.alarmTopic,
      freshnessChecks: [
        FreshnessCheck.rdsSnapshots({ instance: this.database.master, snapshotType: RdsSnapshotType.AUTOMATED, tier: 'automated' }),
        FreshnessCheck.recoveryPoints({ instance: this.database.master, vault: this.backupVaults.vault, tier: 'rolling', interval: rollingInterval, grace: Duration.hours(1) }),
        FreshnessCheck.recoveryPoints({
          instance: this.database.master,
          vault: backup.BackupVault.fromBackupVaultArn(this, 'OffSiteVaultRef', RecoveryVault.arnOf(this, props.recovery.region)),
          region: props.recovery.region,
          tier: 'off-site',
          interval: this.retentionPolicy.copyRollingTierOffSite ? rollingInterval : Duration.days(1),
          grace: Duration.hours(6),
        }),
        FreshnessCheck.ebsSnapshots({ volume: appVolume, tier: 'rolling', interval: rollingInterval, grace: Duration.hours(1) }),
        FreshnessCheck.dailyDumps({ bucket: this.backupBuckets.dailyBucket }),
        FreshnessCheck.yearlyArchives({ bucket: this.backupBuckets.archiveBucket }),
      ],
    });

    // The auditor's and operator's view (issue 6): the backup owner (context `backupOwner`)
    // and the recovery objectives in the template, the owner subscribed to the alarm topic
    // with failed AWS Backup jobs routed to it, the dashboard, and the coverage guard.
    const owner: string = this.node.tryGetContext('backupOwner') ?? 'backup-owner@example.com';
    BackupMetadata.describeStack(this, { owner, recoveryPointObjective: Duration.hours(1), recoveryTimeObjective: Duration.hours(4) });
    new BackupNotifications(this, 'BackupOwner', { ownerEmail: owner, topic: this.alarmTopic, encryptionKey: this.encryptionKey });
    const restoreDrills = this.node.findChild('RestoreDrills') as RestoreDrills;
    new BackupDashboard(this, 'Dashboard', {
      replicaLag: [this.database.metricReplicaLag()],
      drillRecoveryTimes: [restoreDrills.metricRecoveryTime()],
      alarms: [...this.database.alarms, ...this.consistencyChecks.alarms],
    });
    Aspects.of(this).add(new BackupCoverage({ owner }));
    // What each part does for the policy, in the resources' Metadata (read by `cdk-backup-dr report`).
    BackupMetadata.describe(this.databaseDump.stateMachine, { role: BackupRole.BACKUP_JOB, tier: 'daily dump', owner, description: 'Dumps the replica every day', targets: [this.database] });
    BackupMetadata.describe(this.backupBuckets.dailyBucket, { role: BackupRole.BACKUP_STORE, tier: 'daily dump', owner, description: 'The daily dumps, kept 48 to 72 hours' });
    BackupMetadata.describe(this.backupBuckets.archiveBucket, { role: BackupRole.BACKUP_STORE, tier: 'yearly archive', owner, description: 'The year-end dumps, under Object Lock' });
    BackupMetadata.describe(databaseRestore.stateMachine, { role: BackupRole.RESTORE_DRILL, owner, description: 'Restores the database; drilled on a schedule by RestoreDrills', targets: [this.database] });
    BackupMetadata.describe(this.consistencyChecks.driftCheckFunction, { role: BackupRole.CONSISTENCY_CHECK, owner, description: 'Compares the replica with the master row by row', targets: [this.database] });
    BackupMetadata.describe(this.consistencyChecks.freshnessCheckFunction, { role: BackupRole.CONSISTENCY_CHECK, owner, description: 'Checks the age of the newest copy of each tier', targets: [this.database, appVolume] });
  }
}
