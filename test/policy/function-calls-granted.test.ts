/**
 * There is no AWS here: a function that sends a request its role is not granted passes every
 * mocked test and fails only once deployed. For every function under lambda/, the SDK calls
 * its code can make (test/support/sdk-commands.ts) are checked against the actions its role
 * is granted in the reference app, which deploys every function with its real grants; and
 * the same for the AWS CLI calls of the dump's upload container. Any resource is enough here:
 * the scoping of resources is tested next to each grant.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTaskDefinition } from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildReferenceApp, type ReferenceApp } from '../../bin/reference-app';
import type { HardenedFunctionProps } from '../../lib/private/hardened-function';
import { actionMatches, actionsOf } from '../support/iam-actions';
import { actionsGrantedTo } from '../support/role-actions';
import { REPOSITORY_ROOT, sdkCalls } from '../support/sdk-commands';

/** Every HardenedFunction built, with the folder under lambda/ whose code it runs. */
const deployed: Array<{ code: string; path: string; role: iam.IRole }> = [];

jest.mock('../../lib/private/hardened-function', () => {
  const actual = jest.requireActual('../../lib/private/hardened-function');
  class RecordedFunction extends actual.HardenedFunction {
    constructor(scope: unknown, id: string, props: HardenedFunctionProps) {
      super(scope, id, props);
      deployed.push({ code: props.code, path: this.node.path, role: this.function.role! });
    }
  }
  return { ...actual, HardenedFunction: RecordedFunction };
});

/**
 * Actions a function's role holds for what the services do with it, not for a call of its
 * code: none of them is least-privilege debt.
 */
const INDIRECT_GRANTS = [
  // Lambda writes the function's logs (HardenedFunction's base policy).
  'logs:CreateLogStream', 'logs:PutLogEvents',
  // Lambda places the function in its VPC.
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
  // Active tracing.
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
  // Lambda sends a failed asynchronous event to the dead-letter queue.
  'sqs:SendMessage',
  // S3 (SSE-KMS), Secrets Manager, SQS and Lambda's environment encryption use the key for the caller;
  // EBS and RDS create an encrypted volume or instance with grants on it that the caller must be allowed to make.
  'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncrypt*', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey', 'kms:CreateGrant',
  // The database restore steps read an instance's tags from DescribeDBInstances' TagList; whether RDS
  // leaves TagList out for a caller without this action is documented neither way (a user reports
  // it missing: aws/aws-cli#6392), and those tags decide which instance the restore may delete.
  'rds:ListTagsForResource',
];

/**
 * Actions a role may hold only beside another that the code calls: ISecret.grantRead grants
 * DescribeSecret (the secret's metadata, never its value) with GetSecretValue, so a function
 * that reads no secret has no reason to hold it.
 */
const GRANTED_WITH: Record<string, string> = {
  'secretsmanager:DescribeSecret': 'secretsmanager:GetSecretValue',
};

/**
 * Calls the code can make that the reference app rightly does not grant: the code path runs
 * only in a configuration the reference app does not use, and the construct grants the action
 * exactly there. Each entry must still be needed (a stale entry fails).
 */
const CALLS_NOT_MADE: Record<string, Record<string, string>> = {
  'backup-freshness': {
    'backup:ListRecoveryPointsByResource': 'a recovery-point check without a vault only (lambda/backup-freshness/checks.ts); lib/checks/freshness-check.ts grants it to those checks, and every check of the reference app names its vault',
  },
};

/** Functions no construct deploys, with why. */
const NOT_DEPLOYED: Record<string, string> = {
  'self-test': 'a handler that returns "ok", for the packaging test of the bundles; it calls nothing',
};

const FUNCTIONS = readdirSync(join(REPOSITORY_ROOT, 'lambda'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

let reference: ReferenceApp;

beforeAll(() => {
  const context = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).context;
  reference = buildReferenceApp(new App({ context }));
});

/** `action (file: Operation)` for every action the code of `name` needs. */
function calledActions(name: string): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  for (const call of sdkCalls(join(REPOSITORY_ROOT, 'lambda', name, 'index.ts'))) {
    for (const action of actionsOf(call)) {
      actions.set(action, [...actions.get(action) ?? [], `${call.file}: ${call.operation}`]);
    }
  }
  return actions;
}

