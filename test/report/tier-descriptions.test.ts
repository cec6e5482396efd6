/**
 * The `description` metadata of a backup plan and of the EBS snapshot policies against the
 * template they describe: each tier's line says the retention, cold storage, copies and time
 * zone the synthesized template has, where that differs from what the policy asked.
 */
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import { ArchiveFrequency, RetentionPolicy } from '../../lib/policy/retention-policy';
import { EbsSnapshotPolicy } from '../../lib/snapshots/ebs-snapshot-policy';
import { BackupVaults } from '../../lib/vault/backup-vaults';

/** CloudFormation template JSON, untyped. */
type Json = ReturnType<typeof JSON.parse>;

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The line of each tier in a description, by tier name. */
function linesByTier(description: string): Map<string, string> {
  const body = description.includes(': ') && !description.startsWith('Rolling') ? description.slice(description.indexOf(': ') + 2) : description;
  return new Map(body.replace(/ \(part \d+ of \d+\)$/, '').split('; ').map((line) => [line.split(' ')[0], line]));
}

describe('EbsSnapshotPolicy descriptions say what each DLM schedule does', () => {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  new EbsSnapshotPolicy(stack, 'Snapshots', {
    policy: RetentionPolicy.of({
      rolling: { interval: Duration.hours(6), retention: Duration.hours(48) },
      archives: [
        // DLM archives no weekly snapshots: this cold storage is not applied.
        { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(190), moveToColdStorageAfter: Duration.days(100) },
        { frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(400), moveToColdStorageAfter: Duration.days(30) },
        { frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true },
      ],
      // Another account only: DLM copies nothing, AWS Backup does.
      offSiteCopies: [{ region: 'eu-central-1', account: '210987654321' }],
      timeZone: TimeZone.EUROPE_BERLIN,
    }),
    targetTags: { 'cdk-backup-dr:snapshots': 'tiers' },
  });
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::DLM::LifecyclePolicy'));
  const schedules: Json[] = policies.flatMap((p) => p.Properties.PolicyDetails.Schedules);
  const lines = new Map(policies.flatMap((p) => [...linesByTier(p.Metadata['cdk-backup-dr'].description)]));

  test.each(schedules.map((s) => [s.Name, s]))('%s', (name, schedule) => {
    const line = lines.get(name)!;
    expect(line).toBeDefined();
    // DLM reads cron expressions and start times in UTC, whatever the policy's zone.
    expect(line).toContain(' UTC ');
    expect(line).not.toContain('Europe/Berlin');
    expect(line.includes('copied to')).toBe(schedule.CrossRegionCopyRules !== undefined);
    expect(/cold storage|snapshot archive/.test(line)).toBe(schedule.ArchiveRule !== undefined);
    const retain = schedule.RetainRule;
    if (retain.Count !== undefined) {
      expect(line).toContain(`kept ${retain.Count} snapshots`);
    } else if (schedule.ArchiveRule === undefined) {
      expect(line).toContain(`kept ${retain.Interval} ${retain.IntervalUnit.toLowerCase()}`);
    } else {
      const archived = schedule.ArchiveRule.RetainRule.RetentionArchiveTier;
      const total = retain.Interval + archived.Interval;
      expect(archived.IntervalUnit).toEqual('DAYS');
      expect(line).toContain(`kept ${total} days, cold storage after ${retain.Interval} days`);
    }
    expect(line).not.toContain('indefinitely');
  });

  test('the tiers described are the tiers scheduled', () => {
    expect([...lines.keys()]).toEqual(schedules.map((s) => s.Name));
    expect(schedules.map((s) => s.Name)).toEqual(['Rolling', 'Weekly', 'Monthly', 'Yearly']);
  });
});

describe('BackupVaults descriptions say what each AWS Backup rule does', () => {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.of({
      rolling: { interval: Duration.hours(4), retention: Duration.hours(36) },
      archives: [
        { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(35) },
        { frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true, moveToColdStorageAfter: Duration.days(90) },
      ],
      timeZone: TimeZone.EUROPE_BERLIN,
      offSiteCopies: [{ region: 'eu-central-1' }],
      copyRollingTierOffSite: false,
    }),
    resources: [backup.BackupResource.fromArn('arn:aws:ec2:eu-west-1:123456789012:volume/vol-1')],
  });
  const plan = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupPlan'))[0];
  const rules: Json[] = plan.Properties.BackupPlan.BackupPlanRule;
  const lines = linesByTier(plan.Metadata['cdk-backup-dr'].description);

  test.each(rules.map((r) => [r.RuleName, r]))('%s', (name, rule) => {
    const line = lines.get(name)!;
    expect(line).toBeDefined();
    expect(line).toContain(`in ${rule.ScheduleExpressionTimezone}`);
    expect(line).toContain(rule.Lifecycle.DeleteAfterDays === undefined ? 'kept indefinitely' : `kept ${rule.Lifecycle.DeleteAfterDays} days`);
    // AWS Backup ignores cold storage for resource types that do not support it: the line must not promise it for every copy.
    expect(line.includes(`cold storage after ${rule.Lifecycle.MoveToColdStorageAfterDays} days where the resource type supports it (AWS Backup ignores it for others)`))
      .toBe(rule.Lifecycle.MoveToColdStorageAfterDays !== undefined);
    expect(line.includes('cold storage')).toBe(rule.Lifecycle.MoveToColdStorageAfterDays !== undefined);
    expect(line.includes('copied to eu-central-1')).toBe(rule.CopyActions !== undefined);
  });

  test('the 36-hour rolling tier is kept 2 days by AWS Backup, and its line says why', () => {
    expect(rules[0].Lifecycle).toEqual({ DeleteAfterDays: 2 });
    expect(lines.get('Rolling')).toEqual('Rolling every 4 hours from 03:00 in Europe/Berlin kept 2 days (36 hours rounded up to whole days)');
  });
});
