/**
 * The first step: checks the request against what exists, before anything is created.
 * Each problem throws `InvalidRestoreInput` naming the input and the allowed values.
 */
import { BackupClient, GetRecoveryPointRestoreMetadataCommand, ListRecoveryPointsByResourceCommand, type RecoveryPointByResource } from '@aws-sdk/client-backup';
import {
  DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, DescribeDBSubnetGroupsCommand,
  RDSClient, type DBInstance, type DBSnapshot, type Tag,
} from '@aws-sdk/client-rds';
import { createdBeforeExecution } from './earlier-instance';
import { automatedBackupsOf } from './automated-backups';
import { retainedBackupFor } from './retained-backups';
import { ZONED_TIME_ALLOWED, isZonedIsoTime } from '../../core/zoned-time';
import { aws, errorName, InvalidRestoreInput } from './errors';
import {
  EXECUTION_TAG, REQUEST_FIELDS, REQUEST_ID, RESTORE_KINDS, TAG_DRILL, TAG_PROMOTED_BY, WORKFLOW_ID_TAG,
  type ExecutionInfo, type RestoreKind, type RestorePlan, type RestoreRequest, type SourceInfo, type StepsConfig,
} from './types';

/** The SDK clients the steps use. */
export interface Clients {
  readonly rds: RDSClient;
  readonly backup: BackupClient;
}

const INSTANCE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** How many of the newest backups an error message lists. */
const LISTED = 5;

/** True when the string is a valid RDS instance identifier. */
export function isValidInstanceIdentifier(identifier: string): boolean {
  return identifier.length <= 63 && INSTANCE_ID.test(identifier);
}

/** A valid instance identifier made from a prefix and a request id (lower case, hyphens, at most 63). */
export function instanceIdentifierFor(prefix: string, requestId: string): string {
  const cleaned = `${prefix}-${requestId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, 63).replace(/-+$/, '');
  return /^[a-z]/.test(cleaned) ? cleaned : `r${cleaned}`.slice(0, 63);
}

/** The request id of a request: its own, or one made from the execution name. */
export function requestIdOf(request: RestoreRequest, execution: ExecutionInfo): string {
  if (request.requestId !== undefined) {
    if (typeof request.requestId !== 'string' || !REQUEST_ID.test(request.requestId)) {
      throw new InvalidRestoreInput(`\`requestId\` must be 1 to 50 letters, digits or hyphens starting with a letter or digit, got ${JSON.stringify(request.requestId)}`);
    }
    return request.requestId;
  }
  const fromName = execution.name.replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 50);
  if (!REQUEST_ID.test(fromName)) {
    throw new InvalidRestoreInput(`\`requestId\` is missing and the execution name '${execution.name}' does not make one; give a \`requestId\` of 1 to 50 letters, digits or hyphens`);
  }
  return fromName;
}

function tagValue(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value;
}

/** The instance with this identifier, or undefined when there is none. */
export async function findInstance(rds: RDSClient, identifier: string): Promise<DBInstance | undefined> {
  try {
    const result = await aws(`DescribeDBInstances ${identifier}`, () => rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })));
    return result.DBInstances?.[0];
  } catch (error) {
    if (errorName(error) === 'DBInstanceNotFoundFault' || errorName(error) === 'DBInstanceNotFound') {
      return undefined;
    }
    throw error;
  }
}

/** True when the instance was created by this workflow for this request. */
export function createdByRequest(instance: DBInstance, config: StepsConfig, requestId: string): boolean {
  return tagValue(instance.TagList, EXECUTION_TAG) === requestId && tagValue(instance.TagList, WORKFLOW_ID_TAG) === config.workflowId;
}

/** True when the instance is a drill's scratch copy made by this workflow. */
export function isDrillScratch(instance: DBInstance, config: StepsConfig): boolean {
  return tagValue(instance.TagList, TAG_DRILL) === 'true' && tagValue(instance.TagList, WORKFLOW_ID_TAG) === config.workflowId;
}

