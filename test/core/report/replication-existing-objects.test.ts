/**
 * S3 replication copies only objects written after its rule exists ("Objects that existed before
 * you set up replication aren't replicated automatically": Amazon S3 User Guide, Setting up live
 * replication). Where the report lists a replication rule as a copy, off site or not, it says so:
 * the objects already in the bucket need S3 Batch Replication.
 */
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { renderHtml, renderMarkdown } from '../../../core/report/render';
import { reportOfApp } from './report-of-app';
import { rowAt } from './model-row';

const CAVEAT = 'S3 replicates only objects written after the replication rule exists: objects already in the bucket need S3 Batch Replication';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const recovery = new Stack(app, 'Recovery', { env: { account: '111111111111', region: 'eu-central-1' } });
    new s3.CfnBucket(recovery, 'Replicas', { bucketName: 'replicas-elsewhere', versioningConfiguration: { status: 'Enabled' } });
    const primary = new Stack(app, 'Primary', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3.CfnBucket(primary, 'Store', {
      versioningConfiguration: { status: 'Enabled' },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [
          { id: 'All', status: 'Enabled', destination: { bucket: 'arn:aws:s3:::replicas-elsewhere' } },
          { id: 'Off', status: 'Disabled', destination: { bucket: 'arn:aws:s3:::replicas-off' } },
        ],
      },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'objects' } };
  });
});

test('a whole-bucket replication rule, an off-site copy, says that objects already in the bucket are not copied', () => {
  const [all, off] = rowAt(model, 'Primary/Store').tiers[0].copies;
  expect(all).toMatchObject({ destination: 'bucket Recovery/Replicas (copy of the whole bucket)', offsite: true });
  expect(all.caveat).toBe(CAVEAT);
  // A disabled rule copies nothing at all: no caveat on it.
  expect(off.status).toBe('disabled');
  expect(off.caveat).toBeUndefined();
  for (const rendered of [renderMarkdown(model), renderHtml(model)]) {
    expect(rendered).toContain(CAVEAT);
  }
});
