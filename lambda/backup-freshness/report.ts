/**
 * The outputs of a run: CloudWatch metrics in embedded metric format (EMF) on stdout, and
 * a JSON report in S3.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CheckResult, CheckStatus, STATUS_CODES, worstStatus } from './checks';
import { FreshnessOutputs } from './config';

/** The `Check` dimension of the run's overall status. */
export const OVERALL_CHECK = 'backup-freshness';

/** The JSON report of one run. */
export interface FreshnessReport {
  readonly check: typeof OVERALL_CHECK;
  readonly resource: string;
  /** ISO 8601 UTC time of the run. */
  readonly checkedAt: string;
  /** The worst status of all checks; `unknown` when nothing was configured or checked. */
  readonly status: CheckStatus;
  readonly summary: Record<CheckStatus, number>;
  readonly results: CheckResult[];
  /** Why nothing was checked (an invalid configuration). */
  readonly reason?: string;
}

/** Builds the report of a run. */
export function buildReport(outputs: Pick<FreshnessOutputs, 'resourceName'>, results: CheckResult[], now: Date): FreshnessReport {
  const summary: Record<CheckStatus, number> = { ok: 0, stale: 0, missing: 0, corrupt: 0, unknown: 0 };
  for (const result of results) {
    summary[result.status]++;
  }
  return { check: OVERALL_CHECK, resource: outputs.resourceName, checkedAt: now.toISOString(), status: worstStatus(results.map((r) => r.status)), summary, results };
}

/** The report of a run that could not check anything: `unknown`, with the reason. */
export function unknownReport(resourceName: string, reason: string, now: Date): FreshnessReport {
  return { ...buildReport({ resourceName }, [], now), status: 'unknown', reason };
}

/**
 * The EMF documents of a run: per check `BackupAgeHours` (when a copy was found) and
 * `CheckStatus` with the dimensions `Check`, `Resource`, `Tier`, `Region`; and the run's
 * overall `CheckStatus` with the dimensions `Check` (`backup-freshness`) and `Resource`.
 * Status values: 0 ok, 1 stale/missing/corrupt, 2 unknown.
 */
export function metricDocuments(outputs: Pick<FreshnessOutputs, 'metricNamespace' | 'resourceName'>, report: FreshnessReport, now: Date): object[] {
  const documents: object[] = report.results.map((result) => {
    const metrics: Array<{ Name: string; Unit: string }> = [{ Name: 'CheckStatus', Unit: 'None' }];
    const values: Record<string, number> = { CheckStatus: STATUS_CODES[result.status] };
    if (result.ageHours !== undefined) {
      metrics.push({ Name: 'BackupAgeHours', Unit: 'None' });
      values.BackupAgeHours = result.ageHours;
    }
    return {
      _aws: { Timestamp: now.getTime(), CloudWatchMetrics: [{ Namespace: outputs.metricNamespace, Dimensions: [['Check', 'Resource', 'Tier', 'Region']], Metrics: metrics }] },
      Check: result.kind,
      Resource: result.resource,
      Tier: result.tier,
      Region: result.region,
      ...values,
      status: result.status,
      detail: result.detail,
    };
  });
  documents.push({
    _aws: { Timestamp: now.getTime(), CloudWatchMetrics: [{ Namespace: outputs.metricNamespace, Dimensions: [['Check', 'Resource']], Metrics: [{ Name: 'CheckStatus', Unit: 'None' }] }] },
    Check: OVERALL_CHECK,
    Resource: outputs.resourceName,
    CheckStatus: STATUS_CODES[report.status],
    status: report.status,
  });
  return documents;
}

/**
 * Writes EMF documents, one per line, straight to stdout: with the JSON log format Lambda
 * wraps `console.log` output in its own JSON, which CloudWatch does not read as EMF.
 */
export function emitMetrics(documents: object[], write: (line: string) => void = (line) => process.stdout.write(line)): void {
  for (const document of documents) {
    write(`${JSON.stringify(document)}\n`);
  }
}

/** The key of a run's report: `<prefix>backup-freshness/YYYY/MM/DD/<time>.json`. */
export function reportKey(prefix: string, now: Date): string {
  const iso = now.toISOString();
  return `${prefix}${OVERALL_CHECK}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.replace(/[:]/g, '-')}.json`;
}

/** Stores the report; errors are re-thrown with the bucket and key. */
export async function storeReport(s3: S3Client, outputs: Pick<FreshnessOutputs, 'reportBucket' | 'reportPrefix'>, report: FreshnessReport, now: Date): Promise<string> {
  const key = reportKey(outputs.reportPrefix, now);
  try {
    await s3.send(new PutObjectCommand({
      Bucket: outputs.reportBucket,
      Key: key,
      Body: `${JSON.stringify(report, null, 2)}\n`,
      ContentType: 'application/json',
    }));
  } catch (error) {
    throw new Error(`backup-freshness: could not store the report at s3://${outputs.reportBucket}/${key}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  return `s3://${outputs.reportBucket}/${key}`;
}
