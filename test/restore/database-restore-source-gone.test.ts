/**
 * What the DatabaseRestore deploys so that a restore works once the source instance is gone:
 * the source's settings for the steps function, and the permission to restore a retained
 * automated backup. And the cleanup that does not finish still ends in the failure state.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { configFromEnvironment } from '../../lambda/restore-db-steps/types';
import { DatabaseRestore, type DatabaseRestoreSourceSettings } from '../../lib/restore/database-restore';
import { resolveValue, stateMachineDefinition } from '../support/local-state-machine';
import { restoreFixture } from './db-fixture';

/* eslint-disable @typescript-eslint/no-explicit-any */

function stepsEnvironment(template: Template): Record<string, any> {
  const [, steps] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('RestoreSteps'))!;
  return steps.Properties.Environment.Variables;
}

/** A DatabaseRestore of an imported instance (nothing known but what the attributes say). */
function importedRestore(sourceSettings?: DatabaseRestoreSourceSettings, securityGroups: string[] = []): Template {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  const database = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
    instanceIdentifier: 'orders-db', instanceEndpointAddress: 'orders-db.example', port: 3306,
    securityGroups: securityGroups.map((id, index) => ec2.SecurityGroup.fromSecurityGroupId(stack, `Sg${index}`, id)),
  });
  new DatabaseRestore(stack, 'Restore', {
    database,
    credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'Credentials', 'orders-db-admin'),
    vpc,
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    databaseConnections: new ec2.Connections({ defaultPort: ec2.Port.tcp(3306) }),
    sourceSettings,
  });
  return Template.fromStack(stack);
}

describe('the source\'s settings for restores after it is gone', () => {
  test('a database defined in the app: its subnet group, security groups, default parameter group, class and ARN', () => {
    const { stack } = restoreFixture();
    const template = Template.fromStack(stack);
    const resources = template.toJSON().Resources;
    const database = Object.entries(template.findResources('AWS::RDS::DBInstance')).find(([id]) => id.startsWith('Db'))!;
    // The fixture's database sets no parameter group: RDS gives it the engine's default.
    expect(database[1].Properties.DBParameterGroupName).toBeUndefined();
    const config = configFromEnvironment({ ...resolveValue(stepsEnvironment(template), resources) });
    expect(config.deployedSource).toEqual({
      arn: `arn:aws:rds:eu-west-1:123456789012:db:${database[0]}`,
      subnetGroup: resolveValue(database[1].Properties.DBSubnetGroupName, resources),
      securityGroupIds: resolveValue(database[1].Properties.VPCSecurityGroups, resources),
      parameterGroup: null,
      instanceClass: 'db.m5.large',
      multiAz: undefined,
    });
  });

  test('an imported database: what its attributes say, nothing guessed', () => {
    const template = importedRestore(undefined, ['sg-0db']);
    expect(JSON.parse(stepsEnvironment(template).SOURCE_SETTINGS['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'aws')).join(''))).toEqual({
      arn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db', securityGroupIds: ['sg-0db'],
    });
  });

  test('an imported database with `sourceSettings`', () => {
    const template = importedRestore({
      subnetGroupName: 'orders-subnets', parameterGroupName: 'orders-params',
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
    }, ['sg-0db']);
    const config = configFromEnvironment({ SOURCE_INSTANCE_ID: 'orders-db', WORKFLOW_ID: 'Stack/Restore', ...resolveValue(stepsEnvironment(template), template.toJSON().Resources) });
    expect(config.deployedSource).toMatchObject({ subnetGroup: 'orders-subnets', securityGroupIds: ['sg-0db'], parameterGroup: 'orders-params', instanceClass: 'db.r6g.large' });
  });

  test('restoring a retained automated backup is allowed only with the workflow\'s request tag', () => {
    const { stack, restore } = restoreFixture();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'rds:RestoreDBInstanceToPointInTime',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:auto-backup:*']] },
          Condition: { StringEquals: { 'aws:RequestTag/cdk-backup-dr:workflow-id': restore.node.addr } },
        }]),
      },
    });
  });
});

test('a cleanup that gives up or fails is caught: the failure document names it, the execution ends in RestoreFailed', () => {
  const template = Template.fromStack(restoreFixture().stack);
  const definition = stateMachineDefinition(template, { logicalIdPrefix: 'Restore' });
  const cleanup = definition.States.Cleanup;
  expect(cleanup.Retry).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['CleanupPending'], IntervalSeconds: 120, MaxAttempts: 90 })]));
  expect(cleanup.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError', Next: 'CleanupIncomplete' }]);
  const incomplete = definition.States.CleanupIncomplete;
  expect(incomplete).toMatchObject({ Type: 'Task', ResultPath: '$.failure', Next: 'RestoreFailed' });
  expect(incomplete.Parameters).toMatchObject({ action: 'cleanup-incomplete', 'error.$': '$.error', 'cleanupError.$': '$.cleanupError', 'plan.$': '$.plan', 'progress.$': '$.progress' });
  expect(incomplete.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.reportError', Next: 'CleanupIncompleteUnreported' }]);
  expect(definition.States.CleanupIncompleteUnreported.Next).toBe('CleanupIncompleteDrillGiven');
  // A drill is counted by the state machine itself then, into the drill metrics' namespace and
  // dimension (the source instance, resolved locally to its logical id).
  const [sourceInstance] = Object.keys(template.findResources('AWS::RDS::DBInstance')).filter((id) => id.startsWith('Db'));
  expect(definition.States.CleanupIncompleteCountDrill).toMatchObject({
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
    Parameters: { Namespace: 'CdkBackupDr', MetricData: [{ MetricName: 'DrillFailures', Value: 1, Unit: 'Count', Dimensions: [{ Name: 'Database', Value: sourceInstance }] }] },
    ResultPath: null,
    Next: 'CleanupIncompleteCause',
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.drillError', Next: 'CleanupIncompleteDrillNotCounted' }],
  });
  expect(definition.States.CleanupIncompleteDrillNotCounted).toMatchObject({ Type: 'Pass', ResultPath: '$.incomplete', Next: 'CleanupIncompleteCause' });
  expect(definition.States.CleanupIncompleteCause).toMatchObject({ ResultPath: '$.failure', Next: 'RestoreFailed' });
  expect(definition.States.RestoreFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.error', CausePath: '$.failure.cause' });
});
