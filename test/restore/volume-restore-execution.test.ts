/**
 * The synthesized volume restore state machine, run locally with the real function and the
 * EC2 API mocked.
 */
import {
  AttachVolumeCommand, CreateReplaceRootVolumeTaskCommand, CreateVolumeCommand, DeleteVolumeCommand, DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand, DescribeReplaceRootVolumeTasksCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client, Volume,
} from '@aws-sdk/client-ec2';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_TAG, WORKFLOW_ID_TAG } from '../../core/restore-workflows/common';
import { handler } from '../../lambda/restore-volume';
import { VolumeRestoreWorkflow } from '../../lib/restore/volume-restore-workflow';
import { LocalStateMachine, localStateMachine } from '../support/local-state-machine';
import { restoreTestStack } from './workflow-fixture';

const ec2Mock = mockClient(EC2Client);
const SNAPSHOT = 'snap-0123456789abcdef0';
const INSTANCE = 'i-0123456789abcdef0';
const ZONE_A = { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a' };

let machine: LocalStateMachine;
let template: Template;

beforeAll(() => {
  const { stack, vpc, key } = restoreTestStack(new App());
  new VolumeRestoreWorkflow(stack, 'VolumeRestore', { vpc, encryptionKey: key, functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  template = Template.fromStack(stack);
  machine = localStateMachine(template);
  Object.assign(process.env, { ALLOWED_ZONES: 'eu-west-1a,eu-west-1b', KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/k', WORKFLOW_ID: 'wf-1', READY_WITHIN_MINUTES: '60' });
});

interface Account {
  readonly volumes: Map<string, Volume>;
  readonly tokens: Map<string, string>;
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

function mockEc2(options: { pollsUntilReady?: number; attachFails?: Error; replaceState?: string[] } = {}): Account {
  ec2Mock.reset();
  const account: Account = { volumes: new Map(), tokens: new Map() };
  const polls = new Map<string, number>();
  ec2Mock.on(DescribeSnapshotsCommand).callsFake((input) => {
    if (input.SnapshotIds[0] !== SNAPSHOT) {
      throw awsError('InvalidSnapshot.NotFound', `The snapshot '${input.SnapshotIds[0]}' does not exist.`);
    }
    return { Snapshots: [{ SnapshotId: SNAPSHOT, State: 'completed', VolumeSize: 50 }] };
  });
  ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((ZoneName) => ({ ZoneName, State: 'available' })),
  });
  ec2Mock.on(DescribeInstancesCommand).callsFake((input) => {
    if (input.InstanceIds[0] !== INSTANCE) {
      throw awsError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceIds[0]}' does not exist`);
    }
    return { Reservations: [{ Instances: [{ InstanceId: INSTANCE, State: { Name: 'running' }, Placement: { AvailabilityZone: 'eu-west-1a' }, BlockDeviceMappings: [{ DeviceName: '/dev/xvda' }, { DeviceName: '/dev/sdh' }, { DeviceName: 'xvdj' }] }] }] };
  });
  ec2Mock.on(CreateVolumeCommand).callsFake((input) => {
    const existing = account.tokens.get(input.ClientToken);
    if (existing) {
      return { VolumeId: existing };
    }
    const volumeId = `vol-${(account.volumes.size + 1).toString().padStart(17, '0')}`;
    account.tokens.set(input.ClientToken, volumeId);
    account.volumes.set(volumeId, { VolumeId: volumeId, State: 'creating', CreateTime: new Date(), AvailabilityZone: input.AvailabilityZone, Tags: input.TagSpecifications[0].Tags, Attachments: [] });
    return { VolumeId: volumeId };
  });
  ec2Mock.on(DescribeVolumesCommand).callsFake((input) => {
    if (input.Filters) {
      const tagged = (volume: Volume) => input.Filters.every((filter: { Name: string; Values: string[] }) =>
        (volume.Tags ?? []).some((tag) => `tag:${tag.Key}` === filter.Name && filter.Values.includes(tag.Value!)));
      return { Volumes: [...account.volumes.values()].filter(tagged) };
    }
    const volume = account.volumes.get(input.VolumeIds[0]);
    if (!volume) {
      throw awsError('InvalidVolume.NotFound', 'not found');
    }
    const count = (polls.get(volume.VolumeId!) ?? 0) + 1;
    polls.set(volume.VolumeId!, count);
    if (volume.State === 'creating' && count > (options.pollsUntilReady ?? 2)) {
      account.volumes.set(volume.VolumeId!, { ...volume, State: 'available' });
    }
    const attachments = volume.Attachments ?? [];
    if (attachments[0]?.State === 'attaching') {
      account.volumes.set(volume.VolumeId!, { ...account.volumes.get(volume.VolumeId!)!, State: 'in-use', Attachments: [{ ...attachments[0], State: 'attached' }] });
    }
    return { Volumes: [account.volumes.get(volume.VolumeId!)!] };
  });
  ec2Mock.on(AttachVolumeCommand).callsFake((input) => {
    if (options.attachFails) {
      throw options.attachFails;
    }
    const volume = account.volumes.get(input.VolumeId)!;
    account.volumes.set(input.VolumeId, { ...volume, Attachments: [{ InstanceId: input.InstanceId, Device: input.Device, State: 'attaching' }] });
    return {};
  });
  ec2Mock.on(DeleteVolumeCommand).callsFake((input) => {
    account.volumes.set(input.VolumeId, { ...account.volumes.get(input.VolumeId)!, State: 'deleting' });
    return {};
  });
  const states = [...(options.replaceState ?? ['pending', 'in-progress', 'succeeded'])];
  const tasks = new Map<string, string>();
  ec2Mock.on(CreateReplaceRootVolumeTaskCommand).callsFake((input) => {
    const taskId = tasks.get(input.ClientToken) ?? `replacevol-${tasks.size.toString(16).padStart(17, '0')}`;
    tasks.set(input.ClientToken, taskId);
    return { ReplaceRootVolumeTask: { ReplaceRootVolumeTaskId: taskId, TaskState: 'pending' } };
  });
  ec2Mock.on(DescribeReplaceRootVolumeTasksCommand).callsFake((input) => ({
    ReplaceRootVolumeTasks: [{ ReplaceRootVolumeTaskId: input.ReplaceRootVolumeTaskIds[0], TaskState: states.length > 1 ? states.shift() : states[0] }],
  }));
  return account;
}

const handlers = (overrides: Record<string, typeof handler> = {}) => Object.fromEntries(machine.taskStates.map((name) => [name, overrides[name] ?? handler]));

test('the template: one encrypted-volume workflow whose function may delete and attach only volumes with its tag', () => {
  template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true } });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Sid: 'CreateTaggedVolumes', Condition: Match.objectLike({ Bool: { 'ec2:Encrypted': 'true' } }) }),
        Match.objectLike({ Sid: 'DeleteOnlyOwnVolumes', Action: 'ec2:DeleteVolume', Condition: { StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: Match.anyValue() } } }),
        // Attaching: to an instance named and confirmed at run time in one of the VPC's zones (where the volume is made), and only a volume this workflow created.
        {
          Sid: 'AttachToConfirmedInstance', Effect: 'Allow', Action: 'ec2:AttachVolume', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/*']] },
          Condition: { StringEquals: { 'ec2:AvailabilityZone': ['eu-west-1a', 'eu-west-1b'] } },
        },
        {
          Sid: 'AttachOnlyOwnVolumes', Effect: 'Allow', Action: 'ec2:AttachVolume', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:volume/*']] },
          Condition: { StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: Match.anyValue() } },
        },
      ]),
    },
  });
  expect(machine.taskStates.sort()).toEqual(['AttachVolume', 'CheckAttachment', 'CheckReplacement', 'CheckVolume', 'Cleanup', 'CreateVolume', 'ReplaceRootVolume', 'Validate']);
});

test('the template: a root volume replacement only of an instance in one of the VPC\'s zones, and only as a task carrying the workflow\'s tag', () => {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
  const replace = statements.filter((statement) => [statement.Action].flat().includes('ec2:CreateReplaceRootVolumeTask'));
  const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:${resource}/*`]] });
  const workflowId = (statements.find((statement) => statement.Sid === 'CreateTaggedVolumes')?.Condition as { StringEquals: Record<string, string> }).StringEquals[`aws:RequestTag/${WORKFLOW_ID_TAG}`];
  expect(replace).toEqual(expect.arrayContaining([
    { Sid: 'ReplaceRootOfConfirmedInstance', Effect: 'Allow', Action: 'ec2:CreateReplaceRootVolumeTask', Resource: arn('instance'), Condition: { StringEquals: { 'ec2:AvailabilityZone': ['eu-west-1a', 'eu-west-1b'] } } },
    { Sid: 'ReplaceRootTaggedTask', Effect: 'Allow', Action: 'ec2:CreateReplaceRootVolumeTask', Resource: arn('replace-root-volume-task'), Condition: { StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflowId } } },
  ]));
  // The function's WORKFLOW_ID, which it tags the task with, is the value the condition requires.
  template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WORKFLOW_ID: workflowId }) } });
  // Every grant of the action on an instance or a task carries its condition.
  for (const statement of replace.filter((s) => /:(instance|replace-root-volume-task)\/\*/.test(JSON.stringify(s.Resource)))) {
    expect(statement.Condition).toBeDefined();
  }
});

