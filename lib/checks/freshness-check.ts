import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REGION_NAME } from '../private/aws-identifiers';
import { equalityAtDeploy } from '../private/deploy-time-equality';
import type { SnapshotTag } from '../snapshots/ebs-snapshot-policy';

/** Which RDS snapshots count as a copy of the tier. */
export enum RdsSnapshotType {
  /** The automated snapshots of the instance's backup retention. */
  AUTOMATED = 'automated',
  /** Manual snapshots, including copies in another region. */
  MANUAL = 'manual',
  /** Snapshots taken by AWS Backup. */
  AWS_BACKUP = 'awsbackup',
  /** Automated and manual snapshots. */
  ANY = 'any',
}

/** The settings every freshness check shares: its tier, how often a copy is due, and where. */
export interface FreshnessTierOptions {
  /**
   * The name of the tier, a metric dimension (`Tier`): letters, digits, `.`, `_`, `-`.
   * @default 'daily'
   */
  readonly tier?: string;
  /**
   * How often the tier makes a copy, in hours or days (whole seconds, at least 1 minute, at most 366 days).
   * @default Duration.days(1)
   */
  readonly interval?: Duration;
  /**
   * How late a copy may be before it counts as stale, in hours or days (whole seconds, at most 366 days).
   * @default Duration.hours(2)
   */
  readonly grace?: Duration;
  /**
   * The region to look in, for the copies in the disaster-recovery region.
   * @default - the stack's region
   */
  readonly region?: string;
}

/** A check of the RDS snapshots of an instance. */
export interface RdsSnapshotFreshnessOptions extends FreshnessTierOptions {
  /** The instance whose snapshots are checked. */
  readonly instance: rds.IDatabaseInstance;
  /**
   * Which snapshots count.
   * @default RdsSnapshotType.ANY
   */
  readonly snapshotType?: RdsSnapshotType;
}

/** A check of the AWS Backup recovery points of an RDS instance. */
export interface RecoveryPointFreshnessOptions extends FreshnessTierOptions {
  /** The instance whose recovery points are checked. */
  readonly instance: rds.IDatabaseInstance;
  /**
   * Only recovery points in this vault count. For the disaster-recovery vault, import it by
   * ARN (`BackupVault.fromBackupVaultArn`) so that its region is known; that region is
   * used, and a `region` that differs from it fails the synth (the function may list the
   * vault by its ARN only). Set `region` when synth cannot tell the vault's region (an ARN
   * that holds tokens). A vault of another account (its ARN names the account) is listed in
   * that account.
   * @default - recovery points in any vault of the region
   */
  readonly vault?: backup.IBackupVault;
}

/** A check of EBS snapshots, of one volume or of every snapshot with a tag. */
export interface EbsSnapshotFreshnessOptions extends FreshnessTierOptions {
  /**
   * The volume whose snapshots are checked, in the volume's region. Give this or `tagKey`.
   * The snapshots of a volume are found by its id only in its own region: a copy in another
   * region carries an arbitrary volume id, so check copies by `tagKey` there.
   * @default - snapshots are found by tag
   */
  readonly volume?: ec2.IVolume;
  /**
   * The tag that marks the snapshots (as Data Lifecycle Manager policies add). Give this or `volume`.
   * @default - snapshots are found by volume
   */
  readonly tagKey?: string;
  /**
   * The value of `tagKey`.
   * @default - any value
   */
  readonly tagValue?: string;
  /**
   * A second tag the snapshots must also carry (key and value), e.g.
   * `EbsSnapshotPolicy.snapshotTag`, which only that policy's snapshots and their copies carry.
   * @default - no second tag
   */
  readonly alsoTagged?: SnapshotTag;
}

