import { longestGap } from '../../lib/restore/schedule-interval';
import { LAST_IN_LIST_CRONS } from '../support/last-in-list-crons';
import { NTH_WEEKDAY_NOT_ALONE_CRONS } from '../support/nth-weekday-list-crons';
import { OUT_OF_RANGE_CRONS } from '../support/out-of-range-crons';

describe('longestGap', () => {
  test.each([
    ['rate(12 hours)', 12],
    ['rate(1 day)', 24],
    ['rate(14 days)', 336],
    ['rate(90 minutes)', 1.5],
    // The 1st of each month: the longest month, 31 days.
    ['cron(0 4 1 * ? *)', 744],
    // Every Sunday; twice a week; every day at two hours.
    ['cron(30 2 ? * SUN *)', 168],
    ['cron(0 3 ? * MON,THU *)', 96],
    ['cron(0 1,13 * * ? *)', 12],
    ['cron(0 */6 * * ? *)', 6],
    ['cron(15 4 ? * 2-6 *)', 72],
    // The 31st exists in 7 months: from December 31 to January 31 is the shortest, March 31 to May 31 the longest.
    ['cron(0 0 31 * ? *)', 61 * 24],
    // Quarterly on the 1st: October 1 to January 1.
    ['cron(0 4 1 JAN,APR,JUL,OCT ? *)', 92 * 24],
    // February 29: once in four years.
    ['cron(0 0 29 2 ? *)', 1461 * 24],
    // The last day of each month: from February's to March 31 is the longest, 31 days.
    ['cron(0 4 L * ? *)', 744],
    // The last day of February: February 28, 2027 to February 29, 2028.
    ['cron(0 0 L 2 ? *)', 366 * 24],
    // L alone in the day of the week: Saturday.
    ['cron(0 4 ? * L *)', 168],
    // The last Friday and the first Monday of each month: five weeks apart at most.
    ['cron(0 4 ? * 6L *)', 35 * 24],
    ['cron(0 4 ? * MON#1 *)', 35 * 24],
    // The fifth Monday: January 31 to May 29, 2028.
    ['cron(0 4 ? * 2#5 *)', 119 * 24],
    // The weekday nearest the 1st, never in the month before: from the 1st of a 31-day month to
    // the Monday 3rd of the next (Wednesday July 1 to Monday August 3, 2026).
    ['cron(0 4 1W * ? *)', 33 * 24],
    // The weekday nearest the 15th: Friday August 14 to Tuesday September 15, 2026, 32 days.
    ['cron(0 4 15W * ? *)', 32 * 24],
    // February 28, 2027 is a Sunday and the month's last day: Friday the 26th, not Monday March 1.
    // From there to February 28, 2028 (a Monday) is the longest, 367 days.
    ['cron(0 4 28W 2 ? *)', 367 * 24],
    // May 31, 2043 is a Sunday: Friday the 29th; to Tuesday May 31, 2044, past February 29, 368 days.
    ['cron(0 4 31W 5 ? *)', 368 * 24],
  ])('%s: %d hours', (expression, hours) => {
    expect(longestGap(expression)).toEqual({ hours });
  });

  test.each([
    ['at(2026-12-24T10:00:00)', 'only rate() and cron() expressions repeat'],
    ['cron(0 4 LW * ? *)', 'AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not LW'],
    ['cron(0 4 1W,15W * ? *)', 'AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not 1W,15W'],
    ['cron(0 4 L-3 * ? *)', 'AWS documents L alone in the day of the month (its last day), not L-3'],
    ['cron(0 4 30W * ? *)', 'AWS does not document which day 30W names in a month without day 30 (February)'],
    ['cron(0 4 29W 1,2 ? *)', 'AWS does not document which day 29W names in a month without day 29 (February)'],
    ['cron(0 4 1 * ? 2027)', 'a schedule limited to some years ends'],
    ['cron(0 4 1 * MON *)', 'AWS rejects it: exactly one of the day-of-month and day-of-week fields must be ?'],
    ['cron(0 4 ? * ? *)', 'AWS rejects it: exactly one of the day-of-month and day-of-week fields must be ?'],
    ['cron(0 4 1 *)', 'AWS rejects it: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one 4'],
    // Before: each 'its fields could not be read (numbers, names, *, ?, ranges, lists, steps, L, W and # are understood)'.
    ['cron(0 4 5-1 * ? *)', 'AWS does not document a range from a larger value to a smaller one (5-1 in the day-of-month field): write it as two ranges, 5-31,1'],
    ['cron(0 4 ? * FRI-MON *)', 'AWS does not document a range from a larger value to a smaller one (FRI-MON in the day-of-week field): write it as two ranges, FRI-SAT,SUN-MON'],
    ['cron(0 4 ? * SAT-2 *)', 'AWS does not document a range from a larger value to a smaller one (SAT-2 in the day-of-week field): write it as two ranges, SAT,SUN-2'],
    ['cron(0 22-2 * * ? *)', 'AWS does not document a range from a larger value to a smaller one (22-2 in the hours field): write it as two ranges, 22-23,0-2'],
    ['cron(0 4 1 NOV-FEB ? *)', 'AWS does not document a range from a larger value to a smaller one (NOV-FEB in the month field): write it as two ranges, NOV-DEC,JAN-FEB'],
    ['cron(50-10/5 4 * * ? *)', 'AWS does not document a range from a larger value to a smaller one (50-10/5 in the minutes field)'],
  ])('%s: not derived', (expression, reason) => {
    expect(longestGap(expression)).toEqual({ reason });
  });

  // Before: not derived, as fields that could not be read, or derived (`cron(0 3 1 1 ? 2200)`
  // ended, `cron(0 3 32 * ? *)` never ran).
  test.each(OUT_OF_RANGE_CRONS)('%s, out of its field\'s range: not derived, AWS rejects it, %s', (expression, why) => {
    expect(longestGap(expression)).toEqual({ reason: `AWS rejects it: ${why}` });
  });

  // Before: not derived, as fields that could not be read.
  test.each(NTH_WEEKDAY_NOT_ALONE_CRONS)('%s, with # not alone in the day of the week: not derived, AWS rejects it, %s', (expression, why) => {
    expect(longestGap(expression)).toEqual({ reason: `AWS rejects it: ${why}` });
  });

  // Before: not derived, as fields that could not be read (6L,2) or as a form AWS does not document (L,15).
  test.each(LAST_IN_LIST_CRONS)('%s, with L in a list of a day field: not derived, AWS rejects it, %s', (expression, why) => {
    expect(longestGap(expression)).toEqual({ reason: `AWS rejects it: ${why}` });
  });
});
