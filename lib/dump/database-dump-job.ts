import { Annotations, Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { bucketKeyStatements } from '../private/bucket-key-use';
import { HardenedFunction } from '../private/hardened-function';
import { BackupMetadata, BackupRole } from '../report/metadata';
import { dumpScript } from './dump-scripts';
import { certificateBlocks, rdsRootCertificates } from './rds-certificate-authorities';
import { acknowledgeInlinePolicy, acknowledgeWildcardResources, flattenLikeCdkNag } from '../private/nag-ids';
import { checkCronForm } from '../private/schedule-expression';
import { warnUncheckedToken } from '../private/unchecked-token';
import { grantOwnKeyUse } from '../private/state-machine-key-use';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import { refuseRepeatedEntries } from '../private/repeated-entries';
import { SynthWarnings } from '../synth-warnings';

/** How the dump job stops replication on the replica for the dump window. */
export enum ReplicationPauseMethod {
  /**
   * `CALL mysql.rds_stop_replication` / `CALL mysql.rds_start_replication` (RDS for MySQL and MariaDB).
   * The start procedure starts every thread, so it also starts a replication someone stopped during the dump window.
   */
  RDS_PROCEDURES = 'rds',
  /**
   * `STOP REPLICA SQL_THREAD` / `START REPLICA SQL_THREAD` on each channel (self-managed servers);
   * a channel whose IO thread was stopped during the dump window is left stopped.
   */
  SQL_STATEMENTS = 'sql',
}

const DEFAULT_DUMP_IMAGE = 'public.ecr.aws/docker/library/mysql:8.4';
const DEFAULT_UPLOAD_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:latest';

/** The memory hard limit of the upload container (MiB); the dump container gets the rest. */
const UPLOAD_MEMORY_MIB = 512;

/** The timeout of each Lambda step of the workflow (the function's own timeout). */
const STEP_TIMEOUT = Duration.minutes(15);

interface StepRetry {
  readonly maxAttempts: number;
  readonly interval: Duration;
  readonly backoffRate: number;
}

const RESUME_RETRY: StepRetry = { maxAttempts: 5, interval: Duration.seconds(20), backoffRate: 2 };
const ABORT_RETRY: StepRetry = { maxAttempts: 2, interval: Duration.seconds(10), backoffRate: 2 };

/** The longest a Lambda step takes: every attempt up to its timeout, and the waits between them. */
function longestStep(retry?: StepRetry): Duration {
  let seconds = STEP_TIMEOUT.toSeconds();
  for (let attempt = 0; attempt < (retry?.maxAttempts ?? 0); attempt++) {
    seconds += retry!.interval.toSeconds() * retry!.backoffRate ** attempt + STEP_TIMEOUT.toSeconds();
  }
  return Duration.seconds(Math.ceil(seconds));
}

/** Memory sizes (MiB) from `from` to `to` in steps of `step`. */
function memorySizes(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);
}

/** Fargate's task memory sizes (MiB) per CPU value (CPU units), from the ECS task definition reference. */
const FARGATE_MEMORY: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: memorySizes(1024, 4096, 1024),
  1024: memorySizes(2048, 8192, 1024),
  2048: memorySizes(4096, 16384, 1024),
  4096: memorySizes(8192, 30720, 1024),
  8192: memorySizes(16384, 61440, 4096),
  16384: memorySizes(32768, 122880, 8192),
};

/** The sizes listed, or as a range with its step when there are more than four. */
function describeSizes(sizes: readonly number[]): string {
  return sizes.length <= 4
    ? `${sizes.slice(0, -1).join(', ')} or ${sizes[sizes.length - 1]} MiB`
    : `${sizes[0]} to ${sizes[sizes.length - 1]} MiB in steps of ${sizes[1] - sizes[0]} MiB`;
}

