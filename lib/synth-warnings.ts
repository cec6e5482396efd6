/**
 * The ids of the warnings cdk-backup-dr gives at synth, in every jsii language. A warning
 * that was read and accepted is acknowledged by its id, e.g.
 * `Annotations.of(scope).acknowledgeWarning(SynthWarnings.UNCHECKED_TOKEN, 'the parameter is checked at deploy')`.
 */
export class SynthWarnings {
  /** `BackupCoverage`: whether a stateful resource is covered by a backup tier is not known at synth (a token); it is listed in `coverageNotKnown`. */
  public static readonly COVERAGE_NOT_KNOWN = 'cdk-backup-dr:coverageNotKnown';
  /** A synth-time check did not run because its value is an unresolved token (unknown, not passed). */
  public static readonly UNCHECKED_TOKEN = 'cdk-backup-dr:uncheckedToken';
  /** `BackupDisasterRecovery`: the off-site copies of the EBS snapshots are encrypted with the copy region's default EBS key. */
  public static readonly OFF_SITE_VOLUME_KEY_MISSING = 'cdk-backup-dr:offSiteVolumeKeyMissing';
  /** `BackupBuckets` without `replication`: the backups have no off-site copy in another region. */
  public static readonly BUCKETS_NOT_REPLICATED = 'cdk-backup-dr:bucketsNotReplicated';
  /** `DatabaseDumpJob`: the dump connects to the replica over TLS without verifying its certificate. */
  public static readonly DUMP_CERTIFICATE_NOT_VERIFIED = 'cdk-backup-dr:dumpCertificateNotVerified';
  /** `EbsSnapshotPolicy`: the policy's time zone is not UTC, in which Data Lifecycle Manager runs its schedules. */
  public static readonly EBS_SCHEDULE_IN_UTC = 'cdk-backup-dr:ebsScheduleInUtc';
  /** `EbsSnapshotPolicy`: a rolling retention that is not a multiple of its interval keeps a rounded-up count of snapshots. */
  public static readonly ROLLING_COUNT_ROUNDED = 'cdk-backup-dr:rollingCountRounded';
  /** `EbsSnapshotPolicy`: a copy to another account is left to AWS Backup (DLM copies within the account only). */
  public static readonly EBS_COPY_OTHER_ACCOUNT = 'cdk-backup-dr:ebsCopyOtherAccount';
  /** AWS Backup cannot copy RDS or Aurora recovery points to another account and another region in one copy. */
  public static readonly RDS_COPY_ACCOUNT_AND_REGION = 'cdk-backup-dr:rdsCopyAccountAndRegion';
  /** A Lambda function's environment fits Lambda's 4 KB only if its tokens (references, attributes) resolve short. */
  public static readonly FUNCTION_ENVIRONMENT_SIZE = 'cdk-backup-dr:functionEnvironmentSize';

  /**
   * `EbsSnapshotPolicy`: the tier `tierName` has a cold storage setting, but DLM archives only
   * monthly and rarer snapshots (one id per tier: `cdk-backup-dr:ebsArchive<tier name>`).
   */
  public static ebsArchive(tierName: string): string {
    return `cdk-backup-dr:ebsArchive${tierName}`;
  }

  private constructor() {}
}
