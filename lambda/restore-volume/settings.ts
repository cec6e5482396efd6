/**
 * The settings `VolumeRestoreWorkflow` gives the function as environment variables. Kept apart from
 * the handler (which creates its AWS clients when loaded) so that the CLI's dry run can read a
 * deployed function's environment with the same code.
 */
import { EnvironmentSettings } from '../../core/environment';
import type { VolumeRestoreSettings } from '../../core/restore-workflows/volume';

/** The settings from the environment; a missing or malformed variable is an error naming it. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): VolumeRestoreSettings {
  const settings = new EnvironmentSettings('restore-volume', env);
  return {
    allowedZones: settings.list('ALLOWED_ZONES'),
    kmsKeyId: settings.required('KMS_KEY_ID'),
    workflowId: settings.required('WORKFLOW_ID'),
    readyWithinMinutes: settings.number('READY_WITHIN_MINUTES', { unit: 'minutes', min: 1 }),
  };
}
