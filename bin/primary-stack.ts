import { Aspects, Duration, RemovalPolicy, Size, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
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
import { BackupMetadata } from '../lib/report/metadata';
import { BackupNotifications } from '../lib/report/notifications';
import { RecoveryStack } from './recovery-stack';

export interface PrimaryStackProps extends StackProps {
  /** The stack in the disaster-recovery region that receives the off-site copies. */
  readonly recovery: RecoveryStack;
}

/** The primary region of the reference app: the replicated MySQL pair and its backups. */
export class PrimaryStack extends Stack {
  /** Three zones; public subnets for the NAT gateways, private subnets with egress for functions, isolated subnets for the databases. */
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
  /** The data volume of an example application, protected by `volumeSnapshots`. */
  public readonly appVolume: ec2.IVolume;
  /** EBS snapshot lifecycle policies for the volumes tagged `cdk-backup-dr:snapshots=tiers`. */
  public readonly volumeSnapshots: EbsSnapshotPolicy;

  constructor(scope: Construct, id: string, props: PrimaryStackProps) {
    super(scope, id, props);
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

    const region = this.region;
    const vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: [`${region}a`, `${region}b`, `${region}c`],
      natGateways: 1,
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

    // The auditor's and operator's view (issue 6): the backup owner (context `backupOwner`)
    // and the recovery objectives in the template, the owner subscribed to the alarm topic
    // with failed AWS Backup jobs routed to it, the dashboard, and the coverage guard.
    const owner: string = this.node.tryGetContext('backupOwner') ?? 'backup-owner@example.com';
    BackupMetadata.describeStack(this, { owner, recoveryPointObjective: Duration.hours(1), recoveryTimeObjective: Duration.hours(4) });
    new BackupNotifications(this, 'BackupOwner', { ownerEmail: owner, topic: this.alarmTopic, encryptionKey: this.encryptionKey });
    new BackupDashboard(this, 'Dashboard', { replicaLag: [this.database.metricReplicaLag()], alarms: this.database.alarms });
    Aspects.of(this).add(new BackupCoverage({ owner }));
  }
}
