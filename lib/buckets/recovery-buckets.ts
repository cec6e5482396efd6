import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { finishLogBucket, logBucketProps } from '../private/access-log-bucket';
import {
  archiveBucketProps, bucketKeyProps, dailyBucketProps, DEEP_ARCHIVE_MINIMUM_DAYS, finishArchiveBucket, finishBucketKey, finishDailyBucket,
  wholeDays,
} from './bucket-settings';

/** Properties of `RecoveryBuckets`. */
export interface RecoveryBucketsProps {
  /**
   * The start of the buckets' names. The primary region's `BackupBuckets` finds the
   * buckets by these names (`replication.bucketNamePrefix`), so both must agree.
   * Lower-case letters, digits and hyphens, at most 20 characters.
   *
   * @default RecoveryBuckets.DEFAULT_NAME_PREFIX
   */
  readonly bucketNamePrefix?: string;
  /**
   * Days (whole) after which the replicated 48-hour copies expire. S3 rounds expiry up to
   * the next midnight UTC. Lifecycle deletions are not replicated, so the replica bucket
   * expires its objects itself.
   *
   * @default Duration.days(2)
   */
  readonly dailyExpiration?: Duration;
  /**
   * The default Object Lock retention (compliance mode, whole days) of the 48-hour bucket.
   * Replicated objects keep the retention the source set (the source's `dailyLockRetention`);
   * this is the default for others. At most `dailyExpiration`.
   *
   * @default Duration.days(1)
   */
  readonly dailyLockRetention?: Duration;
  /**
   * The Object Lock retention (compliance mode, whole days) of the replicated yearly copies.
   * Replicated objects keep the retention the source set; this is the default for others.
   *
   * @default Duration.days(365)
   */
  readonly archiveLockRetention?: Duration;
  /**
   * Days after which replicated previous versions of archive objects are deleted. At least
   * 180 (Deep Archive's minimum).
   *
   * @default Duration.days(365)
   */
  readonly archiveNoncurrentVersionRetention?: Duration;
  /**
   * What happens to the buckets and the key when they leave the stack. `DESTROY` fails
   * while the buckets hold objects (locked objects cannot be deleted before their retention ends).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The disaster-recovery region's copies of the backup buckets: a 48-hour bucket and a
 * yearly archive bucket (Object Lock, compliance mode, Glacier Deep Archive) with
 * deterministic names, encrypted with a customer-managed key under a fixed alias, so that
 * `BackupBuckets` in the primary region can replicate into them without cross-region
 * references. Deploy it in its own stack in the disaster-recovery region, before the
 * primary stack.
 */
export class RecoveryBuckets extends Construct {
  /** The default start of the bucket names. */
  public static readonly DEFAULT_NAME_PREFIX = 'cdk-backup-dr';
  /** The alias of the key that encrypts the replicas (`alias/` included). */
  public static readonly KEY_ALIAS = 'alias/cdk-backup-dr/recovery-buckets';

  /**
   * The name of the replica 48-hour bucket in an account and region.
   *
   * @param account the account (a token such as `Aws.ACCOUNT_ID` works)
   * @param region the disaster-recovery region (a plain string)
   * @param bucketNamePrefix `RecoveryBuckets.DEFAULT_NAME_PREFIX` when undefined
   */
  public static dailyBucketName(account: string, region: string, bucketNamePrefix?: string): string {
    return `${bucketNamePrefix ?? RecoveryBuckets.DEFAULT_NAME_PREFIX}-daily-${account}-${region}`;
  }

  /**
   * The name of the replica archive bucket in an account and region.
   *
   * @param account the account (a token such as `Aws.ACCOUNT_ID` works)
   * @param region the disaster-recovery region (a plain string)
   * @param bucketNamePrefix `RecoveryBuckets.DEFAULT_NAME_PREFIX` when undefined
   */
  public static archiveBucketName(account: string, region: string, bucketNamePrefix?: string): string {
    return `${bucketNamePrefix ?? RecoveryBuckets.DEFAULT_NAME_PREFIX}-archive-${account}-${region}`;
  }

