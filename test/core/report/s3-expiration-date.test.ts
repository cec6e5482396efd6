/**
 * An S3 lifecycle rule may expire objects on a date (`ExpirationDate`) rather than at an age:
 * S3 then deletes every object the rule covers from that date on. A backup store or a replica
 * bucket with such a rule does not keep its objects until they are deleted by hand.
 */
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';

const ON_DATE = 'until 2027-01-01T00:00:00Z: S3 lifecycle rule OnDate deletes the objects it covers from that date on, whatever their age (ExpirationDate)';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Dates', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3.CfnBucket(stack, 'Replicas', {
      bucketName: 'replicas-on-date',
      versioningConfiguration: { status: 'Enabled' },
      lifecycleConfiguration: { rules: [{ id: 'OnDate', status: 'Enabled', expirationDate: new Date('2027-01-01T00:00:00.000Z') }] },
    });
    new s3.CfnBucket(stack, 'Store', {
      versioningConfiguration: { status: 'Enabled' },
      lifecycleConfiguration: { rules: [{ id: 'OnDate', status: 'Enabled', expirationDate: new Date('2027-01-01T00:00:00.000Z') }] },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ id: 'All', status: 'Enabled', destination: { bucket: 'arn:aws:s3:::replicas-on-date' } }],
      },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'dump' } };
  });
});

test('a backup store whose lifecycle rule expires objects on a date keeps them until that date, without a lifetime', () => {
  const [tier] = rowAt(model, 'Dates/Store').tiers;
  expect(tier.mechanism).toBe('S3 lifecycle rule OnDate');
  expect(tier.retention).toBe(ON_DATE);
  expect(tier.minHours).toBeUndefined();
  expect(tier.maxHours).toBeUndefined();
});

test('a replica bucket whose lifecycle rule expires objects on a date keeps the copy until that date', () => {
  const [copy] = rowAt(model, 'Dates/Store').tiers[0].copies;
  expect(copy.retention).toBe(ON_DATE);
  expect(copy.maxHours).toBeUndefined();
});
