import { Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { HardenedFunction } from '../private/hardened-function';
import { grantSecretRead } from '../private/secret-read-grant';
import { checkPollBudget } from '../private/poll-budget';
import { refuseRepeatedEntries } from '../private/repeated-entries';
import { wholeDuration } from '../private/whole-duration';
import { recoveryPointRestoreResources } from '../private/recovery-point-arns';
import { DryRunTarget, EXECUTION_TAG, WORKFLOW_ID_TAG, WORKFLOW_TAG, grantDryRun, grantOperate } from './workflow-shell';
import { grantOwnKeyUse } from '../private/state-machine-key-use';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';

/** The CloudWatch namespace of the restore drill metrics. */
const METRIC_NAMESPACE = 'CdkBackupDr';

/**
 * The source's settings a restore copies once the source instance no longer exists (while it
 * exists, they are read from it). Each defaults to the `database`'s own where it is defined
 * in this app.
 */
export interface DatabaseRestoreSourceSettings {
  /** @default - the `database`'s subnet group, where it is defined in this app */
  readonly subnetGroupName?: string;
  /** @default - the `database`'s security groups */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * The source's parameter group; give the default group's name (e.g. `default.mysql8.0`)
   * when it uses the engine's default.
   * @default - the `database`'s parameter group (or the engine's default) where it is defined in this app
   */
  readonly parameterGroupName?: string;
  /**
   * The source's instance class. A request can always name its own `instanceClass`.
   * @default - the `database`'s, where it is defined in this app
   */
  readonly instanceType?: ec2.InstanceType;
}

/** Properties of a {@link DatabaseRestore}. */
export interface DatabaseRestoreProps {
  /**
   * The database whose backups are restored. Every restore creates a new instance with its
   * subnet group, security groups, parameter group and KMS key; the source is never modified.
   */
  readonly database: rds.IDatabaseInstance;
  /**
   * The source's subnet group, security groups, parameter group and instance class, for
   * restores after the source instance was deleted (from its snapshots, recovery points or
   * retained automated backups). Needed only where `database` is imported.
   * @default - the `database`'s own settings where it is defined in this app
   */
  readonly sourceSettings?: DatabaseRestoreSourceSettings;
  /**
   * The source's admin credentials (JSON with `username` and `password`). The restored copy
   * has the same users; the verification step logs in with them.
   */
  readonly credentials: secretsmanager.ISecret;
  /** The VPC of the database: the verification function runs in it. */
  readonly vpc: ec2.IVpc;
  /** @default - the VPC's private subnets with egress (the functions call the RDS and AWS Backup APIs) */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The connections through which the verification reaches the database (and the restored
   * copies, which get the same security groups). Give connections whose default port is a
   * number, not a token, so that the compliance packs can check the rule.
   * @default - the database's connections
   */
  readonly databaseConnections?: ec2.Connections;
  /**
   * The KMS key of the database's storage (and so of its snapshots). RDS creates a grant on
   * it for each restored instance, which the restore calls need `kms:CreateGrant` for.
   * @default - the `encryptionKey`
   */
  readonly databaseKey?: kms.IKey;
  /** Encrypts the workflow's state, logs, dead-letter queues and function environments. */
  readonly encryptionKey: kms.IKey;
  /**
   * Read replicas that the workflow may promote for a failover (`kind: promote-replica`,
   * with `confirm` naming the replica).
   * @default - no replica can be promoted
   */
  readonly replicas?: rds.IDatabaseInstance[];
  /**
   * How long the workflow waits between two looks at a restoring instance, in seconds
   * (10 seconds to 10 minutes).
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
  /**
   * How long a restore may take before the workflow gives up and cleans up, in minutes
   * (1 hour to 48 hours, at most 2,000 × `pollInterval`: each poll adds nine events to the
   * execution's history, which ends at 25,000 without its cleanup).
   * @default Duration.hours(12)
   */
  readonly restoreTimeout?: Duration;
  /**
   * The databases the verification checks, each named once.
   * @default - every non-system database of the source
   */
  readonly databases?: string[];
  /**
   * Columns (`schema.table.column`) that record when a row was written; the newest value in
   * the restored copy gives the recovery point achieved. Each named once.
   * @default - every timestamp or datetime column that leads an index
   */
  readonly timestampColumns?: string[];
  /**
   * Create the role AWS Backup restores recovery points with (`kind: recovery-point`).
   * @default true
   */
  readonly backupRecoveryPoints?: boolean;
  /**
   * How long the workflow's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Restores a MySQL database on RDS into a NEW instance, from an RDS snapshot, an AWS Backup
 * recovery point or a point in time, verifies the copy, and reports its endpoint; or promotes
 * a read replica for a failover when `confirm` names it.
 *
 * A Step Functions state machine with small Lambda steps. Start it with
 * `{ "kind": "snapshot" | "recovery-point" | "point-in-time" | "promote-replica", ... }`
 * (see the README section "Recovering"). It is idempotent (a repeated request id resumes
 * the first request's instance), fails bad input before creating anything, retries
 * throttled calls with backoff, deletes what it created when a later step fails, and ends
 * with a JSON result (output on success, the `Cause` on failure).
 */
export class DatabaseRestore extends Construct {
  /** The CloudWatch namespace of the restore drill metrics (`RecoveryTimeMinutes`, `RecoveryPointMinutes`, `DrillFailures`). */
  public static readonly METRIC_NAMESPACE = METRIC_NAMESPACE;
  /**
   * Tag on every instance the workflow creates: the request id that created it. The other
   * restore workflows tag what they create with the same key and their execution name.
   */
  public static readonly TAG_RESTORE_EXECUTION = EXECUTION_TAG;
  /**
   * Tag on every instance the workflow creates: the construct path of the workflow. Creating,
   * modifying and deleting an instance require it (the volume workflow tags its volumes with the same key).
   */
  public static readonly TAG_WORKFLOW_ID = WORKFLOW_ID_TAG;
  /** Tag on every instance the workflow creates: the source instance identifier. */
  public static readonly TAG_RESTORED_FROM = 'cdk-backup-dr:restored-from';
  /** Tag `true` on a drill's scratch instance. */
  public static readonly TAG_DRILL = 'cdk-backup-dr:drill';
  /**
   * Tag on every instance the workflow creates: the SHA-256 (hex) of the ARN of the execution
   * that created it. Only that execution deletes the instance; another execution of the same
   * request (started under another name) may resume it but leaves it.
   */
  public static readonly TAG_CREATED_BY_EXECUTION = 'cdk-backup-dr:created-by-execution';

