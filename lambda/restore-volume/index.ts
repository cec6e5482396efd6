/**
 * The steps of the EBS volume restore workflow (the step chosen by `action`):
 * validate -> create -> volumeStatus (until available) -> [attach -> attachStatus], or
 * validate -> replaceRoot -> replaceRootStatus; cleanup when a step after create fails.
 *
 * Environment (set by `VolumeRestoreWorkflow`): ALLOWED_ZONES (comma-separated, may be
 * empty), KMS_KEY_ID, WORKFLOW_ID, READY_WITHIN_MINUTES.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RESTORE_ERROR_CHARACTERS, withBoundedErrors } from '../../core/restore-workflows/bounded-error';
import { RestoreInputError, inputObject } from '../../core/restore-workflows/common';
import {
  VolumeRestorePlan, attachVolume, createVolume, deleteCreatedVolumes, planVolumeRestore, rootReplacementState,
  startRootReplacement, volumeState,
} from '../../core/restore-workflows/volume';
import { settingsFromEnvironment } from './settings';

const ec2 = new EC2Client({});

export interface VolumeRestoreEvent {
  readonly action: 'validate' | 'create' | 'volumeStatus' | 'attach' | 'attachStatus' | 'replaceRoot' | 'replaceRootStatus' | 'cleanup';
  /** `$$.Execution.Name`. */
  readonly execution: string;
  /** `$$.Execution.Id` (create, replaceRoot: part of the client token; cleanup). */
  readonly executionId?: string;
  /** `$$.Execution.StartTime` (create, replaceRoot: part of the client token; cleanup: volumes created before it are an earlier execution's). */
  readonly executionStartTime?: string;
  readonly input?: unknown;
  readonly plan?: VolumeRestorePlan;
  readonly volumeId?: string;
  /** The create step's result (cleanup): empty when that step failed. */
  readonly volume?: { readonly volumeId?: string };
  readonly taskId?: string;
}

function need<T>(value: T | undefined, what: string, action: string): T {
  if (value === undefined) {
    throw new Error(`restore-volume: action '${action}' needs ${what}`);
  }
  return value;
}

async function step(event: VolumeRestoreEvent): Promise<unknown> {
  const settings = settingsFromEnvironment();
  const plan = () => need(event.plan, 'the plan of the validate step', event.action);
  const volumeId = () => need(event.volumeId, 'the volume id of the create step', event.action);
  const identity = () => ({
    id: need(event.executionId, 'the execution id ($$.Execution.Id)', event.action),
    startTime: need(event.executionStartTime, 'the execution start time ($$.Execution.StartTime)', event.action),
  });
  switch (event.action) {
    case 'validate':
      return planVolumeRestore(ec2, settings, inputObject(event.input));
    case 'create':
      return createVolume(ec2, settings, plan(), event.execution, identity());
    case 'volumeStatus':
      return volumeState(ec2, volumeId(), plan(), 'create');
    case 'attach':
      return attachVolume(ec2, volumeId(), plan());
    case 'attachStatus':
      return volumeState(ec2, volumeId(), plan(), 'attach');
    case 'replaceRoot':
      return startRootReplacement(ec2, settings, plan(), event.execution, identity());
    case 'replaceRootStatus':
      return rootReplacementState(ec2, need(event.taskId, 'the task id of the replaceRoot step', event.action), plan());
    case 'cleanup':
      return deleteCreatedVolumes(ec2, settings, event.volume?.volumeId, event.execution, identity());
    default:
      throw new RestoreInputError(`restore-volume: unknown action ${JSON.stringify((event as { action?: unknown }).action)}; allowed: validate, create, volumeStatus, attach, attachStatus, replaceRoot, replaceRootStatus, cleanup`);
  }
}

/** Errors are cut to fit a failed restore's cause (with the cleanup's error, should cleanup fail too). */
export const handler = withBoundedErrors(step, RESTORE_ERROR_CHARACTERS);
