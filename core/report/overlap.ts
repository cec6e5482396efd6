/**
 * Backup schedules of one plan or policy whose runs meet.
 *
 * AWS Backup: when the start windows of two rules of one plan overlap, AWS Backup takes one
 * backup, for the rule with the longer retention ("Backup plan options and configuration",
 * AWS Backup Developer Guide). The weekly and the monthly tier meet when a month ends on a
 * Sunday, every month-end tier on December 31, and the rolling tier meets each of them.
 *
 * Data Lifecycle Manager: when schedules of one policy start at the same time, DLM creates
 * one snapshot and applies the retention of the schedule with the highest retention period,
 * with the tags and copy regions of all of them ("How Amazon Data Lifecycle Manager works",
 * Policy schedules, Amazon EBS User Guide).
 *
 * The report says how many of a schedule's runs in a year go to a schedule kept longer.
 */
import { dayOfWeekStepProblem } from '../../lib/private/cron-day-of-week-step';
import { AWS_MONTHS, cronFormProblem, dayOfMonthMatcher, dayOfWeekField, dayOfWeekMatcher, expandCronField, undocumentedDayOfMonthProblem } from '../../lib/private/cron-field';
import { UTC_NAMES } from '../../lib/private/utc-time-zone';
import { utcOffsetMinutes } from './schedule';

const MINUTE_MS = 60_000;
const DAY_MS = 1440 * MINUTE_MS;

/** The days and the times of day of an AWS cron expression, as `runsInYear` reads it. */
export interface CronCalendar {
  /** Whether the expression runs on a day (epoch milliseconds of its midnight, the local date read as UTC). */
  readonly runsOn: (day: number) => boolean;
  /** Minutes after midnight of each run on such a day, in order. */
  readonly times: number[];
}

/**
 * The calendar of an AWS cron expression; undefined when the expression uses what this does
 * not read (a form of `L` or `W` AWS does not document, see `undocumentedDayOfMonthProblem`;
 * a step in the day of the week, `dayOfWeekStepProblem`; a year field that is not `*`) or AWS does not accept (`cronFormProblem`: not 6 fields, not
 * exactly one day field `?`, or a value out of its field's range).
 */
export function cronCalendar(expression: unknown): CronCalendar | undefined {
  // An expression given by a token (a parameter) is not read: the deploy sets it.
  const match = typeof expression === 'string' ? /^cron\((.*)\)$/.exec(expression.trim()) : null;
  const fields = match?.[1].trim().split(/\s+/);
  if (!fields || cronFormProblem(fields) !== undefined || fields[5] !== '*' || dayOfWeekStepProblem(fields[4]) !== undefined) {
    return undefined;
  }
  const [minuteField, hourField, domField, monthField] = fields;
  const dowField = dayOfWeekField(fields[4]);
  const minutes = expandCronField(minuteField, 0, 59);
  const hours = expandCronField(hourField, 0, 23);
  const months = expandCronField(monthField, 1, 12, AWS_MONTHS);
  const domMatches = dayOfMonthMatcher(domField);
  const dowMatches = dayOfWeekMatcher(dowField);
  if (!minutes || !hours || !months || !domMatches || !dowMatches || undocumentedDayOfMonthProblem(domField, months) !== undefined) {
    return undefined;
  }
  return {
    runsOn: (day) => {
      const date = new Date(day);
      return months.includes(date.getUTCMonth() + 1) && domMatches(date) && dowMatches(date);
    },
    times: hours.flatMap((hour) => minutes.map((minute) => hour * 60 + minute)),
  };
}

/**
 * The start times (epoch milliseconds) of an AWS cron expression in one calendar year, read
 * in the zone; undefined when `cronCalendar` does not read the expression or the zone is not
 * known. A local time the zone's clocks skip when they go forward, or go through twice when
 * they go back, is left out: when, or whether, or how often a service runs it is for the
 * caller to say (see `skippedLocalTimes` and `repeatedLocalTimes`).
 */
export function runsInYear(expression: unknown, zone: string | undefined, year: number): number[] | undefined {
  const calendar = cronCalendar(expression);
  if (!calendar) {
    return undefined;
  }
  const utc = zone === undefined || UTC_NAMES.includes(zone);
  const runs: number[] = [];
  for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += DAY_MS) {
    if (!calendar.runsOn(day)) {
      continue;
    }
    for (const time of calendar.times) {
      const run = utc ? day + time * MINUTE_MS : localToUtc(day + time * MINUTE_MS, zone);
      if (run === undefined) {
        return undefined;
      }
      if (typeof run === 'number') {
        runs.push(run);
      }
    }
  }
  return runs.sort((a, b) => a - b);
}

/**
 * The start times (epoch milliseconds) in one calendar year of a DLM interval schedule:
 * every `intervalHours` from each of the UTC `times` (`HH:MM`); undefined without any, as DLM
 * then picks the start time (within 24 hours of the policy's creation: not known at synth).
 */