test('the walk finds the calls of a function (it reads its imports)', () => {
  expect([...calledActions('drill-age').keys()].sort()).toEqual(['cloudwatch:PutMetricData', 'states:DescribeExecution', 'states:ListExecutions']);
});

test.each(FUNCTIONS)('%s: every action its code can call is granted to its role', (name) => {
  const deployments = deployed.filter((d) => d.code === name);
  if (NOT_DEPLOYED[name]) {
    expect(deployments).toEqual([]);
    expect([...calledActions(name).keys()]).toEqual([]);
    return;
  }
  expect(deployments.map((d) => d.path)).not.toEqual([]);
  const called = calledActions(name);
  const notMade = CALLS_NOT_MADE[name] ?? {};
  const missing = deployments.flatMap(({ path, role }) => {
    const granted = actionsGrantedTo(role);
    return [...called].filter(([action]) => !granted.some((pattern) => actionMatches(pattern, action)))
      .map(([action, sources]) => notMade[action] ? `(not made) ${action}` : `${name} (${path}) is not granted ${action}, which it calls (${sources.join('; ')})`);
  });
  expect(missing).toEqual(Object.keys(notMade).map((action) => `(not made) ${action}`));
});

test.each(FUNCTIONS.filter((name) => !NOT_DEPLOYED[name]))('%s: its role is granted no action its code does not call, but for the indirect grants', (name) => {
  const called = [...calledActions(name).keys()];
  const unused = deployed.filter((d) => d.code === name).flatMap(({ path, role }) => actionsGrantedTo(role)
    .filter((pattern) => !INDIRECT_GRANTS.includes(pattern) && !called.includes(GRANTED_WITH[pattern]) && !called.some((action) => actionMatches(pattern, action)))
    .map((pattern) => `${name} (${path}) is granted ${pattern}, which no call of its code needs`));
  expect(unused).toEqual([]);
});

/**
 * The AWS CLI commands of the dump task's scripts and the actions they need. `aws s3 cp` of a
 * local file sends PutObject, or for a large file a multipart upload (every request of it is
 * s3:PutObject), which the CLI aborts if a part fails.
 */
const CLI_ACTIONS: Record<string, string[]> = {
  's3 cp': ['s3:PutObject', 's3:AbortMultipartUpload'],
};

test('the dump task: every AWS CLI call of its scripts is granted to its task role', () => {
  const scripts = join(REPOSITORY_ROOT, 'lib', 'dump', 'scripts');
  const commands = readdirSync(scripts).filter((file) => file.endsWith('.sh')).flatMap((file) => readFileSync(join(scripts, file), 'utf8').split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => [...line.matchAll(/(?:^|[\s;&|(])aws\s+(\S+)\s+(\S+)/g)].map((m) => ({ file, command: `${m[1]} ${m[2]}` }))));
  expect(commands.map((c) => c.command)).toContain('s3 cp');
  const unknown = commands.filter((c) => !CLI_ACTIONS[c.command]);
  expect(unknown).toEqual([]);
  const granted = actionsGrantedTo(reference.primary.databaseDump.taskDefinition.taskRole);
  const missing = [...new Set(commands.flatMap((c) => CLI_ACTIONS[c.command].map((action) => `${action} (${c.file}: aws ${c.command})`)))]
    .filter((entry) => !granted.some((pattern) => actionMatches(pattern, entry.split(' ')[0])))
    .map((entry) => `the dump task's role is not granted ${entry}`);
  expect(missing).toEqual([]);
});

/**
 * Actions of the dump task's role that no command of its scripts makes: S3 encrypts an upload
 * with the bucket's key for the caller (GenerateDataKey), and the parts of a multipart upload
 * are decrypted to complete it (Decrypt).
 */
