import { createHash } from 'node:crypto';
import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CompiledTier, compileTiers, describeTier, validatePolicy } from '../policy/compile';
import { describeAtDeploy, equalityAtDeploy } from '../private/deploy-time-equality';
import { refuseRepeatedEntries } from '../private/repeated-entries';
import { warnUncheckedToken } from '../private/unchecked-token';
import { ArchiveFrequency, RetentionPolicy } from '../policy/retention-policy';
import { isUtcZoneName } from '../private/utc-time-zone';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import { BackupMetadata, BackupRole } from '../report/metadata';
import { SynthWarnings } from '../synth-warnings';

/** Properties of an `EbsSnapshotPolicy`. */
export interface EbsSnapshotPolicyProps {
  /** The schedule and retention of every tier. */
  readonly policy: RetentionPolicy;
  /**
   * The tags that select the EBS volumes: a volume with any of these tags (key and value)
   * is snapshotted.
   */
  readonly targetTags: { [key: string]: string };
  /**
   * The customer-managed keys that encrypt the targeted volumes. The execution role may
   * use them to create, copy and archive the snapshots.
   *
   * @default - none (volumes encrypted with the AWS managed key)
   */
  readonly volumeEncryptionKeys?: kms.IKey[];
  /**
   * The key that encrypts the off-site copies in each copy region, by region: the ARN of a
   * key in that region, as a plain string (Data Lifecycle Manager accepts no alias).
   *
   * @default - the copy region's default EBS encryption key
   */
  readonly copyEncryptionKeys?: { [region: string]: string };
  /**
   * Availability zones in which the newest rolling snapshots get fast snapshot restore
   * (billed per hour and zone), each named once.
   *
   * @default - no fast snapshot restore
   */
  readonly fastSnapshotRestoreZones?: string[];
  /**
   * How many of the newest rolling snapshots keep fast snapshot restore (1 to 1000).
   *
   * @default 1
   */
  readonly fastSnapshotRestoreCount?: number;
  /**
   * Whether the policies run.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/** Data Lifecycle Manager runs at most this many schedules per policy. */
const MAX_SCHEDULES_PER_POLICY = 4;
/** The longest retention DLM accepts, used for indefinite tiers (years). */
const INDEFINITE_YEARS = 100;
/** "The maximum is 100 years. This is equivalent to ... 36500 days" (DLM API reference, CrossRegionCopyRetainRule). */
const MAX_COPY_RETENTION_DAYS = 36500;
/**
 * The minute past the window's start hour at which each archive schedule starts in DLM. When
 * schedules of one policy start at the same time, DLM takes one snapshot and keeps it by "the
 * schedule that has the highest retention period" (EBS User Guide, policy schedules). The
 * guide does not say how a count (the rolling tier) compares with a period, nor whether time
 * in the snapshot archive counts: a yearly snapshot merged with the monthly one (December 31)
 * or with a rolling one could be deleted with it. Distinct minutes keep every schedule's
 * snapshot its own; the rolling tier keeps minute 0.
 */
const DLM_START_MINUTE: Record<ArchiveFrequency, number> = {
  [ArchiveFrequency.WEEKLY]: 5,
  [ArchiveFrequency.FORTNIGHTLY]: 10,
  [ArchiveFrequency.MONTHLY]: 15,
  [ArchiveFrequency.QUARTERLY]: 20,
  [ArchiveFrequency.HALF_YEARLY]: 25,
  [ArchiveFrequency.YEARLY]: 30,
};

/** DLM archives snapshots only from schedules that create at most one every 28 days. */
const ARCHIVABLE = [ArchiveFrequency.MONTHLY, ArchiveFrequency.QUARTERLY, ArchiveFrequency.HALF_YEARLY, ArchiveFrequency.YEARLY];
/** The key of the tag that marks every snapshot (and copy) of one `EbsSnapshotPolicy`. */
export const SNAPSHOT_POLICY_TAG_KEY = 'cdk-backup-dr:snapshot-policy';
/** EC2 tag values are at most 256 characters. */
const MAX_TAG_VALUE_LENGTH = 256;
/** The room kept for a region or stack name that synth does not know (a token). */
const UNRESOLVED_REGION_LENGTH = 32;
const UNRESOLVED_STACK_NAME_LENGTH = 128;

/** FastRestoreRule.AvailabilityZones (DLM API reference): at most 10 zone names of this pattern, at most 16 characters. */
const MAX_FAST_SNAPSHOT_RESTORE_ZONES = 10;
const ZONE_NAME = /^([a-z]+-){2,3}\d[a-z]$/;
const MAX_ZONE_NAME_LENGTH = 16;

/** Fails on a zone list that Data Lifecycle Manager would refuse at deploy; warns for each zone a token keeps from being checked. */
function checkFastSnapshotRestoreZones(scope: Construct, zones: readonly string[]): void {
  const path = scope.node.path;
  refuseRepeatedEntries(scope, 'fastSnapshotRestoreZones', zones, 'zone');
  if (zones.length > MAX_FAST_SNAPSHOT_RESTORE_ZONES) {
    throw new Error(`${path}: \`fastSnapshotRestoreZones\` may name at most ${MAX_FAST_SNAPSHOT_RESTORE_ZONES} zones (the Data Lifecycle Manager limit), got ${zones.length}`);
  }
  const allowed = 'an availability zone name such as \'eu-west-1a\'';
  zones.forEach((zone, index) => {
    const prop = `fastSnapshotRestoreZones[${index}]`;
    if (Token.isUnresolved(zone)) {
      warnUncheckedToken(scope, prop, `that it is ${allowed}`, 'Data Lifecycle Manager receives it as it is and decides at deploy whether it accepts the policy');
    } else if (zone.length > MAX_ZONE_NAME_LENGTH || !ZONE_NAME.test(zone)) {
      throw new Error(`${path}: \`${prop}\` must be ${allowed} (Data Lifecycle Manager takes zone names, not zone IDs), got '${zone}'`);
    }
  });
}

/** A tag a snapshot carries: its key and value. */
export interface SnapshotTag {
  readonly key: string;
  readonly value: string;
}

/**
 * EBS snapshots of tagged volumes for every tier of a `RetentionPolicy`, through Amazon
 * Data Lifecycle Manager: the rolling tier with a count-based retention (retention /
 * interval snapshots, so 48 hours is exact), the archive tiers on calendar schedules with
 * EBS Snapshots Archive for cold storage, encrypted cross-region copies, optional fast
 * snapshot restore, and an execution role limited to what DLM does.
 *
 * DLM allows 4 schedules per policy: a longer ladder is split into several policies, and
 * each policy's description says which part it is.
 */
export class EbsSnapshotPolicy extends Construct {
  /** The lifecycle policies, in order; more than one when the ladder has more than 4 tiers. */
  public readonly policies: dlm.CfnLifecyclePolicy[] = [];
  /** The role Data Lifecycle Manager runs the policies with. */
  public readonly role: iam.IRole;
  /**
   * The regions the off-site tiers are copied to (those of the same account). The copies
   * carry the user-defined tags of their source snapshot, and so the target tags of the
   * volume; their volume id is arbitrary.
   */
  public readonly copyRegions: string[];
  /**
   * The tag every schedule adds to the snapshots it creates, and so to their copies: key
   * `cdk-backup-dr:snapshot-policy`, value `<region>/<stack name>/<construct path in the
   * stack>`. Unlike the volume's tags, it tells this construct's copies in a copy region from
   * snapshots other policies take there of volumes with the same tags.
   */
  public readonly snapshotTag: SnapshotTag;

