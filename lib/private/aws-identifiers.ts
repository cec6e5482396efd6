/** The shapes of AWS region names and account IDs, for checks of concrete (not token) values. */

/**
 * A region name such as eu-central-1, us-gov-west-1 or eusc-de-east-1 (AWS European Sovereign
 * Cloud): a prefix of 2 to 4 letters, one or more words, a number. The constructs and the report
 * (core/) check with this one pattern.
 */
export const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** A 12-digit account ID, without dashes. */
export const ACCOUNT_ID = /^\d{12}$/;

/** The letters, digits, '-' and '_' of an AWS Backup vault name, 2 to 50 of them. */
export const BACKUP_VAULT_NAME = /^[a-zA-Z0-9\-_]{2,50}$/;
