/**
 * `cdk-backup-dr backup now`: an on-demand backup before a risky change. Starts the daily
 * dump workflow of `DatabaseDumpJob` (optionally as the year's archive copy) and an AWS
 * Backup job per protected resource, shows their progress and prints where each copy
 * landed: the dump's date-named S3 prefix and manifest, each recovery point's ARN.
 *
 * The dump workflow: `--state-machine <arn>`, else `$CDK_BACKUP_DR_BACKUP_STATE_MACHINE`,
 * else the one state machine tagged `cdk-backup-dr:workflow=backup`. AWS Backup jobs need
 * `--vault`, `--backup-role-arn` and one `--resource-arn` per resource (or
 * `$CDK_BACKUP_DR_BACKUP_VAULT` and `$CDK_BACKUP_DR_BACKUP_ROLE_ARN`).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BackupClient, DescribeBackupJobCommand, StartBackupJobCommand } from '@aws-sdk/client-backup';
import {
  DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { JobLine, JobsProgress } from './backup-progress';
import { wholeNumber } from '../numeric-options';
import { ProcessIo, processIo } from '../process-io';
import { requireRegion } from '../region';
import { rejectRepeatedOptions } from '../repeated-options';
import { executionCause, findTaggedStateMachine, regionOfStateMachine, StateMachineNotFound } from '../step-functions';
import { UsageError } from '../usage-error';

/** The tag value of the dump workflow's state machine (`cdk-backup-dr:workflow=backup`). */
export const BACKUP_WORKFLOW_TAG_VALUE = 'backup';

/** What the command needs from outside: clients, output and a clock (tests replace them). */
export interface BackupIo extends ProcessIo {
  readonly clients: (region: string | undefined) => { sfn: SFNClient; backup: BackupClient };
}

const USAGE = `Usage:
  cdk-backup-dr backup now [--state-machine <arn> | --no-dump] [--yearly]
                           [--vault <name> --backup-role-arn <arn> --resource-arn <arn> [--resource-arn <arn> ...]]
                           [--delete-after-days <n>] [--region <region>] [--no-wait] [--json] [--poll-seconds <n>] [--timeout-minutes <n>]

Starts the database dump workflow and an AWS Backup job per --resource-arn, shows their
progress and prints where each copy landed.

  --state-machine <arn>    the dump workflow (default: $CDK_BACKUP_DR_BACKUP_STATE_MACHINE, else the one tagged cdk-backup-dr:workflow=backup)
  --no-dump                start no dump, only AWS Backup jobs
  --yearly                 also write this dump to the archive bucket (yearly/YYYY/...); the run fails at its start
                           when the dump job has no archive bucket
  --vault <name>           the AWS Backup vault (default: $CDK_BACKUP_DR_BACKUP_VAULT)
  --backup-role-arn <arn>  the role AWS Backup uses (default: $CDK_BACKUP_DR_BACKUP_ROLE_ARN)
  --resource-arn <arn>     a resource to back up (repeatable): an RDS instance, an EBS volume, an EC2 instance, ...
  --delete-after-days <n>  days until AWS Backup deletes the on-demand recovery points (default: no lifecycle is sent, so AWS Backup
                           keeps them until they are deleted; a vault lock with a maximum retention fails such a job)
  --region <region>        AWS region (default: that of the state machine's ARN, else of the --resource-arn, else the SDK's,
                           e.g. $AWS_REGION); each --resource-arn must be in it
  --no-wait                start everything, print the ids and return
  --json                   print only the result as JSON
  --poll-seconds <n>       how often to read progress (default 10)
  --timeout-minutes <n>    stop waiting after this long (default 360); the jobs keep running
  -h, --help               this text

Exit codes: 0 every copy landed (with --no-wait: everything started), 1 a job failed or the wait timed out (the jobs
keep running), 2 bad usage, including no single state machine tagged cdk-backup-dr:workflow=backup.`;

