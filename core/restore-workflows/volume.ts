/**
 * The steps of the EBS volume restore workflow: a NEW volume from a snapshot in a chosen
 * availability zone, optionally attached to an instance, or a root-volume replacement task.
 * Attaching and replacing change a live instance, so both need `confirm` naming it.
 * Each step takes its EC2 client; the function and `restore volume --dry-run` share them.
 */
import {
  AttachVolumeCommand, CreateReplaceRootVolumeTaskCommand, CreateVolumeCommand, DeleteVolumeCommand, DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand, DescribeReplaceRootVolumeTasksCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client, Instance,
  Snapshot, Volume, VolumeType,
} from '@aws-sdk/client-ec2';
import {
  EXECUTION_TAG, ExecutionIdentity, RestoreCheckError, RestoreInputError, WORKFLOW_ID_TAG, WORKFLOW_TAG, clientToken, createdBeforeStart, errorName, executionStart, optionalInteger, optionalString, requireConfirmation,
  requiredString, rethrowFor,
} from './common';

/** What the deployment fixes. */
export interface VolumeRestoreSettings {
  /** The zones of the VPC's subnets; empty when they are not known at synth (then every zone of the region is allowed). */
  readonly allowedZones: string[];
  /** KMS key (ARN) that encrypts every new volume. */
  readonly kmsKeyId: string;
  /** The workflow's id (tag value). */
  readonly workflowId: string;
  /** Minutes the volume, attachment or replacement may take. */
  readonly readyWithinMinutes: number;
}

/** `create` (a new volume, optionally attached) or `replace-root` (a root-volume replacement task). */
export type VolumeRestoreMode = 'create' | 'replace-root';

/** What the workflow will create; the output of validation and of `--dry-run`. */
export interface VolumeRestorePlan {
  readonly mode: VolumeRestoreMode;
  readonly snapshotId: string;
  /** GiB. */
  readonly size: number;
  readonly availabilityZone: string;
  readonly volumeType: string;
  readonly iops?: number;
  /** MiB/s. */
  readonly throughput?: number;
  /** Instance the new volume is attached to (create) or whose root volume is replaced (replace-root). */
  readonly instanceId?: string;
  readonly device?: string;
  /** ISO time after which waiting fails the restore. */
  readonly readyBy: string;
}

const SNAPSHOT_ID = /^snap-[0-9a-f]{8,17}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const DEVICE = /^\/dev\/(sd[f-p]|xvd[f-p])$/;
const VOLUME_TYPES: readonly string[] = ['gp3', 'gp2', 'io2', 'io1', 'st1', 'sc1', 'standard'];
/** The sizes (GiB) EC2 creates of each volume type. */
const SIZE_LIMITS: Readonly<Record<string, readonly [number, number]>> = {
  gp3: [1, 65536], gp2: [1, 16384], io2: [4, 65536], io1: [4, 16384], st1: [125, 16384], sc1: [125, 16384], standard: [1, 1024],
};
/**
 * The IOPS EC2 provisions of each volume type that takes `iops` (gp3 up to 80000 since 2025, as
 * CreateVolume's reference says; older pages say 16000), and at most how many per GiB. io2's
 * per-GiB limit is left to EC2: the references at hand disagree (500 or 1000).
 */
const IOPS_LIMITS: Readonly<Record<string, { readonly min: number; readonly max: number; readonly perGib?: number }>> = {
  gp3: { min: 3000, max: 80000, perGib: 500 }, io1: { min: 100, max: 64000, perGib: 50 }, io2: { min: 100, max: 256000 },
};

/** A size any volume type takes the lower end of and one takes the upper end of (the CLI refuses others before the type is known). */
export const ANY_VOLUME_SIZE_GIB = {
  min: Math.min(...Object.values(SIZE_LIMITS).map(([min]) => min)), max: Math.max(...Object.values(SIZE_LIMITS).map(([, max]) => max)),
};
/** Likewise for `iops`, over the volume types that take it. */
export const ANY_VOLUME_IOPS = {
  min: Math.min(...Object.values(IOPS_LIMITS).map(({ min }) => min)), max: Math.max(...Object.values(IOPS_LIMITS).map(({ max }) => max)),
};
/** The throughput a gp3 volume may be provisioned with. */
export const GP3_THROUGHPUT_MIBPS = { min: 125, max: 2000 };

/**
 * The slot a device name takes on an instance. EC2 reports each mapping by the name it was
 * attached with, while the kernel's driver may show /dev/sdf as /dev/xvdf (or hdf), so those
 * names (with or without /dev/, with a partition number) are one slot.
 */
