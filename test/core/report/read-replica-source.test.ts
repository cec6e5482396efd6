/**
 * How the report finds the source of a read replica (for the replica's engine, and for the
 * source's list of replicas): by the reference CDK writes across stacks of one environment
 * (`Fn::ImportValue` of the source stack's export), else by the DB instance name in the
 * region and account of the identifier, said as a match by name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { loadAssembly } from '../../../core/report/assembly';
import { ProtectedResource, ReportModel, buildReport } from '../../../core/report/model';
import { rowAt } from './model-row';
import { BackupMetadata } from '../../../lib/report/metadata';

const ACCOUNT = '111111111111';
let outdir: string;
let model: ReportModel;

function row(path: string): ProtectedResource {
  return rowAt(model, path);
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-report-replicas-'));
  const app = new App({ outdir });
  const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
  BackupMetadata.describeStack(primary, { description: 'sources', owner: 'dba@example.com' });
  // Unnamed: only a reference can find it.
  const unnamed = new rds.CfnDBInstance(primary, 'Unnamed', { engine: 'mysql', dbInstanceClass: 'db.t3.micro', allocatedStorage: '20', storageEncrypted: true });
  new rds.CfnDBInstance(primary, 'Orders', { engine: 'mariadb', dbInstanceClass: 'db.t3.micro', allocatedStorage: '20', storageEncrypted: true, dbInstanceIdentifier: 'orders' });
  // An instance of the same name in another region is another instance.
  const elsewhere = new Stack(app, 'Elsewhere', { env: { account: ACCOUNT, region: 'eu-central-1' } });
  new rds.CfnDBInstance(elsewhere, 'Orders', { engine: 'postgres', dbInstanceClass: 'db.t3.micro', allocatedStorage: '20', storageEncrypted: true, dbInstanceIdentifier: 'orders' });
  const replicas = new Stack(app, 'Replicas', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  // A reference across stacks: CDK exports the ARN from Primary and imports it here.
  new rds.CfnDBInstance(replicas, 'ByReference', {
    dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: unnamed.attrDbInstanceArn, backupRetentionPeriod: 7, preferredBackupWindow: '01:00-02:00',
  });
  // By name only, as a template written by hand (or a reference across regions) leaves it.
  new rds.CfnDBInstance(replicas, 'ByName', {
    dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders`, backupRetentionPeriod: 3, preferredBackupWindow: '02:00-03:00',
  });
  // A reference across regions: CDK writes the ARN to an SSM parameter in eu-central-1 and reads it there.
  const recovery = new Stack(app, 'Recovery', { env: { account: ACCOUNT, region: 'eu-central-1' }, crossRegionReferences: true });
  new rds.CfnDBInstance(recovery, 'AcrossRegions', { dbInstanceClass: 'db.t3.micro', sourceDbInstanceIdentifier: unnamed.attrDbInstanceArn, backupRetentionPeriod: 1 });
  app.synth();
  model = buildReport(loadAssembly(outdir), { year: 2026 });
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
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