function sourceInfo(instance: DBInstance): SourceInfo {
  const missing = (what: string): never => {
    throw new InvalidRestoreInput(`source ${instance.DBInstanceIdentifier} has no ${what}; the restore copies it and cannot continue`);
  };
  return {
    identifier: instance.DBInstanceIdentifier!,
    live: true,
    arn: instance.DBInstanceArn ?? missing('ARN'),
    engine: instance.Engine ?? missing('engine'),
    instanceClass: instance.DBInstanceClass ?? missing('instance class'),
    subnetGroup: instance.DBSubnetGroup?.DBSubnetGroupName ?? missing('subnet group'),
    securityGroupIds: (instance.VpcSecurityGroups ?? []).map((group) => group.VpcSecurityGroupId!).filter(Boolean),
    parameterGroup: instance.DBParameterGroups?.[0]?.DBParameterGroupName ?? missing('parameter group'),
    kmsKeyId: instance.KmsKeyId,
    multiAz: instance.MultiAZ ?? false,
    endpoint: instance.Endpoint?.Address,
    port: instance.Endpoint?.Port,
  };
}

/**
 * The source that no longer exists, as the workflow was deployed with it. Settings it was
 * deployed without are left empty here; `requireDeployedSettings` refuses a restore that needs them.
 */
function deployedSourceInfo(config: StepsConfig): SourceInfo {
  const deployed = config.deployedSource;
  return {
    identifier: config.sourceIdentifier,
    live: false,
    arn: deployed.arn ?? '',
    instanceClass: deployed.instanceClass,
    subnetGroup: deployed.subnetGroup ?? '',
    securityGroupIds: deployed.securityGroupIds ?? [],
    parameterGroup: deployed.parameterGroup ?? undefined,
    multiAz: deployed.multiAz ?? false,
  };
}

/** Without the source, RDS would put a restored instance in its default subnet group, security group and parameter group: refused. */
function requireDeployedSettings(config: StepsConfig, kind: RestoreKind): void {
  const deployed = config.deployedSource;
  const unknown: string[] = [];
  if (!deployed.subnetGroup) {
    unknown.push('its DB subnet group (`sourceSettings.subnetGroupName`)');
  }
  if (!deployed.securityGroupIds?.length) {
    unknown.push('its VPC security groups (`sourceSettings.securityGroups`)');
  }
  if (deployed.parameterGroup === undefined) {
    unknown.push('its parameter group (`sourceSettings.parameterGroupName`)');
  }
  if (kind === 'recovery-point' && !deployed.arn) {
    unknown.push('its ARN (the `database` prop)');
  }
  if (unknown.length > 0) {
    throw new InvalidRestoreInput(`the source instance ${config.sourceIdentifier} no longer exists and the workflow ${config.workflowId} was deployed without ${unknown.join(', ')}; RDS would use its defaults instead, so nothing was restored: set them on the DatabaseRestore and deploy it again`);
  }
}

/** The class of the new instance: the request's, the source's, or one the backup records. */
function instanceClassFor(request: RestoreRequest, source: SourceInfo, fromBackup: string | undefined, backup: string): string {
  const instanceClass = request.instanceClass ?? source.instanceClass ?? fromBackup;
  if (!instanceClass) {
    throw new InvalidRestoreInput(`\`instanceClass\` is required: the source instance ${source.identifier} no longer exists and neither the workflow's settings nor the ${backup} record its instance class; give \`instanceClass\`, an RDS instance class such as db.r6g.large`);
  }
  return instanceClass;
}

/**
 * The input naming a backup that moves on (`newest`, `latest`), or undefined. An instance of the
 * request restored by an earlier execution holds what it was then; a named backup restores the
 * same data again, so its instance is resumed.
 */
function movingSource(request: RestoreRequest, kind: RestoreKind): string | undefined {
  if (kind === 'snapshot' && (request.snapshot ?? 'newest') === 'newest') {
    return '`snapshot` newest';
  }
  if (kind === 'recovery-point' && (request.recoveryPoint ?? 'newest') === 'newest') {
    return '`recoveryPoint` newest';
  }
  return kind === 'point-in-time' && request.restoreTime === 'latest' ? '`restoreTime` latest' : undefined;
}

function checkTime(name: string, value: string): Date {
  const time = new Date(value);
  if (typeof value !== 'string' || !isZonedIsoTime(value) || Number.isNaN(time.getTime())) {
    throw new InvalidRestoreInput(`\`${name}\` must be ${ZONED_TIME_ALLOWED}, or 'latest'; got ${JSON.stringify(value)}`);
  }
  return time;
}

