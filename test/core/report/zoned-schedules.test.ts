/**
 * Schedules read in a time zone: the report says their times in UTC in both seasons, places
 * their runs at both offsets, and the overlap count places each run at the offset in force
 * at that moment (Node's Intl time zone data).
 */
import { maxGapMinutes } from '../../../core/report/objectives';
import { runsInYear } from '../../../core/report/overlap';
import { zonedWeeklyRuns } from '../../../core/report/schedule';
import { OUT_OF_RANGE_CRONS } from '../../support/out-of-range-crons';

const HOUR = 60;
const SUNDAY = 6 * 1440;

describe('the text and the runs of a schedule read in a zone', () => {
  test('a zone with daylight saving time in the north: 02:00 in Berlin is 01:00 UTC in January, 00:00 UTC in July', () => {
    expect(zonedWeeklyRuns('cron(0 2 ? * SUN *)', 'Europe/Berlin')).toEqual({
      minutes: [SUNDAY + 1 * HOUR],
      minutesInJuly: [SUNDAY],
      daylightSavingMinutes: 60,
      text: 'on Sundays at 02:00 Europe/Berlin (01:00 UTC in January, 00:00 UTC in July)',
    });
  });

  test('a zone with daylight saving time in the south: 02:00 in Sydney is 15:00 UTC the day before in January (summer time), 16:00 in July', () => {
    expect(zonedWeeklyRuns('cron(0 2 ? * * *)', 'Australia/Sydney')).toMatchObject({
      text: 'daily at 02:00 Australia/Sydney (15:00 UTC in January, 16:00 UTC in July)',
      daylightSavingMinutes: 60,
    });
    expect(zonedWeeklyRuns('cron(0 2 ? * MON *)', 'Australia/Sydney')).toEqual({
      minutes: [SUNDAY + 15 * HOUR],
      minutesInJuly: [SUNDAY + 16 * HOUR],
      daylightSavingMinutes: 60,
      text: 'on Mondays at 02:00 Australia/Sydney (15:00 UTC the day before in January, 16:00 UTC the day before in July)',
    });
  });

  test('a zone without daylight saving time: one UTC time, no July runs', () => {
    expect(zonedWeeklyRuns('cron(30 23 ? * SUN *)', 'Asia/Kolkata')).toEqual({
      minutes: [SUNDAY + 18 * HOUR],
      text: 'on Sundays at 23:30 Asia/Kolkata (18:00 UTC)',
    });
    expect(zonedWeeklyRuns('cron(30 0 ? * MON *)', 'Asia/Tokyo')).toEqual({
      minutes: [SUNDAY + 15 * HOUR + 30],
      text: 'on Mondays at 00:30 Asia/Tokyo (15:30 UTC the day before)',
    });
  });

  test('several times a day are each said in UTC; many are said as the offsets', () => {
    expect(zonedWeeklyRuns('cron(0 3/6 * * ? *)', 'Europe/Berlin').text)
      .toEqual('at 03:00, 09:00, 15:00, 21:00 Europe/Berlin (02:00, 08:00, 14:00, 20:00 UTC in January, 01:00, 07:00, 13:00, 19:00 UTC in July)');
    expect(zonedWeeklyRuns('cron(0 * * * ? *)', 'Europe/Berlin').text)
      .toEqual('every hour at minute 0 in Europe/Berlin (UTC+01:00 in January, UTC+02:00 in July)');
  });

  test('a schedule the report does not read is said as written, with why, and no times in UTC', () => {
    // Before: '(01:00 UTC in January, 00:00 UTC in July)' was added, computed from no runs.
    expect(zonedWeeklyRuns('cron(0 2 5-1 * ? *)', 'Europe/Berlin')).toEqual({ minutes: [], text: 'cron(0 2 5-1 * ? *)', note: 'schedule not understood by the report: AWS does not document a range from a larger value to a smaller one (5-1 in the day-of-month field): write it as two ranges, 5-31,1' });
    expect(zonedWeeklyRuns('cron(0 2 1 * MON *)', 'Europe/Berlin')).toEqual({
      minutes: [],
      text: 'cron(0 2 1 * MON *)',
      note: 'schedule not understood by the report: AWS rejects it, exactly one of the day-of-month and day-of-week fields must be ?',
    });
    // In a zone the report does not know either: not read, rather than "time zone not known".
    expect(zonedWeeklyRuns('cron(0 2 ? * 8#1 *)', 'Mars/Olympus_Mons')).toEqual({
      minutes: [],
      text: 'cron(0 2 ? * 8#1 *)',
      note: 'schedule not understood by the report: AWS rejects it, the day-of-week field takes 1-7 or SUN-SAT, not 8 (in 8#1)',
    });
  });

  // Before: `cron(0 3 32 * ? *)` in Berlin read 'on day 32 of every month at 03:00 Europe/Berlin
  // (02:00 UTC the day before ...)'; the others were not understood without why, or read.
  test.each(OUT_OF_RANGE_CRONS)('%s, out of its field\'s range, is not understood in a zone either: AWS rejects it, %s, and no times in UTC', (expression, why) => {
    const expected = { minutes: [], text: expression, note: `schedule not understood by the report: AWS rejects it, ${why}` };
    expect(zonedWeeklyRuns(expression, 'Europe/Berlin')).toEqual(expected);
    expect(zonedWeeklyRuns(expression, 'Asia/Kolkata')).toEqual(expected);
    expect(runsInYear(expression, 'Europe/Berlin', 2026)).toBeUndefined();
  });

  // Before: the zone was said as its JSON ('daily at 05:00 {"Ref":"Zone"} (time zone not known to the report)').
  test('a zone given by a token is said in words, as one not known at synth: no runs placed', () => {
    expect(zonedWeeklyRuns('cron(0 5 ? * * *)', { Ref: 'Zone' })).toEqual({
      minutes: [],
      text: 'daily at 05:00 Zone (time zone given by a token, not known at synth)',
      note: 'time zone not known to the report',
    });
    expect(zonedWeeklyRuns('cron(0 * ? * * *)', { 'Fn::If': ['Berlin', 'Europe/Berlin', 'UTC'] }).text)
      .toBe('every hour at minute 0 in a value given by Fn::If (time zone given by a token, not known at synth)');
  });

  test('the RPO check counts the hour the runs move when the clocks change', () => {
    const daily = zonedWeeklyRuns('cron(0 2 * * ? *)', 'Europe/Berlin');
    // 01:00 UTC before the clocks go back, 01:00 UTC + 25 hours after: 25 hours apart.
    expect(maxGapMinutes({ mechanism: 'AWS Backup', ...daily, runs: daily.minutes, runsInJuly: daily.minutesInJuly })).toBe(25 * HOUR);
    const kolkata = zonedWeeklyRuns('cron(0 2 * * ? *)', 'Asia/Kolkata');
    expect(maxGapMinutes({ mechanism: 'AWS Backup', runs: kolkata.minutes, runsInJuly: kolkata.minutesInJuly, daylightSavingMinutes: kolkata.daylightSavingMinutes })).toBe(24 * HOUR);
  });
});

