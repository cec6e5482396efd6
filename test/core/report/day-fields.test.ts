/**
 * The day-of-month and day-of-week fields of an AWS cron expression: AWS (EventBridge, AWS
 * Backup, DLM) takes one of the two, the other `?`. An expression without `?` in either, or
 * with `?` in both, as a hand-written plan may hold, is rejected by AWS; the report does not
 * read it as the days it names, in its text, its runs of the year or the overlaps of a plan's
 * rules.
 */
import { ReportModel } from '../../../core/report/model';
import { runsInYear } from '../../../core/report/overlap';
import { NOT_ONE_DAY_FIELD_NOTE, weeklyRuns, zonedWeeklyRuns } from '../../../core/report/schedule';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { handWrittenRule, stackWithHandWrittenPlan } from '../../support/hand-written-plan';
import { reportOfApp } from './report-of-app';

describe('a cron expression without ? in either day field', () => {
  test('is not read as the weekdays it names, in UTC or in a zone', () => {
    expect(weeklyRuns('cron(0 3 * * MON *)')).toEqual({ minutes: [], text: 'cron(0 3 * * MON *)', note: NOT_ONE_DAY_FIELD_NOTE });
    expect(weeklyRuns('cron(0 3 1 * * *)')).toEqual({ minutes: [], text: 'cron(0 3 1 * * *)', note: NOT_ONE_DAY_FIELD_NOTE });
    expect(weeklyRuns('cron(0 3 * * * *)')).toEqual({ minutes: [], text: 'cron(0 3 * * * *)', note: NOT_ONE_DAY_FIELD_NOTE });
    expect(zonedWeeklyRuns('cron(0 3 * * MON *)', 'Europe/Berlin')).toMatchObject({ minutes: [], note: NOT_ONE_DAY_FIELD_NOTE });
    expect(NOT_ONE_DAY_FIELD_NOTE).toBe('schedule not understood by the report: AWS rejects it, exactly one of the day-of-month and day-of-week fields must be ?');
    // With ? in one of the two: read.
    expect(weeklyRuns('cron(0 3 ? * MON *)').text).toBe('on Mondays at 03:00 UTC');
    expect(weeklyRuns('cron(0 3 * * ? *)').text).toBe('daily at 03:00 UTC');
  });

  test('has no runs of the year', () => {
    expect(runsInYear('cron(0 3 * * MON *)', undefined, 2026)).toBeUndefined();
    expect(runsInYear('cron(0 3 * * MON *)', 'Europe/Berlin', 2026)).toBeUndefined();
    expect(runsInYear('cron(0 3 L * * *)', undefined, 2026)).toBeUndefined();
    expect(runsInYear('cron(0 3 ? * MON *)', undefined, 2026)).toHaveLength(52);
  });
});

describe('a cron expression with ? in both day fields', () => {
  test('is not read as daily, in UTC or in a zone, and has no runs of the year', () => {
    // Before: read as daily at 03:00, which AWS never runs, since it rejects the expression.
    expect(weeklyRuns('cron(0 3 ? * ? *)')).toEqual({ minutes: [], text: 'cron(0 3 ? * ? *)', note: NOT_ONE_DAY_FIELD_NOTE });
    expect(zonedWeeklyRuns('cron(0 3 ? * ? *)', 'Europe/Berlin')).toEqual({ minutes: [], text: 'cron(0 3 ? * ? *)', note: NOT_ONE_DAY_FIELD_NOTE });
    expect(runsInYear('cron(0 3 ? * ? *)', undefined, 2026)).toBeUndefined();
    expect(runsInYear('cron(0 3 ? JAN ? *)', 'Europe/Berlin', 2026)).toBeUndefined();
  });
});