/** A check of the database dumps in an S3 bucket (the layout of the `daily` dump tier). */
export interface DumpFreshnessOptions {
  /** The 48-hour bucket holding `daily/YYYY-MM-DD/<run>/` prefixes. */
  readonly bucket: s3.IBucket;
  /**
   * The name of the tier.
   * @default 'daily-dump'
   */
  readonly tier?: string;
  /**
   * How often a dump is taken, in hours or days.
   * @default Duration.days(1)
   */
  readonly interval?: Duration;
  /**
   * How late a dump may be, in hours.
   * @default Duration.hours(2)
   */
  readonly grace?: Duration;
  /**
   * The region of the bucket, for a bucket in another region than the stack (an off-site
   * copy). The function reads the bucket with clients of this region.
   * @default - the bucket's region when it is known (\`Bucket.fromBucketAttributes\` with
   * \`region\`), else the stack's region
   */
  readonly region?: string;
  /**
   * The alias (`alias/...`) of the KMS key that encrypts the dumps, for a bucket whose key
   * is known only by its alias in the bucket's region (such as the off-site replica of
   * `RecoveryBuckets`, `RecoveryBuckets.KEY_ALIAS`). The check may then decrypt, through
   * S3 of that region, with the keys of the region that carry this alias.
   * @default - the bucket's `encryptionKey`, if any
   */
  readonly encryptionKeyAlias?: string;
}

/** A check of the yearly archive in an S3 bucket (`yearly/YYYY/...`). */
export interface ArchiveFreshnessOptions {
  /** The archive bucket. */
  readonly bucket: s3.IBucket;
  /**
   * The name of the tier.
   * @default 'yearly'
   */
  readonly tier?: string;
  /**
   * How long into a new year last year's archive still counts, in days.
   * @default Duration.days(14)
   */
  readonly grace?: Duration;
  /**
   * The region of the bucket, for a bucket in another region than the stack (an off-site
   * copy). The function reads the bucket with clients of this region.
   * @default - the bucket's region when it is known (\`Bucket.fromBucketAttributes\` with
   * \`region\`), else the stack's region
   */
  readonly region?: string;
  /**
   * The alias (`alias/...`) of the KMS key that encrypts the archive, for a bucket whose key
   * is known only by its alias in the bucket's region (such as the off-site replica of
   * `RecoveryBuckets`, `RecoveryBuckets.KEY_ALIAS`). The check may then decrypt, through
   * S3 of that region, with the keys of the region that carry this alias: a manifest read
   * with GET (not yet in Deep Archive, or restored from it) needs it.
   * @default - the bucket's `encryptionKey`, if any
   */
  readonly encryptionKeyAlias?: string;
}

/** The `BackupAgeHours` and `CheckStatus` dimensions of one check. */
export interface FreshnessCheckDimensions {
  /** The kind of copy (`rds-snapshot`, `recovery-point`, `ebs-snapshot`, `daily-dump`, `yearly-archive`). */
  readonly check: string;
  /** The protected resource. */
  readonly resource: string;
  /** The tier. */
  readonly tier: string;
  /** The region looked in. */
  readonly region: string;
}

/** What a check contributes to the function that runs it. */
export interface FreshnessCheckConfig {
  /** One entry of the function's `FRESHNESS_CONFIG.checks` (may hold tokens). */
  readonly config: { [key: string]: unknown };
  /** The metric dimensions of the check. */
  readonly dimensions: FreshnessCheckDimensions;
  /** Interval plus grace, in hours: the `BackupAgeHours` alarm threshold. */
  readonly maxAgeHours: number;
  /** The permissions the check needs. */
  readonly statements: iam.PolicyStatement[];
  /** KMS keys the check must decrypt with. */
  readonly decryptKeys: kms.IKey[];
  /** The bucket ARNs whose objects the check reads, with the key patterns. */
  readonly objectReads: string[];
  /** The KMS key ARN patterns (`key/*` of a region) the check decrypts with, limited to the keys carrying an alias. */
  readonly aliasedKeyReads: string[];
  /** The RDS snapshot ARN patterns (`snapshot:*` of a region) the check lists, with the instance whose snapshots they are. */
  readonly snapshotReads: string[];
}

const TIER = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ALIAS = /^alias\/(?!aws\/)[A-Za-z0-9/_-]{1,250}$/;