describe('the runs of a year, at the offset in force at each run', () => {
  test('Berlin: 01:00 on the day the clocks go forward is 00:00 UTC, on the day they go back 23:00 UTC the day before', () => {
    const runs = runsInYear('cron(0 1 * * ? *)', 'Europe/Berlin', 2026)!;
    expect(runs).toHaveLength(365);
    // Summer time starts on March 29, 2026 at 02:00 and ends on October 25 at 03:00.
    const around = (from: number, to: number): number[] => runs.filter((t) => t >= from && t <= to);
    expect(around(Date.UTC(2026, 2, 27, 12), Date.UTC(2026, 2, 30, 12))).toEqual([Date.UTC(2026, 2, 28, 0), Date.UTC(2026, 2, 29, 0), Date.UTC(2026, 2, 29, 23)]);
    expect(around(Date.UTC(2026, 9, 23, 12), Date.UTC(2026, 9, 26, 12))).toEqual([Date.UTC(2026, 9, 23, 23), Date.UTC(2026, 9, 24, 23), Date.UTC(2026, 9, 26, 0)]);
  });

  test('Sydney: 01:00 on October 4, 2026 (summer time starts at 02:00) is 15:00 UTC; 02:30 on April 5 (it ends at 03:00) occurs twice and is left out', () => {
    expect(runsInYear('cron(0 1 * * ? *)', 'Australia/Sydney', 2026)).toContain(Date.UTC(2026, 9, 3, 15));
    const runs = runsInYear('cron(30 2 * * ? *)', 'Australia/Sydney', 2026)!;
    expect(runs).not.toContain(Date.UTC(2026, 3, 4, 15, 30));
    expect(runs).not.toContain(Date.UTC(2026, 3, 4, 16, 30));
    expect(runs).toContain(Date.UTC(2026, 3, 5, 16, 30));
  });

  test('a zone without daylight saving time keeps one offset all year', () => {
    const runs = runsInYear('cron(30 23 ? * SUN *)', 'Asia/Kolkata', 2026)!;
    expect(runs.every((t) => new Date(t).getUTCHours() === 18 && new Date(t).getUTCMinutes() === 0)).toBe(true);
    expect(runs).toHaveLength(52);
  });
});