  /** The execution name to start a request with, so that a repeated start is recognised. */
  public static executionNameFor(requestId: string): string {
    return `restore-${requestId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  }

  /** The restore workflow. */
  public readonly stateMachine: sfn.IStateMachine;
  /** The function that runs the control-plane steps (validate, start, check, report, cleanup). */
  public readonly stepsFunction: lambda.IFunction;
  /** The function that verifies a restored instance (in the VPC). */
  public readonly verifyFunction: lambda.IFunction;
  /** The source database. */
  public readonly database: rds.IDatabaseInstance;
  /** The key that encrypts the workflow's state and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The role AWS Backup restores with, when `backupRecoveryPoints` is on. */
  public readonly backupRestoreRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: DatabaseRestoreProps) {
    super(scope, id);
    const pollInterval = props.pollInterval ?? Duration.seconds(30);
    const restoreTimeout = props.restoreTimeout ?? Duration.hours(12);
    this.validate(pollInterval, restoreTimeout, props);
    this.database = props.database;
    this.encryptionKey = props.encryptionKey;
    // Tagged on what the workflow creates, and a tag value holds at most 256 characters, which a
    // construct path may exceed: the construct's address, as the other restore workflows use.
    const workflowId = this.node.addr;

    if (props.backupRecoveryPoints ?? true) {
      const role = new iam.Role(this, 'BackupRestoreRole', {
        assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
        description: fitPathDescription(`AWS Backup restores recovery points of ${props.database.node.path} with this role`, props.database.node.path, RULES.ROLE),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores')],
      });
      Validations.of(role).acknowledge(
        { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]', reason: 'The AWS-maintained restore policy of AWS Backup tracks the calls each resource type\'s restore needs; the role can only be assumed by AWS Backup.' },
      );
      this.backupRestoreRole = role;
    }

    const steps = new HardenedFunction(this, 'Steps', {
      code: 'restore-db-steps',
      description: `Restore workflow steps for ${props.database.node.path}: validate, start, wait, report, clean up`,
      descriptionPath: props.database.node.path,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(2),
      reservedConcurrentExecutions: 5,
      environment: {
        SOURCE_INSTANCE_ID: props.database.instanceIdentifier,
        REPLICA_INSTANCE_IDS: (props.replicas ?? []).map((r) => r.instanceIdentifier).join(','),
        WORKFLOW_ID: workflowId,
        BACKUP_RESTORE_ROLE_ARN: this.backupRestoreRole?.roleArn ?? '',
        RESTORE_TIMEOUT_MINUTES: String(Math.ceil(restoreTimeout.toMinutes({ integral: false }))),
        METRIC_NAMESPACE: METRIC_NAMESPACE,
        SOURCE_SETTINGS: Stack.of(this).toJsonString(deployedSourceSettings(props)),
      },
    });
    this.stepsFunction = steps.function;
    this.grantSteps(steps, props, workflowId);

    const verify = new HardenedFunction(this, 'Verify', {
      code: 'restore-db-verify',
      description: `Verifies restored copies of ${props.database.node.path}: CHECK TABLE, schema against the live source, newest row against the source's newest row at the start (data lost)`,
      descriptionPath: props.database.node.path,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: {
        CREDENTIALS_SECRET_ARN: props.credentials.secretArn,
        DATABASES: (props.databases ?? []).join(','),
        TIMESTAMP_COLUMNS: (props.timestampColumns ?? []).join(','),
      },
    });
    this.verifyFunction = verify.function;
    grantSecretRead(props.credentials, verify);
    // The restored copy uses the source's security groups: the source's rule admits the verification.
    (props.databaseConnections ?? props.database.connections).allowDefaultPortFrom(verify.function, 'Restore verification');

