import { CfnResource, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isEmailAddress } from '../private/email-address';

/**
 * The role a resource plays in the backup policy. It is written to the resource's
 * CloudFormation `Metadata` under the key `cdk-backup-dr`, where the backup report and
 * auditors read it.
 */
export enum BackupRole {
  /** Data the policy protects: a database, volume, bucket, table or file system. */
  PROTECTED_DATA = 'protected-data',
  /** A read replica or other live copy of protected data. */
  REPLICA = 'replica',
  /** An AWS Backup plan: when backups run and how long they are kept. */
  BACKUP_PLAN = 'backup-plan',
  /** An AWS Backup selection: which resources a plan backs up. */
  BACKUP_SELECTION = 'backup-selection',
  /** An AWS Backup vault: where recovery points are stored. */
  BACKUP_VAULT = 'backup-vault',
  /** A storage location of backups other than a vault, such as the bucket of SQL dumps. */
  BACKUP_STORE = 'backup-store',
  /** An Amazon Data Lifecycle Manager policy that takes and copies EBS snapshots. */
  SNAPSHOT_POLICY = 'snapshot-policy',
  /** A scheduled job that writes backups, such as a logical SQL dump. */
  BACKUP_JOB = 'backup-job',
  /** A consistency check of a replica or of backups. */
  CONSISTENCY_CHECK = 'consistency-check',
  /** A restore, or a scheduled restore drill that proves backups can be restored. */
  RESTORE_DRILL = 'restore-drill',
  /** An alarm on the health of the backups. */
  ALARM = 'alarm',
  /** The notification topic of the backup owner. */
  NOTIFICATION = 'notification',
  /** The operator's dashboard. */
  DASHBOARD = 'dashboard',
  /** A KMS key that encrypts backups or protected data. */
  ENCRYPTION_KEY = 'encryption-key',
  /** Stateful data that is deliberately not backed up; the reason is recorded. */
  EXEMPT = 'exempt',
}

/** What `BackupMetadata.describe` records about a resource. */
export interface BackupMetadataOptions {
  /** The resource's role in the backup policy. */
  readonly role: BackupRole;
  /**
   * The backup tier the resource belongs to (for example `hourly`, `daily`, `dump`). Also
   * set as the tag `backup:tier`.
   * @default - no tier
   */
  readonly tier?: string;
  /**
   * The person or team responsible for the backups (an email address). Also set as the
   * tag `backup:owner`.
   * @default - no owner recorded on this resource
   */
  readonly owner?: string;
  /**
   * One sentence on what the resource does for the policy.
   * @default - no description
   */
  readonly description?: string;
  /**
   * The protected resources this resource acts on (for a check, restore drill or backup
   * job: what it checks, restores or backs up). Recorded as construct paths.
   * @default - none
   */
  readonly targets?: IConstruct[];
}

/** The library metadata of one resource, as written to its `Metadata` under `cdk-backup-dr`. */
export interface BackupMetadataEntry {
  /** The resource's role in the backup policy (a `BackupRole` value). */
  readonly role: string;
  /** The backup tier. @default - none */
  readonly tier?: string;
  /** The backup owner. @default - none */
  readonly owner?: string;
  /** What the resource does for the policy. @default - none */
  readonly description?: string;
  /** Construct paths of the protected resources it acts on. @default - none */
  readonly targets?: string[];
  /** Why the resource is exempt from the coverage guard. @default - not exempt */
  readonly exemptReason?: string;
}

/** What `BackupMetadata.describeStack` records about a stack. */
export interface StackBackupMetadataOptions {
  /**
   * The stack description, shown in the CloudFormation console. Set only when the stack
   * has no description yet.
   * @default - the description is left as it is
   */
  readonly description?: string;
  /**
   * The person or team responsible for the backups (an email address).
   * @default - no owner recorded on the stack
   */
  readonly owner?: string;
  /**
   * The recovery point objective: the most data, as a span of time, that a failure may lose.
   * @default - no target recorded
   */
  readonly recoveryPointObjective?: Duration;
  /**
   * The recovery time objective: how long a restore may take.
   * @default - no target recorded
   */
  readonly recoveryTimeObjective?: Duration;
}

const BACKUP_METADATA_KEY = 'cdk-backup-dr';

