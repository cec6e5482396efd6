import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HardenedFunction } from '../private/hardened-function';
import { checkPollBudget } from '../private/poll-budget';
import { wholeDuration } from '../private/whole-duration';
import { DryRunTarget, EXECUTION_TAG, WORKFLOW_ID_TAG, cleanupIncomplete, grantDryRun, grantOperate, lambdaStep, nagResource, restoreStateMachine } from './workflow-shell';

/** Properties of a {@link VolumeRestoreWorkflow}. */
export interface VolumeRestoreWorkflowProps {
  /** The VPC of the function; its zones are the zones a volume may be restored in. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the function (it calls the EC2 API: NAT or an EC2 VPC endpoint).
   * @default - the VPC's private subnets with egress
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /** Encrypts the new volumes (unless `volumeEncryptionKey` is given), the function's logs and environment, and the execution logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Encrypts the new volumes.
   * @default - `encryptionKey`
   */
  readonly volumeEncryptionKey?: kms.IKey;
  /**
   * Keys of encrypted snapshots to restore from, other than the volume key.
   * @default - snapshots encrypted with the volume key or an AWS managed key
   */
  readonly snapshotKeys?: kms.IKey[];
  /**
   * How often the workflow checks the volume, attachment or replacement task, 5 seconds to 10 minutes.
   * @default Duration.seconds(15)
   */
  readonly pollInterval?: Duration;
  /**
   * How long the volume, attachment or replacement may take before the workflow cleans up and fails, in minutes (at least 5,
   * at most 2,000 × `pollInterval`: each poll adds nine events to the execution's history, which ends at 25,000 without its cleanup).
   * @default Duration.hours(2)
   */
  readonly readyWithin?: Duration;
}

/**
 * Restores an EBS volume from a snapshot: a NEW encrypted volume in a chosen availability zone
 * (checked against the region and the VPC's zones), optionally attached to an instance, or a
 * root-volume replacement task that keeps the replaced root volume. Attaching and replacing
 * need `confirm` naming the instance.
 *
 * Input: `{ "snapshotId": "snap-...", "availabilityZone": "eu-west-1a", "volumeType"?: "gp3",
 * "size"?: 100, "iops"?: 3000, "throughput"?: 125, "attachToInstance"?: "i-...",
 * "device"?: "/dev/sdf", "replaceRootVolumeOf"?: "i-...", "confirm"?: "i-..." }`.
 * Output: `{ "status": "SUCCEEDED", "mode", "volumeId" | "replaceRootVolumeTaskId",
 * "availabilityZone", "snapshotId", "attachedTo"?, "device"? }`. When creating or a later
 * step fails, the workflow deletes the volumes tagged with its execution (never an attached one).
 */
export class VolumeRestoreWorkflow extends Construct {
  /** The state machine; start it with `cdk-backup-dr restore volume`. */
  public readonly stateMachine: sfn.IStateMachine;
  /** The function behind every step. */
  public readonly stepFunction: lambda.IFunction;
  private readonly hardened: HardenedFunction;
  private readonly dryRun: DryRunTarget;

