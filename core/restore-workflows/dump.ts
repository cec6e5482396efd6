/**
 * The steps of the dump restore workflow that talk to AWS: check the request and plan the
 * new instance, create it, read its state, protect it once verified, and delete it when a
 * later step failed. Each takes its SDK clients as arguments; the function and the
 * `restore db --from-dump` command (for `--dry-run`) share them.
 */
import {
  CreateDBInstanceCommand, DBInstance, DeleteDBInstanceCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readTextObject } from '../dump/objects';
import { DumpManifest, ManifestError, MANIFEST_FILE_NAME, dumpFileOf, parseManifest, parseRunKey } from '../dump/manifest';
import {
  EXECUTION_TAG, ExecutionIdentity, RDS_DEAD_END_STATES, RestoreCheckError, RestoreInputError, WORKFLOW_ID_TAG, WORKFLOW_TAG, createdBeforeStart, errorName, executionStart, optionalInteger,
  optionalString, requiredKey, requiredString, rethrowFor,
} from './common';

/** What the deployment fixes (the function's environment): where dumps are and what a new instance looks like. */
export interface DumpRestoreSettings {
  /** The 48-hour bucket (keys `daily/...`). */
  readonly dailyBucket: string;
  /** The archive bucket (keys `yearly/...`), when there is one. */
  readonly archiveBucket?: string;
  /** Every instance the workflow creates has an identifier starting with this; its IAM policy allows no other. */
  readonly identifierPrefix: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly instanceClass: string;
  /** GiB. */
  readonly allocatedStorage: number;
  readonly subnetGroupName: string;
  readonly securityGroupIds: string[];
  /** KMS key (ARN) for the instance's storage and its master user secret. */
  readonly kmsKeyId: string;
  readonly parameterGroupName?: string;
  /** Automated backup retention set once the restore is verified, in days. */
  readonly backupRetentionDays: number;
  /** Minutes the new instance may take to become available before the workflow gives up. */
  readonly availableWithinMinutes: number;
  /**
   * The workflow's id, tagged on every instance it creates (`WORKFLOW_ID_TAG`): its IAM policy
   * changes and deletes only instances carrying it, so not another dump restore workflow's.
   */
  readonly workflowId: string;
}

/** The request, as a person or the CLI gives it. */
export interface DumpRestoreRequest {
  /** Key of the run's `manifest.json` (`daily/YYYY-MM-DD/<run>/manifest.json` or `yearly/YYYY/...`). */
  readonly manifestKey: string;
  /**
   * The bucket the manifest is in, when the requester names one (`--from-dump s3://<bucket>/...`).
   * It must be the bucket this workflow reads that tier from: the workflow never reads another.
   * @default - the workflow's bucket for the key's tier
   */
  readonly bucket?: string;
  /** The identifier of the NEW instance; must start with the deployment's prefix and must not exist. */
  readonly targetInstanceIdentifier: string;
  /** @default - the deployment's instance class */
  readonly instanceClass?: string;
  /** GiB. @default - the larger of the deployment's default and ten times the compressed dump */
  readonly allocatedStorage?: number;
  /** Keep the new instance when a later step fails (to investigate). @default false */
  readonly keepOnFailure?: boolean;
}

/** What the workflow will create and load; the output of the validation step and of `--dry-run`. */
export interface DumpRestorePlan {
  readonly bucket: string;
  readonly manifestKey: string;
  readonly dumpKey: string;
  /** Compressed bytes. */
  readonly dumpBytes: number;
  readonly dumpSha256: string;
  readonly runId: string;
  readonly dumpCreatedAt: string;
  readonly databases: string[];
  readonly tables: number;
  readonly rows: number;
  readonly targetInstanceIdentifier: string;
  readonly instanceClass: string;
  /** GiB. */
  readonly allocatedStorage: number;
  readonly engine: string;
  readonly engineVersion: string;
  readonly keepOnFailure: boolean;
  /** ISO time after which waiting for the instance fails the restore. */
  readonly availableBy: string;
}