/** Properties of a `DatabaseDumpJob`. */
export interface DatabaseDumpJobProps {
  /** The VPC the dump task and the workflow's function run in. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the task and the function. They need a route to S3, Secrets Manager,
   * ECR Public (the images) and the replica.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The server to dump: the read replica, so that the master carries no dump load. */
  readonly replica: rds.IDatabaseInstance;
  /**
   * The network access of the replica, with its port as a plain number
   * (`ReplicatedMySql.connections`).
   *
   * @default - the replica's own connections
   */
  readonly databaseConnections?: ec2.IConnectable;
  /**
   * A secret with the `username` and `password` of an account that may dump every database
   * (the master user's secret works): `SELECT, SHOW VIEW, TRIGGER, EVENT` on each, `SHOW
   * DATABASES`, and `SELECT` on `mysql.proc` (MariaDB) or `SHOW_ROUTINE` (MySQL); a run whose
   * user lacks one is refused.
   */
  readonly credentials: secretsmanager.ISecret;
  /** The 48-hour bucket (`BackupBuckets.dailyBucket`): every run writes `daily/YYYY-MM-DD/<run id>/`. */
  readonly dailyBucket: s3.IBucket;
  /**
   * The yearly archive bucket (`BackupBuckets.archiveBucket`): the first successful run of
   * each UTC year (or a run started with `forceYearly`) is also written to
   * `yearly/YYYY/YYYY-MM-DD/<run id>/` there.
   *
   * @default - no yearly copy (a run started with `forceYearly` fails, naming what is missing)
   */
  readonly archiveBucket?: s3.IBucket;
  /** Encrypts the logs, the workflow's state, the function's environment and the queues. */
  readonly encryptionKey: kms.IKey;
  /**
   * When the dump runs (EventBridge Scheduler).
   *
   * @default - every day at 03:00 UTC
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Stop replication on the replica for the dump window, so that the dump, the recorded
   * GTID position and the table checksums describe exactly one point in time. The
   * replica falls behind by the length of the window; replication is started again on
   * success and on every failure path.
   *
   * @default false - the dump is consistent in itself (`--single-transaction`), but the
   * manifest's GTID position is read before it and its row counts and checksums after it,
   * while the replica goes on applying changes: they do not describe the dump's data
   */
  readonly pauseReplication?: boolean;
  /**
   * The most the replica may be behind its master when a run starts. A run refuses (and
   * fails) when the replica is further behind or its replication threads do not run, so
   * that a dump of stale data is never reported as the latest backup. A whole number of
   * seconds from 1 second to 1 day.
   *
   * @default Duration.minutes(5)
   */
  readonly maxReplicaLag?: Duration;
  /**
   * How replication is paused when `pauseReplication` is true.
   *
   * @default ReplicationPauseMethod.RDS_PROCEDURES
   */
  readonly pauseMethod?: ReplicationPauseMethod;
  /**
   * The databases to dump, each named once. Each must exist on the replica; with `lower_case_table_names` 1 or 2
   * a name is matched without regard to case (`App` is dumped as the server's `app`).
   *
   * @default - every database except the system schemas
   */
  readonly databases?: string[];
  /**
   * The image of the dump container; it must hold bash, gzip, sha256sum and `dumpBinary`.
   *
   * @default - `public.ecr.aws/docker/library/mysql:8.4` (`DatabaseDumpJob.DEFAULT_DUMP_IMAGE`)
   */
  readonly dumpImage?: ecs.ContainerImage;
  /**
   * The dump program in `dumpImage`: `mysqldump` or `mariadb-dump` (use the MariaDB image
   * and `mariadb-dump` for a MariaDB replica).
   *
   * @default 'mysqldump'
   */
  readonly dumpBinary?: string;
  /**
   * The image of the upload container; it must hold bash, sha256sum and the AWS CLI v2.
   *
   * @default - `public.ecr.aws/aws-cli/aws-cli:latest` (`DatabaseDumpJob.DEFAULT_UPLOAD_IMAGE`)
   */
  readonly uploadImage?: ecs.ContainerImage;
  /**
   * Connect to the replica over TLS (required by `ReplicatedMySql`).
   *
   * @default true
   */
  readonly tls?: boolean;
  /**
   * The certificate authorities (PEM) that sign the replica's TLS certificate. The dump
   * container verifies the certificate and the host name against them (`mysqldump
   * --ssl-mode=VERIFY_IDENTITY`); the workflow's function verifies against every Amazon RDS
   * root certificate authority in any case. Give them for a replica in another region than
   * the stack, or for an environment-agnostic stack.
   *
   * @default - the Amazon RDS root certificate authorities of the stack's region; when the
   * region is not known at synth, none: the dump is encrypted but does not verify the
   * certificate, and synth warns
   */
  readonly tlsCertificateAuthorities?: string;
  /**
   * CPU units of the task (256, 512, 1024, 2048, 4096, 8192 or 16384).
   *
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * Memory of the task in MiB, within Fargate's range for `cpu`.
   *
   * @default 4096
   */
  readonly memoryLimitMiB?: number;
  /**
   * Ephemeral storage of the task in GiB (21 to 200): it must hold the compressed dump.
   *
   * @default 50
   */
  readonly ephemeralStorageGiB?: number;
  /**
   * The longest the dump task may run (1 minute to 24 hours); the workflow then stops it,
   * resumes replication and fails.
   *
   * @default Duration.hours(6)
   */
  readonly dumpTimeout?: Duration;
  /**
   * The ECS cluster the task runs in.
   *
   * @default - a new cluster with Container Insights
   */
  readonly cluster?: ecs.ICluster;
  /**
   * Actions of the alarm that goes off when a run fails, times out or is aborted.
   *
   * @default - the alarm has no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /**
   * Days the logs of the task, the function and the workflow are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The daily full logical backup of a MySQL or MariaDB database, taken from the replica.
 *
 * An EventBridge Scheduler schedule starts a Step Functions workflow:
 * 1. a function decides whether the run is the year's archive copy and checks that the
 *    replica's replication runs and is at most `maxReplicaLag` behind (or fails the run);
 *    then a second step pauses replication (optional) and records the lag, the GTID
 *    position and the databases;
 * 2. an ECS Fargate task runs the real `mysqldump --single-transaction` of the official
 *    MySQL image (container `dump`, script `dump-database.sh`) into a task volume, gzip
 *    compressed with its SHA-256, then the AWS CLI image (container `upload`, script
 *    `upload-dump.sh`) uploads both under `daily/YYYY-MM-DD/<run id>/` in the 48-hour
 *    bucket;
 * 3. the function verifies the stored object's SHA-256, takes every table's row count and
 *    checksum on the replica (the dump's data only when replication was paused for the
 *    run) and writes `manifest.json` beside the daily copy; on the year's run it then copies
 *    the verified dump server-side into `yearly/YYYY/...` in the archive bucket (each part
 *    checked against the verified read before the copy is completed) and writes its manifest,
 *    unless another run's yearly manifest of the year landed since Prepare and the run was not
 *    started with `forceYearly` (the output's `archiveCopySkipped` then says so);
 * 4. the function resumes replication when the run paused it, also on every failure path
 *    from the pause on (a pause step that crashed or timed out included), where it then
 *    aborts the multipart uploads the run left open.
 */
export class DatabaseDumpJob extends Construct {
  /** The default image of the dump container: the official MySQL 8.4 LTS image (it has `mysqldump`). */
  public static readonly DEFAULT_DUMP_IMAGE = DEFAULT_DUMP_IMAGE;
  /** The default image of the upload container: the AWS CLI v2. */
  public static readonly DEFAULT_UPLOAD_IMAGE = DEFAULT_UPLOAD_IMAGE;
  /** The tag key that marks the workflows of this library. */
  public static readonly WORKFLOW_TAG_KEY = 'cdk-backup-dr:workflow';
  /** The tag value of the dump workflow; `cdk-backup-dr backup now` looks for it. */
  public static readonly WORKFLOW_TAG_VALUE = 'backup';

