/**
 * Runs at a local time the clocks skip when they go forward (02:30 in Berlin on March 29,
 * 2026) or go through twice when they go back (02:30 on October 25): EventBridge Scheduler
 * documents that it skips the first and runs the second once, not at which of the two times;
 * AWS Backup's documentation does not say what it does with either, so the report says so and
 * places them nowhere, rather than at the offset before the change.
 */
import { localRunsText, repeatedLocalTimes, skippedLocalTimes } from '../../../core/report/clock-gap';
import { ReportModel } from '../../../core/report/model';
import { runsInYear } from '../../../core/report/overlap';
import { handWrittenRule, stackWithHandWrittenPlan } from '../../support/hand-written-plan';
import { reportOfApp } from './report-of-app';
import { scheduledRestoreDrill } from './restore-drill';

// Summer time in Berlin starts on March 29, 2026: the clocks go from 02:00 to 03:00 (01:00 UTC).
const BERLIN_GAP_DAY = Date.UTC(2026, 2, 29);

describe('the local times a zone\'s clocks skip', () => {
  test('02:30 on March 29, 2026 does not exist in Berlin: the year\'s runs leave it out instead of placing it at 01:30 UTC', () => {
    const runs = runsInYear('cron(30 2 * * ? *)', 'Europe/Berlin', 2026)!;
    // 365 days, less March 29 (skipped) and October 25 (repeated, below).
    expect(runs).toHaveLength(363);
    expect(runs.filter((t) => t >= BERLIN_GAP_DAY - 3600_000 && t < BERLIN_GAP_DAY + 86_400_000)).toEqual([]);
    // 03:30 that day is 01:30 UTC: the only run at that moment.
    expect(runsInYear('cron(30 2,3 * * ? *)', 'Europe/Berlin', 2026)!.filter((t) => t === Date.UTC(2026, 2, 29, 1, 30))).toHaveLength(1);
  });

  test('the skipped wall-clock times of a year, by zone and schedule', () => {
    expect(skippedLocalTimes('cron(30 2 * * ? *)', 'Europe/Berlin', 2026)).toEqual([Date.UTC(2026, 2, 29, 2, 30)]);
    // March 29, 2026 is a Sunday; no Monday is skipped.
    expect(skippedLocalTimes('cron(30 2 ? * SUN *)', 'Europe/Berlin', 2026)).toEqual([Date.UTC(2026, 2, 29, 2, 30)]);
    expect(skippedLocalTimes('cron(30 2 ? * MON *)', 'Europe/Berlin', 2026)).toEqual([]);
    // 02:00 is skipped too (the clocks go from 02:00 straight to 03:00); 03:00 is not.
    expect(skippedLocalTimes('cron(0/15 2,3 * * ? *)', 'Europe/Berlin', 2026)).toEqual([0, 15, 30, 45].map((m) => Date.UTC(2026, 2, 29, 2, m)));
    // In Sydney summer time starts on October 4, 2026.
    expect(skippedLocalTimes('cron(30 2 * * ? *)', 'Australia/Sydney', 2026)).toEqual([Date.UTC(2026, 9, 4, 2, 30)]);
    expect(skippedLocalTimes('cron(30 2 * * ? *)', 'Asia/Kolkata', 2026)).toEqual([]);
    expect(skippedLocalTimes('cron(30 2 * * ? *)', 'Etc/UTC', 2026)).toEqual([]);
    expect(skippedLocalTimes('cron(30 2 * * ? *)', 'Mars/Olympus_Mons', 2026)).toBeUndefined();
    // The weekday nearest a day is never a Sunday; LW is a form AWS does not document, not read.
    expect(skippedLocalTimes('cron(30 2 29W 3 ? *)', 'Europe/Berlin', 2026)).toEqual([]);
    expect(skippedLocalTimes('cron(30 2 LW * ? *)', 'Europe/Berlin', 2026)).toBeUndefined();
    // March 29, 2026 is the last Sunday of March, and the fifth.
    expect(skippedLocalTimes('cron(30 2 ? 3 SUNL *)', 'Europe/Berlin', 2026)).toEqual([Date.UTC(2026, 2, 29, 2, 30)]);
    expect(skippedLocalTimes('cron(30 2 ? 3 1#4 *)', 'Europe/Berlin', 2026)).toEqual([]);
  });

  test('02:30 on October 25, 2026 occurs twice in Berlin: the year\'s runs leave it out instead of placing it at the first (00:30 UTC)', () => {
    const runs = runsInYear('cron(30 2 * * ? *)', 'Europe/Berlin', 2026)!;
    expect(runs.filter((t) => t >= Date.UTC(2026, 9, 24, 22) && t < Date.UTC(2026, 9, 26))).toEqual([]);
    // 01:30 and 03:30 that day occur once: 23:30 UTC the day before and 02:30 UTC.
    expect(runsInYear('cron(30 1,3 * * ? *)', 'Europe/Berlin', 2026)).toEqual(expect.arrayContaining([Date.UTC(2026, 9, 24, 23, 30), Date.UTC(2026, 9, 25, 2, 30)]));
  });

  test('the repeated wall-clock times of a year, by zone and schedule', () => {
    expect(repeatedLocalTimes('cron(30 2 * * ? *)', 'Europe/Berlin', 2026)).toEqual([Date.UTC(2026, 9, 25, 2, 30)]);
    // The clocks go from 03:00 back to 02:00: 02:00 to 02:59 occur twice, 03:00 once.
    expect(repeatedLocalTimes('cron(0/15 2,3 * * ? *)', 'Europe/Berlin', 2026)).toEqual([0, 15, 30, 45].map((m) => Date.UTC(2026, 9, 25, 2, m)));
    expect(repeatedLocalTimes('cron(30 2 ? * MON *)', 'Europe/Berlin', 2026)).toEqual([]);
    // In Sydney summer time ends on April 5, 2026 (03:00 back to 02:00).
    expect(repeatedLocalTimes('cron(30 2 * * ? *)', 'Australia/Sydney', 2026)).toEqual([Date.UTC(2026, 3, 5, 2, 30)]);
    // New York: 01:00 to 01:59 on November 1, 2026.
    expect(repeatedLocalTimes('cron(30 1,2 * * ? *)', 'America/New_York', 2026)).toEqual([Date.UTC(2026, 10, 1, 1, 30)]);
    expect(repeatedLocalTimes('cron(30 2 * * ? *)', 'Asia/Kolkata', 2026)).toEqual([]);
    expect(repeatedLocalTimes('cron(30 2 * * ? *)', 'Etc/UTC', 2026)).toEqual([]);
    expect(repeatedLocalTimes('cron(30 2 * * ? *)', 'Mars/Olympus_Mons', 2026)).toBeUndefined();
  });

  test('said by day', () => {
    expect(localRunsText([Date.UTC(2026, 2, 29, 2, 30)])).toBe('the run at 02:30 on March 29');
    expect(localRunsText([0, 30].map((m) => Date.UTC(2026, 2, 29, 2, m)))).toBe('the runs at 02:00 and 02:30 on March 29');
    expect(localRunsText(Array.from({ length: 12 }, (_, i) => Date.UTC(2026, 2, 29, 2, i * 5)))).toBe('the 12 runs from 02:00 to 02:55 on March 29');
  });
});

