import { Duration } from 'aws-cdk-lib';

/**
 * AWS Backup Vault Lock in compliance mode: after the cooling-off period nobody, not even
 * the account root, can delete the lock, shorten retention or delete recovery points early.
 */
export interface VaultLockOptions {
  /**
   * The cooling-off period, in days: until it ends the lock can still be changed or
   * removed; afterwards it is immutable. AWS requires 3 to 36500 days, in whole days.
   *
   * @default Duration.days(3)
   */
  readonly changeableFor?: Duration;
  /**
   * The shortest retention a recovery point in the vault may have, in whole days (at least
   * 1 day; at least 7 days for a logically air-gapped vault). Every tier of the retention
   * policy must keep its copies at least this long.
   *
   * @default Duration.days(1) - 7 days for a logically air-gapped vault
   */
  readonly minRetention?: Duration;
  /**
   * The longest retention a recovery point in the vault may have, in whole days (at most
   * 36500). Every tier must keep its copies at most this long, and an indefinite tier is not
   * allowed under a maximum.
   *
   * @default - no maximum (36500 days for a logically air-gapped vault)
   */
  readonly maxRetention?: Duration;
}
