import { Duration, TimeZone } from 'aws-cdk-lib';

/**
 * How often an archive tier takes a copy. Each tier runs on a calendar schedule
 * (a cron expression in the policy's time zone).
 */
export enum ArchiveFrequency {
  /** Every Sunday (at most 7 days between copies). */
  WEEKLY = 'WEEKLY',
  /** On the 1st and the 15th of every month (at most 17 days between copies). */
  FORTNIGHTLY = 'FORTNIGHTLY',
  /** Every month: on its last day with `monthEnd` (the default), else on the 1st (at most 31 days between copies). */
  MONTHLY = 'MONTHLY',
  /** Every 3 months: at the end of March, June, September and December with `monthEnd`, else on the 1st of January, April, July and October (at most 92 days between copies). */
  QUARTERLY = 'QUARTERLY',
  /** Every 6 months: at the end of June and December with `monthEnd`, else on the 1st of January and July (at most 184 days between copies). */
  HALF_YEARLY = 'HALF_YEARLY',
  /** Every year: on December 31 with `yearEnd` (the default), else on January 1 (at most 366 days between copies). */
  YEARLY = 'YEARLY',
}

/** The rolling tier: frequent copies kept a short time, then replaced by newer ones. */
export interface RollingTier {
  /**
   * Time between two copies, a whole number of hours that AWS Data Lifecycle Manager
   * allows: 1, 2, 3, 4, 6, 8, 12 or 24 hours.
   *
   * @default Duration.hours(1)
   */
  readonly interval?: Duration;
  /**
   * How long each copy is kept, in hours; at least the interval. The EBS snapshot policy
   * keeps retention / interval snapshots, so a multiple of the interval is exact.
   * AWS Backup keeps whole days, so it rounds up to the next day.
   *
   * @default Duration.hours(48)
   */
  readonly retention?: Duration;
}

/** One archive tier: a calendar copy kept for its own period (days) or indefinitely. */
export interface ArchiveTier {
  /** How often the tier takes a copy. */
  readonly frequency: ArchiveFrequency;
  /**
   * How long each copy is kept, in days. Must be at least the longest time between two
   * copies of the tier, so that a copy always exists. Required unless `keepIndefinitely`.
   *
   * @default - none: required unless `keepIndefinitely` is true
   */
  readonly retention?: Duration;
  /**
   * Keep every copy of this tier forever (no expiry). Only for the yearly tier.
   *
   * @default false
   */
  readonly keepIndefinitely?: boolean;
  /**
   * Move each copy to cold storage (AWS Backup cold storage, EBS Snapshots Archive) this
   * many days after it was taken. AWS requires at least 90 days in cold storage before
   * deletion. The EBS snapshot policy archives only monthly and rarer tiers (AWS limit).
   * AWS Backup moves only the resource types that support cold storage and ignores the
   * setting for the others, whose copies stay warm.
   *
   * @default - copies stay in warm storage
   */
  readonly moveToColdStorageAfter?: Duration;
}

/** When scheduled copies start. */
export interface BackupWindow {
  /**
   * Hour of day (0 to 23) at which copies start, in the policy's time zone.
   *
   * @default 3
   */
  readonly startHour?: number;
  /**
   * How long after the start hour a copy may still start, in hours (1 to 24 hours).
   *
   * @default Duration.hours(2)
   */
  readonly duration?: Duration;
}

/** A place outside the primary region (and optionally outside the account) that receives copies. */
export interface OffSiteCopy {
  /** The region that receives the copies, e.g. `eu-central-1`. */
  readonly region: string;
  /**
   * The account that receives the copies (AWS Backup only; EBS snapshot copies stay in the account).
   * AWS Backup copies RDS and Aurora recovery points to another account or to another
   * region, not both: `BackupVaults` refuses such a copy for a plan that selects databases.
   *
   * @default - the account of the stack
   */
  readonly account?: string;
}

/** Everything a `RetentionPolicy` is made of. */
export interface RetentionPolicyProps {
  /**
   * The rolling tier.
   *
   * @default - every hour, kept 48 hours
   */
  readonly rolling?: RollingTier;
  /**
   * The archive tiers, at most one per frequency.
   *
   * @default - no archive tier
   */
  readonly archives?: ArchiveTier[];
  /**
   * When scheduled copies start.
   *
   * @default - start at 03:00, within 2 hours
   */
  readonly window?: BackupWindow;
  /**
   * The time zone of the backup window and the calendar tiers (AWS Backup). AWS Data
   * Lifecycle Manager schedules run in UTC only: the EBS snapshot policy reads the start
   * hour as UTC.
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
  /**
   * Take monthly, quarterly and half-yearly copies on the last day of the month
   * (month-end copies) instead of the 1st.
   *
   * @default true
   */
  readonly monthEnd?: boolean;
  /**
   * Take the yearly copy on December 31 (year-end copy) instead of January 1.
   *
   * @default true
   */
  readonly yearEnd?: boolean;
  /**
   * Regions (and optionally accounts) that receive a copy of every tier. AWS allows at
   * most 3 copy regions for EBS snapshots.
   *
   * @default - no off-site copy
   */
  readonly offSiteCopies?: OffSiteCopy[];
  /**
   * Copy the rolling tier off site too, not only the archive tiers.
   *
   * @default true
   */
  readonly copyRollingTierOffSite?: boolean;
  /**
   * How far back point-in-time recovery of a database reaches (AWS Backup continuous
   * backup), in days: 1 to 35 days. AWS Backup takes over the RDS automated backups of the
   * instances it backs up continuously and sets their retention to this value, so it
   * should not be shorter than the instance's own backup retention.
   *
   * @default Duration.days(14) - the automated backup retention of `ReplicatedMySql`
   */
  readonly pointInTimeRecovery?: Duration;
}

