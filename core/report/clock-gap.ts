/**
 * The runs of a cron schedule read in a time zone that fall at a local time the zone's clocks
 * skip when they go forward (02:30 in Berlin on the last Sunday of March), which has no UTC
 * moment, or go through twice when they go back (02:30 on the last Sunday of October), which
 * has two: what a service does with such a run is its own (EventBridge Scheduler skips the
 * first and runs the second once).
 */
import { UTC_NAMES } from '../../lib/private/utc-time-zone';
import { cronCalendar } from './overlap';
import { utcOffsetMinutes } from './schedule';

const MINUTE_MS = 60_000;
const DAY_MS = 1440 * MINUTE_MS;
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** At most this many skipped times of one day are named; more are said as a count and a span. */
const MAX_TIMES_SAID = 4;

/**
 * The wall-clock times (epoch milliseconds, the local time read as UTC) of a cron expression
 * in one calendar year that the zone's clocks skip; empty in UTC or a zone whose clocks do not
 * go forward, undefined when the expression is not read (`cronCalendar`) or the zone not known.
 */
export function skippedLocalTimes(expression: string, zone: string | undefined, year: number): number[] | undefined {
  return localTimesAtClockChanges(expression, zone, year, 'forward');
}

/**
 * The wall-clock times of a cron expression in one calendar year that occur twice, when the
 * zone's clocks go back (02:30 in Berlin on the last Sunday of October); as `skippedLocalTimes`.
 */
export function repeatedLocalTimes(expression: string, zone: string | undefined, year: number): number[] | undefined {
  return localTimesAtClockChanges(expression, zone, year, 'back');
}

/** The wall-clock times of the year's runs between the two readings of the clock where it changes in that direction. */
function localTimesAtClockChanges(expression: string, zone: string | undefined, year: number, direction: 'forward' | 'back'): number[] | undefined {
  const calendar = cronCalendar(expression);
  if (!calendar || zone === undefined) {
    return calendar ? [] : undefined;
  }
  if (UTC_NAMES.includes(zone)) {
    return [];
  }
  const found: number[] = [];
  const offsetAt = (at: number): number | undefined => utcOffsetMinutes(zone, at);
  for (let from = Date.UTC(year, 0, 1) - DAY_MS; from < Date.UTC(year + 1, 0, 1) + DAY_MS; from += DAY_MS) {
    const before = offsetAt(from);
    const after = offsetAt(from + DAY_MS);
    if (before === undefined || after === undefined) {
      return undefined;
    }
    if (direction === 'forward' ? after <= before : after >= before) {
      continue;
    }
    // The clocks change within this day: find the minute, then the wall-clock times between the two readings.
    let low = from;
    let high = from + DAY_MS;
    while (high - low > MINUTE_MS) {
      const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(mid) === before) {
        low = mid;
      } else {
        high = mid;
      }
    }
    const spanStart = high + Math.min(before, after) * MINUTE_MS;
    const spanEnd = high + Math.max(before, after) * MINUTE_MS;
    for (let day = Math.floor(spanStart / DAY_MS) * DAY_MS; day < spanEnd; day += DAY_MS) {
      if (new Date(day).getUTCFullYear() !== year || !calendar.runsOn(day)) {
        continue;
      }
      found.push(...calendar.times.map((t) => day + t * MINUTE_MS).filter((wallClock) => wallClock >= spanStart && wallClock < spanEnd));
    }
  }
  return found.sort((a, b) => a - b);
}

function clockText(wallClock: number): string {
  const date = new Date(wallClock);
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

function listText(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
}

/** Runs at wall-clock times in words, by day: `the run at 02:30 on March 29`, `the 4 runs from 02:00 to 02:45 on March 29`. */
export function localRunsText(wallClocks: number[]): string {
  const byDay = new Map<number, number[]>();
  for (const wallClock of wallClocks) {
    const day = Math.floor(wallClock / DAY_MS) * DAY_MS;
    byDay.set(day, [...(byDay.get(day) ?? []), wallClock]);
  }
  return listText([...byDay].map(([day, times]) => {
    const date = new Date(day);
    const on = `on ${MONTH_NAMES[date.getUTCMonth()]} ${date.getUTCDate()}`;
    if (times.length === 1) {
      return `the run at ${clockText(times[0])} ${on}`;
    }
    return times.length > MAX_TIMES_SAID
      ? `the ${times.length} runs from ${clockText(times[0])} to ${clockText(times[times.length - 1])} ${on}`
      : `the runs at ${listText(times.map(clockText))} ${on}`;
  }));
}

/** The services that read a cron expression in a time zone, as far as the report knows what they do with a skipped time. */
export type ZonedScheduler = 'AWS Backup' | 'EventBridge Scheduler';

/**
 * What becomes of a schedule's runs in the year at local times the clocks skip or repeat, to
 * follow its schedule text (empty when there are none or they are not known). EventBridge
 * Scheduler documents that it skips a time the clocks skip, and that it runs a time they
 * repeat only once, without saying at which of the two ("Daylight saving time on EventBridge
 * Scheduler", EventBridge Scheduler User Guide). AWS Backup's documentation says neither, so
 * the report says so and places those runs nowhere.
 */
export function clockGapText(expression: unknown, zone: unknown, year: number, service: ZonedScheduler): string {
  if (typeof expression !== 'string' || typeof zone !== 'string') {
    return '';
  }
  return skippedText(skippedLocalTimes(expression, zone, year) ?? [], zone, year, service)
    + repeatedText(repeatedLocalTimes(expression, zone, year) ?? [], zone, year, service);
}

function skippedText(skipped: number[], zone: string, year: number, service: ZonedScheduler): string {
  if (skipped.length === 0) {
    return '';
  }
  const one = skipped.length === 1;
  return service === 'EventBridge Scheduler'
    ? `; in ${year} EventBridge Scheduler skips ${localRunsText(skipped)}: the clocks in ${zone} go forward past ${one ? 'it' : 'them'}`
    : `; in ${year} ${localRunsText(skipped)} ${one ? 'falls' : 'fall'} in the time the clocks in ${zone} skip when they go forward: AWS Backup's documentation does not say whether or when it takes ${one ? 'that backup' : 'those backups'}, and the report places ${one ? 'it' : 'them'} nowhere`;
}

function repeatedText(repeated: number[], zone: string, year: number, service: ZonedScheduler): string {
  if (repeated.length === 0) {
    return '';
  }
  const one = repeated.length === 1;
  const when = `; in ${year} ${localRunsText(repeated)} ${one ? 'falls' : 'fall'} in the time the clocks in ${zone} go through twice when they go back`;
  return service === 'EventBridge Scheduler'
    ? `${when}: EventBridge Scheduler runs ${one ? 'it' : 'each'} once, and its documentation does not say at which of the two times`
    : `${when}: AWS Backup's documentation does not say whether it takes ${one ? 'that backup' : 'those backups'} once or twice, nor at which of the two times, and the report places ${one ? 'it' : 'them'} nowhere`;
}
