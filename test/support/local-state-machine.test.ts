import { createHash } from 'node:crypto';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { FAKE_ACCOUNT, FAKE_REGION, localStateMachine, localStateMachineFromDefinition, validateDefinition } from './local-state-machine';

function template(): Template {
  const stack = new Stack(new App(), 'S');
  const fn = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const start = new tasks.LambdaInvoke(stack, 'Start', { lambdaFunction: fn('StartFn'), resultSelector: { 'id.$': '$.Payload.id' }, resultPath: '$.started' });
  start.addRetry({ errors: ['Throttling'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 3 });
  const check = new tasks.LambdaInvoke(stack, 'Check', { lambdaFunction: fn('CheckFn'), payloadResponseOnly: true, resultPath: '$.check' });
  const cleanup = new tasks.LambdaInvoke(stack, 'Cleanup', { lambdaFunction: fn('CleanupFn'), outputPath: '$.Payload' });
  const wait = new sfn.Wait(stack, 'Pause', { time: sfn.WaitTime.duration(Duration.seconds(30)) });
  const done = new sfn.Choice(stack, 'Done?')
    .when(sfn.Condition.booleanEquals('$.check.ready', true), new sfn.Succeed(stack, 'Ok'))
    .otherwise(wait);
  wait.next(check);
  start.addCatch(cleanup.next(new sfn.Fail(stack, 'Failed', { error: 'RestoreFailed', causePath: '$.cause' })), { resultPath: '$.error' });
  new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(start.next(check).next(done)) });
  return Template.fromStack(stack);
}

test('runs a synthesized definition with the real handlers, waits and envelopes', async () => {
  const machine = localStateMachine(template());
  expect(validateDefinition(machine.definition)).toEqual([]);
  expect(machine.taskStates.sort()).toEqual(['Check', 'Cleanup', 'Start']);
  let checks = 0;
  const run = await machine.run({ requestId: 'r1' }, {
    handlers: {
      Start: async (event) => ({ id: `db-${event.requestId}` }),
      Check: async (event) => ({ ready: ++checks >= 3, id: event.started.id }),
      Cleanup: async () => ({}),
    },
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.output.check).toEqual({ ready: true, id: 'db-r1' });
  expect(run.visited.map((s) => s.name)).toEqual(['Start', 'Check', 'Done?', 'Pause', 'Check', 'Done?', 'Pause', 'Check', 'Done?', 'Ok']);
  expect(run.definedWaitSeconds).toBe(60);
});

test('retries a throttled task and reports the backoff it would have waited', async () => {
  let calls = 0;
  const run = await localStateMachine(template()).run({}, {
    handlers: {
      Start: async () => {
        calls++;
        if (calls < 3) {
          const error = new Error('Rate exceeded');
          error.name = 'Throttling';
          throw error;
        }
        return { id: 'x' };
      },
      Check: async () => ({ ready: true }),
      Cleanup: async () => ({}),
    },
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(run.retried).toEqual(['Start', 'Start']);
  expect(run.definedWaitSeconds).toBe(2 + 4);
});

test('a caught error runs the cleanup and ends in the Fail state with Lambda\'s error document', async () => {
  const run = await localStateMachine(template()).run({ cause: 'start failed' }, {
    handlers: {
      Start: async () => { throw new TypeError('boom'); },
      Check: async () => ({ ready: true }),
      Cleanup: async (event) => ({ cause: `${event.error.Error}: ${JSON.parse(event.error.Cause).errorMessage}` }),
    },
  });
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('RestoreFailed');
  expect(run.cause).toBe('TypeError: boom');
  expect(run.caught).toEqual(['Start']);
});

test('a Task state without a handler fails before the run', async () => {
  await expect(localStateMachine(template()).run({}, { handlers: { Start: async () => ({}) } })).rejects.toThrow(/Task states without a handler: .*Check/);
});

test('States.Hash of a context path gives the digest Node computes, even for an execution ARN (more than 55 bytes); a hash of anything else is refused', async () => {
  const hashing = (parameters: Record<string, string>) => localStateMachineFromDefinition({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } });
  const name = 'a-name-long-enough-for-an-arn-of-more-than-one-block';
  const arn = `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:local:${name}`;
  const run = await hashing({
    'alone.$': "States.Hash($$.Execution.Id, 'SHA-256')",
    'inside.$': "States.Format('tag={}, name={}', States.Hash($$.Execution.Id, 'SHA-256'), States.Hash($$.Execution.Name, 'SHA-1'))",
  }).run({}, { handlers: {}, executionName: name });
  expect(run.output).toEqual({
    alone: createHash('sha256').update(arn).digest('hex'),
    inside: `tag=${createHash('sha256').update(arn).digest('hex')}, name=${createHash('sha1').update(name).digest('hex')}`,
  });
  await expect(hashing({ 'data.$': "States.Hash($.text, 'SHA-256')" }).run({ text: 'x' }, { handlers: {} }))
    .rejects.toThrow("local state machine: data.$ States.Hash($.text, 'SHA-256'): only a States.Hash of a context path is computed here");
});
