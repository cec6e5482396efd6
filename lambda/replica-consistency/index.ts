/**
 * Replica drift check (scheduled): compares the master and the replica table by table and
 * reports `consistent`, `drift` (with the keys) or `unknown` (with the reason).
 *
 * Environment: MASTER_SECRET_ARN, REPLICA_SECRET_ARN (Secrets Manager JSON with host, port,
 * username, password), DATABASES (comma-separated, empty: all non-system schemas),
 * EXCLUDE_TABLES (comma-separated `schema.table`, optional), MAX_LAG_SECONDS, REPORT_BUCKET,
 * REPORT_PREFIX, METRIC_NAMESPACE, RESOURCE_NAME.
 *
 * TLS: connections use mysql2's "Amazon RDS" profile (the RDS certificate authorities,
 * shipped in the bundle) with certificate verification on.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { createConnection } from 'mysql2/promise';
import type { DriftCheckResult } from './run';
import { runDriftCheck } from './run';

const secrets = new SecretsManagerClient({});
const s3 = new S3Client({});

/** Time kept back from the function timeout to store the report, in milliseconds. */
const RESERVE_MS = 30_000;

export const handler = async (_event: unknown, context?: Context): Promise<DriftCheckResult> => {
  const remaining = context?.getRemainingTimeInMillis?.();
  return runDriftCheck(process.env, {
    secrets,
    s3,
    connect: (options) => createConnection({ ...options, ssl: 'Amazon RDS' }),
    deadline: remaining === undefined ? undefined : Date.now() + Math.max(0, remaining - RESERVE_MS),
  });
};