export const OPTIONS = {
  'state-machine': { type: 'string' },
  'no-dump': { type: 'boolean' },
  yearly: { type: 'boolean' },
  vault: { type: 'string' },
  'backup-role-arn': { type: 'string' },
  'resource-arn': { type: 'string', multiple: true },
  'delete-after-days': { type: 'string' },
  region: { type: 'string' },
  'no-wait': { type: 'boolean' },
  json: { type: 'boolean' },
  'poll-seconds': { type: 'string' },
  'timeout-minutes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The result printed at the end (`--json` prints exactly this). */
export interface BackupNowResult {
  readonly dump?: {
    readonly executionArn: string;
    readonly status: string;
    readonly runId?: string;
    readonly dailyCopy?: string;
    readonly dailyManifest?: string;
    readonly archiveCopy?: string;
    readonly archiveManifest?: string;
    /** Why the run made no yearly copy although Prepare had planned one (another run's copy of the year landed meanwhile). */
    readonly archiveCopySkipped?: string;
    readonly sha256?: string;
    readonly bytes?: number;
    readonly gtidPosition?: string;
    readonly error?: string;
  };
  readonly backups: Array<{
    readonly resourceArn: string;
    readonly backupJobId: string;
    readonly status: string;
    readonly recoveryPointArn?: string;
    readonly error?: string;
  }>;
  /** False with --no-wait: the statuses are those at the start. */
  readonly waited: boolean;
  /** What exit code 0 says: every copy landed, or with --no-wait everything started. */
  readonly succeeded: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function positiveInt(value: string | undefined, flag: string, unit: string, fallback: number | undefined): number | undefined {
  return value === undefined ? fallback : wholeNumber(`--${flag}`, value, unit, 1);
}

/** A short label for a resource ARN: its last path or colon segment. */
export function resourceLabel(arn: string): string {
  const tail = arn.split(/[:/]/).filter((part) => part.length > 0);
  return tail[tail.length - 1] ?? arn;
}

/** A resource ARN, with its region (empty for a resource AWS names without one, such as an S3 bucket) as group 1. */
const RESOURCE_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):([0-9]{12})?:.+$/;

/**
 * The region the command works in: `--region`, else the dump workflow's (its ARN), else that of
 * the first --resource-arn naming one (undefined: the SDK's). Every --resource-arn must be an ARN
 * in that region: AWS Backup backs a resource up only in its own region, and a job refused there
 * would fail after the dump had started.
 */
function workingRegion(flags: { readonly region?: string; readonly 'no-dump'?: boolean; readonly 'state-machine'?: string }, resources: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const machine = flags['no-dump'] ? undefined
    : flags['state-machine'] ? { from: '--state-machine', arn: flags['state-machine'] }
      : env.CDK_BACKUP_DR_BACKUP_STATE_MACHINE ? { from: '$CDK_BACKUP_DR_BACKUP_STATE_MACHINE', arn: env.CDK_BACKUP_DR_BACKUP_STATE_MACHINE } : undefined;
  let region = regionOfStateMachine(machine, flags.region);
  let from = flags.region !== undefined ? '--region' : machine ? `the region of ${machine.from}` : undefined;
  for (const arn of resources) {
    const match = RESOURCE_ARN.exec(arn);
    if (!match) {
      throw new UsageError(`--resource-arn must be an ARN, arn:<partition>:<service>:<region>:<account>:<resource>; got '${arn}'`);
    }
    const own = match[1];
    if (own === '') {
      continue;
    }
    if (region !== undefined && own !== region) {
      throw new UsageError(`--resource-arn ${arn} is in ${own}, but the command works in ${region} (${from}): AWS Backup backs a resource up in its own region; run the command once per region`);
    }
    if (region === undefined) {
      region = own;
      from = `the region of --resource-arn ${arn}`;
    }
  }
  return region;
}

/** The command with its outside world passed in. */
export async function runBackup(args: string[], io: BackupIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    rejectRepeatedOptions(parsed.tokens, OPTIONS);
  } catch (error) {
    // The error stays in view on a small terminal: the usage is one --help away.
    io.stderr.write(`cdk-backup-dr backup: ${errorText(error)}\nRun \`cdk-backup-dr backup --help\` for the options.\n`);
    return 2;
  }
  const flags = parsed.values;
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const json = flags.json === true;
  // What was started before an error: it keeps running, and with --json nothing else names it.
  const alreadyStarted: string[] = [];
  const say = (text: string): void => {
    if (!json) {
      io.stdout.write(`${text}\n`);
    }
  };
  try {
    // `--resource-arn "$DB_ARN"` with the variable unset: refused here, not after the dump has started.
    const empty = Object.entries(flags).find(([, value]) => value === '' || (Array.isArray(value) && value.includes('')));
    if (empty) {
      throw new UsageError(`--${empty[0]} needs a value, got an empty one`);
    }
    if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'now') {
      throw new UsageError(`expected the subcommand 'now', got '${parsed.positionals.join(' ')}'`);
    }
    const resources = flags['resource-arn'] ?? [];
    const vault = flags.vault ?? io.env.CDK_BACKUP_DR_BACKUP_VAULT;
    const role = flags['backup-role-arn'] ?? io.env.CDK_BACKUP_DR_BACKUP_ROLE_ARN;
    if (resources.length > 0 && (!vault || !role)) {
      throw new UsageError('--resource-arn needs --vault and --backup-role-arn (or $CDK_BACKUP_DR_BACKUP_VAULT and $CDK_BACKUP_DR_BACKUP_ROLE_ARN)');
    }
    if (flags['no-dump'] && resources.length === 0) {
      throw new UsageError('--no-dump with no --resource-arn: nothing to back up');
    }
    if (flags['no-dump'] && (flags['state-machine'] || flags.yearly)) {
      throw new UsageError('--no-dump cannot be combined with --state-machine or --yearly');
    }
    const deleteAfterDays = positiveInt(flags['delete-after-days'], 'delete-after-days', 'days', undefined);
    const pollSeconds = positiveInt(flags['poll-seconds'], 'poll-seconds', 'seconds', 10)!;
    const timeoutMinutes = positiveInt(flags['timeout-minutes'], 'timeout-minutes', 'minutes', 360)!;
    const clients = io.clients(workingRegion(flags, resources, io.env));
    await requireRegion(clients.backup, `${flags['no-dump'] ? '' : 'name the dump workflow by its ARN (--state-machine or $CDK_BACKUP_DR_BACKUP_STATE_MACHINE) or '}a --resource-arn in the region`);
    const started = io.now();
    const stamp = new Date(started).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

    // Start everything first, so that a slow dump does not delay the snapshots.
    let execution: { arn: string; status: string; step: string; output?: Record<string, unknown>; error?: string } | undefined;
    if (!flags['no-dump']) {
      const stateMachineArn = flags['state-machine'] ?? io.env.CDK_BACKUP_DR_BACKUP_STATE_MACHINE ?? await findTaggedStateMachine(clients.sfn, BACKUP_WORKFLOW_TAG_VALUE, 'pass --state-machine <arn> (or set CDK_BACKUP_DR_BACKUP_STATE_MACHINE) or --no-dump');
      const response = await clients.sfn.send(new StartExecutionCommand({
        stateMachineArn,
        name: `backup-now-${stamp}-${randomBytes(3).toString('hex')}`,
        input: JSON.stringify({ forceYearly: flags.yearly === true }),
      }));
      execution = { arn: response.executionArn!, status: 'RUNNING', step: 'starting' };
      alreadyStarted.push(`the dump ${execution.arn}`);
      say(`dump: started ${execution.arn}`);
    }
    const jobs: Array<{ resourceArn: string; id: string; status: string; percent?: string; recoveryPointArn?: string; error?: string }> = [];
    for (const resourceArn of resources) {
      const response = await clients.backup.send(new StartBackupJobCommand({
        BackupVaultName: vault,
        ResourceArn: resourceArn,
        IamRoleArn: role,
        IdempotencyToken: `backup-now-${stamp}-${resourceLabel(resourceArn)}`.slice(0, 128),
        StartWindowMinutes: 60,
        Lifecycle: deleteAfterDays ? { DeleteAfterDays: deleteAfterDays } : undefined,
      }));
      jobs.push({ resourceArn, id: response.BackupJobId!, status: 'CREATED', recoveryPointArn: response.RecoveryPointArn });
      alreadyStarted.push(`backup job ${response.BackupJobId} of ${resourceLabel(resourceArn)}`);
      say(`${resourceLabel(resourceArn)}: started backup job ${response.BackupJobId}`);
    }

    if (!flags['no-wait']) {
      const progress = new JobsProgress(io.stdout, started);
      const deadline = started + timeoutMinutes * 60_000;
      const finished = (status: string): boolean => ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'COMPLETED', 'EXPIRED', 'PARTIAL'].includes(status);
      for (;;) {
        if (execution && !finished(execution.status)) {
          const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: execution.arn }));
          execution.status = described.status ?? 'UNKNOWN';
          if (described.output) {
            execution.output = JSON.parse(described.output) as Record<string, unknown>;
          }
          if (described.status === 'FAILED' || described.status === 'TIMED_OUT' || described.status === 'ABORTED') {
            execution.error = [described.error, executionCause(described.cause)].filter((part) => part).join(': ') || described.status;
          }
          const history = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.arn, reverseOrder: true, maxResults: 20 }));
          const entered = (history.events ?? []).find((event) => event.stateEnteredEventDetails?.name);
          execution.step = entered?.stateEnteredEventDetails?.name ?? execution.step;
        }
        for (const job of jobs) {
          if (!finished(job.status)) {
            const described = await clients.backup.send(new DescribeBackupJobCommand({ BackupJobId: job.id }));
            job.status = described.State ?? 'UNKNOWN';
            job.percent = described.PercentDone;
            job.recoveryPointArn = described.RecoveryPointArn ?? job.recoveryPointArn;
            job.error = described.StatusMessage;
          }
        }
        if (!json) {
          const lines: JobLine[] = [
            ...(execution ? [{ label: 'dump', status: execution.status, detail: finished(execution.status) ? '' : `step ${execution.step}` }] : []),
            ...jobs.map((job) => ({ label: resourceLabel(job.resourceArn), status: job.status, detail: job.percent ? `${job.percent}% done` : '' })),
          ];
          progress.update(lines, io.now());
        }
        const allDone = (!execution || finished(execution.status)) && jobs.every((job) => finished(job.status));
        if (allDone) {
          break;
        }
        if (io.now() >= deadline) {
          say(`stopped waiting after ${timeoutMinutes} minutes; the jobs keep running`);
          break;
        }
        await io.sleep(pollSeconds * 1000);
      }
    }

    const out = execution?.output ?? {};
    const text = (key: string): string | undefined => (typeof out[key] === 'string' && out[key] !== '' ? String(out[key]) : undefined);
    const result: BackupNowResult = {
      dump: execution ? {
        executionArn: execution.arn,
        status: execution.status,
        runId: text('runId'),
        dailyCopy: text('dailyPrefix') ? `s3://${text('dailyBucket')}/${text('dailyPrefix')}` : undefined,
        dailyManifest: text('dailyManifest'),
        archiveCopy: text('archivePrefix') ? `s3://${text('archiveBucket')}/${text('archivePrefix')}` : undefined,
        archiveManifest: text('archiveManifest'),
        archiveCopySkipped: text('archiveCopySkipped'),
        sha256: text('sha256'),
        bytes: typeof out.bytes === 'number' ? out.bytes : undefined,
        gtidPosition: text('gtidPosition'),
        error: execution.error,
      } : undefined,
      backups: jobs.map((job) => ({ resourceArn: job.resourceArn, backupJobId: job.id, status: job.status, recoveryPointArn: job.recoveryPointArn, error: job.status === 'COMPLETED' ? undefined : job.error })),
      waited: !flags['no-wait'],
      // With --no-wait every start has succeeded by now: one that failed threw before this result.
      succeeded: flags['no-wait'] === true || ((!execution || execution.status === 'SUCCEEDED') && jobs.every((job) => job.status === 'COMPLETED')),
    };
    if (json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (!flags['no-wait']) {
      say('');
      say('Where the copies landed:');
      if (result.dump) {
        if (result.dump.status === 'SUCCEEDED') {
          say(`  dump ${result.dump.runId}: ${result.dump.dailyCopy} (manifest ${result.dump.dailyManifest}, sha256 ${result.dump.sha256}, GTID ${result.dump.gtidPosition || 'none'})`);
          if (result.dump.archiveCopy) {
            say(`  dump yearly copy: ${result.dump.archiveCopy} (manifest ${result.dump.archiveManifest})`);
          } else if (result.dump.archiveCopySkipped) {
            say(`  dump yearly copy: none made: ${result.dump.archiveCopySkipped}`);
          }
        } else {
          say(`  dump: ${result.dump.status}${result.dump.error ? ` - ${result.dump.error}` : ''} (${result.dump.executionArn})`);
        }
      }
      for (const backup of result.backups) {
        say(`  ${resourceLabel(backup.resourceArn)}: ${backup.status === 'COMPLETED' ? backup.recoveryPointArn : `${backup.status}${backup.error ? ` - ${backup.error}` : ''} (job ${backup.backupJobId})`}`);
      }
    }
    return result.succeeded ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError || error instanceof StateMachineNotFound) {
      io.stderr.write(`cdk-backup-dr backup: ${error.message}\n`);
      return 2;
    }
    const running = alreadyStarted.length > 0 ? `; started before this error and not stopped by it: ${alreadyStarted.join(', ')}` : '';
    io.stderr.write(`cdk-backup-dr backup: ${errorText(error)}${running}\n`);
    return 1;
  }
}

/** The entry point `cli/index.ts` calls. */
export async function run(args: string[]): Promise<number> {
  return runBackup(args, {
    ...processIo(),
    clients: (region) => ({ sfn: new SFNClient({ region }), backup: new BackupClient({ region }) }),
  });
}
