// Internal: checks a RetentionPolicy and turns it into numbers and cron expressions that
// the AWS Backup plan and the EBS snapshot policies share. Not part of the public API.
import { Duration, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACCOUNT_ID, REGION_NAME } from '../private/aws-identifiers';
import { describeAtDeploy, DeployTimeEquality, equalityAtDeploy } from '../private/deploy-time-equality';
import { warnUncheckedToken } from '../private/unchecked-token';
import { ArchiveFrequency, OffSiteCopy, RetentionPolicy } from './retention-policy';

/**
 * Rolling intervals that AWS Data Lifecycle Manager accepts (hours). The shortest is also the
 * most often AWS Backup runs a rule ("as frequently as hourly", AWS Backup Developer Guide):
 * the policy takes no cron expression, so no tier can run more often.
 */
export const ALLOWED_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24];
/** AWS Backup and EBS Snapshots Archive keep a copy at least this many days in cold storage. */
export const MIN_COLD_STORAGE_DAYS = 90;
/** Cross-region copy destinations AWS allows per EBS snapshot schedule. */
export const MAX_COPY_REGIONS = 3;

/** The longest time between two copies of each archive tier (days). */
export const MAX_GAP_DAYS: Record<ArchiveFrequency, number> = {
  [ArchiveFrequency.WEEKLY]: 7,
  [ArchiveFrequency.FORTNIGHTLY]: 17,
  [ArchiveFrequency.MONTHLY]: 31,
  [ArchiveFrequency.QUARTERLY]: 92,
  [ArchiveFrequency.HALF_YEARLY]: 184,
  [ArchiveFrequency.YEARLY]: 366,
};

const TIER_NAMES: Record<ArchiveFrequency, string> = {
  [ArchiveFrequency.WEEKLY]: 'Weekly',
  [ArchiveFrequency.FORTNIGHTLY]: 'Fortnightly',
  [ArchiveFrequency.MONTHLY]: 'Monthly',
  [ArchiveFrequency.QUARTERLY]: 'Quarterly',
  [ArchiveFrequency.HALF_YEARLY]: 'HalfYearly',
  [ArchiveFrequency.YEARLY]: 'Yearly',
};

/** One tier with every number resolved. */
export interface CompiledTier {
  /** `Rolling`, `Weekly`, ..., `Yearly`. */
  readonly name: string;
  /** Undefined for the rolling tier. */
  readonly frequency?: ArchiveFrequency;
  /** The tier's schedule as `cron(minute hour day-of-month month day-of-week year)`. */
  readonly cron: string;
  /** Rolling tier only: hours between copies. */
  readonly intervalHours?: number;
  /** Rolling tier only: retention in hours. */
  readonly retentionHours?: number;
  /** Retention in whole days (rolling: rounded up); undefined when kept indefinitely. */
  readonly deleteAfterDays?: number;
  /** Days until cold storage; undefined when the tier stays warm. */
  readonly coldAfterDays?: number;
  /** Whether copies of this tier go off site. */
  readonly offSite: boolean;
}

/** The limits of a vault lock, as the checks need them. */
export interface LockLimits {
  readonly minRetention?: Duration;
  readonly maxRetention?: Duration;
}

/** Whole minutes of a duration, or undefined when it is an unresolved token. */
function minutes(d: Duration | undefined): number | undefined {
  if (d === undefined || d.isUnresolved()) {
    return undefined;
  }
  return d.toMinutes({ integral: false });
}

/** A duration in hours when it is whole hours (`24 hours`, not `1 day`), else as CDK says it. */
function inHours(d: Duration): string {
  const m = d.toMinutes({ integral: false });
  return m % 60 === 0 ? `${m / 60} ${m === 60 ? 'hour' : 'hours'}` : d.toHumanString();
}

/** A duration in days when it is whole days, else as CDK says it. */
function inDays(d: Duration): string {
  const m = d.toMinutes({ integral: false });
  return m % 1440 === 0 ? `${m / 1440} ${m === 1440 ? 'day' : 'days'}` : d.toHumanString();
}

function fail(path: string, prop: string, message: string): never {
  throw new Error(`${path}: \`${prop}\` ${message}`);
}

/**
 * Fails when `d` is a token in another unit than `unit`: CDK passes a token to CloudFormation
 * only in the unit it was given in (`Duration.days(token)` for a property in days).
 */
