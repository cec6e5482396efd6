/**
 * The environment contract of the `database-dump` function (set by `DatabaseDumpJob`).
 *
 *   DB_HOST, DB_PORT     the replica's endpoint
 *   DB_SECRET_ARN        Secrets Manager secret with `username` and `password`
 *   DB_TLS               `required` (default: TLS with the Amazon RDS CA bundle) or `off`
 *   DAILY_BUCKET         the 48-hour bucket
 *   ARCHIVE_BUCKET       the yearly archive bucket; empty for none
 *   PAUSE_REPLICATION    `true` or `false`
 *   REPLICATION_CONTROL  `rds` (default) or `sql`, see core/dump/source.ts
 *   DATABASES            the databases to dump, space-separated; empty for every non-system database
 *   MAX_REPLICA_LAG_SECONDS  the most the replica may be behind its master when a run starts (default 300)
 */
import { parseReplicationControl, ReplicationControl } from '../../core/dump/source';

export interface DumpSettings {
  readonly dbHost: string;
  readonly dbPort: number;
  readonly dbSecretArn: string;
  readonly tls: boolean;
  readonly dailyBucket: string;
  readonly archiveBucket?: string;
  readonly pauseReplication: boolean;
  readonly replicationControl: ReplicationControl;
  readonly databases: string[];
  readonly maxReplicaLagSeconds: number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(`database-dump: environment variable ${name} is not set`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = (env[name] ?? 'false').toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw new Error(`database-dump: ${name} must be 'true' or 'false', got '${env[name]}'`);
  }
  return value === 'true';
}

/** Reads and checks the settings; throws naming the variable that is wrong. */
export function readSettings(env: NodeJS.ProcessEnv): DumpSettings {
  const port = Number(env.DB_PORT ?? '3306');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`database-dump: DB_PORT must be a port number, got '${env.DB_PORT}'`);
  }
  const maxLag = Number(env.MAX_REPLICA_LAG_SECONDS || '300');
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new Error(`database-dump: MAX_REPLICA_LAG_SECONDS must be a whole number of seconds, got '${env.MAX_REPLICA_LAG_SECONDS}'`);
  }
  const tls = env.DB_TLS ?? 'required';
  if (tls !== 'required' && tls !== 'off') {
    throw new Error(`database-dump: DB_TLS must be 'required' or 'off', got '${tls}'`);
  }
  return {
    dbHost: required(env, 'DB_HOST'),
    dbPort: port,
    dbSecretArn: required(env, 'DB_SECRET_ARN'),
    tls: tls === 'required',
    dailyBucket: required(env, 'DAILY_BUCKET'),
    archiveBucket: env.ARCHIVE_BUCKET || undefined,
    pauseReplication: flag(env, 'PAUSE_REPLICATION'),
    replicationControl: parseReplicationControl(env.REPLICATION_CONTROL ?? 'rds'),
    databases: (env.DATABASES ?? '').split(/\s+/).filter((name) => name.length > 0),
    maxReplicaLagSeconds: maxLag,
  };
}
