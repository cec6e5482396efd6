// Internal: checks vault lock options with errors that name the construct. Not part of the public API.
import { Duration } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { VaultLockOptions } from './vault-lock';

/** The lock as aws-backup wants it, after the checks that name the construct. */
export function renderVaultLock(path: string, prop: string, lock: VaultLockOptions = {}): backup.LockConfiguration {
  const changeableFor = lock.changeableFor ?? Duration.days(3);
  const minRetention = lock.minRetention ?? Duration.days(1);
  if (!changeableFor.isUnresolved() && changeableFor.toMinutes({ integral: false }) < 3 * 1440) {
    throw new Error(`${path}: \`${prop}.changeableFor\` must be at least 3 days (the AWS Backup cooling-off period), got ${changeableFor.toHumanString()}`);
  }
  if (!minRetention.isUnresolved() && minRetention.toMinutes({ integral: false }) < 1440) {
    throw new Error(`${path}: \`${prop}.minRetention\` must be at least 1 day, got ${minRetention.toHumanString()}`);
  }
  const max = lock.maxRetention;
  if (max && !max.isUnresolved() && !minRetention.isUnresolved() && max.toMinutes({ integral: false }) <= minRetention.toMinutes({ integral: false })) {
    throw new Error(`${path}: \`${prop}.maxRetention\` must be longer than the minimum retention (${minRetention.toHumanString()}), got ${max.toHumanString()}`);
  }
  if (max && !max.isUnresolved() && max.toMinutes({ integral: false }) > 36500 * 1440) {
    throw new Error(`${path}: \`${prop}.maxRetention\` must be at most 36500 days (the AWS limit), got ${max.toHumanString()}`);
  }
  return { changeableFor, minRetention, maxRetention: max };
}
