import { Duration, RemovalPolicy, Size, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { OFFERED_MARIADB_VERSIONS, OFFERED_MYSQL_VERSIONS } from './engine-versions';
import { validateCredentialsRotation, validateMasterUsername, validatePort } from './instance-settings';
import { describeAtDeploy } from '../private/deploy-time-equality';
import { denyGrantsExceptForAwsResources } from '../private/key-policy';
import { warnUncheckedToken } from '../private/unchecked-token';
import { fitGeneratedSecurityGroupDescriptions } from '../private/security-group-description';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import { REPLICATION_ERROR_EVENT_IDS } from './replication-events';
import { dailyOverlapsWeekly, parseDailyWindow, ParsedWindow, parseWeeklyWindow } from './windows';

/** The database engine of a {@link ReplicatedMySql} pair. */
export enum ReplicatedMySqlEngine {
  /** RDS for MySQL (default version 8.4). */
  MYSQL = 'mysql',
  /** RDS for MariaDB, which RDS offers as a MySQL-compatible engine (default version 11.8). */
  MARIADB = 'mariadb',
}

/** Properties of a {@link ReplicatedMySql} pair. */
export interface ReplicatedMySqlProps {
  /** The VPC the master and the replica run in. Its subnets must span at least three availability zones for a Multi-AZ master (two for a single-AZ master). */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the database subnet groups.
   * @default - the VPC's isolated subnets, or its private subnets with egress when it has no isolated ones
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The customer-managed key that encrypts storage and Performance Insights.
   * @default - a new key with yearly rotation, retained when the stack is deleted
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The customer-managed key that encrypts the credentials secret. Keep it apart from the key
   * of the readers' log groups: a grant to read the secret puts the reader's role into this
   * key's policy.
   * @default - a new key with yearly rotation, retained when the stack is deleted
   */
  readonly credentialsEncryptionKey?: kms.IKey;

  /**
   * The engine.
   * @default ReplicatedMySqlEngine.MYSQL
   */
  readonly engine?: ReplicatedMySqlEngine;

  /**
   * The full engine version, for example `8.4.10` or `11.8.6`, one that RDS offers for the engine.
   * @default - `ReplicatedMySql.DEFAULT_MYSQL_VERSION` for MySQL, `ReplicatedMySql.DEFAULT_MARIADB_VERSION` for MariaDB
   */
  readonly engineVersion?: string;

  /**
   * The instance class of the master.
   * @default - db.r7g.large
   */
  readonly masterInstanceType?: ec2.InstanceType;

  /**
   * The instance class of the replica.
   * @default - the master's instance class
   */
  readonly replicaInstanceType?: ec2.InstanceType;

  /**
   * The allocated storage of the master in GiB, 20 to 65536 (the replica starts with the same).
   * @default 100
   */
  readonly allocatedStorage?: number;

  /**
   * The upper limit in GiB to which RDS may grow the storage automatically; at least `allocatedStorage`.
   * @default - 1000, or `allocatedStorage` when that is larger
   */
  readonly maxAllocatedStorage?: number;

  /**
   * Whether the master is a Multi-AZ deployment (a synchronous standby in another zone).
   * RDS picks the zones of a Multi-AZ master itself; this construct keeps it out of the
   * replica's zone by giving the master a subnet group without that zone.
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * The availability zone of a single-AZ master. Not allowed with `multiAz` (RDS does not
   * accept an availability zone for a Multi-AZ instance). Must differ from `replicaAvailabilityZone`.
   * @default - the first zone of the selected subnets that is not the replica's
   */
  readonly masterAvailabilityZone?: string;

  /**
   * The availability zone of the read replica. The master is never placed in it.
   * @default - the last zone of the selected subnets (`vpcSubnets`)
   */
  readonly replicaAvailabilityZone?: string;

  /**
   * How long automated backups (and point-in-time recovery) are kept, in whole days from 1 to 35.
   * Applies to the master and to the replica.
   * @default Duration.days(14)
   */
  readonly backupRetention?: Duration;

  /**
   * The daily backup window in UTC, `hh:mm-hh:mm`, at least 30 minutes and not overlapping the maintenance window.
   * @default '22:00-23:00'
   */
  readonly preferredBackupWindow?: string;

  /**
   * The weekly maintenance window in UTC, `ddd:hh:mm-ddd:hh:mm`, at least 30 minutes.
   * @default 'sun:23:30-mon:00:30'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Extra parameters of the parameter group. The TLS, GTID and binlog settings this construct
   * requires cannot be overridden.
   * @default - none
   */
  readonly parameters?: { [name: string]: string };

  /**
   * The port the databases listen on (also in the `port` field of `credentials`).
   * @default ReplicatedMySql.DEFAULT_PORT (3307)
   */
  readonly port?: number;

  /**
   * The user name of the master user.
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;

  /**
   * How often the hosted rotation function rotates the master password, in days.
   * @default Duration.days(30)
   */
  readonly credentialsRotation?: Duration;

  /**
   * What happens to the instances when they leave the stack: SNAPSHOT or RETAIN, or
   * DESTROY together with `allowDestroy: true`. SNAPSHOT applies to the master; the read
   * replica is retained instead, because RDS takes no final snapshot of a read replica.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The explicit opt-in to losing data: required for `removalPolicy: RemovalPolicy.DESTROY`.
   * It also lets the created keys and the secret be destroyed with the stack.
   * @default false
   */
  readonly allowDestroy?: boolean;

  /**
   * Whether deletion protection is on.
   * @default - true, false only with `removalPolicy: DESTROY` and `allowDestroy`
   */
  readonly deletionProtection?: boolean;

  /**
   * The replica lag (a duration of whole seconds, at least 1, compared in seconds) above which the replica-lag alarm fires (maximum over 5 minutes).
   * A token must be given in seconds (`Duration.seconds(token)`).
   * @default Duration.minutes(5)
   */
  readonly replicaLagAlarmThreshold?: Duration;

  /**
   * The free storage below which the free-storage alarms fire (on the master and the replica).
   * A token must be given in bytes (`Size.bytes(token)`).
   * @default Size.gibibytes(10)
   */
  readonly freeStorageAlarmThreshold?: Size;

  /**
   * The CPU utilization in percent above which the CPU alarm of the master fires (average over 15 minutes).
   * @default 80
   */
  readonly cpuAlarmThreshold?: number;

  /**
   * Actions of every alarm this construct creates, when they fire and when they recover.
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * An RDS MySQL (or MariaDB) master and a read replica in another availability zone, set up
 * for backup and disaster recovery: Multi-AZ master, storage and credentials encrypted with
 * customer-managed keys, deletion protection, automated backups with point-in-time
 * recovery on both instances (so that daily backups can be taken from the replica), TLS
 * required, GTID and row-based binlog, IAM authentication, exported logs, Performance
 * Insights, enhanced monitoring, rotated credentials and alarms.
 */
export class ReplicatedMySql extends Construct {
  /** The MySQL version used when `engineVersion` is not given. */
  public static readonly DEFAULT_MYSQL_VERSION = '8.4.10';
  /** The MariaDB version used when `engineVersion` is not given. */
  public static readonly DEFAULT_MARIADB_VERSION = '11.8.6';
  /** The port used when `port` is not given: not MySQL's well-known 3306, which scanners try first. */
  public static readonly DEFAULT_PORT = 3307;

  /** The master (source) instance. */
  public readonly master: rds.IDatabaseInstance;
  /** The read replica, in `replicaAvailabilityZone`. */
  public readonly replica: rds.IDatabaseInstance;
  /** The master user's credentials (JSON with username, password, host, port, engine), rotated. */
  public readonly credentials: secretsmanager.ISecret;
  /** The key that encrypts storage and Performance Insights. */
  public readonly encryptionKey: kms.IKey;
  /** The key that encrypts the credentials secret. */
  public readonly credentialsEncryptionKey: kms.IKey;
  /** The VPC of both instances. */
  public readonly vpc: ec2.IVpc;
  /** The security group of both instances. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access to both instances on the database port. */
  public readonly connections: ec2.Connections;
  /** The parameter group of both instances (TLS required, GTID, row-based binlog). */
  public readonly parameterGroup: rds.IParameterGroup;
  /** The engine. */
  public readonly engine: ReplicatedMySqlEngine;
  /** The full engine version. */
  public readonly engineVersion: string;
  /** The zones the master (and its Multi-AZ standby) may run in: the subnet group's zones. */
  public readonly masterAvailabilityZones: string[];
  /** The zone of the replica. */
  public readonly replicaAvailabilityZone: string;
  /** The alarm on the replica's lag. */
  public readonly replicaLagAlarm: cloudwatch.IAlarm;
  /** The alarm on replication that is not running (the replica's `ReplicaLag` is -1). */
  public readonly replicationStoppedAlarm: cloudwatch.IAlarm;
  /** The alarm on the master's free storage. */
  public readonly freeStorageSpaceAlarm: cloudwatch.IAlarm;
  /** The replica lag threshold as the alarm descriptions show it. */
  private readonly lagShown: string;
  /** The longest pause of replication allowed so far (`allowReplicationPauses`). */
  private longestPause?: Duration;
  /** The alarm on the replica's free storage. */
  public readonly replicaFreeStorageSpaceAlarm: cloudwatch.IAlarm;
  /** The alarm on the master's CPU. */
  public readonly cpuUtilizationAlarm: cloudwatch.IAlarm;
  /** Every alarm this construct created. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: ReplicatedMySqlProps) {
    super(scope, id);
    const path = this.node.path;
    const fail = (message: string): never => {
      throw new Error(`${path}: ${message}`);
    };
    // A value in a message: quoted, or for a token the template expression it resolves to.
    const shown = (value: string): string => (Token.isUnresolved(value) ? describeAtDeploy(Stack.of(this), value) : `'${value}'`);

    // Removal policy and the opt-in.
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const allowDestroy = props.allowDestroy ?? false;
    if (removalPolicy === RemovalPolicy.DESTROY && !allowDestroy) {
      fail('`removalPolicy` DESTROY deletes the databases and their automated backups with the stack; allowed are SNAPSHOT (default) and RETAIN, or DESTROY together with `allowDestroy: true`');
    }
    const keepData = removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Engine and version.
    this.engine = props.engine ?? ReplicatedMySqlEngine.MYSQL;
    const isMySql = this.engine === ReplicatedMySqlEngine.MYSQL;
    this.engineVersion = props.engineVersion ?? (isMySql ? ReplicatedMySql.DEFAULT_MYSQL_VERSION : ReplicatedMySql.DEFAULT_MARIADB_VERSION);
    const offered = isMySql ? OFFERED_MYSQL_VERSIONS : OFFERED_MARIADB_VERSIONS;
    // The parameter and option groups' family and major version are cut from it at synth.
    if (Token.isUnresolved(this.engineVersion)) {
      fail(`\`engineVersion\` must be a concrete full ${isMySql ? 'MySQL' : 'MariaDB'} version that RDS offers (the major version of the parameter and option groups is computed from it at synth), got an unresolved token`);
    }
    if (!offered.includes(this.engineVersion)) {
      fail(`\`engineVersion\` must be a full ${isMySql ? 'MySQL' : 'MariaDB'} version that RDS offers, got '${this.engineVersion}'; allowed: ${offered.join(', ')}`);
    }
    const majorVersion = this.engineVersion.split('.').slice(0, 2).join('.');
    const engine = isMySql
      ? rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of(this.engineVersion, majorVersion) })
      : rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.of(this.engineVersion, majorVersion) });

    // Backups and windows.
    const backupRetention = props.backupRetention ?? Duration.days(14);
    if (backupRetention.isUnresolved()) {
      if (backupRetention.unitLabel() !== 'days') {
        fail(`\`backupRetention\` must be a concrete duration of 1 to 35 whole days, or a token given in days (\`Duration.days(token)\`, which RDS receives as it is), got Duration.${backupRetention.unitLabel()}(token)`);
      }
      warnUncheckedToken(this, 'backupRetention', 'that it is 1 to 35 whole days',
        'RDS receives it as the retention in days of both instances and accepts 0 to 35 at deploy, where 0 turns automated backups and point-in-time recovery off');
    } else {
      const hours = backupRetention.toHours();
      if (hours % 24 !== 0 || hours < 24 || hours > 35 * 24) {
        fail(`\`backupRetention\` must be 1 to 35 whole days, got ${backupRetention.toHumanString()}`);
      }
    }
    const backupWindow = props.preferredBackupWindow ?? '22:00-23:00';
    const maintenanceWindow = props.preferredMaintenanceWindow ?? 'sun:23:30-mon:00:30';
    validateWindows(this, backupWindow, maintenanceWindow, fail);

    // Placement: the replica's zone is explicit, the master's subnet group leaves it out.
    this.vpc = props.vpc;
    const subnetSelection = props.vpcSubnets ?? {
      subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };
    const multiAz = props.multiAz ?? true;
    if (multiAz && props.masterAvailabilityZone !== undefined) {
      fail(`\`masterAvailabilityZone\` cannot be set for a Multi-AZ master (RDS picks its zones), got ${shown(props.masterAvailabilityZone)}; set \`multiAz: false\` or leave it out`);
    }
    const subnetZones = unique(props.vpc.selectSubnets(subnetSelection).subnets.map((s) => s.availabilityZone));
    const zonesKnown = subnetZones.length > 0 && subnetZones.every((zone) => !Token.isUnresolved(zone));
    const replicaZone = props.replicaAvailabilityZone ?? (zonesKnown ? subnetZones[subnetZones.length - 1] : undefined);
    if (replicaZone === undefined) {
      fail('`replicaAvailabilityZone` is required when the VPC\'s availability zones are not known at synth');
    }
    this.replicaAvailabilityZone = replicaZone!;
    // RDS takes any zone of the subnet groups: a token zone may be the other instance's.
    if (zonesKnown && Token.isUnresolved(this.replicaAvailabilityZone)) {
      warnUncheckedToken(this, 'replicaAvailabilityZone', `that it is one of the zones of the selected subnets (${subnetZones.join(', ')}) and that the master's subnets leave it out`,
        'RDS places the replica in it at deploy, and the master\'s subnets span every zone, so master and replica may share one zone and be lost together');
    }
    if (props.masterAvailabilityZone !== undefined && Token.isUnresolved(props.masterAvailabilityZone)) {
      fail('`masterAvailabilityZone` must be a concrete zone (the master\'s subnets are selected by it at synth, and a token selects none), got an unresolved token');
    }
    if (zonesKnown && !Token.isUnresolved(this.replicaAvailabilityZone) && !subnetZones.includes(this.replicaAvailabilityZone)) {
      fail(`\`replicaAvailabilityZone\` must be one of the zones of the selected subnets (${subnetZones.join(', ')}), got '${this.replicaAvailabilityZone}'`);
    }
    if (props.masterAvailabilityZone !== undefined && props.masterAvailabilityZone === this.replicaAvailabilityZone) {
      fail(`\`masterAvailabilityZone\` must differ from \`replicaAvailabilityZone\` so that losing one zone keeps a copy, got ${shown(props.masterAvailabilityZone)} for both`);
    }
    const masterZones = zonesKnown ? subnetZones.filter((zone) => zone !== this.replicaAvailabilityZone) : subnetZones;
    const neededZones = multiAz ? 2 : 1;
    if (zonesKnown && masterZones.length < neededZones) {
      fail(`the selected subnets span ${subnetZones.length} availability zone(s) (${subnetZones.join(', ')}); a ${multiAz ? 'Multi-AZ' : 'single-AZ'} master outside the replica's zone ${shown(this.replicaAvailabilityZone)} needs ${neededZones + 1}: pass \`vpc\`/\`vpcSubnets\` with more zones${multiAz ? ' or set `multiAz: false`' : ''}`);
    }
    if (zonesKnown && props.masterAvailabilityZone !== undefined && !masterZones.includes(props.masterAvailabilityZone)) {
      fail(`\`masterAvailabilityZone\` must be one of ${masterZones.join(', ')}, got '${props.masterAvailabilityZone}'`);
    }
    this.masterAvailabilityZones = props.masterAvailabilityZone !== undefined ? [props.masterAvailabilityZone] : masterZones;
    const masterZone = multiAz ? undefined : this.masterAvailabilityZones[0];

    // Storage and alarm thresholds.
    const allocatedStorage = props.allocatedStorage ?? 100;
    const maxAllocatedStorage = props.maxAllocatedStorage ?? Math.max(1000, allocatedStorage);
    if (!Token.isUnresolved(allocatedStorage) && (allocatedStorage < 20 || allocatedStorage > 65536 || !Number.isInteger(allocatedStorage))) {
      fail(`\`allocatedStorage\` must be a whole number of GiB from 20 to 65536, got ${allocatedStorage}`);
    }
    if (!Token.isUnresolved(allocatedStorage) && !Token.isUnresolved(maxAllocatedStorage) && maxAllocatedStorage < allocatedStorage) {
      fail(`\`maxAllocatedStorage\` must be at least \`allocatedStorage\` (${allocatedStorage} GiB), got ${maxAllocatedStorage} GiB`);
    }
    if (Token.isUnresolved(allocatedStorage) && props.maxAllocatedStorage === undefined) {
      warnUncheckedToken(this, 'allocatedStorage', 'that the default `maxAllocatedStorage` (the larger of 1000 GiB and `allocatedStorage`) is at least `allocatedStorage`',
        'the default is then 1000 GiB whatever the storage, and RDS decides at deploy whether it takes a larger `allocatedStorage` with it: give `maxAllocatedStorage`');
    }
    // CloudWatch compares the lag in seconds and the free storage in bytes; CDK cannot convert a token from another unit.
    const lagThreshold = props.replicaLagAlarmThreshold ?? Duration.minutes(5);
    if (lagThreshold.isUnresolved() && lagThreshold.unitLabel() !== 'seconds') {
      fail(`\`replicaLagAlarmThreshold\` must be a concrete duration, or a token given in seconds (\`Duration.seconds(token)\`, which CloudWatch receives as the alarm's threshold as it is), got Duration.${lagThreshold.unitLabel()}(token)`);
    } else if (!lagThreshold.isUnresolved() && (lagThreshold.toMilliseconds() % 1000 !== 0 || lagThreshold.toMilliseconds() < 1000)) {
      fail(`\`replicaLagAlarmThreshold\` must be a whole number of seconds, at least 1 second (CloudWatch compares the replica lag in seconds), got ${lagThreshold.toHumanString()}`);
    }
    const storageThreshold = props.freeStorageAlarmThreshold ?? Size.gibibytes(10);
    if (storageThreshold.isUnresolved() && !isTokenInBytes(storageThreshold)) {
      fail('`freeStorageAlarmThreshold` must be a concrete size, or a token given in bytes (`Size.bytes(token)`, which CloudWatch receives as the alarms\' threshold as it is), got a token in another unit than bytes');
    } else if (!storageThreshold.isUnresolved() && !Token.isUnresolved(allocatedStorage)
      && (storageThreshold.toBytes() <= 0 || storageThreshold.toBytes() >= allocatedStorage * 1024 ** 3)) {
      // 0 would never go off, and at or above the storage the alarms would be on from the start.
      fail(`\`freeStorageAlarmThreshold\` must be more than 0 bytes and less than \`allocatedStorage\` (${allocatedStorage} GiB), got ${storageThreshold.toHumanString()}`);
    }
    if (!Token.isUnresolved(maxAllocatedStorage) && (maxAllocatedStorage > 65536 || !Number.isInteger(maxAllocatedStorage))) {
      fail(`\`maxAllocatedStorage\` must be a whole number of GiB up to 65536, got ${maxAllocatedStorage}`);
    }
    const cpuThreshold = props.cpuAlarmThreshold ?? 80;
    if (Token.isUnresolved(cpuThreshold)) {
      warnUncheckedToken(this, 'cpuAlarmThreshold', 'that it is a percentage above 0 and at most 100',
        'CloudWatch accepts any threshold at deploy: the CPU alarm never goes off at 100 or more, and is always on at 0 or less');
    } else if (cpuThreshold <= 0 || cpuThreshold > 100) {
      fail(`\`cpuAlarmThreshold\` must be a percentage above 0 and at most 100, got ${cpuThreshold}`);
    }

    // Encryption.
    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        description: fitPathDescription(`Encrypts the storage, Performance Insights and credentials of ${path}`, path, RULES.KMS_KEY),
        enableKeyRotation: true,
        removalPolicy: keepData,
      });
      key.addToResourcePolicy(denyGrantsExceptForAwsResources());
      this.encryptionKey = key;
    }

    // The credentials have their own key: a grant to read them adds the reader's role to
    // that key's policy, and the role's own policy names its log group, which is often
    // encrypted with the data key; one shared key would make a dependency cycle.
    if (props.credentialsEncryptionKey) {
      this.credentialsEncryptionKey = props.credentialsEncryptionKey;
    } else {
      const key = new kms.Key(this, 'CredentialsKey', {
        description: fitPathDescription(`Encrypts the master credentials of ${path}`, path, RULES.KMS_KEY),
        enableKeyRotation: true,
        removalPolicy: keepData,
      });
      key.addToResourcePolicy(denyGrantsExceptForAwsResources());
      this.credentialsEncryptionKey = key;
    }

    // Network and credentials.
    const port = props.port ?? ReplicatedMySql.DEFAULT_PORT;
    validatePort(this, port, fail);
    const masterUsername = props.masterUsername ?? 'dbadmin';
    validateMasterUsername(this, masterUsername, fail);
    const credentialsRotation = props.credentialsRotation ?? Duration.days(30);
    validateCredentialsRotation(credentialsRotation, fail);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: fitPathDescription(`${path}: the MySQL master and replica; ingress only from the clients granted access`, path, RULES.SECURITY_GROUP),
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(port) });

    // Parameters and options.
    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `${path}: TLS required, GTID and row-based binlog`,
      parameters: {
        slow_query_log: '1',
        long_query_time: '2',
        log_output: 'FILE',
        ...props.parameters,
        require_secure_transport: isMySql ? '1' : 'ON',
        binlog_format: 'ROW',
        binlog_row_image: 'FULL',
        ...(isMySql ? { 'gtid-mode': 'ON', 'enforce_gtid_consistency': 'ON' } : {}),
      },
    });
    const optionGroup = new rds.OptionGroup(this, 'Options', {
      engine,
      description: `${path}: the MariaDB audit plugin, whose log is exported to CloudWatch`,
      configurations: [{
        name: 'MARIADB_AUDIT_PLUGIN',
        settings: { SERVER_AUDIT_EVENTS: 'CONNECT,QUERY_DDL,QUERY_DCL' },
      }],
    });
    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: fitPathDescription(`Enhanced monitoring of ${path}`, path, RULES.ROLE),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    Validations.of(monitoringRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'The AWS managed policy RDS documents for enhanced monitoring; it only lets RDS write OS metrics to the RDSOSMetrics log group.',
    });

    const deletionProtection = props.deletionProtection ?? !(removalPolicy === RemovalPolicy.DESTROY);
    const masterInstanceType = props.masterInstanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE);
    const logExports = ['audit', 'error', 'general', 'slowquery'];
    const shared = {
      vpc: props.vpc,
      securityGroups: [securityGroup],
      port,
      parameterGroup: this.parameterGroup,
      optionGroup,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage,
      backupRetention,
      preferredBackupWindow: backupWindow,
      preferredMaintenanceWindow: maintenanceWindow,
      deletionProtection,
      removalPolicy,
      copyTagsToSnapshot: true,
      cloudwatchLogsExports: logExports,
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      monitoringInterval: Duration.seconds(60),
      monitoringRole,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    };

    const master = new rds.DatabaseInstance(this, 'Resource', {
      ...shared,
      // Kept when the master is deleted (except with DESTROY): a point-in-time restore of a deleted master starts from them.
      deleteAutomatedBackups: removalPolicy === RemovalPolicy.DESTROY,
      engine,
      instanceType: masterInstanceType,
      vpcSubnets: { ...subnetSelection, availabilityZones: this.masterAvailabilityZones },
      multiAz,
      availabilityZone: masterZone,
      allocatedStorage,
      storageEncryptionKey: this.encryptionKey,
      credentials: rds.Credentials.fromGeneratedSecret(masterUsername, { encryptionKey: this.credentialsEncryptionKey }),
    });
    // The replica inherits the master's encryption and key (CloudFormation rejects StorageEncrypted on a replica).
    this.master = master;
    this.replica = new rds.DatabaseInstanceReadReplica(this, 'Replica', {
      ...shared,
      // RDS takes no final snapshot of a read replica (DeleteDBInstance requires SkipFinalSnapshot),
      // so SNAPSHOT would delete it with nothing kept: the replica is retained instead.
      removalPolicy: removalPolicy === RemovalPolicy.SNAPSHOT ? RemovalPolicy.RETAIN : removalPolicy,
      sourceDatabaseInstance: master,
      instanceType: props.replicaInstanceType ?? masterInstanceType,
      vpcSubnets: subnetSelection,
      availabilityZone: this.replicaAvailabilityZone,
      multiAz: false,
    });

    // RDS gives each instance connections whose port is the endpoint's port attribute, a
    // token the compliance packs cannot read (they then flag the rule as open to SSH and
    // other common ports). Both instances share the security group and the known port:
    // `master.connections`, `replica.connections` and `connections` are one and the same.
    for (const instance of [master, this.replica]) {
      Object.defineProperty(instance, 'connections', { value: this.connections, writable: false });
    }

    // Credentials, rotated by the hosted rotation function in the VPC.
    this.credentials = master.secret!;
    (master.node.tryFindChild('Secret') as secretsmanager.Secret | undefined)?.applyRemovalPolicy(keepData);
    const rotation = isMySql
      ? secretsmanager.HostedRotation.mysqlSingleUser({ vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })
      : secretsmanager.HostedRotation.mariaDbSingleUser({ vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    this.credentials.addRotationSchedule('Rotation', {
      hostedRotation: rotation,
      automaticallyAfter: credentialsRotation,
    });
    this.connections.allowDefaultPortFrom(rotation, 'the hosted rotation function of the master credentials');
    fitGeneratedSecurityGroupDescriptions(this);

    // Alarms.
    const actions = props.alarmActions ?? [];
    const withActions = (alarm: cloudwatch.Alarm): cloudwatch.Alarm => {
      alarm.addAlarmAction(...actions);
      alarm.addOkAction(...actions);
      return alarm;
    };
    // A token threshold is shown as the template resolves it, not as CDK's '<token>'.
    const lagShown = lagThreshold.isUnresolved() ? `${Tokenization.stringifyNumber(lagThreshold.toSeconds())} seconds` : lagThreshold.toHumanString();
    const storageShown = storageThreshold.isUnresolved() ? `${Tokenization.stringifyNumber(storageThreshold.toBytes())} bytes` : storageThreshold.toHumanString();
    this.lagShown = lagShown;
    this.replicaLagAlarm = withActions(this.metricReplicaLag({ period: Duration.minutes(5) }).createAlarm(this, 'ReplicaLagAlarm', {
      alarmDescription: fitPathDescription(`${path}: the replica lags the master by more than ${lagShown}`, path, RULES.ALARM),
      threshold: lagThreshold.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
    // RDS puts ReplicaLag -1 while replication is not running (Seconds_Behind_Master is NULL: a
    // thread stopped, or an error broke it), which the lag alarm's maximum reads as no lag. A
    // separate alarm rather than metric math folding -1 into the lag alarm: the on-call engineer
    // learns that replication stopped, not that it lags, and a replica restart or a short
    // replication restart (-1 for a few minutes) must not page, which one 5-minute period of the
    // lag alarm would. A -1 in each of 3 consecutive 5-minute periods: stopped for 10 to 15
    // minutes, or breaking again and again. Missing data keeps the state: a replica that puts no
    // metrics is the lag alarm's (missing data breaching), and must not turn this one OK.
    this.replicationStoppedAlarm = withActions(this.metricReplicaLag({ statistic: 'Minimum', period: Duration.minutes(5) }).createAlarm(this, 'ReplicationStoppedAlarm', {
      alarmDescription: fitPathDescription(`${path}: replication to the replica is not running (ReplicaLag -1, Seconds_Behind_Master NULL) at some point in each of the last three 5-minute periods; read SHOW REPLICA STATUS on the replica for the stopped thread and its last error`, path, RULES.ALARM),
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    }));
    this.freeStorageSpaceAlarm = withActions(this.metricFreeStorageSpace().createAlarm(this, 'FreeStorageSpaceAlarm', {
      alarmDescription: fitPathDescription(`${path}: the master has less than ${storageShown} of free storage, or puts no metrics (deleted or failed)`, path, RULES.ALARM),
      threshold: storageThreshold.toBytes(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // RDS cannot stop a master that has a read replica: a master without metrics is deleted
      // (its replica promoted, so the lag alarm may see nothing amiss) or broken.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
    this.replicaFreeStorageSpaceAlarm = withActions(this.metricReplicaFreeStorageSpace().createAlarm(this, 'ReplicaFreeStorageSpaceAlarm', {
      alarmDescription: fitPathDescription(`${path}: the replica has less than ${storageShown} of free storage`, path, RULES.ALARM),
      threshold: storageThreshold.toBytes(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    }));
    this.cpuUtilizationAlarm = withActions(this.metricCpuUtilization({ period: Duration.minutes(15) }).createAlarm(this, 'CpuUtilizationAlarm', {
      alarmDescription: fitPathDescription(`${path}: the master's CPU utilization is above ${cpuThreshold}%`, path, RULES.ALARM),
      threshold: cpuThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));
    this.alarms = [this.replicaLagAlarm, this.replicationStoppedAlarm, this.freeStorageSpaceAlarm, this.replicaFreeStorageSpaceAlarm, this.cpuUtilizationAlarm];

    this.acknowledgeFindings(port);
  }

  /** The longest pause of replication allowed so far (`allowReplicationPauses`); undefined when none is. */
  public get replicationPauseAllowed(): Duration | undefined {
    return this.longestPause;
  }

  /**
   * Lets a job pause the replica's replication for up to `longest` without paging, as
   * `DatabaseDumpJob` with `pauseReplication` does every day (`BackupDisasterRecovery` calls this
   * with its dump's `replicationPauseLimit`). The stopped-replication alarm then fires only when
   * replication has not run in any 5-minute period of `longest` plus 15 minutes (hourly periods
   * when that exceeds a day, CloudWatch's limit for shorter periods): a pause that lasts longer
   * is the pausing job's failure, which its own alarm reports. The lag alarm fires only on a lag
   * above its threshold in each of three 5-minute periods, so that the catch-up after a pause,
   * whose lag starts at the pause's length, does not page unless it lasts 10 minutes or more.
   * Called more than once, the longest pause counts.
   */
  public allowReplicationPauses(longest: Duration): void {
    const path = this.node.path;
    if (longest.isUnresolved()) {
      throw new Error(`${path}: the \`longest\` replication pause must be a concrete duration of 1 minute to 6 days (the alarms' evaluation periods are computed from it at synth), got an unresolved token`);
    }
    const seconds = longest.toSeconds({ integral: false });
    if (seconds < 60 || seconds > 6 * 86400) {
      throw new Error(`${path}: the \`longest\` replication pause must be 1 minute to 6 days, got ${longest.toHumanString()}`);
    }
    if (this.longestPause && this.longestPause.toSeconds({ integral: false }) >= seconds) {
      return;
    }
    this.longestPause = longest;
    const window = seconds + 15 * 60;
    const period = window <= 86400 ? 300 : 3600;
    const periods = Math.ceil(window / period);
    const stopped = this.replicationStoppedAlarm.node.defaultChild as cloudwatch.CfnAlarm;
    stopped.period = period;
    stopped.evaluationPeriods = periods;
    stopped.datapointsToAlarm = periods;
    stopped.alarmDescription = fitPathDescription(`${path}: replication to the replica is not running (ReplicaLag -1, Seconds_Behind_Master NULL) at some point in each of the last ${periods} ${period / 60}-minute periods, longer than a job may pause it (${longest.toHumanString()}); read SHOW REPLICA STATUS on the replica for the stopped thread and its last error`, path, RULES.ALARM);
    const lag = this.replicaLagAlarm.node.defaultChild as cloudwatch.CfnAlarm;
    lag.evaluationPeriods = 3;
    lag.datapointsToAlarm = 3;
    lag.alarmDescription = fitPathDescription(`${path}: the replica lags the master by more than ${this.lagShown} in each of the last three 5-minute periods (a job may pause replication for up to ${longest.toHumanString()}; the catch-up after it is not paged unless it lasts 10 minutes or more)`, path, RULES.ALARM);
  }

  /**
   * Defines an EventBridge rule on the replica's RDS events of replication broken by an error
   * (RDS-EVENT-0045) or terminated (RDS-EVENT-0057), which RDS sends in near-real time, at any
   * time of day, while the stopped-replication alarm waits out a job's pause
   * (`allowReplicationPauses`).
   * It does not match RDS-EVENT-0062, replication stopped by hand. Which event
   * `mysql.rds_stop_replication` (a job's pause, such as the daily dump's) emits is not
   * documented: were it RDS-EVENT-0045, every pause would match. RDS emits events on a best
   * effort basis: the stopped-replication alarm remains the backstop for a stop without an event.
   * @param id the construct id of the rule, in this construct
   * @param options the rule's target, description, name and any further event pattern
   */
  public onReplicationError(id: string, options: events.OnEventOptions = {}): events.Rule {
    const path = this.node.path;
    const given = options.description;
    if (given !== undefined && !Token.isUnresolved(given) && given.length > RULES.EVENT_RULE.maxLength) {
      throw new Error(`${path}: the \`description\` of onReplicationError('${id}') must be at most ${RULES.EVENT_RULE.maxLength} characters (EventBridge's limit for a rule description), got ${given.length} characters`);
    }
    const [stopped, terminated] = REPLICATION_ERROR_EVENT_IDS;
    // An on-event method as aws-cdk-lib's `onEvent`: the caller names the rule.
    // eslint-disable-next-line cdk/no-variable-construct-id
    const rule = new events.Rule(this, id, {
      ...options,
      description: given ?? fitPathDescription(`${path}: RDS reports that replication to the replica broke: ${stopped} (replication stopped by an error) or ${terminated} (replication terminated); `
        + 'not RDS-EVENT-0062 (replication stopped by hand)', path, RULES.EVENT_RULE),
    });
    // By the replica's ARN, as aws-cdk-lib's onEvent does: the RDS guide's example instance event
    // carries it in `resources` (and `detail.SourceArn`), while its `detail.SourceIdentifier`
    // reads 'rds:<identifier>', a form the guide does not define.
    rule.addEventPattern({
      source: ['aws.rds'],
      detailType: ['RDS DB Instance Event'],
      resources: [this.replica.instanceArn],
      detail: { EventID: [...REPLICATION_ERROR_EVENT_IDS] },
    });
    rule.addTarget(options.target);
    return rule;
  }

  /**
   * How far the replica is behind the master, in seconds (`ReplicaLag`); -1 while replication
   * is not running.
   * @default - maximum over 1 minute
   */
  public metricReplicaLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.replica.metric('ReplicaLag', { statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /**
   * The master's free storage, in bytes (`FreeStorageSpace`).
   * @default - minimum over 5 minutes
   */
  public metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.master.metricFreeStorageSpace({ statistic: 'Minimum', period: Duration.minutes(5), ...props });
  }

  /**
   * The replica's free storage, in bytes (`FreeStorageSpace`).
   * @default - minimum over 5 minutes
   */
  public metricReplicaFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.replica.metricFreeStorageSpace({ statistic: 'Minimum', period: Duration.minutes(5), ...props });
  }

  /**
   * The master's CPU utilization, in percent (`CPUUtilization`).
   * @default - average over 5 minutes
   */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.master.metricCPUUtilization({ statistic: 'Average', period: Duration.minutes(5), ...props });
  }

  /**
   * Lets a principal connect as a database user with IAM authentication (`rds-db:connect`)
   * to the master and the replica.
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    const master = this.master.grantConnect(grantee, dbUser);
    this.replica.grantConnect(grantee, dbUser);
    return master;
  }

  private acknowledgeFindings(port: number): void {
    if (port !== 3306) {
      Validations.of(this.replica).acknowledge({
        id: 'AwsSolutions-RDS11',
        reason: `The replica listens on port ${port}, not the default; the rule cannot tell because a read replica's template carries no Engine (it is inherited from the master).`,
      });
    }
    const encryptionReason = 'The replica is encrypted with the master\'s customer-managed key: it inherits StorageEncrypted and the key from its source, and CloudFormation rejects StorageEncrypted on a read replica.';
    Validations.of(this.replica).acknowledge(
      { id: 'AwsSolutions-RDS2', reason: encryptionReason },
      { id: 'HIPAA.Security-RDSStorageEncrypted', reason: encryptionReason },
      { id: 'NIST.800.53.R5-RDSStorageEncrypted', reason: encryptionReason },
      { id: 'PCI.DSS.321-RDSStorageEncrypted', reason: encryptionReason },
    );
    const replicaReason = 'The read replica is itself the copy in another availability zone (the Multi-AZ master has its own standby); a Multi-AZ replica cannot be pinned to an explicit zone.';
    Validations.of(this.replica).acknowledge(
      { id: 'AwsSolutions-RDS3', reason: replicaReason },
      { id: 'HIPAA.Security-RDSMultiAZSupport', reason: replicaReason },
      { id: 'NIST.800.53.R5-RDSMultiAZSupport', reason: replicaReason },
      { id: 'PCI.DSS.321-RDSMultiAZSupport', reason: replicaReason },
    );
  }
}

/** Whether a token size was given in bytes: CDK converts a token into its own unit only, and throws for another. */
function isTokenInBytes(size: Size): boolean {
  try {
    size.toBytes();
    return true;
  } catch {
    return false;
  }
}

function unique(values: string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) === index);
}

