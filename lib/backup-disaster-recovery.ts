import { Annotations, Aspects, Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { BackupBuckets } from './buckets/backup-buckets';
import { RecoveryBuckets } from './buckets/recovery-buckets';
import { ConsistencyCheckKind, ConsistencyChecks } from './checks/consistency-checks';
import { FreshnessCheck, RdsSnapshotType } from './checks/freshness-check';
import { ReplicatedMySql, ReplicatedMySqlEngine } from './database/replicated-mysql';
import { replicationErrorMessage } from './database/replication-error-message';
import { DatabaseDumpJob } from './dump/database-dump-job';
import { MAX_GAP_DAYS } from './policy/compile';
import { RetentionPolicy } from './policy/retention-policy';
import { REGION_NAME } from './private/aws-identifiers';
import { isEmailAddress } from './private/email-address';
import { describeAtDeploy, equalityAtDeploy } from './private/deploy-time-equality';
import { denyGrantsExceptForAwsResources } from './private/key-policy';
import * as RULES from './private/description-rules';
import { fitPathDescription } from './private/path-description';
import { refuseRepeatedEntries } from './private/repeated-entries';
import { warnUncheckedToken } from './private/unchecked-token';
import { BackupCoverage } from './report/coverage';
import { BackupDashboard } from './report/dashboard';
import { BackupMetadata, BackupRole } from './report/metadata';
import { BackupNotifications } from './report/notifications';
import { DatabaseRestore } from './restore/database-restore';
import { DumpRestoreWorkflow } from './restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from './restore/object-restore-workflow';
import { RestoreDrillBackup, RestoreDrills } from './restore/restore-drills';
import { VolumeRestoreWorkflow } from './restore/volume-restore-workflow';
import { EbsSnapshotPolicy } from './snapshots/ebs-snapshot-policy';
import { BackupVaults } from './vault/backup-vaults';
import { policyGivenTo } from './vault/policy-setting';
import { failOnRdsCopies } from './vault/rds-copy-limits';
import { RecoveryVault } from './vault/recovery-vault';
import { VaultLockOptions } from './vault/vault-lock';
import { SynthWarnings } from './synth-warnings';

/** Checks the owner contact; both constructs require it. */
function checkOwnerEmail(scope: Construct, ownerEmail: string): void {
  if (Token.isUnresolved(ownerEmail)) {
    return;
  }
  if (typeof ownerEmail !== 'string' || ownerEmail.trim().length === 0) {
    throw new Error(`${scope.node.path}: \`ownerEmail\` must be the email address of the person or team responsible for the backups, got ${JSON.stringify(ownerEmail)}`);
  }
  if (!isEmailAddress(ownerEmail)) {
    throw new Error(`${scope.node.path}: \`ownerEmail\` must be an email address (name@domain), got '${ownerEmail}'`);
  }
}

/**
 * Options of the replicated MySQL pair that `BackupDisasterRecovery` creates (the props of
 * `ReplicatedMySql` that the top-level construct does not decide itself: the VPC, the key
 * and the alarm actions come from `BackupDisasterRecovery`).
 */
export interface BackupDisasterRecoveryDatabaseOptions {
  /**
   * The database engine.
   * @default ReplicatedMySqlEngine.MYSQL
   */
  readonly engine?: ReplicatedMySqlEngine;
  /**
   * The full engine version (e.g. `8.4.10`).
   * @default - `ReplicatedMySql.DEFAULT_MYSQL_VERSION` or `ReplicatedMySql.DEFAULT_MARIADB_VERSION`
   */
  readonly engineVersion?: string;
  /**
   * The subnets of both instances.
   * @default - the VPC's isolated subnets, or its private subnets with egress when it has none (the default of `ReplicatedMySql`)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The instance type of the master.
   * @default - the default of `ReplicatedMySql`
   */
  readonly masterInstanceType?: ec2.InstanceType;
  /**
   * The instance type of the replica.
   * @default - the master's instance type
   */
  readonly replicaInstanceType?: ec2.InstanceType;
  /**
   * The allocated storage of each instance, in GiB.
   * @default - the default of `ReplicatedMySql`
   */
  readonly allocatedStorage?: number;
  /**
   * The storage autoscaling limit of each instance, in GiB.
   * @default - the default of `ReplicatedMySql`
   */
  readonly maxAllocatedStorage?: number;
  /**
   * Whether the master is Multi-AZ.
   * @default - the default of `ReplicatedMySql`
   */
  readonly multiAz?: boolean;
  /**
   * How long RDS keeps automated backups, in days (1 to 35 days).
   * @default - the default of `ReplicatedMySql` (14 days)
   */
  readonly backupRetention?: Duration;
  /**
   * The port the instances listen on.
   * @default ReplicatedMySql.DEFAULT_PORT
   */
  readonly port?: number;
  /**
   * Server parameters of both instances.
   * @default - the parameters `ReplicatedMySql` sets
   */
  readonly parameters?: { [name: string]: string };
  /**
   * What happens to the instances when they leave the stack. `RemovalPolicy.DESTROY`
   * also needs `allowDestroy`. SNAPSHOT applies to the master; the read replica is
   * retained instead (RDS takes no final snapshot of a read replica).
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The explicit opt-in for `RemovalPolicy.DESTROY`.
   * @default false
   */
  readonly allowDestroy?: boolean;
  /**
   * Deletion protection of both instances.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** Properties of `BackupDisasterRecovery`. */
export interface BackupDisasterRecoveryProps {
  /** The VPC of the database pair, the dump job, the checks and the restore workflows. */
  readonly vpc: ec2.IVpc;
  /**
   * The email address of the person or team responsible for the backups. It is recorded in
   * the template (stack and resource `Metadata`, tag `backup:owner`) and subscribed to the
   * topic that receives failed backup jobs, drift, stale backups and failed drills.
   */
  readonly ownerEmail: string;
  /**
   * The disaster-recovery region: a plain region name, not the stack's region. A
   * `BackupDisasterRecoveryTarget` must be deployed there first: its vault and buckets are
   * found by their deterministic names (`RecoveryVault.DEFAULT_VAULT_NAME`,
   * `RecoveryBuckets.dailyBucketName`, `RecoveryBuckets.archiveBucketName`).
   */
  readonly recoveryRegion: string;
  /**
   * The customer-managed key of the data, backups, topics and logs of this construct. Its
   * key policy must let CloudWatch Logs of this account and region use it.
   * @default - a new key with yearly rotation, retained when the stack is deleted
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The backup tiers. Its off-site copies must include `recoveryRegion`.
   * @default - `RetentionPolicy.fullLadder()` copied off-site to `recoveryRegion`: a rolling
   * 48-hour tier, then weekly, fortnightly, monthly, quarterly, half-yearly and yearly copies
   */
  readonly retentionPolicy?: RetentionPolicy;
  /**
   * Options of the replicated MySQL pair.
   * @default - the defaults of `ReplicatedMySql`
   */
  readonly database?: BackupDisasterRecoveryDatabaseOptions;
  /**
   * The recovery point objective: the most data, as a span of time, that a failure may
   * lose (5 minutes, what point-in-time recovery restores, to 35 days, the longest
   * point-in-time window of RDS). Recorded in the template (`cdk-backup-dr report` lists it)
   * and proved by the restore drills: each restores the master's latest restorable time
   * (point-in-time recovery, the tier that holds this objective), and their recovery point
   * alarm fires when a drill's copy lacks more than this much of the newest data.
   * @default Duration.hours(1)
   */
  readonly recoveryPointObjective?: Duration;
  /**
   * The recovery time objective: how long a restore may take (15 minutes to 48 hours).
   * Recorded in the template and used as the restore drills' recovery time alarm threshold.
   * @default Duration.hours(4)
   */
  readonly recoveryTimeObjective?: Duration;
  /**
   * The tags that select the EBS volumes the EBS snapshot lifecycle policies protect: a
   * volume with any of these tags (key and value) is snapshotted on every tier of the
   * retention policy. Such volumes should be encrypted with `encryptionKey`. When given,
   * the hourly freshness check also checks the newest snapshot of these volumes, and the
   * newest of their Data Lifecycle Manager copies in `recoveryRegion` (found there by each of
   * these tags together with the tag the policy adds to its snapshots,
   * `volumeSnapshots.snapshotTag`; the copies carry both).
   * @default - `{ 'cdk-backup-dr:snapshots': 'tiers' }` (`BackupDisasterRecovery.DEFAULT_VOLUME_TAG_KEY`
   * and `DEFAULT_VOLUME_TAG_VALUE`), without a freshness check
   */
  readonly volumeTags?: { [key: string]: string };
  /**
   * The key in `recoveryRegion` that encrypts the off-site copies of the EBS snapshots
   * (for example `kms.Key.fromKeyArn(...)` of the target's `ebsCopyKey`; Data Lifecycle
   * Manager needs the key's ARN, not an alias).
   * @default - the recovery region's default EBS encryption key, which this library does not
   * control; synth warns (`cdk-backup-dr:offSiteVolumeKeyMissing`)
   */
  readonly offSiteVolumeKey?: kms.IKey;
  /**
   * Tables the daily drift check leaves out, as `schema.table` (`ConsistencyChecks.excludeTables`).
   * The template's metadata names them, so the backup report shows what the check does not cover.
   * @default - none: every table is compared
   */
  readonly driftCheckExcludeTables?: string[];
  /**
   * The databases the daily drift check compares (`ConsistencyChecks.databases`). The
   * template's metadata names them, so the backup report shows what the check covers.
   * @default - every database except the system schemas
   */
  readonly driftCheckDatabases?: string[];
}

/**
 * Backup and disaster recovery of a MySQL-backed application, in one construct: the
 * replicated MySQL pair; the backup tiers of a retention policy (AWS Backup vaults and
 * plans, EBS snapshot lifecycle policies for tagged volumes, the 48-hour and yearly dump
 * buckets replicated off-site, the daily dump of the replica); the consistency checks
 * (replica drift, freshness of every tier); the restore workflows (database, dump, volume,
 * objects) and monthly restore drills; the owner's notifications and dashboard; and the
 * coverage guard on the whole stack. The off-site copies go to `recoveryRegion`, where a
 * `BackupDisasterRecoveryTarget` receives them.
 */
export class BackupDisasterRecovery extends Construct {
  /** The default tag key that selects the EBS volumes to snapshot. */
  public static readonly DEFAULT_VOLUME_TAG_KEY = 'cdk-backup-dr:snapshots';
  /** The default tag value that selects the EBS volumes to snapshot. */
  public static readonly DEFAULT_VOLUME_TAG_VALUE = 'tiers';

  /** The email address of the backup owner. */
  public readonly ownerEmail: string;
  /** The disaster-recovery region. */
  public readonly recoveryRegion: string;
  /** The key of the data, backups, topics and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The recovery point objective. */
  public readonly recoveryPointObjective: Duration;
  /** The recovery time objective. */
  public readonly recoveryTimeObjective: Duration;
  /** The backup tiers. */
  public readonly retentionPolicy: RetentionPolicy;
  /** The owner's topic and email subscription; failed AWS Backup jobs and every alarm go there. */
  public readonly notifications: BackupNotifications;
  /** The MySQL master and its replica in another zone. */
  public readonly database: ReplicatedMySql;
  /** The AWS Backup vaults and plans of the master and the replica, copied to `recoveryRegion`. */
  public readonly backupVaults: BackupVaults;
  /** The EBS snapshot lifecycle policies of the volumes tagged `volumeTags`. */
  public readonly volumeSnapshots: EbsSnapshotPolicy;
  /** The 48-hour and yearly archive buckets, replicated to the target's buckets. */
  public readonly backupBuckets: BackupBuckets;
  /** The daily dump of the replica into `backupBuckets`. */
  public readonly databaseDump: DatabaseDumpJob;
  /** The daily drift check of the replica and the hourly freshness check of every tier. */
  public readonly consistencyChecks: ConsistencyChecks;
  /** The database restore workflow (snapshot, recovery point, point in time, replica promotion). */
  public readonly databaseRestore: DatabaseRestore;
  /**
   * The monthly restore drills of `databaseRestore`: each restores the master's latest
   * restorable time and alarms above `recoveryPointObjective` and `recoveryTimeObjective`.
   */
  public readonly restoreDrills: RestoreDrills;
  /** Restores a database from a daily or yearly dump. */
  public readonly dumpRestore: DumpRestoreWorkflow;
  /** Restores an EBS volume from a snapshot. */
  public readonly volumeRestore: VolumeRestoreWorkflow;
  /** Restores S3 objects of the backup buckets to a point in time or from Deep Archive. */
  public readonly objectRestore: ObjectRestoreWorkflow;
  /** The CloudWatch dashboard of the backups. */
  public readonly dashboard: BackupDashboard;
  /** The coverage guard added to this construct's stack. */
  public readonly coverage: BackupCoverage;

  constructor(scope: Construct, id: string, props: BackupDisasterRecoveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    checkOwnerEmail(this, props.ownerEmail);
    const recoveryRegion = props.recoveryRegion;
    if (!Token.isUnresolved(recoveryRegion) && (typeof recoveryRegion !== 'string' || !REGION_NAME.test(recoveryRegion))) {
      throw new Error(`${this.node.path}: \`recoveryRegion\` must be an AWS region name such as 'eu-central-1', got ${JSON.stringify(recoveryRegion)}`);
    }
    checkOtherRegion(this, 'recoveryRegion', recoveryRegion, 'the stack\'s',
      'the off-site copies, and the checks that read them there, then go to the stack\'s own region if the two resolve to one, where losing the region loses the copies with the data');
    const rpo = props.recoveryPointObjective ?? Duration.hours(1);
    const rto = props.recoveryTimeObjective ?? Duration.hours(4);
    // Point-in-time recovery (AWS Backup continuous backup, RDS) restores to within the last 5 minutes.
    if (!rpo.isUnresolved() && rpo.toSeconds() < 5 * 60) {
      throw new Error(`${this.node.path}: \`recoveryPointObjective\` must be at least 5 minutes (what point-in-time recovery can restore), got ${rpo.toHumanString()}`);
    }
    if (!rpo.isUnresolved() && !Number.isInteger(rpo.toMinutes({ integral: false }))) {
      throw new Error(`${this.node.path}: \`recoveryPointObjective\` must be a whole number of minutes (the restore drills' recovery point alarm compares minutes), got ${rpo.toHumanString()}`);
    }
    if (!rpo.isUnresolved() && rpo.toSeconds() > 35 * 24 * 3600) {
      throw new Error(`${this.node.path}: \`recoveryPointObjective\` must be at most 35 days (the longest point-in-time window of RDS, from which the restore drills prove it), got ${rpo.toHumanString()}`);
    }
    if (!rto.isUnresolved() && (rto.toSeconds() < 15 * 60 || rto.toSeconds() > 48 * 3600)) {
      throw new Error(`${this.node.path}: \`recoveryTimeObjective\` must be 15 minutes to 48 hours, got ${rto.toHumanString()}`);
    }
    if (!rto.isUnresolved() && !Number.isInteger(rto.toMinutes({ integral: false }))) {
      throw new Error(`${this.node.path}: \`recoveryTimeObjective\` must be a whole number of minutes (the restore drills' recovery time alarm compares minutes), got ${rto.toHumanString()}`);
    }
    const policy = props.retentionPolicy ?? RetentionPolicy.fullLadder({ offSiteCopies: [{ region: recoveryRegion }] });
    if (props.retentionPolicy) {
      checkCopiesToRecoveryRegion(this, policy, recoveryRegion);
    }
    // Every archive tier goes off site; the archives are sorted from the most frequent.
    const mostFrequentArchive = policy.archives[0];
    if (!policy.copyRollingTierOffSite && !mostFrequentArchive) {
      throw new Error(`${this.node.path}: \`retentionPolicy\` must copy at least one tier off site to \`recoveryRegion\` (${recoveryRegion}): set \`copyRollingTierOffSite\` or add an archive tier, got \`copyRollingTierOffSite\` false and no archive tier`);
    }
    // Here rather than in BackupVaults, so that the error names this construct and its prop.
    failOnRdsCopies(this, 'retentionPolicy.offSiteCopies', policy.offSiteCopies, ['the master and the replica this construct creates']);
    const volumeTags = props.volumeTags ?? { [BackupDisasterRecovery.DEFAULT_VOLUME_TAG_KEY]: BackupDisasterRecovery.DEFAULT_VOLUME_TAG_VALUE };
    if (Object.keys(volumeTags).length === 0) {
      throw new Error(`${this.node.path}: \`volumeTags\` must hold at least one tag (key and value), got {}`);
    }
    for (const [key, value] of Object.entries(volumeTags)) {
      const outside = (text: string, max: number) => !Token.isUnresolved(text) && (text.length === 0 || text.length > max);
      if (outside(key, 128) || outside(value, 256)) {
        throw new Error(`${this.node.path}: \`volumeTags\` must hold keys of 1 to 128 characters and values of 1 to 256 characters (the freshness checks find the snapshots by both), got ${key}='${value}'`);
      }
    }
    this.ownerEmail = props.ownerEmail;
    this.recoveryRegion = recoveryRegion;
    this.recoveryPointObjective = rpo;
    this.recoveryTimeObjective = rto;
    this.retentionPolicy = policy;
    const owner = props.ownerEmail;

    // The key: the data, backups, topics and logs of this construct.
    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        description: fitPathDescription(`cdk-backup-dr: the data, backups and logs of ${this.node.path}`, this.node.path, RULES.KMS_KEY),
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // CloudWatch Logs may use the key for the log groups of this account and region (functions, dump job).
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
      }));
      // Grants on the key only for AWS services acting for a resource (Control Tower CT.KMS.PR.3).
      key.addToResourcePolicy(denyGrantsExceptForAwsResources());
      BackupMetadata.describe(key, { role: BackupRole.ENCRYPTION_KEY, owner, description: 'Encrypts the database, the backups, the topics and the logs' });
      this.encryptionKey = key;
    }

    // The owner: every alarm and every failed AWS Backup job reach them.
    this.notifications = new BackupNotifications(this, 'Notifications', { ownerEmail: owner, encryptionKey: this.encryptionKey });
    const alarmActions = [this.notifications.alarmAction];

    // The pair.
    this.database = new ReplicatedMySql(this, 'Database', {
      ...(props.database ?? {}),
      vpc: props.vpc,
      encryptionKey: this.encryptionKey,
      alarmActions,
    });

    // The tiers: AWS Backup (copied to the recovery region's vault by its deterministic name),
    // DLM for the tagged volumes, the replicated buckets and the daily dump.
    this.backupVaults = new BackupVaults(this, 'Backup', policyGivenTo({
      policy,
      databases: [this.database.master, this.database.replica],
      // Continuous backup (point-in-time recovery) is for the master: a read replica has none of its own.
      pointInTimeDatabases: [this.database.master],
    }, this, 'retentionPolicy'));
    this.volumeSnapshots = new EbsSnapshotPolicy(this, 'VolumeSnapshots', {
      policy,
      targetTags: volumeTags,
      volumeEncryptionKeys: [this.encryptionKey],
      copyEncryptionKeys: props.offSiteVolumeKey ? { [recoveryRegion]: props.offSiteVolumeKey.keyArn } : undefined,
    });
    this.warnOnDefaultCopyKey(props.offSiteVolumeKey);
    this.backupBuckets = new BackupBuckets(this, 'BackupBuckets', { replication: { region: recoveryRegion } });
    const mariadb = this.database.engine === ReplicatedMySqlEngine.MARIADB;
    this.databaseDump = new DatabaseDumpJob(this, 'DatabaseDump', {
      vpc: props.vpc,
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
    // The dump pauses replication every day: the replica's alarms must not page for it.
    const pauseLimit = this.databaseDump.replicationPauseLimit!;
    this.database.allowReplicationPauses(pauseLimit);
    // Replication that breaks reaches the owner as RDS reports it, during the dump's pause too,
    // by RDS's own error events; the stopped-replication alarm, which waits out the pause, is the backstop.
    this.notifications.forwardEvents(this.database.onReplicationError('ReplicationErrors'), {
      message: replicationErrorMessage(this.database),
      description: 'Replication to the read replica broke (RDS read replica error events)',
    });

    // Restores and drills.
    this.databaseRestore = new DatabaseRestore(this, 'DatabaseRestore', {
      database: this.database.master,
      credentials: this.database.credentials,
      databaseConnections: this.database.connections,
      databaseKey: this.database.encryptionKey,
      vpc: props.vpc,
      encryptionKey: this.encryptionKey,
      replicas: [this.database.replica],
    });
    // The drills prove the stated RPO: only point-in-time recovery holds it (a daily snapshot
    // is up to a day old), so they restore the latest restorable time and alarm above the RPO.
    this.restoreDrills = new RestoreDrills(this, 'RestoreDrills', {
      restore: this.databaseRestore,
      backup: RestoreDrillBackup.LATEST_RESTORABLE_TIME,
      recoveryPointTarget: rpo,
      recoveryTimeTarget: rto,
      alarmActions,
    });
    this.dumpRestore = new DumpRestoreWorkflow(this, 'DumpRestore', {
      vpc: props.vpc,
      dumpBucket: this.backupBuckets.dailyBucket,
      archiveBucket: this.backupBuckets.archiveBucket,
      encryptionKey: this.encryptionKey,
      engine: this.database.master.engine,
      parameterGroup: this.database.parameterGroup,
    });
    this.volumeRestore = new VolumeRestoreWorkflow(this, 'VolumeRestore', { vpc: props.vpc, encryptionKey: this.encryptionKey });
    // Copies go to the 48-hour bucket: the archive bucket's Object Lock would keep a failed restore's copies for years.
    this.objectRestore = new ObjectRestoreWorkflow(this, 'ObjectRestore', {
      vpc: props.vpc,
      encryptionKey: this.encryptionKey,
      buckets: [this.backupBuckets.dailyBucket, this.backupBuckets.archiveBucket],
      targetBuckets: [this.backupBuckets.dailyBucket],
    });

    // Consistency checks: the replica against the master every day, the newest copy of each tier every hour.
    const rollingInterval = policy.rollingInterval;
    // As often as the most frequent tier that goes off site.
    const offSiteInterval = policy.copyRollingTierOffSite ? rollingInterval : Duration.days(MAX_GAP_DAYS[mostFrequentArchive.frequency]);
    const freshnessChecks = [
      FreshnessCheck.rdsSnapshots({ instance: this.database.master, snapshotType: RdsSnapshotType.AUTOMATED, tier: 'automated' }),
      FreshnessCheck.recoveryPoints({ instance: this.database.master, vault: this.backupVaults.vault, tier: 'rolling', interval: rollingInterval, grace: Duration.hours(1) }),
      FreshnessCheck.recoveryPoints({
        instance: this.database.master,
        vault: backup.BackupVault.fromBackupVaultArn(this, 'OffSiteVaultRef', RecoveryVault.arnOf(this, recoveryRegion)),
        region: recoveryRegion,
        tier: 'off-site',
        interval: offSiteInterval,
        grace: Duration.hours(6),
      }),
      // The tagged volumes' snapshots, one check per volume tag, each also requiring the tag this
      // policy adds to its snapshots: the volume tag alone would count snapshots of the same volumes
      // that another policy or a person took with the tags copied on; the policy tag alone would let
      // one group's snapshots hide another's missing ones.
      ...(props.volumeTags
        ? Object.entries(volumeTags).map(([tagKey, tagValue]) => FreshnessCheck.ebsSnapshots({
          tagKey, tagValue, alsoTagged: this.volumeSnapshots.snapshotTag, tier: 'rolling', interval: rollingInterval, grace: Duration.hours(1),
        }))
        : []),
      // Their DLM copies in the recovery region, found the same way (the volume id of a copy is
      // arbitrary, and the copy rules copy the tags on). There the volume tag alone would also count
      // snapshots of other volumes with the same tags (a standby of the app). The grace, as for the
      // AWS Backup copies, covers the time a copy waits and runs.
      ...(props.volumeTags && this.copiesVolumesToRecoveryRegion()
        ? Object.entries(volumeTags).map(([tagKey, tagValue]) => FreshnessCheck.ebsSnapshots({
          tagKey, tagValue, alsoTagged: this.volumeSnapshots.snapshotTag, region: recoveryRegion, tier: 'off-site', interval: offSiteInterval, grace: Duration.hours(6),
        }))
        : []),
      FreshnessCheck.dailyDumps({ bucket: this.backupBuckets.dailyBucket }),
      FreshnessCheck.yearlyArchives({ bucket: this.backupBuckets.archiveBucket }),
      // The replicas of both buckets in the target's RecoveryBuckets, found by their names and read in the recovery region.
      FreshnessCheck.dailyDumps({
        bucket: s3.Bucket.fromBucketAttributes(this, 'OffSiteDailyBucketRef', { bucketName: RecoveryBuckets.dailyBucketName(Aws.ACCOUNT_ID, recoveryRegion), region: recoveryRegion }),
        region: recoveryRegion,
        tier: 'daily-dump-off-site',
        // The source's 2 hours, and an hour for S3 replication (Replication Time Control: 15 minutes).
        grace: Duration.hours(3),
        encryptionKeyAlias: RecoveryBuckets.KEY_ALIAS,
      }),
      FreshnessCheck.yearlyArchives({
        bucket: s3.Bucket.fromBucketAttributes(this, 'OffSiteArchiveBucketRef', { bucketName: RecoveryBuckets.archiveBucketName(Aws.ACCOUNT_ID, recoveryRegion), region: recoveryRegion }),
        region: recoveryRegion,
        tier: 'yearly-off-site',
        encryptionKeyAlias: RecoveryBuckets.KEY_ALIAS,
      }),
    ];
    refuseRepeatedEntries(this, 'driftCheckDatabases', props.driftCheckDatabases ?? [], 'database');
    refuseRepeatedEntries(this, 'driftCheckExcludeTables', props.driftCheckExcludeTables ?? [], 'table');
    this.consistencyChecks = new ConsistencyChecks(this, 'ConsistencyChecks', {
      master: this.database.master,
      replica: this.database.replica,
      databaseConnections: this.database.connections,
      vpc: props.vpc,
      adminSecret: this.database.credentials,
      encryptionKey: this.encryptionKey,
      topic: this.notifications.topic,
      freshnessChecks,
      databases: props.driftCheckDatabases,
      excludeTables: props.driftCheckExcludeTables,
      // Daily at 15:00 UTC, not at whatever time of day the deployment set a rate schedule
      // going: the dump pauses replication from 03:00 UTC for up to its pause limit (6 hours
      // 45 minutes), and a drift check then would wait for the paused replica and end unknown.
      driftCheckSchedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '15' }),
    });

    // The auditor's and operator's view: owner and objectives in the template, the dashboard, the guard.
    BackupMetadata.describeStack(stack, { owner, recoveryPointObjective: rpo, recoveryTimeObjective: rto });
    this.dashboard = new BackupDashboard(this, 'Dashboard', {
      replicaLag: [this.database.metricReplicaLag()],
      checkResults: [ConsistencyCheckKind.REPLICA_CONSISTENCY, ConsistencyCheckKind.BACKUP_FRESHNESS].map((kind) => this.consistencyChecks.metricCheckStatus(kind)),
      backupAge: freshnessChecks.map((check) => this.consistencyChecks.metricBackupAgeHours(check)),
      drillRecoveryTimes: [this.restoreDrills.metricRecoveryTime()],
      alarms: [...this.database.alarms, ...this.consistencyChecks.alarms, this.databaseDump.failureAlarm, ...this.restoreDrills.alarms],
    });
    this.coverage = new BackupCoverage({ owner });
    Aspects.of(stack).add(this.coverage);
    BackupMetadata.describe(this.databaseDump.stateMachine, { role: BackupRole.BACKUP_JOB, tier: 'daily dump', owner, description: 'Dumps the replica every day', targets: [this.database] });
    BackupMetadata.describe(this.backupBuckets.dailyBucket, { role: BackupRole.BACKUP_STORE, tier: 'daily dump', owner, description: 'The daily dumps, kept 48 to 72 hours' });
    BackupMetadata.describe(this.backupBuckets.archiveBucket, { role: BackupRole.BACKUP_STORE, tier: 'yearly archive', owner, description: 'The year-end dumps, under Object Lock' });
    BackupMetadata.describe(this.databaseRestore.stateMachine, { role: BackupRole.RESTORE_DRILL, owner, description: 'Restores the database; drilled monthly by RestoreDrills from the latest restorable time, against the RPO and the RTO', targets: [this.database] });
    BackupMetadata.describe(this.consistencyChecks.driftCheckFunction, { role: BackupRole.CONSISTENCY_CHECK, owner, description: driftCheckDescription(props.driftCheckDatabases, props.driftCheckExcludeTables), targets: [this.database] });
    BackupMetadata.describe(this.consistencyChecks.freshnessCheckFunction, { role: BackupRole.CONSISTENCY_CHECK, owner, description: 'Checks the age of the newest copy of each tier', targets: [this.database] });
  }

  /**
   * Warns when DLM copies the volumes' snapshots to a region without a key of ours: the copies
   * are then encrypted with that region's default EBS key, which this library does not control.
   */
  private warnOnDefaultCopyKey(offSiteVolumeKey: kms.IKey | undefined): void {
    const stack = Stack.of(this);
    const withoutKey = this.volumeSnapshots.copyRegions
      .filter((region) => !offSiteVolumeKey || equalityAtDeploy(stack, region, this.recoveryRegion) !== 'same');
    if (withoutKey.length === 0) {
      return;
    }
    const regions = withoutKey.map((region) => describeAtDeploy(stack, region)).join(', ');
    Annotations.of(this).addWarningV2(SynthWarnings.OFF_SITE_VOLUME_KEY_MISSING,
      `${this.node.path}: the off-site copies of the EBS snapshots in ${regions} are encrypted with that region's default EBS key (aws/ebs unless the account sets another), not a customer-managed key of this library: `
      + 'give `offSiteVolumeKey`, the `ebsCopyKey` of the `BackupDisasterRecoveryTarget` there, by key ARN (`kms.Key.fromKeyArn`; Data Lifecycle Manager accepts no alias)'
      + (offSiteVolumeKey ? ' (`offSiteVolumeKey` covers `recoveryRegion` only)' : ''));
  }

  /**
   * Whether Data Lifecycle Manager copies the tagged volumes' snapshots to `recoveryRegion`, compared as at
   * deploy; a copy region that synth cannot compare with it warns: the freshness check of those copies is left out.
   */
  private copiesVolumesToRecoveryRegion(): boolean {
    const stack = Stack.of(this);
    const copyRegions = this.volumeSnapshots.copyRegions;
    const equalities = copyRegions.map((region) => equalityAtDeploy(stack, region, this.recoveryRegion));
    if (equalities.includes('same')) {
      return true;
    }
    if (equalities.includes('unknown')) {
      const regions = copyRegions.map((region) => describeAtDeploy(stack, region)).join(', ');
      warnUncheckedToken(this, 'recoveryRegion', `of \`recoveryRegion\` that Data Lifecycle Manager copies the snapshots of \`volumeTags\` to it (its copy regions: ${regions})`,
        'the freshness check of the off-site EBS snapshot copies is left out, so no alarm tells whether copies arrive in the recovery region',
        unresolvedRegions(this.recoveryRegion, copyRegions.map((region, index) => ({ region, name: `copy region ${index + 1} of \`volumeSnapshots\`` }))));
    }
    return false;
  }
}

