/**
 * Drill age: puts `HoursSinceLastDrill`, the hours since the newest restore drill that
 * succeeded (restored, verified, measured), read from the executions of the restore workflow.
 * No such drill within the look-back gives the look-back itself (an alarm value). When the
 * executions cannot be read, nothing is put and the invocation fails: the alarm treats the
 * missing data point as breaching, so the age is never reported fresh when it is unknown.
 *
 * Environment: STATE_MACHINE_ARN, DATABASE (the `Database` dimension), METRIC_NAMESPACE,
 * LOOKBACK_HOURS.
 */
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EnvironmentSettings } from '../../core/environment';
import { findLastDrill, type LastDrill } from './last-drill';

/** The function's settings. */
export interface DrillAgeConfig {
  readonly stateMachineArn: string;
  readonly database: string;
  readonly metricNamespace: string;
  readonly lookbackHours: number;
}

/** What one run found and put. */
export interface DrillAgeReport {
  readonly hoursSinceLastDrill: number;
  readonly lastDrill?: LastDrill;
  readonly detail: string;
}

/** The settings from the environment; a missing or bad variable is named. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): DrillAgeConfig {
  const settings = new EnvironmentSettings('drill-age', env);
  return {
    stateMachineArn: settings.required('STATE_MACHINE_ARN'),
    database: settings.required('DATABASE'),
    metricNamespace: settings.required('METRIC_NAMESPACE'),
    lookbackHours: settings.number('LOOKBACK_HOURS', { unit: 'hours', min: 1 }),
  };
}

/** Finds the newest successful drill and puts its age. Throws, putting nothing, when the executions cannot be read. */
export async function checkDrillAge(clients: { sfn: SFNClient; cloudwatch: CloudWatchClient }, config: DrillAgeConfig, now: Date = new Date()): Promise<DrillAgeReport> {
  const since = new Date(now.getTime() - config.lookbackHours * 3_600_000);
  let found;
  try {
    found = await findLastDrill(clients.sfn, config.stateMachineArn, since);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`drill-age: the age of the last drill of ${config.database} is unknown (HoursSinceLastDrill not put): the executions of ${config.stateMachineArn} could not be read: ${message}`);
  }
  const report: DrillAgeReport = found.lastDrill
    ? {
      hoursSinceLastDrill: Math.round(((now.getTime() - found.lastDrill.stoppedAt.getTime()) / 3_600_000) * 100) / 100,
      lastDrill: found.lastDrill,
      detail: `last successful drill ${found.lastDrill.executionArn}, ended ${found.lastDrill.stoppedAt.toISOString()}`,
    }
    : {
      hoursSinceLastDrill: config.lookbackHours,
      detail: `no successful drill since ${since.toISOString()} (${found.executionsRead} successful executions read)`,
    };
  await clients.cloudwatch.send(new PutMetricDataCommand({
    Namespace: config.metricNamespace,
    MetricData: [{ MetricName: 'HoursSinceLastDrill', Value: report.hoursSinceLastDrill, Unit: StandardUnit.None, Dimensions: [{ Name: 'Database', Value: config.database }], Timestamp: now }],
  }));
  console.log(JSON.stringify({ message: `drill age: ${report.hoursSinceLastDrill} hours`, database: config.database, detail: report.detail }));
  return report;
}

const clients = { sfn: new SFNClient({}), cloudwatch: new CloudWatchClient({}) };

/** The scheduled entry point. */
export const handler = async (): Promise<DrillAgeReport> => checkDrillAge(clients, configFromEnvironment());
