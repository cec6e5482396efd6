/**
 * Cron expressions with `#` in a day-of-week field that is not one `n#k` alone, each with why
 * AWS rejects it (EventBridge cron expressions reference: with `#` only one expression in the
 * field, `3#1,6#3` is two). Every other field is one AWS takes.
 */
export const NTH_WEEKDAY_NOT_ALONE_CRONS: ReadonlyArray<readonly [expression: string, why: string]> = [
  ['cron(0 3 ? * 3#1,6#3 *)', 'with # the day-of-week field takes one n#k alone (2#1, the first Monday of the month), not a list, a range or a step (3#1,6#3)'],
  ['cron(0 3 ? * MON#1,FRI *)', 'with # the day-of-week field takes one n#k alone (2#1, the first Monday of the month), not a list, a range or a step (MON#1,FRI)'],
  ['cron(0 3 ? * 2-3#1 *)', 'with # the day-of-week field takes one n#k alone (2#1, the first Monday of the month), not a list, a range or a step (2-3#1)'],
  ['cron(0 3 ? * 2#1/2 *)', 'with # the day-of-week field takes one n#k alone (2#1, the first Monday of the month), not a list, a range or a step (2#1/2)'],
];