/**
 * Checks each concrete window alone (format, at least 30 minutes) and, when both are concrete,
 * that they never overlap; a token window warns that its checks did not run (RDS checks at deploy).
 */
function validateWindows(scope: Construct, backup: string, maintenance: string, fail: (message: string) => never): void {
  const daily = Token.isUnresolved(backup) ? undefined : checkedDailyWindow(backup, fail);
  const weekly = Token.isUnresolved(maintenance) ? undefined : checkedWeeklyWindow(maintenance, fail);
  const atDeploy = 'RDS receives it as it is and refuses at deploy a window that is malformed, shorter than 30 minutes or overlapping the other';
  if (daily === undefined) {
    warnUncheckedToken(scope, 'preferredBackupWindow', `that it is 'hh:mm-hh:mm' in UTC, at least 30 minutes, and never overlaps \`preferredMaintenanceWindow\` (${weekly ? `'${maintenance}'` : 'also a token'})`, atDeploy);
  }
  if (weekly === undefined) {
    warnUncheckedToken(scope, 'preferredMaintenanceWindow', `that it is 'ddd:hh:mm-ddd:hh:mm' in UTC, at least 30 minutes, and never overlaps \`preferredBackupWindow\` (${daily ? `'${backup}'` : 'also a token'})`, atDeploy);
  }
  if (daily && weekly && dailyOverlapsWeekly(daily, weekly)) {
    fail(`\`preferredBackupWindow\` '${backup}' overlaps \`preferredMaintenanceWindow\` '${maintenance}'; allowed is a daily window that never overlaps the weekly maintenance window`);
  }
}

function checkedDailyWindow(backup: string, fail: (message: string) => never): ParsedWindow {
  const daily = parseDailyWindow(backup);
  if (!daily) {
    fail(`\`preferredBackupWindow\` must be 'hh:mm-hh:mm' in UTC, got '${backup}'`);
  }
  if (daily.length < 30) {
    fail(`\`preferredBackupWindow\` must be at least 30 minutes, got '${backup}' (${daily.length} minutes)`);
  }
  return daily;
}

function checkedWeeklyWindow(maintenance: string, fail: (message: string) => never): ParsedWindow {
  const weekly = parseWeeklyWindow(maintenance);
  if (!weekly) {
    fail(`\`preferredMaintenanceWindow\` must be 'ddd:hh:mm-ddd:hh:mm' in UTC, got '${maintenance}'`);
  }
  if (weekly.length < 30) {
    fail(`\`preferredMaintenanceWindow\` must be at least 30 minutes, got '${maintenance}' (${weekly.length} minutes)`);
  }
  return weekly;
}
