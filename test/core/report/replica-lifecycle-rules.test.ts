/**
 * A replication destination bucket may have several lifecycle rules that expire objects, some
 * only under a prefix, with tags or of some sizes. The copy's retention is that of all of them:
 * the shortest expiry the copied objects may meet, and no expiry for objects no whole-bucket rule covers.
 */
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CopyEntry } from '../../../core/report/model';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';

function copyTo(rules: s3.CfnBucket.RuleProperty[]): CopyEntry {
  const model = reportOfApp((app) => {
    const stack = new Stack(app, 'Copies', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3.CfnBucket(stack, 'Replicas', { bucketName: 'replicas-with-rules', versioningConfiguration: { status: 'Enabled' }, lifecycleConfiguration: { rules } });
    new s3.CfnBucket(stack, 'Store', {
      versioningConfiguration: { status: 'Enabled' },
      replicationConfiguration: {
        role: 'arn:aws:iam::111111111111:role/replication',
        rules: [{ id: 'All', status: 'Enabled', destination: { bucket: 'arn:aws:s3:::replicas-with-rules' } }],
      },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'dump' } };
  });
  return rowAt(model, 'Copies/Store').tiers[0].copies[0];
}

test('a long rule on a prefix listed before a short whole-bucket rule: the short one bounds the copy', () => {
  const copy = copyTo([
    { id: 'Archive', status: 'Enabled', prefix: 'archive/', expirationInDays: 3650 },
    { id: 'Short', status: 'Enabled', expirationInDays: 1 },
  ]);
  expect(copy.retention).toBe('S3 lifecycle rule Archive on objects with prefix "archive/": 3650 to 3651 days (S3 expiry of 3650 days, rounded to the next midnight UTC); '
    + 'S3 lifecycle rule Short: 24 to 48 hours (S3 expiry of 1 day, rounded to the next midnight UTC); an object is deleted by the first rule that expires it');
  expect([copy.minHours, copy.maxHours]).toEqual([24, 48]);
});

test('a rule on a prefix only: the objects outside it are kept until deleted by hand', () => {
  const copy = copyTo([{ id: 'Archive', status: 'Enabled', prefix: 'archive/', expirationInDays: 30 }]);
  expect(copy.retention).toBe('S3 lifecycle rule Archive on objects with prefix "archive/": 30 to 31 days (S3 expiry of 30 days, rounded to the next midnight UTC); '
    + 'other objects: kept until deleted by hand (no expiry)');
  expect([copy.minHours, copy.maxHours]).toEqual([720, Infinity]);
});

test('a single whole-bucket rule reads as before', () => {
  const copy = copyTo([{ id: 'Month', status: 'Enabled', expirationInDays: 30 }, { id: 'Off', status: 'Disabled', expirationInDays: 1 }]);
  expect(copy.retention).toBe('30 to 31 days (S3 expiry of 30 days, rounded to the next midnight UTC)');
  expect([copy.minHours, copy.maxHours]).toEqual([720, 744]);
});