/**
 * One freshness check of the `ConsistencyChecks` construct: the newest copy of a resource in
 * a tier must be younger than the tier's interval plus a grace. Create with the static
 * factories.
 */
export abstract class FreshnessCheck {
  /** The newest RDS snapshot of an instance (automated, manual or copied to another region). */
  public static rdsSnapshots(options: RdsSnapshotFreshnessOptions): FreshnessCheck {
    return new RdsSnapshotCheck(options);
  }

  /** The newest AWS Backup recovery point of an RDS instance, in any vault or in one vault. */
  public static recoveryPoints(options: RecoveryPointFreshnessOptions): FreshnessCheck {
    return new RecoveryPointCheck(options);
  }

  /** The newest EBS snapshot of a volume, or of the snapshots with a tag. */
  public static ebsSnapshots(options: EbsSnapshotFreshnessOptions): FreshnessCheck {
    return new EbsSnapshotCheck(options);
  }

  /** The newest database dump within interval plus grace: its manifest, dump and checksum file exist and their SHA-256 match. */
  public static dailyDumps(options: DumpFreshnessOptions): FreshnessCheck {
    return new DailyDumpCheck(options);
  }

  /**
   * This year's archive exists in the archive bucket with its dump, checksum file and manifest,
   * and its manifest says the dump started on the day its prefix names.
   */
  public static yearlyArchives(options: ArchiveFreshnessOptions): FreshnessCheck {
    return new YearlyArchiveCheck(options);
  }

  /** The kind of copy, the `Check` dimension. */
  public abstract readonly kind: string;

  /**
   * Validates the options (errors name `scope`'s path) and returns the check's configuration.
   * @internal
   */
  public abstract _bind(scope: Construct): FreshnessCheckConfig;
}

/** Hours of a duration, validated: errors name the construct, the prop and the value. */
function hoursOf(scope: Construct, prop: string, kind: string, value: Duration, min: Duration, max: Duration): number {
  if (value.isUnresolved()) {
    throw new Error(`${scope.node.path}: \`${prop}\` of the ${kind} check must be a concrete duration (the check's age limit and its BackupAgeHours alarm threshold are computed from it at synth), got an unresolved token (${value.toHumanString()})`);
  }
  const exactSeconds = value.toMilliseconds({ integral: false }) / 1000;
  const seconds = Math.round(exactSeconds);
  // Whole seconds (within floating-point error, as of Duration.minutes(1.1)): a fraction of a
  // second means nothing to an age in hours, and is most likely a mistaken unit.
  if (Math.abs(exactSeconds - seconds) > 1e-6) {
    throw new Error(`${scope.node.path}: \`${prop}\` of the ${kind} check must be a whole number of seconds, ${min.toHumanString()} to ${max.toHumanString()}, got ${value.toHumanString()} (${exactSeconds * 1000} milliseconds)`);
  }
  if (seconds < min.toSeconds() || seconds > max.toSeconds()) {
    throw new Error(`${scope.node.path}: \`${prop}\` of the ${kind} check must be ${min.toHumanString()} to ${max.toHumanString()}, got ${value.toHumanString()}`);
  }
  return seconds / 3600;
}

interface Common {
  readonly tier: string;
  readonly intervalHours: number;
  readonly graceHours: number;
  readonly region: string;
  readonly explicitRegion?: string;
}

