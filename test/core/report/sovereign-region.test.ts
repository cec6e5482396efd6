/**
 * A region of the AWS European Sovereign Cloud (eusc-de-east-1, partition aws-eusc) is a region
 * name to the report as any other: a key's region read from its ARN, and whether a copy there is
 * off site.
 */
import * as backup from 'aws-cdk-lib/aws-backup';
import { placeOffSite } from '../../../core/report/off-site';
import { reportOfApp } from './report-of-app';
import { describedStack } from './report-fixtures';

const ACCOUNT = '111111111111';

test('a copy in eusc-de-east-1 of data in eu-central-1 is off site; one in the same sovereign region is not', () => {
  expect(placeOffSite({ region: 'eusc-de-east-1', account: ACCOUNT }, { region: 'eu-central-1', account: ACCOUNT })).toBe('yes');
  expect(placeOffSite({ region: 'eusc-de-east-1', account: ACCOUNT }, { region: 'eusc-de-east-1', account: ACCOUNT })).toBe('no');
  expect(placeOffSite({ region: 'eusc de east 1', account: ACCOUNT }, { region: 'eusc-de-east-1', account: ACCOUNT })).toBe('not known');
});

test('a key outside the assembly in eusc-de-east-1 is listed in that region, not as one not known at synth', () => {
  const keyArn = `arn:aws-eusc:kms:eusc-de-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const model = reportOfApp((app) => {
    const stack = describedStack(app, 'Sovereign', 'eusc-de-east-1');
    new backup.CfnBackupVault(stack, 'Vault', { backupVaultName: 'sovereign', encryptionKeyArn: keyArn });
  });
  const key = model.keys.find((k) => k.key === keyArn);
  expect(key).toMatchObject({ region: 'eusc-de-east-1', account: ACCOUNT });
});