async function snapshotsOf(rds: RDSClient, source: string): Promise<DBSnapshot[]> {
  const snapshots: DBSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await aws(`DescribeDBSnapshots of ${source}`, () => rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: source, Marker: marker })));
    snapshots.push(...(page.DBSnapshots ?? []));
    marker = page.Marker;
  } while (marker);
  return snapshots
    .filter((snapshot) => snapshot.Status === 'available' && snapshot.SnapshotCreateTime)
    .sort((a, b) => new Date(b.SnapshotCreateTime!).getTime() - new Date(a.SnapshotCreateTime!).getTime());
}

async function recoveryPointsOf(backup: BackupClient, sourceArn: string): Promise<RecoveryPointByResource[]> {
  const points: RecoveryPointByResource[] = [];
  let token: string | undefined;
  do {
    const page = await aws(`ListRecoveryPointsByResource ${sourceArn}`, () => backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: sourceArn, NextToken: token })));
    points.push(...(page.RecoveryPoints ?? []));
    token = page.NextToken;
  } while (token);
  return points
    .filter((point) => point.Status === 'COMPLETED' && point.CreationDate && point.RecoveryPointArn)
    .sort((a, b) => new Date(b.CreationDate!).getTime() - new Date(a.CreationDate!).getTime());
}

/** The start of a live instance's point-in-time window, from every page of its automated backups. */
async function earliestRestorableTime(rds: RDSClient, identifier: string): Promise<Date | undefined> {
  const backups = await automatedBackupsOf(rds, `DescribeDBInstanceAutomatedBackups ${identifier}`, { DBInstanceIdentifier: identifier });
  const times = backups.flatMap((backup) => (backup.RestoreWindow?.EarliestTime ? [new Date(backup.RestoreWindow.EarliestTime)] : []));
  return times.sort((a, b) => a.getTime() - b.getTime())[0];
}

function listed(values: string[]): string {
  return values.length === 0 ? 'none' : values.slice(0, LISTED).join(', ') + (values.length > LISTED ? `, ... (${values.length} in all)` : '');
}

/**
 * Bytes (UTF-8 JSON) a request may take: its fields are short (the longest, an ARN or an
 * identifier, a few hundred bytes), so a larger input is not a restore request.
 */
export const REQUEST_BYTES = 8 * 1024;

/** Why an input of this many bytes is refused, or undefined when its size is allowed. */
export function oversizedRequest(bytes: number): string | undefined {
  return bytes > REQUEST_BYTES
    ? `the input takes ${bytes.toLocaleString('en-US')} bytes of JSON; a restore request takes at most ${REQUEST_BYTES.toLocaleString('en-US')}: its fields (${REQUEST_FIELDS.join(', ')}) are short`
    : undefined;
}

/** How the checks run. */
export interface ValidateOptions {
  /**
   * A dry run: no execution starts, so whether the command's run would be this request (its
   * earlier execution forgotten) or a new one cannot be told; an earlier execution's instance
   * from `newest` or `latest` is planned as resumed, and the dry run says what running it does.
   */
  readonly dryRun?: boolean;
}

