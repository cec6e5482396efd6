/**
 * CloudWatch embedded metric format: one JSON line on stdout becomes the metrics
 * `CheckStatus` (0 consistent, 1 drift, 2 unknown), `DriftedRows` and `ReplicaLagSeconds`
 * with the dimensions `Check=replica-consistency` and `Resource=<name>`.
 */
import type { CheckStatus } from '../../core/consistency/report';
import { STATUS_CODE } from '../../core/consistency/report';

/** The `Check` dimension value of this function's metrics. */
export const CHECK_NAME = 'replica-consistency';

/**
 * The EMF line of one run. `ReplicaLagSeconds` is left out when the lag is not known, and
 * `DriftedRows` when the run is unknown (the rows it did not compare may differ): a 0 would turn
 * their alarms to OK, and notify so, on a run that could not tell.
 */
export function metricLine(namespace: string, resourceName: string, status: CheckStatus, driftedRows: number, lagSeconds: number | null, at: Date): string {
  const metrics: Array<{ Name: string; Unit: string }> = [{ Name: 'CheckStatus', Unit: 'None' }];
  const values: Record<string, number> = { CheckStatus: STATUS_CODE[status] };
  if (status !== 'unknown') {
    metrics.push({ Name: 'DriftedRows', Unit: 'Count' });
    values.DriftedRows = driftedRows;
  }
  if (lagSeconds !== null) {
    metrics.push({ Name: 'ReplicaLagSeconds', Unit: 'Seconds' });
    values.ReplicaLagSeconds = lagSeconds;
  }
  return JSON.stringify({
    _aws: { Timestamp: at.getTime(), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Check', 'Resource']], Metrics: metrics }] },
    Check: CHECK_NAME,
    Resource: resourceName,
    ...values,
  });
}
