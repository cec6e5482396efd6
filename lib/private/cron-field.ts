// Internal: one field of an AWS cron expression, shared by the construct checks and the report.
import { lastDayInListProblem } from './cron-last-day-form';

/**
 * The values one cron field allows (`*`, `?`, numbers, names, ranges, lists and steps), in
 * order, or undefined when the field is not understood: `L`, `W`, `#`, or a value outside
 * `min`..`max`.
 */
export function expandCronField(field: string, min: number, max: number, names: { readonly [name: string]: number } = {}): number[] | undefined {
  const valueOf = (text: string): number | undefined => {
    const value = names[text.toUpperCase()] ?? (/^\d+$/.test(text) ? Number(text) : NaN);
    return value >= min && value <= max ? value : undefined;
  };
  const result = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) {
      return undefined;
    }
    const [, range, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number | undefined;
    let to: number | undefined;
    if (range === '*' || range === '?') {
      [from, to] = [min, max];
    } else {
      const [a, b] = range.split('-');
      from = valueOf(a);
      to = b === undefined ? (stepText === undefined ? from : max) : valueOf(b);
    }
    if (from === undefined || to === undefined || step < 1 || from > to) {
      return undefined;
    }
    for (let value = from; value <= to; value += step) {
      result.add(value);
    }
  }
  return [...result].sort((a, b) => a - b);
}

/**
 * Whether a cron expression's day fields are ones AWS accepts: exactly one of them `?`, a day
 * of the month or a day of the week in the other (EventBridge cron expressions reference:
 * "If you specify a value (or a *) in one of the fields, you must use a ? in the other"; `?`
 * in both names no day at all, and AWS, as Quartz whose syntax it takes, rejects it too).
 * AWS Backup and DLM take the same expressions.
 */
export function exactlyOneDayFieldIsQuestionMark(domField: string, dowField: string): boolean {
  return (domField === '?') !== (dowField === '?');
}

/** The number of fields of an AWS cron expression: minutes hours day-of-month month day-of-week year. */
export const AWS_CRON_FIELDS = 6;

/**
 * Why AWS rejects the fields of a cron expression as a whole (their number, the `?` of the
 * day fields), or undefined when it does not for these reasons.
 */
export function cronShapeProblem(fields: readonly string[]): string | undefined {
  if (fields.length !== AWS_CRON_FIELDS) {
    return `a cron expression has ${AWS_CRON_FIELDS} fields (minutes hours day-of-month month day-of-week year), this one ${fields.length}`;
  }
  if (!exactlyOneDayFieldIsQuestionMark(fields[2], fields[4])) {
    return 'exactly one of the day-of-month and day-of-week fields must be ?';
  }
  return undefined;
}

/**
 * Why AWS rejects a cron expression: its shape (`cronShapeProblem`), a value out of its
 * field's range (`cronValueProblem`), `#` not alone in the day of the week
 * (`nthWeekdayFormProblem`) or `L` in a list of a day field (`lastDayInListProblem`), or
 * undefined when it does not for these reasons. The report
 * says it, and the synth check and the drill interval refuse the expression for the same
 * reasons.
 */
export function cronFormProblem(fields: readonly string[]): string | undefined {
  return cronShapeProblem(fields) ?? cronValueProblem(fields) ?? nthWeekdayFormProblem(fields[4]) ?? lastDayInListProblem(fields[2], fields[4]);
}

/**
 * Why AWS rejects a day-of-week field for its `#`, or undefined when it has none or is one
 * `n#k` alone: "If you use a '#' character, you can define only one expression in the
 * day-of-week field", `3#1,6#3` is "interpreted as two expressions" and not valid
 * (EventBridge cron expressions reference). A range or a step with `#` is not one `n#k`
 * either. The values of `n#k` are `cronValueProblem`'s.
 */
