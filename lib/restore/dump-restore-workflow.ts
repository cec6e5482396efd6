import { Arn, ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HardenedFunction } from '../private/hardened-function';
import { checkLoadLoopBudget } from '../private/load-loop-budget';
import { checkPollBudget } from '../private/poll-budget';
import { wholeDuration } from '../private/whole-duration';
import { DryRunTarget, EXECUTION_TAG, WORKFLOW_ID_TAG, cleanupIncomplete, grantDryRun, grantOperate, lambdaStep, nagResource, restoreStateMachine } from './workflow-shell';

/** Properties of a {@link DumpRestoreWorkflow}. */
export interface DumpRestoreWorkflowProps {
  /** The VPC of the new instances and of the function that loads the dump into them. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the new instances' subnet group.
   * @default - the VPC's isolated subnets, or its private subnets when it has none
   */
  readonly instanceSubnets?: ec2.SubnetSelection;
  /**
   * The subnets of the function; it calls S3, RDS and Secrets Manager, so they need a route
   * to those services (NAT or VPC endpoints).
   * @default - the VPC's private subnets with egress
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /** The 48-hour bucket holding the daily dumps (`daily/YYYY-MM-DD/<run id>/`). */
  readonly dumpBucket: s3.IBucket;
  /**
   * The archive bucket holding the yearly dumps (`yearly/YYYY/...`).
   * @default - only daily dumps can be restored
   */
  readonly archiveBucket?: s3.IBucket;
  /** Encrypts the new instances' storage and master user secrets, the function's logs and environment, and the execution logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Engine and version of the new instances; use the source's.
   * @default - MySQL 8.4.10
   */
  readonly engine?: rds.IInstanceEngine;
  /**
   * Parameter group of the new instances; use the source's.
   * @default - the engine's default parameter group
   */
  readonly parameterGroup?: rds.IParameterGroup;
  /**
   * Instance type of the new instances (a request may choose another).
   * @default - r7g.large (db.r7g.large)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Allocated storage of a new instance in GiB, 20 to 65536 (at least ten times the compressed dump is used).
   * @default 100
   */
  readonly allocatedStorage?: number;
  /**
   * Every instance the workflow creates has an identifier starting with this prefix; its IAM
   * policy can create, change and delete no other instance.
   * @default 'restored-'
   */
  readonly instanceIdentifierPrefix?: string;
  /**
   * Automated backup retention of a restored instance once it is verified, 1 to 35 days.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * How often the workflow checks whether the new instance is available, 5 seconds to 10 minutes.
   * Half of it is the time a restore waits on average after the instance is ready.
   * @default Duration.seconds(20)
   */
  readonly pollInterval?: Duration;
  /**
   * How long the new instance may take to become available before the workflow deletes it and fails, in minutes (at least 10,
   * shorter than `timeout`, at most 2,000 × `pollInterval`: each poll adds nine events to the execution's history, which ends at 25,000 without its cleanup).
   * @default Duration.hours(3)
   */
  readonly availableWithin?: Duration;
  /**
   * The longest an execution may run, in hours (at least 1), loading included. It also bounds the LoadDump invocations
   * (one per 13.5 minutes at most, each adding seven events to the execution's history): with the polls for the instance
   * they may add at most 18,000 events, so `timeout` may be at most about 422 hours with the default polling
   * (Step Functions ends an execution at 25,000 events without its cleanup).
   * @default Duration.hours(24)
   */
  readonly timeout?: Duration;
}

/**
 * Restores a database from a daily (or yearly) dump in S3: creates a NEW RDS instance, streams
 * the gzip-compressed dump from S3 into it, verifies `CHECK TABLE`, the row counts and the
 * checksums of the dump's manifest (unknown, not failed, when the dump was taken without pausing
 * replication or its manifest notes it may be incomplete), then turns on deletion protection and backups.
 *
 * Input: `{ "manifestKey": "daily/2026-11-21/<run id>/manifest.json",
 * "targetInstanceIdentifier": "restored-orders", "bucket"?: "<the dump bucket>",
 * "instanceClass"?: "db.r7g.xlarge", "allocatedStorage"?: 200, "keepOnFailure"?: false }`;
 * a `bucket` other than the one the workflow reads that tier from is refused.
 * Output: `{ "status": "SUCCEEDED", "instanceIdentifier", "endpoint", "port", "secretArn",
 * "source", "rows", "verification" }`. A step that fails after the instance was created
 * deletes the instance (unless `keepOnFailure`) and the execution fails with the step's error.
 * The workflow never touches an instance whose identifier lacks the prefix.
 */