export function failOnTokenInOtherUnit(path: string, prop: string, d: Duration, unit: 'minutes' | 'days', concrete: string): void {
  if (d.isUnresolved() && d.unitLabel() !== unit) {
    const given = `Duration.${d.unitLabel()}(token)`;
    fail(path, prop, `must be ${concrete}, or a token given in ${unit} (\`Duration.${unit}(token)\`, which AWS Backup receives as it is), got ${given}`);
  }
}

/** The durations of a policy that the consumer hands to AWS Backup as they are. */
export interface PassedToAwsBackup {
  /** `window.duration`, as the start window of the archive tiers or of point-in-time recovery. */
  readonly windowDuration?: boolean;
  /** `pointInTimeRecovery`, as the retention of continuous backups. */
  readonly pointInTimeRecovery?: boolean;
}

/**
 * Checks the policy on its own; `scope` is the construct that consumes it and `prop` the
 * name of the prop that holds it. Throws with the first problem found; warns about each
 * duration in `passed` whose range check a token kept from running.
 */
export function validatePolicy(scope: IConstruct, prop: string, policy: RetentionPolicy, passed: PassedToAwsBackup = {}): void {
  const path = scope.node.path;
  // The schedules are computed at synth (`rollingCron`, DLM's times): a token would be lost in them.
  if (policy.rollingInterval.isUnresolved()) {
    fail(path, `${prop}.rolling.interval`, `must be a concrete duration, one of ${ALLOWED_INTERVAL_HOURS.join(', ')} hours (the rolling tier's cron expression is computed from it at synth), got an unresolved token`);
  }
  if (Token.isUnresolved(policy.windowStartHour)) {
    fail(path, `${prop}.window.startHour`, 'must be a concrete whole hour from 0 to 23 (the cron expressions of every tier are computed from it at synth), got an unresolved token');
  }
  // Retentions and cold storage feed DLM's snapshot count, its archive retention, AWS Backup's
  // days and the lock checks, all computed at synth: a token would be lost (or become a huge
  // negative number) in them.
  if (policy.rollingRetention.isUnresolved()) {
    fail(path, `${prop}.rolling.retention`, 'must be a concrete duration, a whole number of hours (AWS Backup\'s retention in days and DLM\'s snapshot count are computed from it at synth), got an unresolved token');
  }
  for (const tier of policy.archives) {
    if (tier.retention?.isUnresolved()) {
      fail(path, `${prop}.archives[${tier.frequency}].retention`, 'must be a concrete duration, a whole number of days (the checks against the tier\'s frequency, cold storage and the vault lock, and DLM\'s archive retention, are computed from it at synth), got an unresolved token');
    }
    if (tier.moveToColdStorageAfter?.isUnresolved()) {
      fail(path, `${prop}.archives[${tier.frequency}].moveToColdStorageAfter`, `must be a concrete duration, a whole number of days (the ${MIN_COLD_STORAGE_DAYS} days in cold storage are checked and DLM's archive retention is computed from it at synth), got an unresolved token`);
    }
  }
  // AWS Backup takes these two as they are: a token passes through when given in the unit of
  // the CloudFormation property; CDK cannot convert a token from another unit.
  failOnTokenInOtherUnit(path, `${prop}.window.duration`, policy.windowDuration, 'minutes', 'a concrete duration of 1 to 24 hours');
  failOnTokenInOtherUnit(path, `${prop}.pointInTimeRecovery`, policy.pointInTimeRecovery, 'days', 'a concrete duration of 1 to 35 whole days');
  if (passed.windowDuration && policy.windowDuration.isUnresolved()) {
    warnUncheckedToken(scope, `${prop}.window.duration`, 'that it is 1 to 24 hours',
      'AWS Backup receives it as the start window in minutes and decides at deploy: it refuses less than 60 minutes and accepts up to 100 years');
  }
  if (passed.pointInTimeRecovery && policy.pointInTimeRecovery.isUnresolved()) {
    warnUncheckedToken(scope, `${prop}.pointInTimeRecovery`, 'that it is 1 to 35 days',
      'AWS Backup receives it as the continuous backup retention in days and decides at deploy whether it accepts it');
  }
  const interval = minutes(policy.rollingInterval);
  if (interval !== undefined && (interval % 60 !== 0 || !ALLOWED_INTERVAL_HOURS.includes(interval / 60))) {
    fail(path, `${prop}.rolling.interval`, `must be one of ${ALLOWED_INTERVAL_HOURS.join(', ')} hours (the intervals AWS allows), got ${inHours(policy.rollingInterval)}`);
  }
  const retention = minutes(policy.rollingRetention);
  if (retention !== undefined) {
    if (retention % 60 !== 0) {
      fail(path, `${prop}.rolling.retention`, `must be a whole number of hours, got ${policy.rollingRetention.toHumanString()}`);
    }
    if (interval !== undefined && retention < interval) {
      fail(path, `${prop}.rolling.retention`, `must be at least the interval (${inHours(policy.rollingInterval)}), got ${inHours(policy.rollingRetention)}`);
    }
  }

  const seen = new Set<ArchiveFrequency>();
  const frequencies = Object.values(ArchiveFrequency);
  for (const tier of policy.archives) {
    const name = `${prop}.archives[${tier.frequency}]`;
    if (!frequencies.includes(tier.frequency)) {
      fail(path, `${name}.frequency`, `must be one of ${frequencies.join(', ')}, got ${JSON.stringify(tier.frequency)?.replace(/"/g, "'")}`);
    }
    if (seen.has(tier.frequency)) {
      fail(path, `${prop}.archives`, `may hold one tier per frequency, got ${tier.frequency} twice`);
    }
    seen.add(tier.frequency);
    if (tier.keepIndefinitely) {
      if (tier.frequency !== ArchiveFrequency.YEARLY) {
        fail(path, `${name}.keepIndefinitely`, `is allowed for the YEARLY tier only, got true for ${tier.frequency}`);
      }
      if (tier.retention !== undefined) {
        fail(path, `${name}.retention`, `must be left out when \`keepIndefinitely\` is true, got ${inDays(tier.retention)}`);
      }
    } else if (tier.retention === undefined) {
      fail(path, `${name}.retention`, 'is required unless `keepIndefinitely` is true, got nothing');
    }
    const days = minutes(tier.retention);
    if (days !== undefined) {
      if (days % 1440 !== 0) {
        fail(path, `${name}.retention`, `must be a whole number of days, got ${inDays(tier.retention!)}`);
      }
      const gap = MAX_GAP_DAYS[tier.frequency];
      if (days / 1440 < gap) {
        fail(path, `${name}.retention`, `must be at least ${gap} days so that a copy does not expire before the next ${tier.frequency} copy is taken, got ${inDays(tier.retention!)}`);
      }
    }
    const cold = minutes(tier.moveToColdStorageAfter);
    if (cold !== undefined) {
      if (cold % 1440 !== 0 || cold < 1440) {
        fail(path, `${name}.moveToColdStorageAfter`, `must be a whole number of days, at least 1 day, got ${tier.moveToColdStorageAfter!.toHumanString()}`);
      }
      if (days !== undefined && days - cold < MIN_COLD_STORAGE_DAYS * 1440) {
        fail(path, `${name}.moveToColdStorageAfter`, `must leave at least ${MIN_COLD_STORAGE_DAYS} days in cold storage before deletion (AWS minimum): retention is ${days / 1440} days, got cold storage after ${cold / 1440} days`);
      }
    }
  }

  const start = policy.windowStartHour;
  if (!Number.isInteger(start) || start < 0 || start > 23) {
    fail(path, `${prop}.window.startHour`, `must be a whole hour from 0 to 23, got ${start}`);
  }
  const windowMinutes = minutes(policy.windowDuration);
  if (windowMinutes !== undefined && (windowMinutes < 60 || windowMinutes > 1440)) {
    fail(path, `${prop}.window.duration`, `must be 1 to 24 hours, got ${inHours(policy.windowDuration)}`);
  }

  checkOffSiteDestinations(scope, `${prop}.offSiteCopies`, policy.offSiteCopies);

  const pitr = minutes(policy.pointInTimeRecovery);
  if (pitr !== undefined && (pitr % 1440 !== 0 || pitr < 1440 || pitr > 35 * 1440)) {
    fail(path, `${prop}.pointInTimeRecovery`, `must be 1 to 35 whole days (AWS Backup continuous backup), got ${inDays(policy.pointInTimeRecovery)}`);
  }
}

