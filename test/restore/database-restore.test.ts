import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RAW_INPUT_QUALIFIER } from '../../lambda/restore-db-steps/index';
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
    const { stack, restore } = restoreFixture();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['rds:DeleteDBInstance', 'rds:ModifyDBInstance'],
          Condition: { StringEquals: { 'aws:ResourceTag/cdk-backup-dr:workflow-id': restore.node.addr } },
        })]),
      },
    });
  });

  test('the workflow id it tags on what it creates fits an RDS tag value (256 characters) under any construct path', () => {
    const { stack, restore } = restoreFixture(new App(), {}, 'Restore'.repeat(50));
    const steps = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ WORKFLOW_ID: Match.anyValue() }) } } }));
    expect(restore.node.path.length).toBeGreaterThan(256);
    expect(steps.map((fn) => fn.Properties.Environment.Variables.WORKFLOW_ID)).toEqual([restore.node.addr]);
    expect(restore.node.addr.length).toBeLessThanOrEqual(256);
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
    const { stack, restore } = restoreFixture();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBInstanceToPointInTime', 'rds:AddTagsToResource'],
            Condition: { StringEquals: { 'aws:RequestTag/cdk-backup-dr:workflow-id': restore.node.addr } },
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
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WORKFLOW_ID: restore.node.addr, SOURCE_INSTANCE_ID: { Ref: Match.stringLikeRegexp('^Db') } }) } });
  });

  test('restoring a recovery point is granted on every resource form AWS documents for it, the RDS snapshot of an RDS recovery point included', () => {
    const template = Template.fromStack(restoreFixture().stack);
    const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['backup:GetRecoveryPointRestoreMetadata', 'backup:StartRestoreJob'],
          Resource: [
            arn(':backup:eu-west-1:123456789012:recovery-point:*'),
            arn(':backup:eu-west-1:123456789012:backup-vault:*'),
            arn(':rds:eu-west-1:123456789012:snapshot:awsbackup:*'),
          ],
        })]),
      },
    });
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

  describe('the first state, MeasureRequest, invokes the steps function through its $LATEST ARN', () => {
    /** A CloudFormation value as text, each `Fn::GetAtt` written `<LogicalId.Attribute>` and each `Ref` `<Ref:Name>`. */
    function asText(value: unknown): string {
      if (typeof value === 'string') {
        return value;
      }
      const intrinsic = value as { 'Fn::Join'?: [string, unknown[]]; 'Fn::GetAtt'?: [string, string]; 'Ref'?: string };
      if (intrinsic['Fn::Join']) {
        const [separator, parts] = intrinsic['Fn::Join'];
        return parts.map(asText).join(separator);
      }
      if (intrinsic['Fn::GetAtt']) {
        return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
      }
      if (intrinsic.Ref) {
        return `<Ref:${intrinsic.Ref}>`;
      }
      throw new Error(`not a value this test reads: ${JSON.stringify(value)}`);
    }

    interface PolicyStatementJson {
      readonly Effect: string;
      readonly Action: string | string[];
      readonly Resource: unknown;
      readonly NotAction?: unknown;
      readonly NotResource?: unknown;
      readonly Condition?: unknown;
    }

    /** Whether an IAM action or resource pattern (`*` any characters, `?` one) matches the text. */
    function iamMatches(pattern: string, text: string): boolean {
      const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
      return new RegExp(`^${regex}$`).test(text);
    }

    function fixture() {
      const template = Template.fromStack(restoreFixture().stack);
      const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
      const logicalId = (type: string, prefix: string) => {
        const ids = Object.keys(resources).filter((id) => resources[id].Type === type && id.startsWith(prefix));
        expect(ids).toHaveLength(1);
        return ids[0];
      };
      const machine = resources[logicalId('AWS::StepFunctions::StateMachine', 'Restore')].Properties as { DefinitionString: unknown; RoleArn: { 'Fn::GetAtt': [string, string] } };
      return { resources, machine, steps: logicalId('AWS::Lambda::Function', 'RestoreSteps'), verify: logicalId('AWS::Lambda::Function', 'RestoreVerify') };
    }

    test('its Task Resource is exactly the steps function\'s ARN with :$LATEST', () => {
      const { machine, steps } = fixture();
      const definition = JSON.parse(asText(machine.DefinitionString));
      expect(definition.StartAt).toBe('MeasureRequest');
      expect(definition.States.MeasureRequest.Type).toBe('Task');
      expect(definition.States.MeasureRequest.Resource).toBe(`<${steps}.Arn>:$LATEST`);
      // The function tells this invocation apart by that qualifier (its RAW_INPUT_QUALIFIER).
      expect(RAW_INPUT_QUALIFIER).toBe('$LATEST');
    });

    test('the state machine role may invoke that qualified ARN, and no function but the workflow\'s two, their versions and aliases', () => {
      const { resources, machine, steps, verify } = fixture();
      const role = machine.RoleArn['Fn::GetAtt'][0];
      expect(resources[role].Properties.ManagedPolicyArns).toBeUndefined();
      const statements = Object.values(resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy' && (resource.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === role))
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);
      expect(statements.length).toBeGreaterThan(0);
      // No statement that could allow or deny invoking by other means.
      expect(statements.filter((statement) => statement.NotAction || statement.NotResource || statement.Effect !== 'Allow')).toEqual([]);
      const invoking = statements.filter((statement) => [statement.Action].flat().some((action) => iamMatches(action, 'lambda:InvokeFunction')));
      const invokable = invoking.flatMap((statement) => [statement.Resource].flat().map(asText));
      expect(invokable.sort()).toEqual([`<${steps}.Arn>`, `<${steps}.Arn>:*`, `<${verify}.Arn>`, `<${verify}.Arn>:*`].sort());
      expect(invokable.some((resource) => iamMatches(resource, `<${steps}.Arn>:$LATEST`))).toBe(true);
      expect(invoking.every((statement) => statement.Condition === undefined)).toBe(true);
    });
  });

  test('the verification function is admitted to the database port', () => {
    const template = Template.fromStack(restoreFixture().stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { Description: 'Restore verification', FromPort: Match.anyValue() });
  });

  test('a restore timeout of exactly 2000 polls is accepted', () => {
    expect(() => restoreFixture(new App(), { pollInterval: Duration.seconds(18), restoreTimeout: Duration.hours(10) })).not.toThrow();
  });

  test('the poll interval and the restore timeout are configurable', () => {
    const template = Template.fromStack(restoreFixture(new App(), { pollInterval: Duration.minutes(2), restoreTimeout: Duration.hours(6) }).stack);
    expect(stateMachineDefinition(template, { logicalIdPrefix: 'Restore' }).States.WaitForInstance.Seconds).toBe(120);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RESTORE_TIMEOUT_MINUTES: '360' }) } });
  });

  test.each([
    [{ pollInterval: Duration.seconds(5) }, /Stack\/Restore: `pollInterval` must be 10 seconds to 10 minutes, got 5 seconds/],
    [{ pollInterval: Duration.millis(12500) }, /Stack\/Restore: `pollInterval` must be a whole number of seconds, got 12 seconds 500 millis \(12500 milliseconds\)$/],
    [{ restoreTimeout: Duration.hours(72) }, /Stack\/Restore: `restoreTimeout` must be 1 to 48 hours, got 3 days/],
    [{ timestampColumns: ['orders.created_at'] }, /`timestampColumns` entries must be schema.table.column, got 'orders.created_at'/],
    [{ databases: ['shop.orders'] }, /`databases` entries must be database names/],
    // Before: accepted; the verification checked the database or read the column twice, or another was meant.
    [{ databases: ['shop', 'shop'] }, /^Stack\/Restore: `databases` may name each database once, got 'shop' twice \(\[0\] and \[1\]\)$/],
    [{ timestampColumns: ['shop.orders.created_at', 'shop.items.created_at', 'shop.orders.created_at'] }, /^Stack\/Restore: `timestampColumns` may name each column once, got 'shop.orders.created_at' twice \(\[0\] and \[2\]\)$/],
    // Before: accepted; the wait loop would run into Step Functions' 25,000 history events after about 7 hours, ending the restore without its cleanup.
    [{ pollInterval: Duration.seconds(10), restoreTimeout: Duration.hours(12) }, /^Stack\/Restore: `restoreTimeout` may be at most 2000 times `pollInterval` \(5 hours 33 minutes with pollInterval 10 seconds\): each poll adds 9 events to the execution's history, and Step Functions ends an execution at 25,000 without its cleanup; got 12 hours, 4320 polls$/],
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