function deviceSlot(name: string): string | undefined {
  return /^(?:\/dev\/)?(?:sd|xvd|hd)([a-z]+)\d*$/.exec(name)?.[1];
}

/** Refuses a device whose slot a mapping of the instance already takes, naming that mapping. */
function checkDeviceFree(device: string, instanceId: string, instance: Instance): void {
  const used = (instance.BlockDeviceMappings ?? []).map((mapping) => mapping.DeviceName ?? '');
  if (used.includes(device)) {
    throw new RestoreInputError(`input \`device\`: ${device} is already used on instance ${instanceId} (used: ${used.join(', ')}); choose a free device`);
  }
  const sameSlot = used.filter((name) => deviceSlot(name) === deviceSlot(device));
  if (sameSlot.length > 0) {
    throw new RestoreInputError(`input \`device\`: ${device} is the device ${sameSlot.join(' and ')} already mapped on instance ${instanceId} (the kernel may show /dev/sdX as /dev/xvdX; used: ${used.join(', ')}); choose a free device`);
  }
}

async function describeSnapshot(ec2: EC2Client, snapshotId: string): Promise<Snapshot | undefined> {
  try {
    const response = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    return response.Snapshots?.[0];
  } catch (error) {
    if (errorName(error) === 'InvalidSnapshot.NotFound' || errorName(error) === 'InvalidSnapshotID.Malformed') {
      return undefined;
    }
    rethrowFor(`snapshot ${snapshotId}`, error);
  }
}

async function describeInstanceById(ec2: EC2Client, instanceId: string): Promise<Instance | undefined> {
  try {
    const response = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return response.Reservations?.[0]?.Instances?.[0];
  } catch (error) {
    if (errorName(error) === 'InvalidInstanceID.NotFound' || errorName(error) === 'InvalidInstanceID.Malformed') {
      return undefined;
    }
    rethrowFor(`instance ${instanceId}`, error);
  }
}

async function regionZones(ec2: EC2Client): Promise<string[]> {
  try {
    const response = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }));
    return (response.AvailabilityZones ?? []).filter((zone) => zone.State === 'available').map((zone) => zone.ZoneName!).sort();
  } catch (error) {
    rethrowFor('the availability zones of the region', error);
  }
}

/** The `iops` input, within the range of the volume type; undefined when not given. */
function iopsFor(input: Record<string, unknown>, volumeType: string): number | undefined {
  const value = input.iops;
  if (value === undefined || value === null) {
    return undefined;
  }
  const limits = IOPS_LIMITS[volumeType];
  if (!limits) {
    throw new RestoreInputError(`input \`iops\` applies to ${Object.keys(IOPS_LIMITS).join(', ')} volumes only; got ${JSON.stringify(value)} for volumeType '${volumeType}'`);
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new RestoreInputError(`input \`iops\` of a ${volumeType} volume must be a whole number from ${limits.min} to ${limits.max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Inputs that shape a new volume, which a root volume replacement (`CreateReplaceRootVolumeTask`) does not take. */
const NEW_VOLUME_INPUTS = ['volumeType', 'size', 'iops', 'throughput', 'device'] as const;

/** Refuses inputs the request would leave unused: the restore would not be the one asked for. */
function refuseUnused(input: Record<string, unknown>, attachTo: string | undefined, replaceRootOf: string | undefined): void {
  const given = NEW_VOLUME_INPUTS.filter((name) => input[name] !== undefined && input[name] !== null);
  if (replaceRootOf && given.length > 0) {
    const names = given.map((name) => `\`${name}\``).join(', ');
    throw new RestoreInputError(`input ${names} ${given.length === 1 ? 'does' : 'do'} not apply to a root volume replacement (\`replaceRootVolumeOf\`): EC2 makes the new root volume from the snapshot `
      + `and takes no ${names}; leave ${given.length === 1 ? 'it' : 'them'} out, or restore a new volume (without \`replaceRootVolumeOf\`) to choose ${given.length === 1 ? 'it' : 'them'}`);
  }
  if (!attachTo && !replaceRootOf && given.includes('device')) {
    throw new RestoreInputError(`input \`device\` applies only with \`attachToInstance\` (the volume would be created detached); got ${typeof input.device === 'string' ? `'${input.device}'` : JSON.stringify(input.device)}: give \`attachToInstance\` and \`confirm\` too, or leave \`device\` out`);
  }
}

