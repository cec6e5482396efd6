import { main } from '../../cli/index';
import * as backupCommand from '../../cli/commands/backup';
import * as checkCommand from '../../cli/commands/check';
import * as reportCommand from '../../cli/commands/report';
import * as restoreCommand from '../../cli/commands/restore';

describe('cdk-backup-dr without a command', () => {
  afterEach(() => jest.restoreAllMocks());

  test('prints the usage on stderr and exits 2; --help prints it on stdout and exits 0', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main([])).toBe(2);
    expect(log).not.toHaveBeenCalled();
    expect(String(error.mock.calls[0][0])).toMatch(/^Usage: cdk-backup-dr <command> \[options\]\n/);
    expect(await main(['--help'])).toBe(0);
    expect(String(log.mock.calls[0][0])).toMatch(/^Usage: cdk-backup-dr <command> \[options\]\n/);
  });

  test('the usage names every way to ask for it', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    for (const ask of ['--help', '-h', 'help']) {
      expect(await main([ask])).toBe(0);
    }
    expect(log.mock.calls.map((call) => String(call[0]))).toEqual(Array(3).fill(expect.stringMatching(/; `cdk-backup-dr --help` \(or -h, help\) prints this text\.$/)));
  });

  test('a name of an object property is an unknown command (exit 2), not a crash', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['toString'])).toBe(2);
    expect(String(error.mock.calls[0][0])).toBe("cdk-backup-dr: unknown command 'toString'; the commands are: backup, check, report, restore");
  });
});

// A script reads check's exit code 1 as drift: an error check does not handle is 2 (unknown),
// as its README section says; backup, restore and report document 1 for a failure.
describe('an error a command does not handle exits with the code its README gives a command that could not run', () => {
  afterEach(() => jest.restoreAllMocks());

  test.each<[string, number, { run(args: string[]): Promise<number> }]>([
    ['check', 2, checkCommand],
    ['backup', 1, backupCommand],
    ['restore', 1, restoreCommand],
    ['report', 1, reportCommand],
  ])('%s exits %d', async (name, code, module) => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(module, 'run').mockRejectedValue(new Error('stdin: read EIO'));
    expect(await main([name, '--json'])).toBe(code);
    expect(error.mock.calls.map((call) => String(call[0]))).toEqual([`cdk-backup-dr ${name}: could not run: stdin: read EIO`]);
  });
});

describe('a command whose module fails to load', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    jest.resetModules();
  });

  test('exits with that command\'s code (check: 2 unknown) and the other commands still run', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('../../cli/commands/check', () => {
        throw new Error("Cannot find module 'mysql2/promise'");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const isolated = require('../../cli/index') as typeof import('../../cli/index');
      const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      expect(await isolated.main(['check', '--help'])).toBe(2);
      expect(String(error.mock.calls[0][0])).toBe("cdk-backup-dr check: could not run: Cannot find module 'mysql2/promise'");
      expect(await isolated.main(['report', '--help'])).toBe(0);
      expect(String(log.mock.calls[0][0])).toMatch(/^Usage: cdk-backup-dr report/);
    });
  });
});
