/**
 * KMS keys the report cannot match to a key of the assembly: given by key ID or key ARN (a key's
 * ID is generated at deploy, so no template of the assembly knows it) or by an alias the
 * assembly does not define. The report says such a key is not in the assembly and not
 * inspected, wherever it names it, and lists it once, with all it encrypts, however its users
 * write it.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../../core/report/render';
import { KEY_NOT_INSPECTED as KEY_NOT_INSPECTED_TEXT } from '../../../core/report/outside-key';
import { rowAt } from './model-row';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn } from './report-fixtures';

const ACCOUNT = '111111111111';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`;
const REPLICA_KEY_ARN = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab`;
const NOT_INSPECTED = '(not in this assembly: rotation and deletion not inspected)';
let model: ReportModel;

function bucketWithKey(stack: Stack, id: string, kmsMasterKeyId: string, replicaKmsKeyId?: string): s3.CfnBucket {
  const bucket = new s3.CfnBucket(stack, id, {
    versioningConfiguration: { status: 'Enabled' },
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId } }] },
    ...(replicaKmsKeyId ? {
      replicationConfiguration: {
        role: `arn:aws:iam::${ACCOUNT}:role/replication`,
        rules: [{ status: 'Enabled', destination: { bucket: 'arn:aws:s3:::replicas-made-elsewhere', encryptionConfiguration: { replicaKmsKeyId } } }],
      },
    } : {}),
  });
  BackupMetadata.describe(bucket, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
  return bucket;
}

beforeAll(() => {
  model = reportOfApp((app) => {
    const env = { account: ACCOUNT, region: 'eu-west-1' };
    // One key, made outside the assembly: by its ARN in two stacks, by its bare ID in its own region and account.
    const data = new Stack(app, 'Data', { env });
    bucketWithKey(data, 'Dumps', KEY_ARN, REPLICA_KEY_ARN);
    bucketWithKey(data, 'Managed', 'alias/aws/s3');
    const vaults = new Stack(app, 'Vaults', { env });
    new backup.CfnBackupVault(vaults, 'ByArn', { backupVaultName: 'by-arn', encryptionKeyArn: KEY_ARN });
    new backup.CfnBackupVault(vaults, 'ById', { backupVaultName: 'by-id', encryptionKeyArn: KEY_ID });
  });
});

describe('a KMS key given by its ID or ARN', () => {
  // Before: 'aws:kms: KMS key arn:aws:kms:...' and a replica key the same, as if the key had been looked at.
  test('the encryption of the data and of a copy says the key is not in the assembly and not inspected', () => {
    const row = rowAt(model, 'Data/Dumps');
    expect(row.encryption).toBe(`aws:kms: KMS key ${KEY_ARN} ${NOT_INSPECTED}`);
    expect(row.tiers[0].copies[0].encryptionKey).toBe(`KMS key ${REPLICA_KEY_ARN} ${NOT_INSPECTED}`);
  });

  test('an AWS managed key is named as it is, not as a key left uninspected', () => {
    expect(rowAt(model, 'Data/Managed').encryption).toBe('aws:kms: KMS key alias/aws/s3');
  });

  // Before: three rows for the one key (per stack, and per way of writing it), each with part of what it encrypts.
  test('the key has one row, in the region and account of its ARN, with all it encrypts', () => {
    const rows = model.keys.filter((k) => k.key.endsWith(KEY_ID) && k.logicalId === undefined);
    expect(rows).toEqual([{
      stack: 'Data',
      region: 'eu-west-1',
      account: ACCOUNT,
      key: KEY_ARN,
      rotation: 'not known (key not in this assembly)',
      locks: ['deletion and replacement not known (key not in this assembly)'],
      encrypts: ['data of S3 bucket Data/Dumps', 'recovery points in vault Vaults/ByArn (eu-west-1)', 'recovery points in vault Vaults/ById (eu-west-1)'],
    }]);
    expect(model.keys.map((k) => k.key)).toEqual([REPLICA_KEY_ARN, KEY_ARN]);
  });

  // Before: 'KMS key (not in this assembly)', which did not say that nothing of the key was looked at.
  test('the key tables say the key is not in the assembly and not inspected', () => {
    expect(renderMarkdown(model)).toContain(`| KMS key not in this assembly: rotation and deletion not inspected<br>${KEY_ARN} (eu-west-1, account ${ACCOUNT}) |`);
    expect(renderHtml(model)).toContain(`<div>KMS key not in this assembly: rotation and deletion not inspected</div><div>${KEY_ARN} (eu-west-1, account ${ACCOUNT})</div>`);
  });
});

describe('a key ARN whose region or account a token decides', () => {
  // Before: the JSON of Fn::Select ({"Fn::Select":...}) broke the ARN at its colons, and the key read
  // as a bare key ID in the vault's own region and account: eu-west-1, 111111111111, stated as known.
  test('the key row says its region or account is not known at synth, in words; a literal part stays known', () => {
    const keyModel = reportOfApp((app) => {
      const stack = describedStack(app, 'Joined');
      const { text } = parametersIn(stack);
      const region = Fn.select(0, Fn.split(',', text('Regions')));
      new backup.CfnBackupVault(stack, 'ByRegion', {
        backupVaultName: 'by-region', encryptionKeyArn: Fn.join('', ['arn:aws:kms:', region, `:${ACCOUNT}:key/${KEY_ID}`]),
      });
      new backup.CfnBackupVault(stack, 'ByAccount', {
        backupVaultName: 'by-account', encryptionKeyArn: Fn.join(':', ['arn:aws:kms:eu-central-1', text('KeyAccount'), `key/${KEY_ID}`]),
      });
      new backup.CfnBackupVault(stack, 'ByArn', { backupVaultName: 'by-arn', encryptionKeyArn: text('VaultKeyArn') });
    });
    const keyOfVault = (name: string) => keyModel.keys.find((k) => k.encrypts.some((e) => e.startsWith(`recovery points in vault Joined/${name} `)));
    expect(keyOfVault('ByRegion')).toMatchObject({
      key: `arn:aws:kms:a value given by Fn::Select:${ACCOUNT}:key/${KEY_ID}`, region: 'not known at synth (a value given by Fn::Select)', account: ACCOUNT,
    });
    expect(keyOfVault('ByAccount')).toMatchObject({
      key: `arn:aws:kms:eu-central-1:KeyAccount:key/${KEY_ID}`, region: 'eu-central-1', account: 'not known at synth (KeyAccount)',
    });
    // A parameter may hold a key ID or the ARN of a key in any region and account.
    expect(keyOfVault('ByArn')).toMatchObject({ key: 'VaultKeyArn', region: 'not known at synth (VaultKeyArn)', account: 'not known at synth (VaultKeyArn)' });
    expect(renderMarkdown(keyModel)).toContain(`| KMS key ${KEY_NOT_INSPECTED_TEXT}<br>arn:aws:kms:a value given by Fn::Select:${ACCOUNT}:key/${KEY_ID} (not known at synth (a value given by Fn::Select), account ${ACCOUNT}) |`);
    const json = JSON.parse(renderJson(keyModel));
    expect(json.keys.map((k: { region: string }) => k.region)).toEqual(expect.arrayContaining(['not known at synth (a value given by Fn::Select)', 'eu-central-1', 'not known at synth (VaultKeyArn)']));
  });
});
