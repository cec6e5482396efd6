/**
 * The dry run reads each workflow's configuration from the function its Validate state
 * invokes: checked here against the state machines and functions the constructs synthesize.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { validateFunctionsIn } from '../../cli/validate-step';
import { settingsFromEnvironment as dumpSettings } from '../../lambda/restore-dump/settings';
import { configFromEnvironment } from '../../lambda/restore-db-steps/types';
import { settingsFromEnvironment as objectSettings } from '../../lambda/restore-objects/settings';
import { settingsFromEnvironment as volumeSettings } from '../../lambda/restore-volume/settings';
import { DumpRestoreWorkflow } from '../../lib/restore/dump-restore-workflow';
import { ObjectRestoreWorkflow } from '../../lib/restore/object-restore-workflow';
import { VolumeRestoreWorkflow } from '../../lib/restore/volume-restore-workflow';
import { restoreFixture } from '../restore/db-fixture';
import { restoreTestStack } from '../restore/workflow-fixture';
import { resolveValue, stateMachineDefinition } from '../support/local-state-machine';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The resolved environment of the function with this (fake) ARN in the template. */
function environmentOf(template: Template, functionArn: string): NodeJS.ProcessEnv {
  const resources = template.toJSON().Resources as Record<string, any>;
  const logicalId = functionArn.split(':function:')[1];
  expect(resources[logicalId]?.Type).toBe('AWS::Lambda::Function');
  return resolveValue(resources[logicalId].Properties.Environment.Variables, resources);
}

test('the database workflow: one Validate function, whose environment is the steps configuration', () => {
  const { stack, restore } = restoreFixture();
  const template = Template.fromStack(stack);
  const functions = validateFunctionsIn(JSON.stringify(stateMachineDefinition(template, { logicalIdPrefix: 'Restore' })));
  expect(functions).toHaveLength(1);
  const config = configFromEnvironment(environmentOf(template, functions[0]));
  expect(config).toMatchObject({ workflowId: restore.node.addr, replicaIdentifiers: [expect.any(String)], restoreTimeoutMinutes: 720 });
  expect(config.backupRestoreRoleArn).toMatch(/^arn:aws:iam::/);
});

describe('the dump, volume and object workflows', () => {
  const app = new App();
  const { stack, vpc, key, dumpBucket, archiveBucket } = restoreTestStack(app);
  const functionSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  new DumpRestoreWorkflow(stack, 'DumpRestore', { vpc, encryptionKey: key, dumpBucket, archiveBucket, functionSubnets });
  new VolumeRestoreWorkflow(stack, 'VolumeRestore', { vpc, encryptionKey: key, functionSubnets });
  new ObjectRestoreWorkflow(stack, 'ObjectRestore', { vpc, encryptionKey: key, functionSubnets, buckets: [dumpBucket, archiveBucket], targetBuckets: [dumpBucket] });
  const template = Template.fromStack(stack);

  test.each([
    ['DumpRestore', (env: NodeJS.ProcessEnv) => expect(dumpSettings(env)).toMatchObject({ identifierPrefix: 'restored-' })],
    ['VolumeRestore', (env: NodeJS.ProcessEnv) => expect(volumeSettings(env)).toMatchObject({ readyWithinMinutes: expect.any(Number), kmsKeyId: expect.stringMatching(/^arn:/) })],
    ['ObjectRestore', (env: NodeJS.ProcessEnv) => expect(objectSettings(env).sourceBuckets).toHaveLength(2)],
  ])('%s', (prefix, check) => {
    const functions = validateFunctionsIn(JSON.stringify(stateMachineDefinition(template, { logicalIdPrefix: prefix })));
    expect(functions).toHaveLength(1);
    check(environmentOf(template, functions[0]));
  });
});

test('a Validate step through the lambda:invoke integration is found too; other steps are not', () => {
  const definition = {
    StartAt: 'Validate',
    States: {
      Validate: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:Steps', Payload: { action: 'validate' } }, Next: 'Each' },
      Each: { Type: 'Map', ItemProcessor: { StartAt: 'Copy', States: { Copy: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:1:function:Other', Parameters: { action: 'copy' }, End: true } } }, End: true },
    },
  };
  expect(validateFunctionsIn(JSON.stringify(definition))).toEqual(['arn:aws:lambda:eu-west-1:1:function:Steps']);
});