export function intervalRunsInYear(intervalHours: number, times: string[] | undefined, year: number): number[] | undefined {
  const starts = (times ?? []).map((t) => /^(\d{2}):(\d{2})$/.exec(t));
  if (!(intervalHours > 0) || starts.length === 0 || starts.some((m) => m === null)) {
    return undefined;
  }
  const every = intervalHours * 60 * MINUTE_MS;
  const runs = new Set<number>();
  for (const match of starts) {
    const first = (Number(match![1]) * 60 + Number(match![2])) * MINUTE_MS % every;
    for (let t = Date.UTC(year, 0, 1) + first; t < Date.UTC(year + 1, 0, 1); t += every) {
      runs.add(t);
    }
  }
  return [...runs].sort((a, b) => a - b);
}

/**
 * The UTC moment of a wall-clock time in the zone (given as if it were UTC), at the offset in
 * force then, not that day's noon: 01:00 in Berlin on the last Sunday of March is 00:00 UTC
 * (before the change). A time the clock skips (02:30 in Berlin on the last Sunday of March) is
 * `skipped`: it has no UTC moment; one the clock goes through twice (02:30 on the last Sunday
 * of October) is `repeated`: it has two.
 */
function localToUtc(wallClock: number, zone: string): number | 'skipped' | 'repeated' | undefined {
  const before = utcOffsetMinutes(zone, wallClock - DAY_MS);
  const after = utcOffsetMinutes(zone, wallClock + DAY_MS);
  if (before === undefined || after === undefined) {
    return undefined;
  }
  const moments = [...new Set([before, after])]
    .map((offset) => ({ offset, moment: wallClock - offset * MINUTE_MS }))
    .filter(({ offset, moment }) => utcOffsetMinutes(zone, moment) === offset);
  return moments.length === 0 ? 'skipped' : moments.length > 1 ? 'repeated' : moments[0].moment;
}

/** Whether a run of the sorted starts, each open for `window` ms, overlaps [start, end). */
function windowsOverlap(starts: number[], window: number, start: number, end: number): boolean {
  // The first run whose window ends after `start`.
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (starts[mid] + window > start) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return low < starts.length && starts[low] < end;
}

/** One rule of a plan or schedule of a DLM policy, as the overlap check needs it. */
export interface PlanRuleTimes {
  readonly name: string;
  /** Start times in the year; undefined when not known. */
  readonly runs: number[] | undefined;
  /** How long after its start a run still meets another run (1 for "at the same time"). */
  readonly startWindowMinutes: number;
  /** Days the backups are kept; Infinity when kept indefinitely. */
  readonly retentionDays: number;
}

/**
 * For each rule, and each of its runs in the year, the name of the rule the service takes
 * that run as: the one kept longest of the rules kept longer whose start window overlaps, or
 * undefined when none does.
 */
export function takingRuleOfEachRun(rules: PlanRuleTimes[]): Map<string, Array<string | undefined>> {
  const result = new Map<string, Array<string | undefined>>();
  for (const rule of rules) {
    const longer = rules.filter((other) => other !== rule && other.retentionDays > rule.retentionDays && other.runs !== undefined)
      .sort((a, b) => b.retentionDays - a.retentionDays);
    result.set(rule.name, (rule.runs ?? []).map((start) => {
      const end = start + rule.startWindowMinutes * MINUTE_MS;
      return longer.find((other) => windowsOverlap(other.runs!, other.startWindowMinutes * MINUTE_MS, start, end))?.name;
    }));
  }
  return result;
}

/**
 * For each rule, how many of its runs in the year the service takes as a rule kept longer
 * whose start window overlaps, by that rule's name (the one kept longest when several do).
 */
export function runsTakenByLongerRules(rules: PlanRuleTimes[]): Map<string, Map<string, number>> {
  const winners = takingRuleOfEachRun(rules);
  const result = new Map<string, Map<string, number>>();
  for (const rule of rules) {
    const counts = new Map<string, number>();
    for (const winner of winners.get(rule.name)!) {
      if (winner !== undefined) {
        counts.set(winner, (counts.get(winner) ?? 0) + 1);
      }
    }
    // In the order of the plan's rules.
    result.set(rule.name, new Map(rules.filter((other) => counts.has(other.name)).map((other) => [other.name, counts.get(other.name)!])));
  }
  return result;
}

/** For each rule, the names of the other rules with a run whose start window overlaps one of its runs' (rules whose runs are not known left out). */
export function rulesMeeting(rules: PlanRuleTimes[]): Map<string, Set<string>> {
  return new Map(rules.map((rule) => [rule.name, new Set(rules
    .filter((other) => other !== rule && other.runs !== undefined && (rule.runs ?? [])
      .some((start) => windowsOverlap(other.runs!, other.startWindowMinutes * MINUTE_MS, start, start + rule.startWindowMinutes * MINUTE_MS)))
    .map((other) => other.name))]));
}
