// Internal: one field of an AWS cron expression, shared by the construct checks and the report.

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
 * day fields), or undefined when it does not for these reasons. The report says it, and the
 * synth check and the drill interval refuse the expression for the same reasons.
 */
export function cronFormProblem(fields: readonly string[]): string | undefined {
  if (fields.length !== AWS_CRON_FIELDS) {
    return `a cron expression has ${AWS_CRON_FIELDS} fields (minutes hours day-of-month month day-of-week year), this one ${fields.length}`;
  }
  if (!exactlyOneDayFieldIsQuestionMark(fields[2], fields[4])) {
    return 'exactly one of the day-of-month and day-of-week fields must be ?';
  }
  return undefined;
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

/** The weekday of the month a day-of-week field names with `#` or `L`, or undefined when it names none. */
export function nthWeekdayField(field: string): NthWeekday | undefined {
  const match = /^([A-Za-z]{3}|[1-7])(?:#([1-5])|L)$/.exec(field);
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
  return field === 'L' ? '7' : field;
}
