/**
 * `cdk-backup-dr restore db|volume|objects ...`: starts a restore workflow with a
 * deterministic execution name (the same request attaches to its still running execution
 * instead of restoring twice; once that has ended, it starts a new one, for a database restore from `newest` or `latest` as a new request), shows its steps as they progress and prints the
 * machine-readable result. `--dry-run` runs the workflow's own checks (its Validate step's code,
 * with that step's configuration) with read-only calls and prints the plan, starting nothing.
 *
 * The state machine: `--state-machine <arn>`, else the environment variable
 * `CDK_BACKUP_DR_<DATABASE|DUMP|VOLUME|OBJECTS>_STATE_MACHINE`, else the one state machine in
 * the account and region tagged `cdk-backup-dr:workflow=<database|dump|volume|objects>`.
 */
import { parseArgs } from 'node:util';
import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand, DescribeExecutionOutput, GetExecutionHistoryCommand, HistoryEvent,
  SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { EXECUTION_TAG, errorName, errorText, executionName } from '../../core/restore-workflows/common';
import { ALLOCATED_STORAGE_GIB } from '../../core/restore-workflows/dump';
import { RESTORE_DAYS } from '../../core/restore-workflows/objects';
import { ANY_VOLUME_IOPS, ANY_VOLUME_SIZE_GIB, GP3_THROUGHPUT_MIBPS } from '../../core/restore-workflows/volume';
import { ZONED_TIME_ALLOWED, isZonedIsoTime } from '../../core/zoned-time';
import { completenessNotice } from './restore-completeness-notes';
import { disabledEventsNotice } from './restore-disabled-events';
import { DryRunClients, dryRun } from './restore-dry-run';
import { StepProgress } from './restore-progress';
import { stepErrorNote } from './restore-step-error';
import { wholeNumber } from '../numeric-options';
import { ProcessIo, processIo } from '../process-io';
import { requireRegion } from '../region';
import { rejectRepeatedOptions } from '../repeated-options';
import { executionCause, findTaggedStateMachine, regionOfStateMachine, StateMachineNotFound } from '../step-functions';
import { UsageError } from '../usage-error';

/** The workflow kinds, as tagged on their state machines. */
export type WorkflowKind = 'database' | 'dump' | 'volume' | 'objects';

/** What the command needs from outside: clients, output streams and a clock (tests replace them). */
export interface RestoreIo extends ProcessIo {
  readonly clients: (region: string | undefined) => DryRunClients;
}

const USAGE = `Usage:
  cdk-backup-dr restore db --from-dump <s3://bucket/daily/.../manifest.json> --target <new instance id> [--instance-class db.r7g.large] [--storage <GiB>] [--keep-on-failure]
  cdk-backup-dr restore db --from-snapshot <snapshot id|newest> [--target <new instance id>] [--instance-class ...] [--az <zone>]
  cdk-backup-dr restore db --from-recovery-point <recovery point ARN|newest> [--target ...] [--instance-class ...] [--az ...]
  cdk-backup-dr restore db --to-time <ISO time with zone|latest> [--target ...] [--instance-class ...] [--az ...]
  cdk-backup-dr restore db --promote-replica <replica id> --confirm <replica id>
  cdk-backup-dr restore volume --snapshot <snap-...> --az <zone> [--type gp3] [--size <GiB>] [--iops N] [--throughput <MiB/s>]
                               [--attach <i-...> --device /dev/sdf --confirm <i-...>] [--replace-root <i-...> --confirm <i-...>]
  cdk-backup-dr restore objects --bucket <name> [--prefix <prefix>] --time <ISO time with zone> [--target-bucket <name>] [--target-prefix <prefix>] [--confirm s3://<bucket>/<prefix>]
  cdk-backup-dr restore objects --archive --bucket <name> [--prefix <prefix>] [--target-bucket <name>] [--target-prefix <prefix>] [--tier Standard|Bulk] [--days N]

Times are ISO 8601 with a zone, e.g. 2026-11-21T10:00:00Z or 2026-11-21T11:00:00+01:00.
A copy is named --target-prefix + the rest of its key after --prefix: with --prefix app/, the target prefix
must end in / (restored/, not restored, which would name app/a.txt restoreda.txt). Without --prefix
(or with --prefix '') the whole bucket is restored, to another --target-bucket.

Common options:
  --state-machine <arn>  the workflow (default: $CDK_BACKUP_DR_<DATABASE|DUMP|VOLUME|OBJECTS>_STATE_MACHINE, else the one tagged cdk-backup-dr:workflow=<kind>)
  --region <region>      AWS region (default: that of the state machine's ARN when one is named, else the SDK's,
                         e.g. $AWS_REGION; a --region other than the named state machine's is refused)
  --dry-run              run the workflow's own checks (its Validate step's code and configuration) with read-only
                         calls and print the plan; start nothing
  --no-wait              start (or find) the execution, print its ARN and return
  --json                 print only the result as JSON
  --poll-seconds <n>     how often to read the execution's progress (default 5)
  -h, --help             this text

Exit codes:
  0  restored, or the dry run's checks passed
  1  the restore failed, or a check could not be made (an AWS error, e.g. a missing permission)
  2  bad usage or input: rejected by this command, by the dry run's checks or by the workflow's Validate step`;