/**
 * Writes the library's `Metadata` (key `cdk-backup-dr`) and tags (`backup:tier`,
 * `backup:owner`) that make a synthesized template readable for auditors and let the
 * `cdk-backup-dr report` command find each resource's role.
 *
 * Resource metadata schema: `{ "role": BackupRole, "tier"?: string, "owner"?: string,
 * "description"?: string, "targets"?: [construct path, ...], "exemptReason"?: string }`.
 * Template metadata schema: `{ "owner"?: string, "rpoMinutes"?: number, "rtoMinutes"?: number }`.
 */
export class BackupMetadata {
  /** The `Metadata` key this library writes on resources and templates. */
  public static readonly KEY = BACKUP_METADATA_KEY;

  /**
   * Records the role of a construct's resource. On an L2 construct the metadata goes to its
   * default child (`Resource`); without one, to every CloudFormation resource below it that
   * has none yet. Tags are applied to the construct and everything below it.
   */
  public static describe(construct: IConstruct, options: BackupMetadataOptions): void {
    const entry = BackupMetadata.entryOf(construct, options);
    for (const resource of BackupMetadata.resourcesOf(construct)) {
      const existing = resource.getMetadata(BACKUP_METADATA_KEY);
      resource.addMetadata(BACKUP_METADATA_KEY, { ...(existing ?? {}), ...entry });
    }
    if (options.tier !== undefined) {
      Tags.of(construct).add('backup:tier', options.tier);
    }
    if (options.owner !== undefined) {
      Tags.of(construct).add('backup:owner', options.owner);
    }
  }

  /**
   * Records the backup owner and the recovery objectives in the template's `Metadata`
   * section and gives the stack a description when it has none.
   */
  public static describeStack(stack: Stack, options: StackBackupMetadataOptions): void {
    if (options.description !== undefined && stack.templateOptions.description === undefined) {
      stack.templateOptions.description = options.description;
    }
    if (options.owner !== undefined) {
      checkOwner(stack.node.path, options.owner);
    }
    checkObjective(stack.node.path, 'recoveryPointObjective', options.recoveryPointObjective);
    checkObjective(stack.node.path, 'recoveryTimeObjective', options.recoveryTimeObjective);
    const metadata = { ...(stack.templateOptions.metadata ?? {}) };
    const existing = metadata[BACKUP_METADATA_KEY] ?? {};
    metadata[BACKUP_METADATA_KEY] = {
      ...existing,
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.recoveryPointObjective !== undefined ? { rpoMinutes: options.recoveryPointObjective.toMinutes() } : {}),
      ...(options.recoveryTimeObjective !== undefined ? { rtoMinutes: options.recoveryTimeObjective.toMinutes() } : {}),
    };
    stack.templateOptions.metadata = metadata;
  }

  /**
   * The library metadata of a CloudFormation resource, or `undefined` when it has none.
   */
  public static of(resource: CfnResource): BackupMetadataEntry | undefined {
    const value: unknown = resource.getMetadata(BACKUP_METADATA_KEY);
    return value !== undefined && !Token.isUnresolved(value) ? value as BackupMetadataEntry : undefined;
  }

  private static entryOf(construct: IConstruct, options: BackupMetadataOptions): BackupMetadataEntry {
    if (options.owner !== undefined) {
      checkOwner(construct.node.path, options.owner);
    }
    return {
      role: options.role,
      ...(options.tier !== undefined ? { tier: options.tier } : {}),
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.targets && options.targets.length > 0 ? { targets: options.targets.map((target) => target.node.path) } : {}),
    };
  }

  private static resourcesOf(construct: IConstruct): CfnResource[] {
    if (CfnResource.isCfnResource(construct)) {
      return [construct];
    }
    const child = construct.node.defaultChild;
    if (child && CfnResource.isCfnResource(child)) {
      return [child];
    }
    return construct.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.getMetadata(BACKUP_METADATA_KEY) === undefined);
  }
}

function checkOwner(path: string, owner: string): void {
  if (!Token.isUnresolved(owner) && !isEmailAddress(owner)) {
    throw new Error(`${path}: \`owner\` must be an email address, got '${owner}'`);
  }
}

/** The report reads objectives as whole minutes: anything else would be recorded as a number it does not mean. */
function checkObjective(path: string, prop: string, objective: Duration | undefined): void {
  if (objective === undefined || objective.isUnresolved()) {
    return;
  }
  const minutes = objective.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`${path}: \`${prop}\` must be a whole number of minutes, at least 1 minute, got ${objective.toHumanString()}`);
  }
}