    this.stateMachine = this.buildStateMachine(steps.function, verify.function, pollInterval, restoreTimeout, props);
    // `cdk-backup-dr restore db` finds the database workflow by this tag.
    Tags.of(this.stateMachine).add(WORKFLOW_TAG, 'database');
  }

  /**
   * Allows a principal to start restores, read their progress and results (the state is
   * encrypted with `encryptionKey`, so the key is granted too) and dry-run them (`grantDryRun`).
   */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return grantOperate(grantee, this.dryRunTarget());
  }

  /**
   * Allows `cdk-backup-dr restore db ... --dry-run`: the workflow's definition and the
   * configuration of its steps function (and the key they are encrypted with, only for them),
   * and the reads of the Validate step. It starts and creates nothing.
   */
  public grantDryRun(grantee: iam.IGrantable): iam.Grant {
    return grantDryRun(grantee, this.dryRunTarget());
  }

  private dryRunTarget(): DryRunTarget {
    const stack = Stack.of(this);
    const anyOf = (service: string, type: string) => `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${type}:*`;
    // The Validate step's reads: the source, the target (any new identifier) and the replica; snapshots, subnet groups, automated backups.
    const validateReads = [new iam.PolicyStatement({
      actions: ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'rds:DescribeDBSubnetGroups', 'rds:DescribeDBInstanceAutomatedBackups'],
      resources: [anyOf('rds', 'db'), anyOf('rds', 'snapshot'), anyOf('rds', 'subgrp'), anyOf('rds', 'auto-backup')],
    })];
    // Recovery points are read only when the workflow can restore them.
    if (this.backupRestoreRole) {
      validateReads.push(
        new iam.PolicyStatement({ actions: ['backup:ListRecoveryPointsByResource'], resources: ['*'] }),
        new iam.PolicyStatement({ actions: ['backup:GetRecoveryPointRestoreMetadata'], resources: recoveryPointRestoreResources(stack) }),
      );
    }
    return { stateMachine: this.stateMachine, validateFunction: this.stepsFunction, encryptionKey: this.encryptionKey, validateReads };
  }

  private validate(pollInterval: Duration, restoreTimeout: Duration, props: DatabaseRestoreProps): void {
    const pollSeconds = wholeDuration(this, 'pollInterval', pollInterval, 'seconds');
    if (!Token.isUnresolved(pollSeconds) && (pollSeconds < 10 || pollSeconds > 600)) {
      throw new Error(`${this.node.path}: \`pollInterval\` must be 10 seconds to 10 minutes, got ${pollInterval.toHumanString()}`);
    }
    const minutes = restoreTimeout.toMinutes({ integral: false });
    if (!Token.isUnresolved(minutes) && (minutes < 60 || minutes > 48 * 60)) {
      throw new Error(`${this.node.path}: \`restoreTimeout\` must be 1 to 48 hours, got ${restoreTimeout.toHumanString()}`);
    }
    if (!Token.isUnresolved(minutes)) {
      checkPollBudget(this, 'restoreTimeout', minutes * 60, 'pollInterval', pollSeconds);
    }
    for (const column of props.timestampColumns ?? []) {
      if (!Token.isUnresolved(column) && !/^[^.\s,]+\.[^.\s,]+\.[^.\s,]+$/.test(column)) {
        throw new Error(`${this.node.path}: \`timestampColumns\` entries must be schema.table.column, got '${column}'`);
      }
    }
    for (const database of props.databases ?? []) {
      if (!Token.isUnresolved(database) && !/^[^\s,.]+$/.test(database)) {
        throw new Error(`${this.node.path}: \`databases\` entries must be database names without dots, commas or spaces, got '${database}'`);
      }
    }
    refuseRepeatedEntries(this, 'timestampColumns', props.timestampColumns ?? [], 'column');
    refuseRepeatedEntries(this, 'databases', props.databases ?? [], 'database');
  }

  private grantSteps(steps: HardenedFunction, props: DatabaseRestoreProps, workflowId: string): void {
    const stack = Stack.of(this);
    const anyDb = `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:*`;
    const anyOf = (type: string) => `arn:${stack.partition}:rds:${stack.region}:${stack.account}:${type}:*`;
    const policy = new iam.ManagedPolicy(this, 'StepsPolicy', {
      description: fitPathDescription(`What the restore workflow steps of ${workflowId} may do: read the source and its backups, create tagged instances, delete only those`, workflowId, RULES.MANAGED_POLICY),
      statements: [
        // Reads: the source, the target (any new identifier), snapshots, subnet groups, automated backups.
        // The steps read an instance's tags from DescribeDBInstances (TagList). rds:ListTagsForResource
        // stays: whether RDS leaves TagList out for a caller without it is documented neither way,
        // and these tags decide which instance is the restore's own to delete.
        new iam.PolicyStatement({
          actions: ['rds:DescribeDBInstances', 'rds:DescribeDBSnapshots', 'rds:DescribeDBSubnetGroups', 'rds:DescribeDBInstanceAutomatedBackups', 'rds:ListTagsForResource'],
          resources: [anyDb, anyOf('snapshot'), anyOf('subgrp'), anyOf('auto-backup')],
        }),
        // Creating the new instance: only with this workflow's tag on it.
        new iam.PolicyStatement({
          actions: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBInstanceToPointInTime', 'rds:AddTagsToResource'],
          resources: [anyDb, anyOf('snapshot'), anyOf('subgrp'), anyOf('pg'), anyOf('og'), anyOf('secgrp')],
          conditions: { StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        // A point in time of a source that no longer exists: from its retained automated backup, same tag condition.
        new iam.PolicyStatement({
          actions: ['rds:RestoreDBInstanceToPointInTime'],
          resources: [anyOf('auto-backup')],
          conditions: { StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        // Deleting or changing an instance: only one this workflow tagged.
        new iam.PolicyStatement({
          actions: ['rds:DeleteDBInstance', 'rds:ModifyDBInstance'],
          resources: [anyDb],
          conditions: { StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
        }),
        // The tag conditions above can be met by tagging an instance first: the source and its
        // replicas can never be tagged with it, changed, deleted or stripped of tags.
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['rds:DeleteDBInstance', 'rds:ModifyDBInstance', 'rds:RemoveTagsFromResource'],
          resources: [props.database.instanceArn, ...(props.replicas ?? []).map((replica) => replica.instanceArn)],
        }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['rds:AddTagsToResource'],
          resources: [props.database.instanceArn],
        }),
      ],
    });
    // Restoring an encrypted snapshot or point in time: RDS creates a grant on the storage key for the new instance.
    policy.addStatements(new iam.PolicyStatement({
      actions: ['kms:CreateGrant', 'kms:DescribeKey'],
      resources: [(props.databaseKey ?? props.encryptionKey).keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `rds.${stack.region}.amazonaws.com` },
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
      },
    }));
    const replicas = props.replicas ?? [];
    if (replicas.length > 0) {
      policy.addStatements(new iam.PolicyStatement({
        actions: ['rds:PromoteReadReplica', 'rds:AddTagsToResource'],
        resources: replicas.map((replica) => replica.instanceArn),
      }));
    }
    if (this.backupRestoreRole) {
      // Service Authorization Reference, AWS Backup: ListRecoveryPointsByResource and
      // DescribeRestoreJob name no resource type (so '*'). GetRecoveryPointRestoreMetadata and
      // StartRestoreJob: see recoveryPointRestoreResources (recovery point, vault or RDS snapshot
      // ARN, as AWS's pages disagree); no condition key of AWS Backup names the vault for them.
      policy.addStatements(
        new iam.PolicyStatement({
          actions: ['backup:ListRecoveryPointsByResource'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          actions: ['backup:GetRecoveryPointRestoreMetadata', 'backup:StartRestoreJob'],
          resources: recoveryPointRestoreResources(stack),
        }),
        new iam.PolicyStatement({
          actions: ['backup:DescribeRestoreJob'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.backupRestoreRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
        }),
      );
    }
    steps.function.role!.addManagedPolicy(policy);
    const reason = (what: string) => ({ reason: what });
    const any = (service: string, type: string) => `AwsSolutions-IAM5[Resource::${nagText(stack, `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${type}:*`)}]`;
    Validations.of(policy).acknowledge(
      { id: any('rds', 'db'), ...reason('A restore creates an instance whose identifier is chosen at run time; creating requires this workflow\'s tag on the request, and deleting or modifying requires it on the instance.') },
      { id: any('rds', 'snapshot'), ...reason('The snapshot to restore is chosen at run time (the newest or one named in the request); the steps check it belongs to the source.') },
      { id: any('rds', 'subgrp'), ...reason('The subnet group is the source\'s, read at run time from the source instance.') },
      { id: any('rds', 'auto-backup'), ...reason('Automated backups of the source give the point-in-time window, and a retained one is restored once the source is deleted; their ids are assigned by RDS, and restoring requires this workflow\'s request tag.') },
      { id: any('rds', 'pg'), ...reason('The parameter group is the source\'s, read at run time; creating requires this workflow\'s request tag.') },
      { id: any('rds', 'og'), ...reason('A restore uses the source\'s option group, read at run time; creating requires this workflow\'s request tag.') },
      { id: any('rds', 'secgrp'), ...reason('RDS authorises the security groups of a restore against this resource type; the groups are the source\'s.') },
      { id: 'AwsSolutions-IAM5[Resource::*]', ...reason('cloudwatch:PutMetricData is limited by the cloudwatch:namespace condition; backup:ListRecoveryPointsByResource and backup:DescribeRestoreJob have no resource type in the Service Authorization Reference (AWS Backup), so they can only be granted on all resources.') },
      { id: any('backup', 'recovery-point'), ...reason('The recovery point is chosen at run time; the steps check it is a recovery point of the source. Its ARN names no vault and AWS Backup has no condition key naming the vault for GetRecoveryPointRestoreMetadata or StartRestoreJob (Service Authorization Reference), so the grant cannot be limited to vaults: any recovery point of this account and region.') },
      { id: any('backup', 'backup-vault'), ...reason('The AWS Backup Developer Guide (Access control, API permissions) gives backup vaults as the resource of GetRecoveryPointRestoreMetadata and StartRestoreJob; the vault holding the chosen recovery point is known only at run time.') },
      { id: `AwsSolutions-IAM5[Resource::${nagText(stack, `arn:${stack.partition}:rds:${stack.region}:${stack.account}:snapshot:awsbackup:*`)}]`, ...reason('The AWS Backup Developer Guide gives an RDS recovery point the ARN of its snapshot, named awsbackup:<job>; the recovery point to restore is chosen at run time.') },
    );
  }

  /**
   * When the cleanup gives up (still `CleanupPending` after its retries) or fails otherwise,
   * the execution still ends in `failed` with the original error; its cause says the cleanup
   * did not finish and names the instance that may be left to delete by hand. A drill is
   * counted as failed (`DrillFailures`) there, as the cleanup would have; when the steps
   * function cannot be reached, by the state machine itself.
   */
  private cleanupIncomplete(steps: lambda.IFunction, failed: sfn.Fail, sourceIdentifier: string): sfn.IChainable {
    const at = (path: string) => sfn.JsonPath.objectAt(path);
    const report = new tasks.LambdaInvoke(this, 'CleanupIncomplete', {
      lambdaFunction: steps,
      payload: sfn.TaskInput.fromObject({
        action: 'cleanup-incomplete', request: at('$.request'), plan: at('$.plan'), progress: at('$.progress'), error: at('$.error'), cleanupError: at('$.cleanupError'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.failure',
    });
    // The steps function unreachable even after the Lambda service retries CDK adds: the original
    // error, and a cause built from states alone. The states cannot cut a text (JSONPath has no
    // substring), so the document holds error names only (Step Functions keeps them to 256
    // characters): the causes, a failed verification's whole summary among them, may take up to
    // 32,768 characters each, more than a cause holds together, and stay in the execution history.
    const unreported = new sfn.Pass(this, 'CleanupIncompleteUnreported', {
      parameters: {
        status: 'FAILED',
        error: sfn.JsonPath.stringAt('$.error.Error'),
        cause: sfn.JsonPath.format(UNREPORTED_CAUSE, sfn.JsonPath.stringAt('$.reportError.Error')),
        cleanup: {
          outcome: 'incomplete',
          // The execution tag as the steps function computes it (SHA-256 of the ARN, in hex): it
          // tells this execution's instance from another execution's of the same request.
          detail: sfn.JsonPath.format(
            UNREPORTED_CLEANUP_DETAIL, formatArgument(this.node.path), EXECUTION_TAG, DatabaseRestore.TAG_CREATED_BY_EXECUTION,
            sfn.JsonPath.hash(sfn.JsonPath.executionId, 'SHA-256'),
          ),
          error: sfn.JsonPath.stringAt('$.cleanupError.Error'),
        },
      },
      resultPath: '$.incomplete',
    });
    const cause = new sfn.Pass(this, 'CleanupIncompleteCause', {
      parameters: { error: sfn.JsonPath.stringAt('$.incomplete.error'), cause: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.incomplete')) },
      resultPath: '$.failure',
    }).next(failed);
    // A drill still counts as failed: put straight to CloudWatch (the role may put only into
    // this namespace). The plan says whether it is one once Validate passed, else what was read
    // of the refused request, else (not read) it is not counted: a comparison with a missing
    // field is an error, hence the choices.
    const countDrill = new sfn.CustomState(this, 'CleanupIncompleteCountDrill', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::aws-sdk:cloudwatch:putMetricData`,
        Parameters: {
          Namespace: METRIC_NAMESPACE,
          MetricData: [{ MetricName: 'DrillFailures', Value: 1, Unit: 'Count', Dimensions: [{ Name: 'Database', Value: sourceIdentifier }] }],
        },
        ResultPath: null,
      },
    });
    const drillNotCounted = new sfn.Pass(this, 'CleanupIncompleteDrillNotCounted', {
      parameters: {
        status: 'FAILED',
        error: sfn.JsonPath.stringAt('$.incomplete.error'),
        cause: sfn.JsonPath.stringAt('$.incomplete.cause'),
        cleanup: sfn.JsonPath.objectAt('$.incomplete.cleanup'),
        drillFailureNotRecorded: sfn.JsonPath.format(DRILL_NOT_COUNTED, sfn.JsonPath.stringAt('$.drillError.Error')),
      },
      resultPath: '$.incomplete',
    }).next(cause);
    countDrill.addCatch(drillNotCounted, { errors: [sfn.Errors.ALL], resultPath: '$.drillError' });
    countDrill.next(cause);
    const isDrill = (flag: string) => sfn.Condition.and(sfn.Condition.isBoolean(flag), sfn.Condition.booleanEquals(flag, true));
    unreported.next(new sfn.Choice(this, 'CleanupIncompleteDrillGiven')
      .when(sfn.Condition.isPresent('$.plan.drill'), new sfn.Choice(this, 'CleanupIncompleteIsDrill').when(isDrill('$.plan.drill'), countDrill).otherwise(cause))
      .when(sfn.Condition.isPresent('$.request.drill'), new sfn.Choice(this, 'CleanupIncompleteRefusedIsDrill').when(isDrill('$.request.drill'), countDrill).otherwise(cause))
      .otherwise(cause));
    report.addCatch(unreported, { errors: [sfn.Errors.ALL], resultPath: '$.reportError' });
    return report.next(failed);
  }

  private buildStateMachine(steps: lambda.IFunction, verify: lambda.IFunction, pollInterval: Duration, restoreTimeout: Duration, props: DatabaseRestoreProps): sfn.IStateMachine {
    const step = (payload: { [key: string]: unknown }, resultPath: string): tasks.LambdaInvokeProps => ({
      lambdaFunction: steps,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
    });
    // Throttled AWS calls: retried with exponential backoff and full jitter (5 s, 10 s, ... up to 2 minutes).
    const retried = (task: tasks.LambdaInvoke): sfn.TaskStateBase =>
      task.addRetry({ errors: ['RestoreThrottled'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 6, maxDelay: Duration.minutes(2), jitterStrategy: sfn.JitterType.FULL });
    const at = (path: string) => sfn.JsonPath.objectAt(path);

    const failed = new sfn.Fail(this, 'RestoreFailed', {
      comment: 'The request failed after its checks; the Cause is a JSON result naming what was cleaned up.',
      errorPath: '$.failure.error',
      causePath: '$.failure.cause',
    });
    const cleanup = retried(new tasks.LambdaInvoke(this, 'Cleanup', step({ action: 'cleanup', request: at('$.request'), plan: at('$.plan'), progress: at('$.progress'), error: at('$.error') }, '$.failure')));
    cleanup.addRetry({ errors: ['CleanupPending'], interval: Duration.minutes(2), backoffRate: 1, maxAttempts: 90 });
    cleanup.addCatch(this.cleanupIncomplete(steps, failed, props.database.instanceIdentifier), { errors: [sfn.Errors.ALL], resultPath: '$.cleanupError' });
    cleanup.next(failed);
    const onError = { errors: [sfn.Errors.ALL], resultPath: '$.error' };

    // The input may take up to the 256 KiB Step Functions allows an input, and a state; any state
    // or step event holding it with anything else (an error, a wrapper, the function's name) can
    // pass that limit, failing the execution with an error no Catch sees, without cleanup or
    // failure document. So the first state hands the raw input, unwrapped, to the steps function
    // (through a qualified ARN, which tells it to only measure the input), and keeps only what it
    // read: the request's id, whether a drill, its size and, when too large to be a request, why.
    const measure = new sfn.CustomState(this, 'MeasureRequest', {
      stateJson: {
        Type: 'Task',
        Comment: 'Reads the request id, the drill flag and the size of the raw input; the state keeps only these.',
        Resource: `${steps.functionArn}:${RAW_INPUT_QUALIFIER}`,
        Retry: [{ ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
      },
    });
    // The execution's ARN: Validate puts it in the plan, and what the execution creates is tagged
    // with it, so that another execution of the same request (another name) never deletes it.
    const execution = {
      name: sfn.JsonPath.stringAt('$$.Execution.Name'), startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'), id: sfn.JsonPath.stringAt('$$.Execution.Id'),
    };
    const notMeasured = new sfn.Pass(this, 'RequestNotMeasured', {
      comment: 'The steps function could not read the input: the cleanup writes the failure document.',
      parameters: {
        execution,
        request: {}, plan: {}, progress: {},
        error: sfn.JsonPath.objectAt('$'),
      },
    }).next(cleanup);
    measure.addCatch(notMeasured, { errors: [sfn.Errors.ALL] });
    const prepare = new sfn.Pass(this, 'Prepare', {
      comment: 'Keeps the execution name, start time and ARN and what was read of the input; the later steps fill in the rest.',
      parameters: {
        execution,
        request: sfn.JsonPath.objectAt('$'),
        // Empty until the steps fill them in (CDK drops null values), so the cleanup's paths always resolve.
        plan: {},
        progress: {},
      },
    });
    // Bad input fails with InvalidRestoreInput before anything exists; the cleanup then only
    // writes the failure document (and counts a failed drill) from what was read of the input.
    const tooLarge = new sfn.Pass(this, 'RequestTooLarge', {
      parameters: { Error: 'InvalidRestoreInput', Cause: sfn.JsonPath.stringAt('$.request.refused') },
      resultPath: '$.error',
    }).next(cleanup);
    // An input within the size a request may take: Validate reads it from the context, wrapped in
    // its event, far below 256 KiB; its plan (the checked request) is what the later steps use.
    const validate = retried(new tasks.LambdaInvoke(this, 'Validate', step({ action: 'validate', request: at('$$.Execution.Input'), execution: at('$.execution') }, '$.plan')))
      .addCatch(cleanup, onError);
    const checkSize = new sfn.Choice(this, 'RequestSize')
      .when(sfn.Condition.isPresent('$.request.refused'), tooLarge)
      .otherwise(validate);
    // The execution's ARN and start time make the AWS Backup idempotency token: a retried StartRestore
    // gets its own job back, a later execution of the same request (or name) starts a new one.
    const identity = { id: sfn.JsonPath.stringAt('$$.Execution.Id'), startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime') };
    const start = retried(new tasks.LambdaInvoke(this, 'StartRestore', step({ action: 'start', plan: at('$.plan'), identity }, '$.progress'))).addCatch(cleanup, onError);
    const wait = new sfn.Wait(this, 'WaitForInstance', { time: sfn.WaitTime.duration(pollInterval) });
    const check = retried(new tasks.LambdaInvoke(this, 'CheckInstance', step({ action: 'check', plan: at('$.plan'), progress: at('$.progress') }, '$.status'))).addCatch(cleanup, onError);
    const verifyTask = new tasks.LambdaInvoke(this, 'VerifyRestore', {
      lambdaFunction: verify,
      payload: sfn.TaskInput.fromObject({ plan: at('$.plan'), progress: at('$.progress'), status: at('$.status') }),
      payloadResponseOnly: true,
      resultPath: '$.verification',
    }).addCatch(cleanup, onError);
    const verificationFailed = new sfn.Pass(this, 'VerificationFailed', {
      parameters: { Error: 'VerificationFailed', Cause: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.verification')) },
      resultPath: '$.error',
    }).next(cleanup);
    const report = retried(new tasks.LambdaInvoke(this, 'Report', step({ action: 'report', plan: at('$.plan'), progress: at('$.progress'), status: at('$.status'), verification: at('$.verification') }, '$.result')))
      .addCatch(cleanup, onError);
    // The replica is promoted by then: the cleanup deletes nothing (a promotion is not undone)
    // and writes the failure document, as for any other step.
    const reportPromotion = retried(new tasks.LambdaInvoke(this, 'ReportPromotion', step({ action: 'report', plan: at('$.plan'), progress: at('$.progress'), status: at('$.status') }, '$.result')))
      .addCatch(cleanup, onError);
    const recordDrill = retried(new tasks.LambdaInvoke(this, 'RecordDrill', step({ action: 'record-drill', result: at('$.result') }, '$.result')))
      .addCatch(cleanup, onError);
    const deleteScratch = retried(new tasks.LambdaInvoke(this, 'DeleteScratch', step({ action: 'delete-scratch', plan: at('$.plan'), progress: at('$.progress'), result: at('$.result') }, '$.result')))
      .addRetry({ errors: ['CleanupPending'], interval: Duration.minutes(2), backoffRate: 1, maxAttempts: 90 })
      .addCatch(cleanup, onError);
    const succeeded = new sfn.Succeed(this, 'Succeeded', { outputPath: '$.result' });

    const afterReport = new sfn.Choice(this, 'IsDrill')
      .when(sfn.Condition.booleanEquals('$.plan.drill', true), recordDrill.next(deleteScratch).next(succeeded))
      .otherwise(succeeded);
    report.next(afterReport);
    const verified = new sfn.Choice(this, 'Verified')
      .when(sfn.Condition.stringEquals('$.verification.status', 'ok'), report)
      // A copy whose checks could not run (e.g. the source is down) is handed over unverified, except in a drill.
      .when(sfn.Condition.and(sfn.Condition.stringEquals('$.verification.status', 'unknown'), sfn.Condition.booleanEquals('$.plan.drill', false)), report)
      .otherwise(verificationFailed);
    const available = new sfn.Choice(this, 'InstanceAvailable')
      .when(sfn.Condition.and(sfn.Condition.stringEquals('$.status.state', 'available'), sfn.Condition.stringEquals('$.plan.kind', 'promote-replica')), reportPromotion.next(succeeded))
      .when(sfn.Condition.stringEquals('$.status.state', 'available'), verifyTask.next(verified))
      .otherwise(wait);
    validate.next(start).next(wait).next(check).next(available);
    const definition = measure.next(prepare).next(checkSize);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const machine = new sfn.StateMachine(this, 'Resource', {
      comment: `Restores ${props.database.node.path} into a new instance (snapshot, AWS Backup recovery point, point in time) or promotes a replica; verifies; cleans up on failure.`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      // The restore's own deadline plus the time the cleanup may need.
      timeout: restoreTimeout.plus(Duration.hours(4)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    });
    grantOwnKeyUse(machine, props.encryptionKey);
    // For CleanupIncompleteCountDrill.
    machine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
    }));
    const machineRole = machine.role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    const invokeReason = 'Step Functions invokes the workflow\'s own functions; CDK grants their versions (`<function arn>:*`) with them.';
    if (machineRole) {
      const stack = Stack.of(this);
      const fnArn = (fn: lambda.IFunction) => `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction))}.Arn>:*]`;
      Validations.of(machineRole).acknowledge(
        { id: fnArn(steps), reason: invokeReason },
        { id: fnArn(verify), reason: invokeReason },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*), the CloudWatch Logs delivery actions of Step Functions logging and ' +
            'cloudwatch:PutMetricData (limited by the cloudwatch:namespace condition) support no resource-level permissions.',
        },
        { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: STATE_MACHINE_POLICY_REASON },
        { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: STATE_MACHINE_POLICY_REASON },
        { id: 'PCI.DSS.321-IAMNoInlinePolicy', reason: STATE_MACHINE_POLICY_REASON },
      );
    }
    return machine;
  }
}

/**
 * What the construct knows of the source at synth (`SOURCE_SETTINGS`): the steps use it once
 * the source instance is gone. Unknown settings are left out; `parameterGroup: null` is the
 * engine's default parameter group.
 */
function deployedSourceSettings(props: DatabaseRestoreProps): Record<string, unknown> {
  const given = props.sourceSettings ?? {};
  const defined = props.database.node.defaultChild instanceof rds.CfnDBInstance ? props.database.node.defaultChild : undefined;
  const securityGroups = given.securityGroups ?? props.database.connections.securityGroups;
  const parameterGroup = given.parameterGroupName ?? (defined ? defined.dbParameterGroupName ?? null : undefined);
  const instanceClass = given.instanceType ? `db.${given.instanceType.toString()}` : defined?.dbInstanceClass;
  return {
    arn: props.database.instanceArn,
    subnetGroup: given.subnetGroupName ?? defined?.dbSubnetGroupName,
    securityGroupIds: securityGroups.length > 0 ? securityGroups.map((group) => group.securityGroupId) : undefined,
    parameterGroup,
    instanceClass,
    multiAz: typeof defined?.multiAz === 'boolean' ? defined.multiAz : undefined,
  };
}

/**
 * The `cause` of the failure document the state machine writes itself (`{}`: why the steps
 * function could not be reached). No quote, backslash or brace: it is a States.Format literal.
 */
const UNREPORTED_CAUSE = 'not given here: the workflow function, which writes the message into this document cut to fit a cause, could not be reached ({}); '
  + 'the execution history has the whole error, in the failed step or the verification result';

/**
 * The cleanup's `detail` there: `{}` are the workflow id (the construct path), the request and
 * execution tag keys and the execution tag's value. A States.Format literal, as above.
 */
const UNREPORTED_CLEANUP_DETAIL = `the cleanup did not finish: look for an instance tagged ${WORKFLOW_ID_TAG}={}, {}=<this request id> and {}={} (this execution) `
  + 'and delete it by hand unless it is wanted';

/**
 * A text as a string argument of an intrinsic function: braces are reserved there and escaped
 * with a backslash (CDK escapes quotes and other backslashes, and leaves a backslash before a brace).
 */
function formatArgument(text: string): string {
  return text.replace(/[{}]/g, (brace) => `\\${brace}`);
}

/**
 * The qualifier of the steps function's ARN in the first state: the function then only measures
 * its event, the raw input (the function's RAW_INPUT_QUALIFIER; jsii compiles lib/ alone).
 */
const RAW_INPUT_QUALIFIER = '$LATEST';

/** The errors of the Lambda service (not of the function) that a Lambda task retries, as CDK's LambdaInvoke does. */
const LAMBDA_SERVICE_ERRORS = ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

/** `drillFailureNotRecorded` there (`{}`: the error of PutMetricData), worded as the steps function words it. */
const DRILL_NOT_COUNTED = 'DrillFailures was not put ({}); the missed-drill alarm still fires when no drill succeeds';

const STATE_MACHINE_POLICY_REASON = 'The inline default policy of the state machine role holds only the grants CDK adds for it: invoking its own functions, its KMS key, tracing and log delivery.';

/** A CloudFormation value as cdk-nag prints it in finding ids (`<LogicalId.Attr>`, `<AWS::Region>`). */
function nagText(stack: Stack, value: string): string {
  const resolved = stack.resolve(value);
  if (typeof resolved === 'string') {
    return resolved;
  }
  const join = resolved['Fn::Join'];
  if (!join) {
    return JSON.stringify(resolved);
  }
  const [separator, parts] = join as [string, unknown[]];
  return parts.map((part) => {
    if (typeof part === 'string') {
      return part;
    }
    const ref = (part as { Ref?: string }).Ref;
    if (ref) {
      return `<${ref}>`;
    }
    const getAtt = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
    return getAtt ? `<${getAtt.join('.')}>` : JSON.stringify(part);
  }).join(separator);
}
