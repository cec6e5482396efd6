/**
 * The environment contract of the replica drift-check function (the `ConsistencyChecks`
 * construct sets these variables).
 */
import { commaList } from '../../core/comma-list';
import { TABLE_NAME_FORM, invalidTableName } from '../../core/consistency/table-filter';

/** The parsed configuration of one run. */
export interface DriftCheckConfig {
  /** Secrets Manager secret (JSON with host, port, username, password) of the master and of the replica. */
  readonly masterSecretArn: string;
  readonly replicaSecretArn: string;
  /** The schemas to compare; empty: every non-system schema. */
  readonly databases: string[];
  /** Tables left out (`schema.table`). */
  readonly excludeTables: string[];
  /** The replica lag limit, in seconds. */
  readonly maxLagSeconds: number;
  readonly reportBucket: string;
  /** Key prefix of the reports, without leading or trailing slash ('' for none). */
  readonly reportPrefix: string;
  readonly metricNamespace: string;
  /** The protected resource's name: the `Resource` metric dimension. */
  readonly resourceName: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

/** Where a run's outcome goes: the metric's namespace and dimension, the report's bucket and prefix. */
export interface DriftCheckOutputs {
  readonly metricNamespace?: string;
  readonly resourceName?: string;
  readonly reportBucket?: string;
  readonly reportPrefix: string;
}

/**
 * The outputs the environment names, each read on its own, so that a run whose
 * configuration is wrong can still report `unknown` wherever it can.
 */
export function readOutputs(env: NodeJS.ProcessEnv): DriftCheckOutputs {
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;
  return {
    metricNamespace: optional('METRIC_NAMESPACE'),
    resourceName: optional('RESOURCE_NAME'),
    reportBucket: optional('REPORT_BUCKET'),
    reportPrefix: reportPrefixOf(env),
  };
}

function reportPrefixOf(env: NodeJS.ProcessEnv): string {
  return (env.REPORT_PREFIX ?? '').trim().replace(/^\/+|\/+$/g, '');
}

/** Reads and validates the environment; throws naming the variable that is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): DriftCheckConfig {
  const lagText = env.MAX_LAG_SECONDS?.trim() || '30';
  const maxLagSeconds = Number(lagText);
  if (!Number.isFinite(maxLagSeconds) || maxLagSeconds <= 0) {
    throw new Error(`environment variable MAX_LAG_SECONDS must be a positive number of seconds, got '${lagText}'`);
  }
  const excludeTables = commaList(env.EXCLUDE_TABLES);
  const invalid = invalidTableName(excludeTables);
  if (invalid !== undefined) {
    throw new Error(`environment variable EXCLUDE_TABLES must list table names ${TABLE_NAME_FORM} separated by commas, got '${invalid}'`);
  }
  return {
    masterSecretArn: required(env, 'MASTER_SECRET_ARN'),
    replicaSecretArn: required(env, 'REPLICA_SECRET_ARN'),
    databases: commaList(env.DATABASES),
    excludeTables,
    maxLagSeconds,
    reportBucket: required(env, 'REPORT_BUCKET'),
    reportPrefix: reportPrefixOf(env),
    metricNamespace: required(env, 'METRIC_NAMESPACE'),
    resourceName: required(env, 'RESOURCE_NAME'),
  };
}

/** `<prefix>/replica-consistency/YYYY/MM/DD/<ISO time>.json` (UTC). */
export function reportKey(prefix: string, at: Date): string {
  const iso = at.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  return [prefix, 'replica-consistency', day, `${iso}.json`].filter((part) => part !== '').join('/');
}
