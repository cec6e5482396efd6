/**
 * The recovery point objective against the backups the templates schedule: a protected
 * resource whose backups are further apart than its stack's RPO does not meet it, whatever
 * the stack's metadata says.
 */
import { MINUTES_PER_WEEK } from './schedule';

/** A protected resource whose scheduled backups are further apart than the RPO. */
export interface RpoShortfall {
  readonly path: string;
  /** The longest time between two scheduled backups of its most frequent tier, in minutes; undefined when no tier runs every week. */
  readonly maxGapMinutes?: number;
  readonly reason: string;
}

/** What the check needs of a tier. */
export interface TierTimes {
  readonly mechanism: string;
  readonly scheduleNote?: string;
  /** Minutes after Monday 00:00 UTC of each run in a week. */
  readonly runs: number[];
  /** Where the runs' time of day is not known (`runs` empty): how many minutes apart they are. */
  readonly intervalMinutes?: number;
  /** The runs at the zone's July offset, when daylight saving time moves them. */
  readonly runsInJuly?: number[];
  /** How many minutes the runs move in UTC between January and July. */
  readonly daylightSavingMinutes?: number;
}

/** RDS transaction logs and AWS Backup continuous backups restore to within 5 minutes. */
const CONTINUOUS_GAP_MINUTES = 5;

/** The longest time between two backups of the tier, in minutes; undefined when it does not run every week. */
export function maxGapMinutes(tier: TierTimes): number | undefined {
  if (tier.mechanism === 'RDS automated backups' || tier.scheduleNote === 'continuous backup') {
    return CONTINUOUS_GAP_MINUTES;
  }
  if (tier.runs.length === 0) {
    return tier.intervalMinutes;
  }
  // When the clocks go back, the run after the change comes that much later in UTC.
  return Math.max(weekGap(tier.runs), weekGap(tier.runsInJuly ?? [])) + (tier.daylightSavingMinutes ?? 0);
}

function weekGap(weekRuns: number[]): number {
  if (weekRuns.length === 0) {
    return 0;
  }
  const runs = [...weekRuns].sort((a, b) => a - b);
  let gap = runs[0] + MINUTES_PER_WEEK - runs[runs.length - 1];
  for (let i = 1; i < runs.length; i++) {
    gap = Math.max(gap, runs[i] - runs[i - 1]);
  }
  return gap;
}

/** The shortfall of one resource against the RPO, or undefined when a tier meets it. */
export function rpoShortfall(path: string, tiers: TierTimes[], rpoMinutes: number): RpoShortfall | undefined {
  const gaps = tiers.map(maxGapMinutes).filter((g): g is number => g !== undefined);
  if (gaps.length === 0) {
    return { path, reason: tiers.length === 0 ? 'no backup tier' : 'no backup tier runs every week' };
  }
  const best = Math.min(...gaps);
  return best > rpoMinutes ? { path, maxGapMinutes: best, reason: `its most frequent backups are up to ${minutesText(best)} apart` } : undefined;
}

function minutesText(minutes: number): string {
  if (minutes % 1440 === 0) {
    return `${minutes / 1440} ${minutes === 1440 ? 'day' : 'days'}`;
  }
  if (minutes % 60 === 0) {
    return `${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`;
  }
  return `${minutes} minutes`;
}
