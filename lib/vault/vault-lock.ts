import { Duration } from 'aws-cdk-lib';

/**
 * AWS Backup Vault Lock in compliance mode: after the cooling-off period nobody, not even
 * the account root, can delete the lock, shorten retention or delete recovery points early.
 */
export interface VaultLockOptions {
  /**
   * The cooling-off period, in days: until it ends the lock can still be changed or
   * removed; afterwards it is immutable. AWS requires at least 3 days.
   *
   * @default Duration.days(3)
   */
  readonly changeableFor?: Duration;
  /**
   * The shortest retention a recovery point in the vault may have, in days (at least 1 day).
   * Every tier of the retention policy must keep its copies at least this long.
   *
   * @default Duration.days(1)
   */
  readonly minRetention?: Duration;
  /**
   * The longest retention a recovery point in the vault may have, in days. Every tier must
   * keep its copies at most this long, and an indefinite tier is not allowed under a maximum.
   *
   * @default - no maximum
   */
  readonly maxRetention?: Duration;
}