function common(scope: Construct, kind: string, options: FreshnessTierOptions, defaultTier = 'daily', inheritedRegion?: string): Common {
  // A token tier or region is not warned about: CloudWatch takes nearly any dimension value,
  // and a wrong region finds no copy or fails the check (missing or unknown, both alarmed).
  // Two checks that a token keeps synth from telling apart (refuseRepeatedChecks) publish one
  // series, whose Maximum the alarms read: the worse of the two still shows.
  const tier = options.tier ?? defaultTier;
  if (!Token.isUnresolved(tier) && !TIER.test(tier)) {
    throw new Error(`${scope.node.path}: \`tier\` of the ${kind} check must be 1 to 64 letters, digits, '.', '_' or '-', got '${tier}'`);
  }
  const explicitRegion = options.region ?? inheritedRegion;
  if (explicitRegion !== undefined && !Token.isUnresolved(explicitRegion) && !REGION_NAME.test(explicitRegion)) {
    throw new Error(`${scope.node.path}: \`region\` of the ${kind} check must be a region name like eu-central-1, got '${explicitRegion}'`);
  }
  const stackRegion = Stack.of(scope).region;
  return {
    tier,
    intervalHours: hoursOf(scope, 'interval', kind, options.interval ?? Duration.days(1), Duration.minutes(1), Duration.days(366)),
    graceHours: hoursOf(scope, 'grace', kind, options.grace ?? Duration.hours(2), Duration.seconds(0), Duration.days(366)),
    region: explicitRegion ?? stackRegion,
    explicitRegion: explicitRegion !== undefined && explicitRegion !== stackRegion ? explicitRegion : undefined,
  };
}

/** The bucket's region when CDK knows it (imported with a region, or made in a stack with one). */
function regionOf(bucket: s3.IBucket): string | undefined {
  return Token.isUnresolved(bucket.env.region) ? undefined : bucket.env.region;
}

/**
 * The fields every check writes. `resource` is left out when it is the one the check's other
 * fields name (the instance, the last part of the ARN, the volume or tag, the bucket), which
 * the function reads instead: the configuration is one environment variable, limited to 4 KB.
 */
function base(kind: string, c: Common, resource?: string): { [key: string]: unknown } {
  return { kind, tier: c.tier, ...(resource !== undefined ? { resource } : {}), intervalHours: c.intervalHours, graceHours: c.graceHours, ...(c.explicitRegion ? { region: c.explicitRegion } : {}) };
}

function describeOnly(actions: string[]): iam.PolicyStatement {
  // These List and Describe actions support no resource-level permissions (or are
  // authorised on copies whose names are unknown at deployment): see the acknowledgement
  // of IAM5 on the freshness function.
  return new iam.PolicyStatement({ actions, resources: ['*'] });
}

