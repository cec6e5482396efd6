import { CfnOutput, RemovalPolicy, Size, Stack, StackProps, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BackupDisasterRecovery } from '../lib/backup-disaster-recovery';
import { BackupBuckets } from '../lib/buckets/backup-buckets';
import { ConsistencyChecks } from '../lib/checks/consistency-checks';
import { ReplicatedMySql } from '../lib/database/replicated-mysql';
import { DatabaseDumpJob } from '../lib/dump/database-dump-job';
import { RetentionPolicy } from '../lib/policy/retention-policy';
import { DatabaseRestore } from '../lib/restore/database-restore';
import { DumpRestoreWorkflow } from '../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from '../lib/restore/object-restore-workflow';
import { RestoreDrills } from '../lib/restore/restore-drills';
import { VolumeRestoreWorkflow } from '../lib/restore/volume-restore-workflow';
import { EbsSnapshotPolicy } from '../lib/snapshots/ebs-snapshot-policy';
import { BackupVaults } from '../lib/vault/backup-vaults';
import { RecoveryStack } from './recovery-stack';

export interface PrimaryStackProps extends StackProps {
  /** The stack in the disaster-recovery region that receives the off-site copies. */
  readonly recovery: RecoveryStack;
}

/** The tag that puts a volume under the EBS snapshot lifecycle policies of the reference app. */
const VOLUME_TAGS = { [BackupDisasterRecovery.DEFAULT_VOLUME_TAG_KEY]: BackupDisasterRecovery.DEFAULT_VOLUME_TAG_VALUE };

/**
 * The primary region of the reference app: its VPC, the data volume of an example
 * application, and one `BackupDisasterRecovery` (the replicated MySQL pair and its backups,
 * checks, restores, drills, notifications, dashboard and coverage guard).
 */
export class PrimaryStack extends Stack {
  /** Three zones (`<region>a`, `b`, `c`); public subnets for a NAT gateway per zone, private subnets with egress for functions, isolated subnets for the databases; flow logs. */
  public readonly vpc: ec2.IVpc;
  /** The backups and disaster recovery of the database and the tagged volumes; the fields below are its children. */
  public readonly backupDisasterRecovery: BackupDisasterRecovery;
  /** The customer-managed key (rotated yearly) for the data and logs of this stack (`backupDisasterRecovery.encryptionKey`). */
  public readonly encryptionKey: kms.IKey;
  /** The SNS topic (encrypted with `encryptionKey`) every alarm of the reference app notifies; the backup owner is subscribed. */
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
  /** The 48-hour and yearly archive buckets, replicated to the recovery stack's buckets. */
  public readonly backupBuckets: BackupBuckets;
  /** The daily dump of the replica into `backupBuckets`. */
  public readonly databaseDump: DatabaseDumpJob;
  /** The database restore workflow (snapshot, AWS Backup recovery point, point in time, replica promotion). */
  public readonly databaseRestore: DatabaseRestore;
  /** The monthly restore drills of `databaseRestore`. */
  public readonly restoreDrills: RestoreDrills;
  /** Restores a database from a daily or yearly dump. */
  public readonly dumpRestore: DumpRestoreWorkflow;
  /** Restores an EBS volume from a snapshot. */
  public readonly volumeRestore: VolumeRestoreWorkflow;
  /** Restores S3 objects of the backup buckets to a point in time or from Deep Archive. */
  public readonly objectRestore: ObjectRestoreWorkflow;

