import { CustomResource, Duration, RemovalPolicy, SecretValue, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { FreshnessCheck, FreshnessCheckConfig, FreshnessCheckDimensions, RdsSnapshotType } from './freshness-check';
import { equalityAtDeploy } from '../private/deploy-time-equality';
import { enableEventBridge, finishLogBucket, logBucketProps } from '../private/access-log-bucket';
import { kmsBucketProps } from '../private/kms-bucket';
import { flattenLikeCdkNag } from '../private/nag-ids';
import { checkCronForm } from '../private/schedule-expression';
import { HardenedFunction } from '../private/hardened-function';
import { grantSecretRead } from '../private/secret-read-grant';
import { BackupCoverage } from '../report/coverage';
import { longestGap } from '../restore/schedule-interval';
import { denyGrantsExceptForAwsResources } from '../private/key-policy';
import { alarmsOfThisAccountAndRegion, allowAlarmsToPublish } from '../private/alarm-publishing';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import { refuseRepeatedEntries } from '../private/repeated-entries';

/** The prefix, under `reportPrefix`, of the records of verified dump runs (`lambda/backup-freshness/verification-record.ts`). */
const DUMP_VERIFICATIONS = 'dump-verifications';

/**
 * Two checks with the same kind, resource, tier and region would share their metrics and
 * alarms, and the function refuses such a configuration, so every run would be `unknown`.
 * Compared as at deploy: `Aws.REGION` is the stack's region, one token twice is one value.
 */
function refuseRepeatedChecks(scope: Construct, dimensions: FreshnessCheckDimensions[]): void {
  const stack = Stack.of(scope);
  const same = (a: string, b: string): boolean => equalityAtDeploy(stack, a, b) === 'same';
  dimensions.forEach((d, index) => {
    const first = dimensions.findIndex((e) => e.check === d.check && same(e.resource, d.resource) && same(e.tier, d.tier) && same(e.region, d.region));
    if (first < index) {
      const of = Token.isUnresolved(d.resource) ? '' : ` of ${d.resource}`;
      const region = Token.isUnresolved(d.region) ? dimensions[first].region : d.region;
      const where = Token.isUnresolved(region) ? '' : `, in ${region}`;
      throw new Error(`${scope.node.path}: \`freshnessChecks\` [${first}] and [${index}] are the same ${d.check} check${of}, tier '${d.tier}'${where}: `
        + `give one of them another \`tier\`, got the same kind, resource, tier and region twice`);
    }
  });
}

/** The two scheduled checks, the `Check` dimension of their overall `CheckStatus`. */
export enum ConsistencyCheckKind {
  /** The master/replica drift check (row checksums, replication health and lag). */
  REPLICA_CONSISTENCY = 'replica-consistency',
  /** The backup freshness and integrity check. */
  BACKUP_FRESHNESS = 'backup-freshness',
}

/** Properties of `ConsistencyChecks`. */
export interface ConsistencyChecksProps {
  /** The master (source) instance. */
  readonly master: rds.IDatabaseInstance;
  /** The read replica of `master`. */
  readonly replica: rds.IDatabaseInstance;
  /** The VPC the check functions run in; it must reach both instances. */
  readonly vpc: ec2.IVpc;
  /**
   * Network access to both instances on the database port, when the instances share it
   * (`ReplicatedMySql.connections`, whose port is a number rather than a token).
   * @default - the connections of `master` and `replica`
   */
  readonly databaseConnections?: ec2.IConnectable;
  /**
   * The subnets of the check functions.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The master user's secret (JSON with `username` and `password`). When set, a custom
   * resource connects with it once per deployment and creates the read-only checker user
   * (`SELECT, REPLICATION CLIENT, PROCESS`, plus `SLAVE MONITOR` on MariaDB 10.5+) with the
   * password of `checkerSecret`. Give this, `checkerSecret`, or both.
   * @default - the checker user is not created: `checkerSecret` must name an existing user
   */
  readonly adminSecret?: secretsmanager.ISecret;
  /**
   * The checker user's credentials (JSON with `username` and `password`).
   * @default - a generated secret for the user `checkerUsername` (needs `adminSecret`)
   */
  readonly checkerSecret?: secretsmanager.ISecret;
  /**
   * The name of the generated checker user.
   * @default 'backup_checker'
   */
  readonly checkerUsername?: string;
  /**
   * The databases the drift check compares, each named once.
   * @default - every database except the system schemas
   */
  readonly databases?: string[];
  /**
   * Tables the drift check leaves out, as `schema.table` (a table too large or too busy to
   * compare every day, say), each named once. Each report lists those it left out in `excludedTables`.
   * @default - none: every table of `databases` is compared
   */
  readonly excludeTables?: string[];
  /**
   * The replica lag above which the drift check waits and the lag alarm fires, in seconds (1 second to 1 day).
   * @default Duration.minutes(5)
   */
  readonly maxReplicaLag?: Duration;
  /**
   * The longest time between two drift checks, in hours (1 hour to 1 day): the default
   * schedule's rate and the period of the drift alarms (the status alarm's period adds the
   * `driftCheckTimeout` and 15 minutes, the time a run's value may take to arrive).
   * @default Duration.days(1)
   */
  readonly driftCheckInterval?: Duration;
  /**
   * When the drift check runs: at least once per `driftCheckInterval` (a schedule with a longer
   * gap between two runs, an hour longer in a zone with daylight saving time, fails the synth:
   * its status alarm, which treats a missing run as breaching, would go off between runs).
   * @default - every `driftCheckInterval`
   */
  readonly driftCheckSchedule?: scheduler.ScheduleExpression;
  /**
   * The time a drift check may run, in minutes (1 to 15).
   * @default Duration.minutes(15)
   */
  readonly driftCheckTimeout?: Duration;
  /**
   * The longest time between two freshness checks, in minutes or hours (15 minutes to 1 day):
   * the default schedule's rate and the period of the freshness alarms (the status alarm's period
   * adds the check's 10-minute timeout and 15 minutes, the time a run's value may take to arrive).
   * @default Duration.hours(1)
   */
  readonly freshnessCheckInterval?: Duration;
  /**
   * When the freshness check runs: at least once per `freshnessCheckInterval` (a schedule with a longer
   * gap between two runs, an hour longer in a zone with daylight saving time, fails the synth:
   * its status alarm, which treats a missing run as breaching, would go off between runs).
   * @default - every `freshnessCheckInterval`
   */
  readonly freshnessCheckSchedule?: scheduler.ScheduleExpression;
  /**
   * The backup copies to check, each with its tier's interval and grace.
   * @default - the master's automated RDS snapshots, daily with 2 hours of grace
   */
  readonly freshnessChecks?: FreshnessCheck[];
  /**
   * The bucket the JSON report of every run is written to.
   * @default - a new bucket: KMS-encrypted, TLS only, versioned, access-logged, Object Lock
   * (governance) for `reportRetention`, retained when the stack is deleted
   */
  readonly reportBucket?: s3.IBucket;
  /**
   * The key prefix of the reports (no leading or trailing `/`): reports land under
   * `<prefix>/replica-consistency/` and `<prefix>/backup-freshness/`.
   * @default 'consistency-checks'
   */
  readonly reportPrefix?: string;
  /**
   * How long the created report bucket locks each report, in days (1 to 3650).
   * @default Duration.days(365)
   */
  readonly reportRetention?: Duration;
  /**
   * The bucket that receives the created report bucket's server access logs.
   * @default - a new SSE-S3 bucket (log delivery cannot use a KMS key), retained
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * The key that encrypts the report bucket, the secrets, the log groups and the topic.
   * It must let CloudWatch Logs and CloudWatch alarms use it.
   * @default - a new key with yearly rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The topic every alarm notifies, when it fires and when it recovers.
   * @default - a new topic encrypted with `encryptionKey`, TLS only
   */
  readonly topic?: sns.ITopic;
  /**
   * The CloudWatch namespace of the checks' metrics.
   * @default 'CdkBackupDr'
   */
  readonly metricNamespace?: string;
  /**
   * The `Resource` dimension of the checks' overall metrics.
   * @default - the master's instance identifier
   */
  readonly resourceName?: string;
  /**
   * What happens to the created report bucket, access-log bucket and key, and to the
   * functions' dead-letter queues, when the stack is deleted. `DESTROY` deletes the reports
   * (the bucket must be emptied first) and the failed invocations the queues hold.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DEFAULT_NAMESPACE = 'CdkBackupDr';
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
const NAMESPACE = /^[A-Za-z0-9._/#:-]{1,255}$/;
const USER = /^[A-Za-z0-9_]{1,32}$/;
const DATABASE = /^[A-Za-z0-9_$]{1,64}$/;
/** `schema.table`: a database name as above, a dot, a table name of up to 64 characters without a comma (the list separator). */
const TABLE = /^[A-Za-z0-9_$]{1,64}\.[^,\s](?:[^,]{0,62}[^,\s])?$/;
const PACKS = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
const ACCESS_LOG_PREFIX = 'consistency-reports/';
const FRESHNESS_TIMEOUT = Duration.minutes(10);
/** How late a run may start and its metric arrive, beyond its longest run, before a status alarm counts it missing. */
const REPORT_GRACE = Duration.minutes(15);

/**
 * Scheduled checks that prove the replica and the backups are good: a drift check that
 * compares the master and the replica row by row (in chunks, at a matched replication
 * position) as a read-only user, and a freshness check that finds the newest copy of every
 * protected resource in every tier and verifies the dumps' SHA-256. Each run writes a JSON
 * report to S3 and CloudWatch metrics (`CheckStatus`, `DriftedRows`, `ReplicaLagSeconds`,
 * `BackupAgeHours`); alarms on them and on function errors notify an SNS topic.
 */
export class ConsistencyChecks extends Construct {
  /** The drift check function. */
  public readonly driftCheckFunction: lambda.IFunction;
  /** The freshness check function. */
  public readonly freshnessCheckFunction: lambda.IFunction;
  /** The bucket holding the reports. */
  public readonly reportBucket: s3.IBucket;
  /** The key prefix of the reports. */
  public readonly reportPrefix: string;
  /** The topic every alarm notifies. */
  public readonly topic: sns.ITopic;
  /** The key of the report bucket, secrets, logs and topic. */
  public readonly encryptionKey: kms.IKey;
  /** The checker user's credentials. */
  public readonly checkerSecret: secretsmanager.ISecret;
  /** The secret the drift check reads for the master: host, port, username, password. */
  public readonly masterConnectionSecret: secretsmanager.ISecret;
  /** The secret the drift check reads for the replica: host, port, username, password. */
  public readonly replicaConnectionSecret: secretsmanager.ISecret;
  /** The CloudWatch namespace of the metrics. */
  public readonly metricNamespace: string;
  /** The `Resource` dimension of the overall metrics. */
  public readonly resourceName: string;
  /** The configured freshness checks. */
  public readonly freshnessChecks: FreshnessCheck[];
  /** Fires when a drift check finds drift (1) or cannot finish (2), or does not run. */
  public readonly driftStatusAlarm: cloudwatch.IAlarm;
  /** Fires when a drift check finds rows that differ. */
  public readonly driftedRowsAlarm: cloudwatch.IAlarm;
  /** Fires when the replica lag seen by the drift check exceeds `maxReplicaLag`. */
  public readonly replicaLagAlarm: cloudwatch.IAlarm;
  /** Fires when a copy is stale, missing or corrupt (1) or cannot be checked (2), or the check does not run. */
  public readonly freshnessStatusAlarm: cloudwatch.IAlarm;
  /** One alarm per freshness check: its newest copy is older than the tier's interval plus grace. */
  public readonly backupAgeAlarms: cloudwatch.IAlarm[];
  /** Fires when a check function fails. */
  public readonly functionErrorAlarms: cloudwatch.IAlarm[];
  /** Every alarm of this construct. */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly bound: Array<{ check: FreshnessCheck; config: FreshnessCheckConfig }>;
  private readonly driftPeriod: Duration;
  private readonly freshnessPeriod: Duration;

  constructor(scope: Construct, id: string, props: ConsistencyChecksProps) {
    super(scope, id);
    const path = this.node.path;
    const stack = Stack.of(this);

    // ---- validation --------------------------------------------------------------------
    const maxLag = props.maxReplicaLag ?? Duration.minutes(5);
    checkRange(path, 'maxReplicaLag', maxLag, Duration.seconds(1), Duration.days(1));
    this.driftPeriod = props.driftCheckInterval ?? Duration.days(1);
    checkRange(path, 'driftCheckInterval', this.driftPeriod, Duration.hours(1), Duration.days(1));
    checkWholeMinutes(path, 'driftCheckInterval', this.driftPeriod);
    this.freshnessPeriod = props.freshnessCheckInterval ?? Duration.hours(1);
    checkRange(path, 'freshnessCheckInterval', this.freshnessPeriod, Duration.minutes(15), Duration.days(1));
    checkWholeMinutes(path, 'freshnessCheckInterval', this.freshnessPeriod);
    for (const [prop, schedule, interval, intervalProp] of [
      ['driftCheckSchedule', props.driftCheckSchedule, this.driftPeriod, 'driftCheckInterval'],
      ['freshnessCheckSchedule', props.freshnessCheckSchedule, this.freshnessPeriod, 'freshnessCheckInterval'],
    ] as const) {
      if (schedule) {
        checkCronForm(this, prop, schedule);
        checkRunsEveryInterval(this, prop, schedule, intervalProp, interval);
      }
    }
    const driftTimeout = props.driftCheckTimeout ?? Duration.minutes(15);
    checkRange(path, 'driftCheckTimeout', driftTimeout, Duration.minutes(1), Duration.minutes(15));
    const reportRetention = props.reportRetention ?? Duration.days(365);
    checkRange(path, 'reportRetention', reportRetention, Duration.days(1), Duration.days(3650));
    if (reportRetention.toSeconds() % 86400 !== 0) {
      throw new Error(`${path}: \`reportRetention\` must be a whole number of days, got ${reportRetention.toHumanString()}`);
    }
    if (props.reportBucket && props.reportRetention) {
      throw new Error(`${path}: \`reportRetention\` applies only to the report bucket this construct creates; set the retention of the given \`reportBucket\` on that bucket, got ${props.reportRetention.toHumanString()}`);
    }
    if (props.reportBucket && props.accessLogsBucket) {
      throw new Error(`${path}: \`accessLogsBucket\` applies only to the report bucket this construct creates; configure the access logs of the given \`reportBucket\` on that bucket`);
    }
    // A token in the names below is not warned about: what their checks refuse fails loudly
    // later. The checker user's custom resource refuses a bad user name at deploy; a report
    // the function may not store fails the run (function error alarm); metrics that cannot be
    // published leave the status alarms without data, which they treat as breaching; a named
    // database that is missing is reported unknown, a malformed excluded table fails the run.
    const reportPrefix = props.reportPrefix ?? 'consistency-checks';
    if (!Token.isUnresolved(reportPrefix) && !PREFIX.test(reportPrefix)) {
      throw new Error(`${path}: \`reportPrefix\` must be key segments of letters, digits and !_.*'()- joined by '/', without a leading or trailing '/', got '${reportPrefix}'`);
    }
    const namespace = props.metricNamespace ?? DEFAULT_NAMESPACE;
    if (!Token.isUnresolved(namespace) && (!NAMESPACE.test(namespace) || namespace.startsWith('AWS/'))) {
      throw new Error(`${path}: \`metricNamespace\` must be 1 to 255 letters, digits or ._/#:- and not start with 'AWS/', got '${namespace}'`);
    }
    const username = props.checkerUsername ?? 'backup_checker';
    if (!Token.isUnresolved(username) && !USER.test(username)) {
      throw new Error(`${path}: \`checkerUsername\` must be 1 to 32 letters, digits or '_', got '${username}'`);
    }
    if (props.checkerSecret && props.checkerUsername) {
      throw new Error(`${path}: \`checkerUsername\` names the generated checker user; with \`checkerSecret\` the user name comes from that secret, got checkerUsername '${props.checkerUsername}'`);
    }
    if (!props.adminSecret && !props.checkerSecret) {
      throw new Error(`${path}: give \`adminSecret\` (to create the read-only checker user) or \`checkerSecret\` (an existing user with SELECT, REPLICATION CLIENT, PROCESS), got neither`);
    }
    for (const database of props.databases ?? []) {
      if (!Token.isUnresolved(database) && !DATABASE.test(database)) {
        throw new Error(`${path}: \`databases\` must hold database names of 1 to 64 letters, digits, '_' or '$', got '${database}'`);
      }
    }
    for (const table of props.excludeTables ?? []) {
      if (!Token.isUnresolved(table) && !TABLE.test(table)) {
        throw new Error(`${path}: \`excludeTables\` must hold 'schema.table' names (a database name of letters, digits, '_' or '$', a dot, a table name of 1 to 64 characters without a comma), got '${table}'`);
      }
    }
    if (props.databases && props.databases.length === 0) {
      throw new Error(`${path}: \`databases\` must name at least one database when set (leave it unset to compare every database), got []`);
    }
    refuseRepeatedEntries(this, 'databases', props.databases ?? [], 'database');
    refuseRepeatedEntries(this, 'excludeTables', props.excludeTables ?? [], 'table');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.freshnessChecks = props.freshnessChecks ?? [FreshnessCheck.rdsSnapshots({ instance: props.master, snapshotType: RdsSnapshotType.AUTOMATED })];
    if (this.freshnessChecks.length === 0) {
      throw new Error(`${path}: \`freshnessChecks\` must list at least one check (leave it unset for the master's automated snapshots), got []`);
    }
    this.bound = this.freshnessChecks.map((check) => ({ check, config: check._bind(this) }));
    refuseRepeatedChecks(this, this.bound.map((b) => b.config.dimensions));

    this.metricNamespace = namespace;
    this.resourceName = props.resourceName ?? props.master.instanceIdentifier;
    this.reportPrefix = reportPrefix;

    // ---- key, bucket, topic ------------------------------------------------------------
    this.encryptionKey = props.encryptionKey ?? this.newKey(removalPolicy);
    this.reportBucket = props.reportBucket ?? this.newReportBucket(props.accessLogsBucket, reportRetention, removalPolicy);
    if (props.topic) {
      this.topic = props.topic;
    } else {
      this.topic = new sns.Topic(this, 'Topic', {
        displayName: fitPathDescription(`cdk-backup-dr consistency checks of ${this.node.path}`, this.node.path, RULES.TOPIC_DISPLAY_NAME),
        masterKey: this.encryptionKey,
        enforceSSL: true,
      });
      allowAlarmsToPublish(this.topic);
    }

    // ---- the checker user and its secrets ----------------------------------------------
    this.checkerSecret = props.checkerSecret ?? new rds.DatabaseSecret(this, 'CheckerCredentials', {
      username,
      encryptionKey: this.encryptionKey,
    });
    this.masterConnectionSecret = new secretsmanager.Secret(this, 'MasterConnection', this.connectionSecretProps(props.master, 'master'));
    this.replicaConnectionSecret = new secretsmanager.Secret(this, 'ReplicaConnection', this.connectionSecretProps(props.replica, 'replica'));
    const rotationReason = 'The checker user is read-only (SELECT, REPLICATION CLIENT, PROCESS). Its password is copied into the master and replica connection secrets at deployment, so rotating one secret alone would break the check until the next deployment; rotate by replacing the checker credentials and deploying.';
    for (const secret of [this.checkerSecret, this.masterConnectionSecret, this.replicaConnectionSecret]) {
      if (secret instanceof Construct && secret.node.scope === this) {
        Validations.of(secret).acknowledge(
          { id: 'AwsSolutions-SMG4', reason: rotationReason },
          ...PACKS.map((pack) => ({ id: `${pack}-SecretsManagerRotationEnabled`, reason: rotationReason })),
        );
      }
    }

    let checkerUser: CustomResource | undefined;
    if (props.adminSecret) {
      const userFunction = new HardenedFunction(this, 'CheckerUserFunction', {
        code: 'checker-user',
        description: `Creates the read-only checker user of ${path} on the master`,
        descriptionPath: path,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        encryptionKey: this.encryptionKey,
        removalPolicy,
        timeout: Duration.minutes(2),
        reservedConcurrentExecutions: 1,
        environment: {
          ADMIN_SECRET_ARN: props.adminSecret.secretArn,
          CHECKER_SECRET_ARN: this.checkerSecret.secretArn,
          DATABASE_HOST: props.master.dbInstanceEndpointAddress,
          DATABASE_PORT: props.master.dbInstanceEndpointPort,
        },
      });
      grantSecretRead(props.adminSecret, userFunction);
      grantSecretRead(this.checkerSecret, userFunction);
      (props.databaseConnections ?? props.master).connections.allowDefaultPortFrom(userFunction.function, fitPathDescription(`the checker-user function of ${path}`, path, RULES.SECURITY_GROUP_RULE));
      checkerUser = new CustomResource(this, 'CheckerUser', {
        serviceToken: userFunction.function.functionArn,
        resourceType: 'Custom::CheckerUser',
        properties: { CheckerSecretArn: this.checkerSecret.secretArn, Master: props.master.instanceIdentifier },
      });
    }

    // ---- the drift check ---------------------------------------------------------------
    const driftCheck = new HardenedFunction(this, 'DriftCheck', {
      code: 'replica-consistency',
      description: `Compares the master and the replica row by row for ${path}`,
      descriptionPath: path,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      timeout: driftTimeout,
      memorySize: 1024,
      reservedConcurrentExecutions: 1,
      environment: {
        MASTER_SECRET_ARN: this.masterConnectionSecret.secretArn,
        REPLICA_SECRET_ARN: this.replicaConnectionSecret.secretArn,
        DATABASES: (props.databases ?? []).join(','),
        ...(props.excludeTables && props.excludeTables.length > 0 ? { EXCLUDE_TABLES: props.excludeTables.join(',') } : {}),
        MAX_LAG_SECONDS: String(maxLag.toSeconds()),
        REPORT_BUCKET: this.reportBucket.bucketName,
        REPORT_PREFIX: reportPrefix,
        METRIC_NAMESPACE: namespace,
        RESOURCE_NAME: this.resourceName,
      },
    });
    this.driftCheckFunction = driftCheck.function;
    grantSecretRead(this.masterConnectionSecret, driftCheck);
    grantSecretRead(this.replicaConnectionSecret, driftCheck);
    for (const database of props.databaseConnections ? [props.databaseConnections] : [props.master, props.replica]) {
      database.connections.allowDefaultPortFrom(driftCheck.function, fitPathDescription(`the drift check of ${path}`, path, RULES.SECURITY_GROUP_RULE));
    }
    this.fillChecksPolicy(new iam.ManagedPolicy(this, 'DriftCheckPolicy', {
      description: fitPathDescription(`What the drift check of ${path} writes: its reports`, path, RULES.MANAGED_POLICY),
      roles: [driftCheck.function.role!],
    }),
      driftCheck, ConsistencyCheckKind.REPLICA_CONSISTENCY, []);

    // ---- the freshness check -----------------------------------------------------------
    // Dump runs verified once are recorded here, so later runs do not read them again.
    const verificationPrefix = this.bound.some((b) => b.check.kind === 'daily-dump') ? `${reportPrefix}/${DUMP_VERIFICATIONS}/` : undefined;
    const freshnessConfig = {
      resourceName: this.resourceName,
      metricNamespace: namespace,
      reportBucket: this.reportBucket.bucketName,
      reportPrefix: `${reportPrefix}/`,
      ...(verificationPrefix ? { verificationPrefix } : {}),
      checks: this.bound.map((b) => b.config.config),
    };
    const freshnessCheck = new HardenedFunction(this, 'FreshnessCheck', {
      code: 'backup-freshness',
      description: `Checks the age and integrity of the backups of ${path}`,
      descriptionPath: path,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      timeout: FRESHNESS_TIMEOUT,
      memorySize: 512,
      reservedConcurrentExecutions: 1,
      environment: { FRESHNESS_CONFIG: stack.toJsonString(freshnessConfig) },
      environmentTooLarge: `\`freshnessChecks\` of ${path} lists ${this.bound.length} checks, all in this one variable: give it fewer, or put some in another ConsistencyChecks `
        + '(BackupDisasterRecovery adds two EBS snapshot checks for each entry of `volumeTags`)',
    });
    this.freshnessCheckFunction = freshnessCheck.function;
    const verificationRecords = verificationPrefix ? this.reportBucket.arnForObjects(`${verificationPrefix}*`) : undefined;
    const freshnessStatements = [
      ...this.bound.flatMap((b) => b.config.statements),
      ...(verificationRecords ? [new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [verificationRecords] })] : []),
    ];
    const freshnessPolicy = new iam.ManagedPolicy(this, 'FreshnessCheckPolicy', {
      description: fitPathDescription(`What the backup freshness check of ${path} lists, reads and writes`, path, RULES.MANAGED_POLICY),
      roles: [freshnessCheck.function.role!],
    });
    this.fillChecksPolicy(freshnessPolicy, freshnessCheck, ConsistencyCheckKind.BACKUP_FRESHNESS, freshnessStatements,
      this.bound.flatMap((b) => b.config.objectReads), this.bound.flatMap((b) => b.config.aliasedKeyReads), this.bound.flatMap((b) => b.config.snapshotReads));
    if (verificationRecords) {
      Validations.of(freshnessPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagText(this, verificationRecords)}]`,
        reason: 'The freshness check reads and writes the records of the dump runs it verified, one per bucket and run (keys hold the bucket, date and run id), under this prefix of the report bucket only.',
      });
    }
    for (const key of new Set(this.bound.flatMap((b) => b.config.decryptKeys))) {
      key.grantDecrypt(freshnessCheck);
    }

    // ---- schedules ---------------------------------------------------------------------
    const driftSchedule = new scheduler.Schedule(this, 'DriftCheckSchedule', {
      description: fitPathDescription(`Drift check of ${path}`, path, RULES.SCHEDULE),
      schedule: props.driftCheckSchedule ?? scheduler.ScheduleExpression.rate(this.driftPeriod),
      target: new schedulerTargets.LambdaInvoke(driftCheck.function, {
        role: scheduleRole(new iam.Role(this, 'DriftCheckScheduleRole', scheduleRoleProps(this, 'drift check')), driftCheck),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: driftCheck.deadLetterQueue,
      }),
    });
    if (checkerUser) {
      driftSchedule.node.addDependency(checkerUser);
    }
    new scheduler.Schedule(this, 'FreshnessCheckSchedule', {
      description: fitPathDescription(`Backup freshness check of ${path}`, path, RULES.SCHEDULE),
      schedule: props.freshnessCheckSchedule ?? scheduler.ScheduleExpression.rate(this.freshnessPeriod),
      target: new schedulerTargets.LambdaInvoke(freshnessCheck.function, {
        role: scheduleRole(new iam.Role(this, 'FreshnessCheckScheduleRole', scheduleRoleProps(this, 'backup freshness check')), freshnessCheck),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(15),
        deadLetterQueue: freshnessCheck.deadLetterQueue,
      }),
    });

    // ---- alarms ------------------------------------------------------------------------
    const action = new cloudwatchActions.SnsAction(this.topic);
    const notify = (created: cloudwatch.Alarm): cloudwatch.Alarm => {
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    // The status alarms evaluate a sliding window of one period, and a run's value is stamped at its
    // start but arrives when it ends: a window of just the interval holds no value between the
    // next run's start and its report, which breaches. The window also spans the longest run and
    // a quarter hour for the schedule and the metric to arrive.
    // A period is whole minutes; a timeout of 90 seconds counts as 2 minutes.
    const statusPeriod = (interval: Duration, timeout: Duration): Duration => Duration.minutes(Math.ceil(interval.plus(timeout).plus(REPORT_GRACE).toSeconds() / 60));
    const driftAlarmPeriod = statusPeriod(this.driftPeriod, driftTimeout);
    const freshnessAlarmPeriod = statusPeriod(this.freshnessPeriod, FRESHNESS_TIMEOUT);
    this.driftStatusAlarm = notify(new cloudwatch.Alarm(this, 'DriftStatusAlarm', {
      metric: this.metricCheckStatus(ConsistencyCheckKind.REPLICA_CONSISTENCY, { period: driftAlarmPeriod }),
      alarmDescription: fitPathDescription(`${path}: the drift check found drift (1) or could not finish (2), or did not report within ${driftAlarmPeriod.toHumanString()}. Read the newest report under s3://<report bucket>/${reportPrefix}/replica-consistency/.`, path, RULES.ALARM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
    this.driftedRowsAlarm = notify(new cloudwatch.Alarm(this, 'DriftedRowsAlarm', {
      metric: this.metricDriftedRows(),
      alarmDescription: fitPathDescription(`${path}: the replica differs from the master; the report lists the primary keys of the missing, extra and different rows.`, path, RULES.ALARM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // An unknown run puts no row count, and no lag when it could not read it (the status alarm
      // covers both): that must not turn a drift or lag alarm to OK and notify so.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    }));
    this.replicaLagAlarm = notify(new cloudwatch.Alarm(this, 'ReplicaLagAlarm', {
      metric: this.metricReplicaLagSeconds(),
      alarmDescription: fitPathDescription(`${path}: the replica lagged more than ${maxLag.toHumanString()} during the drift check.`, path, RULES.ALARM),
      threshold: maxLag.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    }));
    this.freshnessStatusAlarm = notify(new cloudwatch.Alarm(this, 'FreshnessStatusAlarm', {
      metric: this.metricCheckStatus(ConsistencyCheckKind.BACKUP_FRESHNESS, { period: freshnessAlarmPeriod }),
      alarmDescription: fitPathDescription(`${path}: a backup copy is stale, missing or corrupt (1) or could not be checked (2), or the check did not report within ${freshnessAlarmPeriod.toHumanString()}. Read the newest report under s3://<report bucket>/${reportPrefix}/backup-freshness/.`, path, RULES.ALARM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
    this.backupAgeAlarms = this.bound.map((b, index) => notify(new cloudwatch.Alarm(this, `BackupAge${index}Alarm`, {
      metric: this.metricBackupAgeHours(b.check),
      alarmDescription: fitPathDescription(`${path}: the newest ${b.config.dimensions.check} copy of tier ${b.config.dimensions.tier} is older than ${b.config.maxAgeHours} hours (interval plus grace).`, path, RULES.ALARM),
      threshold: b.config.maxAgeHours,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No age is emitted when the check is unknown or finds no copy (the status alarm covers
      // both): that must not turn a stale copy's alarm to OK and notify so.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    })));
    this.functionErrorAlarms = [
      notify(new cloudwatch.Alarm(this, 'DriftCheckErrorsAlarm', {
        metric: driftCheck.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        alarmDescription: fitPathDescription(`${path}: the drift check function failed; see its log group.`, path, RULES.ALARM),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })),
      notify(new cloudwatch.Alarm(this, 'FreshnessCheckErrorsAlarm', {
        metric: freshnessCheck.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        alarmDescription: fitPathDescription(`${path}: the backup freshness function failed; see its log group.`, path, RULES.ALARM),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })),
    ];
    this.alarms = [this.driftStatusAlarm, this.driftedRowsAlarm, this.replicaLagAlarm, this.freshnessStatusAlarm, ...this.backupAgeAlarms, ...this.functionErrorAlarms];
  }

  /**
   * The overall status of a check: 0 good (consistent / every copy fresh), 1 drift or a
   * stale, missing or corrupt copy, 2 unknown (the check could not finish).
   * @default - maximum over the check's interval
   */
  public metricCheckStatus(check: ConsistencyCheckKind, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('CheckStatus', { Check: check, Resource: this.resourceName }, check === ConsistencyCheckKind.REPLICA_CONSISTENCY ? this.driftPeriod : this.freshnessPeriod, props);
  }

  /**
   * The number of rows that differ between the master and the replica (missing, extra or different).
   * @default - maximum over the drift check interval
   */
  public metricDriftedRows(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DriftedRows', { Check: ConsistencyCheckKind.REPLICA_CONSISTENCY, Resource: this.resourceName }, this.driftPeriod, props);
  }

  /**
   * The replica lag in seconds seen by the drift check.
   * @default - maximum over the drift check interval
   */
  public metricReplicaLagSeconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ReplicaLagSeconds', { Check: ConsistencyCheckKind.REPLICA_CONSISTENCY, Resource: this.resourceName }, this.driftPeriod, props);
  }

  /**
   * The age in hours of the newest copy found by one of this construct's freshness checks.
   * @default - maximum over the freshness check interval
   */
  public metricBackupAgeHours(check: FreshnessCheck, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const bound = this.bound.find((b) => b.check === check);
    if (!bound) {
      throw new Error(`${this.node.path}: metricBackupAgeHours() takes one of this construct's \`freshnessChecks\`, got a ${check.kind} check that is not among them`);
    }
    const d = bound.config.dimensions;
    return this.metric('BackupAgeHours', { Check: d.check, Resource: d.resource, Tier: d.tier, Region: d.region }, this.freshnessPeriod, props);
  }

  private metric(metricName: string, dimensionsMap: { [name: string]: string }, period: Duration, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
      ...props,
    });
  }

  private newKey(removalPolicy: RemovalPolicy): kms.Key {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'Key', {
      description: fitPathDescription(`Encrypts the reports, secrets, logs and notifications of ${this.node.path}`, this.node.path, RULES.KMS_KEY),
      enableKeyRotation: true,
      removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'LogGroupsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    // The CloudWatch alarms of this account and region publish to the encrypted topic.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AlarmsPublishToTheEncryptedTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: alarmsOfThisAccountAndRegion(key),
    }));
    key.addToResourcePolicy(denyGrantsExceptForAwsResources());
    return key;
  }

  private newReportBucket(accessLogsBucket: s3.IBucket | undefined, retention: Duration, removalPolicy: RemovalPolicy): s3.Bucket {
    let logs: s3.IBucket;
    if (accessLogsBucket) {
      logs = accessLogsBucket;
    } else {
      logs = finishLogBucket(new s3.Bucket(this, 'AccessLogs', logBucketProps(removalPolicy)), 'the consistency report bucket');
    }
    const bucket = new s3.Bucket(this, 'Reports', {
      ...kmsBucketProps(this.encryptionKey),
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(retention),
      removalPolicy,
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    enableEventBridge(bucket);
    BackupCoverage.exempt(bucket, 'Check reports: every run writes a new one, each is locked in place by Object Lock in a versioned bucket, and they describe backups rather than hold data to restore.');
    // Access logs through a bucket policy on the log bucket, whatever the app's
    // `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag says: the log bucket has
    // owner-enforced object ownership, which rules out the log-delivery ACL.
    const stack = Stack.of(this);
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: ACCESS_LOG_PREFIX };
    logs.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ConsistencyReportAccessLogs',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logs.arnForObjects(`${ACCESS_LOG_PREFIX}*`)],
      conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
    }));
    const reason = 'The reports are regenerated by every run of the checks and locked in place (Object Lock); the backups they describe are the data that is replicated to the disaster-recovery region.';
    Validations.of(bucket).acknowledge(
      ...PACKS.map((pack) => ({ id: `${pack}-S3BucketReplicationEnabled`, reason })),
    );
    return bucket;
  }

  private connectionSecretProps(instance: rds.IDatabaseInstance, role: string): secretsmanager.SecretProps {
    return {
      description: fitPathDescription(`The consistency checker's connection to the ${role} of ${this.node.path}: host, port and the checker user's credentials`, this.node.path, RULES.SECRET),
      encryptionKey: this.encryptionKey,
      secretObjectValue: {
        host: SecretValue.unsafePlainText(instance.dbInstanceEndpointAddress),
        port: SecretValue.unsafePlainText(instance.dbInstanceEndpointPort),
        username: this.checkerSecret.secretValueFromJson('username'),
        password: this.checkerSecret.secretValueFromJson('password'),
      },
    };
  }

  /**
   * Puts a function's own statements in a managed policy: the report write under its
   * check's prefix, the key use for it, and the statements of the checks. Acknowledges
   * each wildcard resource with its reason.
   */
  private fillChecksPolicy(
    policy: iam.ManagedPolicy, fn: HardenedFunction, check: ConsistencyCheckKind, statements: iam.PolicyStatement[], objectReads: string[] = [], aliasedKeyReads: string[] = [],
    snapshotReads: string[] = [],
  ): void {
    const reportObjects = this.reportBucket.arnForObjects(`${this.reportPrefix}/${check}/*`);
    policy.addStatements(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [reportObjects] }), ...statements);
    const bucketKey = this.reportBucket.encryptionKey;
    if (bucketKey) {
      bucketKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    }
    const acknowledgements = [
      { id: `AwsSolutions-IAM5[Resource::${nagText(this, reportObjects)}]`, reason: 'Each run writes a new report object, named by the time of the run, under this check\'s own prefix of the report bucket.' },
      ...objectReads.map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${nagText(this, resource)}]`,
        reason: resource.endsWith('/yearly/*/manifest.json')
          ? 'The freshness check reads the manifests of the yearly archive (HEAD, and GET while not in Deep Archive), whose keys hold the year, date and run id, under the yearly/ prefix only; never the dumps.'
          : 'The freshness check reads the day\'s dump, checksum file and manifest, whose keys hold the date and the run id, under the daily/ prefix only.',
      })),
      ...aliasedKeyReads.map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${nagText(this, resource)}]`,
        reason: 'The key of an off-site dump or archive bucket lives in another region and is known only by its alias there; kms:Decrypt is limited to keys carrying that alias (kms:ResourceAliases), used through S3 of that region (kms:ViaService).',
      })),
      ...snapshotReads.map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${nagText(this, resource)}]`,
        reason: 'rds:DescribeDBSnapshots of the checked instance (its ARN is granted too): RDS names its automated snapshots, and manual, AWS Backup and copied snapshots are named at run time, so any snapshot of the region the check looks in.',
      })),
    ];
    if (statements.some((statement) => statement.resources.includes('*'))) {
      acknowledgements.push({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'backup:ListRecoveryPointsByResource (no resource type in the Service Authorization Reference, AWS Backup) and ec2:DescribeSnapshots are read-only list calls that support no resource-level permission; ec2:DescribeSnapshots only in the regions the EBS checks look in (aws:RequestedRegion).',
      });
    }
    const unique = new Map(acknowledgements.map((a) => [a.id, a]));
    Validations.of(policy).acknowledge(...unique.values());
  }
}

/** A role EventBridge Scheduler assumes, only for schedules of this account. */
function scheduleRoleProps(scope: Construct, what: string): iam.RoleProps {
  return {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
    description: fitPathDescription(`Invokes the ${what} of ${scope.node.path} on its schedule`, scope.node.path, RULES.ROLE),
  };
}

/** Acknowledges what CDK grants a schedule's role: invoking the function and its dead-letter queue. */
function scheduleRole(role: iam.Role, fn: HardenedFunction): iam.Role {
  const reason = 'The inline policy CDK writes for the schedule: invoke this one function and send to its own dead-letter queue.';
  Validations.of(role).acknowledge(
    { id: `AwsSolutions-IAM5[Resource::${nagText(role, `${fn.function.functionArn}:*`)}]`, reason: 'lambda:InvokeFunction on the function\'s versions and aliases (`<function ARN>:*`), as CDK grants invoke; the function is this schedule\'s only target.' },
    ...PACKS.map((pack) => ({ id: `${pack}-IAMNoInlinePolicy`, reason })),
  );
  return role;
}

function checkRange(path: string, prop: string, value: Duration, min: Duration, max: Duration): void {
  if (value.isUnresolved()) {
    throw new Error(`${path}: \`${prop}\` must be a concrete duration (schedules, alarm periods, thresholds and descriptions are computed from it at synth), got an unresolved token (${value.toHumanString()})`);
  }
  const seconds = value.toSeconds();
  if (seconds < min.toSeconds() || seconds > max.toSeconds()) {
    throw new Error(`${path}: \`${prop}\` must be ${min.toHumanString()} to ${max.toHumanString()}, got ${value.toHumanString()}`);
  }
}

