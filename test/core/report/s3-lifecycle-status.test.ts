/**
 * CloudFormation takes an S3 lifecycle rule's `Status` as Enabled or Disabled; one given by a
 * parameter or a condition is decided at deployment. Whether such a rule expires anything is not
 * known at synth: the report says so instead of stating its expiry.
 */
import { CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Statuses', { env: { account: '111111111111', region: 'eu-west-1' } });
    const status = new CfnParameter(stack, 'ExpiryStatus', { allowedValues: ['Enabled', 'Disabled'], default: 'Enabled' });
    const production = new CfnCondition(stack, 'Production', { expression: Fn.conditionEquals(status.valueAsString, 'Enabled') });
    new s3.CfnBucket(stack, 'Replicas', {
      bucketName: 'replicas-by-condition',
      versioningConfiguration: { status: 'Enabled' },
      lifecycleConfiguration: { rules: [{ id: 'Week', status: Fn.conditionIf(production.logicalId, 'Enabled', 'Disabled').toString(), expirationInDays: 7 }] },
    });
    new s3.CfnBucket(stack, 'Store', {
      versioningConfiguration: { status: 'Enabled' },
      lifecycleConfiguration: {
        rules: [{ id: 'Month', status: status.valueAsString, expirationInDays: 30, noncurrentVersionExpiration: { noncurrentDays: 2 } }],
      },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ id: 'All', status: 'Enabled', destination: { bucket: 'arn:aws:s3:::replicas-by-condition' } }],
      },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'dump' } };
  });
});

test('a backup store whose expiry rule has its Status given by a parameter has its expiry not known at synth, without a lifetime', () => {
  const [current, earlier] = rowAt(model, 'Statuses/Store').tiers;
  expect(current.mechanism).toBe('S3 lifecycle rule Month');
  expect(current.retention).toBe('not known at synth (the Status of S3 lifecycle rule Month is ExpiryStatus): if enabled, 30 to 31 days (S3 expiry of 30 days, rounded to the next midnight UTC)');
  expect(current.minHours).toBeUndefined();
  expect(current.maxHours).toBeUndefined();
  expect(earlier.tier).toBe('dump (earlier versions)');
  expect(earlier.retention).toBe('not known at synth (the Status of S3 lifecycle rule Month (noncurrent versions) is ExpiryStatus): if enabled, 48 to 72 hours (S3 expiry of 2 days, rounded to the next midnight UTC)');
  expect(earlier.maxHours).toBeUndefined();
});

test('a replica bucket whose expiry rule has its Status given by a condition keeps the copy for a time not known at synth', () => {
  const [copy] = rowAt(model, 'Statuses/Store').tiers[0].copies;
  expect(copy.retention).toBe('not known at synth (the Status of S3 lifecycle rule Week is a value given by Fn::If): if enabled, 7 to 8 days (S3 expiry of 7 days, rounded to the next midnight UTC)');
  expect(copy.minHours).toBeUndefined();
  expect(copy.maxHours).toBeUndefined();
});
