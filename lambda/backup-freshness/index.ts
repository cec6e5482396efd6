/**
 * Backup freshness and integrity: checks that the newest copy of every protected resource
 * in every tier is younger than the tier's interval plus a grace, that the newest dump matches
 * its SHA-256, that this year's archive exists and that the disaster-recovery copies exist.
 * Configuration: `FRESHNESS_CONFIG` (see `config.ts`), validated at cold start; an invalid
 * one makes every run `unknown` (see `invalid-config.ts`).
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { ClientsFor, RegionClients, runChecks } from './checks';
import { FreshnessConfig, parseConfig, readOutputs } from './config';
import { reportInvalidConfig } from './invalid-config';
import { buildReport, emitMetrics, FreshnessReport, metricDocuments, storeReport } from './report';
import { runDeadline } from './run-deadline';
import { s3VerificationStore } from './verification-record';

function loadConfig(raw: string | undefined): { config: FreshnessConfig } | { error: unknown } {
  try {
    return { config: parseConfig(raw) };
  } catch (error) {
    return { error };
  }
}

const rawConfig = process.env.FRESHNESS_CONFIG;
const loaded = loadConfig(rawConfig);
const ownRegion = process.env.AWS_REGION ?? 'us-east-1';
const clients = new Map<string, RegionClients>();

const clientsFor: ClientsFor = (region) => {
  const name = region ?? ownRegion;
  let found = clients.get(name);
  if (!found) {
    found = { rds: new RDSClient({ region: name }), backup: new BackupClient({ region: name }), ec2: new EC2Client({ region: name }), s3: new S3Client({ region: name }) };
    clients.set(name, found);
  }
  return found;
};

/**
 * The scheduled entry point. Returns the report (the S3 copy is the record). The checks stop
 * before the invocation's time is up (`run-deadline.ts`), so the report is always written.
 */
export const handler = async (_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<FreshnessReport & { reportLocation: string }> => {
  const now = new Date();
  if ('error' in loaded) {
    const outcome = await reportInvalidConfig(loaded.error, readOutputs(rawConfig), clientsFor(undefined).s3, now);
    console.log(JSON.stringify({ message: 'backup freshness: unknown', reportLocation: outcome.reportLocation, reason: outcome.reason }));
    return outcome;
  }
  const { config } = loaded;
  const verifications = config.verificationPrefix === undefined ? undefined : s3VerificationStore(clientsFor(undefined).s3, config.reportBucket, config.verificationPrefix);
  const deadline = runDeadline(context?.getRemainingTimeInMillis());
  let results;
  try {
    results = await runChecks(config.checks, clientsFor, ownRegion, now, { verifications, signal: deadline.signal });
  } finally {
    deadline.clear();
  }
  const report = buildReport(config, results, now);
  emitMetrics(metricDocuments(config, report, now));
  const reportLocation = await storeReport(clientsFor(undefined).s3, config, report, now);
  console.log(JSON.stringify({ message: `backup freshness: ${report.status}`, reportLocation, summary: report.summary }));
  return { ...report, reportLocation };
};
