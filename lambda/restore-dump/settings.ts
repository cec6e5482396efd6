/**
 * The settings `DumpRestoreWorkflow` gives the function as environment variables. Kept apart from
 * the handler (which creates its AWS clients when loaded) so that the CLI's dry run can read a
 * deployed function's environment with the same code.
 */
import { EnvironmentSettings } from '../../core/environment';
import type { DumpRestoreSettings } from '../../core/restore-workflows/dump';

/** The settings from the environment; a missing or malformed variable is an error naming it. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): DumpRestoreSettings {
  const settings = new EnvironmentSettings('restore-dump', env);
  return {
    dailyBucket: settings.required('DAILY_BUCKET'),
    archiveBucket: settings.optional('ARCHIVE_BUCKET'),
    identifierPrefix: settings.required('IDENTIFIER_PREFIX'),
    engine: settings.required('ENGINE'),
    engineVersion: settings.required('ENGINE_VERSION'),
    instanceClass: settings.required('INSTANCE_CLASS'),
    allocatedStorage: settings.number('ALLOCATED_STORAGE', { unit: 'GiB', min: 20 }),
    subnetGroupName: settings.required('SUBNET_GROUP'),
    securityGroupIds: settings.list('SECURITY_GROUP_IDS', { required: true }),
    kmsKeyId: settings.required('KMS_KEY_ID'),
    parameterGroupName: settings.optional('PARAMETER_GROUP'),
    backupRetentionDays: settings.number('BACKUP_RETENTION_DAYS', { unit: 'days', min: 1 }),
    availableWithinMinutes: settings.number('AVAILABLE_WITHIN_MINUTES', { unit: 'minutes', min: 1 }),
    workflowId: settings.required('WORKFLOW_ID'),
  };
}
