/**
 * Compiles each preset into an AWS Backup plan and EBS snapshot lifecycle policies and
 * checks every generated number (hours, days, counts, cron expressions) against the policy
 * and against the numbers the presets document.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ArchiveFrequency, RetentionPolicy } from '../../lib/policy/retention-policy';
import { EbsSnapshotPolicy } from '../../lib/snapshots/ebs-snapshot-policy';
import { BackupVaults } from '../../lib/vault/backup-vaults';

/** CloudFormation template JSON, untyped. */
type Json = ReturnType<typeof JSON.parse>;

/** One tier as the presets document it. */
interface ExpectedTier {
  readonly name: string;
  readonly cron: string;
  /** AWS Backup DeleteAfterDays; undefined = kept indefinitely. */
  readonly days?: number;
  readonly coldDays?: number;
  readonly vault: 'Vault' | 'ArchiveVault';
}

const ARCHIVE_CRONS: Record<ArchiveFrequency, string> = {
  [ArchiveFrequency.WEEKLY]: 'cron(0 3 ? * SUN *)',
  [ArchiveFrequency.FORTNIGHTLY]: 'cron(0 3 1,15 * ? *)',
  [ArchiveFrequency.MONTHLY]: 'cron(0 3 L * ? *)',
  [ArchiveFrequency.QUARTERLY]: 'cron(0 3 L 3,6,9,12 ? *)',
  [ArchiveFrequency.HALF_YEARLY]: 'cron(0 3 L 6,12 ? *)',
  [ArchiveFrequency.YEARLY]: 'cron(0 3 31 12 ? *)',
};

const WEEKLY: ExpectedTier = { name: 'Weekly', cron: ARCHIVE_CRONS.WEEKLY, days: 35, vault: 'Vault' };
const FORTNIGHTLY: ExpectedTier = { name: 'Fortnightly', cron: ARCHIVE_CRONS.FORTNIGHTLY, days: 70, vault: 'Vault' };
const MONTHLY: ExpectedTier = { name: 'Monthly', cron: ARCHIVE_CRONS.MONTHLY, days: 365, vault: 'ArchiveVault' };
const QUARTERLY: ExpectedTier = { name: 'Quarterly', cron: ARCHIVE_CRONS.QUARTERLY, days: 731, coldDays: 90, vault: 'ArchiveVault' };
const HALF_YEARLY: ExpectedTier = { name: 'HalfYearly', cron: ARCHIVE_CRONS.HALF_YEARLY, days: 1827, coldDays: 90, vault: 'ArchiveVault' };
const YEARLY: ExpectedTier = { name: 'Yearly', cron: ARCHIVE_CRONS.YEARLY, coldDays: 90, vault: 'ArchiveVault' };

interface PresetCase {
  readonly name: string;
  readonly policy: RetentionPolicy;
  readonly intervalHours: number;
  readonly rollingCron: string;
  /** DLM count of rolling snapshots: 48 hours / interval. */
  readonly rollingCount: number;
  /** Times of the DLM rolling schedule (UTC). */
  readonly rollingTime: string;
  readonly archives: ExpectedTier[];
}

const offSiteCopies = [{ region: 'eu-central-1' }];
const CASES: PresetCase[] = [
  { name: 'rolling48Hours()', policy: RetentionPolicy.rolling48Hours({ offSiteCopies }), intervalHours: 1, rollingCron: 'cron(0 0/1 * * ? *)', rollingCount: 48, rollingTime: '00:00', archives: [] },
  { name: 'rolling48Hours(6 hours)', policy: RetentionPolicy.rolling48Hours({ offSiteCopies, rollingInterval: Duration.hours(6) }), intervalHours: 6, rollingCron: 'cron(0 3/6 * * ? *)', rollingCount: 8, rollingTime: '03:00', archives: [] },
  { name: 'rolling48Hours(24 hours)', policy: RetentionPolicy.rolling48Hours({ offSiteCopies, rollingInterval: Duration.hours(24) }), intervalHours: 24, rollingCron: 'cron(0 3 * * ? *)', rollingCount: 2, rollingTime: '03:00', archives: [] },
  { name: 'grandfatherFatherSon()', policy: RetentionPolicy.grandfatherFatherSon({ offSiteCopies }), intervalHours: 1, rollingCron: 'cron(0 0/1 * * ? *)', rollingCount: 48, rollingTime: '00:00', archives: [WEEKLY, MONTHLY, YEARLY] },
  { name: 'grandfatherFatherSon(12 hours)', policy: RetentionPolicy.grandfatherFatherSon({ offSiteCopies, rollingInterval: Duration.hours(12) }), intervalHours: 12, rollingCron: 'cron(0 3/12 * * ? *)', rollingCount: 4, rollingTime: '03:00', archives: [WEEKLY, MONTHLY, YEARLY] },
  { name: 'fullLadder()', policy: RetentionPolicy.fullLadder({ offSiteCopies }), intervalHours: 1, rollingCron: 'cron(0 0/1 * * ? *)', rollingCount: 48, rollingTime: '00:00', archives: [WEEKLY, FORTNIGHTLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY] },
  { name: 'fullLadder(4 hours)', policy: RetentionPolicy.fullLadder({ offSiteCopies, rollingInterval: Duration.hours(4) }), intervalHours: 4, rollingCron: 'cron(0 3/4 * * ? *)', rollingCount: 12, rollingTime: '03:00', archives: [WEEKLY, FORTNIGHTLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY] },
];