test('with the VPC\'s zones unknown at synth (an environment-agnostic stack), attaching to an instance or replacing its root volume carries no zone condition', () => {
  const stack = new Stack(new App(), 'Agnostic');
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new VolumeRestoreWorkflow(stack, 'VolumeRestore', { vpc, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
  const attach = statements.find((statement) => statement.Sid === 'AttachToConfirmedInstance');
  expect(attach).toMatchObject({ Effect: 'Allow', Action: 'ec2:AttachVolume' });
  expect(attach?.Condition).toBeUndefined();
  const replace = statements.find((statement) => statement.Sid === 'ReplaceRootOfConfirmedInstance');
  expect(replace).toMatchObject({ Effect: 'Allow', Action: 'ec2:CreateReplaceRootVolumeTask' });
  expect(replace?.Condition).toBeUndefined();
});

test('the function may create grants on its keys only for AWS resources (the grant EBS makes for a new volume)', () => {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
  const grants = statements.filter((statement) => [statement.Action].flat().includes('kms:CreateGrant'));
  expect(grants).toEqual([expect.objectContaining({ Sid: 'KeyGrantsForVolumes', Effect: 'Allow', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } })]);
});

test('happy path: a new encrypted volume from the snapshot in the chosen zone', async () => {
  const account = mockEc2();
  const run = await machine.run({ snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1b' }, { handlers: handlers(), executionName: 'volume-1' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toEqual({ status: 'SUCCEEDED', mode: 'create', volumeId: 'vol-00000000000000001', availabilityZone: 'eu-west-1b', snapshotId: SNAPSHOT });
  const create = ec2Mock.commandCalls(CreateVolumeCommand)[0].args[0].input;
  expect(create).toMatchObject({ SnapshotId: SNAPSHOT, AvailabilityZone: 'eu-west-1b', Size: 50, VolumeType: 'gp3', Encrypted: true, KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' });
  expect(create.TagSpecifications?.[0].Tags).toEqual(expect.arrayContaining([{ Key: EXECUTION_TAG, Value: 'volume-1' }, { Key: WORKFLOW_ID_TAG, Value: 'wf-1' }]));
  expect(ec2Mock.commandCalls(AttachVolumeCommand)).toHaveLength(0);
  expect(account.volumes.size).toBe(1);
});

test('a device beside the mapped ones, whichever name they were attached with, is attached', async () => {
  mockEc2();
  const run = await machine.run({ snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/xvdk', confirm: INSTANCE }, { handlers: handlers(), executionName: 'volume-xvdk' });
  expect(run.status).toBe('SUCCEEDED');
  expect(ec2Mock.commandCalls(AttachVolumeCommand)[0].args[0].input).toMatchObject({ InstanceId: INSTANCE, Device: '/dev/xvdk' });
});

test('attached to an instance when confirmed', async () => {
  mockEc2();
  const run = await machine.run({ snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/sdf', confirm: INSTANCE }, { handlers: handlers(), executionName: 'volume-2' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toMatchObject({ mode: 'attach', attachedTo: INSTANCE, device: '/dev/sdf', availabilityZone: 'eu-west-1a' });
  expect(ec2Mock.commandCalls(AttachVolumeCommand)[0].args[0].input).toEqual({ VolumeId: 'vol-00000000000000001', InstanceId: INSTANCE, Device: '/dev/sdf' });
});

test('a failing attach deletes the volume the execution created', async () => {
  mockEc2({ attachFails: awsError('InvalidParameterValue', 'Invalid value for device') });
  const run = await machine.run({ snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/sdg', confirm: INSTANCE }, { handlers: handlers(), executionName: 'volume-3' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('InvalidParameterValue');
  expect(run.caught).toEqual(['AttachVolume']);
  expect(ec2Mock.commandCalls(DeleteVolumeCommand).map((c) => c.args[0].input)).toEqual([{ VolumeId: 'vol-00000000000000001' }]);
});

test('a cleanup that fails too keeps the restore\'s own error, and its cause says what to look for', async () => {
  mockEc2({ attachFails: awsError('InvalidParameterValue', 'Invalid value for device') });
  ec2Mock.on(DeleteVolumeCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
  const run = await machine.run({ snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/sdg', confirm: INSTANCE }, { handlers: handlers(), executionName: 'volume-9' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('InvalidParameterValue');
  expect(run.caught).toEqual(['AttachVolume', 'Cleanup']);
  expect(run.cause).toMatch(/Invalid value for device.* The cleanup did not finish \(UnauthorizedOperation: .*You are not authorized.*\): look for volumes tagged cdk-backup-dr:restore-execution=volume-9 and delete those not wanted by hand$/);
});

test('a throttled create is retried; the client token makes a repeated create return the same volume', async () => {
  const account = mockEc2();
  let calls = 0;
  const run = await machine.run({ snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a' }, {
    executionName: 'volume-4',
    handlers: handlers({
      CreateVolume: async (event) => {
        calls++;
        if (calls === 1) {
          throw awsError('RequestLimitExceeded', 'Request limit exceeded.');
        }
        const result = await handler(event);
        if (calls === 2) {
          // The volume was created but the response was lost: the step runs again.
          throw awsError('Lambda.ServiceException', 'response lost');
        }
        return result;
      },
    }),
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual(['CreateVolume', 'CreateVolume']);
  expect(ec2Mock.commandCalls(CreateVolumeCommand)).toHaveLength(2);
  expect(account.volumes.size).toBe(1);
});

test('the creating steps take the execution\'s id and start time, which their client tokens are made of', () => {
  for (const state of ['CreateVolume', 'ReplaceRootVolume']) {
    expect(machine.definition.States[state].Parameters).toMatchObject({ 'executionId.$': '$$.Execution.Id', 'executionStartTime.$': '$$.Execution.StartTime' });
  }
});

test('an execution name used again once the earlier execution is gone gets a new volume, not the earlier one', async () => {
  const account = mockEc2();
  const first = await machine.run(ZONE_A, { handlers: handlers(), executionName: 'volume-again' });
  const again = await machine.run(ZONE_A, { handlers: handlers(), executionName: 'volume-again' });
  expect([first.status, again.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(first.output.volumeId).toBe('vol-00000000000000001');
  expect(again.output.volumeId).toBe('vol-00000000000000002');
  expect(account.volumes.size).toBe(2);
});

test('cleanup under a reused execution name leaves the volume the earlier execution of that name created', async () => {
  const account = mockEc2();
  const first = await machine.run(ZONE_A, { handlers: handlers(), executionName: 'volume-kept' });
  // That execution was 91 days ago: its history is gone, and its name may be used again.
  const earlier = new Date(Date.now() - 91 * 24 * 3600_000);
  account.volumes.set('vol-00000000000000001', { ...account.volumes.get('vol-00000000000000001')!, CreateTime: earlier });
  const refused = async () => {
    throw awsError('InsufficientVolumeCapacity', 'There is not enough capacity to fulfill your request.');
  };
  const again = await machine.run(ZONE_A, { handlers: handlers({ CreateVolume: refused }), executionName: 'volume-kept' });
  expect([first.status, again.status]).toEqual(['SUCCEEDED', 'FAILED']);
  expect(again.caught).toEqual(['CreateVolume']);
  expect(ec2Mock.commandCalls(DeleteVolumeCommand)).toHaveLength(0);
  expect(account.volumes.get('vol-00000000000000001')?.State).toBe('available');
  const cleanup = again.events.filter((e) => e.type === 'StateExited' && e.state.name === 'Cleanup').map((e) => e.state.output.cleanup);
  expect(cleanup).toEqual([{
    deleted: [],
    kept: [{ volumeId: 'vol-00000000000000001', reason: expect.stringContaining(`created ${earlier.toISOString()}, before this execution started (`) }],
  }]);
  expect(cleanup[0].kept[0].reason).toMatch(/\): an earlier execution named volume-kept made it; left alone$/);
});

test('a root volume replacement under a reused execution name starts a new task, not the earlier one', async () => {
  mockEc2();
  const request = { snapshotId: SNAPSHOT, replaceRootVolumeOf: INSTANCE, confirm: INSTANCE };
  const first = await machine.run(request, { handlers: handlers(), executionName: 'volume-root-again' });
  const again = await machine.run(request, { handlers: handlers(), executionName: 'volume-root-again' });
  expect([first.status, again.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(again.output.replaceRootVolumeTaskId).not.toBe(first.output.replaceRootVolumeTaskId);
});

test('a create whose response is lost on every attempt: one volume, which cleanup finds by its tags and deletes', async () => {
  const account = mockEc2();
  const run = await machine.run({ snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a' }, {
    executionName: 'volume-7',
    handlers: handlers({
      CreateVolume: async (event) => {
        await handler(event);
        throw awsError('RequestLimitExceeded', 'Request limit exceeded.');
      },
    }),
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RequestLimitExceeded');
  expect(run.caught).toEqual(['CreateVolume']);
  expect(ec2Mock.commandCalls(CreateVolumeCommand).length).toBeGreaterThan(1);
  expect(new Set(ec2Mock.commandCalls(CreateVolumeCommand).map((call) => call.args[0].input.ClientToken))).toEqual(new Set([expect.stringMatching(/^[\x21-\x7e]{1,64}$/)]));
  expect(account.volumes.size).toBe(1);
  expect(ec2Mock.commandCalls(DescribeVolumesCommand).map((call) => call.args[0].input.Filters)).toContainEqual([
    { Name: `tag:${EXECUTION_TAG}`, Values: ['volume-7'] }, { Name: `tag:${WORKFLOW_ID_TAG}`, Values: ['wf-1'] },
  ]);
  expect(ec2Mock.commandCalls(DeleteVolumeCommand).map((call) => call.args[0].input)).toEqual([{ VolumeId: 'vol-00000000000000001' }]);
  const cleanup = run.events.filter((e) => e.type === 'StateExited' && e.state.name === 'Cleanup').map((e) => e.state.output.cleanup);
  expect(cleanup).toEqual([{ deleted: ['vol-00000000000000001'], kept: [] }]);
});

test('a create refused by EC2 leaves nothing, and cleanup says where it looked', async () => {
  mockEc2();
  ec2Mock.on(CreateVolumeCommand).rejects(awsError('InvalidParameterValue', 'Iops to volume size ratio of 2000.000000 is too high'));
  const run = await machine.run({ snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a', volumeType: 'io2', iops: 100000 }, { handlers: handlers(), executionName: 'volume-8' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('InvalidParameterValue');
  expect(ec2Mock.commandCalls(DeleteVolumeCommand)).toHaveLength(0);
  const cleanup = run.events.filter((e) => e.type === 'StateExited' && e.state.name === 'Cleanup').map((e) => e.state.output.cleanup);
  expect(cleanup).toEqual([{ deleted: [], kept: [], note: expect.stringContaining(`no volume tagged ${EXECUTION_TAG}=volume-8`) }]);
});

test('a root volume replacement when confirmed, keeping the old root volume', async () => {
  mockEc2();
  const run = await machine.run({ snapshotId: SNAPSHOT, replaceRootVolumeOf: INSTANCE, confirm: INSTANCE }, { handlers: handlers(), executionName: 'volume-5' });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output).toEqual({ status: 'SUCCEEDED', mode: 'replace-root', replaceRootVolumeTaskId: 'replacevol-00000000000000000', instanceId: INSTANCE, availabilityZone: 'eu-west-1a', snapshotId: SNAPSHOT });
  expect(ec2Mock.commandCalls(CreateReplaceRootVolumeTaskCommand)[0].args[0].input).toMatchObject({ InstanceId: INSTANCE, SnapshotId: SNAPSHOT, DeleteReplacedRootVolume: false });
  // The task carries the function's WORKFLOW_ID as the tag its policy requires of a new task (ReplaceRootTaggedTask).
  expect(ec2Mock.commandCalls(CreateReplaceRootVolumeTaskCommand)[0].args[0].input.TagSpecifications).toEqual([
    { ResourceType: 'replace-root-volume-task', Tags: expect.arrayContaining([{ Key: WORKFLOW_ID_TAG, Value: process.env.WORKFLOW_ID }]) },
  ]);
  expect(ec2Mock.commandCalls(CreateVolumeCommand)).toHaveLength(0);
});

test('a failed replacement task fails the restore with its state', async () => {
  mockEc2({ replaceState: ['in-progress', 'failed'] });
  const run = await machine.run({ snapshotId: SNAPSHOT, replaceRootVolumeOf: INSTANCE, confirm: INSTANCE }, { handlers: handlers(), executionName: 'volume-6' });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreCheckError');
  expect(run.cause).toMatch(/is 'failed'; AWS keeps or re-attaches the original root volume/);
});

describe('iops anywhere in the volume type\'s range and per-GiB limit is accepted', () => {
  test.each([
    ['io1 at its minimum', { volumeType: 'io1', iops: 100 }],
    ['io1 at 50 per GiB of the snapshot\'s 50 GiB', { volumeType: 'io1', iops: 2500 }],
    ['io2 at its minimum', { volumeType: 'io2', iops: 100 }],
    ['io2 at its maximum', { volumeType: 'io2', size: 1000, iops: 256000 }],
    ['gp3 at its minimum', { iops: 3000 }],
    ['gp3 at its maximum', { size: 160, iops: 80000 }],
    ['gp3 at its maximum throughput', { iops: 8000, throughput: 2000 }],
  ])('%s', async (_name, request: { volumeType?: string; size?: number; iops: number; throughput?: number }) => {
    mockEc2();
    const run = await machine.run({ ...ZONE_A, ...request }, { handlers: handlers(), executionName: 'volume-iops' });
    expect(run.status).toBe('SUCCEEDED');
    expect(ec2Mock.commandCalls(CreateVolumeCommand)[0].args[0].input).toMatchObject({ VolumeType: request.volumeType ?? 'gp3', Iops: request.iops, Throughput: request.throughput });
  });
});

describe('bad input fails before anything is created, naming the input and what is allowed', () => {
  test.each([
    ['an unknown snapshot', { snapshotId: 'snap-0000000000000000f', availabilityZone: 'eu-west-1a' }, /snapshot snap-0000000000000000f does not exist/],
    ['a malformed snapshot id', { snapshotId: 'backup-1', availabilityZone: 'eu-west-1a' }, /`snapshotId` must be an EBS snapshot id/],
    ['a zone the subnets do not cover', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1c' }, /'eu-west-1c' is not covered by the workflow's subnets; allowed: eu-west-1a, eu-west-1b/],
    ['a zone that does not exist', { snapshotId: SNAPSHOT, availabilityZone: 'us-east-1a' }, /'us-east-1a' is not an available zone of this region; allowed: eu-west-1a, eu-west-1b/],
    ['no zone', { snapshotId: SNAPSHOT }, /`availabilityZone` is required: one of eu-west-1a, eu-west-1b/],
    ['an attach without confirmation', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/sdf' }, /`confirm` must be exactly 'i-0123456789abcdef0'/],
    ['a root replacement with the wrong confirmation', { snapshotId: SNAPSHOT, replaceRootVolumeOf: INSTANCE, confirm: 'yes' }, /replacing the root volume of instance i-0123456789abcdef0 .*`confirm` must be exactly 'i-0123456789abcdef0'.*got .*yes/],
    ['a device in use', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/sdh', confirm: INSTANCE }, /\/dev\/sdh is already used on instance i-0123456789abcdef0 \(used: \/dev\/xvda, \/dev\/sdh, xvdj\)/],
    // EC2 reports a mapping by the name it was attached with; the kernel may show /dev/sdh as /dev/xvdh.
    ['the Xen name of a device in use', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/xvdh', confirm: INSTANCE }, /`device`: \/dev\/xvdh is the device \/dev\/sdh already mapped on instance i-0123456789abcdef0 .*choose a free device/],
    ['the sd name of a device in use as xvdj', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/sdj', confirm: INSTANCE }, /`device`: \/dev\/sdj is the device xvdj already mapped on instance i-0123456789abcdef0/],
    ['a device that is not one', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/xvda', confirm: INSTANCE }, /`device` must be \/dev\/sdf to \/dev\/sdp/],
    ['a partition name, which HVM instances do not take', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, device: '/dev/xvdf1', confirm: INSTANCE }, /`device` must be \/dev\/sdf to \/dev\/sdp \(or \/dev\/xvdf to \/dev\/xvdp\); got '\/dev\/xvdf1'/],
    ['an instance in another zone', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1b', attachToInstance: INSTANCE, device: '/dev/sdf', confirm: INSTANCE }, /must be the zone of instance i-0123456789abcdef0 \(eu-west-1a\)/],
    ['an unknown instance', { snapshotId: SNAPSHOT, attachToInstance: 'i-0000000000000000f', device: '/dev/sdf', confirm: 'i-0000000000000000f' }, /instance i-0000000000000000f does not exist/],
    ['both attach and replace', { snapshotId: SNAPSHOT, attachToInstance: INSTANCE, replaceRootVolumeOf: INSTANCE }, /exclude each other/],
    // CreateReplaceRootVolumeTask takes no size, type, IOPS or throughput: the replacement would be made without them.
    ['a root replacement with a size', { snapshotId: SNAPSHOT, replaceRootVolumeOf: INSTANCE, confirm: INSTANCE, size: 200 }, /input `size` does not apply to a root volume replacement \(`replaceRootVolumeOf`\): EC2 makes the new root volume from the snapshot and takes no `size`; leave it out, or restore a new volume \(without `replaceRootVolumeOf`\)/],
    ['a root replacement with a volume type and IOPS', { snapshotId: SNAPSHOT, replaceRootVolumeOf: INSTANCE, confirm: INSTANCE, volumeType: 'io2', iops: 5000 }, /input `volumeType`, `iops` do not apply to a root volume replacement/],
    ['a device without an instance to attach to', { ...ZONE_A, device: '/dev/sdf' }, /input `device` applies only with `attachToInstance` \(the volume would be created detached\); got '\/dev\/sdf'/],
    ['a size below the snapshot', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a', size: 10 }, /`size` must be at least the snapshot's 50 GiB; got 10/],
    ['an unknown volume type', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a', volumeType: 'fast' }, /`volumeType` must be one of gp3, gp2, io2, io1, st1, sc1, standard; got 'fast'/],
    ['a throughput-optimized HDD smaller than its minimum', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a', volumeType: 'st1' }, /`size` of a st1 volume must be 125 to 16384 GiB; got 50 \(the snapshot's size\)/],
    ['a magnetic volume larger than its maximum', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a', volumeType: 'standard', size: 2048 }, /`size` of a standard volume must be 1 to 1024 GiB; got 2048/],
    ['a provisioned IOPS volume without iops', { snapshotId: SNAPSHOT, availabilityZone: 'eu-west-1a', volumeType: 'io2' }, /`iops` is required for io2 volumes; got nothing/],
    ['io1 IOPS below its minimum', { ...ZONE_A, volumeType: 'io1', iops: 99 }, /`iops` of a io1 volume must be a whole number from 100 to 64000; got 99/],
    ['io1 IOPS above its maximum', { ...ZONE_A, volumeType: 'io1', size: 16384, iops: 64001 }, /`iops` of a io1 volume must be a whole number from 100 to 64000; got 64001/],
    ['gp3 IOPS below its minimum', { ...ZONE_A, iops: 2999 }, /`iops` of a gp3 volume must be a whole number from 3000 to 80000; got 2999/],
    ['gp3 IOPS above its maximum', { ...ZONE_A, size: 1000, iops: 80001 }, /`iops` of a gp3 volume must be a whole number from 3000 to 80000; got 80001/],
    ['io2 IOPS above its maximum', { ...ZONE_A, volumeType: 'io2', size: 1000, iops: 256001 }, /`iops` of a io2 volume must be a whole number from 100 to 256000; got 256001/],
    ['io1 IOPS above 50 per GiB', { ...ZONE_A, volumeType: 'io1', iops: 2501 }, /`iops` of a 50 GiB io1 volume must be at most 2500 \(50 per GiB\); got 2501/],
    ['gp3 IOPS above 500 per GiB', { ...ZONE_A, iops: 25001 }, /`iops` of a 50 GiB gp3 volume must be at most 25000 \(500 per GiB\); got 25001/],
    ['gp3 throughput above 0.25 MiB/s per default IOPS', { ...ZONE_A, throughput: 751 }, /`throughput` of a gp3 volume with the default 3000 IOPS must be at most 750 MiB\/s \(0.25 per IOPS\); got 751/],
    ['gp3 throughput above 0.25 MiB/s per given IOPS', { ...ZONE_A, iops: 6000, throughput: 2000 }, /`throughput` of a gp3 volume with 6000 IOPS must be at most 1500 MiB\/s \(0.25 per IOPS\); got 2000/],
    ['iops for a volume type without them', { ...ZONE_A, volumeType: 'gp2', iops: 3000 }, /`iops` applies to gp3, io1, io2 volumes only; got 3000 for volumeType 'gp2'/],
  ])('%s', async (_name, input, message) => {
    mockEc2();
    const run = await machine.run(input, { handlers: handlers(), executionName: 'volume-bad' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RestoreInputError');
    expect(run.cause).toMatch(message);
    expect(ec2Mock.commandCalls(CreateVolumeCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(AttachVolumeCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(CreateReplaceRootVolumeTaskCommand)).toHaveLength(0);
  });
});
