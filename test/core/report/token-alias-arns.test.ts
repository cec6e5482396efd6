/**
 * A KMS alias ARN whose region or account a token gives, naming an alias the assembly defines
 * there: the deploy decides whether it is the assembly's alias, so the report says the key is
 * not known at synth, on the resource and in the keys table, not that it is outside the assembly.
 */
import { Fn } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { renderMarkdown } from '../../../core/report/render';
import { BackupMetadata, BackupRole } from '../../../lib/report/metadata';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';
import { describedStack, parametersIn } from './report-fixtures';

const ACCOUNT = '111111111111';
let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Aliases');
    const { text } = parametersIn(stack);
    const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true });
    new kms.CfnAlias(stack, 'Alias', { aliasName: 'alias/data', targetKeyId: key.ref });
    const bucket = (id: string, kmsMasterKeyId: string): void => {
      const b = new s3.CfnBucket(stack, id, {
        versioningConfiguration: { status: 'Enabled' },
        bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId } }] },
      });
      BackupMetadata.describe(b, { role: BackupRole.BACKUP_STORE, tier: 'dump' });
    };
    bucket('ByRegion', Fn.join(':', ['arn:aws:kms', text('Region'), ACCOUNT, 'alias/data']));
    bucket('Elsewhere', Fn.join(':', ['arn:aws:kms', text('OtherRegion'), ACCOUNT, 'alias/other']));
  });
});

// Before: '(not in this assembly: rotation and deletion not inspected)', though it is Aliases/Key's alias if Region is eu-west-1.
test('an alias ARN with a token region that may name the assembly\'s alias is not known at synth', () => {
  expect(rowAt(model, 'Aliases/ByRegion').encryption).toBe(
    `aws:kms: KMS key arn:aws:kms:Region:${ACCOUNT}:alias/data (not known at synth: may be alias/data of this assembly; rotation and deletion not inspected)`);
  const row = model.keys.find((k) => k.key === `arn:aws:kms:Region:${ACCOUNT}:alias/data`);
  expect(row).toMatchObject({ rotation: 'not known (key not known at synth: may be alias/data of this assembly)' });
  expect(renderMarkdown(model)).toContain('KMS key not known at synth: may be alias/data of this assembly; rotation and deletion not inspected');
});

test('an alias the assembly does not define stays not in this assembly', () => {
  expect(rowAt(model, 'Aliases/Elsewhere').encryption).toContain('(not in this assembly: rotation and deletion not inspected)');
  expect(model.keys.find((k) => k.key === `arn:aws:kms:OtherRegion:${ACCOUNT}:alias/other`)).toMatchObject({ rotation: 'not known (key not in this assembly)' });
});
