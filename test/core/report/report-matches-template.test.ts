/**
 * The report against the template it is read from: what the report says of each tier of a
 * `BackupVaults` plan is what the synthesized template holds (Template.fromStack), for a
 * policy that is not in UTC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { loadAssembly } from '../../../core/report/assembly';
import { ProtectedResource, ReportModel, buildReport } from '../../../core/report/model';
import { runsInYear } from '../../../core/report/overlap';
import { timelineSvg } from '../../../core/report/timeline';
import { ArchiveFrequency, RetentionPolicy } from '../../../lib/policy/retention-policy';
import { BackupVaults } from '../../../lib/vault/backup-vaults';
import { scheduledRestoreDrill } from './restore-drill';

const MINUTES_PER_DAY = 1440;
// Europe/Berlin is UTC+01:00 in January, UTC+02:00 in July.
const BERLIN_JANUARY_OFFSET_MINUTES = 60;
const BERLIN_JULY_OFFSET_MINUTES = 120;

let outdir: string;
let template: Template;
let model: ReportModel;
let table: ProtectedResource;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-report-template-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Zoned', { env: { account: '111111111111', region: 'eu-west-1' } });
  const orders = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  new BackupVaults(stack, 'Backup', {
    policy: RetentionPolicy.of({
      rolling: { interval: Duration.hours(6), retention: Duration.hours(48) },
      archives: [
        { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(35) },
        { frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) },
        { frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true, moveToColdStorageAfter: Duration.days(90) },
      ],
      window: { startHour: 3 },
      timeZone: TimeZone.EUROPE_BERLIN,
      offSiteCopies: [{ region: 'eu-central-1' }],
    }),
    resources: [backup.BackupResource.fromConstruct(orders)],
  });
  scheduledRestoreDrill(stack, [orders], 'cron(30 23 ? * SUN *)', 'Asia/Kolkata');
  app.synth();
  template = Template.fromStack(stack);
  model = buildReport(loadAssembly(outdir), { year: 2026 });
  table = model.resources.find((r) => r.path.startsWith('Zoned/Orders'))!;
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

interface LifecycleJson { DeleteAfterDays?: number; MoveToColdStorageAfterDays?: number }

/** What the report must say of a lifecycle: its retention, or none, and its cold storage. */
function expectRetentionOf(text: string, lifecycle: LifecycleJson | undefined): void {
  if (lifecycle?.DeleteAfterDays === undefined) {
    expect(text).toMatch(/^kept until deleted by hand/);
  } else {
    expect(text).toMatch(new RegExp(`^${lifecycle.DeleteAfterDays} days`));
  }
  if (lifecycle?.MoveToColdStorageAfterDays === undefined) {
    expect(text).not.toMatch(/cold storage/);
  } else {
    // AWS Backup ignores cold storage for resource types that do not support it, and the selection may hold such types.
    expect(text).toContain(`cold storage after ${lifecycle.MoveToColdStorageAfterDays} days where the resource type supports it (AWS Backup ignores it for others)`);
  }
}