export function nthWeekdayFormProblem(dowField: string): string | undefined {
  return !dowField.includes('#') || /^[A-Za-z0-9]+#\d+$/.test(dowField) ? undefined
    : `with # the day-of-week field takes one n#k alone (2#1, the first Monday of the month), not a list, a range or a step (${dowField})`;
}

/** A day-of-week field that names one weekday of the month: `2#1` (the first Monday), `FRIL` or `6L` (the last Friday). */
export interface NthWeekday {
  /** AWS day of the week, 1 = Sunday. */
  readonly day: number;
  /** Which of the month's such weekdays: 1 to 5, or the last. */
  readonly nth: number | 'last';
}

/** AWS days of the week by name, 1 = Sunday. */
export const AWS_WEEKDAYS: { readonly [name: string]: number } = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };
/** AWS months by name, 1 = January. */
export const AWS_MONTHS: { readonly [name: string]: number } = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };
/** Month names for text, index 0 = January. */
export const MONTH_NAMES: readonly string[] = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The values one field of an AWS cron expression takes. */
export interface CronFieldRange {
  readonly field: string;
  readonly min: number;
  readonly max: number;
  readonly names?: { readonly [name: string]: number };
  /**
   * Whether a step above `max` is rejected. The reference gives no bound; Quartz, whose syntax
   * AWS's follows, rejects a step above the largest value in every field but the year.
   */
  readonly boundedStep: boolean;
}

/** The fields of an AWS cron expression in order, with their values (EventBridge cron expressions reference, which AWS Backup and DLM refer to). */
export const CRON_FIELD_RANGES: readonly CronFieldRange[] = [
  { field: 'minutes', min: 0, max: 59, boundedStep: true },
  { field: 'hours', min: 0, max: 23, boundedStep: true },
  { field: 'day-of-month', min: 1, max: 31, boundedStep: true },
  { field: 'month', min: 1, max: 12, names: AWS_MONTHS, boundedStep: true },
  { field: 'day-of-week', min: 1, max: 7, names: AWS_WEEKDAYS, boundedStep: true },
  { field: 'year', min: 1970, max: 2199, boundedStep: false },
];

/** The values of each field in words, for errors: `minutes 0-59, ..., month 1-12 or JAN-DEC, ...`. */
export const CRON_FIELD_RANGES_TEXT = CRON_FIELD_RANGES.map((range) => `${range.field} ${rangeText(range)}`).join(', ');

function rangeText(range: CronFieldRange): string {
  const names = Object.keys(range.names ?? {});
  return `${range.min}-${range.max}${names.length > 0 ? ` or ${names[0]}-${names[names.length - 1]}` : ''}`;
}

/** The largest `n` of `L-n` in the day of the month. */
const MAX_LAST_DAY_OFFSET = 30;

/**
 * Why AWS rejects a cron expression of 6 fields for a value out of its field's range: a
 * number, the end of a range, the day of `nW`, `n#k` or `nL`, the `k` of `n#k` (1 to 5), the
 * `n` of `L-n` (0 to 30), a step of 0 (no increment) or above the field's largest value (`0/60`
 * in the minutes), or a name the field does not take (`FOO`, `MON` in the month). Undefined
 * when there is none.
 */
export function cronValueProblem(fields: readonly string[]): string | undefined {
  for (const [index, range] of CRON_FIELD_RANGES.entries()) {
    for (const part of (fields[index] ?? '').split(',')) {
      const problem = cronPartValueProblem(part, range);
      if (problem !== undefined) {
        return problem;
      }
    }
  }
  return undefined;
}