  /**
   * The ARN of the replica key's alias in a region, from plain strings (S3 replication
   * accepts an alias ARN as the replica key).
   *
   * @param scope any construct in the referring stack (gives the partition and the account)
   * @param region the disaster-recovery region
   */
  public static keyAliasArn(scope: Construct, region: string): string {
    return Stack.of(scope).formatArn({
      service: 'kms',
      region,
      resource: RecoveryBuckets.KEY_ALIAS,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
  }

  /** The replica of the 48-hour bucket. */
  public readonly dailyBucket: s3.IBucket;
  /** The replica of the yearly archive bucket (Object Lock, compliance mode). */
  public readonly archiveBucket: s3.IBucket;
  /** Receives the server access logs of both buckets. */
  public readonly logBucket: s3.IBucket;
  /** Encrypts both replica buckets; its alias is `RecoveryBuckets.KEY_ALIAS`. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props?: RecoveryBucketsProps) {
    super(scope, id);
    props = props ?? {};
    const prefix = props.bucketNamePrefix ?? RecoveryBuckets.DEFAULT_NAME_PREFIX;
    if (!Token.isUnresolved(prefix) && !/^[a-z0-9][a-z0-9-]{0,19}$/.test(prefix)) {
      throw new Error(`${this.node.path}: \`bucketNamePrefix\` must be 1 to 20 lower-case letters, digits or hyphens, got '${prefix}'`);
    }
    const dailyDays = wholeDays(this, 'dailyExpiration', props.dailyExpiration ?? Duration.days(2), 1, 3650);
    const dailyLockDays = wholeDays(this, 'dailyLockRetention', props.dailyLockRetention ?? Duration.days(1), 1, 3650);
    if (dailyLockDays > dailyDays) {
      throw new Error(`${this.node.path}: \`dailyLockRetention\` must be at most \`dailyExpiration\` (${dailyDays} days), got ${dailyLockDays} days`);
    }
    const lockDays = wholeDays(this, 'archiveLockRetention', props.archiveLockRetention ?? Duration.days(365), 1, 36500);
    const noncurrentDays = wholeDays(this, 'archiveNoncurrentVersionRetention', props.archiveNoncurrentVersionRetention ?? Duration.days(365), DEEP_ARCHIVE_MINIMUM_DAYS, 36500);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const region = Stack.of(this).region;

    this.encryptionKey = finishBucketKey(new kms.Key(this, 'Key', bucketKeyProps('cdk-backup-dr: the replicas of the 48-hour and yearly backup buckets', removalPolicy, RecoveryBuckets.KEY_ALIAS)));
    const logBucket = finishLogBucket(new s3.Bucket(this, 'AccessLogs', logBucketProps(removalPolicy)), 'the off-site backup buckets');
    this.logBucket = logBucket;
    const dailyOptions = {
      encryptionKey: this.encryptionKey,
      logBucket,
      expirationDays: dailyDays,
      lockRetentionDays: dailyLockDays,
      removalPolicy,
      bucketName: RecoveryBuckets.dailyBucketName(Aws.ACCOUNT_ID, region, prefix),
    };
    const daily = finishDailyBucket(new s3.Bucket(this, 'Daily', dailyBucketProps(dailyOptions)), dailyOptions);
    const archiveOptions = {
      encryptionKey: this.encryptionKey,
      logBucket,
      lockRetentionDays: lockDays,
      transitionDays: 0,
      noncurrentVersionDays: noncurrentDays,
      removalPolicy,
      bucketName: RecoveryBuckets.archiveBucketName(Aws.ACCOUNT_ID, region, prefix),
    };
    const archive = finishArchiveBucket(new s3.Bucket(this, 'Archive', archiveBucketProps(archiveOptions)), archiveOptions);
    const replicaReason = 'This bucket is itself the off-site replica (disaster-recovery region) of a backup bucket; replicating the replica again would add a third region without a recovery need.';
    for (const bucket of [daily, archive]) {
      Validations.of(bucket).acknowledge(
        ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-S3BucketReplicationEnabled`, reason: replicaReason })),
        { id: 'cdk-validator-cfnguard::s3_bucket_replication_enabled', reason: replicaReason },
      );
    }
    this.dailyBucket = daily;
    this.archiveBucket = archive;
  }
}