/**
 * Refuses a `region` that is, at deploy, the region of the scope's stack; warns when synth cannot
 * tell (a token on either side), saying what then happens (`atDeploy`).
 */
function checkOtherRegion(scope: Construct, prop: string, region: string, whose: string, atDeploy: string): void {
  const stack = Stack.of(scope);
  const equality = equalityAtDeploy(stack, region, stack.region);
  if (equality === 'same') {
    throw new Error(`${scope.node.path}: \`${prop}\` must be another region than ${whose}, got ${describeAtDeploy(stack, region)} (the stack's region)`);
  }
  if (equality === 'unknown') {
    const ownToken = Token.isUnresolved(region);
    warnUncheckedToken(scope, prop, `${ownToken ? '' : `of \`${prop}\` `}that it is another region than ${whose}`, atDeploy,
      ownToken ? undefined : 'the stack\'s region (an environment-agnostic stack)');
  }
}

/**
 * `BackupDisasterRecovery`'s retention policy must copy off-site to `recoveryRegion`, compared as
 * at deploy; when a token keeps synth from telling whether any copy goes there, it warns.
 */
function checkCopiesToRecoveryRegion(scope: Construct, policy: RetentionPolicy, recoveryRegion: string): void {
  const stack = Stack.of(scope);
  const copies = policy.offSiteCopies;
  const equalities = copies.map((copy) => equalityAtDeploy(stack, copy.region, recoveryRegion));
  if (equalities.includes('same')) {
    return;
  }
  const where = describeAtDeploy(stack, recoveryRegion);
  const regions = copies.length ? copies.map((copy) => describeAtDeploy(stack, copy.region)).join(', ') : 'no region';
  if (!equalities.includes('unknown')) {
    throw new Error(`${scope.node.path}: \`retentionPolicy\` must copy off-site to \`recoveryRegion\` (${where}), got off-site copies to ${regions}`);
  }
  warnUncheckedToken(scope, 'retentionPolicy.offSiteCopies', `of \`retentionPolicy.offSiteCopies\` that one of them copies to \`recoveryRegion\` (${where}; they copy to ${regions})`,
    'if none resolves to it, nothing is copied to the recovery region, where the target\'s vault waits and the off-site freshness checks find no copy',
    unresolvedRegions(recoveryRegion, copies.map((copy, index) => ({ region: copy.region, name: `the region of off-site copy ${index + 1}` }))));
}