function cronPartValueProblem(part: string, range: CronFieldRange): string | undefined {
  const valueProblem = (text: string): string | undefined => {
    const value = /^\d+$/.test(text) ? Number(text) : range.names?.[text.toUpperCase()];
    return value !== undefined && value >= range.min && value <= range.max ? undefined
      : `the ${range.field} field takes ${rangeText(range)}, not ${text}${part === text ? '' : ` (in ${part})`}`;
  };
  if (range.field === 'day-of-month') {
    const nearest = /^(\d+)W$/i.exec(part);
    if (nearest) {
      return valueProblem(nearest[1]);
    }
    const offset = /^L-(\d+)$/i.exec(part);
    // The reference does not describe L-n; Quartz rejects an offset above 30 ("Offset from
    // last day must be <= 30"). `undocumentedDayOfMonthProblem` says why L-n is not read.
    if (offset && Number(offset[1]) > MAX_LAST_DAY_OFFSET) {
      return `the day-of-month field takes L-0 to L-${MAX_LAST_DAY_OFFSET} (up to ${MAX_LAST_DAY_OFFSET} days before the last day of the month), not ${part}`;
    }
    if (/^L/i.test(part)) {
      // L, LW, L-3: no day to check.
      return undefined;
    }
  }
  if (range.field === 'day-of-week') {
    if (isLastDay(part)) {
      // The last day of the week (`dayOfWeekField`).
      return undefined;
    }
    const nth = /^([A-Za-z0-9]+?)(?:#(\d+)|L)$/i.exec(part);
    if (nth) {
      // The reference bounds no k; Quartz rejects one outside 1 to 5.
      const k = nth[2] === undefined ? undefined : Number(nth[2]);
      return valueProblem(nth[1]) ?? (k === undefined || (k >= 1 && k <= 5) ? undefined
        : `the day-of-week field takes 1-5 after # (the first to the fifth such weekday of the month), not ${nth[2]} (in ${part})`);
    }
  }
  const match = /^(?:\*|\?|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:\/(\d+))?$/.exec(part);
  if (!match) {
    return undefined;
  }
  const [, from, to, step] = match;
  // The day of the week takes no step at all (`dayOfWeekStepProblem` says so), not one of 1 to 7.
  const stepProblem = step === undefined || range.field === 'day-of-week' ? undefined
    : Number(step) < 1 ? `a step in the ${range.field} field is at least 1, not ${step} (in ${part})`
      : range.boundedStep && Number(step) > range.max ? `a step in the ${range.field} field is at most ${range.max}, not ${step} (in ${part})` : undefined;
  return (from === undefined ? undefined : valueProblem(from)) ?? (to === undefined ? undefined : valueProblem(to)) ?? stepProblem;
}

/** The weekday of the month a day-of-week field names with `#` or `L`, or undefined when it names none. */
export function nthWeekdayField(field: string): NthWeekday | undefined {
  // Names and L in any case, as AWS takes them (`fril`, `FriL`).
  const match = /^([A-Za-z]{3}|[1-7])(?:#([1-5])|L)$/i.exec(field);
  const day = match ? AWS_WEEKDAYS[match[1].toUpperCase()] ?? Number(match[1]) : NaN;
  if (!match || !(day >= 1 && day <= 7)) {
    return undefined;
  }
  return { day, nth: match[2] === undefined ? 'last' : Number(match[2]) };
}

/**
 * A day-of-week field, `L` alone replaced by the day it names: "the last day of the week"
 * (EventBridge cron expressions reference, which AWS Backup and DLM refer to), 7 in the
 * field's 1-7 = SUN-SAT, Saturday.
 */
export function dayOfWeekField(field: string): string {
  return isLastDay(field) ? '7' : field;
}

/** Whether a day field is `L` alone, the last day: in either case, as the names are read. */
export function isLastDay(field: string): boolean {
  return field.toUpperCase() === 'L';
}

/**
 * The day of the month of `nW`, "the weekday closest to" day n (EventBridge cron expressions
 * reference, which AWS Backup and DLM refer to: `3W`, "the weekday closest to the third day of
 * the month"), or undefined when the field is not one day followed by `W`.
 */
export function nearestWeekdayField(field: string): number | undefined {
  const match = /^([1-9]|[12]\d|3[01])W$/i.exec(field);
  return match ? Number(match[1]) : undefined;
}

/** The number of days of a month (1-12) of a year. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The day the weekday nearest day `n` of a month (1-12) falls on: day n from Monday to Friday,
 * the Friday before a Saturday and the Monday after a Sunday, but never in another month (the
 * field names a day of this month): Monday the 3rd for a Saturday the 1st, Friday the 29th for
 * a Sunday the 31st. Undefined when the month has no day n.
 */
export function nearestWeekday(year: number, month: number, n: number): number | undefined {
  const last = daysInMonth(year, month);
  if (n > last) {
    return undefined;
  }
  const weekday = new Date(Date.UTC(year, month - 1, n)).getUTCDay();
  if (weekday === 6) {
    return n === 1 ? 3 : n - 1;
  }
  if (weekday === 0) {
    return n === last ? n - 2 : n + 1;
  }
  return n;
}

/** The fewest days a month (1-12) has in any year. */
const FEWEST_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a day-of-month field is not read although AWS may accept it: a form of `L` or `W` the
 * EventBridge cron expressions reference does not describe (`LW`, `L-3`, `W` in a list, a range
 * or a step), or `nW` in one of the `months` (1-12) that lacks day n in some year, where the
 * reference does not say which day runs. Undefined for any other field.
 */
export function undocumentedDayOfMonthProblem(field: string, months: readonly number[]): string | undefined {
  const n = nearestWeekdayField(field);
  if (n !== undefined) {
    const short = months.filter((month) => FEWEST_DAYS[month - 1] < n);
    return short.length === 0 ? undefined
      : `AWS does not document which day ${field} names in a month without day ${n} (${short.map((month) => MONTH_NAMES[month - 1]).join(', ')})`;
  }
  if (/W/i.test(field)) {
    return `AWS documents W after a single day of the month (3W, the weekday closest to the 3rd), not ${field}`;
  }
  if (/L/i.test(field) && !isLastDay(field)) {
    return `AWS documents L alone in the day of the month (its last day), not ${field}`;
  }
  return undefined;
}

/**
 * Whether a day (a UTC date) is one a day-of-month field names: numbers, `*`, `?`, ranges,
 * lists, steps, `L` (the last day) and `nW` (`nearestWeekday`); undefined when the field is
 * not read.
 */
export function dayOfMonthMatcher(field: string): ((date: Date) => boolean) | undefined {
  const dayOf = (date: Date): [number, number, number] => [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  if (isLastDay(field)) {
    return (date) => {
      const [year, month, day] = dayOf(date);
      return day === daysInMonth(year, month);
    };
  }
  const n = nearestWeekdayField(field);
  if (n !== undefined) {
    return (date) => {
      const [year, month, day] = dayOf(date);
      return day === nearestWeekday(year, month, n);
    };
  }
  const days = expandCronField(field, 1, 31);
  return days && ((date) => days.includes(date.getUTCDate()));
}

/**
 * Whether a day (a UTC date) is one a day-of-week field (after `dayOfWeekField`) names:
 * numbers, names, `*`, `?`, ranges, lists, steps, `n#k` and `nL` (`nthWeekdayField`);
 * undefined when the field is not read.
 */
export function dayOfWeekMatcher(field: string): ((date: Date) => boolean) | undefined {
  const nth = nthWeekdayField(field);
  if (nth) {
    // The nth such weekday of the month is in its nth week; the last has none a week later.
    return (date) => date.getUTCDay() + 1 === nth.day && (nth.nth === 'last'
      ? new Date(date.getTime() + 7 * 86_400_000).getUTCMonth() !== date.getUTCMonth()
      : Math.ceil(date.getUTCDate() / 7) === nth.nth);
  }
  const days = expandCronField(field === '?' ? '*' : field, 1, 7, AWS_WEEKDAYS);
  return days && ((date) => days.includes(date.getUTCDay() + 1));
}
