/**
 * How the report finds the source of a read replica (for the replica's engine, and for the
 * source's list of replicas): by the reference CDK writes across stacks of one environment
 * (`Fn::ImportValue` of the source stack's export), else by the DB instance name in the
 * region and account of the identifier, said as a match by name.
 */
import { Stack } from 'aws-cdk-lib';
import { ProtectedResource, ReportModel } from '../../../core/report/model';
import { rowAt } from './model-row';
import { BackupMetadata } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';
import { readReplica, smallInstance } from './db-instances';

const ACCOUNT = '111111111111';
let model: ReportModel;

function row(path: string): ProtectedResource {
  return rowAt(model, path);
}

beforeAll(() => {
  model = reportOfApp((app) => {
    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    BackupMetadata.describeStack(primary, { description: 'sources', owner: 'dba@example.com' });
    // Unnamed: only a reference can find it.
    const unnamed = smallInstance(primary, 'Unnamed');
    smallInstance(primary, 'Orders', { engine: 'mariadb', dbInstanceIdentifier: 'orders' });
    // An instance of the same name in another region is another instance.
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    smallInstance(elsewhere, 'Orders', { engine: 'postgres', dbInstanceIdentifier: 'orders' });
    const replicas = new Stack(app, 'Replicas', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    // A reference across stacks: CDK exports the ARN from Primary and imports it here.
    readReplica(replicas, 'ByReference', unnamed.attrDbInstanceArn, 7, { preferredBackupWindow: '01:00-02:00' });
    // By name only, as a template written by hand (or a reference across regions) leaves it.
    readReplica(replicas, 'ByName', `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders`, 3, { preferredBackupWindow: '02:00-03:00' });
    // A reference across regions: CDK writes the ARN to an SSM parameter in eu-central-1 and reads it there.
    const recovery = new Stack(app, 'Recovery', { env: { account: ACCOUNT, region: 'eu-central-1' }, crossRegionReferences: true });
    readReplica(recovery, 'AcrossRegions', unnamed.attrDbInstanceArn, 1);
  });
});

describe('the source of a read replica in another stack', () => {
  // Before: the imported ARN rendered as 'export Primary:ExportsOutput...', matching no name: engine 'not in the assembly', and no replica on the source's row.
  test('found through the export CDK writes: the replica has its source\'s engine, and the source lists the replica', () => {
    const [tier] = row('Replicas/ByReference').tiers;
    expect(tier).toMatchObject({ mechanism: 'RDS automated backups of a read replica', schedule: 'daily in the window 01:00-02:00 UTC', retention: '7 days' });
    expect(row('Primary/Unnamed').tiers[0].copies).toEqual(expect.arrayContaining([expect.objectContaining({ destination: 'read replica Replicas/ByReference', region: 'eu-west-1' })]));
  });

  // Before: the reader's attribute rendered as 'Recovery/ExportsReader (/cdk/exports/...)': engine 'not in the assembly', no off-site replica on the source's row.
  test('found through CDK\'s cross-region export writer and reader: the replica in another region is the source\'s off-site copy', () => {
    expect(row('Recovery/AcrossRegions').tiers[0]).toMatchObject({ mechanism: 'RDS automated backups of a read replica', retention: '1 day' });
    expect(row('Primary/Unnamed').tiers[0].copies.map((c) => [c.destination, c.region])).toEqual([
      ['read replica Replicas/ByReference', 'eu-west-1'],
      ['read replica Recovery/AcrossRegions', 'eu-central-1'],
    ]);
  });

  test('found by name, in the region of the identifier\'s ARN, and said to be a match by name', () => {
    const [tier] = row('Replicas/ByName').tiers;
    expect(tier.schedule).toBe('daily in the window 02:00-03:00 UTC; its engine is that of Primary/Orders, matched by DB instance name (the template names the source, with no reference to it the report can follow)');
    expect(row('Primary/Orders').tiers[0].copies.map((c) => c.destination)).toEqual([
      'read replica Replicas/ByName, matched by DB instance name (the template names the source, with no reference to it the report can follow)',
    ]);
    // Before: the instance of the same name in eu-central-1 listed the replica too.
    expect(row('Elsewhere/Orders').tiers[0].copies).toEqual([]);
  });
});