/** Checks the request against the deployment and AWS; creates nothing. */
export async function planVolumeRestore(ec2: EC2Client, settings: VolumeRestoreSettings, input: Record<string, unknown>, now: Date = new Date()): Promise<VolumeRestorePlan> {
  const snapshotId = requiredString(input, 'snapshotId', 'an EBS snapshot id (snap-...)');
  if (!SNAPSHOT_ID.test(snapshotId)) {
    throw new RestoreInputError(`input \`snapshotId\` must be an EBS snapshot id such as snap-0123456789abcdef0; got '${snapshotId}'`);
  }
  const attachTo = optionalString(input, 'attachToInstance', 'an instance id (i-...)');
  const replaceRootOf = optionalString(input, 'replaceRootVolumeOf', 'an instance id (i-...)');
  if (attachTo && replaceRootOf) {
    throw new RestoreInputError('inputs `attachToInstance` and `replaceRootVolumeOf` exclude each other: give one of them, or neither for a detached volume');
  }
  for (const [name, value] of [['attachToInstance', attachTo], ['replaceRootVolumeOf', replaceRootOf]] as const) {
    if (value !== undefined && !INSTANCE_ID.test(value)) {
      throw new RestoreInputError(`input \`${name}\` must be an instance id such as i-0123456789abcdef0; got '${value}'`);
    }
  }
  refuseUnused(input, attachTo, replaceRootOf);
  const volumeType = optionalString(input, 'volumeType', VOLUME_TYPES.join(', ')) ?? 'gp3';
  if (!VOLUME_TYPES.includes(volumeType)) {
    throw new RestoreInputError(`input \`volumeType\` must be one of ${VOLUME_TYPES.join(', ')}; got '${volumeType}'`);
  }
  const iops = iopsFor(input, volumeType);
  const throughput = optionalInteger(input, 'throughput', GP3_THROUGHPUT_MIBPS.min, GP3_THROUGHPUT_MIBPS.max, 'MiB/s');
  if (throughput !== undefined && volumeType !== 'gp3') {
    throw new RestoreInputError(`input \`throughput\` applies to gp3 volumes only; got volumeType '${volumeType}'`);
  }
  const requestedSize = optionalInteger(input, 'size', ANY_VOLUME_SIZE_GIB.min, ANY_VOLUME_SIZE_GIB.max, 'GiB');

  const snapshot = await describeSnapshot(ec2, snapshotId);
  if (!snapshot) {
    throw new RestoreInputError(`input \`snapshotId\`: snapshot ${snapshotId} does not exist in this account and region (list them with \`aws ec2 describe-snapshots --owner-ids self\`)`);
  }
  if (snapshot.State !== 'completed') {
    throw new RestoreInputError(`input \`snapshotId\`: snapshot ${snapshotId} is '${snapshot.State}'; only a completed snapshot can be restored`);
  }
  const snapshotSize = snapshot.VolumeSize ?? 1;
  if (requestedSize !== undefined && requestedSize < snapshotSize) {
    throw new RestoreInputError(`input \`size\` must be at least the snapshot's ${snapshotSize} GiB; got ${requestedSize}`);
  }

  const size = requestedSize ?? snapshotSize;
  const [minSize, maxSize] = SIZE_LIMITS[volumeType];
  if (size < minSize || size > maxSize) {
    throw new RestoreInputError(`input \`size\` of a ${volumeType} volume must be ${minSize} to ${maxSize} GiB; got ${size}${requestedSize === undefined ? " (the snapshot's size)" : ''}`);
  }
  if (iops === undefined && (volumeType === 'io1' || volumeType === 'io2')) {
    throw new RestoreInputError(`input \`iops\` is required for ${volumeType} volumes; got nothing`);
  }
  const iopsLimits = IOPS_LIMITS[volumeType];
  if (iops !== undefined && iopsLimits?.perGib !== undefined) {
    // gp3's baseline of 3000 IOPS comes with a volume of any size: the ratio limits only what is provisioned above it.
    const most = Math.max(iopsLimits.perGib * size, iopsLimits.min);
    if (iops > most) {
      throw new RestoreInputError(`input \`iops\` of a ${size} GiB ${volumeType} volume must be at most ${most} (${iopsLimits.perGib} per GiB); got ${iops} (ask for fewer IOPS or a larger \`size\`)`);
    }
  }

  // gp3 throughput is provisioned at most 0.25 MiB/s per IOPS (3000 IOPS when `iops` is not given).
  if (throughput !== undefined && throughput > (iops ?? 3000) / 4) {
    throw new RestoreInputError(`input \`throughput\` of a gp3 volume with ${iops ?? 'the default 3000'} IOPS must be at most ${Math.floor((iops ?? 3000) / 4)} MiB/s (0.25 per IOPS); got ${throughput} (ask for more \`iops\` or less throughput)`);
  }

  const zones = await regionZones(ec2);
  const allowed = settings.allowedZones.length > 0 ? zones.filter((zone) => settings.allowedZones.includes(zone)) : zones;
  let availabilityZone = optionalString(input, 'availabilityZone', `one of ${allowed.join(', ')}`);
  let device: string | undefined;
  const instanceId = attachTo ?? replaceRootOf;
  if (instanceId) {
    const instance = await describeInstanceById(ec2, instanceId);
    if (!instance) {
      throw new RestoreInputError(`input \`${attachTo ? 'attachToInstance' : 'replaceRootVolumeOf'}\`: instance ${instanceId} does not exist in this account and region`);
    }
    const instanceZone = instance.Placement?.AvailabilityZone ?? '';
    availabilityZone = availabilityZone ?? instanceZone;
    if (availabilityZone !== instanceZone) {
      throw new RestoreInputError(`input \`availabilityZone\` must be the zone of instance ${instanceId} (${instanceZone}) to attach to it; got '${availabilityZone}'`);
    }
    const state = instance.State?.Name ?? 'unknown';
    if (attachTo) {
      device = requiredString(input, 'device', 'the device name to attach at, /dev/sdf to /dev/sdp');
      if (!DEVICE.test(device)) {
        throw new RestoreInputError(`input \`device\` must be /dev/sdf to /dev/sdp (or /dev/xvdf to /dev/xvdp); got '${device}'`);
      }
      checkDeviceFree(device, instanceId, instance);
      if (state !== 'running' && state !== 'stopped') {
        throw new RestoreInputError(`input \`attachToInstance\`: instance ${instanceId} is '${state}'; a volume can be attached to a running or stopped instance`);
      }
      requireConfirmation(input, `attaching the restored volume to instance ${instanceId}`, instanceId);
    } else {
      if (state !== 'running') {
        throw new RestoreInputError(`input \`replaceRootVolumeOf\`: instance ${instanceId} is '${state}'; a root volume replacement needs a running instance`);
      }
      requireConfirmation(input, `replacing the root volume of instance ${instanceId} (the instance restarts; its current root volume is kept)`, instanceId);
    }
  }
  if (!availabilityZone) {
    throw new RestoreInputError(`input \`availabilityZone\` is required: one of ${allowed.join(', ')}`);
  }
  if (!zones.includes(availabilityZone)) {
    throw new RestoreInputError(`input \`availabilityZone\`: '${availabilityZone}' is not an available zone of this region; allowed: ${allowed.join(', ')}`);
  }
  if (!allowed.includes(availabilityZone)) {
    throw new RestoreInputError(`input \`availabilityZone\`: '${availabilityZone}' is not covered by the workflow's subnets; allowed: ${allowed.join(', ')}`);
  }
  return {
    mode: replaceRootOf ? 'replace-root' : 'create',
    snapshotId,
    size,
    availabilityZone,
    volumeType,
    iops,
    throughput,
    instanceId,
    device,
    readyBy: new Date(now.getTime() + settings.readyWithinMinutes * 60_000).toISOString(),
  };
}

