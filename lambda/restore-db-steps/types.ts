/**
 * The input of the database restore workflow and the documents its steps pass along.
 * Everything here is JSON: it travels through Step Functions.
 */
import { EnvironmentSettings } from '../../core/environment';
import { EXECUTION_TAG, WORKFLOW_ID_TAG } from '../../core/restore-workflows/common';

/** What to restore from. */
export const RESTORE_KINDS = ['snapshot', 'recovery-point', 'point-in-time', 'promote-replica'] as const;
export type RestoreKind = typeof RESTORE_KINDS[number];

/** A valid `requestId`: letters, digits and hyphens, 1 to 50, starting with a letter or digit. */
export const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,49}$/;

/** The input a person (or the CLI, or a drill schedule) starts the workflow with. */
export interface RestoreRequest {
  /**
   * Identifies the request: a repeated request with the same id resumes the first one
   * instead of creating a second instance. Letters, digits and hyphens, 1 to 50.
   * Default: the execution name.
   */
  readonly requestId?: string;
  readonly kind?: string;
  /** `snapshot`: the snapshot identifier or `newest`. Default `newest`. */
  readonly snapshot?: string;
  /** `recovery-point`: the recovery point ARN or `newest`. Default `newest`. */
  readonly recoveryPoint?: string;
  /** `point-in-time`: an ISO 8601 time or `latest`. Required. */
  readonly restoreTime?: string;
  /** The new instance identifier. Default `restore-<requestId>` (`drill-<requestId>` for drills). */
  readonly targetIdentifier?: string;
  /** A zone of the source's subnet group. Default: RDS chooses. */
  readonly availabilityZone?: string;
  /** The instance class of the new instance. Default: the source's. */
  readonly instanceClass?: string;
  /** `promote-replica`: the replica to promote. */
  readonly replica?: string;
  /** `promote-replica`: must equal `replica`. */
  readonly confirm?: string;
  /** A drill: keep the scratch instance when its verification fails (for inspection); any other restore's copy is always kept. Default false. */
  readonly keepOnVerificationFailure?: boolean;
  /** A restore drill: a scratch instance, deleted after the verification. Default false. */
  readonly drill?: boolean;
}

/**
 * The fields a request may have: Validate refuses any other, since a misspelt one (`confrim`,
 * `keepOnVerificationFaliure`) would be left out silently and change what the restore does.
 */
export const REQUEST_FIELDS = [
  'kind', 'requestId', 'snapshot', 'recoveryPoint', 'restoreTime', 'targetIdentifier', 'availabilityZone', 'instanceClass',
  'replica', 'confirm', 'drill', 'keepOnVerificationFailure',
] as const satisfies ReadonlyArray<keyof RestoreRequest>;

/**
 * What the workflow's state keeps of its input (`$.request`, from the first state, MeasureRequest),
 * in place of the raw input, which may take up to the 256 KiB Step Functions allows a state: for
 * the failure document, its id when valid, whether it asked for a drill, and its size.
 */
export interface MeasuredRequest {
  readonly requestId?: string;
  readonly drill: boolean;
  /** Bytes of the input as UTF-8 JSON. */
  readonly bytes: number;
  /** Why the input is refused (`InvalidRestoreInput`) before Validate: it is too large to be a request. */
  readonly refused?: string;
}

/** The execution context the state machine passes to the validation step. */
export interface ExecutionInfo {
  readonly name: string;
  readonly startTime: string;
  /** The execution's ARN (`$$.Execution.Id`); absent in a dry run, which creates nothing. */
  readonly id?: string;
}

/**
 * The source's configuration that every restored instance copies: read from the source
 * while it exists, else the settings the workflow was deployed with (`live` false).
 */
export interface SourceInfo {
  readonly identifier: string;
  /** False when the source instance no longer exists: the restore works from its backups alone. */
  readonly live: boolean;
  readonly arn: string;
  readonly engine?: string;
  /** Unknown only when the source is gone and the workflow was deployed without it. */
  readonly instanceClass?: string;
  readonly subnetGroup: string;
  readonly securityGroupIds: string[];
  /** Undefined: the engine's default parameter group. */
  readonly parameterGroup?: string;
  readonly kmsKeyId?: string;
  readonly multiAz: boolean;
  readonly endpoint?: string;
  readonly port?: number;
}

/** The checked request: what the later steps do. */
export interface RestorePlan {
  readonly requestId: string;
  readonly kind: RestoreKind;
  readonly drill: boolean;
  readonly keepOnVerificationFailure: boolean;
  readonly source: SourceInfo;
  /** The instance the workflow creates (or, for a promotion, the replica it promotes). */
  readonly target: {
    readonly identifier: string;
    readonly availabilityZone?: string;
    readonly instanceClass: string;
  };
  readonly snapshot?: { readonly identifier: string; readonly arn: string; readonly createdAt: string; readonly kmsKeyId?: string };
  readonly recoveryPoint?: { readonly arn: string; readonly vault: string; readonly createdAt: string };
  /**
   * `automatedBackupArn`: the retained automated backup to restore from when the source no
   * longer exists (a live source is restored by its identifier).
   */
  readonly restoreTime?: { readonly latest: boolean; readonly time: string; readonly automatedBackupArn?: string };
  /** ISO time of the newest data the restore brings back, as far as the backup says. */
  readonly backupTime: string;
  /** True when this request already created (or promoted) the target: the workflow resumes. */
  readonly existing: boolean;
  readonly startedAt: string;
  /**
   * The execution's ARN: what it creates is tagged with it (`TAG_CREATED_BY_EXECUTION`), and only
   * an instance with its tag is deleted or adopted. Absent in a dry run.
   */
  readonly executionArn?: string;
  /** ISO time after which waiting for the restore fails the workflow. */
  readonly deadline: string;
}