/** Checks a request and returns the plan the later steps follow. */
export async function validateRequest(
  clients: Clients, config: StepsConfig, request: RestoreRequest, execution: ExecutionInfo, now: Date = new Date(), options: ValidateOptions = {},
): Promise<RestorePlan> {
  const oversized = oversizedRequest(Buffer.byteLength(JSON.stringify(request) ?? ''));
  if (oversized) {
    throw new InvalidRestoreInput(oversized);
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidRestoreInput(`the input must be a JSON object with at least \`kind\` (one of ${RESTORE_KINDS.join(', ')}), got ${JSON.stringify(request)}`);
  }
  const unknown = Object.keys(request).filter((field) => !(REQUEST_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    throw new InvalidRestoreInput(`the input has ${unknown.length === 1 ? 'a field' : 'fields'} a restore request does not take: ${unknown.map((field) => JSON.stringify(field)).join(', ')}; `
      + `the fields are ${REQUEST_FIELDS.join(', ')} (a misspelt one would be left out, changing what the restore does)`);
  }
  const kind = request.kind as RestoreKind;
  if (!RESTORE_KINDS.includes(kind)) {
    throw new InvalidRestoreInput(`\`kind\` must be one of ${RESTORE_KINDS.join(', ')}, got ${JSON.stringify(request.kind)}`);
  }
  const requestId = requestIdOf(request, execution);
  for (const flag of ['drill', 'keepOnVerificationFailure'] as const) {
    if (request[flag] !== undefined && typeof request[flag] !== 'boolean') {
      throw new InvalidRestoreInput(`\`${flag}\` must be true or false (or left out: false), got ${JSON.stringify(request[flag])}`);
    }
  }
  const drill = request.drill === true;
  if (drill && kind === 'promote-replica') {
    throw new InvalidRestoreInput('`drill` must be false for `kind` promote-replica: a drill never promotes a replica');
  }
  // The disaster case: a source that no longer exists is restored from its backups alone.
  const sourceInstance = await findInstance(clients.rds, config.sourceIdentifier);
  const source = sourceInstance ? sourceInfo(sourceInstance) : deployedSourceInfo(config);
  const startedAt = new Date(execution.startTime).toISOString();
  const deadline = new Date(now.getTime() + config.restoreTimeoutMinutes * 60_000).toISOString();
  const base = { requestId, kind, drill, keepOnVerificationFailure: request.keepOnVerificationFailure === true, source, startedAt, executionArn: execution.id, deadline };

  if (kind === 'promote-replica') {
    return validatePromotion(clients, config, request, base);
  }
  if (!source.live) {
    requireDeployedSettings(config, kind);
  }

  // The new instance.
  const targetIdentifier = request.targetIdentifier ?? instanceIdentifierFor(drill ? 'drill' : 'restore', requestId);
  if (typeof targetIdentifier !== 'string' || !isValidInstanceIdentifier(targetIdentifier)) {
    throw new InvalidRestoreInput(`\`targetIdentifier\` must be 1 to 63 lower-case letters, digits or hyphens, starting with a letter, with no two hyphens in a row and none at the end, got ${JSON.stringify(request.targetIdentifier)}`);
  }
  if (targetIdentifier === source.identifier || config.replicaIdentifiers.includes(targetIdentifier)) {
    const which = targetIdentifier !== source.identifier ? 'live replica' : source.live ? 'live source' : 'source\'s identifier (never reused: the workflow may not tag or change an instance there)';
    throw new InvalidRestoreInput(`\`targetIdentifier\` must name a new instance, got ${targetIdentifier}, which is the ${which}`);
  }
  const existingTarget = await findInstance(clients.rds, targetIdentifier);
  if (existingTarget && !createdByRequest(existingTarget, config, requestId)) {
    throw new InvalidRestoreInput(`\`targetIdentifier\` ${targetIdentifier} already exists and was not created by request ${requestId}; choose a new identifier (a restore never writes into an existing instance)`);
  }
  const moving = movingSource(request, kind);
  const earlier = existingTarget && moving && !options.dryRun ? createdBeforeExecution(existingTarget, base) : undefined;
  if (earlier && moving) {
    throw new InvalidRestoreInput(`${moving}: ${targetIdentifier} was restored by an earlier execution of request ${requestId} (created ${earlier.toISOString()}, before this execution started at ${startedAt}) `
      + `from what was ${moving.split(' ')[1]} then; resumed, it would be reported as restored now. Give a new \`requestId\` or \`targetIdentifier\` `
      + `(with the restore command: --target <new instance id>); ${targetIdentifier} is left as it is`);
  }
  if (request.availabilityZone !== undefined) {
    const groups = await aws(`DescribeDBSubnetGroups ${source.subnetGroup}`, () => clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: source.subnetGroup })));
    const zones = [...new Set((groups.DBSubnetGroups?.[0]?.Subnets ?? []).map((subnet) => subnet.SubnetAvailabilityZone?.Name).filter((zone): zone is string => !!zone))].sort();
    if (!zones.includes(request.availabilityZone)) {
      throw new InvalidRestoreInput(`\`availabilityZone\` must be a zone of the subnet group ${source.subnetGroup} (${zones.join(', ') || 'none'}), got ${JSON.stringify(request.availabilityZone)}`);
    }
  }
  if (request.instanceClass !== undefined && (typeof request.instanceClass !== 'string' || !/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(request.instanceClass))) {
    throw new InvalidRestoreInput(`\`instanceClass\` must be an RDS instance class such as db.r6g.large, got ${JSON.stringify(request.instanceClass)}`);
  }
  const target = { identifier: targetIdentifier, availabilityZone: request.availabilityZone };
  const common = { ...base, existing: existingTarget !== undefined };

  if (kind === 'snapshot') {
    const wanted = request.snapshot ?? 'newest';
    const snapshots = await snapshotsOf(clients.rds, source.identifier);
    const snapshot = wanted === 'newest' ? snapshots[0] : snapshots.find((s) => s.DBSnapshotIdentifier === wanted || s.DBSnapshotArn === wanted);
    if (!snapshot) {
      throw new InvalidRestoreInput(wanted === 'newest'
        ? `\`snapshot\`: ${source.identifier} has no available snapshot to restore`
        : `\`snapshot\` ${JSON.stringify(wanted)} is not an available snapshot of ${source.identifier}; the newest are: ${listed(snapshots.map((s) => s.DBSnapshotIdentifier!))} (or 'newest')`);
    }
    return {
      ...common,
      source: { ...source, engine: source.engine ?? snapshot.Engine, kmsKeyId: source.kmsKeyId ?? snapshot.KmsKeyId },
      target: { ...target, instanceClass: instanceClassFor(request, source, undefined, `snapshot ${snapshot.DBSnapshotIdentifier}`) },
      snapshot: { identifier: snapshot.DBSnapshotIdentifier!, arn: snapshot.DBSnapshotArn ?? snapshot.DBSnapshotIdentifier!, createdAt: new Date(snapshot.SnapshotCreateTime!).toISOString(), kmsKeyId: snapshot.KmsKeyId },
      backupTime: new Date(snapshot.SnapshotCreateTime!).toISOString(),
    };
  }

  if (kind === 'recovery-point') {
    if (!config.backupRestoreRoleArn) {
      throw new InvalidRestoreInput('`kind` recovery-point needs the AWS Backup restore role, which this workflow was deployed without');
    }
    const wanted = request.recoveryPoint ?? 'newest';
    const points = await recoveryPointsOf(clients.backup, source.arn);
    const point = wanted === 'newest' ? points[0] : points.find((p) => p.RecoveryPointArn === wanted);
    if (!point) {
      throw new InvalidRestoreInput(wanted === 'newest'
        ? `\`recoveryPoint\`: ${source.identifier} has no completed AWS Backup recovery point`
        : `\`recoveryPoint\` ${JSON.stringify(wanted)} is not a completed recovery point of ${source.identifier}; the newest are: ${listed(points.map((p) => p.RecoveryPointArn!))} (or 'newest')`);
    }
    const fromPoint = request.instanceClass ?? source.instanceClass ? undefined : await recoveryPointInstanceClass(clients.backup, point);
    return {
      ...common,
      target: { ...target, instanceClass: instanceClassFor(request, source, fromPoint, `recovery point ${point.RecoveryPointArn}`) },
      recoveryPoint: { arn: point.RecoveryPointArn!, vault: point.BackupVaultName!, createdAt: new Date(point.CreationDate!).toISOString() },
      backupTime: new Date(point.CreationDate!).toISOString(),
    };
  }

  // point-in-time
  if (request.restoreTime === undefined) {
    throw new InvalidRestoreInput("`restoreTime` is required for `kind` point-in-time: an ISO 8601 time inside the point-in-time window, or 'latest'");
  }
  if (!sourceInstance) {
    return validateRetainedPointInTime(clients, request, { ...common, target }, source);
  }
  const latestRestorable = sourceInstance.LatestRestorableTime ? new Date(sourceInstance.LatestRestorableTime) : undefined;
  const earliestValue = await earliestRestorableTime(clients.rds, source.identifier);
  if (!latestRestorable || !earliestValue) {
    throw new InvalidRestoreInput(`\`restoreTime\`: ${source.identifier} has no point-in-time window (automated backups are off or not yet taken)`);
  }
  const window = `${earliestValue.toISOString()} to ${latestRestorable.toISOString()} (UTC)`;
  const pitrTarget = { ...target, instanceClass: instanceClassFor(request, source, undefined, 'automated backup') };
  if (request.restoreTime === 'latest') {
    return { ...common, target: pitrTarget, restoreTime: { latest: true, time: latestRestorable.toISOString() }, backupTime: latestRestorable.toISOString() };
  }
  const time = checkTime('restoreTime', request.restoreTime);
  if (time.getTime() < earliestValue.getTime() || time.getTime() > latestRestorable.getTime()) {
    throw new InvalidRestoreInput(`\`restoreTime\` ${time.toISOString()} is outside the point-in-time window of ${source.identifier}: ${window}, or 'latest'`);
  }
  return { ...common, target: pitrTarget, restoreTime: { latest: false, time: time.toISOString() }, backupTime: time.toISOString() };
}

