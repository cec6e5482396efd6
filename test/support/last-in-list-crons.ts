/**
 * Cron expressions with `L` in a list of a day field, each with why AWS rejects it (the
 * EventBridge cron expressions reference describes `L` alone; Quartz, whose syntax AWS's
 * follows, rejects `L` with other days). Every other field is one AWS takes.
 */
export const LAST_IN_LIST_CRONS: ReadonlyArray<readonly [expression: string, why: string]> = [
  ['cron(0 3 ? * 6L,2 *)', 'with L the day-of-week field takes L or one nL alone (6L, the last Friday of the month), not a list (6L,2)'],
  ['cron(0 3 ? * SAT,SUN,L *)', 'with L the day-of-week field takes L or one nL alone (6L, the last Friday of the month), not a list (SAT,SUN,L)'],
  ['cron(0 3 L,15 * ? *)', 'with L the day-of-month field takes L alone (its last day), not a list (L,15)'],
];

/** What the synth check says of L in a list. */
export const LAST_IN_LIST_ALLOWED = 'must use L in its day fields as EventBridge Scheduler accepts it';
