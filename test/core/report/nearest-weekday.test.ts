/**
 * `nW` in the day of the month, "the weekday closest to" day n (EventBridge cron expressions
 * reference): the report reads it, in its text, its runs of the year and the overlaps of a
 * plan's rules; `LW`, which the reference does not describe, stays not understood, with why.
 */
import { ReportModel } from '../../../core/report/model';
import { NOT_UNDERSTOOD_NOTE } from '../../../core/report/schedule';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { handWrittenRule, stackWithHandWrittenPlan } from '../../support/hand-written-plan';
import { reportOfApp } from './report-of-app';

describe('a plan with a nearest-weekday rule, in the report', () => {
  let model: ReportModel;

  beforeAll(() => {
    model = reportOfApp((app) => {
      // Written by hand: daily at 03:00 kept 7 days, the weekday nearest the 1st kept 365 days, the last weekday (LW) kept 35 days.
      const { orders } = stackWithHandWrittenPlan(app, 'Weekdays', 'weekdays', [
        handWrittenRule('Daily', 'cron(0 3 ? * * *)', 7), handWrittenRule('Monthly', 'cron(0 3 1W * ? *)', 365), handWrittenRule('MonthEnd', 'cron(0 3 LW * ? *)', 35),
      ]);
      BackupMetadata.describe(orders, { role: BackupRole.PROTECTED_DATA });
    });
  });

  test('the nearest-weekday rule is read and takes 12 of the daily backups; LW is not understood and takes none', () => {
    const tiers = model.resources.find((r) => r.path.startsWith('Weekdays/Orders'))!.tiers;
    const monthly = tiers.find((t) => t.tier === 'Monthly')!;
    expect(monthly.schedule).toBe('on the weekday nearest day 1 of every month at 03:00 UTC (start window 60 minutes)');
    expect(monthly.scheduleNote).toBe('does not run every week');
    const monthEnd = tiers.find((t) => t.tier === 'MonthEnd')!;
    expect(monthEnd.schedule).toBe('cron(0 3 LW * ? *) (start window 60 minutes)');
    expect(monthEnd.scheduleNote).toBe(`${NOT_UNDERSTOOD_NOTE}: AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not LW`);
    expect(monthEnd.takenByLongerRules).toBeUndefined();
    // Before: the W rule had no runs of the year, and took none of the daily ones.
    const daily = tiers.find((t) => t.tier === 'Daily')!;
    expect(daily.takenByLongerRules).toEqual({ year: 2026, runs: 365, byRule: { Monthly: 12 } });
  });
});