  constructor(scope: Construct, id: string, props: EbsSnapshotPolicyProps) {
    super(scope, id);
    const path = this.node.path;
    validatePolicy(this, 'policy', props.policy);
    const stack = Stack.of(this);
    const targetTags = Object.entries(props.targetTags);
    if (targetTags.length === 0) {
      throw new Error(`${path}: \`targetTags\` must name at least one tag, got none`);
    }
    const zone = props.policy.timeZone.timezoneName;
    if (Token.isUnresolved(zone)) {
      warnUncheckedToken(this, 'policy.timeZone', 'whether it is UTC (the only time zone Data Lifecycle Manager runs schedules in)',
        'the EBS snapshots start at the start hour in UTC whatever the time zone, while AWS Backup plans of the same policy run in it');
    } else if (!isUtcZoneName(zone)) {
      const start = `${String(props.policy.windowStartHour).padStart(2, '0')}:00`;
      Annotations.of(this).addWarningV2(SynthWarnings.EBS_SCHEDULE_IN_UTC, `\`policy.timeZone\` is ${zone}, but Data Lifecycle Manager runs schedules in UTC only: the EBS snapshots start at ${start} UTC, not at ${start} ${zone} (AWS Backup plans of the same policy run in ${zone})`);
    }
    const tiers = compileTiers(props.policy);
    const rolling = tiers[0];
    const count = Math.ceil(rolling.retentionHours! / rolling.intervalHours!);
    if (count > 1000) {
      throw new Error(`${path}: \`policy.rolling.retention\` must keep at most 1000 snapshots (the DLM limit): ${rolling.retentionHours} hours every ${rolling.intervalHours} hours makes ${count}`);
    }
    if (rolling.retentionHours! % rolling.intervalHours! !== 0) {
      Annotations.of(this).addWarningV2(SynthWarnings.ROLLING_COUNT_ROUNDED, `DLM keeps ${count} rolling snapshots, ${count * rolling.intervalHours!} hours, because ${rolling.retentionHours} hours is not a multiple of the ${rolling.intervalHours}-hour interval`);
    }
    checkFastSnapshotRestoreZones(this, props.fastSnapshotRestoreZones ?? []);
    const fsrCount = props.fastSnapshotRestoreCount ?? 1;
    if (Token.isUnresolved(fsrCount)) {
      warnUncheckedToken(this, 'fastSnapshotRestoreCount', 'that it is a whole number from 1 to 1000',
        'Data Lifecycle Manager receives it as it is and decides at deploy whether it accepts the policy');
    } else if (!Number.isInteger(fsrCount) || fsrCount < 1 || fsrCount > 1000) {
      throw new Error(`${path}: \`fastSnapshotRestoreCount\` must be a whole number from 1 to 1000, got ${fsrCount}`);
    }

    // The copies DLM makes: one per region at deploy, tokens included (a copy to another account is left to AWS Backup).
    const copies: Array<{ region: string; index: number }> = [];
    props.policy.offSiteCopies.forEach((copy, index) => {
      const where = describeAtDeploy(stack, copy.region);
      const account = copy.account === undefined ? 'same' : equalityAtDeploy(stack, copy.account, stack.account);
      if (account === 'unknown') {
        const prop = 'policy.offSiteCopies';
        warnUncheckedToken(this, prop, `of \`${prop}\` whether the copy to ${where} goes to another account (which DLM cannot copy to)`,
          `Data Lifecycle Manager copies the EBS snapshots to ${where} within this stack's account, whichever account the copy names`,
          Token.isUnresolved(copy.account!) ? `the account of the copy to ${where}` : 'the stack\'s account (an environment-agnostic stack)');
      } else if (account === 'different') {
        Annotations.of(this).addWarningV2(SynthWarnings.EBS_COPY_OTHER_ACCOUNT, `DLM copies EBS snapshots within the account only: the copy to account ${copy.account} in ${where} is left to AWS Backup`);
        return;
      }
      if (copies.some((c) => equalityAtDeploy(stack, c.region, copy.region) === 'same')) {
        return;
      }
      for (const other of copies.filter((c) => equalityAtDeploy(stack, c.region, copy.region) === 'unknown')) {
        const tokens = [other, { region: copy.region, index }].filter((c) => Token.isUnresolved(c.region)).map((c) => `the region of off-site copy ${c.index + 1}`);
        warnUncheckedToken(this, 'policy.offSiteCopies', `of \`policy.offSiteCopies\` that the copies to ${describeAtDeploy(stack, other.region)} and to ${where} go to different regions`,
          'Data Lifecycle Manager copies both within this stack\'s account: when they resolve to one region, each schedule has two copy rules to it',
          tokens.length === 1 ? tokens[0] : `each of ${tokens.join(' and ')}`);
      }
      copies.push({ region: copy.region, index });
    });
    for (const name of Object.keys(props.copyEncryptionKeys ?? {})) {
      if (!copies.some((c) => equalityAtDeploy(stack, c.region, name) === 'same')) {
        const regions = copies.map((c) => describeAtDeploy(stack, c.region)).join(', ') || 'none';
        const unmatched = copies.some((c) => Token.isUnresolved(c.region))
          ? `which synth cannot match with a copy region of the policy (${regions}): name the key under the value of the copy's region itself`
          : `which is not a copy region of the policy (${regions})`;
        throw new Error(`${path}: \`copyEncryptionKeys\` names ${describeAtDeploy(stack, name)}, ${unmatched}`);
      }
    }
    const copyKeys = copies.map(({ region, index }) => ({ region, key: this.copyKeyArn(region, index, this.copyKeyOf(region, props.copyEncryptionKeys)) }));
    if (copies.length > 0) {
      for (const tier of tiers) {
        if (tier.frequency !== undefined && tier.offSite && tier.deleteAfterDays !== undefined && tier.deleteAfterDays > MAX_COPY_RETENTION_DAYS) {
          throw new Error(`${path}: \`policy.archives[${tier.frequency}].retention\` must be at most ${MAX_COPY_RETENTION_DAYS} days (100 years, the longest Data Lifecycle Manager keeps a cross-region copy) for a tier copied off site, got ${tier.deleteAfterDays} days`);
        }
      }
    }
    const copyRegions = copies.map((c) => c.region);

    this.copyRegions = tiers.some((tier) => tier.offSite) ? copyRegions : [];
    this.snapshotTag = { key: SNAPSHOT_POLICY_TAG_KEY, value: this.snapshotTagValue() };
    const schedules = tiers.map((tier) => ({ ...this.schedule(tier, props, count, copyKeys), tier }));
    this.role = this.createRole(props, copyKeys);

    const parts = Math.ceil(schedules.length / MAX_SCHEDULES_PER_POLICY);
    for (let part = 0; part < parts; part++) {
      const chunk = schedules.slice(part * MAX_SCHEDULES_PER_POLICY, (part + 1) * MAX_SCHEDULES_PER_POLICY);
      const names = chunk.map((s) => s.name).join(' ');
      const split = parts > 1 ? ` - part ${part + 1} of ${parts} - DLM allows 4 schedules per policy so the ladder is split` : '';
      const lifecyclePolicy = new dlm.CfnLifecyclePolicy(this, part === 0 ? 'Resource' : `Part${part + 1}`, {
        description: `cdk-backup-dr EBS snapshot tiers ${names}${split}`,
        state: props.enabled === false ? 'DISABLED' : 'ENABLED',
        executionRoleArn: this.role.roleArn,
        policyDetails: {
          policyType: 'EBS_SNAPSHOT_MANAGEMENT',
          resourceTypes: ['VOLUME'],
          targetTags: targetTags.map(([key, value]) => ({ key, value })),
          schedules: chunk.map((s) => s.schedule),
        },
      });
      BackupMetadata.describe(lifecyclePolicy, {
        role: BackupRole.SNAPSHOT_POLICY,
        description: `EBS snapshots of the volumes tagged ${targetTags.map(([k, v]) => `${k}=${v}`).join(' or ')}: ${chunk.map((s) => s.description).join('; ')}${split ? ` (part ${part + 1} of ${parts})` : ''}`,
      });
      this.policies.push(lifecyclePolicy);
    }
  }

