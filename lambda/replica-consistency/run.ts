/**
 * One run of the drift check: read both secrets, compare master and replica with the
 * checker core, store the JSON report in S3, print the metrics, return the result.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { checkConsistency } from '../../core/consistency/checker';
import type { ConsistencyReport } from '../../core/consistency/report';
import type { DriftCheckConfig, DriftCheckOutputs } from './config';
import { readConfig, readOutputs, reportKey } from './config';
import { metricLine } from './metrics';

/** What the function returns: the report and where it is stored. */
export interface DriftCheckResult extends ConsistencyReport {
  /** `s3://bucket/key` of the stored report. */
  readonly reportUri: string;
  /** The `Resource` dimension of the metrics. */
  readonly resourceName: string;
}

/** The clients and hooks a run uses (the handler passes module-scope clients). */
export interface DriftCheckDependencies {
  readonly secrets: SecretsManagerClient;
  readonly s3: S3Client;
  /** Opens a connection; the handler's connects with TLS verified against the RDS certificate authorities. */
  readonly connect: (options: ConnectionOptions) => Promise<Connection>;
  /** Stop comparing after this time (epoch milliseconds). */
  readonly deadline?: number;
  /**
   * Where metric lines go. Default: straight to stdout, because with the JSON log format
   * Lambda wraps `console.log` output in its own JSON, which CloudWatch does not read as EMF.
   */
  readonly log?: (line: string) => void;
}

/** Connection options from an RDS-style secret (`host`, `port`, `username`, `password`, optional `dbname`). */
export function connectionOptionsFromSecret(secretString: string, secretArn: string): ConnectionOptions {
  let secret: Record<string, unknown>;
  try {
    secret = JSON.parse(secretString) as Record<string, unknown>;
  } catch {
    throw new Error(`secret ${secretArn} is not JSON`);
  }
  for (const field of ['host', 'username', 'password']) {
    if (typeof secret[field] !== 'string' || secret[field] === '') {
      throw new Error(`secret ${secretArn} has no '${field}'`);
    }
  }
  return {
    host: String(secret.host),
    port: secret.port === undefined ? 3306 : Number(secret.port),
    user: String(secret.username),
    password: String(secret.password),
    connectTimeout: 10_000,
  };
}

async function openFromSecret(dependencies: DriftCheckDependencies, secretArn: string, role: string): Promise<Connection> {
  let secretString: string | undefined;
  try {
    const secret = await dependencies.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secretString = secret.SecretString;
  } catch (error) {
    throw new Error(`the ${role} secret ${secretArn} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!secretString) {
    throw new Error(`the ${role} secret ${secretArn} has no SecretString`);
  }
  const options = connectionOptionsFromSecret(secretString, secretArn);
  try {
    return await dependencies.connect(options);
  } catch (error) {
    throw new Error(`could not connect to the ${role} ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function unknownReport(reason: string, startedAt: Date): ConsistencyReport {
  const finishedAt = new Date();
  return {
    status: 'unknown', reason, complete: false, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000, master: { version: 'unknown', gtidPosition: '' },
    replica: { version: 'unknown', health: null }, maxReplicaLagSeconds: null, tablesChecked: 0, driftedRows: 0, tables: [],
  };
}

/**
 * Runs one check with the given environment. A wrong configuration is a run that could not
 * check: `unknown`, with its metric and report written wherever the environment names
 * where they go. Throws only when the outcome cannot be reported in full (the report
 * cannot be stored, or the configuration does not say where the metric or report goes).
 */
export async function runDriftCheck(env: NodeJS.ProcessEnv, dependencies: DriftCheckDependencies): Promise<DriftCheckResult> {
  const log = dependencies.log ?? ((line: string) => { process.stdout.write(`${line}\n`); });
  const startedAt = new Date();
  let config: DriftCheckConfig;
  try {
    config = readConfig(env);
  } catch (error) {
    const reason = `the configuration is invalid: ${error instanceof Error ? error.message : String(error)}`;
    return publish(unknownReport(reason, startedAt), readOutputs(env), startedAt, dependencies.s3, log);
  }
  let report: ConsistencyReport;
  const opened: Connection[] = [];
  try {
    const [master, replica] = await Promise.all([
      openFromSecret(dependencies, config.masterSecretArn, 'master'),
      openFromSecret(dependencies, config.replicaSecretArn, 'replica'),
    ].map(async (pending) => {
      const connection = await pending;
      opened.push(connection);
      return connection;
    }));
    report = await checkConsistency(master, replica, { databases: config.databases, excludeTables: config.excludeTables, maxLagSeconds: config.maxLagSeconds, deadline: dependencies.deadline });
  } catch (error) {
    report = unknownReport(error instanceof Error ? error.message : String(error), startedAt);
  } finally {
    await Promise.all(opened.map((connection) => connection.end().catch(() => undefined)));
  }
  return publish(report, config, startedAt, dependencies.s3, log);
}

/** Prints the metric and stores the report, each where `outputs` names; throws when either has nowhere to go. */
async function publish(report: ConsistencyReport, outputs: DriftCheckOutputs, startedAt: Date, s3: S3Client, log: (line: string) => void): Promise<DriftCheckResult> {
  const { metricNamespace, resourceName, reportBucket } = outputs;
  const name = resourceName ?? '(RESOURCE_NAME not set)';
  if (metricNamespace && resourceName) {
    log(metricLine(metricNamespace, resourceName, report.status, report.driftedRows, report.maxReplicaLagSeconds, startedAt));
  }
  const key = reportKey(outputs.reportPrefix, startedAt);
  const result: DriftCheckResult = { ...report, resourceName: name, reportUri: reportBucket ? `s3://${reportBucket}/${key}` : '' };
  if (reportBucket) {
    try {
      await s3.send(new PutObjectCommand({
        Bucket: reportBucket, Key: key, Body: JSON.stringify(result, null, 2), ContentType: 'application/json',
      }));
    } catch (error) {
      throw new Error(`replica consistency check of ${name} (status ${report.status}): the report could not be stored at ${result.reportUri}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!reportBucket || !metricNamespace || !resourceName) {
    const missing = [!metricNamespace || !resourceName ? 'the metric (METRIC_NAMESPACE and RESOURCE_NAME)' : '', !reportBucket ? 'the report (REPORT_BUCKET)' : ''].filter(Boolean).join(' and ');
    throw new Error(`replica consistency check of ${name} (status ${report.status}): ${missing} could not be written: ${report.reason ?? 'the configuration does not say where'}`);
  }
  return result;
}
