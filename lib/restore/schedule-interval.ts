// Internal: the longest time between two runs of an EventBridge Scheduler expression.
import { AWS_MONTHS, cronFormProblem, dayOfMonthMatcher, dayOfWeekField, dayOfWeekMatcher, expandCronField, undocumentedDayOfMonthProblem } from '../private/cron-field';
import { dayOfWeekStepProblem } from '../private/cron-day-of-week-step';
import { wrappingRangeProblem } from '../private/cron-wrapping-range';

/** The longest gap between two runs, in hours, or why it cannot be derived. */
export type ScheduleGap = { readonly hours: number } | { readonly reason: string };

const RATE_UNIT_HOURS: { [unit: string]: number } = { minute: 1 / 60, minutes: 1 / 60, hour: 1, hours: 1, day: 24, days: 24 };
/**
 * 2024 to 2052: the Gregorian calendar repeats every 28 years from 1901 to 2099, so these
 * years hold every pattern of weekdays and leap days a cron expression can meet, and every
 * turn from one year into the next (the last one, into 2052, is the one into 2024).
 */
const SPAN_START = Date.UTC(2024, 0, 1);
const SPAN_END = Date.UTC(2053, 0, 1);
const DAY_MS = 86_400_000;

/**
 * The longest gap between two consecutive runs of `rate(...)` or `cron(...)` (AWS cron:
 * minutes, hours, day of month, month, day of week 1-7 = SUN-SAT, year), found by walking
 * the calendar: `L` in the day of the month is its last day, `15W` the weekday nearest its
 * 15th, `L` alone in the day of the week Saturday, `6L` the month's last Friday, `2#1` its
 * first Monday. `at(...)`, cron expressions with a bounded year, forms of `L` and `W` AWS
 * does not document (`undocumentedDayOfMonthProblem`) and ranges from a larger value to a
 * smaller one (`wrappingRangeProblem`) and steps in the day of the week (`dayOfWeekStepProblem`),
 * are not derived.
 */
export function longestGap(expression: string): ScheduleGap {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (rate) {
    return { hours: Number(rate[1]) * RATE_UNIT_HOURS[rate[2]] };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) {
    return { reason: 'only rate() and cron() expressions repeat' };
  }
  const fields = cron[1].trim().split(/\s+/);
  const problem = cronFormProblem(fields);
  if (problem !== undefined) {
    return { reason: `AWS rejects it: ${problem}` };
  }
  const [minuteField, hourField, dayField, monthField, weekdayField, yearField] = fields;
  if (yearField !== '*') {
    return { reason: 'a schedule limited to some years ends' };
  }
  const minutes = values(minuteField, 0, 59);
  const hours = values(hourField, 0, 23);
  const months = values(monthField, 1, 12, AWS_MONTHS);
  const undocumented = (months && undocumentedDayOfMonthProblem(dayField, [...months])) ?? wrappingRangeProblem(fields) ?? dayOfWeekStepProblem(weekdayField);
  if (undocumented) {
    return { reason: undocumented };
  }
  const runsOn = dayField === '?' ? dayOfWeekMatcher(dayOfWeekField(weekdayField)) : dayOfMonthMatcher(dayField);
  if (!minutes || !hours || !months || !runsOn) {
    return { reason: 'its fields could not be read (numbers, names, *, ?, ranges, lists, steps, L, W and # are understood)' };
  }
  const timesOfDay = [...hours].flatMap((h) => [...minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  let longest = 1440 - timesOfDay[timesOfDay.length - 1] + timesOfDay[0];
  for (let i = 1; i < timesOfDay.length; i++) {
    longest = Math.max(longest, timesOfDay[i] - timesOfDay[i - 1]);
  }
  // Across days: from the last run of one matching day to the first run of the next one.
  let previousDay: number | undefined;
  let firstDay: number | undefined;
  for (let day = 0; SPAN_START + day * DAY_MS < SPAN_END; day++) {
    const date = new Date(SPAN_START + day * DAY_MS);
    const matches = months.has(date.getUTCMonth() + 1) && runsOn(date);
    if (!matches) {
      continue;
    }
    if (previousDay !== undefined) {
      longest = Math.max(longest, (day - previousDay - 1) * 1440 + 1440 - timesOfDay[timesOfDay.length - 1] + timesOfDay[0]);
    }
    firstDay ??= day;
    previousDay = day;
  }
  if (previousDay === undefined || firstDay === undefined || previousDay === firstDay) {
    return { reason: 'it runs at most once in 29 years' };
  }
  return { hours: longest / 60 };
}

/** The values a cron field names, or undefined when the field is not read. */
function values(field: string, min: number, max: number, names?: { readonly [name: string]: number }): Set<number> | undefined {
  const allowed = expandCronField(field, min, max, names);
  return allowed && new Set(allowed);
}
