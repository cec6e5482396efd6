/**
 * Settings shared by `BackupBuckets` and `RecoveryBuckets` (internal; not exported from
 * the package). Secure defaults in one place: blocked public access, TLS only, owner-enforced
 * object ownership, access logs, EventBridge notifications, and the lifecycle rules of
 * the two tiers.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { enableEventBridge } from '../private/access-log-bucket';
import { kmsBucketProps } from '../private/kms-bucket';
import { denyGrantsExceptForAwsResources } from '../private/key-policy';
import { BackupMetadata, BackupRole } from '../report/metadata';

/** S3 rounds lifecycle expiry up to the next midnight UTC: an object of a 2-day rule lives 48 to 72 hours. */
export const DAILY_EXPIRY_NOTE = 'S3 rounds lifecycle expiry up to the next midnight UTC so objects live 48 to 72 hours';

/** Glacier Deep Archive bills at least 180 days per object. */
export const DEEP_ARCHIVE_MINIMUM_DAYS = 180;

/**
 * Whole days of a duration, or throws naming the construct, the prop and the value. A token
 * is refused: the lifecycle days, the lock and the checks between them are computed at synth.
 */
export function wholeDays(scope: IConstruct, prop: string, value: Duration, min: number, max: number, unit = 'days'): number {
  if (value.isUnresolved()) {
    throw new Error(`${scope.node.path}: \`${prop}\` must be a concrete duration (the lifecycle rules and the Object Lock retention are computed from it at synth), got an unresolved token`);
  }
  const seconds = value.toSeconds();
  const days = seconds / 86400;
  if (!Number.isInteger(days) || days < min || days > max) {
    throw new Error(`${scope.node.path}: \`${prop}\` must be a whole number of ${unit} from ${min} to ${max}, got ${value.toHumanString()}`);
  }
  return days;
}

/** A customer-managed key with yearly rotation; `finishBucketKey` adds the grant restriction every key of this library carries. */
export function bucketKeyProps(description: string, removalPolicy: RemovalPolicy, alias?: string): kms.KeyProps {
  return {
    description,
    enableKeyRotation: true,
    removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(30),
    alias,
  };
}

/** Adds the key policy statement that denies grants except for AWS resources. */
export function finishBucketKey(key: kms.Key): kms.Key {
  key.addToResourcePolicy(denyGrantsExceptForAwsResources());
  return key;
}

/** What both tiers' buckets have: the name, KMS encryption, Object Lock in compliance mode and the removal policy. */
interface LockedBucketOptions {
  readonly encryptionKey: kms.IKey;
  readonly lockRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly bucketName?: string;
}

function lockedBucketProps(options: LockedBucketOptions): s3.BucketProps {
  return {
    bucketName: options.bucketName,
    ...kmsBucketProps(options.encryptionKey),
    objectLockEnabled: true,
    objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(options.lockRetentionDays)),
    removalPolicy: options.removalPolicy,
  };
}

/** Properties of the 48-hour bucket. */
export interface DailyBucketOptions {
  readonly encryptionKey: kms.IKey;
  readonly logBucket: s3.IBucket;
  readonly expirationDays: number;
  /** Compliance-mode Object Lock retention in days; at most the expiry. */
  readonly lockRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly bucketName?: string;
}

