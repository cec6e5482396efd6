import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';
import { stateMachineDefinition, validateDefinition } from '../support/local-state-machine';
import { restoreFixture } from './db-fixture';

describe('DatabaseRestore', () => {
  test('a logged, traced, KMS-encrypted state machine with a valid definition', () => {
    const { stack } = restoreFixture();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
    });
    const definition = stateMachineDefinition(template, { logicalIdPrefix: 'Restore' });
    expect(validateDefinition(definition)).toEqual([]);
    expect(definition.States.WaitForInstance.Seconds).toBe(30);
  });

  test('the state machine carries the tag `cdk-backup-dr restore db` finds it by', () => {
    const { stack } = restoreFixture();
    Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      Tags: Match.arrayWith([{ Key: 'cdk-backup-dr:workflow', Value: 'database' }]),
    });
  });

  test('deleting and modifying instances is limited to those the workflow tagged', () => {
    const template = Template.fromStack(restoreFixture().stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['rds:DeleteDBInstance', 'rds:ModifyDBInstance'],
          Condition: { StringEquals: { 'aws:ResourceTag/cdk-backup-dr:workflow-id': 'Stack/Restore' } },
        })]),
      },
    });
  });

  test('the source can never be tagged as the workflow\'s, changed or deleted, whatever its tags', () => {
    const template = Template.fromStack(restoreFixture().stack);
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource: unknown }>);
    const denied = (action: string) => statements.filter((statement) => statement.Effect === 'Deny' && [statement.Action].flat().includes(action))
      .map((statement) => JSON.stringify(statement.Resource));
    for (const action of ['rds:AddTagsToResource', 'rds:DeleteDBInstance', 'rds:ModifyDBInstance', 'rds:RemoveTagsFromResource']) {
      expect(denied(action)).toEqual([expect.stringMatching(/"Ref":"Db[0-9A-F]{8}"/)]);
    }
  });

  test('a replica can be promoted only when listed, and creating instances requires the workflow tag', () => {
    const template = Template.fromStack(restoreFixture().stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBInstanceToPointInTime', 'rds:AddTagsToResource'],
            Condition: { StringEquals: { 'aws:RequestTag/cdk-backup-dr:workflow-id': 'Stack/Restore' } },
          }),
          Match.objectLike({ Action: ['rds:PromoteReadReplica', 'rds:AddTagsToResource'], Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:CreateGrant', 'kms:DescribeKey'],
          Condition: { 'StringEquals': { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' }, 'Bool': { 'kms:GrantIsForAWSResource': 'true' } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WORKFLOW_ID: 'Stack/Restore', SOURCE_INSTANCE_ID: { Ref: Match.stringLikeRegexp('^Db') } }) } });
  });

  test('grantStartExecution lets a role start, watch and read restores', () => {
    const { stack, restore } = restoreFixture();
    const role = new iam.Role(stack, 'OnCall', { assumedBy: new iam.AccountRootPrincipal() });
    restore.grantStartExecution(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OnCall') }],
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Action: 'states:StartExecution' }),
        Match.objectLike({ Action: 'kms:GenerateDataKey', Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: Match.stringLikeRegexp('^Restore') } } } }),
        Match.objectLike({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: Match.stringLikeRegexp('^Restore') } } } }),
      ]) },
    });
  });

  test('the verification function is admitted to the database port', () => {
    const template = Template.fromStack(restoreFixture().stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { Description: 'Restore verification', FromPort: Match.anyValue() });
  });

  test('the poll interval and the restore timeout are configurable', () => {
    const template = Template.fromStack(restoreFixture(new App(), { pollInterval: Duration.minutes(2), restoreTimeout: Duration.hours(6) }).stack);
    expect(stateMachineDefinition(template, { logicalIdPrefix: 'Restore' }).States.WaitForInstance.Seconds).toBe(120);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RESTORE_TIMEOUT_MINUTES: '360' }) } });
  });

  test.each([
    [{ pollInterval: Duration.seconds(5) }, /Stack\/Restore: `pollInterval` must be 10 seconds to 10 minutes, got 5 seconds/],
    [{ restoreTimeout: Duration.hours(72) }, /Stack\/Restore: `restoreTimeout` must be 1 to 48 hours, got 3 days/],
    [{ timestampColumns: ['orders.created_at'] }, /`timestampColumns` entries must be schema.table.column, got 'orders.created_at'/],
    [{ databases: ['shop.orders'] }, /`databases` entries must be database names/],
  ])('rejects bad props: %j', (props, message) => {
    expect(() => restoreFixture(new App(), props)).toThrow(message);
  });

  test('passes every compliance gate', () => {
    const app = appWithComplianceGates();
    restoreFixture(app);
    const findings = complianceFindings(app).filter((f) => f.path.startsWith('Stack/Restore'));
    expect(describeFindings(findings)).toEqual('');
  });
});
