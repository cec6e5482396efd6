/**
 * The steps of the dump restore workflow (one function, the step chosen by `action`):
 * validate -> create -> status (until available) -> load (until done) -> verify -> protect,
 * and cleanup when a step after create fails.
 *
 * Environment (set by `DumpRestoreWorkflow`): DAILY_BUCKET, ARCHIVE_BUCKET (optional),
 * IDENTIFIER_PREFIX, ENGINE, ENGINE_VERSION, INSTANCE_CLASS, ALLOCATED_STORAGE (GiB),
 * SUBNET_GROUP, SECURITY_GROUP_IDS (comma-separated), KMS_KEY_ID, PARAMETER_GROUP (optional),
 * BACKUP_RETENTION_DAYS, AVAILABLE_WITHIN_MINUTES, DATABASE_TLS (`required`, or `disabled`
 * for the local tests only), WORKFLOW_ID.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import * as mysql from 'mysql2/promise';
import { Readable } from 'node:stream';
import {
  checkTables, describeProblems, errorText, mergeReports, replicaDisabledEvents, report, ReplicaDisabledEvents, verifyAgainstManifest,
} from '../../core/restore-verification';
import { readTextObject } from '../../core/dump/objects';
import { parseManifest } from '../../core/dump/manifest';
import { RESTORE_ERROR_CHARACTERS, withBoundedErrors } from '../../core/restore-workflows/bounded-error';
import { ExecutionIdentity, RestoreCheckError, RestoreInputError, inputObject, rethrowFor } from '../../core/restore-workflows/common';
import {
  DumpRestorePlan, createInstance, deleteCreatedInstance, instanceState, planDumpRestore, protectInstance,
} from '../../core/restore-workflows/dump';
import { loadDump } from './load-dump';
import { settingsFromEnvironment } from './settings';

const s3 = new S3Client({});
const rds = new RDSClient({});
const secrets = new SecretsManagerClient({});

/** Time kept free at the end of a load invocation, in milliseconds. */
export const LOAD_MARGIN_MS = 90_000;

export interface DumpRestoreEvent {
  readonly action: 'validate' | 'create' | 'status' | 'load' | 'verify' | 'protect' | 'cleanup';
  /** `$$.Execution.Name`. */
  readonly execution: string;
  /** `$$.Execution.Id` (create, cleanup). */
  readonly executionId?: string;
  /** `$$.Execution.StartTime` (create, cleanup: an instance created before it is an earlier execution's of the same name). */
  readonly executionStartTime?: string;
  /** The workflow input (validate). */
  readonly input?: unknown;
  /** The validated plan (every later step). */
  readonly plan?: DumpRestorePlan;
  /** Statements applied by the earlier load invocations (load). */
  readonly statementsApplied?: number;
}

/** Connection options for the new instance, from its managed master user secret. */
async function connectionOptions(plan: DumpRestorePlan): Promise<mysql.ConnectionOptions> {
  const state = await instanceState(rds, plan.targetInstanceIdentifier, '9999-12-31T00:00:00Z');
  if (!state.endpoint || !state.secretArn) {
    throw new RestoreCheckError(`RDS instance ${plan.targetInstanceIdentifier} has no endpoint or master user secret yet (status ${state.status})`);
  }
  let secret: { username?: string; password?: string };
  try {
    const response = await secrets.send(new GetSecretValueCommand({ SecretId: state.secretArn }));
    secret = JSON.parse(response.SecretString ?? '{}');
  } catch (error) {
    rethrowFor(`secret ${state.secretArn} of RDS instance ${plan.targetInstanceIdentifier}`, error);
  }
  return {
    host: state.endpoint,
    port: state.port ?? 3306,
    user: secret.username,
    password: secret.password,
    connectTimeout: 20_000,
    ssl: process.env.DATABASE_TLS === 'disabled' ? undefined : 'Amazon RDS',
  };
}

function requirePlan(event: DumpRestoreEvent): DumpRestorePlan {
  if (!event.plan) {
    throw new Error(`restore-dump: action '${event.action}' needs the plan of the validate step`);
  }
  return event.plan;
}

