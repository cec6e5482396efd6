/**
 * When the steps function cannot be reached to write the failure document, the state machine
 * writes it from its states alone (CleanupIncompleteUnreported). JSONPath cannot cut a text,
 * so the document holds the errors' names (Step Functions keeps a name to 256 characters) and
 * none of their causes: the Fail state's cause then fits the 32,768 characters Step Functions
 * allows whatever the errors say. The task handlers here stand in for the workflow's own
 * functions; the state machine only reads what they return or throw.
 */
import { createHash } from 'node:crypto';
import { Template } from 'aws-cdk-lib/assertions';
import { measureRequest } from '../../lambda/restore-db-steps/measured-request';
import { FAKE_ACCOUNT, FAKE_REGION, localStateMachine, type LambdaHandler, type LocalExecution, type LocalStateMachine } from '../support/local-state-machine';
import { restoreFixture } from './db-fixture';

const CAUSE_LIMIT = 32_768;
/** The longest error name Step Functions keeps (TaskFailedEventDetails). */
const NAME_LIMIT = 256;

let machine: LocalStateMachine;

beforeAll(() => {
  machine = localStateMachine(Template.fromStack(restoreFixture().stack), { logicalIdPrefix: 'Restore' });
});

const failing = (name: string, message: string): LambdaHandler => async () => {
  throw Object.assign(new Error(message), { name });
};
const returning = (value: unknown): LambdaHandler => async () => value;
const notReached: LambdaHandler = async () => {
  throw new Error('this step is not reached in this test');
};

interface Errors {
  /** The step's error, thrown by Validate (undefined: the restore reaches a failed verification). */
  readonly step?: [string, string];
  readonly cleanup: [string, string];
  readonly unreachable: [string, string];
  readonly countDrill?: [string, string];
  readonly problems?: string[];
}

function run(drill: boolean, errors: Errors, on: LocalStateMachine = machine): Promise<LocalExecution> {
  const handlers: Record<string, LambdaHandler> = {
    Validate: errors.step ? failing(...errors.step) : returning({ requestId: 'inc-1', kind: 'snapshot', drill, target: { identifier: 'restore-inc-1' } }),
    StartRestore: returning({ targetIdentifier: 'restore-inc-1', created: true }),
    CheckInstance: returning({ state: 'available', endpoint: 'restore-inc-1.example', port: 3306 }),
    VerifyRestore: returning({ status: 'failed', checks: 20, problems: errors.problems ?? [], newestRow: { status: 'unknown', detail: 'not read' } }),
    Report: notReached, ReportPromotion: notReached, RecordDrill: notReached, DeleteScratch: notReached,
    MeasureRequest: async (event) => measureRequest(event),
    Cleanup: failing(...errors.cleanup),
    CleanupIncomplete: failing(...errors.unreachable),
    CleanupIncompleteCountDrill: errors.countDrill ? failing(...errors.countDrill) : returning({}),
  };
  return on.run({ requestId: 'inc-1', kind: 'snapshot', drill }, { handlers });
}

function unreportedStates(execution: LocalExecution): string[] {
  return execution.visited.map((state) => state.name).filter((name) => name.startsWith('CleanupIncomplete'));
}

test('a step error and a cleanup error of 40,000 characters: the cause holds their names, the same as for short ones, and fits', async () => {
  const long = (text: string) => `${text} ${'"'.repeat(40_000)}`;
  const [short, verbose] = await Promise.all([
    run(false, { step: ['AccessDenied', 'short'], cleanup: ['InvalidDBInstanceStateFault', 'short'], unreachable: ['Lambda.ServiceException', 'short'] }),
    run(false, { step: ['AccessDenied', long('step')], cleanup: ['InvalidDBInstanceStateFault', long('cleanup')], unreachable: ['Lambda.ServiceException', long('lambda')] }),
  ]);
  expect(unreportedStates(verbose)).toEqual(['CleanupIncomplete', 'CleanupIncompleteUnreported', 'CleanupIncompleteDrillGiven', 'CleanupIncompleteRefusedIsDrill', 'CleanupIncompleteCause']);
  expect(verbose.error).toBe('AccessDenied');
  expect(verbose.cause!.length).toBeLessThan(CAUSE_LIMIT);
  expect(verbose.cause).toBe(short.cause);
  expect(JSON.parse(verbose.cause!)).toEqual({
    status: 'FAILED',
    error: 'AccessDenied',
    cause: 'not given here: the workflow function, which writes the message into this document cut to fit a cause, could not be reached (Lambda.ServiceException); '
      + 'the execution history has the whole error, in the failed step or the verification result',
    cleanup: {
      outcome: 'incomplete',
      // The execution tag as the README gives it: the SHA-256 of the execution's ARN, in hex.
      detail: 'the cleanup did not finish: look for an instance tagged cdk-backup-dr:workflow-id=Stack/Restore, cdk-backup-dr:restore-execution=<this request id> and '
        + `cdk-backup-dr:created-by-execution=${createHash('sha256').update(`arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:local:local-execution`).digest('hex')} (this execution) `
        + 'and delete it by hand unless it is wanted',
      error: 'InvalidDBInstanceStateFault',
    },
  });
});

