/**
 * Every restore function cuts the errors it throws to fit a failed restore's cause (the step's
 * error and, should cleanup fail too, the cleanup's): a setting holding 40,000 characters, which
 * its error quotes, stands for any long error.
 */
import { RESTORE_ERROR_CHARACTERS } from '../../core/restore-workflows/bounded-error';
import { handler as dumpHandler } from '../../lambda/restore-dump/index';
import { handler as volumeHandler } from '../../lambda/restore-volume/index';

const LONG = 'x'.repeat(40_000);
const CUT = /\.\.\. \(cut at 6500 characters, a Step Functions cause being limited to 32,768: the function's log has the whole error\)$/;

const handlers: Array<[string, (event: never) => Promise<unknown>, Record<string, string>]> = [
  ['restore-dump', dumpHandler, {
    DAILY_BUCKET: 'daily', IDENTIFIER_PREFIX: 'restored', ENGINE: 'mysql', ENGINE_VERSION: '8.4', INSTANCE_CLASS: 'db.t4g.medium', ALLOCATED_STORAGE: LONG,
  }],
  ['restore-volume', volumeHandler, { KMS_KEY_ID: 'key', WORKFLOW_ID: 'wf', READY_WITHIN_MINUTES: LONG }],
];

test.each(handlers)('%s throws its errors cut to the limit, under their own name', async (name, handler, env) => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const error = await handler({ action: 'validate', input: {} } as never).then(() => undefined, (thrown: Error) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect(error!.name).toBe('Error');
    expect(error!.message).toMatch(new RegExp(`^${name}: \\w+ must be `));
    expect(error!.message).toMatch(CUT);
    expect(JSON.stringify(error!.message).length - 2).toBeLessThanOrEqual(RESTORE_ERROR_CHARACTERS);
    expect(logged).toHaveBeenCalledTimes(1);
  } finally {
    logged.mockRestore();
    process.env = saved;
  }
});
