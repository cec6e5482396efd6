// Internal: where AWS takes L in the day fields of a cron expression, shared by the synth check and the report.

/**
 * Why AWS rejects a cron expression for `L` in a list of its day of the month or of the week
 * (`L,15`, `6L,2`, `SAT,SUN,L`), or undefined when it has none. The EventBridge cron expressions
 * reference describes `L` alone (the last day of the month or of the week, `6L` the last
 * Friday of the month) and no list with it; Quartz, whose syntax AWS's follows, rejects one
 * in either field (it supports no L beside other days). No day or month name holds an L, so any L in these fields is the wildcard.
 */
export function lastDayInListProblem(domField: string, dowField: string): string | undefined {
  const inList = (field: string): boolean => /L/i.test(field) && field.includes(',');
  if (inList(domField)) {
    return `with L the day-of-month field takes L alone (its last day), not a list (${domField})`;
  }
  if (inList(dowField)) {
    return `with L the day-of-week field takes L or one nL alone (6L, the last Friday of the month), not a list (${dowField})`;
  }
  return undefined;
}