describe('the report of a BackupVaults plan in Europe/Berlin', () => {
  test('each rule\'s retention, cold storage and copies are the template\'s, the indefinite yearly tier\'s cold storage included', () => {
    const plan = Object.values(template.findResources('AWS::Backup::BackupPlan'))[0];
    const rules: Array<{ RuleName: string; Lifecycle?: LifecycleJson; CopyActions?: Array<{ DestinationBackupVaultArn: unknown; Lifecycle?: LifecycleJson }> }> = plan.Properties.BackupPlan.BackupPlanRule;
    // The ARN is joined with the partition: its region is the part after `:backup:`.
    const regionOf = (arn: unknown): string => /:backup:([a-z0-9-]+):/.exec(JSON.stringify(arn))![1];
    for (const rule of rules) {
      const tier = table.tiers.find((t) => t.tier === rule.RuleName)!;
      expectRetentionOf(tier.retention, rule.Lifecycle);
      expect(tier.copies.map((c) => c.region)).toEqual((rule.CopyActions ?? []).map((c) => regionOf(c.DestinationBackupVaultArn)));
      (rule.CopyActions ?? []).forEach((copy, i) => expectRetentionOf(tier.copies[i].retention, copy.Lifecycle ?? rule.Lifecycle));
    }
    const yearly = rules.find((r) => r.RuleName === 'Yearly')!;
    expect(yearly.Lifecycle).toEqual({ MoveToColdStorageAfterDays: 90 });
    expect(rules.every((r) => (r.CopyActions ?? []).length === 1)).toBe(true);
  });

  test('each rule of the template is a tier of the report, named with the rule\'s time zone, not UTC', () => {
    const plans = Object.values(template.findResources('AWS::Backup::BackupPlan'));
    const rules: Array<{ RuleName: string; ScheduleExpression: string; ScheduleExpressionTimezone: string }> = plans.flatMap((p) => p.Properties.BackupPlan.BackupPlanRule);
    expect(rules.map((r) => r.RuleName)).toEqual(['Rolling', 'Weekly', 'Monthly', 'Yearly']);
    expect(table.tiers.map((t) => t.tier)).toEqual(rules.map((r) => r.RuleName));
    for (const rule of rules) {
      expect(rule.ScheduleExpressionTimezone).toEqual('Europe/Berlin');
      const tier = table.tiers.find((t) => t.tier === rule.RuleName)!;
      // The local times in the zone first, then the same times in UTC in both seasons.
      expect(tier.schedule).toMatch(/^[^(]* 03:00[^(]* Europe\/Berlin \([^)]* UTC in January, [^)]* UTC in July\)/);
    }
    expect(table.tiers.find((t) => t.tier === 'Weekly')!.schedule).toMatch(/^on Sundays at 03:00 Europe\/Berlin \(02:00 UTC in January, 01:00 UTC in July\)/);
    expect(table.tiers.find((t) => t.tier === 'Monthly')!.schedule).toMatch(/^on the last day of every month at 03:00 Europe\/Berlin \(02:00 UTC in January, 01:00 UTC in July\)/);
  });

  test('the timeline places the runs in the UTC week (03:00 in Berlin is 02:00 UTC in January, 01:00 UTC in July)', () => {
    const weekly = table.tiers.find((t) => t.tier === 'Weekly')!;
    expect(weekly.runs).toEqual([6 * MINUTES_PER_DAY + 3 * 60 - BERLIN_JANUARY_OFFSET_MINUTES]);
    expect(weekly.runsInJuly).toEqual([6 * MINUTES_PER_DAY + 3 * 60 - BERLIN_JULY_OFFSET_MINUTES]);
    expect(weekly.daylightSavingMinutes).toBe(60);
    expect(model.timeline.find((lane) => lane.label.startsWith('Weekly'))!.runsInJuly).toEqual(weekly.runsInJuly);
    // The picture draws both: January's runs in the upper half of the lane, July's in the lower.
    const svg = timelineSvg(model.timeline);
    expect(svg).toContain('where daylight saving time moves a run, January above, July below');
    expect(svg).toContain('<title>in July</title>');
    // The 6-hour rolling tier at 03:00, 09:00, 15:00 and 21:00 in Berlin: 02:00, 08:00, 14:00, 20:00 UTC.
    const rolling = table.tiers.find((t) => t.tier === 'Rolling')!;
    expect(rolling.runs.slice(0, 4)).toEqual([2 * 60, 8 * 60, 14 * 60, 20 * 60]);
    expect(rolling.runs).toHaveLength(28);
  });

  test('the notes of the lanes stay inside the plot of the picture, whole in their tooltips', () => {
    // The picture is 1000 wide, its plot ends 20 before; a note is 11px, a character about 0.6em.
    const plotEnd = 980;
    const charWidth = 11 * 0.6;
    const svg = timelineSvg(model.timeline);
    const notes = [...svg.matchAll(/<text x="([\d.]+)"[^>]*class="t-note">(?:<title>([^<]*)<\/title>)?([^<]*)<\/text>/g)]
      .map(([, x, title, shown]) => ({ x: Number(x), title, shown }));
    const lanesWithNotes = model.timeline.filter((lane) => lane.runs.length === 0);
    expect(notes).toHaveLength(lanesWithNotes.length);
    // The monthly tier's note (its schedule, in two zones, with the runs AWS Backup takes as Yearly) is longer than the plot.
    const monthlyNote = lanesWithNotes.find((lane) => lane.label.startsWith('Monthly'))!.note!;
    expect(notes[0].x + monthlyNote.length * charWidth).toBeGreaterThan(plotEnd);
    expect(notes.filter((note) => note.x + [...note.shown].length * charWidth > plotEnd).map((note) => note.shown)).toEqual([]);
    expect(notes.map((n) => n.title)).toEqual(lanesWithNotes.map((lane) => lane.note));
    expect(notes.find((n) => n.title === monthlyNote)!.shown).toMatch(/…$/);
  });

  test('a Scheduler schedule in a zone half an hour off UTC: the drill runs Sunday 23:30 in Kolkata, 18:00 UTC', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    expect(schedule.Properties.ScheduleExpressionTimezone).toEqual('Asia/Kolkata');
    const drill = model.activities.find((a) => a.kind === 'restore drill')!;
    expect(drill.schedule).toEqual('on Sundays at 23:30 Asia/Kolkata (18:00 UTC)');
    expect(drill.runsInJuly).toBeUndefined();
    expect(drill.runs).toEqual([6 * MINUTES_PER_DAY + 18 * 60]);
    expect(table.drills.map((d) => d.schedule)).toEqual([drill.schedule]);
  });
});