/** Point in time of a source that no longer exists: from its retained automated backup. */
async function validateRetainedPointInTime(
  clients: Clients, request: RestoreRequest, common: Omit<RestorePlan, 'backupTime' | 'target'> & { target: Omit<RestorePlan['target'], 'instanceClass'> }, source: SourceInfo,
): Promise<RestorePlan> {
  const wanted = request.restoreTime === 'latest' ? 'latest' : checkTime('restoreTime', request.restoreTime!);
  const chosen = await retainedBackupFor(clients.rds, source.identifier, wanted);
  const target = { ...common.target, instanceClass: instanceClassFor(request, source, undefined, `retained automated backup ${chosen.arn}`) };
  return {
    ...common,
    source: { ...source, engine: source.engine ?? chosen.engine, kmsKeyId: source.kmsKeyId ?? chosen.kmsKeyId },
    target,
    restoreTime: { latest: wanted === 'latest', time: chosen.time, automatedBackupArn: chosen.arn },
    backupTime: chosen.time,
  };
}

async function recoveryPointInstanceClass(backup: BackupClient, point: RecoveryPointByResource): Promise<string | undefined> {
  const metadata = await aws(`GetRecoveryPointRestoreMetadata ${point.RecoveryPointArn}`, () => backup.send(new GetRecoveryPointRestoreMetadataCommand({
    BackupVaultName: point.BackupVaultName, RecoveryPointArn: point.RecoveryPointArn,
  })));
  return metadata.RestoreMetadata?.DBInstanceClass || undefined;
}