/** Error names of input a workflow's checks reject (the database workflow's, the others'). */
const INPUT_ERRORS = new Set(['InvalidRestoreInput', 'RestoreInputError']);

export const OPTIONS = {
  'from-dump': { type: 'string' }, 'from-snapshot': { type: 'string' }, 'from-recovery-point': { type: 'string' }, 'to-time': { type: 'string' },
  'promote-replica': { type: 'string' }, 'target': { type: 'string' }, 'instance-class': { type: 'string' }, 'storage': { type: 'string' },
  'keep-on-failure': { type: 'boolean' }, 'az': { type: 'string' }, 'snapshot': { type: 'string' }, 'type': { type: 'string' }, 'size': { type: 'string' },
  'iops': { type: 'string' }, 'throughput': { type: 'string' }, 'attach': { type: 'string' }, 'device': { type: 'string' }, 'replace-root': { type: 'string' },
  'confirm': { type: 'string' }, 'bucket': { type: 'string' }, 'prefix': { type: 'string' }, 'time': { type: 'string' }, 'target-bucket': { type: 'string' },
  'target-prefix': { type: 'string' }, 'archive': { type: 'boolean' }, 'tier': { type: 'string' }, 'days': { type: 'string' },
  'state-machine': { type: 'string' }, 'region': { type: 'string' }, 'dry-run': { type: 'boolean' }, 'no-wait': { type: 'boolean' }, 'json': { type: 'boolean' },
  'poll-seconds': { type: 'string' }, 'help': { type: 'boolean', short: 'h' },
} as const;

type Flags = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

/** A request ready to start: the workflow, the execution name and the input. */
export interface RestoreRequest {
  readonly kind: WorkflowKind;
  readonly name: string;
  readonly input: Record<string, unknown>;
  /** One line saying what will be created. */
  readonly summary: string;
  /**
   * A database restore whose rerun keeps its request id (a named snapshot, recovery point or
   * time): the workflow resumes the instance an earlier run of the request created, when it is
   * still there, instead of creating one.
   */
  readonly resumes?: { readonly instance: string; readonly source: string };
  /**
   * A dump restore's target: the workflow creates it only if no instance of that name exists and
   * refuses the request at Validate otherwise; it never resumes or reuses an earlier run's instance.
   */
  readonly refusesExisting?: string;
}

function str(flags: Flags, name: keyof typeof OPTIONS): string | undefined {
  const value = flags[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A whole-number option within `range` (the range the workflow's own checks allow; `min` alone for the command's own). */
function int(flags: Flags, name: keyof typeof OPTIONS, unit: string, range: { readonly min: number; readonly max?: number }): number | undefined {
  const value = str(flags, name);
  return value === undefined ? undefined : wholeNumber(`--${name}`, value, unit, range.min, range.max);
}

function compact(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== false));
}

/** An execution name with the rerun suffix, within the 80 characters Step Functions allows. */
function rerunName(name: string, rerun: string | undefined): string {
  return rerun ? `${name.slice(0, 80 - rerun.length)}${rerun}` : name;
}

