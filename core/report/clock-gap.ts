/**
 * The runs of a cron schedule read in a time zone that fall at a local time the zone's clocks
 * skip when they go forward (02:30 in Berlin on the last Sunday of March): such a time has no
 * UTC moment, and what a service does with the run is its own (EventBridge Scheduler skips it).
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
  const calendar = cronCalendar(expression);
  if (!calendar || zone === undefined) {
    return calendar ? [] : undefined;
  }
  if (UTC_NAMES.includes(zone)) {
    return [];
  }
  const skipped: number[] = [];
  const offsetAt = (at: number): number | undefined => utcOffsetMinutes(zone, at);
  for (let from = Date.UTC(year, 0, 1) - DAY_MS; from < Date.UTC(year + 1, 0, 1) + DAY_MS; from += DAY_MS) {
    const before = offsetAt(from);
    const after = offsetAt(from + DAY_MS);
    if (before === undefined || after === undefined) {
      return undefined;
    }
    if (after <= before) {
      continue;
    }
    // The clocks go forward within this day: find the minute, then the wall-clock times it skips.
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
    const gapStart = high + before * MINUTE_MS;
    const gapEnd = high + after * MINUTE_MS;
    for (let day = Math.floor(gapStart / DAY_MS) * DAY_MS; day < gapEnd; day += DAY_MS) {
      if (new Date(day).getUTCFullYear() !== year || !calendar.runsOn(day)) {
        continue;
      }
      skipped.push(...calendar.times.map((t) => day + t * MINUTE_MS).filter((wallClock) => wallClock >= gapStart && wallClock < gapEnd));
    }
  }
  return skipped.sort((a, b) => a - b);
}

function clockText(wallClock: number): string {
  const date = new Date(wallClock);
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

function listText(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
}

/** Skipped wall-clock times in words, by day: `the run at 02:30 on March 29`, `the 4 runs from 02:00 to 02:45 on March 29`. */
export function skippedRunsText(wallClocks: number[]): string {
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
 * What becomes of a schedule's runs in the year at local times the clocks skip, to follow its
 * schedule text (empty when there are none or they are not known). EventBridge Scheduler
 * documents that it skips them ("Daylight saving time on EventBridge Scheduler", EventBridge
 * Scheduler User Guide); AWS Backup's documentation does not say, so the report says so and
 * places them nowhere.
 */
export function clockGapText(expression: unknown, zone: unknown, year: number, service: ZonedScheduler): string {
  if (typeof expression !== 'string' || typeof zone !== 'string') {
    return '';
  }
  const skipped = skippedLocalTimes(expression, zone, year) ?? [];
  if (skipped.length === 0) {
    return '';
  }
  const one = skipped.length === 1;
  return service === 'EventBridge Scheduler'
    ? `; in ${year} EventBridge Scheduler skips ${skippedRunsText(skipped)}: the clocks in ${zone} go forward past ${one ? 'it' : 'them'}`
    : `; in ${year} ${skippedRunsText(skipped)} ${one ? 'falls' : 'fall'} in the time the clocks in ${zone} skip when they go forward: AWS Backup's documentation does not say whether or when it takes ${one ? 'that backup' : 'those backups'}, and the report places ${one ? 'it' : 'them'} nowhere`;
}
