/**
 * Schedule and retention arithmetic for the report: AWS cron and rate expressions turned
 * into the runs of one week (minutes after Monday 00:00 UTC) and into plain words, in the
 * time zone the schedule is read in.
 */
import { AWS_MONTHS, AWS_WEEKDAYS, MONTH_NAMES, cronFormProblem, dayOfWeekField, expandCronField, isLastDay, nearestWeekdayField, nthWeekdayField, undocumentedDayOfMonthProblem } from '../../lib/private/cron-field';
import { dayOfWeekStepProblem } from '../../lib/private/cron-day-of-week-step';
import { wrappingRangeProblem } from '../../lib/private/cron-wrapping-range';
import { UTC_NAMES } from '../../lib/private/utc-time-zone';
import type { Json } from './assembly';
import { tokenText } from './token-text';

export const MINUTES_PER_WEEK = 7 * 24 * 60;
const DAY_NAMES = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** When a schedule runs within one week, and how to say it. */
export interface WeeklyRuns {
  /** Minutes after Monday 00:00 UTC of each run in a week. */
  readonly minutes: number[];
  /** The schedule in words, such as "daily at 05:00 UTC". */
  readonly text: string;
  /** Set when the schedule does not run every week (for example monthly). */
  readonly note?: string;
  /** A schedule read in a zone with daylight saving time: its runs at the zone's July offset (`minutes` are at January's). */
  readonly minutesInJuly?: number[];
  /** How many minutes the runs move in UTC between January and July. */
  readonly daylightSavingMinutes?: number;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) {
    out.push(v);
  }
  return out;
}

/** The runs of an AWS schedule expression (`cron(...)`, `rate(...)`, `at(...)`) in one week, its times in UTC. */
export function weeklyRuns(expression: unknown, defaultText = 'no schedule'): WeeklyRuns {
  return runsOf(expression, defaultText, 'UTC');
}