function only(flags: Flags, allowed: Array<keyof typeof OPTIONS>, what: string): void {
  const common = ['state-machine', 'region', 'dry-run', 'no-wait', 'json', 'poll-seconds', 'help'];
  const extra = Object.keys(flags).filter((name) => !allowed.includes(name as keyof typeof OPTIONS) && !common.includes(name));
  if (extra.length > 0) {
    throw new UsageError(`${what} does not take ${extra.map((name) => `--${name}`).join(', ')}`);
  }
}

/**
 * Turns the command line into the workflow request (no AWS calls). `rerun` (`-rerun-<id>`) makes
 * the request of a run after the same request's execution has ended: its execution gets a name
 * of its own and, for a database restore, so does the request (see below).
 */
export function buildRequest(subcommand: string | undefined, flags: Flags, rerun?: string): RestoreRequest {
  if (subcommand === 'db') {
    const sources = (['from-dump', 'from-snapshot', 'from-recovery-point', 'to-time', 'promote-replica'] as const).filter((name) => str(flags, name) !== undefined);
    if (sources.length !== 1) {
      throw new UsageError(`restore db needs exactly one of --from-dump, --from-snapshot, --from-recovery-point, --to-time, --promote-replica; got ${sources.length === 0 ? 'none' : sources.map((s) => `--${s}`).join(' and ')}`);
    }
    const source = sources[0];
    if (source === 'from-dump') {
      only(flags, ['from-dump', 'target', 'instance-class', 'storage', 'keep-on-failure'], 'restore db --from-dump');
      const location = str(flags, 'from-dump')!;
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
      const manifestKey = match ? match[2] : location;
      const target = str(flags, 'target');
      if (!target) {
        throw new UsageError('restore db --from-dump needs --target <new instance identifier> (it must not exist yet)');
      }
      // The bucket goes to the workflow, whose Validate step refuses one other than its own (run or dry run alike).
      const input = compact({
        manifestKey, bucket: match?.[1], targetInstanceIdentifier: target, instanceClass: str(flags, 'instance-class'), allocatedStorage: int(flags, 'storage', 'GiB', ALLOCATED_STORAGE_GIB),
        keepOnFailure: flags['keep-on-failure'] === true ? true : undefined,
      });
      return {
        kind: 'dump', name: rerunName(executionName('dump', target, input), rerun), input,
        summary: `a new RDS instance ${target} loaded from the dump ${location}, verified against its manifest`, refusesExisting: target,
      };
    }
    // As the help shows them: a promotion names no new instance, and only it is confirmed.
    only(flags, source === 'promote-replica' ? [source, 'confirm'] : [source, 'target', 'instance-class', 'az'], `restore db --${source}`);
    const value = str(flags, source)!;
    const kind = { 'from-snapshot': 'snapshot', 'from-recovery-point': 'recovery-point', 'to-time': 'point-in-time', 'promote-replica': 'promote-replica' }[source];
    if (source === 'to-time' && value !== 'latest' && !isZonedIsoTime(value)) {
      throw new UsageError(`--to-time must be ${ZONED_TIME_ALLOWED}, or latest; got '${value}'`);
    }
    const base = compact({
      kind,
      snapshot: source === 'from-snapshot' ? value : undefined,
      recoveryPoint: source === 'from-recovery-point' ? value : undefined,
      restoreTime: source === 'to-time' ? value : undefined,
      replica: source === 'promote-replica' ? value : undefined,
      targetIdentifier: str(flags, 'target'),
      instanceClass: str(flags, 'instance-class'),
      availabilityZone: str(flags, 'az'),
      confirm: str(flags, 'confirm'),
    });
    // The database workflow names its executions `restore-<requestId>` (requestId: 1 to 50 letters, digits, hyphens).
    const sameRequest = executionName(kind, str(flags, 'target') ?? value, base).replace(/_/g, '-').slice(-50).replace(/^-+/, '');
    // The workflow resumes the instance a request id already created. For `newest` or `latest`, run
    // again under the same id, it would hand back the earlier execution's instance (restored from
    // what they were then) as restored now: such a rerun is a new request. A named snapshot,
    // recovery point or time restores the same data again, and a promotion is never made twice:
    // they keep their id, so a rerun resumes (or reports) what the earlier execution created.
    const movesOn = value === 'newest' || value === 'latest';
    const requestId = rerun && movesOn ? `${sameRequest.slice(-(50 - rerun.length)).replace(/^-+/, '')}${rerun}` : sameRequest;
    const input = { requestId, ...base };
    const instance = `RDS instance ${str(flags, 'target') ?? `restore-${requestId}`}`;
    const what = source === 'promote-replica' ? `promotion of the read replica ${value} to a standalone instance` : `a new ${instance} from ${kind} ${value}`;
    const resumes = source === 'promote-replica' || movesOn ? undefined : { instance: `the ${instance}`, source: `${kind} ${value}` };
    return { kind: 'database', name: requestId === sameRequest ? rerunName(`restore-${requestId}`, rerun) : `restore-${requestId}`, input, summary: what, resumes };
  }
  if (subcommand === 'volume') {
    only(flags, ['snapshot', 'az', 'type', 'size', 'iops', 'throughput', 'attach', 'device', 'replace-root', 'confirm'], 'restore volume');
    const snapshotId = str(flags, 'snapshot');
    if (!snapshotId) {
      throw new UsageError('restore volume needs --snapshot <snap-...>');
    }
    const input = compact({
      snapshotId, availabilityZone: str(flags, 'az'), volumeType: str(flags, 'type'), size: int(flags, 'size', 'GiB', ANY_VOLUME_SIZE_GIB), iops: int(flags, 'iops', 'IOPS', ANY_VOLUME_IOPS),
      throughput: int(flags, 'throughput', 'MiB/s', GP3_THROUGHPUT_MIBPS), attachToInstance: str(flags, 'attach'), device: str(flags, 'device'), replaceRootVolumeOf: str(flags, 'replace-root'),
      confirm: str(flags, 'confirm'),
    });
    const what = input.replaceRootVolumeOf ? `a root volume replacement of ${input.replaceRootVolumeOf} from ${snapshotId}` : `a new volume from ${snapshotId}${input.availabilityZone ? ` in ${input.availabilityZone}` : ''}${input.attachToInstance ? `, attached to ${input.attachToInstance} at ${input.device}` : ''}`;
    return { kind: 'volume', name: rerunName(executionName('volume', snapshotId, input), rerun), input, summary: what };
  }
  if (subcommand === 'objects') {
    only(flags, ['bucket', 'prefix', 'time', 'target-bucket', 'target-prefix', 'confirm', 'archive', 'tier', 'days'], 'restore objects');
    const bucket = str(flags, 'bucket');
    if (!bucket) {
      throw new UsageError('restore objects needs --bucket <name>');
    }
    const archive = flags.archive === true;
    if (archive && str(flags, 'time') !== undefined) {
      throw new UsageError('restore objects takes --time <ISO time> (a point in time from versions) or --archive (from Glacier / Deep Archive), not both: they exclude each other');
    }
    if (!archive && str(flags, 'time') === undefined) {
      throw new UsageError('restore objects needs either --time <ISO time> (a point in time from versions) or --archive (from Glacier / Deep Archive)');
    }
    // An archive restore never writes in place (nothing to confirm); only it retrieves (tier, days).
    only(flags, ['bucket', 'prefix', 'target-bucket', 'target-prefix', ...(archive ? ['archive', 'tier', 'days'] as const : ['time', 'confirm'] as const)],
      archive ? 'restore objects --archive' : 'restore objects --time');
    const time = str(flags, 'time');
    if (time !== undefined && !isZonedIsoTime(time)) {
      throw new UsageError(`--time must be ${ZONED_TIME_ALLOWED}; got '${time}'`);
    }
    const input = compact({
      mode: archive ? 'archive' : 'point-in-time', bucket, prefix: str(flags, 'prefix') ?? '', time: str(flags, 'time'), targetBucket: str(flags, 'target-bucket'),
      targetPrefix: str(flags, 'target-prefix'), confirm: str(flags, 'confirm'), restoreTier: str(flags, 'tier'), restoreDays: int(flags, 'days', 'days', RESTORE_DAYS),
    });
    const what = archive ? `archived objects under s3://${bucket}/${input.prefix} retrieved and copied to a new prefix` : `s3://${bucket}/${input.prefix} as it was at ${input.time}, copied to ${input.targetPrefix === input.prefix && (input.targetBucket ?? bucket) === bucket ? 'the same prefix (in place)' : 'a new prefix'}`;
    return { kind: 'objects', name: rerunName(executionName('objects', `${bucket}-${input.prefix}`, input), rerun), input, summary: what };
  }
  throw new UsageError(subcommand ? `unknown restore target '${subcommand}'; use db, volume or objects` : 'restore needs db, volume or objects');
}

