/**
 * Every page of DescribeDBInstanceAutomatedBackups for one query (an instance identifier or
 * filters), following the Marker.
 */
import { DescribeDBInstanceAutomatedBackupsCommand, type DBInstanceAutomatedBackup, type DescribeDBInstanceAutomatedBackupsCommandInput, type RDSClient } from '@aws-sdk/client-rds';
import { aws } from './errors';

/** The query: everything of the call's input but the Marker. */
export type AutomatedBackupsQuery = Omit<DescribeDBInstanceAutomatedBackupsCommandInput, 'Marker'>;

/** The automated backups of every page, in page order; `what` names the call in an error. */
export async function automatedBackupsOf(rds: RDSClient, what: string, query: AutomatedBackupsQuery): Promise<DBInstanceAutomatedBackup[]> {
  const backups: DBInstanceAutomatedBackup[] = [];
  let marker: string | undefined;
  do {
    const page = await aws(what, () => rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ ...query, Marker: marker })));
    backups.push(...(page.DBInstanceAutomatedBackups ?? []));
    marker = page.Marker;
  } while (marker);
  return backups;
}