const TASK_INDIRECT_GRANTS = ['kms:Decrypt', 'kms:GenerateDataKey'];

test('the dump task: its task role is granted no action its scripts do not call, but for the encryption of the uploads', () => {
  const called = Object.values(CLI_ACTIONS).flat();
  const unused = actionsGrantedTo(reference.primary.databaseDump.taskDefinition.taskRole)
    .filter((pattern) => !TASK_INDIRECT_GRANTS.includes(pattern) && !called.some((action) => actionMatches(pattern, action)))
    .map((pattern) => `the dump task's role is granted ${pattern}, which no command of its scripts needs`);
  expect(unused).toEqual([]);
});

/**
 * Actions of the dump task's execution role that ECS does not use, but CDK grants with what
 * ECS does use: ecs.Secret.fromSecretsManager grants with ISecret.grantRead, which adds the
 * secret's metadata; ECS reads a secret with GetSecretValue only.
 */
const EXECUTION_EXTRA_GRANTS = ['secretsmanager:DescribeSecret'];

interface ContainerDefinition {
  readonly Name: string;
  readonly Image: unknown;
  readonly Secrets?: Array<{ Name: string; ValueFrom: unknown }>;
  readonly LogConfiguration?: { LogDriver: string };
}

/** What ECS does with the execution role to start the task definition's containers: `action (container: why)`. */
function executionRoleCalls(stack: Stack, taskDefinitionId: string): Map<string, string[]> {
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  const containers: ContainerDefinition[] = template.findResources('AWS::ECS::TaskDefinition')[taskDefinitionId].Properties.ContainerDefinitions;
  const calls = new Map<string, string[]>();
  const add = (action: string, why: string) => calls.set(action, [...calls.get(action) ?? [], why]);
  for (const container of containers) {
    if (/\.dkr\.ecr\.|ecr:/i.test(JSON.stringify(container.Image))) {
      for (const action of ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']) {
        add(action, `${container.Name}: pulls its image from ECR`);
      }
    }
    if (container.LogConfiguration?.LogDriver === 'awslogs') {
      add('logs:CreateLogStream', `${container.Name}: awslogs`);
      add('logs:PutLogEvents', `${container.Name}: awslogs`);
    }
    for (const secret of container.Secrets ?? []) {
      const refs = [...JSON.stringify(secret.ValueFrom).matchAll(/"Ref":"([^"]+)"/g)].map((m) => resources[m[1]]?.Type);
      if (!refs.some((type) => type?.startsWith('AWS::SecretsManager::'))) {
        throw new Error(`${container.Name}: the secret ${secret.Name} (${JSON.stringify(secret.ValueFrom)}) is not a Secrets Manager secret of the stack; this test cannot tell what ECS needs to read it`);
      }
      add('secretsmanager:GetSecretValue', `${container.Name}: secret ${secret.Name}`);
    }
  }
  return calls;
}

test('the dump task: its execution role is granted what ECS needs to start its containers, and nothing else but CDK\'s extra', () => {
  const taskDefinition = reference.primary.databaseDump.taskDefinition;
  const stack = Stack.of(taskDefinition);
  const calls = executionRoleCalls(stack, stack.getLogicalId(taskDefinition.node.defaultChild as CfnTaskDefinition));
  expect([...calls.keys()]).toContain('secretsmanager:GetSecretValue');
  const granted = actionsGrantedTo(taskDefinition.executionRole!);
  const missing = [...calls].filter(([action]) => !granted.some((pattern) => actionMatches(pattern, action)))
    .map(([action, why]) => `the dump task's execution role is not granted ${action} (${why.join('; ')})`);
  const unused = granted.filter((pattern) => !EXECUTION_EXTRA_GRANTS.includes(pattern) && ![...calls.keys()].some((action) => actionMatches(pattern, action)))
    .map((pattern) => `the dump task's execution role is granted ${pattern}, which ECS does not need for its containers`);
  expect([...missing, ...unused]).toEqual([]);
});