export class DumpRestoreWorkflow extends Construct {
  /** The state machine; start it with `cdk-backup-dr restore db --from-dump`. */
  public readonly stateMachine: sfn.IStateMachine;
  /** The function behind every step. */
  public readonly stepFunction: lambda.IFunction;
  private readonly hardened: HardenedFunction;
  /** Attached to every new instance: it admits the loading function on the MySQL port. */
  public readonly instanceSecurityGroup: ec2.ISecurityGroup;
  /** The subnet group of the new instances. */
  public readonly subnetGroup: rds.ISubnetGroup;
  private readonly dryRun: DryRunTarget;

  constructor(scope: Construct, id: string, props: DumpRestoreWorkflowProps) {
    super(scope, id);
    const prefix = props.instanceIdentifierPrefix ?? 'restored-';
    if (!Token.isUnresolved(prefix) && !/^[a-z](?:[a-z0-9]|-(?!-)){0,39}$/.test(prefix)) {
      throw new Error(`${this.node.path}: \`instanceIdentifierPrefix\` must be 1 to 40 lower-case letters, digits or single hyphens starting with a letter, got '${prefix}'`);
    }
    const backupDays = wholeDuration(this, 'backupRetention', props.backupRetention ?? Duration.days(7), 'days');
    if (!Token.isUnresolved(backupDays) && (backupDays < 1 || backupDays > 35 || !Number.isInteger(backupDays))) {
      throw new Error(`${this.node.path}: \`backupRetention\` must be 1 to 35 whole days, got ${backupDays} days`);
    }
    const pollSeconds = wholeDuration(this, 'pollInterval', props.pollInterval ?? Duration.seconds(20), 'seconds');
    if (!Token.isUnresolved(pollSeconds) && (pollSeconds < 5 || pollSeconds > 600)) {
      throw new Error(`${this.node.path}: \`pollInterval\` must be 5 seconds to 10 minutes, got ${pollSeconds} seconds`);
    }
    const availableMinutes = wholeDuration(this, 'availableWithin', props.availableWithin ?? Duration.hours(3), 'minutes');
    if (!Token.isUnresolved(availableMinutes) && availableMinutes < 10) {
      throw new Error(`${this.node.path}: \`availableWithin\` must be at least 10 minutes, got ${availableMinutes} minutes`);
    }
    const timeoutHours = (props.timeout ?? Duration.hours(24)).toHours({ integral: false });
    // The upper bound is the LoadDump budget's (checkLoadLoopBudget), far below Step Functions' year.
    if (!Token.isUnresolved(timeoutHours) && timeoutHours < 1) {
      throw new Error(`${this.node.path}: \`timeout\` must be at least 1 hour (at most what the LoadDump loop's history budget allows, checked next), got ${timeoutHours} hours`);
    }
    checkPollBudget(this, 'availableWithin', availableMinutes * 60, 'pollInterval', pollSeconds);
    checkLoadLoopBudget(this, { timeoutSeconds: timeoutHours * 3600, availableSeconds: availableMinutes * 60, pollSeconds });
    // A timed-out execution runs no cleanup: the wait for the instance must end (and clean up) first.
    if (!Token.isUnresolved(availableMinutes) && !Token.isUnresolved(timeoutHours) && availableMinutes >= timeoutHours * 60) {
      throw new Error(`${this.node.path}: \`availableWithin\` must be shorter than \`timeout\` (the workflow would time out while waiting for the instance, without deleting it), got availableWithin ${availableMinutes} minutes with timeout ${timeoutHours} hours`);
    }
    const storage = props.allocatedStorage ?? 100;
    if (!Token.isUnresolved(storage) && (storage < 20 || storage > 65536 || !Number.isInteger(storage))) {
      throw new Error(`${this.node.path}: \`allocatedStorage\` must be 20 to 65536 GiB, got ${storage} GiB`);
    }
    const engine = props.engine ?? rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_10 });
    const engineVersion = engine.engineVersion?.fullVersion;
    if (!engineVersion) {
      throw new Error(`${this.node.path}: \`engine\` must name a full engine version (for example rds.MysqlEngineVersion.VER_8_4_10), got ${engine.engineType} without a version`);
    }
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE);

    const functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: props.vpc,
      description: 'The dump restore function: reaches S3, RDS, Secrets Manager and the new instances',
      allowAllOutbound: true,
    });
    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: props.vpc,
      description: 'Instances restored from a dump: MySQL from the dump restore function only',
      allowAllOutbound: false,
    });
    instanceSecurityGroup.addIngressRule(functionSecurityGroup, ec2.Port.tcp(3306), 'The dump restore function loads and verifies the dump');
    this.instanceSecurityGroup = instanceSecurityGroup;
    this.subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc: props.vpc,
      description: 'Subnets of the instances restored from a dump',
      vpcSubnets: props.instanceSubnets ?? { subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    const parameterGroupName = props.parameterGroup?.bindToInstance({}).parameterGroupName;
    // Tagged on every instance this workflow creates: its policy changes and deletes no other
    // (another DumpRestoreWorkflow in the account has another id).
    const workflowId = this.node.addr;

    this.hardened = new HardenedFunction(this, 'Function', {
      code: 'restore-dump',
      description: 'cdk-backup-dr dump restore: creates the new instance, loads the dump from S3, verifies it against the manifest',
      vpc: props.vpc,
      vpcSubnets: props.functionSubnets,
      securityGroups: [functionSecurityGroup],
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(15),
      memorySize: 1769,
      environment: {
        DAILY_BUCKET: props.dumpBucket.bucketName,
        ARCHIVE_BUCKET: props.archiveBucket?.bucketName ?? '',
        IDENTIFIER_PREFIX: prefix,
        ENGINE: engine.engineType,
        ENGINE_VERSION: engineVersion,
        INSTANCE_CLASS: `db.${instanceType.toString()}`,
        ALLOCATED_STORAGE: String(storage),
        SUBNET_GROUP: this.subnetGroup.subnetGroupName,
        SECURITY_GROUP_IDS: this.instanceSecurityGroup.securityGroupId,
        KMS_KEY_ID: props.encryptionKey.keyArn,
        PARAMETER_GROUP: parameterGroupName ?? '',
        BACKUP_RETENTION_DAYS: String(backupDays),
        AVAILABLE_WITHIN_MINUTES: String(availableMinutes),
        DATABASE_TLS: 'required',
        WORKFLOW_ID: workflowId,
      },
    });
    this.stepFunction = this.hardened.function;
    const fn = this.hardened.function;
    this.grantFunction(props, prefix, parameterGroupName, workflowId);

    // ---- the definition ----
    const planFields = { 'plan.$': '$.plan' };
    // What tells this execution's instance from one an earlier execution of the same name created.
    const identity = { 'executionId.$': '$$.Execution.Id', 'executionStartTime.$': '$$.Execution.StartTime' };
    const validate = lambdaStep(this, 'Validate', fn, 'validate', { 'input.$': '$' }, '$.plan');
    const create = lambdaStep(this, 'CreateInstance', fn, 'create', { ...planFields, ...identity }, '$.created');
    const wait = new sfn.Wait(this, 'WaitForInstance', { time: sfn.WaitTime.duration(Duration.seconds(pollSeconds)) });
    const status = lambdaStep(this, 'CheckInstance', fn, 'status', planFields, '$.instance');
    const startLoad = new sfn.Pass(this, 'StartLoad', { result: sfn.Result.fromObject({ done: false, statementsApplied: 0 }), resultPath: '$.load' });
    const load = lambdaStep(this, 'LoadDump', fn, 'load', { ...planFields, 'statementsApplied.$': '$.load.statementsApplied' }, '$.load');
    const verify = lambdaStep(this, 'Verify', fn, 'verify', planFields, '$.verification');
    const protect = lambdaStep(this, 'Protect', fn, 'protect', planFields, '$.protection');
    const result = new sfn.Pass(this, 'Result', {
      parameters: {
        'status': 'SUCCEEDED',
        'instanceIdentifier.$': '$.plan.targetInstanceIdentifier',
        'endpoint.$': '$.instance.endpoint',
        'port.$': '$.instance.port',
        'secretArn.$': '$.instance.secretArn',
        'source.$': "States.Format('s3://{}/{}', $.plan.bucket, $.plan.dumpKey)",
        'rows.$': '$.plan.rows',
        'statements.$': '$.load.statementsApplied',
        'verification.$': '$.verification',
        'protection.$': '$.protection',
      },
    });
    const cleanup = lambdaStep(this, 'Cleanup', fn, 'cleanup', { ...planFields, ...identity }, '$.cleanup');
    cleanup.addRetry({ errors: ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState'], interval: Duration.seconds(60), backoffRate: 1.5, maxAttempts: 20, maxDelay: Duration.minutes(10) });
    const failed = new sfn.Fail(this, 'RestoreFailed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    cleanup.addCatch(cleanupIncomplete(this, failed, `look for the RDS instance tagged ${EXECUTION_TAG}={} and delete it by hand if it is not wanted`), { errors: ['States.ALL'], resultPath: '$.cleanupError' });
    cleanup.next(failed);
    for (const step of [create, status, load, verify, protect]) {
      step.addCatch(cleanup, { errors: ['States.ALL'], resultPath: '$.failure' });
    }

    const definition = validate
      .next(create)
      .next(wait)
      .next(status)
      .next(new sfn.Choice(this, 'IsInstanceAvailable')
        .when(sfn.Condition.booleanEquals('$.instance.available', true), startLoad
          .next(load)
          .next(new sfn.Choice(this, 'IsLoadDone')
            .when(sfn.Condition.booleanEquals('$.load.done', true), verify.next(protect).next(result))
            .otherwise(load)))
        .otherwise(wait));

    this.stateMachine = restoreStateMachine(this, {
      kind: 'dump',
      definition,
      encryptionKey: props.encryptionKey,
      timeout: props.timeout ?? Duration.hours(24),
      comment: 'cdk-backup-dr: restore a database from a dump in S3 into a new instance, verified against the dump manifest',
      functions: [fn],
    });
    this.dryRun = { stateMachine: this.stateMachine, validateFunction: fn, encryptionKey: props.encryptionKey, validateReads: this.validateReads(props, prefix) };
  }

  /** Allows starting and watching restores and dry runs (what `cdk-backup-dr restore db --from-dump` calls). */
  public grantStartRestore(grantee: iam.IGrantable): iam.Grant {
    return grantOperate(grantee, this.dryRun);
  }

  /** Allows `cdk-backup-dr restore db --from-dump ... --dry-run`: the workflow's settings and the reads of its checks, nothing else. */
  public grantDryRun(grantee: iam.IGrantable): iam.Grant {
    return grantDryRun(grantee, this.dryRun);
  }

  /**
   * The calls of the Validate step: the manifest and the dump (GetObject, HeadObject), and whether
   * the target exists; s3:ListBucket so that a missing manifest or dump is 'not found' (S3 answers
   * 403 for a missing key without it).
   */
  private validateReads(props: DumpRestoreWorkflowProps, prefix: string): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const reads = [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: dumpObjectArns(props) }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: dumpBucketArns(props) }),
      new iam.PolicyStatement({
        actions: ['rds:DescribeDBInstances'],
        resources: [stack.formatArn({ service: 'rds', resource: 'db', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    ];
    for (const bucket of [props.dumpBucket, props.archiveBucket]) {
      if (bucket?.encryptionKey) {
        reads.push(new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [bucket.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${bucket.env.region}.amazonaws.com` } },
        }));
      }
    }
    return reads;
  }

  private grantFunction(props: DumpRestoreWorkflowProps, prefix: string, parameterGroupName: string | undefined, workflowId: string): void {
    const stack = Stack.of(this);
    const fn = this.hardened;
    const arn = (resource: string, resourceName: string, service = 'rds') => stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const newInstances = arn('db', `${prefix}*`);
    const secretArn = Arn.format({ service: 'secretsmanager', resource: 'secret', resourceName: 'rds!db-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack);
    const dumpObjects = dumpObjectArns(props);
    for (const bucket of [props.dumpBucket, props.archiveBucket]) {
      bucket?.encryptionKey?.grantDecrypt(fn);
    }
    const policy = new iam.Policy(this, 'RestorePolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateOnlyPrefixedInstances',
          actions: ['rds:CreateDBInstance', 'rds:AddTagsToResource'],
          resources: [
            newInstances,
            arn('subgrp', this.subnetGroup.subnetGroupName),
            parameterGroupName ? arn('pg', parameterGroupName) : arn('pg', 'default.*'),
            arn('og', 'default:*'),
            arn('secgrp', '*'),
          ],
          // Only tagged with this workflow's id, which the next statement requires to change or delete it.
          conditions: { StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        // The function tags every instance it creates with this workflow's id (core/restore-workflows/dump.ts):
        // an instance under the prefix that this workflow did not create (another DumpRestoreWorkflow's
        // with the same prefix included) is neither changed nor deleted.
        new iam.PolicyStatement({
          sid: 'ChangeAndDeleteOnlyPrefixedInstances',
          actions: ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'],
          resources: [newInstances],
          conditions: { StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadDumps',
          actions: ['s3:GetObject'],
          resources: dumpObjects,
        }),
        // Validate tells a manifest or dump that does not exist (404) from one it may not read; without
        // s3:ListBucket S3 answers 403 for a missing key. No s3:prefix condition: S3 checks the
        // permission for a GET or HEAD without one.
        new iam.PolicyStatement({
          sid: 'FindDumps',
          actions: ['s3:ListBucket'],
          resources: dumpBucketArns(props),
        }),
        // The function describes only the target, whose identifier must start with the prefix.
        new iam.PolicyStatement({
          sid: 'ReadInstances',
          actions: ['rds:DescribeDBInstances'],
          resources: [newInstances],
        }),
        new iam.PolicyStatement({
          sid: 'ManagedMasterUserSecret',
          actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
          resources: [secretArn],
        }),
        // Every instance's managed secret is named rds!db-<random>: RDS tags it with its instance's ARN,
        // which keeps the function off the secrets of instances outside the prefix.
        new iam.PolicyStatement({
          sid: 'ReadNewInstancesSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secretArn],
          conditions: { StringLike: { 'aws:ResourceTag/aws:rds:primaryDBInstanceArn': newInstances } },
        }),
      ],
    });
    fn.function.role!.attachInlinePolicy(policy);
    props.encryptionKey.grant(fn, 'kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey');
    const nag = (resource: string, reason: string) => ({ id: `AwsSolutions-IAM5[Resource::${nagResource(this, resource)}]`, reason });
    Validations.of(policy).acknowledge(
      nag(newInstances, `The workflow creates only instances whose identifier starts with '${prefix}', named at run time by the person restoring, tagged with its id (${WORKFLOW_ID_TAG}); it changes and deletes only those carrying that tag.`),
      nag(arn('og', 'default:*'), 'A new instance uses the engine\'s default option group, whose name depends on the engine version.'),
      nag(arn('secgrp', '*'), 'CreateDBInstance authorizes against DB security groups even when only VPC security groups are used; this grants no other action.'),
      ...(parameterGroupName ? [] : [nag(arn('pg', 'default.*'), 'Without a parameter group prop a new instance uses the engine\'s default parameter group.')]),
      nag(secretArn, 'RDS creates the master user secret of each new instance (rds!db-<id>) when the workflow creates the instance; its name is not known before.'),
      ...dumpObjects.map((objects) => nag(objects, 'The function reads the dump and manifest a person names at run time, only under the dump prefixes (daily/, yearly/).')),
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The restore policy is attached to this function\'s own role only; every statement is scoped to the instances it creates.',
      })),
    );
  }
}

/** The buckets the workflow reads dumps from (listed, to tell a missing dump from one it may not read). */
function dumpBucketArns(props: DumpRestoreWorkflowProps): string[] {
  return [props.dumpBucket.bucketArn, ...(props.archiveBucket ? [props.archiveBucket.bucketArn] : [])];
}

/** The objects the workflow reads: dumps and manifests under daily/ and, in the archive bucket, yearly/. */
function dumpObjectArns(props: DumpRestoreWorkflowProps): string[] {
  return [props.dumpBucket.arnForObjects('daily/*'), ...(props.archiveBucket ? [props.archiveBucket.arnForObjects('yearly/*')] : [])];
}
