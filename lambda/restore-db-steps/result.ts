/**
 * The machine-readable result of the workflow (success and failure) and the drill metrics.
 */
import { CloudWatchClient, PutMetricDataCommand, StandardUnit, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { RESTORE_ERROR_CHARACTERS, boundedText } from '../../core/restore-workflows/bounded-error';
import type { VerificationSummary } from '../restore-db-verify/verify-restored';
import type { CleanupResult } from './cleanup';
import { aws } from './errors';
import { REQUEST_ID, type RestorePlan, type RestoreProgress, type RestoreStatus, type StepsConfig } from './types';

export type { VerificationSummary };

/** The output of a successful execution. */
export interface RestoreResult {
  readonly status: 'SUCCEEDED';
  readonly requestId: string;
  readonly kind: string;
  readonly drill: boolean;
  readonly source: string;
  readonly target: { readonly identifier: string; readonly endpoint?: string; readonly port?: number; readonly arn?: string };
  /** The snapshot id, recovery point ARN or restore time the data came from. */
  readonly restoredFrom: string;
  readonly backupTime: string;
  /** True only when every verification check passed. */
  readonly verified: boolean;
  readonly verification?: VerificationSummary;
  /** Minutes from the start of the execution to the end of the verification. */
  readonly recoveryTimeMinutes: number;
  /**
   * Minutes of data lost: from the newest restored row to the live source's newest row at or
   * before the start of the execution (or, when the source cannot be read, to the start; without
   * a timestamp column, from the backup time to the start); absent when it cannot be measured.
   */
  readonly recoveryPointMinutes?: number;
  /** `source-newest-row`, `newest-row-source-unread` or `backup-time`: what `recoveryPointMinutes` was measured (or tried to be measured) from. */
  readonly recoveryPointBasis?: string;
  /** The times the measure used, and why the source was not used when it was not. */
  readonly recoveryPointDetail?: string;
  /** Why the recovery point could not be measured (e.g. a newest row later than the backup could hold). */
  readonly recoveryPointUnknown?: string;
  /** False when a repeated request resumed the target an earlier (or a concurrent) execution created. */
  readonly created: boolean;
  /** Why the target is another execution's, when this execution's restore job ended without creating it. */
  readonly resumed?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The drill's deletion of its scratch instance. */
  readonly cleanup?: CleanupResult;
}

function minutesBetween(from: string, to: string): number {
  return Math.max(0, Math.round(((new Date(to).getTime() - new Date(from).getTime()) / 60_000) * 100) / 100);
}

/**
 * How far a time in the copy may run ahead of the point its backup holds before it counts as
 * wrong: the database's, the application's and AWS's clocks may disagree by seconds.
 */
export const CLOCK_SKEW_TOLERANCE_MINUTES = 1;

interface RecoveryPointMeasure {
  readonly minutes?: number;
  readonly basis?: string;
  readonly detail?: string;
  readonly unknown?: string;
}

/**
 * The data lost. The reference is the start of the execution for every kind of restore: a
 * drill stands for a disaster at its start, and what a restore then lacks counts, also the rows
 * written after the backup's point (a snapshot's age, the latest restorable time's lag).
 *
 * - `source-newest-row`: the live source's newest row at or before the start, minus the newest
 *   restored row (never negative): a quiet source loses nothing, whatever its quiet time.
 * - `newest-row-source-unread`: the source could not be read (gone, unreachable, a column it
 *   lacks): the start minus the newest restored row, which counts a quiet time as lost.
 * - `backup-time`: no timestamp column in the copy: the start minus the backup time.
 *
 * The copy can hold data newer than the start only up to the point its backup holds (a backup
 * chosen after the start, such as the latest restorable time), and nothing newer than the end
 * of the restore: a time beyond that means a wrong clock or a column that does not record when
 * rows were written, so the data lost is unknown, not 0.
 */
function measureRecoveryPoint(plan: RestorePlan, verification: VerificationSummary | undefined, finishedAt: string): RecoveryPointMeasure {
  if (plan.kind === 'promote-replica') {
    return {};
  }
  const newestRow = verification?.newestRow?.status === 'ok' ? verification.newestRow.time : undefined;
  const source = verification?.sourceNewestRow;
  const fromSource = newestRow !== undefined && source?.status === 'ok' && source.time !== undefined ? source.time : undefined;
  const basis = newestRow ? (fromSource ? 'source-newest-row' : 'newest-row-source-unread') : 'backup-time';
  const from = newestRow ?? plan.backupTime;
  const what = newestRow ? `the newest restored row (${from})` : `the backup time (${from})`;
  const fromMs = Date.parse(from);
  if (!from || Number.isNaN(fromMs)) {
    return { basis, unknown: `${what} is not a time` };
  }
  const startMs = Date.parse(plan.startedAt);
  const backupMs = Date.parse(plan.backupTime);
  const holdsUpTo = Math.min(Math.max(startMs, Number.isNaN(backupMs) ? startMs : backupMs), Date.parse(finishedAt));
  const aheadMinutes = (fromMs - holdsUpTo) / 60_000;
  if (aheadMinutes > CLOCK_SKEW_TOLERANCE_MINUTES) {
    const limit = holdsUpTo === startMs ? `the start of the restore (${plan.startedAt})` : `the point the backup holds (${new Date(holdsUpTo).toISOString()})`;
    return {
      basis,
      unknown: `${what} is ${Math.round(aheadMinutes * 100) / 100} minutes after ${limit}: a clock is wrong or the timestamp column does not record when rows were written, so the data lost cannot be measured`,
    };
  }
  if (fromSource) {
    return {
      basis,
      minutes: minutesBetween(from, fromSource),
      detail: `the source's newest row at or before the start (${plan.startedAt}) is ${fromSource} (${source!.column}), the newest restored row ${from}; `
        + `the backup holds up to ${plan.backupTime}: rows written after it and before the start count as lost`,
    };
  }
  if (newestRow) {
    return {
      basis,
      minutes: minutesBetween(from, plan.startedAt),
      detail: `the source's newest row at the start could not be read (${source?.detail ?? 'not given'}): measured from the newest restored row (${from}) to the start (${plan.startedAt}), so a time without writes before the start counts as lost`,
    };
  }
  return { basis, minutes: minutesBetween(from, plan.startedAt), detail: `no timestamp column was read on the copy (${verification?.newestRow?.detail ?? 'not verified'}): measured from the backup time (${from}) to the start (${plan.startedAt})` };
}

function restoredFrom(plan: RestorePlan): string {
  if (plan.snapshot) {
    return plan.snapshot.identifier;
  }
  if (plan.recoveryPoint) {
    return plan.recoveryPoint.arn;
  }
  if (plan.restoreTime) {
    return plan.restoreTime.latest ? `latest restorable time (${plan.restoreTime.time})` : plan.restoreTime.time;
  }
  return plan.kind === 'promote-replica' ? `replica of ${plan.source.identifier}` : 'unknown';
}

/** The result of an execution that reached the end. */
export function buildResult(plan: RestorePlan, progress: RestoreProgress, status: RestoreStatus, verification: VerificationSummary | undefined, now: Date = new Date()): RestoreResult {
  const finishedAt = now.toISOString();
  const recoveryPoint = measureRecoveryPoint(plan, verification, finishedAt);
  return {
    status: 'SUCCEEDED',
    requestId: plan.requestId,
    kind: plan.kind,
    drill: plan.drill,
    source: plan.source.identifier,
    target: { identifier: progress.targetIdentifier, endpoint: status.endpoint, port: status.port, arn: status.arn },
    restoredFrom: restoredFrom(plan),
    backupTime: plan.backupTime,
    verified: verification?.status === 'ok',
    verification,
    recoveryTimeMinutes: minutesBetween(plan.startedAt, finishedAt),
    recoveryPointMinutes: recoveryPoint.minutes,
    recoveryPointBasis: recoveryPoint.basis,
    recoveryPointDetail: recoveryPoint.detail,
    recoveryPointUnknown: recoveryPoint.unknown,
    // The start step's word, unless the instance waited for turned out to be another execution's.
    created: progress.created && status.resumed === undefined,
    resumed: status.resumed,
    startedAt: plan.startedAt,
    finishedAt,
  };
}

/** The `Cause` of a failed execution: a JSON document. */
export interface FailureResult {
  readonly status: 'FAILED';
  readonly requestId?: string;
  readonly kind?: string;
  readonly drill?: boolean;
  readonly error: string;
  readonly cause: string;
  readonly target?: string;
  readonly cleanup?: CleanupResult;
  /** Why a failed drill could not be counted (`DrillFailures`), when it could not. */
  readonly drillFailureNotRecorded?: string;
}

/** The step error as Step Functions hands it to a Catch: `{ Error, Cause }`, the Cause being Lambda's JSON error document. */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

/** What every failure document says: the request, the error caught and its message. */
export function failureHead(event: { request?: { requestId?: unknown; drill?: unknown }; error?: CaughtError }, plan: RestorePlan | undefined): Omit<FailureResult, 'target' | 'cleanup'> {
  return {
    status: 'FAILED',
    // Before a plan, the raw request's id, if valid: a rejected one may be of any length (its error quotes it, cut).
    requestId: plan?.requestId ?? (typeof event.request?.requestId === 'string' && REQUEST_ID.test(event.request.requestId) ? event.request.requestId : undefined),
    kind: plan?.kind,
    drill: plan?.drill ?? event.request?.drill === true,
    error: event.error?.Error ?? 'RestoreFailed',
    cause: causeMessage(event.error),
  };
}

/**
 * The message inside a caught error (Lambda's `errorMessage`, or the raw cause, such as a failed
 * verification's whole summary), cut at RESTORE_ERROR_CHARACTERS in JSON as the other restore
 * functions cut their errors: a failure document holds the restore's error and, when the cleanup
 * did not finish, the cleanup's, and it becomes a cause of at most 32,768 characters.
 */
export function causeMessage(error: CaughtError | undefined): string {
  return boundedText(rawCauseMessage(error?.Cause ?? ''), RESTORE_ERROR_CHARACTERS, error?.Error ?? 'Error');
}

function rawCauseMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause);
    if (parsed && typeof parsed.errorMessage === 'string') {
      return parsed.errorMessage;
    }
  } catch {
    // not JSON: the cause itself
  }
  return cause || 'no cause given';
}

