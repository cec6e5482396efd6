/*
 * The RDS events of a read replica whose replication broke, as the RDS User Guide lists them
 * ("Amazon RDS event categories and event messages", DB instance events, category "read replica"):
 * - RDS-EVENT-0045 "Replication has stopped.", noted "This message appears when there is an
 *   error during replication";
 * - RDS-EVENT-0057 "Replication streaming has been terminated." (no note; the guide's read
 *   replica monitoring page says RDS terminates replication that was stopped, by hand or by an
 *   error, for more than 30 consecutive days).
 * Left out: RDS-EVENT-0062 "Replication for the Read Replica has been manually stopped." (a stop
 * by hand), RDS-EVENT-0046 (resumed), RDS-EVENT-0063 (reset, of replication from a non-RDS
 * source), RDS-EVENT-0202 (creation failed: the deployment reports it), RDS-EVENT-0415 and 0416
 * (an upgrade resumed or stopped replication) and RDS-EVENT-0357 to 0360 (channels of
 * multi-source replication, which a read replica does not use).
 *
 * Not documented, so not known: which event `mysql.rds_stop_replication` (the daily dump's
 * pause) emits; only RDS-EVENT-0062's message says "manually stopped" (were it RDS-EVENT-0045,
 * every pause would send a message). Nor whether RDS emits
 * RDS-EVENT-0045 for every error of either replication thread. RDS emits events on a best
 * effort basis ("they might be out of sequence or missing"), so the stopped-replication alarm
 * stays the backstop.
 */

/** The event ids of replication to a read replica broken by an error, or terminated. */
export const REPLICATION_ERROR_EVENT_IDS: readonly string[] = ['RDS-EVENT-0045', 'RDS-EVENT-0057'];
