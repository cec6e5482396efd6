/**
 * A vault or DB instance named by a token (a parameter, a function): the deploy decides the name,
 * so the report never matches it by the token's text (two stacks' parameters of one name are two
 * values) and says what it names is not known at synth, never that it is outside the assembly;
 * a literal name where a vault or DB instance of its region and account is named by a token may
 * be that one: not known at synth either.
 */
import { CfnParameter, Fn } from 'aws-cdk-lib';
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
    // Another stack of the same region and account, whose own parameters Name and SourceName name its vault and DB instance.
    const others = describedStack(app, 'Others');
    const otherName = new CfnParameter(others, 'Name', { type: 'String' }).valueAsString;
    new backup.CfnBackupVault(others, 'Vault', { backupVaultName: otherName, lockConfiguration: { minRetentionDays: 7 } });
    const otherSource = new CfnParameter(others, 'SourceName', { type: 'String' }).valueAsString;
    smallInstance(others, 'Source', { engine: 'mariadb', dbInstanceIdentifier: otherSource });

    // A vault of us-east-1 whose name is archive-<parameter>.
    const elsewhere = describedStack(app, 'Elsewhere', 'us-east-1');
    new backup.CfnBackupVault(elsewhere, 'Vault', { backupVaultName: Fn.join('', ['archive-', new CfnParameter(elsewhere, 'Name', { type: 'String' }).valueAsString]) });

    const stack = describedStack(app, 'Names');
    const { text } = parametersIn(stack);
    text('Name');
    text('SourceName');
    tableInPlan(stack, [{
      ruleName: 'Daily', targetBackupVault: text('VaultName'), scheduleExpression: 'cron(0 5 * * ? *)',
      copyActions: [
        { destinationBackupVaultArn: Fn.sub('arn:aws:backup:${AWS::Region}:${AWS::AccountId}:backup-vault:${Name}') },
        { destinationBackupVaultArn: text('CopyVaultArn') },
      ],
    }]);
    readReplica(stack, 'ByName', Fn.sub('arn:aws:rds:${AWS::Region}:${AWS::AccountId}:db:${SourceName}'), 3);
    readReplica(stack, 'ByParameter', text('SourceArn'), 3);
    const tokenEngine = smallInstance(stack, 'TokenEngine', { engine: text('Engine') });
    readReplica(stack, 'OfTokenEngine', tokenEngine.ref, 3);

    // Literal names and ARNs: the vault and DB instance of Others whose names its parameters give may be them.
    tableInPlan(stack, [{
      ruleName: 'Daily', targetBackupVault: 'prod-vault', scheduleExpression: 'cron(0 5 * * ? *)',
      copyActions: [
        { destinationBackupVaultArn: `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:prod-copies` },
        { destinationBackupVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:prod-copies` },
        { destinationBackupVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:archive-7` },
      ],
    }], 'Literal');
    readReplica(stack, 'ByLiteral', 'prod-db', 3);
    readReplica(stack, 'ByLiteralArn', `arn:aws:rds:eu-west-1:${ACCOUNT}:db:prod-db`, 3);
    readReplica(stack, 'ByLiteralElsewhere', `arn:aws:rds:us-east-1:${ACCOUNT}:db:prod-db`, 3);
  });
});

describe('a backup vault', () => {
  // Before: the copy was Others/Vault, its lock stated, read from the text 'Name' of two different parameters.
  test('an ARN whose vault name a token gives never matches a vault by the token\'s text', () => {
    const [byName] = rowAt(model, 'Names/Table').tiers[0].copies;
    const notKnown = `not known (vault named not known at synth (Name), in region eu-west-1, account ${ACCOUNT})`;
    expect(byName).toMatchObject({ region: 'eu-west-1', account: ACCOUNT, encryptionKey: notKnown, locks: [`locks ${notKnown}`] });
    expect(byName.destination).not.toBe('Others/Vault');
  });

  // Before: 'not known (vault not in this assembly)', though the parameter may name a vault of the assembly.
  test('a vault name or ARN given wholly by a parameter has its key and locks not known at synth', () => {
    const [tier] = rowAt(model, 'Names/Table').tiers;
    expect(tier.encryptionKey).toBe('not known at synth (VaultName)');
    expect(tier.locks).toEqual(['locks not known at synth (VaultName)']);
    expect(tier.copies[1]).toMatchObject({ encryptionKey: 'not known at synth (CopyVaultArn)', locks: ['locks not known at synth (CopyVaultArn)'] });
  });

  // Before: 'not known (vault not in this assembly)', though Others/Vault, named by a parameter, may be it.
  test('a literal name or ARN, where a vault of its region and account is named by a token, has its key and locks not known at synth', () => {
    const [tier] = rowAt(model, 'Names/LiteralTable').tiers;
    const mayBe = 'not known at synth (may be Others/Vault, whose name is Name)';
    expect(tier).toMatchObject({ encryptionKey: mayBe, locks: [`locks ${mayBe}`] });
    expect(tier.copies[0]).toMatchObject({ encryptionKey: mayBe, locks: [`locks ${mayBe}`] });
    // The vault of us-east-1 named by a token is archive-<parameter>: it may be archive-7, never prod-copies.
    expect(tier.copies[1]).toMatchObject({ encryptionKey: 'not known (vault not in this assembly)' });
    expect(tier.copies[2]).toMatchObject({ encryptionKey: 'not known at synth (may be Elsewhere/Vault, whose name is archive-Name)' });
  });
});

describe('a read replica\'s source', () => {
  // Before: 'this replica's engine is not in the assembly (its source is not)', though Others/Source, named by a parameter, may be it.
  test('a literal name or ARN, where a DB instance of its region and account is named by a token, makes the engine not known at synth', () => {
    for (const path of ['Names/ByLiteral', 'Names/ByLiteralArn']) {
      expect(rowAt(model, path).tiers[0].schedule).toContain('this replica\'s engine is not known at synth (its source may be Others/Source, whose name is SourceName)');
    }
    expect(rowAt(model, 'Names/ByLiteralElsewhere').tiers[0].schedule).toContain('this replica\'s engine is not in the assembly (its source is not)');
  });

  // Before: the engine of Others/Source, 'matched by DB instance name', read from the text 'SourceName' of two different parameters.
  test('an ARN whose DB instance name a token gives never matches an instance by the token\'s text', () => {
    const { schedule } = rowAt(model, 'Names/ByName').tiers[0];
    expect(schedule).toContain(`this replica's engine is not known (its source is DB instance named not known at synth (SourceName), in region eu-west-1, account ${ACCOUNT})`);
    expect(schedule).not.toContain('Others/Source');
  });

  // Before: 'this replica's engine is not in the assembly (its source is not)'.
  test('a source given wholly by a parameter makes the engine not known at synth', () => {
    expect(rowAt(model, 'Names/ByParameter').tiers[0].schedule).toContain('this replica\'s engine is not known at synth (SourceArn)');
  });

  // Before: 'this replica's engine is not in the assembly (its source is not)', though its source is Names/TokenEngine.
  test('a source of the assembly whose engine a token gives makes the engine not known at synth', () => {
    expect(rowAt(model, 'Names/OfTokenEngine').tiers[0].schedule).toContain('this replica\'s engine is not known at synth (Engine)');
  });
});