/** The dimension of the drill metrics. */
export const METRIC_DIMENSION = 'Database';

/**
 * A drill whose recovery point could not be measured: it proved the restore but not the data
 * lost, so it counts as a failed drill (the workflow's cleanup deletes the scratch instance
 * and puts `DrillFailures` = 1) rather than as a drill that met its recovery point.
 */
export class DrillNotMeasured extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillNotMeasured';
  }
}

/**
 * Puts the drill's recovery time and recovery point (minutes) as CloudWatch metrics, with
 * `DrillFailures` = 0. A drill whose recovery point is unknown puts its recovery time only
 * and throws `DrillNotMeasured`.
 */
export async function recordDrill(cloudwatch: CloudWatchClient, config: StepsConfig, result: RestoreResult, now: Date = new Date()): Promise<void> {
  const dimensions = [{ Name: METRIC_DIMENSION, Value: result.source }];
  const measured = result.recoveryPointMinutes !== undefined;
  const data: MetricDatum[] = [
    { MetricName: 'RecoveryTimeMinutes', Value: result.recoveryTimeMinutes, Unit: StandardUnit.None, Dimensions: dimensions, Timestamp: now },
  ];
  if (measured) {
    data.push(
      { MetricName: 'RecoveryPointMinutes', Value: result.recoveryPointMinutes!, Unit: StandardUnit.None, Dimensions: dimensions, Timestamp: now },
      { MetricName: 'DrillFailures', Value: 0, Unit: StandardUnit.Count, Dimensions: dimensions, Timestamp: now },
    );
  }
  await aws(`PutMetricData ${config.metricNamespace}`, () => cloudwatch.send(new PutMetricDataCommand({ Namespace: config.metricNamespace, MetricData: data })));
  if (!measured) {
    throw new DrillNotMeasured(`the drill restored and verified ${result.target.identifier}, but its recovery point is unknown: ${result.recoveryPointUnknown ?? 'no newest row and no backup time'}; the drill counts as failed`);
  }
}

/** Puts a failed drill as a CloudWatch metric (`DrillFailures` = 1). */
export async function recordDrillFailure(cloudwatch: CloudWatchClient, config: StepsConfig, source: string, now: Date = new Date()): Promise<void> {
  await aws(`PutMetricData ${config.metricNamespace}`, () => cloudwatch.send(new PutMetricDataCommand({
    Namespace: config.metricNamespace,
    MetricData: [{ MetricName: 'DrillFailures', Value: 1, Unit: StandardUnit.Count, Dimensions: [{ Name: METRIC_DIMENSION, Value: source }], Timestamp: now }],
  })));
}