const IDENTIFIER = /^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-)){0,62}$/;
const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);
/** The storage a restored instance may be given (RDS for MySQL's range). */
export const ALLOCATED_STORAGE_GIB = { min: 20, max: 65536 };

/** Checks the request against the deployment and AWS and returns the plan; creates nothing. */
export async function planDumpRestore(clients: { s3: S3Client; rds: RDSClient }, settings: DumpRestoreSettings, input: Record<string, unknown>, now: Date = new Date()): Promise<DumpRestorePlan> {
  const manifestKey = requiredKey(input, 'manifestKey', `the key of a dump's ${MANIFEST_FILE_NAME} (daily/YYYY-MM-DD/<run id>/${MANIFEST_FILE_NAME} or yearly/YYYY/YYYY-MM-DD/<run id>/${MANIFEST_FILE_NAME})`);
  const parsed = parseRunKey(manifestKey);
  if (!parsed || parsed.fileName !== MANIFEST_FILE_NAME) {
    throw new RestoreInputError(`input \`manifestKey\` must be daily/YYYY-MM-DD/<run id>/${MANIFEST_FILE_NAME} or yearly/YYYY/YYYY-MM-DD/<run id>/${MANIFEST_FILE_NAME}; got '${manifestKey}'`);
  }
  const bucket = parsed.tier === 'daily' ? settings.dailyBucket : settings.archiveBucket;
  if (!bucket) {
    throw new RestoreInputError(`input \`manifestKey\` names a yearly dump ('${manifestKey}') but this workflow has no archive bucket; allowed: daily/... keys in ${settings.dailyBucket}`);
  }
  const named = optionalString(input, 'bucket', `the bucket of the dump, ${bucket} for ${parsed.tier}/ keys (or nothing)`);
  if (named !== undefined && named !== bucket) {
    throw new RestoreInputError(`input \`bucket\` is '${named}', but this workflow reads ${parsed.tier}/ dumps only from ${bucket}: give '${bucket}' (s3://${bucket}/${manifestKey}) or no bucket, or restore with the workflow deployed for ${named}`);
  }
  const target = requiredString(input, 'targetInstanceIdentifier', `a new RDS instance identifier starting with '${settings.identifierPrefix}'`);
  if (!IDENTIFIER.test(target) || target.endsWith('-')) {
    throw new RestoreInputError(`input \`targetInstanceIdentifier\` must be 1 to 63 letters, digits or single hyphens, starting with a letter and not ending with a hyphen; got '${target}'`);
  }
  if (!target.startsWith(settings.identifierPrefix)) {
    throw new RestoreInputError(`input \`targetInstanceIdentifier\` must start with '${settings.identifierPrefix}' (the only identifiers this workflow may create and delete); got '${target}'`);
  }
  const instanceClass = optionalString(input, 'instanceClass', 'an RDS instance class such as db.r7g.large') ?? settings.instanceClass;
  if (!INSTANCE_CLASS.test(instanceClass)) {
    throw new RestoreInputError(`input \`instanceClass\` must be an RDS instance class such as db.r7g.large; got '${instanceClass}'`);
  }
  const requestedStorage = optionalInteger(input, 'allocatedStorage', ALLOCATED_STORAGE_GIB.min, ALLOCATED_STORAGE_GIB.max, 'GiB');
  const keepOnFailure = input.keepOnFailure === undefined ? false : input.keepOnFailure;
  if (typeof keepOnFailure !== 'boolean') {
    throw new RestoreInputError(`input \`keepOnFailure\` must be true or false; got ${JSON.stringify(keepOnFailure)}`);
  }

  let manifest: DumpManifest;
  try {
    manifest = parseManifest(await readTextObject(clients.s3, bucket, manifestKey));
  } catch (error) {
    if (error instanceof ManifestError) {
      throw new RestoreInputError(`s3://${bucket}/${manifestKey} is not a valid dump manifest: ${error.message}`);
    }
    if (/NoSuchKey|NotFound|does not exist/i.test(String(error))) {
      throw new RestoreInputError(`input \`manifestKey\`: no dump manifest at s3://${bucket}/${manifestKey}; list the dumps with \`aws s3 ls s3://${bucket}/${parsed.tier}/ --recursive\``);
    }
    throw error;
  }
  const dumpFile = dumpFileOf(manifest);
  const dumpKey = dumpFile.key.includes('/') ? dumpFile.key : parsed.prefix + dumpFile.key;
  // Another run's dump would be loaded, and verified, as this run's.
  if (!dumpKey.startsWith(parsed.prefix) || dumpKey.slice(parsed.prefix.length).includes('/')) {
    throw new RestoreInputError(`the manifest s3://${bucket}/${manifestKey} lists ${dumpKey}, which is not a file of its run (not directly under ${parsed.prefix}): restore from that run's own manifest`);
  }
  let head;
  try {
    head = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: dumpKey }));
  } catch (error) {
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey') {
      throw new RestoreInputError(`the manifest s3://${bucket}/${manifestKey} lists ${dumpKey}, which does not exist (expired from the 48-hour bucket?)`);
    }
    rethrowFor(`s3://${bucket}/${dumpKey}`, error);
  }
  if (ARCHIVED.has(head.StorageClass ?? '') && !/ongoing-request="false"/.test(head.Restore ?? '')) {
    throw new RestoreInputError(`s3://${bucket}/${dumpKey} is in ${head.StorageClass}: bring it back first with \`cdk-backup-dr restore objects --archive --bucket ${bucket} --prefix ${parsed.prefix}\``);
  }
  if (head.ContentLength !== undefined && head.ContentLength !== dumpFile.bytes) {
    throw new RestoreInputError(`s3://${bucket}/${dumpKey} has ${head.ContentLength} bytes but its manifest records ${dumpFile.bytes}: the dump is not the one the manifest describes`);
  }
  if (await describeInstance(clients.rds, target)) {
    throw new RestoreInputError(`input \`targetInstanceIdentifier\`: an instance '${target}' already exists; choose an identifier that does not exist (the workflow never overwrites an instance)`);
  }
  const minimumStorage = Math.max(20, Math.ceil((dumpFile.bytes * 10) / 2 ** 30));
  return {
    bucket,
    manifestKey,
    dumpKey,
    dumpBytes: dumpFile.bytes,
    dumpSha256: dumpFile.sha256,
    runId: manifest.runId,
    dumpCreatedAt: manifest.createdAt,
    databases: manifest.databases,
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
    targetInstanceIdentifier: target,
    instanceClass,
    allocatedStorage: requestedStorage ?? Math.max(settings.allocatedStorage, minimumStorage),
    engine: settings.engine,
    engineVersion: settings.engineVersion,
    keepOnFailure,
    availableBy: new Date(now.getTime() + settings.availableWithinMinutes * 60_000).toISOString(),
  };
}