/** Names the unresolved tokens among `recoveryRegion` and the regions it is compared with, for a warning. */
function unresolvedRegions(recoveryRegion: string, others: Array<{ region: string; name: string }>): string {
  const names = [
    ...(Token.isUnresolved(recoveryRegion) ? ['`recoveryRegion`'] : []),
    ...others.filter((other) => Token.isUnresolved(other.region)).map((other) => other.name),
  ];
  return names.length === 1 ? names[0] : `each of ${names.join(' and ')}`;
}

/** What the drift check compares, for the report: every database or the given ones, every table or all but the excluded ones. */
function driftCheckDescription(databases: string[] | undefined, excluded: string[] | undefined): string {
  const scope = databases && databases.length > 0 ? ` in the databases ${databases.join(', ')}` : '';
  const exceptions = excluded && excluded.length > 0 ? `, except the tables ${excluded.join(', ')}` : '';
  return `Compares the replica with the master row by row${scope}${exceptions}`;
}

/** Properties of `BackupDisasterRecoveryTarget`. */
export interface BackupDisasterRecoveryTargetProps {
  /** The email address of the person or team responsible for the backups (as given to `BackupDisasterRecovery`). */
  readonly ownerEmail: string;
  /**
   * The primary region (where `BackupDisasterRecovery` runs), checked to differ from this stack's region.
   * @default - not checked
   */
  readonly primaryRegion?: string;
  /**
   * Vault Lock (compliance mode) of the off-site vault.
   * @default - cooling-off 3 days, minimum retention 1 day, no maximum
   */
  readonly vaultLock?: VaultLockOptions;
  /**
   * Other accounts whose AWS Backup may copy into the off-site vault.
   * @default - only this account
   */
  readonly sourceAccounts?: string[];
}