  /** The workflow; start it to take a dump now (`cdk-backup-dr backup now`). */
  public readonly stateMachine: sfn.IStateMachine;
  /** The task definition of the dump and upload containers. */
  public readonly taskDefinition: ecs.ITaskDefinition;
  /** The function of the workflow's prepare, inspect, finalize and resume steps. */
  public readonly stepsFunction: lambda.IFunction;
  /** The schedule that starts the workflow. */
  public readonly schedule: scheduler.ISchedule;
  /** Goes off when a run fails, times out or is aborted. */
  public readonly failureAlarm: cloudwatch.IAlarm;
  /** The security group of the task and the function; the replica admits it on its port. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /**
   * With `pauseReplication`, the longest a successful run keeps replication paused: the dump's
   * timeout and the Inspect, Finalize and Resume steps (pass it to
   * `ReplicatedMySql.allowReplicationPauses` so the replica's alarms do not page during the dump).
   * A run that keeps it paused longer fails, and `failureAlarm` says so.
   * @default - undefined without `pauseReplication`
   */
  public readonly replicationPauseLimit?: Duration;

  constructor(scope: Construct, id: string, props: DatabaseDumpJobProps) {
    super(scope, id);
    const path = this.node.path;
    const cpu = props.cpu ?? 1024;
    const memory = props.memoryLimitMiB ?? 4096;
    const storage = props.ephemeralStorageGiB ?? 50;
    const dumpTimeout = props.dumpTimeout ?? Duration.hours(6);
    const dumpBinary = props.dumpBinary ?? 'mysqldump';
    const databases = props.databases ?? [];
    const pause = props.pauseReplication ?? false;
    const maxReplicaLag = props.maxReplicaLag ?? Duration.minutes(5);
    this.validate(cpu, memory, storage, dumpTimeout, dumpBinary, databases, maxReplicaLag);
    this.replicationPauseLimit = pause ? dumpTimeout.plus(STEP_TIMEOUT).plus(STEP_TIMEOUT).plus(STEP_TIMEOUT) : undefined;
    // Props that only act together with another: alone they would be ignored without a word.
    if (props.pauseMethod !== undefined && !pause) {
      throw new Error(`${path}: \`pauseMethod\` applies only when \`pauseReplication\` is true (replication is not paused otherwise); set \`pauseReplication: true\` or leave it out, got pauseMethod '${props.pauseMethod}' with pauseReplication ${props.pauseReplication ?? 'unset (false)'}`);
    }
    if (props.tlsCertificateAuthorities !== undefined && props.tls === false) {
      throw new Error(`${path}: \`tlsCertificateAuthorities\` applies only to a TLS connection; leave it out or \`tls\` unset (true), got tlsCertificateAuthorities with tls false`);
    }
    const certificateAuthorities = props.tls === false ? undefined : this.certificateAuthorities(props.tlsCertificateAuthorities);

    const subnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: fitPathDescription(`${path}: the dump task and its function; outbound to the replica, S3, Secrets Manager and ECR`, path, RULES.SECURITY_GROUP),
      allowAllOutbound: true,
    });
    (props.databaseConnections ?? props.replica).connections.allowDefaultPortFrom(this.securityGroup, fitPathDescription(`${path}: the daily dump`, path, RULES.SECURITY_GROUP_RULE));

