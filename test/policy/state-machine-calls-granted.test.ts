/**
 * The tasks of every state machine of the reference app call AWS with the state machine's
 * role: a Lambda function named as the Resource, an optimized integration
 * (`arn:aws:states:::lambda:invoke`, `ecs:runTask.sync`, ...) or an SDK integration
 * (`arn:aws:states:::aws-sdk:<service>:<operation>`). Each needs actions of that role, which
 * no local run of a definition checks. Any resource is enough for that; the one resource
 * checked here is the function a task invokes, since a qualified invocation (`<ARN>:$LATEST`)
 * is not allowed by a grant on the unqualified ARN, nor the reverse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../../bin/reference-app';
import { actionMatches } from '../support/iam-actions';
import { actionsGrantedToRoleId, statementsOfRoleId } from '../support/role-actions';
import { REPOSITORY_ROOT } from '../support/sdk-commands';

/**
 * The actions of the optimized integrations the definitions use (Step Functions developer
 * guide, "IAM policies for integrated services"): `.sync` on ECS also stops the task if the
 * execution ends, polls it, and manages the EventBridge rule that reports its end, and passes
 * the task's roles.
 */
const INTEGRATION_ACTIONS: Record<string, string[]> = {
  'lambda:invoke': ['lambda:InvokeFunction'],
  'ecs:runTask.sync': ['ecs:RunTask', 'ecs:StopTask', 'ecs:DescribeTasks', 'events:PutTargets', 'events:PutRule', 'events:DescribeRule', 'iam:PassRole'],
  'ecs:runTask': ['ecs:RunTask', 'iam:PassRole'],
  'sns:publish': ['sns:Publish'],
  'states:startExecution': ['states:StartExecution'],
};

/** The IAM prefix of an SDK integration's service name, where it differs. */
const SDK_SERVICE_PREFIXES: Record<string, string> = { sfn: 'states' };

/**
 * Actions a state machine's role holds for what Step Functions does with it, not for a task:
 * none of them is least-privilege debt.
 */
const INDIRECT_GRANTS = [
  // The state machine's logging to CloudWatch Logs (CDK's grants for `logs`).
  'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery',
  // Active tracing.
  'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
  // The customer managed key of the state machine's data and of its log deliveries.
  'kms:Decrypt', 'kms:GenerateDataKey',
];

/** A function a task invokes, by logical id, and the qualifier (version or alias) of the ARN invoked, if any. */
interface Invocation {
  readonly functionId: string;
  readonly qualifier?: string;
}

interface TaskCall {
  readonly state: string;
  readonly actions: string[];
  readonly invokes?: Invocation;
}

/** The definition with every token replaced by a placeholder `@<n>@`, and the tokens. */
function definitionOf(definitionString: unknown): { text: string; tokens: unknown[] } {
  if (typeof definitionString === 'string') {
    return { text: definitionString, tokens: [] };
  }
  const parts = (definitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const tokens: unknown[] = [];
  const text = parts.map((part) => (typeof part === 'string' ? part : `@${tokens.push(part) - 1}@`)).join('');
  return { text, tokens };
}

interface TaskState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Arguments?: Record<string, unknown>;
  readonly Branches?: Array<{ States: object }>;
  readonly Iterator?: { States: object };
  readonly ItemProcessor?: { States: object };
}

/** Every Task state of the definition, in nested branches and maps too. */
function taskStates(states: Record<string, TaskState>): Array<[string, TaskState]> {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, TaskState]] : []),
    ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States as never)),
    ...[state.Iterator, state.ItemProcessor].filter((inner) => inner).flatMap((inner) => taskStates(inner!.States as never)),
  ]);
}

