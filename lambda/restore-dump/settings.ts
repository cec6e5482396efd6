/**
 * The settings `DumpRestoreWorkflow` gives the function as environment variables. Kept apart from
 * the handler (which creates its AWS clients when loaded) so that the CLI's dry run can read a
 * deployed function's environment with the same code.
 */
import type { DumpRestoreSettings } from '../../core/restore-workflows/dump';

/** The settings from the environment; a missing variable is an error naming it. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): DumpRestoreSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new Error(`restore-dump: environment variable ${name} is not set`);
    }
    return value;
  };
  return {
    dailyBucket: need('DAILY_BUCKET'),
    archiveBucket: env.ARCHIVE_BUCKET || undefined,
    identifierPrefix: need('IDENTIFIER_PREFIX'),
    engine: need('ENGINE'),
    engineVersion: need('ENGINE_VERSION'),
    instanceClass: need('INSTANCE_CLASS'),
    allocatedStorage: Number(need('ALLOCATED_STORAGE')),
    subnetGroupName: need('SUBNET_GROUP'),
    securityGroupIds: need('SECURITY_GROUP_IDS').split(',').filter((id) => id.length > 0),
    kmsKeyId: need('KMS_KEY_ID'),
    parameterGroupName: env.PARAMETER_GROUP || undefined,
    backupRetentionDays: Number(need('BACKUP_RETENTION_DAYS')),
    availableWithinMinutes: Number(need('AVAILABLE_WITHIN_MINUTES')),
  };
}