    // ---- the function of the Lambda steps --------------------------------------------
    const steps = new HardenedFunction(this, 'Steps', {
      code: 'database-dump',
      description: `${path}: prepare, inspect, finalize and resume steps of the daily database dump`,
      descriptionPath: path,
      vpc: props.vpc,
      vpcSubnets: subnets,
      securityGroups: [this.securityGroup],
      encryptionKey: props.encryptionKey,
      timeout: STEP_TIMEOUT,
      memorySize: 1024,
      logRetention,
      environment: {
        DB_HOST: props.replica.dbInstanceEndpointAddress,
        DB_PORT: props.replica.dbInstanceEndpointPort,
        DB_SECRET_ARN: props.credentials.secretArn,
        DB_TLS: props.tls === false ? 'off' : 'required',
        DAILY_BUCKET: props.dailyBucket.bucketName,
        ARCHIVE_BUCKET: props.archiveBucket?.bucketName ?? '',
        PAUSE_REPLICATION: String(pause),
        REPLICATION_CONTROL: props.pauseMethod ?? ReplicationPauseMethod.RDS_PROCEDURES,
        DATABASES: databases.join(' '),
        MAX_REPLICA_LAG_SECONDS: String(maxReplicaLag.toSeconds()),
      },
    });
    this.stepsFunction = steps.function;
    // Explicit statements in the function's own policy: prefix-scoped instead of the broad
    // bucket grants, and the secret read through Secrets Manager only (`ISecret.grantRead`
    // writes the role into the key's policy: a dependency cycle when the same key encrypts
    // the function's log group).
    const copies = [{ bucket: props.dailyBucket, prefix: 'daily/' }, ...(props.archiveBucket ? [{ bucket: props.archiveBucket, prefix: 'yearly/' }] : [])];
    const dailyObjects = props.dailyBucket.arnForObjects('daily/*');
    const stepsPolicy = new iam.ManagedPolicy(this, 'StepsPolicy', {
      description: fitPathDescription(`${path}: read back the uploaded dump, copy a verified yearly run to the archive, write the manifests`, path, RULES.MANAGED_POLICY),
      roles: [steps.function.role!],
      statements: [
        // Reads the daily copy back (also as the source of the archive copy's UploadPartCopy) and writes its manifest.
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [dailyObjects] }),
        // Writes the archive copy (its multipart copy, .sha256 file and manifest), each once (If-None-Match: *);
        // where a write finds its object already there (a retried Finalize), HeadObject (s3:GetObject) reads its size and SHA-256.
        ...(props.archiveBucket ? [new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [props.archiveBucket.arnForObjects('yearly/*')] })] : []),
        // The failure path aborts the uploads a failed run left open (AbortUploads).
        new iam.PolicyStatement({ actions: ['s3:ListBucketMultipartUploads'], resources: copies.map((copy) => copy.bucket.bucketArn) }),
        ...(props.archiveBucket ? [new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [props.archiveBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': ['yearly/*'] } },
        })] : []),
        // Decrypt on the daily key also serves the archive copy's UploadPartCopy, which reads its source through S3.
        ...bucketKeyStatements(copies.map((copy) => copy.bucket)),
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.credentials.secretFullArn ?? `${props.credentials.secretArn}-??????`],
        }),
        ...(props.credentials.encryptionKey ? [new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.credentials.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        })] : []),
      ],
    });

    // ---- the ECS task ----------------------------------------------------------------
    const cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const taskLogs = new logs.LogGroup(this, 'TaskLogs', { retention: logRetention, encryptionKey: props.encryptionKey, removalPolicy: RemovalPolicy.RETAIN });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu,
      memoryLimitMiB: memory,
      ephemeralStorageGiB: storage,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: [{ name: 'dump' }],
    });
    // Both containers run as uid 999 (the MySQL image's `mysql` user). The volume is
    // mounted on the image's `/var/lib/mysql`, which the image gives to that user.
    const user = '999:999';
    const dump = taskDefinition.addContainer('dump', {
      image: props.dumpImage ?? ecs.ContainerImage.fromRegistry(DEFAULT_DUMP_IMAGE),
      essential: false,
      memoryLimitMiB: memory - UPLOAD_MEMORY_MIB,
      user,
      readonlyRootFilesystem: true,
      entryPoint: ['bash', '-c'],
      command: [dumpScript('dump-database.sh')],
      environment: {
        DB_HOST: props.replica.dbInstanceEndpointAddress,
        DB_PORT: props.replica.dbInstanceEndpointPort,
        DB_TLS: props.tls === false ? 'off' : 'required',
        ...(certificateAuthorities ? { DB_CA_CERTIFICATES: certificateAuthorities } : {}),
        DUMP_BINARY: dumpBinary,
        DUMP_DIR: '/var/lib/mysql/run',
        DUMP_DATABASES: databases.join(' '),
      },
      secrets: {
        DB_USER: ecs.Secret.fromSecretsManager(props.credentials, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(props.credentials, 'password'),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: taskLogs, streamPrefix: 'dump' }),
    });
    dump.addMountPoints({ sourceVolume: 'dump', containerPath: '/var/lib/mysql', readOnly: false });
    const upload = taskDefinition.addContainer('upload', {
      image: props.uploadImage ?? ecs.ContainerImage.fromRegistry(DEFAULT_UPLOAD_IMAGE),
      essential: true,
      memoryLimitMiB: UPLOAD_MEMORY_MIB,
      user,
      readonlyRootFilesystem: true,
      entryPoint: ['bash', '-c'],
      command: [dumpScript('upload-dump.sh')],
      environment: {
        DUMP_DIR: '/dump/run',
        DAILY_BUCKET: props.dailyBucket.bucketName,
        DAILY_PREFIX: '',
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: taskLogs, streamPrefix: 'upload' }),
    });
    upload.addMountPoints({ sourceVolume: 'dump', containerPath: '/dump', readOnly: false });
    upload.addContainerDependencies({ container: dump, condition: ecs.ContainerDependencyCondition.SUCCESS });
    const uploadPolicy = new iam.ManagedPolicy(this, 'UploadPolicy', {
      description: fitPathDescription(`${path}: upload the dump and its checksum under the run's daily prefix`, path, RULES.MANAGED_POLICY),
      roles: [taskDefinition.taskRole],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [dailyObjects] }),
        ...bucketKeyStatements([props.dailyBucket]),
      ],
    });

    // ---- the workflow ----------------------------------------------------------------
    const invokeProps = (payload: { [key: string]: unknown }, resultPath: string): tasks.LambdaInvokeProps => ({
      lambdaFunction: steps.function,
      payload: sfn.TaskInput.fromObject(payload),
      resultSelector: { 'value.$': '$.Payload' },
      resultPath,
      taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
    });
    const failed = new sfn.Fail(this, 'DumpFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    // What starts replication by hand, as Resume would have: the RDS procedure, or the SQL thread of each paused channel.
    const startByHand = (props.pauseMethod ?? ReplicationPauseMethod.RDS_PROCEDURES) === ReplicationPauseMethod.SQL_STATEMENTS
      ? "START REPLICA 'name' SQL_THREAD on MariaDB, START REPLICA SQL_THREAD FOR CHANNEL 'name' on MySQL, on each channel whose applier is stopped, except one that Resume's error says someone else stopped"
      : 'CALL mysql.rds_start_replication';
    const resumeFailed = new sfn.Fail(this, 'ResumeFailed', {
      error: 'ReplicationNotResumed',
      cause: `The dump failed and starting replication again failed too: start it by hand (${startByHand}).`,
    });
    // Resume names whether this run pauses replication (Prepare's plan, in the state before
    // Inspect runs), so that a replication stopped by someone else is not started, and one
    // that Inspect stopped is started again also when Inspect crashed or timed out after it.
    const resumePayload = { action: 'resume', replicationPaused: sfn.JsonPath.stringAt('$.planned.value.pauseReplication') };
    // With SQL statements, Resume leaves a channel someone else stopped during the dump window
    // stopped and fails with ReplicationStoppedElsewhere: not retried (a retry would find it
    // the same), the run ends with that error, and Resume's message (the channels, the
    // statements that start them) is its cause.
    const stoppedElsewhere = 'ReplicationStoppedElsewhere';
    const noRetryWhenStoppedElsewhere: sfn.RetryProps = { errors: [stoppedElsewhere], maxAttempts: 0 };
    const leftStoppedProps: sfn.FailProps = { error: stoppedElsewhere, causePath: '$.resumeError.Cause' };
    // The run ends with the failure of the first step, unless starting replication again failed too.
    const howTheRunFails = new sfn.Choice(this, 'HowTheRunFails')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.resumeError'), sfn.Condition.stringEquals('$.resumeError.Error', stoppedElsewhere)),
        new sfn.Fail(this, 'ReplicationLeftStopped', leftStoppedProps))
      .when(sfn.Condition.isPresent('$.resumeError'), resumeFailed)
      .otherwise(failed);
    // A dump task that failed, timed out or was stopped may leave a multipart upload open
    // under the run's daily prefix, and a Finalize that timed out while copying a yearly run,
    // one under its yearly prefix; their parts are billed until aborted. The buckets' lifecycle
    // rules abort them after a day as well. It runs after ResumeAfterFailure, whose outcome it
    // does not change: its retries may take 45 minutes, which the replica must not wait paused.
    const abortUploads = new tasks.LambdaInvoke(this, 'AbortUploads', invokeProps({ action: 'abort-uploads', run: sfn.JsonPath.objectAt('$.prepared.value') }, '$.uploadsAborted'))
      .addRetry({ errors: ['States.ALL'], ...ABORT_RETRY })
      .addCatch(howTheRunFails, { resultPath: '$.abortError' })
      .next(howTheRunFails);
    // Only a run that reached the dump task (Inspect returned its prefixes) can have uploads open.
    const uploadsMayBeOpen = new sfn.Choice(this, 'UploadsMayBeOpen')
      .when(sfn.Condition.isPresent('$.prepared'), abortUploads)
      .otherwise(howTheRunFails);
    const resumeAfterFailure = new tasks.LambdaInvoke(this, 'ResumeAfterFailure', invokeProps(resumePayload, '$.resumed'))
      .addRetry(noRetryWhenStoppedElsewhere)
      .addRetry({ errors: ['States.ALL'], ...RESUME_RETRY })
      .addCatch(uploadsMayBeOpen, { resultPath: '$.resumeError' })
      .next(uploadsMayBeOpen);
    const onError = { resultPath: '$.error' };

    const defaults = new sfn.Pass(this, 'Defaults', {
      parameters: { input: sfn.JsonPath.jsonMerge(sfn.JsonPath.stringToJson('{"forceYearly":false}'), sfn.JsonPath.entirePayload) },
    });
    // Prepare changes nothing on the replica: its failure has nothing to resume.
    const prepare = new tasks.LambdaInvoke(this, 'Prepare', invokeProps({
      action: 'prepare',
      executionName: sfn.JsonPath.executionName,
      forceYearly: sfn.JsonPath.stringAt('$.input.forceYearly'),
    }, '$.planned')).addCatch(failed, onError);
    // Inspect pauses replication: any failure from here on, its own crash or timeout
    // included, goes through ResumeAfterFailure. Except replication that Inspect found
    // stopped before its pause (someone stopped it after Prepare's check): resuming would
    // start what an operator or a failover stopped. Not retried, not even on the Lambda
    // service errors CDK retries by default: such an error can come after the function ran
    // and paused, and a second Inspect would take that pause for someone else's and end
    // the run without resuming.
    const inspect = new tasks.LambdaInvoke(this, 'Inspect', {
      ...invokeProps({ action: 'inspect', plan: sfn.JsonPath.objectAt('$.planned.value') }, '$.prepared'),
      retryOnServiceExceptions: false,
    })
      .addCatch(failed, { errors: ['ReplicationStoppedElsewhere'], ...onError })
      .addCatch(resumeAfterFailure, onError);
    const run = (field: string): string => sfn.JsonPath.stringAt(`$.prepared.value.${field}`);
    const dumpTask = new tasks.EcsRunTask(this, 'Dump', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster,
      taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      subnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      containerOverrides: [
        { containerDefinition: dump, environment: [{ name: 'DUMP_DATABASES', value: run('databases') }] },
        {
          containerDefinition: upload,
          environment: [
            { name: 'DAILY_PREFIX', value: run('dailyPrefix') },
          ],
        },
      ],
      resultSelector: { 'containers.$': '$.Containers' },
      resultPath: '$.task',
      taskTimeout: sfn.Timeout.duration(dumpTimeout),
    }).addCatch(resumeAfterFailure, onError);
    const finalize = new tasks.LambdaInvoke(this, 'Finalize', invokeProps({
      action: 'finalize',
      run: sfn.JsonPath.objectAt('$.prepared.value'),
      containers: sfn.JsonPath.listAt('$.task.containers'),
    }, '$.finalized')).addCatch(resumeAfterFailure, onError);
    // The copies have landed, but a replica left paused falls behind from now on: the run fails
    // (and its alarm fires) saying so, rather than with the step's own error alone.
    const notResumedAfterDump = new sfn.Fail(this, 'ResumeFailedAfterDump', {
      error: 'ReplicationNotResumed',
      cause: `The dump landed and its manifests are written, but starting replication again failed: start it by hand (${startByHand}); the Resume step's error is in the execution history.`,
    });
    const resume = new tasks.LambdaInvoke(this, 'Resume', invokeProps(resumePayload, '$.resumed'))
      .addRetry(noRetryWhenStoppedElsewhere)
      .addRetry({ errors: ['States.ALL'], ...RESUME_RETRY })
      .addCatch(new sfn.Fail(this, 'ReplicationLeftStoppedAfterDump', leftStoppedProps), { errors: [stoppedElsewhere], resultPath: '$.resumeError' })
      .addCatch(notResumedAfterDump, { resultPath: '$.resumeError' });
    const done = new sfn.Pass(this, 'WhereTheCopiesLanded', {
      parameters: {
        'runId.$': '$.prepared.value.runId',
        'createdAt.$': '$.prepared.value.createdAt',
        'dailyBucket.$': '$.prepared.value.dailyBucket',
        'dailyPrefix.$': '$.prepared.value.dailyPrefix',
        // Finalize's: empty when the run made no yearly copy, also one Prepare planned (archiveCopySkipped says why).
        'archiveBucket.$': '$.finalized.value.archiveBucket',
        'archivePrefix.$': '$.finalized.value.archivePrefix',
        'dailyManifest.$': '$.finalized.value.dailyManifest',
        'archiveManifest.$': '$.finalized.value.archiveManifest',
        'archiveCopySkipped.$': '$.finalized.value.archiveCopySkipped',
        'bytes.$': '$.finalized.value.bytes',
        'sha256.$': '$.finalized.value.sha256',
        'tables.$': '$.finalized.value.tables',
        'gtidPosition.$': '$.finalized.value.gtidPosition',
        'replicationPaused.$': '$.finalized.value.replicationPaused',
      },
    });
    const workflowLogs = new logs.LogGroup(this, 'WorkflowLogs', { retention: logRetention, encryptionKey: props.encryptionKey, removalPolicy: RemovalPolicy.RETAIN });
    const stateMachine = new sfn.StateMachine(this, 'Resource', {
      comment: `${path}: the daily database dump (prepare, inspect, dump task, finalize, resume)`,
      definitionBody: sfn.DefinitionBody.fromChainable(defaults.next(prepare).next(inspect).next(dumpTask).next(finalize).next(resume).next(done)),
      // The execution's own timeout has no Catch: reached, it would end the run on a paused
      // replica. It outlasts the longest path, every step to its timeout and every retry:
      // Prepare, Inspect, Dump, Finalize, ResumeAfterFailure, AbortUploads; and a margin for the
      // retries of Lambda service errors CDK adds to each Lambda step.
      timeout: dumpTimeout.plus(STEP_TIMEOUT).plus(STEP_TIMEOUT).plus(STEP_TIMEOUT).plus(longestStep(ABORT_RETRY)).plus(longestStep(RESUME_RETRY)).plus(Duration.minutes(15)),
      tracingEnabled: true,
      logs: { destination: workflowLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    grantOwnKeyUse(stateMachine, props.encryptionKey);
    this.stateMachine = stateMachine;
    this.taskDefinition = taskDefinition;
    BackupMetadata.describe(this.stateMachine, {
      role: BackupRole.BACKUP_JOB,
      tier: 'daily',
      description: `Daily logical dump (mysqldump --single-transaction) of the replica into the 48-hour bucket${props.archiveBucket ? ', first run of each year also into the archive bucket' : ''}, ${pause
        ? 'with a manifest of the GTID position, row counts and checksums of the dumped data (replication is paused for the dump).'
        : 'with a manifest of the GTID position read before the dump and row counts and checksums taken after it while replication ran on (not those of the dumped data).'}`,
      targets: [props.replica],
    });
    // `cdk-backup-dr backup now` finds the workflow by this tag.
    Tags.of(this.stateMachine).add(DatabaseDumpJob.WORKFLOW_TAG_KEY, DatabaseDumpJob.WORKFLOW_TAG_VALUE);

    // ---- the schedule ----------------------------------------------------------------
    const scheduleDeadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // The only record of scheduled dumps that never started.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role (not CDK's stack-level singleton `SchedulerRoleForTarget-*`), so that its
    // inline policy is acknowledged here, on this construct.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: fitPathDescription(`${path}: starts the daily database dump`, path, RULES.ROLE),
    });
    Validations.of(scheduleRole).acknowledge(
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The inline default policy holds only what the schedule needs: states:StartExecution on the dump workflow, sending to its dead-letter queue and the use of its key.',
      })),
    );
    if (props.schedule) {
      checkCronForm(this, 'schedule', props.schedule);
    }
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: fitPathDescription(`${path}: starts the daily database dump`, path, RULES.SCHEDULE),
      schedule: props.schedule ?? scheduler.ScheduleExpression.cron({ minute: '0', hour: '3' }),
      key: props.encryptionKey,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ forceYearly: false }),
        role: scheduleRole,
        deadLetterQueue: scheduleDeadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });

    // ---- the alarm -------------------------------------------------------------------
    const metric = (name: string): cloudwatch.Metric => this.stateMachine.metric(name, { period: Duration.days(1), statistic: cloudwatch.Stats.SUM });
    const failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: fitPathDescription(`${path}: a daily database dump failed, timed out or was aborted; see the workflow's execution history. Check that replication runs on the replica, `
        + 'unless the run ended with ReplicationStoppedElsewhere: someone else stopped it, and the run left it stopped (its cause names the channels and the statements that start them).', path, RULES.ALARM),
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: { failed: metric('ExecutionsFailed'), timedOut: metric('ExecutionsTimedOut'), aborted: metric('ExecutionsAborted') },
        period: Duration.days(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const action of props.alarmActions ?? []) {
      failureAlarm.addAlarmAction(action);
    }
    this.failureAlarm = failureAlarm;

    this.acknowledgeFindings(scheduleDeadLetters, stepsPolicy, uploadPolicy, taskDefinition, stateMachine);
  }

  /** Metric of the workflow's successful runs per day. */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Grants starting the workflow and following its runs (what `backup now` needs).
   *
   * @param grantee the principal that starts dumps
   */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    this.stateMachine.grantRead(grantee);
    return this.stateMachine.grantStartExecution(grantee);
  }

  private validate(cpu: number, memory: number, storage: number, dumpTimeout: Duration, dumpBinary: string, databases: string[], maxReplicaLag: Duration): void {
    const path = this.node.path;
    if (Token.isUnresolved(memory)) {
      throw new Error(`${path}: \`memoryLimitMiB\` must be a concrete number of MiB (the dump container's memory, the task's less the upload container's ${UPLOAD_MEMORY_MIB} MiB, is computed from it at synth), got an unresolved token`);
    }
    if (Token.isUnresolved(cpu)) {
      // Without the CPU value, the sizes Fargate offers are unknown: only the upload container's share is checked.
      if (memory <= UPLOAD_MEMORY_MIB) {
        throw new Error(`${path}: \`memoryLimitMiB\` must be more than the upload container's ${UPLOAD_MEMORY_MIB} MiB (the dump container gets the rest), got ${memory} MiB`);
      }
      warnUncheckedToken(this, 'cpu', `that it is a CPU value of Fargate's CPU and memory table (${Object.keys(FARGATE_MEMORY).join(', ')} CPU units) that offers \`memoryLimitMiB\` (${memory} MiB)`,
        'ECS receives it as it is and refuses at deploy a CPU value or a CPU and memory pair that Fargate does not offer');
    } else {
      const offered = FARGATE_MEMORY[cpu];
      if (!offered) {
        throw new Error(`${path}: \`cpu\` must be one of ${Object.keys(FARGATE_MEMORY).join(', ')} CPU units, got ${cpu}`);
      }
      const usable = offered.filter((size) => size > UPLOAD_MEMORY_MIB);
      if (!usable.includes(memory)) {
        throw new Error(`${path}: \`memoryLimitMiB\` must be ${describeSizes(usable)} for ${cpu} CPU units (Fargate's sizes that leave the dump container memory beside the upload container's ${UPLOAD_MEMORY_MIB} MiB), got ${memory} MiB`);
      }
    }
    if (Token.isUnresolved(storage)) {
      warnUncheckedToken(this, 'ephemeralStorageGiB', 'that it is a whole number from 21 to 200 GiB',
        'ECS receives it as it is and refuses at deploy a size outside 21 to 200 GiB');
    } else if (!Number.isInteger(storage) || storage < 21 || storage > 200) {
      throw new Error(`${path}: \`ephemeralStorageGiB\` must be a whole number from 21 to 200 GiB, got ${storage} GiB`);
    }
    // A token in the sum would swallow the steps' time: the execution would end with the dump
    // task, before the steps that resume replication.
    if (dumpTimeout.isUnresolved()) {
      throw new Error(`${path}: \`dumpTimeout\` must be a concrete duration of 1 minute to 24 hours (the workflow's own timeout, the dump's plus the time of the steps that resume replication, is computed from it at synth), got an unresolved token`);
    }
    const seconds = dumpTimeout.toSeconds();
    if (seconds < 60 || seconds > 86400) {
      throw new Error(`${path}: \`dumpTimeout\` must be 1 minute to 24 hours, got ${dumpTimeout.toHumanString()}`);
    }
    // The function compares whole seconds of lag; a lag of a day or more means the dump
    // would hold data older than the previous day's.
    if (maxReplicaLag.isUnresolved()) {
      if (maxReplicaLag.unitLabel() !== 'seconds') {
        throw new Error(`${path}: \`maxReplicaLag\` must be a concrete whole number of seconds from 1 second to 1 day, or a token given in seconds (\`Duration.seconds(token)\`, which the function receives as it is), got Duration.${maxReplicaLag.unitLabel()}(token)`);
      }
      warnUncheckedToken(this, 'maxReplicaLag', 'that it is a whole number of seconds from 1 second to 1 day',
        'the function refuses a run only for a value that is not a whole number of seconds, so a lag of more than a day lets a dump of stale data pass as the latest backup');
    } else {
      const lagSeconds = maxReplicaLag.toSeconds({ integral: false });
      if (!Number.isInteger(lagSeconds) || lagSeconds < 1 || lagSeconds > 86400) {
        throw new Error(`${path}: \`maxReplicaLag\` must be a whole number of seconds from 1 second to 1 day, got ${maxReplicaLag.toHumanString()}`);
      }
    }
    if (Token.isUnresolved(dumpBinary)) {
      warnUncheckedToken(this, 'dumpBinary', "that it is 'mysqldump' or 'mariadb-dump'",
        "the dump container runs whatever program it names with mysqldump's options, and another program fails the dumps or writes something else");
    } else if (dumpBinary !== 'mysqldump' && dumpBinary !== 'mariadb-dump') {
      throw new Error(`${path}: \`dumpBinary\` must be 'mysqldump' or 'mariadb-dump', got '${dumpBinary}'`);
    }
    // The list goes space-separated into the function's and the container's environment.
    if (Token.isUnresolved(databases)) {
      throw new Error(`${path}: \`databases\` must be a list of names (the space-separated list of the function and the dump container is joined from it at synth), got an unresolved list token; give each name as an element (\`Fn.select(0, list)\`)`);
    }
    if (databases.some((name) => Token.isUnresolved(name))) {
      warnUncheckedToken(this, 'databases', 'that each name is 1 to 64 characters without white space and no system schema',
        'the job dumps what the names say at run time: a system schema (mysql, sys) like any other, a name with white space as several names, and every database when all are empty',
        'a name in `databases`');
    }
    for (const name of databases) {
      if (!Token.isUnresolved(name) && (name.length === 0 || name.length > 64 || /\s/.test(name) || ['mysql', 'information_schema', 'performance_schema', 'sys'].includes(name.toLowerCase()))) {
        throw new Error(`${path}: \`databases\` must hold database names of 1 to 64 characters without white space and no system schema, got '${name}'`);
      }
    }
    refuseRepeatedEntries(this, 'databases', databases, 'database');
  }

  /** The PEM the dump container verifies the replica's certificate against, or undefined (warned). */
  private certificateAuthorities(given: string | undefined): string | undefined {
    const path = this.node.path;
    if (given !== undefined) {
      if (Token.isUnresolved(given)) {
        warnUncheckedToken(this, 'tlsCertificateAuthorities', 'that it holds PEM certificates of at most 32 KiB',
          "an empty value leaves the replica's certificate unverified (the dump is encrypted only, which only the task's log says), and one that is not PEM fails the dumps");
      }
      // Up to 32 KiB leaves room in the task definition, which may not exceed 64 KiB.
      if (!Token.isUnresolved(given) && (certificateBlocks(given).length === 0 || given.length > 32768)) {
        throw new Error(`${path}: \`tlsCertificateAuthorities\` must hold PEM certificates (-----BEGIN CERTIFICATE----- blocks) of at most 32 KiB, ` +
          `got ${given.length} characters with ${certificateBlocks(given).length} certificate(s)`);
      }
      return given;
    }
    const region = Stack.of(this).region;
    const roots = Token.isUnresolved(region) ? undefined : rdsRootCertificates(region);
    if (roots === undefined) {
      Annotations.of(this).addWarningV2(SynthWarnings.DUMP_CERTIFICATE_NOT_VERIFIED, Token.isUnresolved(region)
        ? 'The stack\'s region is not known at synth: the dump connects to the replica over TLS without verifying its certificate. Give the stack an env region or set `tlsCertificateAuthorities`.'
        : `No Amazon RDS root certificate authority of ${region} is known: the dump connects to the replica over TLS without verifying its certificate. Set \`tlsCertificateAuthorities\`.`);
    }
    return roots;
  }

  private acknowledgeFindings(scheduleDeadLetters: sqs.Queue, stepsPolicy: iam.ManagedPolicy, uploadPolicy: iam.ManagedPolicy, taskDefinition: ecs.FargateTaskDefinition, stateMachine: sfn.StateMachine): void {
    const dlqReason = 'This queue is the dead-letter queue of the dump schedule; a dead-letter queue of a dead-letter queue would only move the same failed events again.';
    Validations.of(scheduleDeadLetters).acknowledge(
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: dlqReason },
      { id: 'AwsSolutions-SQS3', reason: dlqReason },
    );
    const prefixReason = (resource: string): string | undefined => (/\/(daily|yearly)\/\*$/.test(resource)
      ? 'Each run writes new objects under its own date-named prefix; the statement is limited to the daily/ or yearly/ prefix of the backup bucket.'
      : undefined);
    acknowledgeWildcardResources(stepsPolicy, stepsPolicy.document, prefixReason);
    acknowledgeWildcardResources(uploadPolicy, uploadPolicy.document, prefixReason);
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds only non-secret settings (host, port, bucket, prefix, paths); the database user and password are injected from Secrets Manager as secrets.',
    });
    const executionPolicy = taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy instanceof iam.Policy) {
      acknowledgeInlinePolicy(executionPolicy, 'The inline policy CDK writes for the task execution role: writing to the task\'s own log group and reading the database secret it injects.');
    }
    const workflowPolicy = stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (workflowPolicy instanceof iam.Policy) {
      acknowledgeInlinePolicy(workflowPolicy, 'The inline policy CDK writes for the workflow\'s tasks: invoking its function, running and stopping its task definition, passing the task roles, logging and tracing.');
      const stack = Stack.of(this);
      const functionArn = flattenLikeCdkNag(stack.resolve(this.stepsFunction.functionArn));
      acknowledgeWildcardResources(workflowPolicy, workflowPolicy.document, (resource, actions) => {
        if (resource === `${functionArn}:*`) {
          return 'Step Functions may invoke the versions and aliases of the workflow\'s own function.';
        }
        if (resource.endsWith(':*') && actions.includes('ecs:RunTask')) {
          return 'CDK\'s EcsRunTask allows every revision of the dump task definition\'s family.';
        }
        if (resource === '*') {
          return 'ecs:StopTask and ecs:DescribeTasks: the dump task\'s id exists only once RunTask starts it, so the .sync integration\'s policy (as Step Functions documents it) names no task, '
            + 'and Step Functions stops only tasks that Step Functions started; X-Ray tracing and CloudWatch Logs log delivery (logs:*LogDelivery*, resource policies, DescribeLogGroups) support no resource-level permissions.';
        }
        return undefined;
      });
    }
  }
}