function callsOf(template: Template, definitionString: unknown): TaskCall[] {
  const { text, tokens } = definitionOf(definitionString);
  const functions = template.findResources('AWS::Lambda::Function');
  /** The function of an ARN written `@<n>@` or `@<n>@:<qualifier>` in the definition, or undefined. */
  const functionOf = (arn: unknown): Invocation | undefined => {
    const match = typeof arn === 'string' ? /^@(\d+)@(?::([^:]+))?$/.exec(arn) : null;
    const target = match ? (tokens[Number(match[1])] as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] : undefined;
    return target && target[1] === 'Arn' && functions[target[0]] ? { functionId: target[0], qualifier: match![2] } : undefined;
  };
  return taskStates(JSON.parse(text).States).map(([state, { Resource: resource, Parameters, Arguments }]) => {
    if (resource === undefined) {
      throw new Error(`${state}: a Task without a Resource`);
    }
    const integration = /^arn:(?:aws|@\d+@):states:::(.+)$/.exec(resource)?.[1];
    if (integration?.startsWith('aws-sdk:')) {
      const [, service, operation] = integration.split(':');
      return { state, actions: [`${SDK_SERVICE_PREFIXES[service] ?? service}:${operation[0].toUpperCase()}${operation.slice(1)}`] };
    }
    if (integration) {
      const actions = INTEGRATION_ACTIONS[integration];
      if (!actions) {
        throw new Error(`${state}: the integration ${integration} is not in INTEGRATION_ACTIONS`);
      }
      if (integration !== 'lambda:invoke') {
        return { state, actions };
      }
      const input = Parameters ?? Arguments ?? {};
      const invokes = functionOf(input.FunctionName);
      if (!invokes) {
        throw new Error(`${state}: lambda:invoke of ${JSON.stringify(input.FunctionName ?? input['FunctionName.$'])}, not a function of the stack (a FunctionName chosen at run time cannot be checked)`);
      }
      return { state, actions, invokes };
    }
    // A function's ARN (with or without a qualifier): a plain invocation.
    const invokes = functionOf(resource);
    if (!invokes) {
      throw new Error(`${state}: the Resource ${resource} (${JSON.stringify(tokens[Number(/^@(\d+)@/.exec(resource)?.[1])])}) is neither an integration nor a function of the stack`);
    }
    return { state, actions: ['lambda:InvokeFunction'], invokes };
  });
}

/**
 * Whether an IAM resource of the template allows invoking `invocation`, read from the shapes
 * CDK writes: `*`, the function's `Fn::GetAtt` Arn (the unqualified ARN only) and that Arn
 * joined with `:*` (any version or alias, not the unqualified ARN). Other shapes allow nothing here.
 */
function allowsInvocation(resource: unknown, invocation: Invocation): boolean {
  if (resource === '*') {
    return true;
  }
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const [arn, suffix] = join && join[0] === '' && join[1].length === 2 ? join[1] : [resource, ''];
  const target = (arn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!target || target[0] !== invocation.functionId || target[1] !== 'Arn') {
    return false;
  }
  return invocation.qualifier === undefined ? suffix === '' : suffix === ':*' || suffix === `:${invocation.qualifier}`;
}

const context = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')).context;
const { primary, recovery } = buildReferenceApp(new App({ context }));
const machines = ([primary, recovery] as Stack[]).flatMap((stack) => {
  const template = Template.fromStack(stack);
  return Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))
    .map(([id, machine]) => ({ stack, template, id, machine: machine.Properties }));
});

test('the reference app has the state machines of the dump and of every restore', () => {
  expect(machines.map((m) => m.id.replace(/[0-9A-F]{8}$/, '')).sort())
    .toEqual(['DatabaseDump', 'DatabaseRestore', 'DumpRestoreStateMachine', 'ObjectRestoreStateMachine', 'VolumeRestoreStateMachine']);
});