/** The policy's own numbers for a tier, to check the documented table against the value. */
function policyDays(policy: RetentionPolicy, name: string): { days?: number; coldDays?: number } {
  const tier = policy.archives.find((t) => ({ WEEKLY: 'Weekly', FORTNIGHTLY: 'Fortnightly', MONTHLY: 'Monthly', QUARTERLY: 'Quarterly', HALF_YEARLY: 'HalfYearly', YEARLY: 'Yearly' })[t.frequency] === name);
  return { days: tier?.retention?.toDays(), coldDays: tier?.moveToColdStorageAfter?.toDays() };
}

describe.each(CASES)('preset $name', (c) => {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new BackupVaults(stack, 'Backup', { policy: c.policy });
  new EbsSnapshotPolicy(stack, 'Snapshots', { policy: c.policy, targetTags: { backup: 'tiers' } });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
  const plan = Object.values(resources).find((r) => r.Type === 'AWS::Backup::BackupPlan')!.Properties.BackupPlan;
  const rules: Record<string, Json> = Object.fromEntries(plan.BackupPlanRule.map((r: Json) => [r.RuleName, r]));
  const dlmPolicies = Object.values(resources).filter((r) => r.Type === 'AWS::DLM::LifecyclePolicy');
  const schedules: Record<string, Json> = Object.fromEntries(dlmPolicies.flatMap((p) => p.Properties.PolicyDetails.Schedules).map((s: Json) => [s.Name, s]));
  const vaultLogicalId = (id: string) => Object.keys(resources).find((k) => k.startsWith(`Backup${id}`) && resources[k].Type === 'AWS::Backup::BackupVault')!;
  const offSiteVault = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:eu-central-1:123456789012:backup-vault:cdk-backup-dr-offsite']] };

  test('the documented numbers are the policy\'s numbers', () => {
    expect(c.policy.rollingInterval.toHours()).toBe(c.intervalHours);
    expect(c.policy.rollingRetention.toHours()).toBe(48);
    expect(c.rollingCount * c.intervalHours).toBe(48);
    expect(c.policy.archives.length).toBe(c.archives.length);
    for (const tier of c.archives) {
      expect(policyDays(c.policy, tier.name)).toEqual({ days: tier.days, coldDays: tier.coldDays });
    }
  });

  test('AWS Backup: one rule per tier, nothing else', () => {
    expect(Object.keys(rules).sort()).toEqual(['Rolling', ...c.archives.map((t) => t.name)].sort());
  });

  test('AWS Backup rolling rule: every interval, kept 2 days, copied off site for 2 days', () => {
    const rule = rules.Rolling;
    expect(rule.ScheduleExpression).toBe(c.rollingCron);
    expect(rule.ScheduleExpressionTimezone).toBe('Etc/UTC');
    expect(rule.Lifecycle).toEqual({ DeleteAfterDays: 2 });
    expect(rule.StartWindowMinutes).toBe(60);
    expect(rule.CompletionWindowMinutes).toBe(Math.max(2, c.intervalHours) * 60);
    expect(rule.TargetBackupVault).toEqual({ 'Fn::GetAtt': [vaultLogicalId('Vault'), 'BackupVaultName'] });
    expect(rule.CopyActions).toEqual([{ DestinationBackupVaultArn: offSiteVault, Lifecycle: { DeleteAfterDays: 2 } }]);
  });

  for (const tier of c.archives) test(`AWS Backup ${tier.name} rule`, () => {
    const rule = rules[tier.name];
    expect(rule.ScheduleExpression).toBe(tier.cron);
    expect(rule.StartWindowMinutes).toBe(120);
    expect(rule.CompletionWindowMinutes).toBe(7 * 24 * 60);
    const lifecycle: Record<string, number> = {};
    if (tier.days !== undefined) lifecycle.DeleteAfterDays = tier.days;
    if (tier.coldDays !== undefined) lifecycle.MoveToColdStorageAfterDays = tier.coldDays;
    expect(rule.Lifecycle).toEqual(lifecycle);
    expect(rule.TargetBackupVault).toEqual({ 'Fn::GetAtt': [vaultLogicalId(tier.vault), 'BackupVaultName'] });
    expect(rule.CopyActions).toEqual([{ DestinationBackupVaultArn: offSiteVault, Lifecycle: lifecycle }]);
    expect(rule.RecoveryPointTags).toEqual({ 'cdk-backup-dr:tier': tier.name });
  });

  test('DLM: at most 4 schedules per policy, split in order, every tier once', () => {
    expect(dlmPolicies.length).toBe(Math.ceil((1 + c.archives.length) / 4));
    const names = dlmPolicies.flatMap((p) => p.Properties.PolicyDetails.Schedules.map((s: Json) => s.Name));
    expect(names).toEqual(['Rolling', ...c.archives.map((t) => t.name)]);
    for (const p of dlmPolicies) {
      expect(p.Properties.PolicyDetails.Schedules.length).toBeLessThanOrEqual(4);
    }
  });

  test('DLM rolling schedule: count-based, exactly 48 hours', () => {
    const s = schedules.Rolling;
    expect(s.CreateRule).toEqual({ Interval: c.intervalHours, IntervalUnit: 'HOURS', Times: [c.rollingTime] });
    expect(s.RetainRule).toEqual({ Count: c.rollingCount });
    expect(s.CrossRegionCopyRules).toEqual([{ Target: 'eu-central-1', Encrypted: true, CopyTags: true, RetainRule: { Interval: 2, IntervalUnit: 'DAYS' } }]);
  });

  for (const tier of c.archives) test(`DLM ${tier.name} schedule`, () => {
    const s = schedules[tier.name];
    // Each archive schedule at its own minute past the hour, so that DLM never merges two of them (or one with the rolling tier).
    const minute = { Weekly: 5, Fortnightly: 10, Monthly: 15, Quarterly: 20, HalfYearly: 25, Yearly: 30 }[tier.name];
    expect(tier.cron).toMatch(/^cron\(0 /);
    expect(s.CreateRule).toEqual({ CronExpression: tier.cron.replace(/^cron\(0 /, `cron(${minute} `) });
    const archivable = ['Monthly', 'Quarterly', 'HalfYearly', 'Yearly'].includes(tier.name);
    const cold = archivable ? tier.coldDays : undefined;
    if (cold === undefined) {
      expect(s.RetainRule).toEqual(tier.days === undefined ? { Interval: 100, IntervalUnit: 'YEARS' } : { Interval: tier.days, IntervalUnit: 'DAYS' });
      expect(s.ArchiveRule).toBeUndefined();
    } else {
      expect(s.RetainRule).toEqual({ Interval: cold, IntervalUnit: 'DAYS' });
      expect(s.ArchiveRule).toEqual({
        RetainRule: { RetentionArchiveTier: tier.days === undefined ? { Interval: 100, IntervalUnit: 'YEARS' } : { Interval: tier.days - cold, IntervalUnit: 'DAYS' } },
      });
      if (tier.days !== undefined) {
        expect(tier.days - cold).toBeGreaterThanOrEqual(90);
      }
    }
    expect(s.CrossRegionCopyRules).toEqual([{
      Target: 'eu-central-1', Encrypted: true, CopyTags: true,
      RetainRule: tier.days === undefined ? { Interval: 100, IntervalUnit: 'YEARS' } : { Interval: tier.days, IntervalUnit: 'DAYS' },
    }]);
    expect(s.TagsToAdd).toEqual([{ Key: 'cdk-backup-dr:tier', Value: tier.name }, { Key: 'cdk-backup-dr:snapshot-policy', Value: 'eu-west-1/Stack/Snapshots' }]);
  });
});

describe('calendar options', () => {
  test('without month-end and year-end copies the calendar tiers run on the 1st', () => {
    const policy = RetentionPolicy.of({
      monthEnd: false,
      yearEnd: false,
      window: { startHour: 1 },
      archives: [
        { frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(31) },
        { frequency: ArchiveFrequency.QUARTERLY, retention: Duration.days(92) },
        { frequency: ArchiveFrequency.HALF_YEARLY, retention: Duration.days(184) },
        { frequency: ArchiveFrequency.YEARLY, retention: Duration.days(366) },
      ],
    });
    const stack = new Stack(new App(), 'Stack');
    new BackupVaults(stack, 'Backup', { policy });
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupPlan'))[0].Properties.BackupPlan.BackupPlanRule;
    expect(Object.fromEntries(rules.map((r: Json) => [r.RuleName, r.ScheduleExpression]))).toEqual({
      Rolling: 'cron(0 0/1 * * ? *)',
      Monthly: 'cron(0 1 1 * ? *)',
      Quarterly: 'cron(0 1 1 1,4,7,10 ? *)',
      HalfYearly: 'cron(0 1 1 1,7 ? *)',
      Yearly: 'cron(0 1 1 1 ? *)',
    });
  });
});