/** The 48-hour bucket: versioned (replication needs it), expiry in whole days, old versions gone a day later. */
export function dailyBucketProps(options: DailyBucketOptions): s3.BucketProps {
  return {
    // Nobody can delete a fresh dump for the first day(s); the lifecycle rule expires it after that.
    ...lockedBucketProps(options),
    lifecycleRules: [
      {
        // The rule id is the bucket's description of its tier (S3 buckets have no description field).
        id: `Expire${options.expirationDays}Days-${DAILY_EXPIRY_NOTE.replace(/ /g, '-')}`,
        expiration: Duration.days(options.expirationDays),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
    ],
  };
}

/** EventBridge notifications, access logs under `daily/` and the backup metadata of the 48-hour bucket. */
export function finishDailyBucket(bucket: s3.Bucket, options: DailyBucketOptions): s3.Bucket {
  enableEventBridge(bucket);
  logAccessTo(bucket, options.logBucket, 'daily/');
  BackupMetadata.describe(bucket, {
    role: BackupRole.BACKUP_STORE,
    tier: 'daily',
    description: `${options.bucketName ? 'Off-site replica of the' : 'The'} 48-hour bucket of the daily database dumps: objects expire after ${options.expirationDays} days (${DAILY_EXPIRY_NOTE}).`,
  });
  return bucket;
}

/** Properties of the yearly archive bucket. */
export interface ArchiveBucketOptions {
  readonly encryptionKey: kms.IKey;
  readonly logBucket: s3.IBucket;
  readonly lockRetentionDays: number;
  readonly transitionDays: number;
  readonly noncurrentVersionDays: number;
  readonly expirationDays?: number;
  readonly removalPolicy: RemovalPolicy;
  readonly bucketName?: string;
}

/** The yearly archive bucket: Object Lock (compliance mode), versioned, Glacier Deep Archive, no expiry by default. */
export function archiveBucketProps(options: ArchiveBucketOptions): s3.BucketProps {
  return {
    ...lockedBucketProps(options),
    lifecycleRules: [
      {
        id: options.expirationDays === undefined ? 'DeepArchiveKeepForever' : `DeepArchiveExpire${options.expirationDays}Days`,
        transitions: [{ storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(options.transitionDays) }],
        expiration: options.expirationDays === undefined ? undefined : Duration.days(options.expirationDays),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      {
        // Earlier versions of an object stay restorable (shadow copies) for this many days.
        id: `KeepPreviousVersions${options.noncurrentVersionDays}Days`,
        // The noncurrent expiry must come later than the noncurrent transition (S3; CDK's
        // LifecycleRule says so too): a version that expires first is not moved at all.
        noncurrentVersionTransitions: options.transitionDays < options.noncurrentVersionDays
          ? [{ storageClass: s3.StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(options.transitionDays) }]
          : undefined,
        noncurrentVersionExpiration: Duration.days(options.noncurrentVersionDays),
      },
    ],
  };
}

/** EventBridge notifications, access logs under `archive/` and the backup metadata of the archive bucket. */
export function finishArchiveBucket(bucket: s3.Bucket, options: ArchiveBucketOptions): s3.Bucket {
  enableEventBridge(bucket);
  if (options.expirationDays === undefined) {
    // Kept forever means past the compliance lock too: Object Lock allows a DELETE without a
    // version id at any time (a delete marker, after which the noncurrent-version rule removes
    // the copy), and any deletion once the lock has ended. Deleting a yearly copy then takes a
    // change of this policy, an explicit choice; `archiveExpiration` is the other.
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ArchiveCopiesKeptForever',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [bucket.arnForObjects('*')],
    }));
  }
  logAccessTo(bucket, options.logBucket, 'archive/');
  BackupMetadata.describe(bucket, {
    role: BackupRole.BACKUP_STORE,
    tier: 'yearly',
    description: `${options.bucketName ? 'Off-site replica of the' : 'The'} yearly archive bucket: Glacier Deep Archive, Object Lock in compliance mode for ${options.lockRetentionDays} days, ${options.expirationDays === undefined ? 'kept indefinitely' : `expires after ${options.expirationDays} days`}.`,
  });
  return bucket;
}

/**
 * Server access logging into the log bucket, allowed by the log bucket's policy for this
 * source bucket only (the ACL-free way, whatever the app's feature flags say).
 */
export function logAccessTo(bucket: s3.Bucket, logBucket: s3.IBucket, prefix: string): void {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: prefix };
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: `AccessLogsOf${bucket.node.id}`,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
    },
  }));
}

/** The statements a replication role needs on its source bucket. */
export function sourceReplicationStatements(source: s3.IBucket, sourceKey: kms.IKey, region: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [source.bucketArn] }),
    new iam.PolicyStatement({
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
      resources: [source.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [sourceKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    }),
  ];
}
