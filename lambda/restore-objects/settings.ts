/**
 * The settings `ObjectRestoreWorkflow` gives the function as environment variables. Kept apart from
 * the handler (which creates its AWS clients when loaded) so that the CLI's dry run can read a
 * deployed function's environment with the same code.
 */
import { EnvironmentSettings } from '../../core/environment';
import type { ObjectRestoreSettings } from '../../core/restore-workflows/objects';

/** The settings from the environment; a missing or malformed variable is an error naming it. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ObjectRestoreSettings {
  const settings = new EnvironmentSettings('restore-objects', env);
  return {
    sourceBuckets: settings.list('SOURCE_BUCKETS', { required: true }),
    targetBuckets: settings.list('TARGET_BUCKETS', { required: true }),
    archiveReadyWithinMinutes: settings.number('ARCHIVE_READY_WITHIN_MINUTES', { unit: 'minutes', min: 1 }, 4320),
  };
}