/**
 * The disaster-recovery region's half of `BackupDisasterRecovery`: the locked off-site AWS
 * Backup vault, the replica buckets of the dump tiers (deterministic names, fixed key alias),
 * the key of the off-site EBS snapshot copies, and the coverage guard of its stack. Deploy
 * its stack before the primary region's: S3 replication needs the replica buckets.
 */
export class BackupDisasterRecoveryTarget extends Construct {
  /** The alias of the key that encrypts the off-site EBS snapshot copies. */
  public static readonly EBS_COPY_KEY_ALIAS = 'alias/cdk-backup-dr/ebs-copies';

  /** The email address of the backup owner. */
  public readonly ownerEmail: string;
  /** The locked vault that receives the copies of every AWS Backup tier. */
  public readonly vault: RecoveryVault;
  /** The replicas of the primary region's 48-hour and yearly buckets. */
  public readonly buckets: RecoveryBuckets;
  /** Encrypts the off-site EBS snapshot copies: give it to `BackupDisasterRecovery` as `offSiteVolumeKey` (by ARN). */
  public readonly ebsCopyKey: kms.IKey;
  /** The coverage guard added to this construct's stack. */
  public readonly coverage: BackupCoverage;

  constructor(scope: Construct, id: string, props: BackupDisasterRecoveryTargetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    checkOwnerEmail(this, props.ownerEmail);
    if (props.primaryRegion !== undefined) {
      checkOtherRegion(this, 'primaryRegion', props.primaryRegion, 'this stack\'s',
        'nothing at deploy compares them: if the two resolve to one region, the off-site copies are kept in the region they are meant to survive');
    }
    this.ownerEmail = props.ownerEmail;
    const owner = props.ownerEmail;
    this.vault = new RecoveryVault(this, 'Vault', { lock: props.vaultLock, sourceAccounts: props.sourceAccounts });
    this.buckets = new RecoveryBuckets(this, 'Buckets');
    const ebsCopyKey = new kms.Key(this, 'EbsCopyKey', {
      description: 'cdk-backup-dr: encrypts the off-site copies of the EBS snapshots',
      alias: BackupDisasterRecoveryTarget.EBS_COPY_KEY_ALIAS,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    ebsCopyKey.addToResourcePolicy(denyGrantsExceptForAwsResources());
    BackupMetadata.describe(ebsCopyKey, { role: BackupRole.ENCRYPTION_KEY, owner, description: 'Encrypts the off-site copies of the EBS snapshots' });
    this.ebsCopyKey = ebsCopyKey;
    BackupMetadata.describeStack(stack, { owner });
    this.coverage = new BackupCoverage({ owner });
    Aspects.of(stack).add(this.coverage);
    BackupCoverage.exempt(this.buckets.logBucket, 'The server access logs of the off-site buckets: audit records about the backups, kept a year by a lifecycle rule, not data the backup policy protects.');
  }
}
