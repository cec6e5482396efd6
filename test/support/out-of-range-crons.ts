/**
 * Cron expressions with a value, a range end or a step out of its field's range (EventBridge
 * cron expressions reference: minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or
 * JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199; a name the field does not take; a step
 * of 0; an offset `L-n` above 30), each with why AWS rejects it. Every other field is one AWS
 * takes.
 */
export const OUT_OF_RANGE_CRONS: ReadonlyArray<readonly [expression: string, why: string]> = [
  ['cron(60 3 * * ? *)', 'the minutes field takes 0-59, not 60'],
  ['cron(0,30,60 3 * * ? *)', 'the minutes field takes 0-59, not 60'],
  ['cron(FOO 3 * * ? *)', 'the minutes field takes 0-59, not FOO'],
  ['cron(0/60 3 * * ? *)', 'a step in the minutes field is at most 59, not 60 (in 0/60)'],
  ['cron(0/0 3 * * ? *)', 'a step in the minutes field is at least 1, not 0 (in 0/0)'],
  ['cron(0 */0 * * ? *)', 'a step in the hours field is at least 1, not 0 (in */0)'],
  ['cron(0 24 * * ? *)', 'the hours field takes 0-23, not 24'],
  ['cron(0 22-24 * * ? *)', 'the hours field takes 0-23, not 24 (in 22-24)'],
  ['cron(0 0/24 * * ? *)', 'a step in the hours field is at most 23, not 24 (in 0/24)'],
  ['cron(0 3 32 * ? *)', 'the day-of-month field takes 1-31, not 32'],
  ['cron(0 3 0 * ? *)', 'the day-of-month field takes 1-31, not 0'],
  ['cron(0 3 1,15-32 * ? *)', 'the day-of-month field takes 1-31, not 32 (in 15-32)'],
  ['cron(0 3 32W * ? *)', 'the day-of-month field takes 1-31, not 32 (in 32W)'],
  ['cron(0 3 1/32 * ? *)', 'a step in the day-of-month field is at most 31, not 32 (in 1/32)'],
  ['cron(0 3 L-40 * ? *)', 'the day-of-month field takes L-0 to L-30 (up to 30 days before the last day of the month), not L-40'],
  ['cron(0 3 L-31 * ? *)', 'the day-of-month field takes L-0 to L-30 (up to 30 days before the last day of the month), not L-31'],
  ['cron(0 3 1 13 ? *)', 'the month field takes 1-12 or JAN-DEC, not 13'],
  ['cron(0 3 1 0 ? *)', 'the month field takes 1-12 or JAN-DEC, not 0'],
  ['cron(0 3 1 JAN-13 ? *)', 'the month field takes 1-12 or JAN-DEC, not 13 (in JAN-13)'],
  ['cron(0 3 1 JAN-FOO ? *)', 'the month field takes 1-12 or JAN-DEC, not FOO (in JAN-FOO)'],
  ['cron(0 3 1 MON ? *)', 'the month field takes 1-12 or JAN-DEC, not MON'],
  ['cron(0 3 1 1/13 ? *)', 'a step in the month field is at most 12, not 13 (in 1/13)'],
  ['cron(0 3 ? * 8 *)', 'the day-of-week field takes 1-7 or SUN-SAT, not 8'],
  ['cron(0 3 ? * 0 *)', 'the day-of-week field takes 1-7 or SUN-SAT, not 0'],
  ['cron(0 3 ? * MON-8 *)', 'the day-of-week field takes 1-7 or SUN-SAT, not 8 (in MON-8)'],
  ['cron(0 3 ? * 8#1 *)', 'the day-of-week field takes 1-7 or SUN-SAT, not 8 (in 8#1)'],
  ['cron(0 3 ? * 2#6 *)', 'the day-of-week field takes 1-5 after # (the first to the fifth such weekday of the month), not 6 (in 2#6)'],
  ['cron(0 3 ? * 9L *)', 'the day-of-week field takes 1-7 or SUN-SAT, not 9 (in 9L)'],
  ['cron(0 3 ? * MON-JAN *)', 'the day-of-week field takes 1-7 or SUN-SAT, not JAN (in MON-JAN)'],
  ['cron(0 3 ? * 1W *)', 'the day-of-week field takes 1-7 or SUN-SAT, not 1W'],
  ['cron(0 3 1 1 ? 1969)', 'the year field takes 1970-2199, not 1969'],
  ['cron(0 3 1 1 ? 2200)', 'the year field takes 1970-2199, not 2200'],
  ['cron(0 3 1 1 ? 2026-2200)', 'the year field takes 1970-2199, not 2200 (in 2026-2200)'],
  ['cron(0 3 1 1 ? 2026/0)', 'a step in the year field is at least 1, not 0 (in 2026/0)'],
];

/** What the synth check says a cron expression's fields allow. */
export const ALLOWED_CRON_VALUES = "minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199; no step in the day-of-week, elsewhere a step of at least 1, and no larger than the field's largest value but in the year; L-0 to L-30 in the day-of-month";
