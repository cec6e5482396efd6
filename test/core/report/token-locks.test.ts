/**
 * A lock given by a token (a parameter, a condition) is decided at deployment: the report says it
 * is not known at synth, never leaves it out (as if there were no lock) and never states it (as if
 * there were one): S3 Object Lock and its default retention, versioning, deletion protection and
 * point-in-time recovery.
 */
import { CfnCondition, CfnParameter, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ReportModel } from '../../../core/report/model';
import { renderJson, renderMarkdown } from '../../../core/report/render';
import { rowAt } from './model-row';
import { reportOfApp } from './report-of-app';

let model: ReportModel;

beforeAll(() => {
  model = reportOfApp((app) => {
    const stack = new Stack(app, 'Locks', { env: { account: '111111111111', region: 'eu-west-1' } });
    const flag = new CfnParameter(stack, 'Protect', { allowedValues: ['true', 'false'], default: 'true' });
    const production = new CfnCondition(stack, 'Production', { expression: Fn.conditionEquals(flag.valueAsString, 'true') });
    const text = (id: string): string => new CfnParameter(stack, id, { type: 'String' }).valueAsString;

    new s3.CfnBucket(stack, 'Store', {
      objectLockEnabled: Fn.conditionIf(production.logicalId, true, false),
      versioningConfiguration: { status: text('VersioningStatus') },
    }).cfnOptions.metadata = { 'cdk-backup-dr': { role: 'backup-store', tier: 'dump' } };
    new s3.CfnBucket(stack, 'Locked', {
      objectLockEnabled: true,
      versioningConfiguration: { status: 'Enabled' },
      objectLockConfiguration: Fn.conditionIf(production.logicalId,
        { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } }, Fn.ref('AWS::NoValue')),
    });
    new s3.CfnBucket(stack, 'Retained', {
      objectLockEnabled: true,
      versioningConfiguration: { status: 'Enabled' },
      objectLockConfiguration: { objectLockEnabled: 'Enabled', rule: { defaultRetention: { mode: text('LockMode'), days: Token.asNumber(Fn.ref('LockDays')) } } },
    });
    new CfnParameter(stack, 'LockDays', { type: 'Number' });
    new rds.CfnDBInstance(stack, 'Database', {
      dbInstanceClass: 'db.t4g.micro', engine: 'mysql', allocatedStorage: '20', masterUsername: 'admin', manageMasterUserPassword: true, storageEncrypted: true,
      deletionProtection: Token.asAny(flag) as unknown as boolean,
    });
    const table = new dynamodb.CfnTable(stack, 'Table', {
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }], attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }], billingMode: 'PAY_PER_REQUEST',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: Fn.conditionIf(production.logicalId, true, false) },
    });
    // A template written by hand may give a boolean as text; CloudFormation takes it.
    table.addPropertyOverride('DeletionProtectionEnabled', 'true');
    Validations.of(table).acknowledge({ id: 'CloudFormation-Validate::W9003', reason: 'a boolean written as text, which CloudFormation coerces, for the report to read' });
  });
});

test('a bucket whose Object Lock and versioning are given by a condition or a parameter has both not known at synth', () => {
  const { locks } = rowAt(model, 'Locks/Store');
  expect(locks).toContain('Object Lock not known at synth: a value given by Fn::If');
  expect(locks).toContain('versioning not known at synth: VersioningStatus');
});

test('Object Lock whose configuration is given by a condition has its default retention not known, not "no default retention"', () => {
  const { locks } = rowAt(model, 'Locks/Locked');
  expect(locks).toContain('Object Lock enabled, default retention not known at synth: a value given by Fn::If');
  expect(locks.join('\n')).not.toContain('no default retention');
});

test('a default retention whose mode or days are parameters reads with their names, not known at synth', () => {
  expect(rowAt(model, 'Locks/Retained').locks).toContain('Object Lock LockMode LockDays days (not known at synth)');
});

test('deletion protection and point-in-time recovery given by a token are not known at synth; "true" as text is on', () => {
  expect(rowAt(model, 'Locks/Database').locks).toContain('deletion protection not known at synth: Protect');
  const { locks } = rowAt(model, 'Locks/Table');
  expect(locks).toContain('point-in-time recovery not known at synth: a value given by Fn::If');
  expect(locks).toContain('deletion protection');
});

test('no lock reads as [object Object] or JSON', () => {
  for (const rendered of [renderMarkdown(model), renderJson(model)]) {
    expect(rendered).not.toContain('[object Object]');
    expect(rendered).not.toMatch(/\{\s*("|\\")(Ref|Fn::)/);
  }
});
