/**
 * The settings `ObjectRestoreWorkflow` gives the function as environment variables. Kept apart from
 * the handler (which creates its AWS clients when loaded) so that the CLI's dry run can read a
 * deployed function's environment with the same code.
 */
import type { ObjectRestoreSettings } from '../../core/restore-workflows/objects';

/** The settings from the environment; a missing variable is an error naming it. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ObjectRestoreSettings {
  const list = (name: string): string[] => {
    const value = env[name];
    if (!value) {
      throw new Error(`restore-objects: environment variable ${name} is not set`);
    }
    return value.split(',').filter((item) => item.length > 0);
  };
  return {
    sourceBuckets: list('SOURCE_BUCKETS'),
    targetBuckets: list('TARGET_BUCKETS'),
    archiveReadyWithinMinutes: Number(env.ARCHIVE_READY_WITHIN_MINUTES ?? '4320'),
  };
}