function tags(settings: VolumeRestoreSettings, execution: string, plan: VolumeRestorePlan) {
  return [
    { Key: EXECUTION_TAG, Value: execution },
    { Key: WORKFLOW_TAG, Value: 'volume' },
    { Key: WORKFLOW_ID_TAG, Value: settings.workflowId },
    { Key: 'cdk-backup-dr:restored-from', Value: plan.snapshotId },
  ];
}

/**
 * Creates the volume, tagged with the execution's name; the client token (of the execution's id
 * and start time) makes a repeated call of the same execution return the same volume.
 */
export async function createVolume(
  ec2: EC2Client, settings: VolumeRestoreSettings, plan: VolumeRestorePlan, execution: string, identity: ExecutionIdentity,
): Promise<{ volumeId: string }> {
  try {
    const response = await ec2.send(new CreateVolumeCommand({
      SnapshotId: plan.snapshotId,
      AvailabilityZone: plan.availabilityZone,
      Size: plan.size,
      VolumeType: plan.volumeType as VolumeType,
      Iops: plan.iops,
      Throughput: plan.throughput,
      Encrypted: true,
      KmsKeyId: settings.kmsKeyId,
      ClientToken: clientToken(identity, 'create-volume'),
      TagSpecifications: [{ ResourceType: 'volume', Tags: tags(settings, execution, plan) }],
    }));
    return { volumeId: response.VolumeId! };
  } catch (error) {
    rethrowFor(`creating a volume from ${plan.snapshotId} in ${plan.availabilityZone}`, error);
  }
}