/** What the start step did. */
export interface RestoreProgress {
  readonly targetIdentifier: string;
  /** True when this execution created (or promoted) the target; false when it resumed an earlier one. */
  readonly created: boolean;
  readonly restoreJobId?: string;
}

/** The target's state, from the polling step. */
export interface RestoreStatus {
  /** `available` ends the wait; `pending` waits again. Failures are thrown. */
  readonly state: 'available' | 'pending';
  readonly instanceStatus: string;
  readonly endpoint?: string;
  readonly port?: number;
  readonly arn?: string;
  /**
   * Set when the instance is another execution's of this request (it was created while this
   * execution's AWS Backup restore job waited to start, which then ended without it): why.
   * This execution resumed it and did not create it.
   */
  readonly resumed?: string;
}

/**
 * The tags every instance the workflow creates carries. The first two keys are those of the
 * other restore workflows: `EXECUTION_TAG` (here with the request id) and `WORKFLOW_ID_TAG`
 * (the construct path; the IAM policy requires it for creating, changing and deleting).
 */
export { EXECUTION_TAG, WORKFLOW_ID_TAG };
export const TAG_SOURCE = 'cdk-backup-dr:restored-from';
export const TAG_DRILL = 'cdk-backup-dr:drill';
/** On a promoted replica: the request that promoted it. */
export const TAG_PROMOTED_BY = 'cdk-backup-dr:promoted-by-request';
/**
 * The execution that created the instance (the SHA-256 of its ARN, in hex): executions of one
 * request share the request id, and two may run at once. Only this execution deletes or adopts it.
 */
export const TAG_CREATED_BY_EXECUTION = 'cdk-backup-dr:created-by-execution';

/** The settings the construct passes to the functions as environment variables. */
export interface StepsConfig {
  /** The source instance identifier (`SOURCE_INSTANCE_ID`). */
  readonly sourceIdentifier: string;
  /** Replicas that may be promoted (`REPLICA_INSTANCE_IDS`, comma-separated). */
  readonly replicaIdentifiers: string[];
  /** The workflow's construct address (`node.addr`), tagged on everything it creates (`WORKFLOW_ID`). */
  readonly workflowId: string;
  /** The role AWS Backup restores with (`BACKUP_RESTORE_ROLE_ARN`). */
  readonly backupRestoreRoleArn?: string;
  /** Minutes to wait for a restore before failing (`RESTORE_TIMEOUT_MINUTES`). */
  readonly restoreTimeoutMinutes: number;
  /** The CloudWatch namespace of the drill metrics (`METRIC_NAMESPACE`). */
  readonly metricNamespace: string;
  /** The source's settings as deployed (`SOURCE_SETTINGS`, JSON), used once the source instance is gone. */
  readonly deployedSource: DeployedSourceSettings;
}

/**
 * What the construct knew about the source at synth. A missing field is unknown; a restore
 * that needs it once the source is gone fails before creating anything, naming it.
 */
export interface DeployedSourceSettings {
  readonly arn?: string;
  readonly subnetGroup?: string;
  readonly securityGroupIds?: string[];
  /** `null`: the source uses the engine's default parameter group. */
  readonly parameterGroup?: string | null;
  readonly instanceClass?: string;
  readonly multiAz?: boolean;
}

function deployedSourceFrom(text: string | undefined): DeployedSourceSettings {
  if (!text) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`restore-db-steps: environment variable SOURCE_SETTINGS is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`restore-db-steps: environment variable SOURCE_SETTINGS must be a JSON object, got ${text}`);
  }
  const value = parsed as Record<string, unknown>;
  const stringAt = (key: string): string | undefined => (typeof value[key] === 'string' && value[key] !== '' ? value[key] as string : undefined);
  const groups = Array.isArray(value.securityGroupIds) ? value.securityGroupIds.filter((id): id is string => typeof id === 'string' && id !== '') : [];
  return {
    arn: stringAt('arn'),
    subnetGroup: stringAt('subnetGroup'),
    securityGroupIds: groups.length > 0 ? groups : undefined,
    parameterGroup: value.parameterGroup === null ? null : stringAt('parameterGroup'),
    instanceClass: stringAt('instanceClass'),
    multiAz: typeof value.multiAz === 'boolean' ? value.multiAz : undefined,
  };
}

/** Reads the configuration from the environment; a missing or malformed variable is an error naming it. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): StepsConfig {
  const settings = new EnvironmentSettings('restore-db-steps', env);
  return {
    sourceIdentifier: settings.required('SOURCE_INSTANCE_ID'),
    replicaIdentifiers: settings.list('REPLICA_INSTANCE_IDS'),
    workflowId: settings.required('WORKFLOW_ID'),
    backupRestoreRoleArn: settings.optional('BACKUP_RESTORE_ROLE_ARN'),
    restoreTimeoutMinutes: settings.number('RESTORE_TIMEOUT_MINUTES', { unit: 'minutes', min: 0 }, 720),
    metricNamespace: settings.optional('METRIC_NAMESPACE') ?? 'CdkBackupDr',
    deployedSource: deployedSourceFrom(env.SOURCE_SETTINGS),
  };
}