class RdsSnapshotCheck extends FreshnessCheck {
  public readonly kind = 'rds-snapshot';
  constructor(private readonly options: RdsSnapshotFreshnessOptions) {
    super();
  }
  public _bind(scope: Construct): FreshnessCheckConfig {
    const c = common(scope, this.kind, this.options);
    const id = this.options.instance.instanceIdentifier;
    // DescribeDBSnapshots authorizes against the instance (db) and its snapshots (snapshot),
    // both optional resource types (Service Authorization Reference, Amazon RDS): the instance
    // by its identifier, in the region looked in; its snapshots' names (automated, manual,
    // AWS Backup's, copies) are chosen at run time, so any snapshot of that region.
    const arn = (resource: string, resourceName: string) => Stack.of(scope).formatArn({ service: 'rds', region: c.region, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const snapshots = arn('snapshot', '*');
    return {
      config: { ...base(this.kind, c), dbInstanceIdentifier: id, snapshotType: this.options.snapshotType ?? RdsSnapshotType.ANY },
      dimensions: { check: this.kind, resource: id, tier: c.tier, region: c.region },
      maxAgeHours: c.intervalHours + c.graceHours,
      statements: [new iam.PolicyStatement({ actions: ['rds:DescribeDBSnapshots'], resources: [arn('db', id), snapshots] })],
      decryptKeys: [],
      objectReads: [],
      aliasedKeyReads: [],
      snapshotReads: [snapshots],
    };
  }
}

class RecoveryPointCheck extends FreshnessCheck {
  public readonly kind = 'recovery-point';
  constructor(private readonly options: RecoveryPointFreshnessOptions) {
    super();
  }
  public _bind(scope: Construct): FreshnessCheckConfig {
    const vault = this.options.vault;
    const vaultRegion = vault && !Token.isUnresolved(vault.env.region) ? vault.env.region : undefined;
    const region = this.options.region;
    // The function is granted the vault's ARN, which names the vault's region: listing it in
    // another region would be denied on every run. A region synth cannot compare (a token, or a
    // vault of an environment-agnostic stack) is left to deploy.
    if (vault && region !== undefined && equalityAtDeploy(Stack.of(scope), region, vault.env.region) === 'different') {
      throw new Error(`${scope.node.path}: \`region\` of a recovery-point check with \`vault\` must be left out or be the vault's region (${vault.env.region}), got '${region}': `
        + `the function may list only the vault's ARN, which names ${vault.env.region}; import a vault of another region by its ARN (\`BackupVault.fromBackupVaultArn\`), whose region the check then uses`);
    }
    const c = common(scope, this.kind, this.options, 'daily', vaultRegion);
    const instance = this.options.instance;
    // AWS Backup looks for the vault by name in the caller's account unless told the account:
    // named whenever synth cannot prove it is the stack's own (a token account included).
    const otherAccount = vault && equalityAtDeploy(Stack.of(scope), vault.env.account, Stack.of(scope).account) !== 'same' ? vault.env.account : undefined;
    return {
      config: {
        ...base(this.kind, c, arnEndsIn(scope, instance.instanceArn, instance.instanceIdentifier) ? undefined : instance.instanceIdentifier),
        resourceArn: instance.instanceArn,
        ...(vault ? { backupVaultName: vault.backupVaultName } : {}),
        ...(otherAccount !== undefined ? { backupVaultAccountId: otherAccount } : {}),
      },
      dimensions: { check: this.kind, resource: instance.instanceIdentifier, tier: c.tier, region: c.region },
      maxAgeHours: c.intervalHours + c.graceHours,
      statements: vault
        ? [new iam.PolicyStatement({ actions: ['backup:ListRecoveryPointsByBackupVault'], resources: [vault.backupVaultArn] })]
        : [describeOnly(['backup:ListRecoveryPointsByResource'])],
      decryptKeys: [],
      objectReads: [],
      aliasedKeyReads: [],
      snapshotReads: [],
    };
  }
}

class EbsSnapshotCheck extends FreshnessCheck {
  public readonly kind = 'ebs-snapshot';
  constructor(private readonly options: EbsSnapshotFreshnessOptions) {
    super();
  }
  public _bind(scope: Construct): FreshnessCheckConfig {
    const { volume, tagKey, tagValue, alsoTagged } = this.options;
    if ((volume === undefined) === (tagKey === undefined)) {
      throw new Error(`${scope.node.path}: an ebs-snapshot check needs exactly one of \`volume\` and \`tagKey\`, got ${volume ? 'both' : 'neither'}`);
    }
    if (tagValue !== undefined && tagKey === undefined) {
      throw new Error(`${scope.node.path}: \`tagValue\` of an ebs-snapshot check needs \`tagKey\`, got tagValue '${tagValue}' alone`);
    }
    if (tagKey !== undefined && outsideTagLimit(tagKey, 128)) {
      throw new Error(`${scope.node.path}: \`tagKey\` of an ebs-snapshot check must be 1 to 128 characters, got '${tagKey}'`);
    }
    // An empty value, which the function refuses in its configuration, would make every check
    // of every run unknown; `tagKey` alone matches any value.
    if (tagValue !== undefined && outsideTagLimit(tagValue, 256)) {
      throw new Error(`${scope.node.path}: \`tagValue\` of an ebs-snapshot check must be 1 to 256 characters (leave it out for any value of \`tagKey\`), got '${tagValue}'`);
    }
    if (alsoTagged && (outsideTagLimit(alsoTagged.key, 128) || outsideTagLimit(alsoTagged.value, 256))) {
      throw new Error(`${scope.node.path}: \`alsoTagged\` of an ebs-snapshot check must have a key of 1 to 128 characters and a value of 1 to 256 characters, got key '${alsoTagged.key}' and value '${alsoTagged.value}'`);
    }
    const c = common(scope, this.kind, this.options, 'daily', volume ? volumeRegion(scope, volume, this.options.region) : undefined);
    const resource = volume ? volume.volumeId : `tag:${tagKey}${tagValue !== undefined ? `=${tagValue}` : ''}`;
    return {
      config: {
        ...base(this.kind, c),
        ...(volume ? { volumeId: volume.volumeId } : { tagKey, ...(tagValue !== undefined ? { tagValue } : {}) }),
        ...(alsoTagged ? { alsoTagKey: alsoTagged.key, alsoTagValue: alsoTagged.value } : {}),
      },
      dimensions: { check: this.kind, resource, tier: c.tier, region: c.region },
      maxAgeHours: c.intervalHours + c.graceHours,
      // DescribeSnapshots takes no resource; the region it is called in is all that narrows it.
      statements: [new iam.PolicyStatement({ actions: ['ec2:DescribeSnapshots'], resources: ['*'], conditions: { StringEquals: { 'aws:RequestedRegion': c.region } } })],
      decryptKeys: [],
      objectReads: [],
      aliasedKeyReads: [],
      snapshotReads: [],
    };
  }
}

/**
 * Whether the part of `arn` after its last ':' is `name` once deployed, as the function reads a
 * recovery-point check's resource when it is left out. Compared as resolved: the ARN is a
 * string or a join whose last part is the name (a reference) or ends in ':' and the name.
 */
function arnEndsIn(scope: Construct, arn: string, name: string): boolean {
  const stack = Stack.of(scope);
  const resolvedArn = stack.resolve(arn) as unknown;
  const resolvedName = stack.resolve(name) as unknown;
  const join = (resolvedArn as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  const parts: unknown[] = typeof resolvedArn === 'string' ? [resolvedArn] : join?.[0] === '' && Array.isArray(join[1]) ? join[1] : [];
  const last = parts[parts.length - 1];
  if (typeof resolvedName === 'string') {
    return resolvedName !== '' && !resolvedName.includes(':') && typeof last === 'string' && last.endsWith(`:${resolvedName}`);
  }
  const before = parts[parts.length - 2];
  return JSON.stringify(last) === JSON.stringify(resolvedName) && typeof before === 'string' && before.endsWith(':');
}

/** Whether a concrete tag key or value is empty or longer than EC2 allows (`max` characters). */
function outsideTagLimit(text: string, max: number): boolean {
  return !Token.isUnresolved(text) && (text.length === 0 || text.length > max);
}

/**
 * The region of a volume check: the volume's (compared as at deploy: `Aws.REGION`, or a token
 * that resolves to the volume's region, is it). Another `region` is refused, and so is one
 * that synth cannot compare with the volume's (a token, or a region for a volume of an
 * environment-agnostic stack): a snapshot copied to another region carries an arbitrary
 * volume id there, so a check by volume could only ever find it missing.
 */
function volumeRegion(scope: Construct, volume: ec2.IVolume, region: string | undefined): string | undefined {
  const own = volume.env.region;
  if (region === undefined || equalityAtDeploy(Stack.of(scope), region, own) === 'same') {
    return Token.isUnresolved(own) ? undefined : own;
  }
  const given = Token.isUnresolved(region) ? 'a region unknown at synth (a token)' : `'${region}'`;
  const volumes = Token.isUnresolved(own) ? 'the region of its stack, unknown at synth' : own;
  throw new Error(`${scope.node.path}: \`region\` of an ebs-snapshot check by \`volume\` must be left out or be the volume's region (${volumes}), got ${given}: `
    + 'a snapshot copied to another region carries an arbitrary volume id there, so no copy can be found by volume; '
    + 'check the copies in another region by tag (`tagKey`, which Data Lifecycle Manager copies with `copyTags`)');
}

/**
 * Decrypting with the keys of `region` that carry `alias`, through S3 of that region only: for
 * a bucket whose key is known by its alias alone (validated; undefined without an alias).
 */
function aliasedKeyDecrypt(scope: Construct, kind: string, bucket: s3.IBucket, alias: string | undefined, region: string): { statement: iam.PolicyStatement; keys: string } | undefined {
  if (alias === undefined) {
    return undefined;
  }
  if (!Token.isUnresolved(alias) && !KEY_ALIAS.test(alias)) {
    throw new Error(`${scope.node.path}: \`encryptionKeyAlias\` of the ${kind} check must be a key alias such as 'alias/my-key' (not an AWS managed 'alias/aws/...' one), got '${alias}'`);
  }
  if (bucket.encryptionKey) {
    throw new Error(`${scope.node.path}: \`encryptionKeyAlias\` of the ${kind} check is for a bucket imported without its key, got '${alias}' for a bucket that has one (\`encryptionKey\`)`);
  }
  const keys = Stack.of(scope).formatArn({ service: 'kms', region, resource: 'key', resourceName: '*' });
  return {
    keys,
    statement: new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [keys],
      conditions: {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias },
        'StringEquals': { 'kms:ViaService': `s3.${region}.amazonaws.com` },
      },
    }),
  };
}

