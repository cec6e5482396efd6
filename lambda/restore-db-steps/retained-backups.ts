/**
 * The point-in-time window of a source that no longer exists: the automated backups RDS
 * retained when it was deleted (`DeleteAutomatedBackups: false`).
 */
import type { DBInstanceAutomatedBackup, RDSClient } from '@aws-sdk/client-rds';
import { automatedBackupsOf } from './automated-backups';
import { InvalidRestoreInput } from './errors';

/** The retained automated backup a point-in-time restore starts from, and the time it restores to. */
export interface RetainedBackup {
  readonly arn: string;
  /** ISO time the restore brings the data back to. */
  readonly time: string;
  readonly engine?: string;
  readonly kmsKeyId?: string;
}

interface Window {
  readonly backup: DBInstanceAutomatedBackup;
  readonly earliest: Date;
  readonly latest: Date;
}

async function windowsOf(rds: RDSClient, identifier: string): Promise<Window[]> {
  // `DBInstanceIdentifier` must name an existing instance; the filter also finds retained backups.
  const backups = await automatedBackupsOf(rds, `DescribeDBInstanceAutomatedBackups of ${identifier}`, { Filters: [{ Name: 'db-instance-id', Values: [identifier] }] });
  return backups
    .filter((backup) => backup.DBInstanceIdentifier === identifier && backup.DBInstanceAutomatedBackupsArn && backup.RestoreWindow?.EarliestTime && backup.RestoreWindow?.LatestTime)
    .map((backup) => ({ backup, earliest: new Date(backup.RestoreWindow!.EarliestTime!), latest: new Date(backup.RestoreWindow!.LatestTime!) }))
    // Newest first: an identifier reused by later instances has one retained backup per instance.
    .sort((a, b) => b.latest.getTime() - a.latest.getTime());
}

/** The retained automated backup whose window holds the time (`latest`: the newest restorable time). */
export async function retainedBackupFor(rds: RDSClient, identifier: string, wanted: Date | 'latest'): Promise<RetainedBackup> {
  const windows = await windowsOf(rds, identifier);
  if (windows.length === 0) {
    throw new InvalidRestoreInput(`\`restoreTime\`: the source instance ${identifier} no longer exists and has no retained automated backup to restore a point in time from (deleted with it, or expired); restore a snapshot or a recovery point instead`);
  }
  const chosen = wanted === 'latest'
    ? windows[0]
    : windows.find((window) => wanted.getTime() >= window.earliest.getTime() && wanted.getTime() <= window.latest.getTime());
  if (!chosen) {
    const listed = windows.map((window) => `${window.earliest.toISOString()} to ${window.latest.toISOString()}`).join(', ');
    throw new InvalidRestoreInput(`\`restoreTime\` ${(wanted as Date).toISOString()} is outside the point-in-time window of ${identifier}, which no longer exists: its retained automated backups cover ${listed} (UTC), or 'latest'`);
  }
  const time = wanted === 'latest' ? chosen.latest : wanted;
  return { arn: chosen.backup.DBInstanceAutomatedBackupsArn!, time: time.toISOString(), engine: chosen.backup.Engine, kmsKeyId: chosen.backup.KmsKeyId };
}
