/**
 * The settings `VolumeRestoreWorkflow` gives the function as environment variables. Kept apart from
 * the handler (which creates its AWS clients when loaded) so that the CLI's dry run can read a
 * deployed function's environment with the same code.
 */
import type { VolumeRestoreSettings } from '../../core/restore-workflows/volume';

/** The settings from the environment; a missing variable is an error naming it. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): VolumeRestoreSettings {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new Error(`restore-volume: environment variable ${name} is not set`);
    }
    return value;
  };
  return {
    allowedZones: (env.ALLOWED_ZONES ?? '').split(',').filter((zone) => zone.length > 0),
    kmsKeyId: need('KMS_KEY_ID'),
    workflowId: need('WORKFLOW_ID'),
    readyWithinMinutes: Number(need('READY_WITHIN_MINUTES')),
  };
}
