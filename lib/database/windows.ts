/**
 * Parsing and comparing RDS windows: the daily backup window `hh:mm-hh:mm` and the
 * weekly maintenance window `ddd:hh:mm-ddd:hh:mm`, both in UTC.
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A window as minutes since Sunday 00:00 UTC (start) and its length in minutes. */
export interface ParsedWindow {
  readonly start: number;
  readonly length: number;
}

function clock(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Parses a daily `hh:mm-hh:mm` window (it may cross midnight); undefined when malformed. */
export function parseDailyWindow(text: string): ParsedWindow | undefined {
  const parts = text.split('-');
  if (parts.length !== 2) {
    return undefined;
  }
  const start = clock(parts[0]);
  const end = clock(parts[1]);
  if (start === undefined || end === undefined || start === end) {
    return undefined;
  }
  return { start, length: (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY };
}

function weekMinute(text: string): number | undefined {
  const match = /^([a-zA-Z]{3}):(\d\d:\d\d)$/.exec(text);
  if (!match) {
    return undefined;
  }
  const day = DAYS.indexOf(match[1].toLowerCase());
  const minute = clock(match[2]);
  return day < 0 || minute === undefined ? undefined : day * MINUTES_PER_DAY + minute;
}

/** Parses a weekly `ddd:hh:mm-ddd:hh:mm` window (it may cross the week's end); undefined when malformed. */
export function parseWeeklyWindow(text: string): ParsedWindow | undefined {
  const parts = /^([a-zA-Z]{3}:\d\d:\d\d)-([a-zA-Z]{3}:\d\d:\d\d)$/.exec(text);
  if (!parts) {
    return undefined;
  }
  const start = weekMinute(parts[1]);
  const end = weekMinute(parts[2]);
  if (start === undefined || end === undefined || start === end) {
    return undefined;
  }
  return { start, length: (end - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK };
}

function overlapsOnWeek(aStart: number, aLength: number, bStart: number, bLength: number): boolean {
  // Two intervals on a circle of one week overlap when either start lies inside the other.
  const inside = (point: number, start: number, length: number) => ((point - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK) < length;
  return inside(aStart, bStart, bLength) || inside(bStart, aStart, aLength);
}

/** True when the daily window, repeated on each day of the week, overlaps the weekly window. */
export function dailyOverlapsWeekly(daily: ParsedWindow, weekly: ParsedWindow): boolean {
  for (let day = 0; day < 7; day++) {
    if (overlapsOnWeek(day * MINUTES_PER_DAY + daily.start, daily.length, weekly.start, weekly.length)) {
      return true;
    }
  }
  return false;
}
