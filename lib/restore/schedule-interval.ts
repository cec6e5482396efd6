// Internal: the longest time between two runs of an EventBridge Scheduler expression.
import { cronFormProblem, expandCronField } from '../private/cron-field';

/** The longest gap between two runs, in hours, or why it cannot be derived. */
export type ScheduleGap = { readonly hours: number } | { readonly reason: string };

const RATE_UNIT_HOURS: { [unit: string]: number } = { minute: 1 / 60, minutes: 1 / 60, hour: 1, hours: 1, day: 24, days: 24 };
const MONTHS = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };
const WEEKDAYS = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };
/** Eight years from a leap year: every calendar pattern of a cron expression repeats within it. */
const SPAN_DAYS = 8 * 365 + 2;
const SPAN_START = Date.UTC(2024, 0, 1);

/**
 * The longest gap between two consecutive runs of `rate(...)` or `cron(...)` (AWS cron:
 * minutes, hours, day of month, month, day of week 1-7 = SUN-SAT, year), found by walking
 * the calendar. `at(...)`, and cron expressions with `L`, `W` or `#` or a bounded year, are
 * not derived.
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
  if (/[LW#]/i.test(`${dayField} ${weekdayField}`)) {
    return { reason: 'L, W and # are not derived' };
  }
  const minutes = values(minuteField, 0, 59);
  const hours = values(hourField, 0, 23);
  const months = values(monthField, 1, 12, MONTHS);
  const byWeekday = dayField === '?';
  const days = byWeekday ? values(weekdayField, 1, 7, WEEKDAYS) : values(dayField, 1, 31);
  if (!minutes || !hours || !months || !days) {
    return { reason: 'its fields could not be read (numbers, names, *, ?, ranges, lists and steps are understood)' };
  }
  const timesOfDay = [...hours].flatMap((h) => [...minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  let longest = 1440 - timesOfDay[timesOfDay.length - 1] + timesOfDay[0];
  for (let i = 1; i < timesOfDay.length; i++) {
    longest = Math.max(longest, timesOfDay[i] - timesOfDay[i - 1]);
  }
  // Across days: from the last run of one matching day to the first run of the next one.
  let previousDay: number | undefined;
  let firstDay: number | undefined;
  for (let day = 0; day < SPAN_DAYS; day++) {
    const date = new Date(SPAN_START + day * 86_400_000);
    const matches = months.has(date.getUTCMonth() + 1) && days.has(byWeekday ? date.getUTCDay() + 1 : date.getUTCDate());
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
    return { reason: 'it runs at most once in eight years' };
  }
  return { hours: longest / 60 };
}

function values(field: string, min: number, max: number, names?: { readonly [name: string]: number }): Set<number> | undefined {
  const allowed = expandCronField(field, min, max, names);
  return allowed && new Set(allowed);
}