test('a construct path with characters an intrinsic\'s text reserves (quotes, braces) is named as it is', async () => {
  const id = "Restore{'1'}";
  const reserved = localStateMachine(Template.fromStack(restoreFixture(undefined, {}, id).stack), { logicalIdPrefix: 'Restore' });
  // Escaped with a backslash as the Amazon States Language requires (the local runner and
  // asl-validator also take unescaped braces).
  expect(reserved.definition.States.CleanupIncompleteUnreported.Parameters.cleanup['detail.$']).toContain(", 'Stack/Restore\\{\\'1\\'\\}', ");
  const execution = await run(false, { step: ['AccessDenied', 'no'], cleanup: ['AccessDenied', 'no'], unreachable: ['Lambda.ServiceException', 'no'] }, reserved);
  expect(JSON.parse(execution.cause!).cleanup.detail).toMatch(/^the cleanup did not finish: look for an instance tagged cdk-backup-dr:workflow-id=Stack\/Restore\{'1'\}, /);
});

test('a failed verification whose summary alone exceeds a cause: its name only', async () => {
  const execution = await run(false, {
    problems: Array.from({ length: 20 }, (_, index) => `shop.t${index}: ${'x'.repeat(5_000)}`),
    cleanup: ['AccessDenied', 'not authorized to perform: rds:DeleteDBInstance'],
    unreachable: ['Lambda.TooManyRequestsException', 'Rate exceeded'],
  });
  expect(execution.visited.map((state) => state.name)).toContain('VerificationFailed');
  expect(execution.error).toBe('VerificationFailed');
  expect(execution.cause!.length).toBeLessThan(CAUSE_LIMIT);
  expect(JSON.parse(execution.cause!)).toMatchObject({ error: 'VerificationFailed', cleanup: { outcome: 'incomplete', error: 'AccessDenied' } });
  expect(execution.cause).not.toContain('shop.t0');
});

test('a drill not counted either, every error named with the longest name Step Functions keeps: the cause stays within the limit even were every character escaped', async () => {
  const name = (letter: string) => letter.repeat(NAME_LIMIT);
  const message = 'y'.repeat(40_000);
  const execution = await run(true, {
    step: [name('S'), message], cleanup: [name('C'), message], unreachable: [name('U'), message], countDrill: [name('D'), message],
  });
  expect(unreportedStates(execution)).toEqual([
    'CleanupIncomplete', 'CleanupIncompleteUnreported', 'CleanupIncompleteDrillGiven', 'CleanupIncompleteRefusedIsDrill', 'CleanupIncompleteCountDrill',
    'CleanupIncompleteDrillNotCounted', 'CleanupIncompleteCause',
  ]);
  const document = JSON.parse(execution.cause!);
  expect(document).toMatchObject({ error: name('S'), cleanup: { error: name('C') } });
  expect(document.cause).toContain(`(${name('U')})`);
  expect(document.drillFailureNotRecorded).toBe(`DrillFailures was not put (${name('D')}); the missed-drill alarm still fires when no drill succeeds`);
  // These names need no escaping; a character JSON escapes takes at most 6 characters (\u0001).
  expect(execution.cause!.length + 4 * NAME_LIMIT * 5).toBeLessThan(CAUSE_LIMIT);
  expect(execution.cause).not.toContain('yyy');
});
