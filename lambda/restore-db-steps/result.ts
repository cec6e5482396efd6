/**
 * The machine-readable result of the workflow (success and failure) and the drill metrics.
 */
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { VerificationSummary } from '../restore-db-verify/verify-restored';
import type { CleanupResult } from './cleanup';
import { aws } from './errors';
import type { RestorePlan, RestoreProgress, RestoreStatus, StepsConfig } from './types';

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
  /** Minutes of data lost: from the newest restored row (or the backup time) to the start of the execution. */
  readonly recoveryPointMinutes?: number;
  /** `newest-row` or `backup-time`: what `recoveryPointMinutes` was measured from. */
  readonly recoveryPointBasis?: string;
  /** False when a repeated request resumed the target an earlier execution created. */
  readonly created: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The drill's deletion of its scratch instance. */
  readonly cleanup?: CleanupResult;
}

function minutesBetween(from: string, to: string): number {
  return Math.max(0, Math.round(((new Date(to).getTime() - new Date(from).getTime()) / 60_000) * 100) / 100);
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
  const newest = verification?.newestRow?.status === 'ok' ? verification.newestRow.time : undefined;
  const recoveryPointFrom = plan.kind === 'promote-replica' ? undefined : newest ?? plan.backupTime;
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
    recoveryPointMinutes: recoveryPointFrom ? minutesBetween(recoveryPointFrom, plan.startedAt) : undefined,
    recoveryPointBasis: recoveryPointFrom ? (newest ? 'newest-row' : 'backup-time') : undefined,
    created: progress.created,
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
}

/** The step error as Step Functions hands it to a Catch: `{ Error, Cause }`, the Cause being Lambda's JSON error document. */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

/** The message inside a caught error (Lambda's `errorMessage`, or the raw cause). */
export function causeMessage(error: CaughtError | undefined): string {
  const cause = error?.Cause ?? '';
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

/** Puts the drill's recovery time and recovery point (minutes) as CloudWatch metrics. */
export async function recordDrill(cloudwatch: CloudWatchClient, config: StepsConfig, result: RestoreResult, now: Date = new Date()): Promise<void> {
  const dimensions = [{ Name: METRIC_DIMENSION, Value: result.source }];
  const data = [
    { MetricName: 'RecoveryTimeMinutes', Value: result.recoveryTimeMinutes, Unit: StandardUnit.None, Dimensions: dimensions, Timestamp: now },
    { MetricName: 'DrillFailures', Value: 0, Unit: StandardUnit.Count, Dimensions: dimensions, Timestamp: now },
  ];
  if (result.recoveryPointMinutes !== undefined) {
    data.push({ MetricName: 'RecoveryPointMinutes', Value: result.recoveryPointMinutes, Unit: StandardUnit.None, Dimensions: dimensions, Timestamp: now });
  }
  await aws(`PutMetricData ${config.metricNamespace}`, () => cloudwatch.send(new PutMetricDataCommand({ Namespace: config.metricNamespace, MetricData: data })));
}

/** Puts a failed drill as a CloudWatch metric (`DrillFailures` = 1). */
export async function recordDrillFailure(cloudwatch: CloudWatchClient, config: StepsConfig, source: string, now: Date = new Date()): Promise<void> {
  await aws(`PutMetricData ${config.metricNamespace}`, () => cloudwatch.send(new PutMetricDataCommand({
    Namespace: config.metricNamespace,
    MetricData: [{ MetricName: 'DrillFailures', Value: 1, Unit: StandardUnit.Count, Dimensions: [{ Name: METRIC_DIMENSION, Value: source }], Timestamp: now }],
  })));
}
