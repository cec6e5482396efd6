/**
 * The account of an S3 replication rule's destination bucket. S3 verifies a rule's
 * `Destination.Account` only with `AccessControlTranslation` (Owner `Destination`), so the
 * report claims another account, and an off-site copy, only where the assembly holds the
 * bucket or S3 enforces the stated account; a stated account alone is "not known".
 */
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CopyEntry, ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const REPLICA_ACCOUNT = '333333333333';
let model: ReportModel;

function storeReplicatedTo(stack: Stack, id: string, destination: s3.CfnBucket.ReplicationDestinationProperty): void {
  const store = new s3.CfnBucket(stack, id, {
    versioningConfiguration: { status: 'Enabled' },
    replicationConfiguration: { role: `arn:aws:iam::${ACCOUNT}:role/replication`, rules: [{ status: 'Enabled', destination }] },
  });
  BackupMetadata.describe(store, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
}

function copyOf(path: string): CopyEntry {
  const [copy] = rowAt(model, path).tiers[0].copies;
  return copy;
}

beforeAll(() => {
  model = reportOfApp((app) => {
    // A bucket of the assembly in another account of the same region.
    const replicas = new Stack(app, 'Replicas', { env: { account: REPLICA_ACCOUNT, region: 'eu-west-1' } });
    new s3.CfnBucket(replicas, 'Bucket', { bucketName: 'replicas-in-assembly', versioningConfiguration: { status: 'Enabled' } });
    const primary = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    storeReplicatedTo(primary, 'Stated', { bucket: 'arn:aws:s3:::made-elsewhere-stated', account: OTHER_ACCOUNT });
    storeReplicatedTo(primary, 'Enforced', { bucket: 'arn:aws:s3:::made-elsewhere-enforced', account: OTHER_ACCOUNT, accessControlTranslation: { owner: 'Destination' } });
    // The rule states the source's own account; the assembly puts the bucket in another.
    storeReplicatedTo(primary, 'InAssembly', { bucket: 'arn:aws:s3:::replicas-in-assembly', account: ACCOUNT });
  });
});

describe('the account of a replica bucket', () => {
  // Before: account 222222222222, and counted as an off-site copy in another account.
  test('a Destination.Account without AccessControlTranslation is stated, not enforced: account not known, off-site not known', () => {
    expect(copyOf('Primary/Stated')).toMatchObject({
      account: `not known (bucket not in this assembly; Destination.Account ${OTHER_ACCOUNT} is stated, not enforced: S3 checks it only with AccessControlTranslation)`,
      offsite: 'not known',
    });
  });

  test('a Destination.Account that S3 enforces (AccessControlTranslation Owner Destination) is the account: off site', () => {
    expect(copyOf('Primary/Enforced')).toMatchObject({ account: OTHER_ACCOUNT, offsite: true });
  });

  // Before: account 111111111111, the rule's, and not off site.
  test('a bucket of the assembly is in its stack\'s account, whatever the rule states', () => {
    expect(copyOf('Primary/InAssembly')).toMatchObject({ destination: 'bucket Replicas/Bucket (copy of the whole bucket)', account: REPLICA_ACCOUNT, offsite: true });
  });

  test('the summary counts the stated account as off-site not known, not as an off-site copy', () => {
    expect(model.summary).toMatchObject({ withOffSiteCopy: 2, offSiteCopyNotKnown: 1 });
    expect(renderMarkdown(model)).toContain(`→ bucket made-elsewhere-stated (copy of the whole bucket) (unknown (bucket not in this assembly), account not known (bucket not in this assembly; Destination.Account ${OTHER_ACCOUNT} is stated, not enforced`);
  });
});
