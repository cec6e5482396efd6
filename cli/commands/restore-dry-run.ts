/**
 * `restore ... --dry-run`: the checks of the workflow's own Validate step (the same code, with
 * the configuration the step's function runs with) and, for objects, the read-only step that
 * follows it (the planning scan, or an archive restore's listing of the objects to retrieve). Every call is a read: nothing is started or created.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { errorText } from '../../core/restore-workflows/common';
import { planDumpRestore } from '../../core/restore-workflows/dump';
import { listArchive, newScan, planObjectRestore, planScan } from '../../core/restore-workflows/objects';
import { planVolumeRestore } from '../../core/restore-workflows/volume';
import { settingsFromEnvironment as dumpSettings } from '../../lambda/restore-dump/settings';
import { settingsFromEnvironment as objectSettings } from '../../lambda/restore-objects/settings';
import { configFromEnvironment, type RestoreRequest as DatabaseRequest } from '../../lambda/restore-db-steps/types';
import { validateRequest } from '../../lambda/restore-db-steps/validate';
import { settingsFromEnvironment as volumeSettings } from '../../lambda/restore-volume/settings';
import { readValidateStep } from '../validate-step';
import type { RestoreRequest } from './restore';

/** The clients a dry run reads with. */
export interface DryRunClients {
  readonly sfn: SFNClient;
  readonly lambda: LambdaClient;
  readonly rds: RDSClient;
  readonly backup: BackupClient;
  readonly ec2: EC2Client;
  readonly s3: S3Client;
}

/** The outcome of a dry run: the plan the workflow would follow, and what it checked with. */
export interface DryRunResult {
  /** The function whose configuration the checks used. */
  readonly checkedWith: string;
  readonly plan: unknown;
  /** Something the operator should know before running it. */
  readonly note?: string;
}

/** The workflow's settings from its function's environment, or an error naming the function. */
function settings<T>(functionName: string, kind: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Error(`the Validate function ${functionName} is not configured as a ${kind} restore workflow (${errorText(error)}); check --state-machine`);
  }
}

/** Checks the request as the workflow's Validate step would; throws its input error when the request is wrong. */
export async function dryRun(request: RestoreRequest, stateMachineArn: string, clients: DryRunClients, now: Date): Promise<DryRunResult> {
  const step = await readValidateStep(clients.sfn, clients.lambda, stateMachineArn);
  const env = step.environment;
  const checkedWith = step.functionName;
  switch (request.kind) {
    case 'database': {
      const config = settings(checkedWith, 'database', () => configFromEnvironment(env));
      const plan = await validateRequest(
        { rds: clients.rds, backup: clients.backup }, config, request.input as DatabaseRequest, { name: request.name, startTime: now.toISOString() }, now, { dryRun: true },
      );
      const input = request.input as Record<string, unknown>;
      const movesOn = [input.snapshot, input.recoveryPoint, input.restoreTime].some((value) => value === 'newest' || value === 'latest');
      // A rerun of a moving source after its execution ended is a new request: into a new instance
      // when the target is derived from the request, refused when --target names this one.
      const afterEnd = typeof input.targetIdentifier === 'string'
        ? `once it has ended, the workflow refuses it, as ${input.targetIdentifier} exists: run it with another --target`
        : 'once it has ended, running it restores into a new instance; once Step Functions has forgotten that execution (90 days after it ended), '
          + 'the workflow refuses it: run it with --target <new instance id>';
      const resumes = movesOn ? `running it while that execution runs follows it; ${afterEnd}` : 'running it resumes that restore';
      const note = plan.existing ? `${plan.target.identifier} was already ${plan.kind === 'promote-replica' ? 'promoted' : 'created'} by this request (${plan.requestId}): ${resumes}` : undefined;
      return { checkedWith, plan, note };
    }
    case 'volume':
      return { checkedWith, plan: await planVolumeRestore(clients.ec2, settings(checkedWith, 'volume', () => volumeSettings(env)), request.input, now) };
    case 'objects': {
      const plan = await planObjectRestore(clients.s3, settings(checkedWith, 'objects', () => objectSettings(env)), request.input, now);
      if (plan.mode === 'archive') {
        // The workflow's ListArchive step, which refuses a prefix with no objects or more than it takes, before any retrieval.
        return { checkedWith, plan: { ...plan, wouldRetrieve: await listArchive(clients.s3, plan) } };
      }
      let scan = newScan();
      while (!scan.cursor.done) {
        scan = await planScan(clients.s3, plan, scan, Date.now() + 60_000);
      }
      return { checkedWith, plan: { ...plan, wouldCopy: scan.counts } };
    }
    case 'dump':
      return { checkedWith, plan: await planDumpRestore({ s3: clients.s3, rds: clients.rds }, settings(checkedWith, 'dump', () => dumpSettings(env)), request.input, now) };
  }
}