describe('L alone in the day of the week', () => {
  test('is the last day of the week, Saturday, as the EventBridge cron reference says', () => {
    expect(weeklyRuns('cron(0 5 ? * L *)')).toEqual({ minutes: [5 * 1440 + 300], text: 'on Saturdays at 05:00 UTC' });
    expect(weeklyRuns('cron(0 5 ? 1 L *)')).toEqual({ minutes: [], text: 'on Saturdays in January at 05:00 UTC', note: 'does not run every week' });
    expect(zonedWeeklyRuns('cron(0 5 ? * L *)', 'Europe/Berlin').text).toBe('on Saturdays at 05:00 Europe/Berlin (04:00 UTC in January, 03:00 UTC in July)');
    // January 3, 2026 is a Saturday; 2026 has 52.
    const saturdays = runsInYear('cron(0 5 ? * L *)', undefined, 2026)!;
    expect(saturdays).toHaveLength(52);
    expect(saturdays[0]).toBe(Date.UTC(2026, 0, 3, 5));
    expect(saturdays.every((t) => new Date(t).getUTCDay() === 6)).toBe(true);
    // With * in the day of the month, AWS rejects it as any other weekday.
    expect(weeklyRuns('cron(0 5 * * L *)').note).toBe(NOT_ONE_DAY_FIELD_NOTE);
    // FRIL and 6L are still the last Friday of the month.
    expect(weeklyRuns('cron(0 5 ? * 6L *)').text).toBe('on the last Friday of every month at 05:00 UTC');
  });
});

describe('in the report', () => {
  let model: ReportModel;

  beforeAll(() => {
    model = reportOfApp((app) => {
      // Written by hand: daily at 03:00, kept 7 days, "Mondays" at 03:00 with * in the day of the
      // month, kept 35 days, and a day 32 of the month and a day 8 of the week (in Berlin), kept a year.
      const { orders } = stackWithHandWrittenPlan(app, 'Days', 'days', [
        handWrittenRule('Daily', 'cron(0 3 ? * * *)', 7),
        handWrittenRule('Weekly', 'cron(0 3 * * MON *)', 35),
        handWrittenRule('Monthly', 'cron(0 3 32 * ? *)', 365),
        handWrittenRule('Sundays', 'cron(0 3 ? * 8 *)', 365, 'Europe/Berlin'),
      ]);
      BackupMetadata.describe(orders, { role: BackupRole.PROTECTED_DATA });
    });
  });

  test('the rule AWS rejects is not understood, and takes none of the daily rule\'s backups', () => {
    const tiers = model.resources.find((r) => r.path.startsWith('Days/Orders'))!.tiers;
    const weekly = tiers.find((t) => t.tier === 'Weekly')!;
    expect(weekly.schedule).toBe('cron(0 3 * * MON *) (start window 60 minutes)');
    expect(weekly.scheduleNote).toBe(NOT_ONE_DAY_FIELD_NOTE);
    expect(weekly.runs).toEqual([]);
    expect(weekly.takenByLongerRules).toBeUndefined();
    // Before: read as Mondays, 52 of the daily backups went to it.
    const daily = tiers.find((t) => t.tier === 'Daily')!;
    expect(daily.runs).toHaveLength(7);
    expect(daily.takenByLongerRules).toBeUndefined();
  });

  test('a rule with a day out of its field\'s range is not understood: AWS rejects it, naming the field, in UTC and in a zone', () => {
    const tiers = model.resources.find((r) => r.path.startsWith('Days/Orders'))!.tiers;
    // Before: 'on day 32 of every month at 03:00 UTC', noted as 'does not run every week'.
    const monthly = tiers.find((t) => t.tier === 'Monthly')!;
    expect(monthly.schedule).toBe('cron(0 3 32 * ? *) (start window 60 minutes)');
    expect(monthly.scheduleNote).toBe('schedule not understood by the report: AWS rejects it, the day-of-month field takes 1-31, not 32');
    expect(monthly.runs).toEqual([]);
    // Before: not understood, without why.
    const sundays = tiers.find((t) => t.tier === 'Sundays')!;
    expect(sundays.schedule).toBe('cron(0 3 ? * 8 *) (start window 60 minutes)');
    expect(sundays.scheduleNote).toBe('schedule not understood by the report: AWS rejects it, the day-of-week field takes 1-7 or SUN-SAT, not 8');
    expect(sundays.runs).toEqual([]);
  });
});