describe('overlapping rules of one plan: AWS Backup takes one backup, for the rule kept longer', () => {
  // In 2026 only May 31 is a month end on a Sunday, and December 31 is both a month end and the year end.
  test('the weekly and the monthly tier meet on May 31, 2026: the weekly run is taken as Monthly', () => {
    const weekly = table.tiers.find((t) => t.tier === 'Weekly')!;
    expect(weekly.takenByLongerRules).toEqual({ year: 2026, runs: 52, byRule: { Monthly: 1 } });
    expect(weekly.schedule).toContain('in 2026 AWS Backup takes 1 as Monthly of its 52 backups (a rule kept longer whose start window overlaps)');
  });

  test('the monthly tier meets the yearly one on December 31; the yearly tier, kept longest, loses none', () => {
    expect(table.tiers.find((t) => t.tier === 'Monthly')!.takenByLongerRules).toEqual({ year: 2026, runs: 12, byRule: { Yearly: 1 } });
    expect(table.tiers.find((t) => t.tier === 'Yearly')!.takenByLongerRules).toBeUndefined();
  });

  test('the rolling run at the start hour goes to the longest-kept rule that starts then', () => {
    // 4 runs a day; at 03:00 on 51 Sundays (Weekly), 11 month ends (Monthly, May 31 included) and December 31 (Yearly).
    expect(table.tiers.find((t) => t.tier === 'Rolling')!.takenByLongerRules).toEqual({ year: 2026, runs: 365 * 4, byRule: { Weekly: 51, Monthly: 11, Yearly: 1 } });
  });

  test('the runs of a cron expression in a year, in its zone', () => {
    const monthEnds = runsInYear('cron(0 3 L * ? *)', 'Etc/UTC', 2026)!;
    expect(monthEnds).toHaveLength(12);
    expect(monthEnds[1]).toEqual(Date.UTC(2026, 1, 28, 3));
    // 03:00 in Berlin is 01:00 UTC in summer time (5 July 2026 is a Sunday).
    expect(runsInYear('cron(0 3 ? * SUN *)', 'Europe/Berlin', 2026)).toContain(Date.UTC(2026, 6, 5, 1));
    // The weekday nearest a day, within its month: Saturday August 1, 2026 is Monday the 3rd (not Friday
    // July 31), Sunday February 1 Monday the 2nd; Saturday January 31 is Friday the 30th, Sunday May 31
    // Friday the 29th; Saturday February 28 is Friday the 27th (Sunday February 28, 2027: the 26th).
    const days = (expression: string, year: number) => runsInYear(expression, undefined, year)!.map((t) => new Date(t).toISOString().slice(0, 10));
    expect(days('cron(0 3 1W * ? *)', 2026)).toEqual(['01-01', '02-02', '03-02', '04-01', '05-01', '06-01', '07-01', '08-03', '09-01', '10-01', '11-02', '12-01'].map((d) => `2026-${d}`));
    expect(days('cron(0 3 31W 1,5,7 ? *)', 2026)).toEqual(['2026-01-30', '2026-05-29', '2026-07-31']);
    expect(days('cron(0 3 28W 2 ? *)', 2026)).toEqual(['2026-02-27']);
    expect(days('cron(0 3 28W 2 ? *)', 2027)).toEqual(['2027-02-26']);
    expect(days('cron(0 3 15W * ? *)', 2026)).toEqual(['01-15', '02-16', '03-16', '04-15', '05-15', '06-15', '07-15', '08-14', '09-15', '10-15', '11-16', '12-15'].map((d) => `2026-${d}`));
    // Forms AWS does not document are not read.
    expect(runsInYear('cron(0 3 LW * ? *)', undefined, 2026)).toBeUndefined();
    expect(runsInYear('cron(0 3 L-3 * ? *)', undefined, 2026)).toBeUndefined();
    expect(runsInYear('cron(0 3 30W * ? *)', undefined, 2026)).toBeUndefined();
    // A day of the month and a day of the week, which AWS rejects: not read as the days that are both.
    expect(runsInYear('cron(0 3 1 * MON *)', undefined, 2026)).toBeUndefined();
    // The first Monday of each month (January 5, February 2, ...); the last Friday (January 30, ...); a fifth Monday only where there is one.
    expect(runsInYear('cron(0 3 ? * 2#1 *)', undefined, 2026)!.slice(0, 2)).toEqual([Date.UTC(2026, 0, 5, 3), Date.UTC(2026, 1, 2, 3)]);
    expect(runsInYear('cron(0 3 ? * 2#1 *)', undefined, 2026)).toHaveLength(12);
    expect(runsInYear('cron(0 3 ? 1,2,12 FRIL *)', undefined, 2026)).toEqual([Date.UTC(2026, 0, 30, 3), Date.UTC(2026, 1, 27, 3), Date.UTC(2026, 11, 25, 3)]);
    expect(runsInYear('cron(0 3 ? * MON#5 *)', undefined, 2026)!.map((t) => new Date(t).getUTCMonth() + 1)).toEqual([3, 6, 8, 11]);
    expect(runsInYear('cron(0 3 * * ? *)', 'Mars/Olympus_Mons', 2026)).toBeUndefined();
  });
});
