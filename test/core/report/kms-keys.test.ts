/**
 * The report's encryption keys: each customer managed KMS key that encrypts backup data,
 * with its rotation, what deleting or replacing its stack's resource does to it (and the
 * pending window), and what it encrypts. A deleted key leaves encrypted backups unreadable.
 */
import { CfnDeletionPolicy, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { KeyEntry, ReportModel } from '../../../core/report/model';
import { renderHtml, renderMarkdown } from '../../../core/report/render';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';

const ACCOUNT = '111111111111';
let model: ReportModel;

function key(path: string): KeyEntry {
  const found = model.keys.find((k) => k.key === path);
  if (!found) {
    throw new Error(`no key ${path}; keys: ${model.keys.map((k) => k.key).join(', ')}`);
  }
  return found;
}

beforeAll(() => {
  model = reportOfApp((app) => {
    const env = { account: ACCOUNT, region: 'eu-west-1' };
    // Keys in a stack of their own: the data stack reads them through CloudFormation exports.
    const keys = new Stack(app, 'Keys', { env });
    const vaultKey = new kms.Key(keys, 'VaultKey', { removalPolicy: RemovalPolicy.DESTROY, pendingWindow: Duration.days(7), enableKeyRotation: true, rotationPeriod: Duration.days(90) });
    const data = new Stack(app, 'Data', { env });
    BackupMetadata.describeStack(data, { description: 'keys', owner: 'dba@example.com' });
    new backup.BackupVault(data, 'Vault', { encryptionKey: vaultKey, removalPolicy: RemovalPolicy.RETAIN });
    // Kept on stack deletion, but deleted when an update replaces it; disabled.
    const bucketKey = new kms.CfnKey(data, 'BucketKey', { enabled: false });
    bucketKey.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    bucketKey.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
    // The bucket names the key by an alias: the report follows it to the key.
    const alias = new kms.CfnAlias(data, 'BucketKeyAlias', { aliasName: 'alias/dumps', targetKeyId: bucketKey.ref });
    const dumps = new s3.CfnBucket(data, 'Dumps', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: Fn.getAtt(alias.logicalId, 'AliasName').toString() } }] },
    });
    BackupMetadata.describe(dumps, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
    // The AWS managed key of S3, named: AWS rotates it and it cannot be deleted.
    new s3.CfnBucket(data, 'Managed', {
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/aws/s3' } }] },
    });
    // A volume with the key of the other stack, and a DLM copy to a key the assembly does not define.
    new ec2.CfnVolume(data, 'Volume', {
      availabilityZone: Fn.select(0, Fn.getAzs()), size: 8, encrypted: true, kmsKeyId: vaultKey.keyArn, tags: [{ key: 'snapshots', value: 'daily' }],
    });
    new dlm.CfnLifecyclePolicy(data, 'Snapshots', {
      description: 'daily', state: 'ENABLED', executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/dlm`,
      policyDetails: {
        resourceTypes: ['VOLUME'],
        targetTags: [{ key: 'snapshots', value: 'daily' }],
        schedules: [{
          name: 'daily',
          createRule: { cronExpression: 'cron(0 3 * * ? *)' },
          retainRule: { count: 7 },
          crossRegionCopyRules: [
            { target: 'eu-central-1', encrypted: true, cmkArn: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, retainRule: { interval: 7, intervalUnit: 'DAYS' } },
          ],
        }],
      },
    });
  });
});

// Before: no key had a row; a key deleted with its stack, or disabled, was not said anywhere.
describe('the encryption keys of backup data', () => {
  test('a key deleted with its stack: the pending window, the rotation period and the vault it encrypts, found through the export of another stack', () => {
    expect(key('Keys/VaultKey/Resource')).toEqual({
      stack: 'Keys',
      region: 'eu-west-1',
      account: ACCOUNT,
      key: 'Keys/VaultKey/Resource',
      logicalId: expect.stringMatching(/^VaultKey/),
      rotation: 'rotated every 90 days',
      locks: [
        'scheduled for DELETION with the stack: unusable at once, deleted after 7 days (PendingWindowInDays), then all it encrypts is unreadable',
        'scheduled for DELETION when an update replaces it: unusable at once, deleted after 7 days (PendingWindowInDays), then all it encrypts is unreadable',
      ],
      encrypts: ['data of EBS volume Data/Volume', 'recovery points in vault Data/Vault/Resource (eu-west-1)'],
    });
  });

  test('a key kept on deletion but deleted on replacement, disabled, named by an alias: both lines, its state, the default pending window', () => {
    expect(key('Data/BucketKey')).toMatchObject({
      rotation: 'not rotated',
      locks: [
        'DISABLED (Enabled: false): what it encrypts cannot be read until it is enabled',
        'retained on stack deletion',
        'scheduled for DELETION when an update replaces it: unusable at once, deleted after 30 days (no PendingWindowInDays: the KMS default), then all it encrypts is unreadable',
      ],
      encrypts: ['data of S3 bucket Data/Dumps'],
    });
  });

  test('a key the assembly does not define is listed in the region and account of its ARN, with what is not known; an AWS managed key is not listed', () => {
    expect(model.keys.filter((k) => k.logicalId === undefined)).toEqual([{
      stack: 'Data',
      region: 'eu-central-1',
      account: ACCOUNT,
      key: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      rotation: 'not known (key not in this assembly)',
      locks: ['deletion and replacement not known (key not in this assembly)'],
      encrypts: ['EBS snapshot copies in eu-central-1 (DLM policy Data/Snapshots, schedule daily)'],
    }]);
    expect(model.keys).toHaveLength(3);
  });

  test('the Markdown and HTML reports have a table of the keys', () => {
    const markdown = renderMarkdown(model);
    expect(markdown).toContain('## Encryption keys');
    expect(markdown).toMatch(/\| KMS key<br>VaultKey\w+ \(Keys, eu-west-1\)<br>Keys\/VaultKey \| rotated every 90 days \| scheduled for DELETION with the stack: [^|]+ \| data of EBS volume Data\/Volume<br>recovery points in vault Data\/Vault \(eu-west-1\) \|/);
    const html = renderHtml(model);
    expect(html).toContain('<table id="keys">');
    expect(html).toContain('<div>DISABLED (Enabled: false): what it encrypts cannot be read until it is enabled</div>');
  });

  test('the encryption column names the key of another stack by its path, with its rotation period rather than "yearly" for every rotated key', () => {
    // Before: 'KMS key export Keys:ExportsOutputFnGetAttVaultKey...', and a rotated key was always 'rotated yearly'.
    expect(model.resources.find((r) => r.path === 'Data/Volume')!.encryption).toBe('KMS key Keys/VaultKey/Resource, rotated every 90 days');
    expect(model.resources.find((r) => r.path === 'Data/Dumps')!.encryption).toBe('aws:kms: KMS key Data/BucketKey');
  });
});
