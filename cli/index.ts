/**
 * `cdk-backup-dr`: the command-line tool of the library. Each subcommand lives in
 * `cli/commands/<name>.ts` and exports `run(args: string[]): Promise<number>` (the exit code).
 */

interface CommandModule {
  run(args: string[]): Promise<number>;
}

interface Command {
  readonly summary: string;
  /**
   * The exit code when the command could not run: its module failed to load, or it threw an
   * error it does not handle itself. Each is the code its README section gives such a failure
   * (for check, 2 unknown: 1 would read as drift).
   */
  readonly couldNotRunCode: number;
  load(): CommandModule;
}

/*
 * Each module is loaded when its command runs, so that one that fails to load fails with its
 * own command's code. require, not import(): TypeScript keeps import() in CommonJS output,
 * which Jest cannot run; esbuild bundles both the same way.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, Command> = {
  backup: {
    summary: 'back up now: start the database dump and AWS Backup jobs, show progress, print where each copy landed',
    couldNotRunCode: 1,
    load: () => require('./commands/backup') as typeof import('./commands/backup'),
  },
  check: {
    summary: 'compare a MySQL master and its replica row by row (exit 0 consistent, 1 drift, 2 unknown)',
    couldNotRunCode: 2,
    load: () => require('./commands/check') as typeof import('./commands/check'),
  },
  report: {
    summary: 'write the backup report (Markdown, HTML, JSON) of a synthesized app',
    couldNotRunCode: 1,
    load: () => require('./commands/report') as typeof import('./commands/report'),
  },
  restore: {
    summary: 'restore a database, volume or objects into a new resource and follow the workflow',
    couldNotRunCode: 1,
    load: () => require('./commands/restore') as typeof import('./commands/restore'),
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return ['Usage: cdk-backup-dr <command> [options]', '', 'Commands:', ...lines, '', 'Run `cdk-backup-dr <command> --help` for the options of a command; `cdk-backup-dr --help` (or -h, help) prints this text.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    // A usage error: the text goes with the other errors, not into a pipe that reads stdout.
    console.error(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`cdk-backup-dr: unknown command '${name}'; the commands are: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  try {
    return await command.load().run(args);
  } catch (error) {
    console.error(`cdk-backup-dr ${name}: could not run: ${error instanceof Error ? error.message : String(error)}`);
    return command.couldNotRunCode;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      // Not reached by a command's own errors (main returns their codes); 1 as Node itself would.
      console.error(`cdk-backup-dr: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