  constructor(scope: Construct, id: string, props: VolumeRestoreWorkflowProps) {
    super(scope, id);
    const pollSeconds = wholeDuration(this, 'pollInterval', props.pollInterval ?? Duration.seconds(15), 'seconds');
    if (!Token.isUnresolved(pollSeconds) && (pollSeconds < 5 || pollSeconds > 600)) {
      throw new Error(`${this.node.path}: \`pollInterval\` must be 5 seconds to 10 minutes, got ${pollSeconds} seconds`);
    }
    const readyMinutes = wholeDuration(this, 'readyWithin', props.readyWithin ?? Duration.hours(2), 'minutes');
    if (!Token.isUnresolved(readyMinutes) && readyMinutes < 5) {
      throw new Error(`${this.node.path}: \`readyWithin\` must be at least 5 minutes, got ${readyMinutes} minutes`);
    }
    // The volume's (and its attachment's) or the replacement's polls share the one deadline.
    checkPollBudget(this, 'readyWithin', readyMinutes * 60, 'pollInterval', pollSeconds);
    const volumeKey = props.volumeEncryptionKey ?? props.encryptionKey;
    const zones = props.vpc.availabilityZones.filter((zone) => !Token.isUnresolved(zone));
    const workflowId = this.node.addr;

    this.hardened = new HardenedFunction(this, 'Function', {
      code: 'restore-volume',
      description: 'cdk-backup-dr volume restore: a new EBS volume from a snapshot, attached or as a root volume replacement',
      vpc: props.vpc,
      vpcSubnets: props.functionSubnets,
      encryptionKey: props.encryptionKey,
      environment: {
        ALLOWED_ZONES: zones.join(','),
        KMS_KEY_ID: volumeKey.keyArn,
        WORKFLOW_ID: workflowId,
        READY_WITHIN_MINUTES: String(readyMinutes),
      },
    });
    this.stepFunction = this.hardened.function;
    const fn = this.hardened.function;
    this.grantFunction(workflowId, volumeKey, props.snapshotKeys ?? [], zones);

    const plan = { 'plan.$': '$.plan' };
    // The client tokens of the creating steps, and what cleanup tells an earlier execution of the same name by:
    // a reused execution name must not get the earlier execution's volume back nor delete it.
    const identity = { 'executionId.$': '$$.Execution.Id', 'executionStartTime.$': '$$.Execution.StartTime' };
    const validate = lambdaStep(this, 'Validate', fn, 'validate', { 'input.$': '$' }, '$.plan');
    const failed = new sfn.Fail(this, 'RestoreFailed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    const cleanup = lambdaStep(this, 'Cleanup', fn, 'cleanup', { 'volume.$': '$.volume', ...identity }, '$.cleanup');
    cleanup.addRetry({ errors: ['IncorrectState', 'VolumeInUse'], interval: Duration.seconds(30), backoffRate: 1.5, maxAttempts: 10, maxDelay: Duration.minutes(5) });
    cleanup.addCatch(cleanupIncomplete(this, failed, `look for volumes tagged ${EXECUTION_TAG}={} and delete those not wanted by hand`), { errors: ['States.ALL'], resultPath: '$.cleanupError' });
    cleanup.next(failed);
    const pollWait = sfn.WaitTime.duration(Duration.seconds(pollSeconds));

    // A new volume, optionally attached.
    const create = lambdaStep(this, 'CreateVolume', fn, 'create', { ...plan, ...identity }, '$.volume');
    // EC2 may have created the volume although the step failed (a lost response, a timeout): cleanup finds it by its tags.
    const noVolumeId = new sfn.Pass(this, 'CreateFailed', { result: sfn.Result.fromObject({}), resultPath: '$.volume' });
    create.addCatch(noVolumeId.next(cleanup), { errors: ['States.ALL'], resultPath: '$.failure' });
    const waitVolume = new sfn.Wait(this, 'WaitForVolume', { time: pollWait });
    const checkVolume = lambdaStep(this, 'CheckVolume', fn, 'volumeStatus', { ...plan, 'volumeId.$': '$.volume.volumeId' }, '$.volumeState');
    const attach = lambdaStep(this, 'AttachVolume', fn, 'attach', { ...plan, 'volumeId.$': '$.volume.volumeId' }, '$.attachment');
    const waitAttachment = new sfn.Wait(this, 'WaitForAttachment', { time: pollWait });
    const checkAttachment = lambdaStep(this, 'CheckAttachment', fn, 'attachStatus', { ...plan, 'volumeId.$': '$.volume.volumeId' }, '$.attachState');
    for (const step of [checkVolume, attach, checkAttachment]) {
      step.addCatch(cleanup, { errors: ['States.ALL'], resultPath: '$.failure' });
    }
    const volumeResult = new sfn.Pass(this, 'VolumeResult', {
      parameters: {
        'status': 'SUCCEEDED', 'mode': 'create', 'volumeId.$': '$.volume.volumeId', 'availabilityZone.$': '$.plan.availabilityZone', 'snapshotId.$': '$.plan.snapshotId',
      },
    });
    const attachedResult = new sfn.Pass(this, 'AttachedResult', {
      parameters: {
        'status': 'SUCCEEDED', 'mode': 'attach', 'volumeId.$': '$.volume.volumeId', 'availabilityZone.$': '$.plan.availabilityZone', 'snapshotId.$': '$.plan.snapshotId',
        'attachedTo.$': '$.attachment.attachedTo', 'device.$': '$.attachment.device',
      },
    });
    const createBranch = create.next(waitVolume).next(checkVolume).next(new sfn.Choice(this, 'IsVolumeAvailable')
      .when(sfn.Condition.booleanEquals('$.volumeState.ready', true), new sfn.Choice(this, 'IsAttachRequested')
        .when(sfn.Condition.isPresent('$.plan.device'), attach.next(waitAttachment).next(checkAttachment).next(new sfn.Choice(this, 'IsAttached')
          .when(sfn.Condition.booleanEquals('$.attachState.ready', true), attachedResult)
          .otherwise(waitAttachment)))
        .otherwise(volumeResult))
      .otherwise(waitVolume));

    // A root volume replacement (AWS keeps the old root volume and restores it if the task fails).
    const replace = lambdaStep(this, 'ReplaceRootVolume', fn, 'replaceRoot', { ...plan, ...identity }, '$.task');
    const waitReplacement = new sfn.Wait(this, 'WaitForReplacement', { time: pollWait });
    const checkReplacement = lambdaStep(this, 'CheckReplacement', fn, 'replaceRootStatus', { ...plan, 'taskId.$': '$.task.taskId' }, '$.taskState');
    for (const step of [replace, checkReplacement]) {
      step.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.failure' });
    }
    const replacedResult = new sfn.Pass(this, 'ReplacedResult', {
      parameters: {
        'status': 'SUCCEEDED', 'mode': 'replace-root', 'replaceRootVolumeTaskId.$': '$.task.taskId', 'instanceId.$': '$.plan.instanceId',
        'availabilityZone.$': '$.plan.availabilityZone', 'snapshotId.$': '$.plan.snapshotId',
      },
    });
    const replaceBranch = replace.next(waitReplacement).next(checkReplacement).next(new sfn.Choice(this, 'IsReplaced')
      .when(sfn.Condition.booleanEquals('$.taskState.ready', true), replacedResult)
      .otherwise(waitReplacement));

    const definition = validate.next(new sfn.Choice(this, 'WhichMode')
      .when(sfn.Condition.stringEquals('$.plan.mode', 'replace-root'), replaceBranch)
      .otherwise(createBranch));

    this.stateMachine = restoreStateMachine(this, {
      kind: 'volume',
      definition,
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(readyMinutes * 3 + 30),
      comment: 'cdk-backup-dr: restore an EBS volume from a snapshot into a new volume, optionally attached or as a root volume replacement',
      functions: [fn],
    });
    // The Validate step reads the snapshot, the region's zones and the instance to attach to; EC2's Describe actions take no resource.
    const validateReads = [new iam.PolicyStatement({ actions: ['ec2:DescribeSnapshots', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances'], resources: ['*'] })];
    this.dryRun = { stateMachine: this.stateMachine, validateFunction: fn, encryptionKey: props.encryptionKey, validateReads };
  }

  /** Allows starting and watching restores and dry runs (what `cdk-backup-dr restore volume` calls). */
  public grantStartRestore(grantee: iam.IGrantable): iam.Grant {
    return grantOperate(grantee, this.dryRun);
  }

  /** Allows `cdk-backup-dr restore volume ... --dry-run`: the workflow's settings and the reads of its checks, nothing else. */
  public grantDryRun(grantee: iam.IGrantable): iam.Grant {
    return grantDryRun(grantee, this.dryRun);
  }

  private grantFunction(workflowId: string, volumeKey: kms.IKey, snapshotKeys: kms.IKey[], zones: string[]): void {
    const stack = Stack.of(this);
    const ec2Arn = (resource: string) => stack.formatArn({ service: 'ec2', resource, resourceName: '*' });
    const snapshots = stack.formatArn({ service: 'ec2', resource: 'snapshot', resourceName: '*', account: '' });
    const volumes = ec2Arn('volume');
    const instances = ec2Arn('instance');
    const tasks = ec2Arn('replace-root-volume-task');
    const policy = new iam.Policy(this, 'RestorePolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateTaggedVolumes',
          actions: ['ec2:CreateVolume'],
          resources: [volumes],
          conditions: { StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflowId }, Bool: { 'ec2:Encrypted': 'true' } },
        }),
        new iam.PolicyStatement({
          sid: 'FromAnySnapshot',
          actions: ['ec2:CreateVolume', 'ec2:CreateReplaceRootVolumeTask'],
          resources: [snapshots],
        }),
        new iam.PolicyStatement({
          sid: 'TagOnCreate',
          actions: ['ec2:CreateTags'],
          resources: [volumes, tasks],
          conditions: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateReplaceRootVolumeTask'] } },
        }),
        new iam.PolicyStatement({
          sid: 'DeleteOnlyOwnVolumes',
          actions: ['ec2:DeleteVolume'],
          resources: [volumes],
          conditions: { StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        // AttachVolume is authorised for the instance and for the volume: the instance is the one
        // `confirm` names (checked by the function), the volume only one this workflow created.
        // The volume is created in one of the VPC's zones and EC2 attaches only within a zone, so
        // the instance must be in one of them too (ec2:AvailabilityZone, a condition key of
        // AttachVolume's instance resource); with zones unknown at synth (tokens), any zone.
        new iam.PolicyStatement({
          sid: 'AttachToConfirmedInstance',
          actions: ['ec2:AttachVolume'],
          resources: [instances],
          conditions: zones.length > 0 ? { StringEquals: { 'ec2:AvailabilityZone': zones } } : undefined,
        }),
        new iam.PolicyStatement({
          sid: 'AttachOnlyOwnVolumes',
          actions: ['ec2:AttachVolume'],
          resources: [volumes],
          conditions: { StringEquals: { [`aws:ResourceTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        // CreateReplaceRootVolumeTask is authorised for the instance, its new root volume, the task
        // and the snapshot (Service Authorization Reference, Amazon EC2). The instance is the one
        // `confirm` names, and the function accepts it only in one of the VPC's zones
        // (ec2:AvailabilityZone, a condition key of this action's instance resource); the task
        // carries this workflow's tag from its creation (aws:RequestTag, a condition key of its
        // replace-root-volume-task resource). The new volume is not tagged by the request.
        new iam.PolicyStatement({
          sid: 'ReplaceRootOfConfirmedInstance',
          actions: ['ec2:CreateReplaceRootVolumeTask'],
          resources: [instances],
          conditions: zones.length > 0 ? { StringEquals: { 'ec2:AvailabilityZone': zones } } : undefined,
        }),
        new iam.PolicyStatement({
          sid: 'ReplaceRootTaggedTask',
          actions: ['ec2:CreateReplaceRootVolumeTask'],
          resources: [tasks],
          conditions: { StringEquals: { [`aws:RequestTag/${WORKFLOW_ID_TAG}`]: workflowId } },
        }),
        new iam.PolicyStatement({
          sid: 'ReplaceRootNewVolume',
          actions: ['ec2:CreateReplaceRootVolumeTask'],
          resources: [volumes],
        }),
        new iam.PolicyStatement({
          sid: 'Read',
          actions: ['ec2:DescribeSnapshots', 'ec2:DescribeVolumes', 'ec2:DescribeInstances', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeReplaceRootVolumeTasks'],
          resources: ['*'],
        }),
      ],
    });
    this.hardened.function.role!.attachInlinePolicy(policy);
    for (const key of [volumeKey, ...snapshotKeys]) {
      key.grant(this.hardened, 'kms:DescribeKey', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext');
    }
    // EBS creates a grant on the key for the new volume; the function itself grants no one.
    policy.addStatements(new iam.PolicyStatement({
      sid: 'KeyGrantsForVolumes',
      actions: ['kms:CreateGrant'],
      resources: [volumeKey, ...snapshotKeys].map((key) => key.keyArn),
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
    const nag = (resource: string, reason: string) => ({ id: `AwsSolutions-IAM5[Resource::${nagResource(this, resource)}]`, reason });
    Validations.of(policy).acknowledge(
      nag(volumes, `Volumes are created at run time; creating requires the workflow's tag (${WORKFLOW_ID_TAG}) and encryption, and deleting and attaching are allowed only for volumes carrying that tag; the ${EXECUTION_TAG} tag limits cleanup further to the execution's own volume.`),
      nag(snapshots, 'The snapshot to restore is named at run time by the person restoring; snapshots are only read.'),
      nag(instances, 'The instance to attach to or whose root volume to replace is named at run time, and the workflow acts only when `confirm` repeats its id; attaching to or replacing the root volume of only an instance in one of the VPC\'s zones (ec2:AvailabilityZone) where they are known at synth.'),
      nag(tasks, `Replacement tasks get their id from EC2 when created; creating one requires the workflow's tag (${WORKFLOW_ID_TAG}).`),
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'The EC2 Describe actions support no resource-level permissions; they only read.' },
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The restore policy is attached to this function\'s own role only; creating and deleting volumes is limited by tags.',
      })),
    );
  }
}