/** The environment variable that names the state machine of a kind. */
function stateMachineVariable(kind: WorkflowKind): string {
  return `CDK_BACKUP_DR_${kind.toUpperCase()}_STATE_MACHINE`;
}

/** The state machine of a kind: flag, environment, or the one tagged for it. */
export async function resolveStateMachine(sfn: SFNClient, kind: WorkflowKind, flag: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (flag) {
    return flag;
  }
  const variable = stateMachineVariable(kind);
  if (env[variable]) {
    return env[variable]!;
  }
  return findTaggedStateMachine(sfn, kind, `pass --state-machine <arn> or set ${variable} (the reference stack prints the ARNs as outputs)`);
}

function executionArnFor(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

/** What an execution that ended without an error (Step Functions gives none) means for the restore. */
const ENDED_WITHOUT_ERROR: Record<string, string> = {
  TIMED_OUT: 'the execution ran past its timeout (Step Functions gives no error); its cleanup did not run',
  ABORTED: 'the execution was stopped (StopExecution; Step Functions gives no error); its cleanup did not run',
};

/**
 * Where to look for what an execution created when its cleanup did not run: the tag the
 * workflows put on it, with its value (the database workflow's is the request id, the others'
 * the execution name).
 */
function leftBehindTag(request: RestoreRequest, executionArn: string): { readonly key: string; readonly value: string } {
  return { key: EXECUTION_TAG, value: request.kind === 'database' ? String(request.input.requestId) : executionArn.split(':').pop()! };
}

/** Reads the events after `lastId`, newest pages first, and returns them oldest first. */
async function newEvents(sfn: SFNClient, executionArn: string, lastId: number): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, nextToken }));
    const fresh = (page.events ?? []).filter((event) => (event.id ?? 0) > lastId);
    events.push(...fresh);
    nextToken = fresh.length === (page.events ?? []).length ? page.nextToken : undefined;
  } while (nextToken);
  return events.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