class DailyDumpCheck extends FreshnessCheck {
  public readonly kind = 'daily-dump';
  constructor(private readonly options: DumpFreshnessOptions) {
    super();
  }
  public _bind(scope: Construct): FreshnessCheckConfig {
    const bucket = this.options.bucket;
    const c = common(scope, this.kind, { tier: this.options.tier, interval: this.options.interval, grace: this.options.grace, region: this.options.region }, 'daily-dump', regionOf(bucket));
    const aliased = aliasedKeyDecrypt(scope, this.kind, bucket, this.options.encryptionKeyAlias, c.region);
    return {
      config: { ...base(this.kind, c), bucket: bucket.bucketName },
      dimensions: { check: this.kind, resource: bucket.bucketName, tier: c.tier, region: c.region },
      maxAgeHours: c.intervalHours + c.graceHours,
      statements: [
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['daily/*'] } } }),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('daily/*')] }),
        ...(aliased ? [aliased.statement] : []),
      ],
      decryptKeys: bucket.encryptionKey ? [bucket.encryptionKey] : [],
      objectReads: [bucket.arnForObjects('daily/*')],
      aliasedKeyReads: aliased ? [aliased.keys] : [],
      snapshotReads: [],
    };
  }
}

class YearlyArchiveCheck extends FreshnessCheck {
  public readonly kind = 'yearly-archive';
  constructor(private readonly options: ArchiveFreshnessOptions) {
    super();
  }
  public _bind(scope: Construct): FreshnessCheckConfig {
    const bucket = this.options.bucket;
    const c = common(scope, this.kind, { tier: this.options.tier, interval: Duration.days(366), grace: this.options.grace ?? Duration.days(14), region: this.options.region }, 'yearly', regionOf(bucket));
    if (c.graceHours > 90 * 24) {
      throw new Error(`${scope.node.path}: \`grace\` of the yearly-archive check must be 0 to 90 days, got ${this.options.grace!.toHumanString()}`);
    }
    // The archive is listed; of its objects only the manifests are read (HEAD, and GET while
    // not in Deep Archive): the dumps may be in a cold storage class.
    const manifests = bucket.arnForObjects('yearly/*/manifest.json');
    const aliased = aliasedKeyDecrypt(scope, this.kind, bucket, this.options.encryptionKeyAlias, c.region);
    return {
      config: { ...base(this.kind, c), bucket: bucket.bucketName },
      dimensions: { check: this.kind, resource: bucket.bucketName, tier: c.tier, region: c.region },
      maxAgeHours: c.intervalHours + c.graceHours,
      statements: [
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['yearly/*'] } } }),
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [manifests] }),
        ...(aliased ? [aliased.statement] : []),
      ],
      decryptKeys: bucket.encryptionKey ? [bucket.encryptionKey] : [],
      objectReads: [manifests],
      aliasedKeyReads: aliased ? [aliased.keys] : [],
      snapshotReads: [],
    };
  }
}