/**
 * Fails when two off-site copies provably go to one vault (the same region and account at
 * deploy; a copy without an account goes to the stack's), or when more than
 * `MAX_COPY_REGIONS` regions are provably different; warns where tokens keep synth from telling.
 */
function checkOffSiteDestinations(scope: IConstruct, prop: string, copies: readonly OffSiteCopy[]): void {
  const path = scope.node.path;
  const stack = Stack.of(scope);
  // A token region or account is passed on as it is: AWS Backup refuses a malformed copy destination at deploy.
  copies.forEach((copy, index) => {
    if (!Token.isUnresolved(copy.region) && !REGION_NAME.test(copy.region)) {
      fail(path, `${prop}[${index}].region`, `must be an AWS region name such as 'eu-central-1', got '${copy.region}'`);
    }
    if (copy.account !== undefined && !Token.isUnresolved(copy.account) && !ACCOUNT_ID.test(copy.account)) {
      fail(path, `${prop}[${index}].account`, `must be a 12-digit AWS account ID (without dashes), got '${copy.account}'`);
    }
  });
  const accountOf = (copy: OffSiteCopy): string => copy.account ?? stack.account;
  for (let j = 1; j < copies.length; j++) {
    for (let i = 0; i < j; i++) {
      const region = equalityAtDeploy(stack, copies[i].region, copies[j].region);
      const account = equalityAtDeploy(stack, accountOf(copies[i]), accountOf(copies[j]));
      if (region === 'same' && account === 'same') {
        const named = copies[j].account ?? copies[i].account;
        const inAccount = named === undefined ? '' : ` in account ${describeAtDeploy(stack, named)}`;
        const leftOut = named !== undefined && (copies[i].account === undefined || copies[j].account === undefined) ? ' (a copy without an account goes to the stack\'s)' : '';
        fail(path, prop, `may name each region and account once (a second copy to the same vault is the same copy), got ${describeAtDeploy(stack, copies[j].region)}${inAccount} twice${leftOut}`);
      }
      if (region !== 'different' && account !== 'different') {
        warnUncheckedToken(scope, prop, `of \`${prop}\` that copies ${i + 1} and ${j + 1} go to different vaults (each region and account named once)`,
          'both copies are passed on as they are: when they resolve to the same region and account, the same vault receives two copies, or AWS refuses the second at deploy',
          unresolvedParts(stack, copies, [i, j], { region, account }));
      }
    }
  }
  const regions = distinctRegions(stack, copies.map((c) => c.region));
  const provablyDistinct = regions.filter((r) => !Token.isUnresolved(r)).length;
  if (provablyDistinct > MAX_COPY_REGIONS) {
    fail(path, prop, `may name at most ${MAX_COPY_REGIONS} regions (the AWS limit for copies), got ${regions.length}: ${regions.map((r) => describeAtDeploy(stack, r)).join(', ')}`);
  }
  if (regions.length > MAX_COPY_REGIONS) {
    warnUncheckedToken(scope, prop, `of \`${prop}\` that it names at most ${MAX_COPY_REGIONS} regions (the AWS limit for copies)`,
      `it names ${regions.length} regions if every token resolves to a region of its own, and AWS refuses more than ${MAX_COPY_REGIONS} at deploy`,
      'a region of an off-site copy');
  }
}

