/**
 * The LoadDump loop runs until the load is done, each invocation until its deadline: the
 * restore's `timeout` bounds how many invocations (and history events) it adds.
 */
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { LOAD_MARGIN_MS } from '../../lambda/restore-dump';
import { LOAD_INVOCATION_SECONDS, LOAD_ITERATION_EVENTS } from '../../lib/private/load-loop-budget';
import { DumpRestoreWorkflow, DumpRestoreWorkflowProps } from '../../lib/restore/dump-restore-workflow';
import { localStateMachine } from '../support/local-state-machine';
import { restoreTestStack } from './workflow-fixture';

function dump(props: Partial<DumpRestoreWorkflowProps> = {}) {
  const fixture = restoreTestStack(new App());
  new DumpRestoreWorkflow(fixture.stack, 'DumpRestore', {
    vpc: fixture.vpc, encryptionKey: fixture.key, dumpBucket: fixture.dumpBucket, functionSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, ...props,
  });
  return fixture.stack;
}

// Before: accepted up to 8,760 hours; a load of that long runs 38,934 invocations of 7 events, past Step Functions' 25,000, which ends the execution without deleting the instance.
test.each<[Partial<DumpRestoreWorkflowProps>, RegExp]>([
  [{ timeout: Duration.hours(8760) }, /^Stack\/DumpRestore: `timeout` may be at most 422 hours with availableWithin 3 hours and pollInterval 20 seconds: each LoadDump invocation that does not finish the load runs at least 13 minutes 30 seconds and adds 7 events to the execution's history, the 540 polls for the instance 9 events each, together at most 18000 \(Step Functions ends an execution at 25,000 without its cleanup\); got 8760 hours, 38934 invocations$/],
  // Before: "must be 1 to 8760 hours", a range the budget below never allows.
  [{ timeout: Duration.hours(9000) }, /^Stack\/DumpRestore: `timeout` may be at most 422 hours .*; got 9000 hours, 40000 invocations$/],
  [{ timeout: Duration.hours(423) }, /^Stack\/DumpRestore: `timeout` may be at most 422 hours .*; got 423 hours, 1880 invocations$/],
  // Longer polls for the instance leave the load more events.
  [{ timeout: Duration.hours(2000), pollInterval: Duration.minutes(10) }, /^Stack\/DumpRestore: `timeout` may be at most 573 hours with availableWithin 3 hours and pollInterval 10 minutes: .* the 18 polls for the instance 9 events each, .*; got 2000 hours, 8889 invocations$/],
  // Before: "`timeout` may be at most 5 hours", shorter than availableWithin, which timeout must exceed: no timeout fits, the polls take the events.
  [{ availableWithin: Duration.hours(11) }, /^Stack\/DumpRestore: `availableWithin` 11 hours with pollInterval 20 seconds leaves the load loop events for at most 5 hours of `timeout`, which must be longer than availableWithin: make pollInterval longer or availableWithin shorter\. .*; got timeout 24 hours, 1980 polls$/],
])('refuses %j', (props, message) => {
  expect(() => dump(props)).toThrow(message);
});

test.each<Partial<DumpRestoreWorkflowProps>>([
  {},
  { timeout: Duration.hours(422) },
  { timeout: Duration.hours(500), pollInterval: Duration.minutes(10) },
])('accepts %j', (props) => {
  expect(() => dump(props)).not.toThrow();
});

test('an invocation that does not finish runs at least the function timeout less the margin the function keeps', () => {
  const template = Template.fromStack(dump());
  const timeouts = Object.values(template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Timeout);
  expect(timeouts).toContain(900);
  expect(LOAD_INVOCATION_SECONDS).toBe(900 - LOAD_MARGIN_MS / 1000);
});

test('one iteration of the load loop is the LoadDump task and the IsLoadDone choice: 5 + 2 history events', async () => {
  const machine = localStateMachine(Template.fromStack(dump()));
  let loads = 0;
  // The steps' results only steer the definition's Choices here; the loop's shape is what is checked.
  const handlers: Record<string, () => unknown> = {
    Validate: () => ({ targetInstanceIdentifier: 'restored-shop', bucket: 'dumps', dumpKey: 'daily/dump.sql.gz', rows: 1 }),
    CreateInstance: () => ({}),
    CheckInstance: () => ({ available: true, endpoint: 'restored-shop.example', port: 3306, secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s' }),
    LoadDump: () => ({ done: ++loads === 4, statementsApplied: loads }),
    Verify: () => ({ status: 'ok' }),
    Protect: () => ({}),
    Cleanup: () => ({}),
  };
  const run = await machine.run({}, { handlers });
  expect([run.status, run.error, run.cause]).toEqual(['SUCCEEDED', undefined, undefined]);
  const names = run.visited.map((s) => s.name);
  const first = names.indexOf('LoadDump');
  const loop = run.visited.slice(first, names.lastIndexOf('LoadDump'));
  expect(loop.map((s) => `${s.name}:${s.type}`)).toEqual(Array(3).fill(['LoadDump:Task', 'IsLoadDone:Choice']).flat());
  // A Lambda task: entered, scheduled, started, succeeded, exited; a Choice: entered, exited.
  expect(LOAD_ITERATION_EVENTS).toBe(5 + 2);
});
