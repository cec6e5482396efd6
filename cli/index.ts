/**
 * `cdk-backup-dr`: the command-line tool of the library. Each subcommand lives in
 * `cli/commands/<name>.ts` and exports `run(args: string[]): Promise<number>` (the exit code).
 */
import * as reportCommand from './commands/report';
import * as restoreCommand from './commands/restore';
import * as backupCommand from './commands/backup';
import * as checkCommand from './commands/check';

interface Command {
  readonly summary: string;
  load(): Promise<{ run(args: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  backup: { summary: 'back up now: start the database dump and AWS Backup jobs, show progress, print where each copy landed', load: async () => backupCommand },
  check: { summary: 'compare a MySQL master and its replica row by row (exit 0 consistent, 1 drift, 2 unknown)', load: async () => checkCommand },
  report: { summary: 'write the backup report (Markdown, HTML, JSON) of a synthesized app', load: async () => reportCommand },
  restore: { summary: 'restore a database, volume or objects into a new resource and follow the workflow', load: async () => restoreCommand },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return ['Usage: cdk-backup-dr <command> [options]', '', 'Commands:', ...lines, '', 'Run `cdk-backup-dr <command> --help` for the options of a command.'].join('\n');
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
  const command = COMMANDS[name];
  if (!command) {
    console.error(`cdk-backup-dr: unknown command '${name}'; the commands are: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  const module = await command.load();
  return module.run(args);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      console.error(`cdk-backup-dr: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