/** The instance, or undefined when it does not exist. */
export async function describeInstance(rds: RDSClient, identifier: string): Promise<DBInstance | undefined> {
  try {
    const response = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    return response.DBInstances?.[0];
  } catch (error) {
    if (errorName(error) === 'DBInstanceNotFoundFault' || errorName(error) === 'DBInstanceNotFound') {
      return undefined;
    }
    rethrowFor(`RDS instance ${identifier}`, error);
  }
}

/**
 * Whether the instance carries the tags of this execution of this workflow (the database restore
 * tags its instances with the same execution key, and another dump restore workflow may run an
 * execution of the same name).
 */
function taggedBy(instance: DBInstance, execution: string, workflowId: string): boolean {
  const tags = instance.TagList ?? [];
  return tags.some((tag) => tag.Key === EXECUTION_TAG && tag.Value === execution) && tags.some((tag) => tag.Key === WORKFLOW_ID_TAG && tag.Value === workflowId);
}

/**
 * When the instance was created before the execution started: then an earlier execution of the
 * same name (which Step Functions allows once the earlier one's history is gone) made it. An
 * instance without a creation time (RDS may give none before the instance is created) is not
 * taken for an earlier one: its tags decide.
 */
function createdBefore(instance: DBInstance, started: number): Date | undefined {
  const created = instance.InstanceCreateTime ? new Date(instance.InstanceCreateTime) : undefined;
  return created && createdBeforeStart(created, started) ? created : undefined;
}

