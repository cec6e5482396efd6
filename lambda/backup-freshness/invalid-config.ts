/**
 * A run whose configuration is invalid checks nothing: it is `unknown` with the reason, like
 * any other run that could not check. Its metric and report are written wherever the
 * configuration still names them; the run fails (the function's `Errors` alarm) when either
 * has nowhere to go or could not be written.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { FreshnessOutputs } from './config';
import { emitMetrics, FreshnessReport, metricDocuments, storeReport, unknownReport } from './report';

/** Publishes the `unknown` outcome of a run that could not read its configuration. */
export async function reportInvalidConfig(
  error: unknown, outputs: Partial<FreshnessOutputs>, s3: S3Client, now: Date, write?: (line: string) => void,
): Promise<FreshnessReport & { reportLocation: string }> {
  const reason = `the configuration is invalid: ${error instanceof Error ? error.message : String(error)}`;
  const { resourceName, metricNamespace, reportBucket, reportPrefix } = outputs;
  const name = resourceName ?? '(resourceName not set)';
  const report = unknownReport(name, reason, now);
  if (metricNamespace && resourceName) {
    emitMetrics(metricDocuments({ metricNamespace, resourceName }, report, now), write);
  }
  const reportLocation = reportBucket && reportPrefix !== undefined ? await storeReport(s3, { reportBucket, reportPrefix }, report, now) : '';
  const missing = [
    ...(metricNamespace && resourceName ? [] : ['the metric (metricNamespace and resourceName)']),
    ...(reportLocation ? [] : ['the report (reportBucket and reportPrefix)']),
  ];
  if (missing.length > 0) {
    throw new Error(`backup-freshness of ${name} (status unknown): ${missing.join(' and ')} could not be written: ${reason}`);
  }
  return { ...report, reportLocation };
}
