/**
 * The Lambda steps of the daily database dump workflow (see `DatabaseDumpJob`): `prepare`,
 * `inspect`, `finalize`, `resume` and `abort-uploads`, chosen by the event's `action`. The logic is in
 * `steps.ts` and `uploads.ts`.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import * as mysql from 'mysql2/promise';
import { readSettings, DumpSettings } from './settings';
import { DumpEvent, finalize, inspect, prepare, resume } from './steps';
import { abortUploads, AbortUploadsEvent } from './uploads';

const s3 = new S3Client({});
const secrets = new SecretsManagerClient({});

async function connect(settings: DumpSettings): Promise<mysql.Connection> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: settings.dbSecretArn }));
  const { username, password } = JSON.parse(secret.SecretString ?? '{}') as { username?: string; password?: string };
  if (!username || !password) {
    throw new Error(`secret ${settings.dbSecretArn} has no username and password`);
  }
  return mysql.createConnection({
    host: settings.dbHost,
    port: settings.dbPort,
    user: username,
    password,
    ssl: settings.tls ? 'Amazon RDS' : undefined,
    connectTimeout: 20_000,
  });
}

export async function handler(event: DumpEvent | AbortUploadsEvent): Promise<unknown> {
  const settings = readSettings(process.env);
  if (event.action === 'abort-uploads') {
    // Needs S3 only: it runs on the failure path, where the replica may be unreachable.
    return abortUploads(s3, event);
  }
  const connection = await connect(settings);
  try {
    switch (event.action) {
      case 'prepare':
        return await prepare(connection, s3, settings, event);
      case 'inspect':
        return await inspect(connection, settings, event);
      case 'finalize':
        return await finalize(connection, s3, event);
      case 'resume':
        return await resume(connection, settings, event);
      default:
        throw new Error(`database-dump: unknown action '${(event as { action?: string }).action}'`);
    }
  } finally {
    await connection.end().catch(() => undefined);
  }
}
