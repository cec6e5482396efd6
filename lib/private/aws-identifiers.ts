/** The shapes of AWS region names and account IDs, for checks of concrete (not token) values. */

/** A region name such as eu-central-1 or us-gov-west-1. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A 12-digit account ID, without dashes. */
export const ACCOUNT_ID = /^\d{12}$/;

/** The letters, digits, '-' and '_' of an AWS Backup vault name, 2 to 50 of them. */
export const BACKUP_VAULT_NAME = /^[a-zA-Z0-9\-_]{2,50}$/;