test.each(machines.map((m) => [m.id, m] as const))('%s: every task\'s actions are granted to the state machine\'s role', (_id, { stack, template, id, machine }) => {
  const roleId = (machine.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const granted = actionsGrantedToRoleId(stack, roleId);
  const calls = callsOf(template, machine.DefinitionString);
  expect(calls).not.toEqual([]);
  const missing = calls.flatMap(({ state, actions }) => actions
    .filter((action) => !granted.some((pattern) => actionMatches(pattern, action)))
    .map((action) => `${id} (role ${roleId}): state ${state} needs ${action}, which is not granted`));
  expect([...new Set(missing)]).toEqual([]);
});

test.each(machines.map((m) => [m.id, m] as const))('%s: its role is granted no action a task does not call, but for the indirect grants', (_id, { stack, template, id, machine }) => {
  const roleId = (machine.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const called = callsOf(template, machine.DefinitionString).flatMap((call) => call.actions);
  const unused = actionsGrantedToRoleId(stack, roleId)
    .filter((pattern) => !INDIRECT_GRANTS.includes(pattern) && !called.some((action) => actionMatches(pattern, action)))
    .map((pattern) => `${id} (role ${roleId}) is granted ${pattern}, which no task calls`);
  expect(unused).toEqual([]);
});

test.each(machines.map((m) => [m.id, m] as const))('%s: its role may invoke the exact ARN (qualifier included) of every function a task invokes', (_id, { stack, template, id, machine }) => {
  const roleId = (machine.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = statementsOfRoleId(stack, roleId).filter((statement) => [statement.Action!].flat().some((pattern) => actionMatches(pattern, 'lambda:InvokeFunction')));
  const denies = statements.filter((statement) => statement.Effect === 'Deny');
  if (denies.length > 0) {
    throw new Error(`${id}: a Deny of lambda:InvokeFunction, which this test does not read: ${JSON.stringify(denies)}`);
  }
  const resources = statements.flatMap((statement) => [statement.Resource].flat());
  const invocations = callsOf(template, machine.DefinitionString).filter((call) => call.invokes);
  expect(invocations).not.toEqual([]);
  const missing = invocations
    .filter(({ invokes }) => !resources.some((resource) => allowsInvocation(resource, invokes!)))
    .map(({ state, invokes }) => `${id} (role ${roleId}): state ${state} invokes ${invokes!.functionId}${invokes!.qualifier === undefined ? '' : `:${invokes!.qualifier}`}, which no lambda:InvokeFunction resource allows (${JSON.stringify(resources)})`);
  expect(missing).toEqual([]);
});

/** The function (logical id) of an IAM resource CDK writes for lambda:InvokeFunction: its Arn, or its Arn joined with a suffix. */
function functionOfResource(resource: unknown): string | undefined {
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const arn = join && join[0] === '' && join[1].length === 2 ? join[1][0] : resource;
  const target = (arn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  return target && target[1] === 'Arn' ? target[0] : undefined;
}

test.each(machines.map((m) => [m.id, m] as const))('%s: its role may invoke only functions a task invokes', (_id, { stack, template, id, machine }) => {
  const roleId = (machine.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const invoked = callsOf(template, machine.DefinitionString).flatMap((call) => (call.invokes ? [call.invokes.functionId] : []));
  const unused = statementsOfRoleId(stack, roleId)
    .filter((statement) => statement.Effect === 'Allow' && [statement.Action!].flat().some((pattern) => actionMatches(pattern, 'lambda:InvokeFunction')))
    .flatMap((statement) => [statement.Resource].flat())
    .filter((resource) => !invoked.includes(functionOfResource(resource) ?? ''))
    .map((resource) => `${id} (role ${roleId}) may invoke ${JSON.stringify(resource)}, which no task invokes`);
  expect(unused).toEqual([]);
});

test('a grant on the unqualified ARN does not allow a qualified invocation, nor `:*` the unqualified ARN', () => {
  const arn = { 'Fn::GetAtt': ['Steps', 'Arn'] };
  const anyQualifier = { 'Fn::Join': ['', [arn, ':*']] };
  expect(allowsInvocation(arn, { functionId: 'Steps' })).toBe(true);
  expect(allowsInvocation(arn, { functionId: 'Steps', qualifier: '$LATEST' })).toBe(false);
  expect(allowsInvocation(anyQualifier, { functionId: 'Steps', qualifier: '$LATEST' })).toBe(true);
  expect(allowsInvocation(anyQualifier, { functionId: 'Steps' })).toBe(false);
  expect(allowsInvocation(anyQualifier, { functionId: 'Other', qualifier: '$LATEST' })).toBe(false);
  expect(allowsInvocation('*', { functionId: 'Steps', qualifier: '$LATEST' })).toBe(true);
});