describe('in the report', () => {
  let model: ReportModel;

  beforeAll(() => {
    model = reportOfApp((app) => {
      // Written by hand: hourly at half past, kept 7 days, and on Sundays at 02:30, kept 35 days, in Berlin.
      const { stack, orders } = stackWithHandWrittenPlan(app, 'Gap', 'gap', [
        handWrittenRule('Hourly', 'cron(30 * * * ? *)', 7, 'Europe/Berlin'), handWrittenRule('Weekly', 'cron(30 2 ? * SUN *)', 35, 'Europe/Berlin'),
      ]);
      scheduledRestoreDrill(stack, [orders], 'cron(30 2 * * ? *)', 'Europe/Berlin');
    });
  });

  test('an EventBridge Scheduler schedule says it skips the run (documented), and runs the repeated one once, not documented at which time', () => {
    const drill = model.activities.find((a) => a.kind === 'restore drill')!;
    expect(drill.schedule).toBe('daily at 02:30 Europe/Berlin (01:30 UTC in January, 00:30 UTC in July)'
      + '; in 2026 EventBridge Scheduler skips the run at 02:30 on March 29: the clocks in Europe/Berlin go forward past it'
      + '; in 2026 the run at 02:30 on October 25 falls in the time the clocks in Europe/Berlin go through twice when they go back: EventBridge Scheduler runs it once, and its documentation does not say at which of the two times');
  });

  test('an AWS Backup rule says its documentation does not say, and the overlap count places the run nowhere', () => {
    const tiers = model.resources.find((r) => r.path.startsWith('Gap/Orders'))!.tiers;
    const weekly = tiers.find((t) => t.tier === 'Weekly')!;
    const hourly = tiers.find((t) => t.tier === 'Hourly')!;
    expect(weekly.schedule).toBe('on Sundays at 02:30 Europe/Berlin (01:30 UTC in January, 00:30 UTC in July) (start window 60 minutes)'
      + '; in 2026 the run at 02:30 on March 29 falls in the time the clocks in Europe/Berlin skip when they go forward: AWS Backup\'s documentation does not say whether or when it takes that backup, and the report places it nowhere'
      + '; in 2026 the run at 02:30 on October 25 falls in the time the clocks in Europe/Berlin go through twice when they go back: AWS Backup\'s documentation does not say whether it takes that backup once or twice, nor at which of the two times, and the report places it nowhere');
    expect(hourly.schedule).toContain('; in 2026 the run at 02:30 on March 29 falls in the time the clocks in Europe/Berlin skip');
    expect(hourly.schedule).toContain('; in 2026 the run at 02:30 on October 25 falls in the time the clocks in Europe/Berlin go through twice');
    // 50 Sundays at 02:30 that occur once; before, March 29 was placed at 01:30 UTC, on top of the
    // 03:30 run, and October 25 at 00:30 UTC, the first of the two 02:30s, and counted as taken as Weekly.
    expect(hourly.takenByLongerRules).toEqual({ year: 2026, runs: 365 * 24 - 2, byRule: { Weekly: 50 } });
  });
});
