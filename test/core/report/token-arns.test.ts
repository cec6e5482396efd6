/**
 * An ARN whose region or account a token gives (a parameter in a Fn::Join, a variable of a
 * Fn::Sub, a function such as Fn::Select): the report says what the ARN states and that the
 * rest is not known at synth, never a parameter's name or a piece of a token's JSON as a
 * region or account, and never that what it names is not in the assembly.
 */
import { Fn } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { ReportModel } from '../../../core/report/model';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';
import { readReplica, smallInstance } from './db-instances';
import { describedStack, parametersIn, tableInPlan } from './report-fixtures';

const ACCOUNT = '111111111111';
let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = describedStack(app, 'Arns');
    const { text } = parametersIn(stack);
    const selected = Fn.select(0, Fn.split(',', text('Regions')));
    // A vault of this name in the stack's region and account: the one the ARNs name if the tokens give those.
    new backup.CfnBackupVault(stack, 'Vault', { backupVaultName: 'main' });
    const vaultArn = (region: string, account = ACCOUNT) => Fn.join(':', ['arn:aws:backup', region, account, 'backup-vault:main']);
    tableInPlan(stack, [
      { ruleName: 'ByParameter', targetBackupVault: vaultArn(text('Region')), scheduleExpression: 'cron(0 5 * * ? *)',
        copyActions: [{ destinationBackupVaultArn: vaultArn(selected) }] },
      { ruleName: 'BySub', targetBackupVault: Fn.sub('arn:aws:backup:${AWS::Region}:${AWS::AccountId}:backup-vault:main'), scheduleExpression: 'cron(0 6 * * ? *)',
        copyActions: [{ destinationBackupVaultArn: Fn.sub('arn:aws:backup:eu-central-1:${Account}:backup-vault:main', { Account: text('CopyAccount') }) }] },
    ]);
    // A DB instance named orders in the stack's region and account: the source the ARNs name if the tokens give those.
    smallInstance(stack, 'Orders', { engine: 'mariadb', dbInstanceIdentifier: 'orders' });
    readReplica(stack, 'ByParameter', Fn.join(':', ['arn:aws:rds', text('SourceRegion'), ACCOUNT, 'db:orders']), 3);
    readReplica(stack, 'ByFunction', Fn.sub('arn:aws:rds:${AWS::Region}:${Account}:db:orders', { Account: Fn.select(0, Fn.split(',', text('Accounts'))) }), 3);
  });
});

describe('a backup vault ARN', () => {
  // Before: 'not known (vault not in this assembly)', though Arns/Vault is the vault if Region is eu-west-1.
  test('a vault the report cannot find because a token gives its region is said to be in a place not known at synth, not to be outside the assembly', () => {
    const [byParameter] = rowAt(model, 'Arns/Table').tiers;
    expect(byParameter.storedIn).toBe(`arn:aws:backup:Region:${ACCOUNT}:backup-vault:main`);
    expect(byParameter.encryptionKey).toBe(`not known (vault in region not known at synth (Region), account ${ACCOUNT})`);
    expect(byParameter.locks).toEqual([`locks not known (vault in region not known at synth (Region), account ${ACCOUNT})`]);
  });

  // Before: region 'a value given by Fn' and account '' (the render split at the colons of 'Fn::Select'), and 'CopyAccount' as an account.
  test('a copy\'s region and account are those the ARN states, or not known at synth in words', () => {
    const [byParameter, bySub] = rowAt(model, 'Arns/Table').tiers;
    expect(byParameter.copies[0]).toMatchObject({
      region: 'not known at synth (a value given by Fn::Select)', account: ACCOUNT,
      encryptionKey: `not known (vault in region not known at synth (a value given by Fn::Select), account ${ACCOUNT})`,
    });
    expect(bySub.storedIn).toBe('vault Arns/Vault (eu-west-1)');
    expect(bySub.copies[0]).toMatchObject({ region: 'eu-central-1', account: 'not known at synth (CopyAccount)', offsite: true });
  });
});

describe('a read replica\'s source ARN', () => {
  // Before: 'this replica\'s engine is not in the assembly (its source is not)', though Arns/Orders is its source if SourceRegion is eu-west-1.
  test('a source the report cannot find because a token gives its region or account is said to be in a place not known at synth', () => {
    expect(rowAt(model, 'Arns/ByParameter').tiers[0].schedule).toContain(
      `this replica's engine is not known (its source is in region not known at synth (SourceRegion), account ${ACCOUNT})`);
    expect(rowAt(model, 'Arns/ByFunction').tiers[0].schedule).toContain(
      'this replica\'s engine is not known (its source is in region eu-west-1, account not known at synth (a value given by Fn::Select))');
  });
});
