import { Annotations, Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { finishLogBucket, logBucketProps } from '../private/access-log-bucket';
import { REGION_NAME } from '../private/aws-identifiers';
import { describeAtDeploy, equalityAtDeploy } from '../private/deploy-time-equality';
import { flattenLikeCdkNag } from '../private/nag-ids';
import { warnUncheckedToken } from '../private/unchecked-token';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import {
  archiveBucketProps, bucketKeyProps, dailyBucketProps, DEEP_ARCHIVE_MINIMUM_DAYS, finishArchiveBucket, finishBucketKey, finishDailyBucket,
  sourceReplicationStatements, wholeDays,
} from './bucket-settings';
import { RecoveryBuckets } from './recovery-buckets';
import { SynthWarnings } from '../synth-warnings';

/** Where `BackupBuckets` replicates to: the `RecoveryBuckets` of another region. */
export interface BucketReplicationOptions {
  /** The disaster-recovery region, such as `eu-central-1` (a deploy-time value such as a `CfnParameter`'s is accepted). */
  readonly region: string;
  /**
   * The `bucketNamePrefix` the `RecoveryBuckets` there were created with.
   *
   * @default RecoveryBuckets.DEFAULT_NAME_PREFIX
   */
  readonly bucketNamePrefix?: string;
}

/** Properties of `BackupBuckets`. */
export interface BackupBucketsProps {
  /**
   * The customer-managed key that encrypts both buckets.
   *
   * @default - a new key with yearly rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Whole days after which objects of the 48-hour bucket expire. S3 rounds expiry up to
   * the next midnight UTC, so the default of 2 days keeps each object 48 to 72 hours.
   *
   * @default Duration.days(2)
   */
  readonly dailyExpiration?: Duration;
  /**
   * The Object Lock retention (compliance mode, whole days) of each object of the 48-hour
   * bucket: for this long nobody, the root user included, can delete a fresh dump. At most
   * `dailyExpiration`.
   *
   * @default Duration.days(1)
   */
  readonly dailyLockRetention?: Duration;
  /**
   * The default Object Lock retention (compliance mode, whole days) of every object
   * written to the archive bucket. Nobody, the root user included, can delete or
   * shorten it; choose it with that in mind.
   *
   * @default Duration.days(365)
   */
  readonly archiveLockRetention?: Duration;
  /**
   * Whole days after which archive objects move to Glacier Deep Archive (0 moves them at
   * the next lifecycle run).
   *
   * @default Duration.days(1)
   */
  readonly archiveTransitionAfter?: Duration;
  /**
   * Whole days after which archive objects expire. Yearly archives are kept indefinitely
   * unless this is set (the bucket's policy then denies every deletion to everyone); it must
   * exceed both the lock retention and the transition by 180 days (Deep Archive's minimum
   * storage duration).
   *
   * @default - no expiry: yearly archives are kept indefinitely
   */
  readonly archiveExpiration?: Duration;
  /**
   * Whole days for which earlier versions of archive objects stay restorable (shadow
   * copies of overwritten or deleted objects). At least 180 (Deep Archive's minimum).
   *
   * @default Duration.days(365)
   */
  readonly archiveNoncurrentVersionRetention?: Duration;
  /**
   * Replicate both buckets to `RecoveryBuckets` in the disaster-recovery region.
   *
   * @default - no replication (a warning says so: the policy asks for an off-site copy)
   */
  readonly replication?: BucketReplicationOptions;
  /**
   * What happens to the buckets and the key when they leave the stack. `DESTROY` fails
   * while a bucket holds objects; locked archive objects cannot be deleted before their
   * retention ends.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The S3 tiers of the backup policy: the 48-hour bucket (the daily database dumps; objects
 * expire after 2 days, which S3 rounds up to the next midnight UTC, so they live 48 to 72
 * hours) and the yearly archive bucket (Object Lock in compliance mode, Glacier Deep
 * Archive, no expiry by default, previous versions kept for shadow-copy restores). Both are
 * KMS-encrypted, TLS only, private, access-logged, send events to EventBridge and
 * replicate to `RecoveryBuckets` in the disaster-recovery region.
 */
export class BackupBuckets extends Construct {
  /** The 48-hour bucket. */
  public readonly dailyBucket: s3.IBucket;
  /** The yearly archive bucket (Object Lock, compliance mode). */
  public readonly archiveBucket: s3.IBucket;
  /** Receives the server access logs of both buckets. */
  public readonly logBucket: s3.IBucket;
  /** Encrypts both buckets. */
  public readonly encryptionKey: kms.IKey;
  /** The role S3 replicates with; undefined without `replication`. */
  public readonly replicationRole?: iam.IRole;
  /** Whole days after which objects of the 48-hour bucket expire. */
  public readonly dailyExpirationDays: number;

  constructor(scope: Construct, id: string, props?: BackupBucketsProps) {
    super(scope, id);
    props = props ?? {};
    const dailyDays = wholeDays(this, 'dailyExpiration', props.dailyExpiration ?? Duration.days(2), 1, 3650);
    const dailyLockDays = wholeDays(this, 'dailyLockRetention', props.dailyLockRetention ?? Duration.days(1), 1, 3650);
    if (dailyLockDays > dailyDays) {
      throw new Error(`${this.node.path}: \`dailyLockRetention\` must be at most \`dailyExpiration\` (${dailyDays} days), got ${dailyLockDays} days`);
    }
    const lockDays = wholeDays(this, 'archiveLockRetention', props.archiveLockRetention ?? Duration.days(365), 1, 36500);
    const transitionDays = wholeDays(this, 'archiveTransitionAfter', props.archiveTransitionAfter ?? Duration.days(1), 0, 36500);
    const noncurrentDays = wholeDays(this, 'archiveNoncurrentVersionRetention', props.archiveNoncurrentVersionRetention ?? Duration.days(365), DEEP_ARCHIVE_MINIMUM_DAYS, 36500);
    const expirationDays = props.archiveExpiration === undefined ? undefined : wholeDays(this, 'archiveExpiration', props.archiveExpiration, 1, 36500);
    if (expirationDays !== undefined) {
      const minimum = Math.max(lockDays, transitionDays + DEEP_ARCHIVE_MINIMUM_DAYS);
      if (expirationDays < minimum) {
        throw new Error(`${this.node.path}: \`archiveExpiration\` must be at least ${minimum} days (the lock retention of ${lockDays} days, and ${DEEP_ARCHIVE_MINIMUM_DAYS} days of Deep Archive after the transition at ${transitionDays} days), got ${expirationDays} days`);
      }
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);
    // A token region or prefix is passed on as it is.
    const replication = props.replication;
    if (replication && !Token.isUnresolved(replication.region) && !REGION_NAME.test(replication.region)) {
      throw new Error(`${this.node.path}: \`replication.region\` must be an AWS region name such as 'eu-central-1', got '${replication.region}'`);
    }
    const prefix = replication?.bucketNamePrefix;
    if (prefix !== undefined && !Token.isUnresolved(prefix) && !/^[a-z0-9][a-z0-9-]{0,19}$/.test(prefix)) {
      throw new Error(`${this.node.path}: \`replication.bucketNamePrefix\` must be 1 to 20 lower-case letters, digits or hyphens (as the \`bucketNamePrefix\` of the \`RecoveryBuckets\` there), got '${prefix}'`);
    }
    const replicationRegion = props.replication ? equalityAtDeploy(stack, props.replication.region, stack.region) : 'different';
    if (replicationRegion === 'same') {
      throw new Error(`${this.node.path}: \`replication.region\` must be another region than the stack's, got ${describeAtDeploy(stack, props.replication!.region)}`);
    }
    if (replicationRegion === 'unknown') {
      warnUncheckedToken(this, 'replication.region', 'that it is another region than the stack\'s',
        'S3 replicates within one region too, so should the two resolve to one region, the replicas would be lost with the region they copy',
        Token.isUnresolved(props.replication!.region) ? undefined : 'the stack\'s region (an environment-agnostic stack)');
    }
    this.dailyExpirationDays = dailyDays;

    this.encryptionKey = props.encryptionKey ?? finishBucketKey(new kms.Key(this, 'Key', bucketKeyProps('cdk-backup-dr: the 48-hour and yearly backup buckets', removalPolicy)));
    const logBucket = finishLogBucket(new s3.Bucket(this, 'AccessLogs', logBucketProps(removalPolicy)), 'the backup buckets');
    this.logBucket = logBucket;
    const dailyOptions = { encryptionKey: this.encryptionKey, logBucket, expirationDays: dailyDays, lockRetentionDays: dailyLockDays, removalPolicy };
    const daily = finishDailyBucket(new s3.Bucket(this, 'Daily', dailyBucketProps(dailyOptions)), dailyOptions);
    const archiveOptions = {
      encryptionKey: this.encryptionKey,
      logBucket,
      lockRetentionDays: lockDays,
      transitionDays,
      noncurrentVersionDays: noncurrentDays,
      expirationDays,
      removalPolicy,
    };
    const archive = finishArchiveBucket(new s3.Bucket(this, 'Archive', archiveBucketProps(archiveOptions)), archiveOptions);
    this.dailyBucket = daily;
    this.archiveBucket = archive;

    if (props.replication) {
      this.replicationRole = this.replicate(daily, archive, props.replication);
    } else {
      const reason = 'Replication is off (no `replication` prop): this construct was deployed without an off-site copy.';
      for (const bucket of [daily, archive]) {
        Validations.of(bucket).acknowledge(
          ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-S3BucketReplicationEnabled`, reason })),
        );
      }
      Annotations.of(this).addWarningV2(SynthWarnings.BUCKETS_NOT_REPLICATED, 'BackupBuckets without `replication`: the backups have no off-site copy in another region.');
    }
  }

  /**
   * Grants reading the dumps and manifests of both buckets (what a restore needs).
   *
   * @param grantee the principal that restores
   */
  public grantReadDumps(grantee: iam.IGrantable): iam.Grant {
    this.archiveBucket.grantRead(grantee);
    return this.dailyBucket.grantRead(grantee);
  }

  private replicate(daily: s3.Bucket, archive: s3.Bucket, options: BucketReplicationOptions): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: fitPathDescription(`Replicates the backup buckets of ${this.node.path} to ${options.region}`, this.node.path, RULES.ROLE),
    });
    const destinations = [
      { bucket: daily, nameOf: 'dailyBucketName' as const, storageClass: 'STANDARD' },
      { bucket: archive, nameOf: 'archiveBucketName' as const, storageClass: 'DEEP_ARCHIVE' },
    ].map((destination) => ({ ...destination, name: RecoveryBuckets[destination.nameOf](Aws.ACCOUNT_ID, options.region, options.bucketNamePrefix) }));
    const destinationArns = destinations.map((destination) => `arn:${Aws.PARTITION}:s3:::${destination.name}`);
    const replicaKeys = `arn:${Aws.PARTITION}:kms:${options.region}:${Aws.ACCOUNT_ID}:key/*`;
    const statements = [
      ...destinations.flatMap((destination) => sourceReplicationStatements(destination.bucket, this.encryptionKey, stack.region)),
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: destinationArns.map((arn) => `${arn}/*`),
      }),
      // The replica key is found by its alias: its key id is not known in this region.
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [replicaKeys],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': RecoveryBuckets.KEY_ALIAS } },
      }),
    ];
    const policy = new iam.ManagedPolicy(this, 'ReplicationPolicy', {
      description: fitPathDescription(`S3 replication of ${this.node.path} to the RecoveryBuckets in ${options.region}`, this.node.path, RULES.MANAGED_POLICY),
      statements,
      roles: [role],
    });
    const replicaKey = RecoveryBuckets.keyAliasArn(this, options.region);
    destinations.forEach((destination, i) => {
      const cfn = destination.bucket.node.defaultChild as s3.CfnBucket;
      cfn.replicationConfiguration = {
        role: role.roleArn,
        rules: [{
          id: `OffSiteCopyTo-${options.region}`,
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: destinationArns[i],
            storageClass: destination.storageClass,
            encryptionConfiguration: { replicaKmsKeyId: replicaKey },
            metrics: { status: 'Enabled', eventThreshold: { minutes: 15 } },
            replicationTime: { status: 'Enabled', time: { minutes: 15 } },
          },
        }],
      };
    });
    // The finding ids as cdk-nag prints them: a token region (a CfnParameter) is flattened like the rest.
    const findingOf = (resource: string): string => `AwsSolutions-IAM5[Resource::${flattenLikeCdkNag(stack.resolve(resource))}]`;
    Validations.of(policy).acknowledge(
      ...destinations.map((destination) => ({
        id: findingOf(`${destination.bucket.bucketArn}/*`),
        reason: 'S3 replication reads every object version of the source bucket it replicates; the actions are the read-for-replication actions only.',
      })),
      ...destinationArns.map((arn) => ({
        id: findingOf(`${arn}/*`),
        reason: 'S3 replication writes every replicated object into its replica bucket; the actions are the replicate actions only.',
      })),
      {
        id: findingOf(replicaKeys),
        reason: 'The replica key lives in another region and is known only by its alias there; the statement is limited to keys carrying that alias (kms:ResourceAliases).',
      },
    );
    return role;
  }
}