/** Whether this dump restore's execution created the instance: its tags, and not created before the execution started. */
function createdBy(instance: DBInstance, execution: string, workflowId: string, started: number): boolean {
  return taggedBy(instance, execution, workflowId) && !createdBefore(instance, started);
}

/**
 * Creates the empty instance. A repeated call of the same execution finds the instance it created
 * and does not create another; an instance an earlier execution of the same name created is not taken.
 */
export async function createInstance(
  rds: RDSClient, settings: DumpRestoreSettings, plan: DumpRestorePlan, execution: string, identity: ExecutionIdentity,
): Promise<{ instanceIdentifier: string; created: boolean }> {
  const identifier = plan.targetInstanceIdentifier;
  const started = executionStart(identity, `creating RDS instance ${identifier} for ${execution}`);
  const existing = await describeInstance(rds, identifier);
  if (existing) {
    if (createdBy(existing, execution, settings.workflowId, started)) {
      return { instanceIdentifier: identifier, created: false };
    }
    throw new RestoreInputError(`input \`targetInstanceIdentifier\`: an instance '${identifier}' already exists and was not created by this restore (${execution}, started ${identity.startTime}); choose an identifier that does not exist`);
  }
  try {
    await rds.send(new CreateDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      DBInstanceClass: plan.instanceClass,
      Engine: plan.engine,
      EngineVersion: plan.engineVersion,
      AllocatedStorage: plan.allocatedStorage,
      StorageType: 'gp3',
      StorageEncrypted: true,
      KmsKeyId: settings.kmsKeyId,
      DBSubnetGroupName: settings.subnetGroupName,
      VpcSecurityGroupIds: settings.securityGroupIds,
      DBParameterGroupName: settings.parameterGroupName,
      MasterUsername: 'restore_admin',
      ManageMasterUserPassword: true,
      MasterUserSecretKmsKeyId: settings.kmsKeyId,
      // Backups (and with them the binary log) start once the load is verified: loading is faster without them.
      BackupRetentionPeriod: 0,
      DeletionProtection: false,
      PubliclyAccessible: false,
      MultiAZ: false,
      CopyTagsToSnapshot: true,
      AutoMinorVersionUpgrade: true,
      Tags: [
        { Key: EXECUTION_TAG, Value: execution },
        { Key: WORKFLOW_TAG, Value: 'dump' },
        { Key: WORKFLOW_ID_TAG, Value: settings.workflowId },
        { Key: 'cdk-backup-dr:restored-from', Value: `s3://${plan.bucket}/${plan.dumpKey}`.slice(0, 256) },
      ],
    }));
  } catch (error) {
    if (errorName(error) === 'DBInstanceAlreadyExistsFault') {
      const raced = await describeInstance(rds, identifier);
      if (raced && createdBy(raced, execution, settings.workflowId, started)) {
        return { instanceIdentifier: identifier, created: false };
      }
      throw new RestoreInputError(`input \`targetInstanceIdentifier\`: an instance '${identifier}' was created by someone else meanwhile; choose another identifier`);
    }
    rethrowFor(`creating RDS instance ${identifier}`, error);
  }
  return { instanceIdentifier: identifier, created: true };
}