/** The regions, one of each group synth proves the same; a concrete one stands for its group when there is one. */
function distinctRegions(stack: Stack, regions: readonly string[]): string[] {
  const groups: string[] = [];
  for (const region of regions) {
    const index = groups.findIndex((g) => equalityAtDeploy(stack, g, region) === 'same');
    if (index < 0) {
      groups.push(region);
    } else if (Token.isUnresolved(groups[index]) && !Token.isUnresolved(region)) {
      groups[index] = region;
    }
  }
  return groups;
}

/** What keeps synth from telling two copies apart, for the warning: `the region of off-site copy 2`, ... */
function unresolvedParts(stack: Stack, copies: readonly OffSiteCopy[], pair: number[], unknown: { region: DeployTimeEquality; account: DeployTimeEquality }): string {
  const parts: string[] = [];
  for (const [field, equality] of [['region', unknown.region], ['account', unknown.account]] as const) {
    if (equality !== 'unknown') {
      continue;
    }
    for (const index of pair) {
      const value = field === 'region' ? copies[index].region : copies[index].account;
      if (value === undefined && Token.isUnresolved(stack.account) && !parts.includes(STACK_ACCOUNT)) {
        parts.push(STACK_ACCOUNT);
      } else if (value !== undefined && Token.isUnresolved(value)) {
        parts.push(`the ${field} of off-site copy ${index + 1}`);
      }
    }
  }
  return parts.length === 1 ? parts[0] : `each of ${parts.join(' and ')}`;
}