async function describeVolume(ec2: EC2Client, volumeId: string): Promise<Volume | undefined> {
  try {
    const response = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
    return response.Volumes?.[0];
  } catch (error) {
    if (errorName(error) === 'InvalidVolume.NotFound') {
      return undefined;
    }
    rethrowFor(`volume ${volumeId}`, error);
  }
}

function late(what: string, readyBy: string, now: Date): void {
  if (now.getTime() > Date.parse(readyBy)) {
    throw new RestoreCheckError(`${what} at ${now.toISOString()}, after the deadline ${readyBy}`);
  }
}

/** The new volume's state: `ready` once available (or attached, when attaching). */
export async function volumeState(ec2: EC2Client, volumeId: string, plan: VolumeRestorePlan, phase: 'create' | 'attach', now: Date = new Date()): Promise<{ state: string; ready: boolean }> {
  const volume = await describeVolume(ec2, volumeId);
  if (!volume) {
    throw new RestoreCheckError(`volume ${volumeId} disappeared while the restore waited for it`);
  }
  const state = volume.State ?? 'unknown';
  if (state === 'error' || state === 'deleting' || state === 'deleted') {
    throw new RestoreCheckError(`volume ${volumeId} is '${state}' instead of becoming available`);
  }
  if (phase === 'create') {
    const ready = state === 'available';
    if (!ready) {
      late(`volume ${volumeId} is still '${state}'`, plan.readyBy, now);
    }
    return { state, ready };
  }
  const attachment = (volume.Attachments ?? []).find((a) => a.InstanceId === plan.instanceId);
  const attachmentState = attachment?.State ?? 'detached';
  const ready = attachmentState === 'attached';
  if (!ready) {
    late(`volume ${volumeId} is still '${attachmentState}' to ${plan.instanceId}`, plan.readyBy, now);
  }
  return { state: attachmentState, ready };
}

/** Attaches the new volume (confirmed at validation). Repeating it after it succeeded is harmless. */
export async function attachVolume(ec2: EC2Client, volumeId: string, plan: VolumeRestorePlan): Promise<{ attachedTo: string; device: string }> {
  if (!plan.instanceId || !plan.device) {
    throw new Error(`attaching volume ${volumeId}: the plan names no instance and device`);
  }
  try {
    await ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: plan.instanceId, Device: plan.device }));
  } catch (error) {
    const volume = errorName(error) === 'VolumeInUse' || errorName(error) === 'IncorrectState' ? await describeVolume(ec2, volumeId) : undefined;
    const mine = volume?.Attachments?.find((a) => a.InstanceId === plan.instanceId && a.Device === plan.device);
    if (!mine) {
      rethrowFor(`attaching volume ${volumeId} to ${plan.instanceId} at ${plan.device}`, error);
    }
  }
  return { attachedTo: plan.instanceId, device: plan.device };
}

/** Starts the root volume replacement; the client token makes a repeated call of the same execution return the same task. The old root volume is kept. */
export async function startRootReplacement(
  ec2: EC2Client, settings: VolumeRestoreSettings, plan: VolumeRestorePlan, execution: string, identity: ExecutionIdentity,
): Promise<{ taskId: string }> {
  try {
    const response = await ec2.send(new CreateReplaceRootVolumeTaskCommand({
      InstanceId: plan.instanceId,
      SnapshotId: plan.snapshotId,
      DeleteReplacedRootVolume: false,
      ClientToken: clientToken(identity, 'replace-root'),
      TagSpecifications: [{ ResourceType: 'replace-root-volume-task', Tags: tags(settings, execution, plan) }],
    }));
    return { taskId: response.ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId! };
  } catch (error) {
    rethrowFor(`replacing the root volume of ${plan.instanceId} from ${plan.snapshotId}`, error);
  }
}