function identityOf(event: DumpRestoreEvent): ExecutionIdentity {
  if (!event.executionId || !event.executionStartTime) {
    throw new Error(`restore-dump: action '${event.action}' needs the execution's id and start time ($$.Execution.Id, $$.Execution.StartTime)`);
  }
  return { id: event.executionId, startTime: event.executionStartTime };
}

async function load(event: DumpRestoreEvent, context?: Context): Promise<{ done: boolean; statementsApplied: number; statementsExecuted: number }> {
  const plan = requirePlan(event);
  const connection = await connectionOptions(plan);
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: plan.bucket, Key: plan.dumpKey }));
  } catch (error) {
    rethrowFor(`s3://${plan.bucket}/${plan.dumpKey}`, error);
  }
  if (!response.Body) {
    throw new Error(`s3://${plan.bucket}/${plan.dumpKey}: the response has no body`);
  }
  const remaining = context?.getRemainingTimeInMillis?.() ?? 900_000;
  const result = await loadDump({
    source: response.Body as Readable,
    connection,
    resumeAfter: event.statementsApplied ?? 0,
    // The new instance has none of the source's users, and RDS's master user may not create objects for another definer.
    stripDefiners: true,
    // The loader applies at least one statement per invocation, so even a late start makes progress.
    deadline: Date.now() + Math.max(remaining - LOAD_MARGIN_MS, 0),
  });
  if (result.done && result.sha256 !== plan.dumpSha256) {
    throw new RestoreCheckError(`s3://${plan.bucket}/${plan.dumpKey}: SHA-256 of the loaded bytes is ${result.sha256}, the manifest records ${plan.dumpSha256}`);
  }
  return { done: result.done, statementsApplied: result.statementsApplied, statementsExecuted: result.statementsExecuted };
}

/** What the Verify step returns (kept small: Step Functions payloads are limited to 256 KB). */
export interface DumpVerification {
  /**
   * `ok`, or `unknown` when a check could not run, row counts were not comparable with the
   * manifest, or the manifest notes that the dump may be incomplete (`completenessNotes`).
   */
  readonly status: string;
  readonly checks: number;
  readonly summary: string;
  /** The checks that are not `ok` (at most `MAX_PROBLEMS` lines), when there are any. */
  readonly problems?: string[];
  /** Events the dump brought back `SLAVESIDE_DISABLED` (it was taken from a replica), when there are any: left disabled. */
  readonly disabledEvents?: ReplicaDisabledEvents & { readonly note: string };
  /** Why the dump may lack what its user could not see (the manifest's `completenessNotes`), when it says so. */
  readonly completenessNotes?: string[];
  /** Why the events could not be listed, when they could not: whether any are disabled is unknown. */
  readonly disabledEventsUnknown?: string;
}

/** How many disabled events the result lists (a few hundred bytes each, in a payload of at most 256 KB). */
const MAX_LISTED_EVENTS = 100;

/** The events left disabled on the new instance, as the result reports them. */
async function disabledEvents(connection: mysql.Connection, schemas: readonly string[]): Promise<Pick<DumpVerification, 'disabledEvents' | 'disabledEventsUnknown'>> {
  let found: ReplicaDisabledEvents;
  try {
    found = await replicaDisabledEvents(connection, schemas, MAX_LISTED_EVENTS);
  } catch (error) {
    return { disabledEventsUnknown: `the events of the restored databases could not be listed, so whether any are disabled (DISABLE ON SLAVE) is unknown: ${errorText(error)}` };
  }
  if (found.total === 0) {
    return {};
  }
  return {
    disabledEvents: {
      ...found,
      note: found.listAll === undefined
        ? `${found.total} events are disabled on this instance (DISABLE ON SLAVE: the dump was taken from a replica) and will not run; the restore leaves them so. After cutting over to this instance, run enableAfterCutover on it.`
        : `${found.total} events are disabled on this instance (DISABLE ON SLAVE: the dump was taken from a replica) and will not run; the restore leaves them so. ` +
          `The first ${found.events.length} are listed; after cutting over to this instance, run on it the statements that listAll writes.`,
    },
  };
}

/** How many problem lines the result keeps. */
const MAX_PROBLEMS = 20;