const STACK_ACCOUNT = 'the stack\'s account (an environment-agnostic stack)';

/** What a locked vault holds, for `validateAgainstLock`. */
export interface LockedVaultContents {
  /** The tiers whose copies the vault holds. */
  readonly tiers: CompiledTier[];
  /**
   * Whether the vault holds continuous backups, kept `policy.pointInTimeRecovery`. They stay
   * in the vault of their plan: no copy of them goes off site.
   */
  readonly continuousBackups: boolean;
}

/**
 * Checks the retention of everything a vault holds against its lock: no tier (nor the
 * continuous backups, when it holds them) shorter than the lock's minimum, none longer than
 * its maximum, and no indefinite tier under a lock with a maximum.
 */
export function validateAgainstLock(scope: IConstruct, lockProp: string, policy: RetentionPolicy, lock: LockLimits, contents: LockedVaultContents): void {
  const path = scope.node.path;
  const min = minutes(lock.minRetention);
  const max = minutes(lock.maxRetention);
  const retentions: Array<{ name: string; days?: number }> = contents.tiers.map((t) => ({ name: t.name, days: t.deleteAfterDays }));
  const pitr = minutes(policy.pointInTimeRecovery);
  if (contents.continuousBackups && pitr !== undefined) {
    retentions.push({ name: 'PointInTime', days: pitr / 1440 });
  }
  warnOnUncheckedLock(scope, lockProp, policy, lock, contents);
  for (const tier of retentions) {
    if (tier.days === undefined) {
      if (max !== undefined) {
        fail(path, `${lockProp}.maxRetention`, `forbids the ${tier.name} tier's indefinite retention: remove the lock's maximum or give the tier a retention, got a maximum of ${inDays(lock.maxRetention!)}`);
      }
      continue;
    }
    if (max !== undefined && tier.days * 1440 > max) {
      fail(path, `${lockProp}.maxRetention`, `must be at least the ${tier.name} tier's retention (${tier.days} days), got ${inDays(lock.maxRetention!)}`);
    }
    if (min !== undefined && tier.days * 1440 < min) {
      fail(path, `${lockProp}.minRetention`, `must be at most the ${tier.name} tier's retention (${tier.days} days), got ${inDays(lock.minRetention!)}`);
    }
  }
}

/** The vault lock stops, at run time, every backup or copy job whose retention is outside its limits. */
const LOCK_DECIDES_AT_RUN_TIME = 'the vault lock receives it as it is, and a backup or copy job whose retention is outside the lock\'s limits fails when it runs';

/** Warns about each check of `validateAgainstLock` that a token kept from running. */
function warnOnUncheckedLock(scope: IConstruct, lockProp: string, policy: RetentionPolicy, lock: LockLimits, contents: LockedVaultContents): void {
  const names = contents.tiers.map((t) => t.name);
  if (contents.continuousBackups) {
    names.push('PointInTime');
  }
  const held = `the retention of the ${names.join(', ')} tiers`;
  if (lock.minRetention?.isUnresolved()) {
    warnUncheckedToken(scope, `${lockProp}.minRetention`, `that it is at most ${held}`, LOCK_DECIDES_AT_RUN_TIME);
  }
  if (lock.maxRetention?.isUnresolved()) {
    warnUncheckedToken(scope, `${lockProp}.maxRetention`, `that it is at least ${held} (and that no tier is kept indefinitely)`, LOCK_DECIDES_AT_RUN_TIME);
  }
  if (contents.continuousBackups && policy.pointInTimeRecovery.isUnresolved() && (lock.minRetention !== undefined || lock.maxRetention !== undefined)) {
    warnUncheckedToken(scope, 'policy.pointInTimeRecovery', `against the limits of \`${lockProp}\``,
      'the vault lock receives the continuous backups as they are, and they fail when their retention is outside the lock\'s limits');
  }
}

