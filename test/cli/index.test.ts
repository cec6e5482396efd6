import { main } from '../../cli/index';

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
});