/** The replacement task's state; `failed` tasks put the original root volume back (AWS does that), so there is nothing to clean. */
export async function rootReplacementState(ec2: EC2Client, taskId: string, plan: VolumeRestorePlan, now: Date = new Date()): Promise<{ state: string; ready: boolean }> {
  let state: string;
  try {
    const response = await ec2.send(new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [taskId] }));
    state = response.ReplaceRootVolumeTasks?.[0]?.TaskState ?? 'unknown';
  } catch (error) {
    rethrowFor(`root volume replacement task ${taskId}`, error);
  }
  if (state === 'failed' || state === 'failed-detached' || state === 'failing') {
    throw new RestoreCheckError(`root volume replacement task ${taskId} of ${plan.instanceId} is '${state}'; AWS keeps or re-attaches the original root volume`);
  }
  const ready = state === 'succeeded';
  if (!ready) {
    late(`root volume replacement task ${taskId} is still '${state}'`, plan.readyBy, now);
  }
  return { state, ready };
}

/** What cleanup did with the volumes of one execution. */
export interface VolumeCleanup {
  /** The volumes of the execution it deleted (or found being deleted). */
  readonly deleted: string[];
  /** The volumes it left, each with why. */
  readonly kept: Array<{ readonly volumeId: string; readonly reason: string }>;
  /** Where it looked, when it found nothing to delete. */
  readonly note?: string;
}

/** The volumes tagged with this execution and this workflow. */
async function executionVolumes(ec2: EC2Client, settings: VolumeRestoreSettings, execution: string): Promise<Volume[]> {
  try {
    const response = await ec2.send(new DescribeVolumesCommand({
      Filters: [{ Name: `tag:${EXECUTION_TAG}`, Values: [execution] }, { Name: `tag:${WORKFLOW_ID_TAG}`, Values: [settings.workflowId] }],
    }));
    return response.Volumes ?? [];
  } catch (error) {
    rethrowFor(`the volumes tagged ${EXECUTION_TAG}=${execution}`, error);
  }
}

/**
 * Deletes the volumes this execution created that are not attached; never any other volume.
 * They are found by the execution's tag as well as by `volumeId`: when the create step failed
 * after EC2 created the volume (its response lost, or the step timed out), the id never reached
 * the state machine. A volume created before the execution started carries the tag of an earlier
 * execution of the same name (Step Functions allows reusing a name once its history is gone)
 * and is kept.
 */
export async function deleteCreatedVolumes(
  ec2: EC2Client, settings: VolumeRestoreSettings, volumeId: string | undefined, execution: string, identity: ExecutionIdentity,
): Promise<VolumeCleanup> {
  const started = executionStart(identity, `cleanup of ${execution}`);
  const deleted: string[] = [];
  const kept: Array<{ volumeId: string; reason: string }> = [];
  const found = new Map((await executionVolumes(ec2, settings, execution)).map((volume) => [volume.VolumeId!, volume]));
  if (volumeId && !found.has(volumeId)) {
    const volume = await describeVolume(ec2, volumeId);
    if (volume) {
      found.set(volumeId, volume);
    }
  }
  for (const [id, volume] of found) {
    const created = volume.CreateTime ? new Date(volume.CreateTime) : undefined;
    if (!(volume.Tags ?? []).some((tag) => tag.Key === EXECUTION_TAG && tag.Value === execution)) {
      kept.push({ volumeId: id, reason: `the volume was not created by ${execution}: left alone` });
    } else if (created === undefined || createdBeforeStart(created, started)) {
      const when = created === undefined ? 'at a time EC2 did not report' : created.toISOString();
      kept.push({ volumeId: id, reason: `the volume was created ${when}, before this execution started (${identity.startTime}): an earlier execution named ${execution} made it; left alone` });
    } else if (volume.State === 'in-use') {
      kept.push({ volumeId: id, reason: `the volume is attached to ${volume.Attachments?.[0]?.InstanceId}: left attached, detach and delete it by hand if it is not wanted` });
    } else if (volume.State === 'deleting' || volume.State === 'deleted') {
      deleted.push(id);
    } else {
      try {
        await ec2.send(new DeleteVolumeCommand({ VolumeId: id }));
      } catch (error) {
        if (errorName(error) !== 'InvalidVolume.NotFound') {
          rethrowFor(`deleting volume ${id}`, error);
        }
      }
      deleted.push(id);
    }
  }
  if (found.size === 0) {
    return {
      deleted, kept,
      note: `no volume tagged ${EXECUTION_TAG}=${execution}${volumeId ? ` and no volume ${volumeId}` : ''}; a create call that was cut off may still add one: look for that tag`,
    };
  }
  return { deleted, kept };
}