/** The state of the new instance, as the wait loop reads it. */
export interface InstanceState {
  readonly status: string;
  readonly available: boolean;
  readonly endpoint?: string;
  readonly port?: number;
  readonly secretArn?: string;
}

/** Reads the new instance's state; throws a `RestoreCheckError` when it failed or is late. */
export async function instanceState(rds: RDSClient, identifier: string, availableBy: string, now: Date = new Date()): Promise<InstanceState> {
  const instance = await describeInstance(rds, identifier);
  if (!instance) {
    throw new RestoreCheckError(`RDS instance ${identifier} disappeared while the restore waited for it`);
  }
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (RDS_DEAD_END_STATES.has(status)) {
    throw new RestoreCheckError(`RDS instance ${identifier} is '${status}' instead of becoming available`);
  }
  const available = status === 'available' && Boolean(instance.Endpoint?.Address) && instance.MasterUserSecret?.SecretStatus !== 'creating';
  if (!available && now.getTime() > Date.parse(availableBy)) {
    throw new RestoreCheckError(`RDS instance ${identifier} is still '${status}' at ${now.toISOString()}, after the deadline ${availableBy}`);
  }
  return {
    status,
    available,
    endpoint: instance.Endpoint?.Address,
    port: instance.Endpoint?.Port,
    secretArn: instance.MasterUserSecret?.SecretArn,
  };
}

/** Turns on deletion protection and automated backups once the restored copy is verified. */
export async function protectInstance(rds: RDSClient, identifier: string, backupRetentionDays: number): Promise<void> {
  try {
    await rds.send(new ModifyDBInstanceCommand({
      DBInstanceIdentifier: identifier,
      DeletionProtection: true,
      BackupRetentionPeriod: backupRetentionDays,
      ApplyImmediately: true,
    }));
  } catch (error) {
    rethrowFor(`protecting RDS instance ${identifier}`, error);
  }
}

/** What cleanup did. */
export interface CleanupResult {
  readonly instanceIdentifier: string;
  readonly deleted: boolean;
  readonly reason: string;
}

/**
 * Deletes the instance this execution created (and nothing else). One created before the
 * execution started carries the tags of an earlier execution of the same name and is kept.
 */
export async function deleteCreatedInstance(
  rds: RDSClient, identifier: string, execution: string, workflowId: string, identity: ExecutionIdentity, keep: boolean,
): Promise<CleanupResult> {
  const started = executionStart(identity, `cleanup of ${execution}`);
  const instance = await describeInstance(rds, identifier);
  if (!instance) {
    return { instanceIdentifier: identifier, deleted: false, reason: 'the instance was never created' };
  }
  if (!taggedBy(instance, execution, workflowId)) {
    return { instanceIdentifier: identifier, deleted: false, reason: `the instance was not created by ${execution} of this workflow (${WORKFLOW_ID_TAG}=${workflowId}): left alone` };
  }
  const earlier = createdBefore(instance, started);
  if (earlier) {
    return {
      instanceIdentifier: identifier,
      deleted: false,
      reason: `the instance was created ${earlier.toISOString()}, before this execution started (${identity.startTime}): an earlier execution named ${execution} made it; left alone`,
    };
  }
  if (keep) {
    return { instanceIdentifier: identifier, deleted: false, reason: 'kept for investigation (keepOnFailure)' };
  }
  if (instance.DBInstanceStatus === 'deleting') {
    return { instanceIdentifier: identifier, deleted: true, reason: 'already being deleted' };
  }
  try {
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
  } catch (error) {
    if (errorName(error) === 'DBInstanceNotFoundFault') {
      return { instanceIdentifier: identifier, deleted: false, reason: 'the instance was never created' };
    }
    rethrowFor(`deleting RDS instance ${identifier}`, error);
  }
  return { instanceIdentifier: identifier, deleted: true, reason: 'a later step failed; the dump in S3 is unchanged' };
}
