/**
 * The tasks of every state machine of the reference app call AWS with the state machine's
 * role: a Lambda function named as the Resource, an optimized integration
 * (`arn:aws:states:::lambda:invoke`, `ecs:runTask.sync`, ...) or an SDK integration
 * (`arn:aws:states:::aws-sdk:<service>:<operation>`). Each needs actions of that role, which
 * no local run of a definition checks. Any resource is enough here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferenceApp } from '../../bin/reference-app';
import { actionMatches } from '../support/iam-actions';
import { actionsGrantedToRoleId } from '../support/role-actions';
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

interface TaskCall {
  readonly state: string;
  readonly actions: string[];
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

/** Every Task state of the definition, in nested branches and maps too. */
function taskStates(states: Record<string, { Type: string; Resource?: string; Branches?: Array<{ States: object }>; Iterator?: { States: object }; ItemProcessor?: { States: object } }>): Array<[string, string]> {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state.Resource!] as [string, string]] : []),
    ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States as never)),
    ...[state.Iterator, state.ItemProcessor].filter((inner) => inner).flatMap((inner) => taskStates(inner!.States as never)),
  ]);
}

function callsOf(template: Template, definitionString: unknown): TaskCall[] {
  const { text, tokens } = definitionOf(definitionString);
  const functions = template.findResources('AWS::Lambda::Function');
  return taskStates(JSON.parse(text).States).map(([state, resource]) => {
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
      return { state, actions };
    }
    // A function's ARN (with or without a qualifier): a plain invocation.
    const token = /^@(\d+)@(?::[^:]+)?$/.exec(resource)?.[1];
    const target = token === undefined ? undefined : (tokens[Number(token)] as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (!target || target[1] !== 'Arn' || !functions[target[0]]) {
      throw new Error(`${state}: the Resource ${resource} (${JSON.stringify(tokens[Number(token)])}) is neither an integration nor a function of the stack`);
    }
    return { state, actions: ['lambda:InvokeFunction'] };
  });
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
