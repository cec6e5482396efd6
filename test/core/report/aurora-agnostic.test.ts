/**
 * An Aurora DB instance is matched to a cluster by its identifier only in its own region and
 * account. Where a stack is environment-agnostic its region and account are not known, so a
 * cluster of that name in another stack may or may not be the instance's: not known, never
 * "with its cluster" (two agnostic stacks used to match as the same 'unknown-region').
 */
import { Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { BackupMetadata } from '../../../lib/report/metadata';
import { ReportModel } from '../../../core/report/model';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const clusters = new Stack(app, 'Clusters');
    BackupMetadata.describeStack(clusters, { owner: 'dba@example.com' });
    new rds.CfnDBCluster(clusters, 'Shared', { engine: 'aurora-mysql', dbClusterIdentifier: 'shared', storageEncrypted: true, backupRetentionPeriod: 7 });
    const member = (stack: Stack, id: string, identifier: string): void => {
      new rds.CfnDBInstance(stack, id, { engine: 'aurora-mysql', dbInstanceClass: 'db.r6g.large', dbClusterIdentifier: identifier });
    };
    member(clusters, 'SameStack', 'shared');
    member(new Stack(app, 'AgnosticReaders'), 'Reader', 'shared');
    member(new Stack(app, 'Readers', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Reader', 'shared');
  });
});

test('a member in the cluster\'s own stack is with its cluster, whatever the environment', () => {
  expect(rowAt(model, 'Clusters/SameStack').backedUpWithCluster).toEqual({ path: 'Clusters/Shared', tiers: ['automated backups'] });
});

test('a cluster of that name in another stack whose region or account is not known may be the member\'s: not known', () => {
  for (const path of ['AgnosticReaders/Reader', 'Readers/Reader']) {
    const row = rowAt(model, path);
    expect(row.backedUpWithCluster).toBeUndefined();
    expect(row.coverageNotKnown).toEqual([
      'its cluster shared may be Clusters/Shared, whose region or account, or this instance\'s, is not known at synth, so whether the cluster is backed up is not known',
    ]);
  }
});
