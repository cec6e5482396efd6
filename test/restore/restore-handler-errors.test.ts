/**
 * Every restore function cuts the errors it throws to fit a failed restore's cause (the step's
 * error and, should cleanup fail too, the cleanup's): a setting holding 40,000 characters, or an
 * input holding 7,000, which its error quotes, stands for any long error.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { RESTORE_ERROR_CHARACTERS } from '../../core/restore-workflows/bounded-error';
import { handler as stepsHandler } from '../../lambda/restore-db-steps/index';
import { handler as verifyHandler } from '../../lambda/restore-db-verify/index';
import { handler as dumpHandler } from '../../lambda/restore-dump/index';
import { handler as volumeHandler } from '../../lambda/restore-volume/index';

const LONG = 'x'.repeat(40_000);
const CUT = /\.\.\. \(cut at 6500 characters, a Step Functions cause being limited to 32,768: the function's log has the whole error\)$/;

const secrets = mockClient(SecretsManagerClient);
afterAll(() => secrets.restore());

interface Case {
  readonly handler: (event: never) => Promise<unknown>;
  readonly env: Record<string, string>;
  readonly event: unknown;
  /** The error's name and the start of its message. */
  readonly name: string;
  readonly message: RegExp;
}

const cases: Array<[string, Case]> = [
  ['restore-dump', {
    handler: dumpHandler,
    env: { DAILY_BUCKET: 'daily', IDENTIFIER_PREFIX: 'restored', ENGINE: 'mysql', ENGINE_VERSION: '8.4', INSTANCE_CLASS: 'db.t4g.medium', WORKFLOW_ID: 'wf', ALLOCATED_STORAGE: LONG },
    event: { action: 'validate', input: {} },
    name: 'Error',
    message: /^restore-dump: \w+ must be /,
  }],
  ['restore-volume', {
    handler: volumeHandler,
    env: { KMS_KEY_ID: 'key', WORKFLOW_ID: 'wf', READY_WITHIN_MINUTES: LONG },
    event: { action: 'validate', input: {} },
    name: 'Error',
    message: /^restore-volume: \w+ must be /,
  }],
  // A request is the raw input of the execution: a rejected one quotes it. Its 7,000 characters
  // stay under the 8 KiB a request may take, and above the cut.
  ['restore-db-steps', {
    handler: stepsHandler,
    env: { SOURCE_INSTANCE_ID: 'db', WORKFLOW_ID: 'Stack/Restore' },
    event: { action: 'validate', request: { kind: 'x'.repeat(7_000) }, execution: { name: 'r-1', startTime: '2026-12-06T08:00:00Z' } },
    name: 'InvalidRestoreInput',
    message: /^`kind` must be one of /,
  }],
  ['restore-db-verify', {
    handler: verifyHandler,
    env: { CREDENTIALS_SECRET_ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${LONG}` },
    event: { plan: { source: { identifier: 'db' } }, status: { endpoint: 'restore-r-1.example', port: 3306 }, progress: { targetIdentifier: 'restore-r-1' } },
    name: 'Error',
    message: /^restore-db-verify: secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:x+ /,
  }],
];

test.each(cases)('%s throws its errors cut to the limit, under their own name', async (_function, { handler, env, event, name, message }) => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  secrets.reset();
  // A secret without credentials: the verification's error quotes its ARN.
  secrets.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const error = await handler(event as never).then(() => undefined, (thrown: Error) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect(error!.name).toBe(name);
    expect(error!.message).toMatch(message);
    expect(error!.message).toMatch(CUT);
    expect(JSON.stringify(error!.message).length - 2).toBeLessThanOrEqual(RESTORE_ERROR_CHARACTERS);
    expect(logged).toHaveBeenCalledTimes(1);
  } finally {
    logged.mockRestore();
    process.env = saved;
  }
});