  constructor(scope: Construct, id: string, props: PrimaryStackProps) {
    super(scope, id, props);
    // The VPC names its zones. The stack is told the same zones, so that synth makes no
    // availability-zone lookup (which would need AWS credentials).
    const region = this.region;
    const zones = [`${region}a`, `${region}b`, `${region}c`];
    if (!Token.isUnresolved(region) && !Token.isUnresolved(this.account)) {
      this.node.setContext(`availability-zones:account=${this.account}:region=${region}`, zones);
    }

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

    // S3 replication needs the recovery stack's buckets (found by their deterministic names
    // and key alias), so the recovery stack deploys first. The off-site vault and copy key are
    // named by plain strings (their region is a literal), never by a cross-region reference.
    this.addStackDependency(props.recovery, 'S3 replication needs the replica buckets of the recovery region');
    // DLM takes a key ARN only (its CmkArn pattern rejects an alias ARN, and KMS chooses the key
    // id): pass the recovery stack's output `EbsCopyKeyArn` with `-c ebsCopyKeyArn=...`; until
    // then the copies use the recovery region's default EBS key and the construct warns at synth.
    const ebsCopyKeyArn: string | undefined = this.node.tryGetContext('ebsCopyKeyArn');
    // The id `Default`: CDK leaves a path component named `Default` out of logical ids, so the
    // children (`Database`, `Backup`, `BackupBuckets`, `DatabaseDump`, ...) keep the logical ids
    // they had when this stack wired them by hand, and no database, bucket or vault is replaced.
    const dr = new BackupDisasterRecovery(this, 'Default', {
      vpc,
      ownerEmail: this.node.tryGetContext('backupOwner') ?? 'backup-owner@example.com',
      recoveryRegion: props.recovery.region,
      // Given explicitly so that the hourly freshness check also checks the volumes' newest snapshot.
      volumeTags: VOLUME_TAGS,
      offSiteVolumeKey: ebsCopyKeyArn ? kms.Key.fromKeyArn(this, 'EbsCopyKeyRef', ebsCopyKeyArn) : undefined,
    });
    this.backupDisasterRecovery = dr;
    this.encryptionKey = dr.encryptionKey;
    this.alarmTopic = dr.notifications.topic;
    this.database = dr.database;
    this.retentionPolicy = dr.retentionPolicy;
    this.backupVaults = dr.backupVaults;
    this.volumeSnapshots = dr.volumeSnapshots;
    this.backupBuckets = dr.backupBuckets;
    this.databaseDump = dr.databaseDump;
    this.consistencyChecks = dr.consistencyChecks;
    this.databaseRestore = dr.databaseRestore;
    this.restoreDrills = dr.restoreDrills;
    this.dumpRestore = dr.dumpRestore;
    this.volumeRestore = dr.volumeRestore;
    this.objectRestore = dr.objectRestore;

    // The VPC's flow logs, encrypted with the construct's key (whose policy lets CloudWatch Logs of this account and region use it).
    vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogGroup', {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      })),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    // Public subnets hold only the NAT gateway (no instance gets a public address).
    for (const subnet of vpc.publicSubnets) {
      const route = subnet.node.findChild('DefaultRoute');
      Validations.of(route).acknowledge(
        ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
          id: `${pack}-VPCNoUnrestrictedRouteToIGW`,
          reason: 'The public subnets hold only the NAT gateway that gives the private subnets outbound access; they launch no instance with a public address.',
        })),
      );
    }
    const flowLogPolicy = vpc.node.findChild('FlowLogs').node.findChild('IAMRole').node.findChild('DefaultPolicy');
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

    // The data volume of an example application: encrypted with the construct's key and
    // tagged for its EBS snapshot lifecycle policies.
    const appVolume = new ec2.Volume(this, 'AppVolume', {
      availabilityZone: vpc.availabilityZones[0],
      size: Size.gibibytes(20),
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      encrypted: true,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.appVolume = appVolume;
    for (const [key, value] of Object.entries(VOLUME_TAGS)) {
      Tags.of(appVolume).add(key, value);
    }
    Validations.of(appVolume).acknowledge(
      ...['HIPAA.Security', 'NIST.800.53.R5'].map((pack) => ({
        id: `${pack}-EC2EBSInBackupPlan`,
        reason: 'The volume is backed up by the EBS snapshot lifecycle policies of `VolumeSnapshots` (Data Lifecycle Manager), compiled from the same retention policy as the AWS Backup plan.',
      })),
    );

    // What the CLI docs and the on-call engineer read (README): the workflows and buckets.
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
        `--resource-arn ${this.formatArn({ service: 'ec2', resource: 'volume', resourceName: appVolume.volumeId })}`,
      ].join(' '),
    });
    new CfnOutput(this, 'DatabaseRestoreStateMachineArn', {
      description: 'Start a database restore here (`cdk-backup-dr restore db`, or aws stepfunctions start-execution --name restore-<request id>)',
      value: this.databaseRestore.stateMachine.stateMachineArn,
    });
    for (const [outputId, workflow] of [['DumpRestore', this.dumpRestore], ['VolumeRestore', this.volumeRestore], ['ObjectRestore', this.objectRestore]] as const) {
      new CfnOutput(this, `${outputId}StateMachineArn`, {
        description: `The ${outputId} workflow: \`cdk-backup-dr restore\` finds it by its tag cdk-backup-dr:workflow (or pass --state-machine with this ARN)`,
        value: workflow.stateMachine.stateMachineArn,
      });
    }
  }
}
