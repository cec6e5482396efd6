import { DescribeDBInstanceAutomatedBackupsCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { automatedBackupsOf } from '../../lambda/restore-db-steps/automated-backups';

const rds = mockClient(RDSClient);

beforeEach(() => rds.reset());

test('reads every page, passing each Marker on with the same filter, and returns the backups in page order', async () => {
  rds.on(DescribeDBInstanceAutomatedBackupsCommand)
    .resolvesOnce({ DBInstanceAutomatedBackups: [{ DBInstanceAutomatedBackupsArn: 'a1' }, { DBInstanceAutomatedBackupsArn: 'a2' }], Marker: 'm1' })
    .resolvesOnce({ DBInstanceAutomatedBackups: [], Marker: 'm2' })
    .resolvesOnce({ DBInstanceAutomatedBackups: [{ DBInstanceAutomatedBackupsArn: 'a3' }] });
  const backups = await automatedBackupsOf(new RDSClient({ region: 'eu-west-1' }), 'DescribeDBInstanceAutomatedBackups of db1', { Filters: [{ Name: 'db-instance-id', Values: ['db1'] }] });
  expect(backups.map((backup) => backup.DBInstanceAutomatedBackupsArn)).toEqual(['a1', 'a2', 'a3']);
  expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand).map((call) => call.args[0].input)).toEqual([
    { Filters: [{ Name: 'db-instance-id', Values: ['db1'] }], Marker: undefined },
    { Filters: [{ Name: 'db-instance-id', Values: ['db1'] }], Marker: 'm1' },
    { Filters: [{ Name: 'db-instance-id', Values: ['db1'] }], Marker: 'm2' },
  ]);
});

test('an error names the call it was making', async () => {
  rds.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(new Error('Access Denied'));
  await expect(automatedBackupsOf(new RDSClient({ region: 'eu-west-1' }), 'DescribeDBInstanceAutomatedBackups db1', { DBInstanceIdentifier: 'db1' }))
    .rejects.toThrow('DescribeDBInstanceAutomatedBackups db1: Access Denied');
});