async function verify(event: DumpRestoreEvent): Promise<DumpVerification> {
  const plan = requirePlan(event);
  const manifest = parseManifest(await readTextObject(s3, plan.bucket, plan.manifestKey));
  const connection = await mysql.createConnection({ ...(await connectionOptions(plan)), multipleStatements: false });
  try {
    const verification = mergeReports(
      await checkTables(connection, { schemas: manifest.databases }),
      await verifyAgainstManifest(connection, manifest),
    );
    // A check that failed fails the restore; one that could not run, or whose counts cannot be
    // compared, leaves the copy unverified (status unknown, the reasons in `problems`), as the
    // database restore hands over its copy with `verified: false`.
    const failed = verification.checks.filter((check) => check.status === 'failed');
    if (failed.length > 0) {
      throw new RestoreCheckError(`the restored instance ${plan.targetInstanceIdentifier} does not match the dump of run ${manifest.runId} (failed):\n${describeProblems(verification)}`);
    }
    const notes = { ...(await disabledEvents(connection, manifest.databases)), ...(manifest.completenessNotes ? { completenessNotes: manifest.completenessNotes } : {}) };
    // The checks compare with the manifest, which shares the dump's blind spots: they cannot
    // tell whether it is complete, so the copy is not verified (as the freshness check reads it).
    const incomplete = manifest.completenessNotes
      ? `whether the dump is complete is unknown (its manifest's completenessNotes: ${manifest.completenessNotes.length} ${manifest.completenessNotes.length === 1 ? 'note' : 'notes'}), and the checks compare with that manifest, so they cannot tell`
      : undefined;
    const unknown = verification.checks.filter((check) => check.status === 'unknown');
    if (unknown.length === 0) {
      const summary = `${verification.checks.length} checks ok: CHECK TABLE, row counts and checksums of ${manifest.tables.length} tables`;
      return incomplete
        ? { status: 'unknown', checks: verification.checks.length, summary: `${summary}; ${incomplete}`, ...notes }
        : { status: verification.status, checks: verification.checks.length, summary, ...notes };
    }
    const notComparable = unknown.filter((check) => check.notComparable).length;
    const reasons = [
      ...(notComparable > 0 && !manifest.replicationPaused ? [`the row counts of ${notComparable} tables are unknown: the dump was taken without pausing replication, so its manifest cannot verify them`] : []),
      ...(notComparable > 0 && manifest.replicationPaused
        ? [`${notComparable} row counts or checksums differ from the manifest while the server runs enabled events (event_scheduler ON), which may have changed them since the load`]
        : []),
      ...(unknown.length > notComparable ? [`${unknown.length - notComparable} checks could not run`] : []),
      ...(incomplete ? [incomplete] : []),
    ];
    const problems = describeProblems(report(unknown)).split('\n');
    return {
      status: verification.status,
      checks: verification.checks.length,
      summary: `${verification.checks.length - unknown.length} checks ok; ${reasons.join('; ')}`,
      problems: problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more`] : problems,
      ...notes,
    };
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

async function step(event: DumpRestoreEvent, context?: Context): Promise<unknown> {
  const settings = settingsFromEnvironment();
  switch (event.action) {
    case 'validate':
      return planDumpRestore({ s3, rds }, settings, inputObject(event.input));
    case 'create':
      return createInstance(rds, settings, requirePlan(event), event.execution, identityOf(event));
    case 'status': {
      const plan = requirePlan(event);
      return instanceState(rds, plan.targetInstanceIdentifier, plan.availableBy);
    }
    case 'load':
      return load(event, context);
    case 'verify':
      return verify(event);
    case 'protect': {
      const plan = requirePlan(event);
      await protectInstance(rds, plan.targetInstanceIdentifier, settings.backupRetentionDays);
      return { deletionProtection: true, backupRetentionDays: settings.backupRetentionDays };
    }
    case 'cleanup': {
      const plan = requirePlan(event);
      return deleteCreatedInstance(rds, plan.targetInstanceIdentifier, event.execution, settings.workflowId, identityOf(event), plan.keepOnFailure);
    }
    default:
      throw new RestoreInputError(`restore-dump: unknown action ${JSON.stringify((event as { action?: unknown }).action)}; allowed: validate, create, status, load, verify, protect, cleanup`);
  }
}

/** Errors are cut to fit a failed restore's cause (with the cleanup's error, should cleanup fail too). */
export const handler = withBoundedErrors(step, RESTORE_ERROR_CHARACTERS);
