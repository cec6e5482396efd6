/**
 * The verification step of the database restore workflow: connects to the restored
 * instance and to the source with the source's credentials (the restored copy has the
 * same users) and runs `verifyRestored`.
 *
 * Event: `{ plan, status }` from the workflow (the source endpoint in `plan.source`, the
 * restored endpoint in `status`). Environment: `CREDENTIALS_SECRET_ARN`, optional
 * `DATABASES` and `TIMESTAMP_COLUMNS` (comma-separated).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as mysql from 'mysql2/promise';
import { commaList } from '../../core/comma-list';
import { RESTORE_ERROR_CHARACTERS, withBoundedErrors } from '../../core/restore-workflows/bounded-error';
import { parseTimestampColumns, problemLine, verifyRestored, type VerificationSummary } from './verify-restored';

const secrets = new SecretsManagerClient({});

/** The source as the plan describes it (`live` false: it no longer exists). */
export interface PlannedSource {
  readonly identifier: string;
  readonly live?: boolean;
  readonly endpoint?: string;
  readonly port?: number;
}

export interface VerifyEvent {
  readonly plan: { readonly source: PlannedSource; readonly startedAt?: string };
  readonly status: { readonly endpoint?: string; readonly port?: number };
  readonly progress?: { readonly targetIdentifier: string };
}

interface Credentials {
  readonly username: string;
  readonly password: string;
}

async function credentials(secretArn: string): Promise<Credentials> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = JSON.parse(secret.SecretString ?? '{}');
  if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`restore-db-verify: secret ${secretArn} has no username and password`);
  }
  return parsed;
}

function connect(host: string, port: number, login: Credentials): Promise<mysql.Connection> {
  // RDS presents a certificate signed by the Amazon RDS CAs, which mysql2 ships.
  return mysql.createConnection({ host, port, user: login.username, password: login.password, ssl: 'Amazon RDS', connectTimeout: 20_000 });
}

/** Where to reach the source to compare schemas, or why there is nothing to compare with (the comparison is then unknown). */
export function sourceToCompare(source: PlannedSource): { host: string; port: number } | { error: string } {
  if (source.live === false) {
    return { error: `${source.identifier} no longer exists (the copy was restored from its backups alone)` };
  }
  if (!source.endpoint) {
    return { error: `${source.identifier} had no endpoint` };
  }
  return { host: source.endpoint, port: source.port ?? 3306 };
}

/**
 * The Lambda entry point. What it throws is cut as the other restore functions cut their errors
 * (a failed query or a secret without credentials quotes what it was given): the error travels
 * in the state, whose payload is limited to 256 KiB, to the failure document.
 */
export const handler = withBoundedErrors(verify, RESTORE_ERROR_CHARACTERS);

async function verify(event: VerifyEvent): Promise<VerificationSummary> {
  const secretArn = process.env.CREDENTIALS_SECRET_ARN;
  if (!secretArn) {
    throw new Error('restore-db-verify: environment variable CREDENTIALS_SECRET_ARN is not set');
  }
  const target = event.progress?.targetIdentifier ?? 'the restored instance';
  if (!event.status?.endpoint) {
    throw new Error(`restore-db-verify: ${target} has no endpoint to verify`);
  }
  const login = await credentials(secretArn);
  let restored: mysql.Connection;
  try {
    restored = await connect(event.status.endpoint, event.status.port ?? 3306, login);
  } catch (error) {
    // Not a failed check: the copy may be fine but have an older password (the credentials
    // were rotated after the backup). The checks could not run: unknown, never ok.
    const detail = `cannot connect to ${target} at ${event.status.endpoint} as ${login.username}: ${error instanceof Error ? error.message : String(error)}`;
    return { status: 'unknown', checks: 0, problems: [problemLine(`unknown: connect: ${detail}`)], newestRow: { status: 'unknown', detail: 'not connected' } };
  }
  let source: mysql.Connection | undefined;
  let sourceError: string | undefined;
  try {
    const compareWith = sourceToCompare(event.plan.source);
    if ('error' in compareWith) {
      sourceError = compareWith.error;
    } else {
      source = await connect(compareWith.host, compareWith.port, login);
    }
  } catch (error) {
    sourceError = `${event.plan.source.identifier}: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    const databases = commaList(process.env.DATABASES);
    return await verifyRestored({
      restored,
      source,
      sourceError,
      databases: databases.length > 0 ? databases : undefined,
      timestampColumns: parseTimestampColumns(process.env.TIMESTAMP_COLUMNS),
      startedAt: event.plan.startedAt,
    });
  } finally {
    await restored.end();
    await source?.end();
  }
}
