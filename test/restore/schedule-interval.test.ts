import { longestGap } from '../../lib/restore/schedule-interval';

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
  ])('%s: %d hours', (expression, hours) => {
    expect(longestGap(expression)).toEqual({ hours });
  });

  test.each([
    ['at(2026-12-24T10:00:00)', 'only rate() and cron() expressions repeat'],
    ['cron(0 4 15W * ? *)', 'W, the weekday nearest a day of the month, is not derived'],
    ['cron(0 4 1 * ? 2027)', 'a schedule limited to some years ends'],
    ['cron(0 4 1 * MON *)', 'AWS rejects it: exactly one of the day-of-month and day-of-week fields must be ?'],
    ['cron(0 4 ? * ? *)', 'AWS rejects it: exactly one of the day-of-month and day-of-week fields must be ?'],
    ['cron(0 4 1 *)', 'AWS rejects it: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one 4'],
    ['cron(61 4 1 * ? *)', 'its fields could not be read (numbers, names, *, ?, ranges, lists, steps, L and # are understood)'],
    ['cron(0 4 ? * 8#1 *)', 'its fields could not be read (numbers, names, *, ?, ranges, lists, steps, L and # are understood)'],
  ])('%s: not derived', (expression, reason) => {
    expect(longestGap(expression)).toEqual({ reason });
  });
});
