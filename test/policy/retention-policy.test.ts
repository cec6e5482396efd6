import { App, Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import { ArchiveFrequency, RetentionPolicy, RetentionPolicyProps } from '../../lib/policy/retention-policy';
import { EbsSnapshotPolicy } from '../../lib/snapshots/ebs-snapshot-policy';
import { BackupVaults } from '../../lib/vault/backup-vaults';

/** Builds a BackupVaults and an EbsSnapshotPolicy from the props; returns what the constructors throw. */
function errorOf(props: RetentionPolicyProps): string {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const policy = RetentionPolicy.of(props);
  try {
    new BackupVaults(stack, 'Backup', { policy });
  } catch (error) {
    return (error as Error).message;
  }
  try {
    new EbsSnapshotPolicy(stack, 'Snapshots', { policy, targetTags: { backup: 'tiers' } });
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('RetentionPolicy', () => {
  test('defaults: every hour, kept 48 hours, window 03:00 for 2 hours in UTC, month-end and year-end copies', () => {
    const policy = new RetentionPolicy();
    expect(policy.rollingInterval.toHours()).toBe(1);
    expect(policy.rollingRetention.toHours()).toBe(48);
    expect(policy.archives).toEqual([]);
    expect(policy.windowStartHour).toBe(3);
    expect(policy.windowDuration.toHours()).toBe(2);
    expect(policy.timeZone.timezoneName).toBe('Etc/UTC');
    expect(policy.monthEnd).toBe(true);
    expect(policy.yearEnd).toBe(true);
    expect(policy.offSiteCopies).toEqual([]);
    expect(policy.copyRollingTierOffSite).toBe(true);
    expect(policy.pointInTimeRecovery.toDays()).toBe(14);
  });

  test('presets hold the tiers they document', () => {
    expect(RetentionPolicy.rolling48Hours().archives).toEqual([]);
    const gfs = RetentionPolicy.grandfatherFatherSon();
    expect(gfs.archives.map((t) => [t.frequency, t.retention?.toDays(), t.keepIndefinitely ?? false, t.moveToColdStorageAfter?.toDays()])).toEqual([
      [ArchiveFrequency.WEEKLY, 35, false, undefined],
      [ArchiveFrequency.MONTHLY, 365, false, undefined],
      [ArchiveFrequency.YEARLY, undefined, true, 90],
    ]);
    const ladder = RetentionPolicy.fullLadder();
    expect(ladder.archives.map((t) => [t.frequency, t.retention?.toDays(), t.keepIndefinitely ?? false, t.moveToColdStorageAfter?.toDays()])).toEqual([
      [ArchiveFrequency.WEEKLY, 35, false, undefined],
      [ArchiveFrequency.FORTNIGHTLY, 70, false, undefined],
      [ArchiveFrequency.MONTHLY, 365, false, undefined],
      [ArchiveFrequency.QUARTERLY, 731, false, 90],
      [ArchiveFrequency.HALF_YEARLY, 1827, false, 90],
      [ArchiveFrequency.YEARLY, undefined, true, 90],
    ]);
  });

  test('preset options set the interval, window, time zone and off-site copies', () => {
    const policy = RetentionPolicy.grandfatherFatherSon({
      rollingInterval: Duration.hours(6),
      window: { startHour: 22, duration: Duration.hours(3) },
      timeZone: TimeZone.EUROPE_DUBLIN,
      offSiteCopies: [{ region: 'eu-central-1' }],
      pointInTimeRecovery: Duration.days(35),
    });
    expect(policy.pointInTimeRecovery.toDays()).toBe(35);
    expect(policy.rollingInterval.toHours()).toBe(6);
    expect(policy.rollingRetention.toHours()).toBe(48);
    expect(policy.windowStartHour).toBe(22);
    expect(policy.windowDuration.toHours()).toBe(3);
    expect(policy.timeZone.timezoneName).toBe('Europe/Dublin');
    expect(policy.offSiteCopies).toEqual([{ region: 'eu-central-1' }]);
  });

  test('archive tiers are sorted from the most frequent to the rarest', () => {
    const policy = RetentionPolicy.of({
      archives: [
        { frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true },
        { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(7) },
      ],
    });
    expect(policy.archives.map((t) => t.frequency)).toEqual([ArchiveFrequency.WEEKLY, ArchiveFrequency.YEARLY]);
  });

  test('a valid custom policy passes both constructs', () => {
    expect(errorOf({
      rolling: { interval: Duration.hours(12), retention: Duration.hours(48) },
      archives: [{ frequency: ArchiveFrequency.QUARTERLY, retention: Duration.days(200), moveToColdStorageAfter: Duration.days(100) }],
    })).toBe('no error');
  });

  test('one region in two accounts is two off-site copies', () => {
    expect(errorOf({ offSiteCopies: [{ region: 'eu-central-1' }, { region: 'eu-central-1', account: '210987654321' }] })).toBe('no error');
  });

  describe('errors name the consuming construct, the prop and the value', () => {
    test.each<[string, RetentionPolicyProps, string]>([
      ['an interval AWS does not allow',
        { rolling: { interval: Duration.hours(5) } },
        'Stack/Backup: `policy.rolling.interval` must be one of 1, 2, 3, 4, 6, 8, 12, 24 hours (the intervals AWS allows), got 5 hours'],
      ['an interval that is not whole hours',
        { rolling: { interval: Duration.minutes(90) } },
        'Stack/Backup: `policy.rolling.interval` must be one of 1, 2, 3, 4, 6, 8, 12, 24 hours (the intervals AWS allows), got 1 hour 30 minutes'],
      ['a retention shorter than the interval',
        { rolling: { interval: Duration.hours(24), retention: Duration.hours(12) } },
        'Stack/Backup: `policy.rolling.retention` must be at least the interval (24 hours), got 12 hours'],
      ['a retention in minutes',
        { rolling: { retention: Duration.minutes(150) } },
        'Stack/Backup: `policy.rolling.retention` must be a whole number of hours, got 2 hours 30 minutes'],
      ['a weekly tier that expires before the next weekly copy',
        { archives: [{ frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(6) }] },
        'Stack/Backup: `policy.archives[WEEKLY].retention` must be at least 7 days so that a copy does not expire before the next WEEKLY copy is taken, got 6 days'],
      ['a monthly tier that expires before the next monthly copy',
        { archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(30) }] },
        'Stack/Backup: `policy.archives[MONTHLY].retention` must be at least 31 days so that a copy does not expire before the next MONTHLY copy is taken, got 30 days'],
      ['a yearly tier that expires before the next yearly copy',
        { archives: [{ frequency: ArchiveFrequency.YEARLY, retention: Duration.days(365) }] },
        'Stack/Backup: `policy.archives[YEARLY].retention` must be at least 366 days so that a copy does not expire before the next YEARLY copy is taken, got 365 days'],
      ['cold storage closer than 90 days to deletion',
        { archives: [{ frequency: ArchiveFrequency.QUARTERLY, retention: Duration.days(120), moveToColdStorageAfter: Duration.days(31) }] },
        'Stack/Backup: `policy.archives[QUARTERLY].moveToColdStorageAfter` must leave at least 90 days in cold storage before deletion (AWS minimum): retention is 120 days, got cold storage after 31 days'],
      ['an archive tier without retention',
        { archives: [{ frequency: ArchiveFrequency.MONTHLY }] },
        'Stack/Backup: `policy.archives[MONTHLY].retention` is required unless `keepIndefinitely` is true, got nothing'],
      ['indefinite retention on a tier other than yearly',
        { archives: [{ frequency: ArchiveFrequency.MONTHLY, keepIndefinitely: true }] },
        'Stack/Backup: `policy.archives[MONTHLY].keepIndefinitely` is allowed for the YEARLY tier only, got true for MONTHLY'],
      ['indefinite retention together with a retention',
        { archives: [{ frequency: ArchiveFrequency.YEARLY, keepIndefinitely: true, retention: Duration.days(400) }] },
        'Stack/Backup: `policy.archives[YEARLY].retention` must be left out when `keepIndefinitely` is true, got 400 days'],
      ['two tiers of one frequency',
        { archives: [{ frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(7) }, { frequency: ArchiveFrequency.WEEKLY, retention: Duration.days(14) }] },
        'Stack/Backup: `policy.archives` may hold one tier per frequency, got WEEKLY twice'],
      ['a frequency that is not an ArchiveFrequency (JavaScript callers can pass any string)',
        { archives: [{ frequency: 'DAILY' as ArchiveFrequency, retention: Duration.days(7) }] },
        'Stack/Backup: `policy.archives[DAILY].frequency` must be one of WEEKLY, FORTNIGHTLY, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY, got \'DAILY\''],
      ['the same off-site region and account twice',
        { offSiteCopies: [{ region: 'eu-central-1' }, { region: 'eu-north-1' }, { region: 'eu-central-1' }] },
        'Stack/Backup: `policy.offSiteCopies` may name each region and account once (a second copy to the same vault is the same copy), got eu-central-1 twice'],
      ['more than 3 copy regions',
        { offSiteCopies: [{ region: 'eu-central-1' }, { region: 'eu-north-1' }, { region: 'us-east-1' }, { region: 'us-west-2' }] },
        'Stack/Backup: `policy.offSiteCopies` may name at most 3 regions (the AWS limit for copies), got 4: eu-central-1, eu-north-1, us-east-1, us-west-2'],
      ['a start hour outside the day',
        { window: { startHour: 24 } },
        'Stack/Backup: `policy.window.startHour` must be a whole hour from 0 to 23, got 24'],
      // Before: no error; with a 2-hour interval the rolling tier ran from 00:00 (cron(0 0/2 * * ? *)), and DLM at 00:00.
      ['a start hour that is an unresolved token',
        { rolling: { interval: Duration.hours(2) }, window: { startHour: Token.asNumber({ Ref: 'StartHour' }) } },
        'Stack/Backup: `policy.window.startHour` must be a concrete whole hour from 0 to 23 (the cron expressions of every tier are computed from it at synth), got an unresolved token'],
      // Before: no error from the policy; the rolling tier's cron was cron(0 3/-1.8881545897087513e+289 * * ? *).
      ['a rolling interval that is an unresolved token',
        { rolling: { interval: Duration.hours(Token.asNumber({ Ref: 'Interval' })) } },
        'Stack/Backup: `policy.rolling.interval` must be a concrete duration, one of 1, 2, 3, 4, 6, 8, 12, 24 hours (the rolling tier\'s cron expression is computed from it at synth), got an unresolved token'],
      // Before: 'Stack/Backup: `lock.minRetention` must be at most the Rolling tier's retention (-7.867310790453126e+287 days), got 1 day'.
      ['a rolling retention that is an unresolved token',
        { rolling: { retention: Duration.hours(Token.asNumber({ Ref: 'Retention' })) } },
        'Stack/Backup: `policy.rolling.retention` must be a concrete duration, a whole number of hours (AWS Backup\'s retention in days and DLM\'s snapshot count are computed from it at synth), got an unresolved token'],
      // Before: 'Stack/Backup: `lock.minRetention` must be at most the Monthly tier's retention (-1.8881545897087507e+289 days), got 1 day'.
      ['an archive retention that is an unresolved token',
        { archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(Token.asNumber({ Ref: 'Retention' })) }] },
        'Stack/Backup: `policy.archives[MONTHLY].retention` must be a concrete duration, a whole number of days (the checks against the tier\'s frequency, cold storage and the vault lock, and DLM\'s archive retention, are computed from it at synth), got an unresolved token'],
      // Before: no error; the 90 days in cold storage went unchecked, and DLM's archive retention was 1.8881545897087526e+289 days.
      ['a cold storage delay that is an unresolved token',
        { archives: [{ frequency: ArchiveFrequency.MONTHLY, retention: Duration.days(400), moveToColdStorageAfter: Duration.days(Token.asNumber({ Ref: 'Cold' })) }] },
        'Stack/Backup: `policy.archives[MONTHLY].moveToColdStorageAfter` must be a concrete duration, a whole number of days (the 90 days in cold storage are checked and DLM\'s archive retention is computed from it at synth), got an unresolved token'],
      // Before: no error here (no archive tier uses the window); with one, CDK's "Duration must be specified as 'Duration.minutes()' here since its value comes from a token and cannot be converted (got Duration.hours)".
      ['a window duration that is a token in hours',
        { window: { duration: Duration.hours(Token.asNumber({ Ref: 'Window' })) } },
        'Stack/Backup: `policy.window.duration` must be a concrete duration of 1 to 24 hours, or a token given in minutes (`Duration.minutes(token)`, which AWS Backup receives as it is), got Duration.hours(token)'],
      // Before: no error here (the tier plan has no continuous backup); with point-in-time databases, CDK's "... cannot be converted (got Duration.hours)".
      ['a point-in-time recovery that is a token in hours',
        { pointInTimeRecovery: Duration.hours(Token.asNumber({ Ref: 'Pitr' })) },
        'Stack/Backup: `policy.pointInTimeRecovery` must be a concrete duration of 1 to 35 whole days, or a token given in days (`Duration.days(token)`, which AWS Backup receives as it is), got Duration.hours(token)'],
      ['a window shorter than an hour',
        { window: { duration: Duration.minutes(30) } },
        'Stack/Backup: `policy.window.duration` must be 1 to 24 hours, got 30 minutes'],
      ['point-in-time recovery beyond 35 days',
        { pointInTimeRecovery: Duration.days(36) },
        'Stack/Backup: `policy.pointInTimeRecovery` must be 1 to 35 whole days (AWS Backup continuous backup), got 36 days'],
    ])('%s', (_name, props, message) => {
      expect(errorOf(props)).toBe(message);
    });
  });
});