/** Options shared by the presets of `RetentionPolicy`. */
export interface RetentionPresetOptions {
  /**
   * Time between two rolling copies (1, 2, 3, 4, 6, 8, 12 or 24 hours).
   *
   * @default Duration.hours(1)
   */
  readonly rollingInterval?: Duration;
  /**
   * When scheduled copies start.
   *
   * @default - start at 03:00, within 2 hours
   */
  readonly window?: BackupWindow;
  /**
   * The time zone of the schedules (AWS Backup).
   *
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
  /**
   * Regions (and accounts) that receive a copy of every tier.
   *
   * @default - no off-site copy
   */
  readonly offSiteCopies?: OffSiteCopy[];
  /**
   * How far back point-in-time recovery reaches, in days (1 to 35 days).
   *
   * @default Duration.days(14)
   */
  readonly pointInTimeRecovery?: Duration;
}

/**
 * One backup schedule, in tiers, that this library compiles into an AWS Backup plan, EBS
 * snapshot lifecycle policies and S3 lifecycle rules.
 *
 * A `RetentionPolicy` is a value: it is checked when a construct uses it, and the errors
 * name that construct.
 */
export class RetentionPolicy {
  /** A rolling tier alone: a copy every hour (by default), each kept 48 hours. */
  public static rolling48Hours(options: RetentionPresetOptions = {}): RetentionPolicy {
    return new RetentionPolicy({ ...presetBase(options) });
  }

  /**
   * Grandfather-father-son: the rolling 48-hour tier, weekly copies kept 5 weeks (35 days),
   * monthly copies kept 12 months (365 days), and yearly copies kept indefinitely (moved to
   * cold storage after 90 days).
   */
  public static grandfatherFatherSon(options: RetentionPresetOptions = {}): RetentionPolicy {
    return new RetentionPolicy({
      ...presetBase(options),
      archives: [
        { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(35) },
        { frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) },
        { frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true, moveToColdStorageAfter: Duration.days(90) },
      ],
    });
  }

  /**
   * Every tier: the rolling 48-hour tier; weekly copies kept 35 days; fortnightly copies
   * kept 70 days; monthly copies kept 365 days; quarterly copies kept 731 days (2 years);
   * half-yearly copies kept 1827 days (5 years); yearly copies kept indefinitely. Quarterly
   * and rarer copies move to cold storage after 90 days.
   */
  public static fullLadder(options: RetentionPresetOptions = {}): RetentionPolicy {
    return new RetentionPolicy({
      ...presetBase(options),
      archives: [
        { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(35) },
        { frequency: ArchiveFrequency.FORTNIGHTLY, retention: Duration.days(70) },
        { frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(365) },
        { frequency: ArchiveFrequency.QUARTERLY, retention: Duration.days(731), moveToColdStorageAfter: Duration.days(90) },
        { frequency: ArchiveFrequency.HALF_YEARLY, retention: Duration.days(1827), moveToColdStorageAfter: Duration.days(90) },
        { frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true, moveToColdStorageAfter: Duration.days(90) },
      ],
    });
  }

  /** A policy from its parts. Equivalent to `new RetentionPolicy(props)`. */
  public static of(props: RetentionPolicyProps): RetentionPolicy {
    return new RetentionPolicy(props);
  }

  /** Time between two rolling copies. */
  public readonly rollingInterval: Duration;
  /** How long each rolling copy is kept. */
  public readonly rollingRetention: Duration;
  /** The archive tiers, from the most frequent to the rarest. */
  public readonly archives: ArchiveTier[];
  /** Hour of day (0 to 23) at which scheduled copies start. */
  public readonly windowStartHour: number;
  /** How long after the start hour a scheduled copy may still start. */
  public readonly windowDuration: Duration;
  /** The time zone of the schedules. */
  public readonly timeZone: TimeZone;
  /** Whether monthly, quarterly and half-yearly copies are taken on the last day of the month. */
  public readonly monthEnd: boolean;
  /** Whether the yearly copy is taken on December 31. */
  public readonly yearEnd: boolean;
  /** Where copies go off site. */
  public readonly offSiteCopies: OffSiteCopy[];
  /** Whether the rolling tier is copied off site too. */
  public readonly copyRollingTierOffSite: boolean;
  /** How far back point-in-time recovery reaches (days). */
  public readonly pointInTimeRecovery: Duration;

  constructor(props: RetentionPolicyProps = {}) {
    this.rollingInterval = props.rolling?.interval ?? Duration.hours(1);
    this.rollingRetention = props.rolling?.retention ?? Duration.hours(48);
    const order = Object.values(ArchiveFrequency);
    this.archives = [...(props.archives ?? [])].sort((a, b) => order.indexOf(a.frequency) - order.indexOf(b.frequency));
    this.windowStartHour = props.window?.startHour ?? 3;
    this.windowDuration = props.window?.duration ?? Duration.hours(2);
    this.timeZone = props.timeZone ?? TimeZone.ETC_UTC;
    this.monthEnd = props.monthEnd ?? true;
    this.yearEnd = props.yearEnd ?? true;
    this.offSiteCopies = [...(props.offSiteCopies ?? [])];
    this.copyRollingTierOffSite = props.copyRollingTierOffSite ?? true;
    this.pointInTimeRecovery = props.pointInTimeRecovery ?? Duration.days(14);
  }
}

function presetBase(options: RetentionPresetOptions): RetentionPolicyProps {
  return {
    rolling: { interval: options.rollingInterval ?? Duration.hours(1), retention: Duration.hours(48) },
    window: options.window,
    timeZone: options.timeZone,
    offSiteCopies: options.offSiteCopies,
    pointInTimeRecovery: options.pointInTimeRecovery,
  };
}