  private schedule(tier: CompiledTier, props: EbsSnapshotPolicyProps, count: number, copyKeys: Array<{ region: string; key?: string }>): { name: string; schedule: dlm.CfnLifecyclePolicy.ScheduleProperty; description: string } {
    const isRolling = tier.frequency === undefined;
    // A copy rule's copyTags copies the user-defined tags of the source snapshot, and the
    // schedule's tagsToAdd are user-defined tags (the DLM API reference of CrossRegionCopyRule
    // and Schedule): the copies carry the snapshot policy tag too, which the recovery-region
    // freshness check relies on. Not verifiable without an AWS account.
    const tagsToAdd = [{ key: 'cdk-backup-dr:tier', value: tier.name }, { key: this.snapshotTag.key, value: this.snapshotTag.value }];
    const copyRetain = tier.deleteAfterDays === undefined
      ? { interval: INDEFINITE_YEARS, intervalUnit: 'YEARS' }
      : { interval: tier.deleteAfterDays, intervalUnit: 'DAYS' };
    const crossRegionCopyRules = tier.offSite && copyKeys.length > 0
      ? copyKeys.map(({ region, key }) => ({ target: region, encrypted: true, cmkArn: key, copyTags: true, retainRule: copyRetain }))
      : undefined;
    // What this schedule does, for the report: DLM reads cron in UTC and keeps at most 100 years.
    const describe = (kept: string, coldAfterDays?: number, cron: string = tier.cron): string => describeTier({ ...tier, cron }, {
      timeZone: 'UTC',
      kept,
      coldAfterDays,
      copiedTo: crossRegionCopyRules ? copyKeys.map((c) => c.region) : [],
    });

    if (isRolling) {
      const zones = props.fastSnapshotRestoreZones ?? [];
      return {
        name: tier.name,
        schedule: {
          name: tier.name,
          copyTags: true,
          tagsToAdd,
          createRule: { interval: tier.intervalHours, intervalUnit: 'HOURS', times: [`${String(props.policy.windowStartHour % tier.intervalHours!).padStart(2, '0')}:00`] },
          retainRule: { count },
          fastRestoreRule: zones.length > 0 ? { availabilityZones: zones, count: props.fastSnapshotRestoreCount ?? 1 } : undefined,
          crossRegionCopyRules,
        },
        description: describe(`kept ${count} snapshots (${count * tier.intervalHours!} hours)`),
      };
    }

    // The compiled cron starts at minute 0 (`cron(0 <hour> ...)`).
    const cronExpression = tier.cron.replace(/^cron\(0 /, `cron(${DLM_START_MINUTE[tier.frequency!]} `);
    const archivable = ARCHIVABLE.includes(tier.frequency!);
    if (tier.coldAfterDays !== undefined && !archivable) {
      Annotations.of(this).addWarningV2(SynthWarnings.ebsArchive(tier.name), `DLM archives only monthly and rarer snapshots: the ${tier.name} snapshots stay in the standard tier for their whole retention`);
    }
    const cold = archivable ? tier.coldAfterDays : undefined;
    let retainRule: dlm.CfnLifecyclePolicy.RetainRuleProperty;
    let archiveRule: dlm.CfnLifecyclePolicy.ArchiveRuleProperty | undefined;
    if (cold === undefined) {
      retainRule = tier.deleteAfterDays === undefined
        ? { interval: INDEFINITE_YEARS, intervalUnit: 'YEARS' }
        : { interval: tier.deleteAfterDays, intervalUnit: 'DAYS' };
    } else {
      // Snapshots move to the archive tier when they leave the standard tier, and the
      // archive retention counts from then on.
      retainRule = { interval: cold, intervalUnit: 'DAYS' };
      archiveRule = {
        retainRule: {
          retentionArchiveTier: tier.deleteAfterDays === undefined
            ? { interval: INDEFINITE_YEARS, intervalUnit: 'YEARS' }
            : { interval: tier.deleteAfterDays - cold, intervalUnit: 'DAYS' },
        },
      };
    }
    return {
      name: tier.name,
      schedule: {
        name: tier.name,
        copyTags: true,
        tagsToAdd,
        createRule: { cronExpression },
        retainRule,
        archiveRule,
        crossRegionCopyRules,
      },
      description: tier.deleteAfterDays !== undefined
        ? describe(`kept ${tier.deleteAfterDays} days`, cold, cronExpression)
        : cold === undefined
          ? describe(`kept ${INDEFINITE_YEARS} years (the longest DLM accepts)`, undefined, cronExpression)
          : describe(`kept ${cold} days, then ${INDEFINITE_YEARS} years in the snapshot archive (the longest DLM accepts)`, undefined, cronExpression),
    };
  }

  /**
   * `<region>/<stack name>/<path in the stack>`: a stack name is unique in its account and
   * region, and only snapshots of the account are looked at, so no other construct (a
   * standby copy of the stack in the copy region included) has the same value. A path too
   * long for the 256 characters of a tag value is cut and ends with a hash of the whole path.
   */
  private snapshotTagValue(): string {
    const stack = Stack.of(this);
    const path = this.node.path.slice(stack.node.path.length + 1);
    const regionLength = Token.isUnresolved(stack.region) ? UNRESOLVED_REGION_LENGTH : stack.region.length;
    const nameLength = Token.isUnresolved(stack.stackName) ? UNRESOLVED_STACK_NAME_LENGTH : stack.stackName.length;
    const room = MAX_TAG_VALUE_LENGTH - regionLength - nameLength - 2;
    const hash = createHash('sha256').update(path).digest('hex').slice(0, 16);
    const pathPart = path.length <= room ? path : `${path.slice(0, room - hash.length - 1)}~${hash}`;
    return `${stack.region}/${stack.stackName}/${pathPart}`;
  }

  /** The key `copyEncryptionKeys` names for a copy region: under that region at deploy, tokens included; one at most. */
  private copyKeyOf(region: string, keys: { [region: string]: string } | undefined): string | undefined {
    const stack = Stack.of(this);
    const names = Object.keys(keys ?? {}).filter((name) => equalityAtDeploy(stack, name, region) === 'same');
    if (names.length > 1) {
      throw new Error(`${this.node.path}: \`copyEncryptionKeys\` may name each copy region once, got ${names.map((n) => describeAtDeploy(stack, n)).join(' and ')} for the copy region ${describeAtDeploy(stack, region)}`);
    }
    return names.length === 0 ? undefined : keys![names[0]];
  }

  /** The CmkArn of a copy region (that of off-site copy `index`): DLM takes a key ARN only (no alias), of a key in that region. */
  private copyKeyArn(region: string, index: number, key: string | undefined): string | undefined {
    const stack = Stack.of(this);
    const where = describeAtDeploy(stack, region);
    const prop = Token.isUnresolved(region) ? `the \`copyEncryptionKeys\` entry for ${where}` : `\`copyEncryptionKeys.${region}\``;
    if (key !== undefined && Token.isUnresolved(key)) {
      warnUncheckedToken(this, `copyEncryptionKeys.${region}`, `that it is the ARN of a KMS key in ${where} (not an alias)`,
        'Data Lifecycle Manager receives it as it is and decides whether it can encrypt the copies with it', Token.isUnresolved(region) ? prop : undefined);
    }
    if (key === undefined || Token.isUnresolved(key)) {
      return key;
    }
    if (key.startsWith('alias/') || key.includes(':alias/')) {
      const inRegion = Token.isUnresolved(region) ? '' : ` --region ${region}`;
      throw new Error(`${this.node.path}: ${prop} must be a key ARN (Data Lifecycle Manager does not accept aliases; \`aws kms describe-key${inRegion} --key-id ${key}\` prints it), got '${key}'`);
    }
    const match = /^arn:[a-z-]+:kms:([a-z0-9-]+):\d{12}:key\/.+$/.exec(key);
    if (!match) {
      throw new Error(`${this.node.path}: ${prop} must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), got '${key}'`);
    }
    const keyRegion = equalityAtDeploy(stack, match[1], region);
    if (keyRegion === 'different') {
      throw new Error(`${this.node.path}: ${prop} must be a key in ${where}, got a key in ${match[1]}: '${key}'`);
    }
    if (keyRegion === 'unknown') {
      warnUncheckedToken(this, 'copyEncryptionKeys', `that the \`copyEncryptionKeys\` entry for it is a key in it (it is a key in ${match[1]})`,
        'Data Lifecycle Manager receives the key as it is and decides whether it can encrypt the copies with it', `the region of off-site copy ${index + 1}`);
    }
    return key;
  }

  private createRole(props: EbsSnapshotPolicyProps, copyKeys: Array<{ region: string; key?: string }>): iam.Role {
    const stack = Stack.of(this);
    const partition = stack.partition;
    const snapshots = `arn:${partition}:ec2:*::snapshot/*`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'Describe',
        actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots', 'ec2:DescribeFastSnapshotRestores', 'ec2:DescribeSnapshotAttribute', 'ec2:DescribeSnapshotTierStatus'],
        resources: ['*'],
      }),
      // Snapshots only of the volumes that carry a target tag (one statement per tag: DLM ORs them).
      ...Object.entries(props.targetTags).map(([key, value], i) => new iam.PolicyStatement({
        sid: `SnapshotTaggedVolumes${i + 1}`,
        actions: ['ec2:CreateSnapshot'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
        conditions: { StringEquals: { [`aws:ResourceTag/${key}`]: value } },
      })),
      // CreateTags without an ec2:CreateAction condition, as AWS's AWSDataLifecycleManagerServiceRole
      // grants it (v10): AWS does not document that DLM tags snapshots only while creating or copying them.
      new iam.PolicyStatement({
        sid: 'CreateAndCopySnapshots',
        actions: ['ec2:CreateSnapshot', 'ec2:CopySnapshot', 'ec2:CreateTags'],
        resources: [snapshots],
      }),
      // Only snapshots that Data Lifecycle Manager made may be deleted, archived or restored fast.
      new iam.PolicyStatement({
        sid: 'ManageLifecycleSnapshots',
        actions: ['ec2:DeleteSnapshot', 'ec2:ModifySnapshotTier', 'ec2:ModifySnapshotAttribute', 'ec2:EnableFastSnapshotRestores', 'ec2:DisableFastSnapshotRestores'],
        resources: [snapshots],
        conditions: { StringLike: { 'aws:ResourceTag/aws:dlm:lifecycle-policy-id': 'policy-*' } },
      }),
    ];
    const keyActions = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'];
    const keyArns = (props.volumeEncryptionKeys ?? []).map((k) => k.keyArn);
    for (const { key } of copyKeys) {
      if (key !== undefined) {
        keyArns.push(key);
      }
    }
    if (keyArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({ sid: 'UseVolumeAndCopyKeys', actions: keyActions, resources: keyArns }),
        new iam.PolicyStatement({ sid: 'GrantVolumeAndCopyKeysToEbs', actions: ['kms:CreateGrant'], resources: keyArns, conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
      );
    }
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com'),
      description: fitPathDescription(`Data Lifecycle Manager runs the EBS snapshot policies of ${this.node.path}`, this.node.path, RULES.ROLE),
    });
    const managedPolicy = new iam.ManagedPolicy(this, 'RolePolicy', {
      description: 'Snapshots of the tagged volumes only; deletes and archives only snapshots that Data Lifecycle Manager made',
      statements,
    });
    role.addManagedPolicy(managedPolicy);
    const arnPart = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const partitionPart = arnPart(stack.partition, '<AWS::Partition>');
    Validations.of(managedPolicy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'The EC2 Describe* actions Data Lifecycle Manager needs do not support resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partitionPart}:ec2:${arnPart(stack.region, '<AWS::Region>')}:${arnPart(stack.account, '<AWS::AccountId>')}:volume/*]`,
        reason: 'Volume ids are not known: Data Lifecycle Manager selects volumes by tag, and CreateSnapshot on a volume is allowed only when the volume carries a target tag.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:${partitionPart}:ec2:*::snapshot/*]`,
        reason: 'Snapshot ids are not known before Data Lifecycle Manager creates them, in this region and the copy regions; deletes and archives are limited to snapshots tagged with a DLM policy id.',
      },
    );
    return role;
  }
}