async function validatePromotion(
  clients: Clients, config: StepsConfig, request: RestoreRequest,
  base: Pick<RestorePlan, 'requestId' | 'kind' | 'drill' | 'keepOnVerificationFailure' | 'source' | 'startedAt' | 'executionArn' | 'deadline'>,
): Promise<RestorePlan> {
  const allowed = config.replicaIdentifiers;
  if (allowed.length === 0) {
    throw new InvalidRestoreInput('`kind` promote-replica: this workflow was deployed without a replica to promote');
  }
  if (typeof request.replica !== 'string' || !allowed.includes(request.replica)) {
    throw new InvalidRestoreInput(`\`replica\` must be one of ${allowed.join(', ')}, got ${JSON.stringify(request.replica)}`);
  }
  if (request.confirm !== request.replica) {
    throw new InvalidRestoreInput(`\`confirm\` must repeat the replica to promote (${request.replica}): promotion makes it a standalone writable instance and cannot be undone; got ${JSON.stringify(request.confirm ?? null)}`);
  }
  const replica = await findInstance(clients.rds, request.replica);
  if (!replica) {
    throw new InvalidRestoreInput(`\`replica\` ${request.replica} does not exist`);
  }
  const promotedByThisRequest = tagValue(replica.TagList, TAG_PROMOTED_BY) === base.requestId;
  if (!replica.ReadReplicaSourceDBInstanceIdentifier && !promotedByThisRequest) {
    throw new InvalidRestoreInput(`\`replica\` ${request.replica} is not a read replica any more (promoted earlier, not by request ${base.requestId}); nothing to promote`);
  }
  return {
    ...base,
    target: { identifier: request.replica, instanceClass: replica.DBInstanceClass ?? base.source.instanceClass ?? 'unknown' },
    backupTime: new Date().toISOString(),
    existing: promotedByThisRequest,
  };
}
