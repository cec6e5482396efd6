// Internal: checks vault lock options with errors that name the construct. Not part of the public API.
import { Duration } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { IConstruct } from 'constructs';
import { failOnTokenInOtherUnit } from '../policy/compile';
import { warnUncheckedToken } from '../private/unchecked-token';
import { VaultLockOptions } from './vault-lock';

// The AWS limits, all in whole days (the CloudFormation properties are integers):
// - Vault Lock: "The shortest minimum retention period you can specify is 1 day"
//   (PutBackupVaultLockConfiguration, MinRetentionDays); ChangeableForDays at least 3
//   (the 72-hour cooling-off period) and at most 36500 ("The maximum value you can specify is
//   36,500 days"); MaxRetentionDays at most 36500.
// - Logically air-gapped vault: MinRetentionDays "The minimum value accepted is 7 days"
//   (CreateLogicallyAirGappedBackupVault); MaxRetentionDays is required.
/** The shortest lock minimum retention of a normal vault (days). */
export const VAULT_MIN_RETENTION_DAYS = 1;
/** The shortest minimum retention of a logically air-gapped vault (days). */
export const AIR_GAPPED_MIN_RETENTION_DAYS = 7;
/** The longest maximum retention of either kind of vault (days). */
export const MAX_RETENTION_DAYS = 36500;
/** The shortest cooling-off period of Vault Lock (days). */
const MIN_CHANGEABLE_FOR_DAYS = 3;
/** The longest cooling-off period of Vault Lock (days). */
const MAX_CHANGEABLE_FOR_DAYS = 36500;

/** Which vault the lock is for. */
export interface VaultLockKind {
  /** A logically air-gapped vault: minimum at least 7 days (the default), and always a maximum (36500 days by default). */
  readonly logicallyAirGapped?: boolean;
}

/** The lock as aws-backup wants it, after the checks that name the construct (`scope`). */
export function renderVaultLock(scope: IConstruct, prop: string, lock: VaultLockOptions = {}, kind: VaultLockKind = {}): backup.LockConfiguration {
  const path = scope.node.path;
  const airGapped = kind.logicallyAirGapped === true;
  const minDays = airGapped ? AIR_GAPPED_MIN_RETENTION_DAYS : VAULT_MIN_RETENTION_DAYS;
  const what = airGapped ? 'for a logically air-gapped vault (the AWS minimum)' : '(the AWS minimum)';
  const changeableFor = lock.changeableFor ?? Duration.days(MIN_CHANGEABLE_FOR_DAYS);
  const minRetention = lock.minRetention ?? Duration.days(minDays);
  const maxRetention = lock.maxRetention ?? (airGapped ? Duration.days(MAX_RETENTION_DAYS) : undefined);

  checkDays(scope, `${prop}.changeableFor`, changeableFor, MIN_CHANGEABLE_FOR_DAYS,
    `${MIN_CHANGEABLE_FOR_DAYS} to ${MAX_CHANGEABLE_FOR_DAYS} days (at least the AWS Backup cooling-off period, at most the AWS limit)`, MAX_CHANGEABLE_FOR_DAYS);
  checkDays(scope, `${prop}.minRetention`, minRetention, minDays, `at least ${days(minDays)} ${what}`);
  const maxProp = `${prop}.maxRetention`;
  if (maxRetention?.isUnresolved()) {
    failOnTokenInOtherUnit(path, maxProp, maxRetention, 'days', `a concrete duration, at most ${MAX_RETENTION_DAYS} days`);
    warnUncheckedToken(scope, maxProp, `that it is at most ${MAX_RETENTION_DAYS} days and longer than the minimum retention`, AWS_DECIDES);
  } else if (maxRetention) {
    if (maxRetention.toMinutes({ integral: false }) > MAX_RETENTION_DAYS * 1440) {
      throw new Error(`${path}: \`${maxProp}\` must be at most ${MAX_RETENTION_DAYS} days (the AWS limit), got ${maxRetention.toHumanString()}`);
    }
    if (minRetention.isUnresolved()) {
      warnUncheckedToken(scope, `${prop}.minRetention`, `that it is shorter than the maximum retention (${maxRetention.toHumanString()})`, AWS_DECIDES);
    } else if (maxRetention.toMinutes({ integral: false }) <= minRetention.toMinutes({ integral: false })) {
      throw new Error(`${path}: \`${maxProp}\` must be longer than the minimum retention (${minRetention.toHumanString()}), got ${maxRetention.toHumanString()}`);
    }
    checkDays(scope, maxProp, maxRetention, 0, `at most ${MAX_RETENTION_DAYS} days`);
  }
  return { changeableFor, minRetention, maxRetention };
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

/** What happens to a lock value that synth could not check. */
const AWS_DECIDES = 'AWS Backup receives it in days as it is and decides at deploy whether it accepts the lock';

/** A whole number of days, at least `min` days and, when given, at most `max` days. */
function checkDays(scope: IConstruct, prop: string, value: Duration, min: number, allowed: string, max?: number): void {
  const path = scope.node.path;
  if (value.isUnresolved()) {
    // CloudFormation takes the lock in days: a token passes through only in days.
    failOnTokenInOtherUnit(path, prop, value, 'days', `a concrete duration, ${allowed}`);
    warnUncheckedToken(scope, prop, `that it is ${allowed}`, AWS_DECIDES);
    return;
  }
  const minutes = value.toMinutes({ integral: false });
  if (minutes < min * 1440 || (max !== undefined && minutes > max * 1440)) {
    throw new Error(`${path}: \`${prop}\` must be ${allowed}, got ${value.toHumanString()}`);
  }
  if (minutes % 1440 !== 0) {
    throw new Error(`${path}: \`${prop}\` must be a whole number of days (AWS Backup keeps days), ${allowed}, got ${value.toHumanString()}`);
  }
}
