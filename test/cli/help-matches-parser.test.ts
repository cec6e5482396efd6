/**
 * Each command's --help names exactly the options its parser takes: none the parser refuses,
 * none the parser takes that the help leaves out (report's -o was missing).
 */
import { OPTIONS as BACKUP_OPTIONS, runBackup } from '../../cli/commands/backup';
import { run as runCheck } from '../../cli/commands/check';
import { run as runReport } from '../../cli/commands/report';
import { OPTIONS as RESTORE_OPTIONS, runRestore } from '../../cli/commands/restore';

function capture() {
  const state = { out: '', err: '' };
  const io = {
    stdout: { write: (text: string) => { state.out += text; return true; }, isTTY: false },
    stderr: { write: (text: string) => { state.err += text; return true; }, isTTY: false },
    env: {}, sleep: async () => undefined, now: () => 0,
    clients: () => { throw new Error('no AWS call in a help test'); },
  };
  return { state, io };
}

/** The option names a help text shows: --long, and -x short forms. */
function optionsIn(help: string): string[] {
  return [...new Set([...help.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((match) => match[1]))].filter((name) => name !== '-' && !/^-[a-z]{2,}/.test(name)).sort();
}

function declared(options: Record<string, { readonly type: string; readonly short?: string }>): string[] {
  return Object.entries(options).flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])]).sort();
}

test('backup', async () => {
  const { state, io } = capture();
  expect(await runBackup(['--help'], io as never)).toBe(0);
  expect(optionsIn(state.out)).toEqual(declared(BACKUP_OPTIONS));
});

test('restore', async () => {
  const { state, io } = capture();
  expect(await runRestore(['--help'], io as never)).toBe(0);
  expect(optionsIn(state.out)).toEqual(declared(RESTORE_OPTIONS));
});

test('report', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(await runReport(['--help'])).toBe(0);
    const help = String(log.mock.calls[0][0]);
    expect(optionsIn(help)).toEqual(['--help', '--out', '-h', '-o']);
    // Each one it shows is taken: the help ones print the help; --out and -o take the folder,
    // so the command goes on to read the missing cdk.out and fails on that alone.
    for (const option of optionsIn(help)) {
      error.mockClear();
      const code = await runReport(['/nonexistent-cdk-out', option, '/tmp/x']);
      const errors = error.mock.calls.map((call) => String(call[0]));
      if (option === '--help' || option === '-h') {
        expect([option, code, errors]).toEqual([option, 0, []]);
      } else {
        expect([option, code, errors]).toEqual([option, 1, ['cdk-backup-dr report: /nonexistent-cdk-out does not exist: run `cdk synth` first, or pass the folder of the synthesized app']]);
      }
    }
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
});

test('check: every option its help shows is taken', async () => {
  const { state, io } = capture();
  expect(await runCheck(['--help'], io)).toBe(0);
  const shown = optionsIn(state.out);
  expect(shown).toEqual(['--chunk-time', '--databases', '--exclude-tables', '--help', '--json', '--master', '--max-lag', '--max-lag-wait', '--replica', '--tables', '--time-limit', '--tls', '-h']);
  // --master http://x stops the command after every option is read: no connection is tried.
  const base = ['--master', 'http://x', '--replica', 'mysql://u@h'];
  const values: Record<string, string[]> = {
    '--json': [], '--tls': ['off'], '--tables': ['a.b'], '--exclude-tables': ['a.b'], '--databases': ['a'], '--max-lag': ['1'], '--max-lag-wait': ['1'], '--chunk-time': ['0.5'], '--time-limit': ['15m'],
  };
  for (const option of shown.filter((name) => !['--help', '-h', '--master', '--replica'].includes(name))) {
    const run = capture();
    expect(await runCheck([...base, option, ...values[option]], run.io)).toBe(64);
    expect(run.state.err).toMatch(/^cdk-backup-dr check: --master must start with mysql:\/\/, got 'http:\/\/'/);
  }
});