/** After `checkRange`, which refuses tokens. */
function checkWholeMinutes(path: string, prop: string, value: Duration): void {
  if (value.toSeconds() % 60 !== 0) {
    throw new Error(`${path}: \`${prop}\` must be a whole number of minutes (it is an alarm period), got ${value.toHumanString()}`);
  }
}

/**
 * The status alarms treat a period without a data point as breaching, and their period is the
 * interval: a schedule with a longer gap between two runs would raise them between runs (a
 * weekday schedule every weekend). A schedule in a zone with daylight saving time can run an
 * hour later than its gap says. A gap that cannot be derived (a token, `at()`, a cron form
 * `longestGap` does not walk) is left to the operator.
 */
function checkRunsEveryInterval(scope: IConstruct, prop: string, schedule: scheduler.ScheduleExpression, intervalProp: string, interval: Duration): void {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) {
    return;
  }
  const gap = longestGap(expression);
  if (!('hours' in gap)) {
    return;
  }
  const zone = schedule.timeZone?.timezoneName;
  const zoned = zone !== undefined && zone !== TimeZone.ETC_UTC.timezoneName;
  const gapHours = gap.hours + (zoned ? 1 : 0);
  if (gapHours * 3600 > interval.toSeconds()) {
    const within = zoned ? ` in ${Token.isUnresolved(zone) ? 'its time zone' : zone}` : '';
    throw new Error(`${scope.node.path}: \`${prop}\` must run at least once every \`${intervalProp}\` (${interval.toHumanString()}, the period of the alarms that breach when a run is missing), `
      + `got '${expression}'${within}, up to ${gapHours} hours between two runs: give a schedule that runs more often, or a longer \`${intervalProp}\``);
  }
}

/** A value as cdk-nag prints it in an IAM5 finding id. */
function nagText(scope: IConstruct, value: string): string {
  return flattenLikeCdkNag(Stack.of(scope).resolve(value));
}