/** The cron expression (AWS Backup and DLM syntax) of an archive tier. */
export function archiveCron(frequency: ArchiveFrequency, hour: number, monthEnd: boolean, yearEnd: boolean): string {
  switch (frequency) {
    case ArchiveFrequency.WEEKLY: return `cron(0 ${hour} ? * SUN *)`;
    case ArchiveFrequency.FORTNIGHTLY: return `cron(0 ${hour} 1,15 * ? *)`;
    case ArchiveFrequency.MONTHLY: return monthEnd ? `cron(0 ${hour} L * ? *)` : `cron(0 ${hour} 1 * ? *)`;
    case ArchiveFrequency.QUARTERLY: return monthEnd ? `cron(0 ${hour} L 3,6,9,12 ? *)` : `cron(0 ${hour} 1 1,4,7,10 ? *)`;
    case ArchiveFrequency.HALF_YEARLY: return monthEnd ? `cron(0 ${hour} L 6,12 ? *)` : `cron(0 ${hour} 1 1,7 ? *)`;
    case ArchiveFrequency.YEARLY: return yearEnd ? `cron(0 ${hour} 31 12 ? *)` : `cron(0 ${hour} 1 1 ? *)`;
  }
}

/** The cron expression of the rolling tier: every `intervalHours`, aligned to the start hour. */
export function rollingCron(intervalHours: number, startHour: number): string {
  if (intervalHours === 24) {
    return `cron(0 ${startHour} * * ? *)`;
  }
  return `cron(0 ${startHour % intervalHours}/${intervalHours} * * ? *)`;
}

/** Every tier of a validated policy, the rolling tier first. */
export function compileTiers(policy: RetentionPolicy): CompiledTier[] {
  const hour = policy.windowStartHour;
  const intervalHours = policy.rollingInterval.toHours();
  const retentionHours = policy.rollingRetention.toHours();
  const tiers: CompiledTier[] = [{
    name: 'Rolling',
    cron: rollingCron(intervalHours, hour),
    intervalHours,
    retentionHours,
    deleteAfterDays: Math.ceil(retentionHours / 24),
    offSite: policy.offSiteCopies.length > 0 && policy.copyRollingTierOffSite,
  }];
  for (const tier of policy.archives) {
    tiers.push({
      name: TIER_NAMES[tier.frequency],
      frequency: tier.frequency,
      cron: archiveCron(tier.frequency, hour, policy.monthEnd, policy.yearEnd),
      deleteAfterDays: tier.keepIndefinitely ? undefined : tier.retention!.toDays(),
      coldAfterDays: tier.moveToColdStorageAfter?.toDays(),
      offSite: policy.offSiteCopies.length > 0,
    });
  }
  return tiers;
}

/** What one service does with a compiled tier, where it differs from the policy. */
export interface RenderedTier {
  /** The time zone the service reads the tier's schedule in (`Etc/UTC`, `Europe/Berlin`). */
  readonly timeZone: string;
  /** How long the service keeps a copy, in its own words (`kept 2 days`, `kept 48 snapshots (48 hours)`). */
  readonly kept: string;
  /** Days until cold storage, when the service moves this tier's copies there. */
  readonly coldAfterDays?: number;
  /** Which copies the cold storage applies to, when not all (`where the resource type supports it ...`). */
  readonly coldStorageScope?: string;
  /** The places the service copies the tier to (`eu-central-1`, `eu-central-1 (account 210987654321)`); empty when none. */
  readonly copiedTo: string[];
}

/**
 * One line on a tier as a service renders it, for the `description` metadata the backup
 * report and auditors read: it says what the template does, which is not always what the
 * policy asked (AWS Backup keeps whole days, DLM keeps at most 100 years and archives only
 * monthly and rarer tiers).
 */
export function describeTier(tier: CompiledTier, rendered: RenderedTier): string {
  let when: string;
  if (tier.intervalHours !== undefined) {
    const start = /^cron\(0 (\d+)/.exec(tier.cron)?.[1] ?? '0';
    when = tier.intervalHours === 1 ? `every hour in ${rendered.timeZone}` : `every ${tier.intervalHours} hours from ${start.padStart(2, '0')}:00 in ${rendered.timeZone}`;
  } else {
    when = `${tier.cron} in ${rendered.timeZone}`;
  }
  const scope = rendered.coldStorageScope !== undefined ? ` ${rendered.coldStorageScope}` : '';
  const cold = rendered.coldAfterDays !== undefined ? `, cold storage after ${rendered.coldAfterDays} days${scope}` : '';
  const copies = rendered.copiedTo.length > 0 ? `, copied to ${rendered.copiedTo.join(' and ')}` : '';
  return `${tier.name} ${when} ${rendered.kept}${cold}${copies}`;
}