/** The command with its outside world passed in. */
export async function runRestore(args: string[], io: RestoreIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    rejectRepeatedOptions(parsed.tokens, OPTIONS);
  } catch (error) {
    // The error stays in view on a small terminal: the usage is one --help away.
    io.stderr.write(`cdk-backup-dr restore: ${errorText(error)}\nRun \`cdk-backup-dr restore --help\` for the options.\n`);
    return 2;
  }
  const flags = parsed.values as Flags;
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const json = flags.json === true;
  // The execution being followed: an error while following it does not stop it.
  let following: string | undefined;
  const say = (text: string) => {
    if (!json) {
      io.stdout.write(`${text}\n`);
    }
  };
  try {
    // `--target "$NAME"` with the variable unset would restore under a generated name. An empty
    // --prefix means the whole bucket; an empty --target-prefix, the default one (restored/...).
    const empty = Object.entries(flags).find(([name, value]) => value === '' && name !== 'prefix' && name !== 'target-prefix');
    if (empty) {
      throw new UsageError(`--${empty[0]} needs a value, got an empty one`);
    }
    if (parsed.positionals.length > 1) {
      throw new UsageError(`unexpected arguments: ${parsed.positionals.slice(1).join(' ')}`);
    }
    const request = buildRequest(parsed.positionals[0], flags);
    // 0 would read the execution's history and status back to back until it ends.
    const pollSeconds = int(flags, 'poll-seconds', 'seconds', { min: 1 }) ?? 5;
    const variable = stateMachineVariable(request.kind);
    const named = str(flags, 'state-machine') !== undefined ? { from: '--state-machine', arn: str(flags, 'state-machine')! }
      : io.env[variable] ? { from: `$${variable}`, arn: io.env[variable]! } : undefined;
    const clients = io.clients(regionOfStateMachine(named, str(flags, 'region')));
    await requireRegion(clients.sfn, `name the state machine by its ARN (--state-machine or $${variable})`);
    const stateMachineArn = await resolveStateMachine(clients.sfn, request.kind, str(flags, 'state-machine'), io.env);
    if (flags['dry-run']) {
      const checked = await dryRun(request, stateMachineArn, clients, new Date(io.now()));
      const result = { dryRun: true, workflow: request.kind, stateMachineArn, checkedWith: checked.checkedWith, executionName: request.name, wouldCreate: request.summary, input: request.input, plan: checked.plan, note: checked.note };
      if (json) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        say([
          `Dry run: nothing was started or created. The request passed the checks of ${stateMachineArn} (run with the configuration of ${checked.checkedWith}).`,
          `Would create: ${request.summary}`,
          ...(checked.note ? [`Note: ${checked.note}`] : []),
          `Execution name: ${request.name}`,
          `Input: ${JSON.stringify(request.input)}`,
          `Plan:\n${JSON.stringify(checked.plan, null, 2)}`,
        ].join('\n'));
      }
      return 0;
    }
    // What a start says: an execution of a request that keeps its id may resume an instance an
    // earlier run created (Step Functions forgets a closed execution after 90 days); a dump
    // restore never does, and refuses a target that exists.
    const start = async (started: RestoreRequest, again = false): Promise<string> => {
      const execution = await clients.sfn.send(new StartExecutionCommand({ stateMachineArn, name: started.name, input: JSON.stringify(started.input) }));
      const what = started.refusesExisting
        ? `${again ? 'again: ' : ''}${started.summary}, if no instance ${started.refusesExisting} exists${again ? '' : ' (the workflow refuses an existing one, such as one an earlier run of this request created, and never resumes it)'}`
        : !started.resumes ? started.summary
          : again ? `again: the restore of ${started.resumes.instance} from ${started.resumes.source}`
            : `the restore of ${started.resumes.instance} from ${started.resumes.source} (a new instance, or the one an earlier run of this request created, resumed)`;
      say(`Started ${what}\n  execution ${execution.executionArn}`);
      return execution.executionArn!;
    };
    let executionArn: string;
    // The request of the execution followed (a rerun's has a request id of its own).
    let followed = request;
    try {
      executionArn = await start(request);
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') {
        throw error;
      }
      const existingArn = executionArnFor(stateMachineArn, request.name);
      const existing = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: existingArn }));
      const startedAt = existing.startDate ? new Date(existing.startDate).toISOString() : 'an earlier time';
      if (existing.status === 'RUNNING') {
        if (existing.input !== undefined && existing.input !== JSON.stringify(request.input)) {
          throw new UsageError(`an execution named ${request.name} exists with a different input; it is not this request`);
        }
        say(`This request was already started at ${startedAt} and is still running; following it instead of restoring twice\n  execution ${existingArn}`);
        executionArn = existingArn;
      } else {
        // Step Functions keeps a closed execution's name for 90 days: this run gets its own.
        const rerun = buildRequest(parsed.positionals[0], flags, `-rerun-${io.now().toString(36)}`);
        const asNew = rerun.input.requestId !== request.input.requestId
          ? ` as the new request ${String(rerun.input.requestId)}, into a new instance (the earlier execution's instance, if any, is left as it is)`
          : rerun.refusesExisting ? `: the dump restore workflow never resumes or reuses an instance an earlier execution created. It refuses the request (exit 2, nothing created) while an instance ${rerun.refusesExisting} exists, as the one the earlier execution restored does until it is deleted (give another --target for a second copy), and otherwise creates ${rerun.refusesExisting} and loads the dump into it from the start`
            : rerun.resumes ? ` under the same request ${String(rerun.input.requestId)}: the workflow resumes ${rerun.resumes.instance} if the earlier execution created it and it is still there, and restores it from ${rerun.resumes.source} otherwise` : '';
        say(`This request ran before (started at ${startedAt}, ${existing.status}); starting it again${asNew}`);
        executionArn = await start(rerun, true);
        followed = rerun;
      }
    }
    following = executionArn;
    if (flags['no-wait']) {
      if (json) {
        io.stdout.write(`${JSON.stringify({ status: 'RUNNING', executionArn }, null, 2)}\n`);
      }
      return 0;
    }
    const progress = new StepProgress(json ? { write: () => undefined, isTTY: false } : io.stdout, io.now(), io.now);
    let lastId = 0;
    let description: DescribeExecutionOutput;
    const showNewEvents = async (arn: string): Promise<void> => {
      for (const event of await newEvents(clients.sfn, arn, lastId)) {
        lastId = Math.max(lastId, event.id ?? 0);
        const at = event.timestamp ? new Date(event.timestamp).getTime() : io.now();
        if ((event.type === 'TaskStateEntered' || event.type === 'WaitStateEntered') && event.stateEnteredEventDetails?.name) {
          progress.enter(event.stateEnteredEventDetails.name, at);
        } else if (event.type === 'LambdaFunctionFailed' || event.type === 'TaskFailed') {
          const details = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
          progress.note(`${details?.error ?? 'error'}: ${stepErrorNote(executionCause(details?.cause))}`, at);
        }
      }
    };
    for (;;) {
      await showNewEvents(executionArn);
      description = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (description.status !== 'RUNNING' && description.status !== 'PENDING_REDRIVE') {
        // The steps entered and the errors met between the last read and the end.
        await showNewEvents(executionArn);
        break;
      }
      const until = io.now() + pollSeconds * 1000;
      do {
        await io.sleep(Math.min(100, Math.max(0, until - io.now())));
        progress.render();
      } while (io.now() < until);
    }
    progress.finish(description.status ?? 'UNKNOWN', description.stopDate ? new Date(description.stopDate).getTime() : io.now());
    if (description.status === 'SUCCEEDED') {
      const output = description.output ? JSON.parse(description.output) : {};
      if (json) {
        io.stdout.write(`${JSON.stringify({ status: 'SUCCEEDED', executionArn, result: output }, null, 2)}\n`);
      } else {
        say(`Restore succeeded.\n${JSON.stringify(output, null, 2)}`);
        if (request.kind === 'database' && request.input.kind !== 'promote-replica' && output.created === false && output.target?.identifier) {
          say(`The workflow resumed the RDS instance ${String(output.target.identifier)}, created by an earlier execution of this request: it created no new instance.`);
        }
        for (const notice of [disabledEventsNotice(output), completenessNotice(output)]) {
          if (notice) {
            say(notice);
          }
        }
      }
      return 0;
    }
    // An execution that ended without an error ran no cleanup: both outputs say so and name the tag of what may remain.
    const ended = description.error === undefined ? ENDED_WITHOUT_ERROR[description.status ?? ''] : undefined;
    const tag = ended ? leftBehindTag(followed, executionArn) : undefined;
    const failure = {
      status: description.status, executionArn,
      error: description.error ?? (ended && tag ? `${ended}: what it created may remain, tagged ${tag.key}=${tag.value} (delete it by hand if it is not wanted)` : undefined),
      cause: executionCause(description.cause), mayRemainTagged: tag,
    };
    const rejected = INPUT_ERRORS.has(description.error ?? '');
    if (json) {
      io.stdout.write(`${JSON.stringify(failure, null, 2)}\n`);
    } else {
      io.stderr.write(`Restore ${String(description.status).toLowerCase()}: ${failure.error ?? ''}${rejected ? " (the workflow's checks rejected the request; nothing was created)" : ''}\n${failure.cause}\n`);
    }
    return rejected ? 2 : 1;
  } catch (error) {
    if (error instanceof UsageError || error instanceof StateMachineNotFound || INPUT_ERRORS.has(errorName(error))) {
      io.stderr.write(`cdk-backup-dr restore: ${errorText(error)}\n`);
      return 2;
    }
    const unchecked = flags['dry-run'] ? 'the dry run could not make its checks; the request is NOT checked: ' : '';
    const running = following ? `; the execution ${following} keeps running: run the same command again to follow it` : '';
    io.stderr.write(`cdk-backup-dr restore: ${unchecked}${errorText(error)}${running}\n`);
    return 1;
  }
}

/** The CLI entry point. */
export async function run(args: string[]): Promise<number> {
  return runRestore(args, {
    ...processIo(),
    clients: (region) => ({
      sfn: new SFNClient({ region }), lambda: new LambdaClient({ region }), rds: new RDSClient({ region }), backup: new BackupClient({ region }),
      ec2: new EC2Client({ region }), s3: new S3Client({ region }),
    }),
  });
}