/** Minutes the zone is ahead of UTC at a moment, or undefined when the zone is not known. */
export function utcOffsetMinutes(zone: string, at: number): number | undefined {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(at));
  } catch {
    return undefined;
  }
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return Math.round((Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute')) - at) / 60000);
}

function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `UTC${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// A fixed year, so that the report does not depend on the day it is made.
const JANUARY = Date.UTC(2026, 0, 15, 12);
const JULY = Date.UTC(2026, 6, 15, 12);

/** At most this many times of day are said in UTC; more are said as the zone's offsets. */
const MAX_UTC_TIMES_SAID = 4;

/**
 * The runs of a schedule whose cron expression is read in a time zone (the
 * `ScheduleExpressionTimezone` of an AWS Backup rule or an EventBridge Scheduler schedule).
 * The text says the local times with the zone and the same times in UTC, in January and in
 * July when daylight saving time moves them (either hemisphere). `minutes` are placed at the
 * zone's January offset, `minutesInJuly` at its July offset, and `daylightSavingMinutes` is
 * how far the runs move between the two. Without a zone, or in UTC, the same as `weeklyRuns`.
 */
export function zonedWeeklyRuns(expression: unknown, timeZone: unknown, defaultText = 'no schedule'): WeeklyRuns {
  if (timeZone === undefined || timeZone === null || timeZone === '' || (typeof timeZone === 'string' && UTC_NAMES.includes(timeZone))) {
    return weeklyRuns(expression, defaultText);
  }
  // A zone given by a token (a parameter, Fn::If) is said in words; no zone is known by that name.
  const zone = typeof timeZone === 'string' ? timeZone : tokenText(timeZone);
  if (typeof expression !== 'string' || !/^cron\(/.test(expression.trim())) {
    // rate() and at() schedules do not depend on the zone, and one given by a token is not read.
    return weeklyRuns(expression, defaultText);
  }
  const local = runsOf(expression, defaultText, zone);
  if (notUnderstood(local)) {
    // Not read: no local times, so none to say in UTC either.
    return local;
  }
  const january = typeof timeZone === 'string' ? utcOffsetMinutes(zone, JANUARY) : undefined;
  const july = typeof timeZone === 'string' ? utcOffsetMinutes(zone, JULY) : undefined;
  if (january === undefined || july === undefined) {
    const why = typeof timeZone === 'string' ? 'time zone not known to the report' : 'time zone given by a token, not known at synth';
    return { minutes: [], text: `${local.text} (${why})`, note: local.note ?? 'time zone not known to the report' };
  }
  const inUtc = (offset: number): number[] => local.minutes.map((m) => (((m - offset) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK).sort((a, b) => a - b);
  return {
    minutes: inUtc(january),
    text: `${local.text} (${utcTimesText(expression, january, july)})`,
    ...(local.note !== undefined ? { note: local.note } : {}),
    ...(january !== july ? { minutesInJuly: inUtc(july), daylightSavingMinutes: Math.abs(july - january) } : {}),
  };
}

/**
 * The local times of a cron expression in UTC at the zone's offsets, or the offsets when there
 * are many times. Only expressions the report read reach it, so of the form AWS takes
 * (`cronFormProblem`); any other says the offsets.
 */
function utcTimesText(expression: string, january: number, july: number): string {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1].trim().split(/\s+/) ?? [];
  const wellFormed = cronFormProblem(fields) === undefined;
  const minutes = wellFormed ? expandCronField(fields[0], 0, 59) : undefined;
  const hours = wellFormed ? expandCronField(fields[1], 0, 23) : undefined;
  const times = hours && minutes ? hours.flatMap((h) => minutes.map((m) => h * 60 + m)) : [];
  if (times.length === 0 || times.length > MAX_UTC_TIMES_SAID) {
    return january === july ? offsetText(january) : `${offsetText(january)} in January, ${offsetText(july)} in July`;
  }
  // A daily schedule runs every day: the UTC date it falls on says nothing.
  const daily = ['*', '?'].includes(fields[2]) && ['*', '?'].includes(fields[3]) && ['*', '?'].includes(fields[4]);
  const at = (offset: number): string => {
    const said = times.map((t) => {
      const utc = t - offset;
      const day = daily ? 0 : Math.floor(utc / 1440);
      const time = ((utc % 1440) + 1440) % 1440;
      return { time: `${pad(Math.floor(time / 60))}:${pad(time % 60)}`, day: day === 0 ? '' : day < 0 ? ' the day before' : ' the day after' };
    });
    return said.every((t) => t.day === '')
      ? `${said.map((t) => t.time).join(', ')} UTC`
      : said.map((t) => `${t.time} UTC${t.day}`).join(', ');
  };
  return january === july ? at(january) : `${at(january)} in January, ${at(july)} in July`;
}

function runsOf(expression: unknown, defaultText: string, zone: string): WeeklyRuns {
  if (expression === undefined || expression === null || expression === '') {
    return { minutes: [], text: defaultText };
  }
  if (typeof expression !== 'string') {
    // A token (a parameter, an import): only the deploy knows the schedule, and the RPO check says so.
    return { minutes: [], text: `${tokenText(expression)}, not known at synth`, note: 'not known' };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) {
    return cronRuns(cron[1].trim().split(/\s+/), expression, zone);
  }
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unitMinutes = rate[2].startsWith('minute') ? 1 : rate[2].startsWith('hour') ? 60 : 1440;
    const every = n * unitMinutes;
    const unit = rate[2].replace(/s$/, '');
    return { minutes: range(0, MINUTES_PER_WEEK - 1, every), text: n === 1 ? `every ${unit}` : `every ${n} ${unit}s`, note: 'rate schedules start when they are created' };
  }
  if (/^at\(/.test(expression.trim())) {
    return { minutes: [], text: `once, ${expression}`, note: 'runs once' };
  }
  return { minutes: [], text: expression, note: NOT_UNDERSTOOD_NOTE };
}

export { dayOfWeekField, nthWeekdayField, type NthWeekday } from '../../lib/private/cron-field';

/** The note of a schedule the report does not read: it has no runs, and its text is the expression as written. */
export const NOT_UNDERSTOOD_NOTE = 'schedule not understood by the report';

/** Why the report does not read a cron expression AWS rejects for the form of its fields. */
function rejectedFormNote(problem: string): string {
  return `${NOT_UNDERSTOOD_NOTE}: AWS rejects it, ${problem}`;
}

/** Why the report does not read a cron expression with a form of `L` or `W`, a range, or a step in the day of the week, AWS does not document. */
function undocumentedNote(problem: string): string {
  return `${NOT_UNDERSTOOD_NOTE}: ${problem}`;
}

/** Why the report does not read a cron expression whose day-of-month and day-of-week fields are not exactly one `?`. */
export const NOT_ONE_DAY_FIELD_NOTE = rejectedFormNote('exactly one of the day-of-month and day-of-week fields must be ?');

/** Whether the report read the schedule; one it did not has no runs and no times to say in UTC. */
function notUnderstood(runs: WeeklyRuns): boolean {
  return runs.note?.startsWith(NOT_UNDERSTOOD_NOTE) ?? false;
}

function cronRuns(fields: string[], expression: string, zone: string): WeeklyRuns {
  const problem = cronFormProblem(fields);
  if (problem !== undefined) {
    return { minutes: [], text: expression, note: rejectedFormNote(problem) };
  }
  const [minuteField, hourField, domField, monthField, givenDowField, yearField] = fields;
  const undocumented = undocumentedDayOfMonthProblem(domField, expandCronField(monthField, 1, 12, AWS_MONTHS) ?? range(1, 12, 1)) ?? wrappingRangeProblem(fields)
    ?? dayOfWeekStepProblem(givenDowField);
  if (undocumented !== undefined) {
    return { minutes: [], text: expression, note: undocumentedNote(undocumented) };
  }
  const dowField = dayOfWeekField(givenDowField);
  const minutes = expandCronField(minuteField, 0, 59);
  const hours = expandCronField(hourField, 0, 23);
  const nth = nthWeekdayField(dowField);
  const dows = nth ? [nth.day] : expandCronField(dowField, 1, 7, AWS_WEEKDAYS);
  const months = expandCronField(monthField, 1, 12, AWS_MONTHS);
  const years = expandCronField(yearField, 1970, 2199);
  const every = (field: string): boolean => field === '*' || field === '?';
  const notRead: WeeklyRuns = { minutes: [], text: expression, note: NOT_UNDERSTOOD_NOTE };
  if (!minutes || !hours || !dows || !months || !years) {
    return notRead;
  }
  // AWS day-of-week 1 = Sunday; the report's week starts on Monday (index 0).
  const weekDays = dows.map((d) => (d + 5) % 7).sort((a, b) => a - b);
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  const timeText = describeTimes(times, minutes, hours, zone);
  const weekDaysText = `on ${weekDays.map((d) => DAY_NAMES[d]).join(', ')}`;
  if (!every(domField) || !every(monthField) || !every(yearField) || nth) {
    const someMonths = every(monthField) ? undefined : months;
    const days = !every(domField) ? daysOfMonthText(domField, someMonths)
      : nth ? `on the ${nth.nth === 'last' ? 'last' : ORDINALS[nth.nth - 1]} ${DAY_NAMES[weekDays[0]].slice(0, -1)} of ${someMonths === undefined ? 'every month' : monthsText(someMonths)}`
        : `${weekDays.length === 7 ? 'daily' : weekDaysText}${someMonths === undefined ? '' : ` in ${monthsText(someMonths)}`}`;
    if (days === undefined) {
      return notRead;
    }
    return { minutes: [], text: `${days}${every(yearField) ? '' : ` in ${listText(years.map(String))}`} ${timeText}`, note: 'does not run every week' };
  }
  const runs = weekDays.flatMap((day) => times.map((t) => day * 1440 + t)).sort((a, b) => a - b);
  const dayText = weekDays.length === 7 ? (times.length > 1 && hours.length > 1 ? '' : 'daily') : weekDaysText;
  return { minutes: runs, text: [dayText, timeText].filter(Boolean).join(' ') };
}

/** A list in words: `March, June and September`. */
function listText(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
}

/** Months (1-12) in words: `March, June and September`. */
function monthsText(monthNumbers: readonly number[]): string {
  return listText(monthNumbers.map((m) => MONTH_NAMES[m - 1]));
}

/**
 * The days of a cron expression that does not run every week, in words, in some months
 * (1-12) or every month: `on the last day of every month`, `on December 31`, `on day 1 of
 * January and July`, `on the weekday nearest day 15 of every month`. Undefined when the
 * day-of-month field is not read (a range from a larger day to a smaller one, a step of 0).
 */
function daysOfMonthText(domField: string, monthNumbers: readonly number[] | undefined): string | undefined {
  const months = monthNumbers === undefined ? 'every month' : monthsText(monthNumbers);
  if (isLastDay(domField)) {
    return `on the last day of ${months}`;
  }
  const nearest = nearestWeekdayField(domField);
  if (nearest !== undefined) {
    return `on the weekday nearest ${monthNumbers?.length === 1 ? `${MONTH_NAMES[monthNumbers[0] - 1]} ${nearest}` : `day ${nearest} of ${months}`}`;
  }
  const days = expandCronField(domField, 1, 31);
  if (!days) {
    return undefined;
  }
  if (monthNumbers?.length === 1) {
    return `on ${MONTH_NAMES[monthNumbers[0] - 1]} ${listText(days.map(String))}`;
  }
  return `on ${days.length === 1 ? 'day' : 'days'} ${listText(days.map(String))} of ${months}`;
}

function describeTimes(times: number[], minutes: number[], hours: number[], zone: string): string {
  if (hours.length === 24 && minutes.length === 1) {
    return `every hour at minute ${minutes[0]}${zone === 'UTC' ? '' : ` in ${zone}`}`;
  }
  if (hours.length > 1 && minutes.length === 1 && hours.length > 4) {
    const step = hours[1] - hours[0];
    if (hours.every((h, i) => i === 0 || h - hours[i - 1] === step)) {
      return `every ${step} hours from ${pad(hours[0])}:${pad(minutes[0])} ${zone}`;
    }
  }
  return `at ${times.map((t) => `${pad(Math.floor(t / 60))}:${pad(t % 60)}`).join(', ')} ${zone}`;
}

/** The note of a schedule whose time of day DLM picks. */
const DLM_PICKS_TIME_NOTE = 'the time of day is chosen by DLM';
/** What a DLM interval schedule without Times says of its start (its interval is said before it). */
export const DLM_PICKS_TIME_TEXT = "at a time of day DLM picks (no Times; DLM picks one within 24 hours of the policy's creation)";

/**
 * Runs every `intervalHours` starting at the given UTC times (DLM create rules). Without times
 * DLM picks the start ("within the next 24 hours", DLM API Reference, CreateRule): no runs are
 * placed, the time of day is not known.
 */
export function intervalRuns(intervalHours: number, startTimes: string[] | undefined): WeeklyRuns {
  if (!startTimes || startTimes.length === 0) {
    const every = intervalHours === 24 ? 'daily' : intervalHours === 1 ? 'every hour' : `every ${intervalHours} hours`;
    return { minutes: [], text: `${every}, ${DLM_PICKS_TIME_TEXT}, not known at synth`, note: DLM_PICKS_TIME_NOTE };
  }
  const starts = startTimes.map((t) => {
    const [h, m] = t.split(':').map(Number);
    return h * 60 + m;
  });
  const every = intervalHours * 60;
  const runs = new Set<number>();
  for (const start of starts) {
    for (let t = start % every; t < MINUTES_PER_WEEK; t += every) {
      runs.add(t);
    }
  }
  const startText = startTimes && startTimes.length > 0 ? ` from ${startTimes.join(', ')} UTC` : '';
  return { minutes: [...runs].sort((a, b) => a - b), text: intervalHours === 1 ? `every hour${startText}` : intervalHours === 24 ? `daily${startTimes?.length ? ` at ${startTimes.join(', ')} UTC` : ''}` : `every ${intervalHours} hours${startText}` };
}

/** The note of a schedule whose time of day RDS picks. */
const RDS_PICKS_TIME_NOTE = 'the time of day is chosen by RDS';

/** Daily runs of RDS automated backups: how far apart they are, where their time of day is not known (`minutes` then empty). */
export interface DailyWindowRuns extends WeeklyRuns {
  readonly intervalMinutes?: number;
}

/**
 * Daily runs in an RDS backup window such as `03:00-04:00` (UTC). Without one RDS picks "a
 * 30-minute window selected at random from an 8-hour block of time for each AWS Region"
 * (Amazon RDS User Guide, Backup window); with a token (a parameter) the deploy sets it: either
 * way the runs are a day apart at a time of day not known at synth, and none is placed.
 * `transactionLogs` false leaves out the transaction logs (a read replica's backups are daily only).
 */
export function windowRuns(window: unknown, transactionLogs = true): DailyWindowRuns {
  const logs = transactionLogs ? ', plus transaction logs every 5 minutes' : '';
  if (window === undefined) {
    return {
      minutes: [], intervalMinutes: 1440, note: RDS_PICKS_TIME_NOTE,
      text: `daily, in a 30-minute window RDS picks at random from an 8-hour block of time for the region (no PreferredBackupWindow), not known at synth${logs}`,
    };
  }
  if (typeof window !== 'string') {
    return { minutes: [], intervalMinutes: 1440, note: 'the time of day is given by a token', text: `daily, in the window ${tokenText(window)}, not known at synth${logs}` };
  }
  // hh24: 00 to 23; mi: 00 to 59.
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(window);
  if (!match) {
    // RDS takes only hh24:mi-hh24:mi: whether such a template deploys, and so whether backups run, is not known.
    return { minutes: [], note: 'not known', text: `not known: the window '${window}' is not hh24:mi-hh24:mi (UTC), the form RDS requires` };
  }
  const start = Number(match[1]) * 60 + Number(match[2]);
  return { minutes: range(0, 6, 1).map((d) => d * 1440 + start), text: `daily in the window ${window} UTC${logs}` };
}

/** A retention in words and as an effective window in hours. */
export interface Retention {
  readonly text: string;
  /** The shortest time a copy lives, in hours. */
  readonly minHours: number;
  /** The longest time a copy lives, in hours. */
  readonly maxHours: number;
}

/** A retention of a whole number of days that ends exactly (AWS Backup, RDS, DLM). */
export function daysRetention(days: number, suffix = ''): Retention {
  return { text: `${days} ${days === 1 ? 'day' : 'days'}${suffix}`, minHours: days * 24, maxHours: days * 24 };
}

/**
 * The effective window of an S3 lifecycle expiry: S3 rounds the expiry to the next midnight
 * UTC, so "2 days" keeps objects 48 to 72 hours.
 */
export function s3ExpiryRetention(days: number): Retention {
  const text = days <= 3 ? `${days * 24} to ${(days + 1) * 24} hours` : `${days} to ${days + 1} days`;
  return { text: `${text} (S3 expiry of ${days} ${days === 1 ? 'day' : 'days'}, rounded to the next midnight UTC)`, minHours: days * 24, maxHours: (days + 1) * 24 };
}

/** A readable span of hours for axis labels and summaries. */
export function spanText(hours: number): string {
  if (hours < 48) {
    return `${hours} h`;
  }
  const days = hours / 24;
  if (days < 60) {
    return `${Math.round(days)} d`;
  }
  if (days < 730) {
    return `${Math.round(days / 30.4)} mo`;
  }
  return `${Math.round(days / 365)} y`;
}

/** The July runs of a schedule that daylight saving time moves, for a tier or an activity. */
export function seasons(runs: WeeklyRuns): { runsInJuly?: number[]; daylightSavingMinutes?: number } {
  return runs.minutesInJuly ? { runsInJuly: runs.minutesInJuly, daylightSavingMinutes: runs.daylightSavingMinutes } : {};
}

/** Whether a DLM interval schedule has no `Times`: DLM then picks its start time, within 24 hours of the policy's creation. */
export function dlmStartPicked(create: Json): boolean {
  return create.Times === undefined || (Array.isArray(create.Times) && create.Times.length === 0);
}
