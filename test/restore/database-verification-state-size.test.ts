/**
 * The verification summary travels in the workflow's state twice: a failed verification's
 * cause beside the summary (VerificationFailed), or the result beside it (Report). A state of
 * more than 256 KiB fails the execution with States.DataLimitExceeded, which no Catch sees:
 * no cleanup, no failure document. Here the real verification reports a schema difference on
 * 25 wide tables of a live source (each line quotes both definitions) and the synthesized
 * state machine carries it; every state it passes through must stay within the limit. The
 * other task handlers stand in for the steps function; Report runs its real code.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { Connection } from 'mysql2/promise';
import { measureRequest } from '../../lambda/restore-db-steps/measured-request';
import { buildResult } from '../../lambda/restore-db-steps/result';
import { verifyRestored } from '../../lambda/restore-db-verify/verify-restored';
import { localStateMachine, type LambdaHandler, type LocalExecution, type LocalStateMachine } from '../support/local-state-machine';
import { MariaDbServer, startMariaDb, stopStartedServers } from '../support/mariadb';
import { restoreFixture } from './db-fixture';

/** The Step Functions payload limit of a state's input and output, in UTF-8 bytes. */
const STATE_LIMIT = 256 * 1024;
const TABLES = 25;
const COLUMNS = 60;

let machine: LocalStateMachine;
let source: MariaDbServer;
let restored: MariaDbServer;
let sourceConnection: Connection;
let restoredConnection: Connection;

/** A wide table; the source's has one more column (added since the restore point). */
function wideTable(index: number, extraColumn: boolean): string {
  const columns = Array.from({ length: COLUMNS }, (_, column) => `customer_preference_attribute_number_${String(column).padStart(3, '0')} VARCHAR(100) NULL`);
  if (extraColumn) {
    columns.push('added_since_the_restore_point INT NULL');
  }
  return `CREATE TABLE wide.t${String(index).padStart(2, '0')} (id INT PRIMARY KEY, ${columns.join(', ')})`;
}

beforeAll(async () => {
  machine = localStateMachine(Template.fromStack(restoreFixture().stack), { logicalIdPrefix: 'Restore' });
  [source, restored] = await Promise.all([startMariaDb({ serverId: 51 }), startMariaDb({ serverId: 52 })]);
  sourceConnection = await source.connect();
  restoredConnection = await restored.connect();
  for (const [connection, extra] of [[sourceConnection, true], [restoredConnection, false]] as const) {
    await connection.query('CREATE DATABASE wide');
    for (let index = 0; index < TABLES; index++) {
      await connection.query(wideTable(index, extra));
    }
  }
});

afterAll(async () => {
  await stopStartedServers(() => sourceConnection?.end(), () => restoredConnection?.end());
});

const returning = (value: unknown): LambdaHandler => async () => value;
const notReached: LambdaHandler = async () => {
  throw new Error('this step is not reached in this test');
};

function run(drill: boolean): Promise<LocalExecution> {
  const plan = {
    requestId: 'wide-1', kind: 'snapshot', drill, keepOnVerificationFailure: false,
    source: { identifier: 'source-db', live: true }, target: { identifier: 'restore-wide-1', instanceClass: 'db.r6g.large' },
    backupTime: '2026-11-21T03:00:00.000Z', existing: false, startedAt: '2026-11-21T10:00:00.000Z', deadline: '2026-11-21T22:00:00.000Z',
  };
  const handlers: Record<string, LambdaHandler> = {
    Validate: returning(plan),
    StartRestore: returning({ targetIdentifier: 'restore-wide-1', created: true }),
    CheckInstance: returning({ state: 'available', endpoint: 'restore-wide-1.example', port: 3306 }),
    VerifyRestore: () => verifyRestored({ restored: restoredConnection, source: sourceConnection, databases: ['wide'] }),
    Report: (event) => buildResult(event.plan, event.progress, event.status, event.verification),
    ReportPromotion: notReached, RecordDrill: returning({}), DeleteScratch: notReached, MeasureRequest: async (event) => measureRequest(event),
    Cleanup: returning({ error: 'VerificationFailed', cause: '{"status":"FAILED"}' }),
    CleanupIncomplete: notReached, CleanupIncompleteCountDrill: notReached,
  };
  return machine.run({ requestId: 'wide-1', kind: 'snapshot', drill }, { handlers });
}

/** The largest input or output of any state of the execution, in UTF-8 bytes. */
function largestState(execution: LocalExecution): number {
  const sizes = execution.events
    .filter((event) => event.type === 'StateEntered' || event.type === 'StateExited')
    .flatMap((event) => [event.state.input, event.state.output])
    .filter((value) => value !== undefined)
    .map((value) => Buffer.byteLength(JSON.stringify(value), 'utf8'));
  return Math.max(...sizes);
}

test('a drill whose schema differs on many wide tables fails with its failure document, every state within 256 KiB', async () => {
  const execution = await run(true);
  expect(execution.visited.map((state) => state.name)).toContain('VerificationFailed');
  expect(execution.error).toBe('VerificationFailed');
  expect(largestState(execution)).toBeLessThan(STATE_LIMIT);
});

test('an incident restore whose schema differs on many wide tables is handed over, every state within 256 KiB', async () => {
  const execution = await run(false);
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.output.verification.problems).toHaveLength(21);
  expect(execution.output.verification.problems[20]).toBe(`... and ${TABLES - 20} more`);
  expect(largestState(execution)).toBeLessThan(STATE_LIMIT);
});
