import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HardenedFunction } from '../private/hardened-function';
import { CLEANUP_EVENTS_ALLOWED, LONGEST_ITERATION_EVENTS, LOOP_EVENTS_ALLOWED, STEP_ITERATION_EVENTS } from '../private/loop-event-budget';
import { checkPollBudget } from '../private/poll-budget';
import { FAILURE_RESERVE_HOURS, RESTORE_TIMEOUT_HOURS, TIME_BUDGET_ERROR } from '../private/restore-time-budget';
import { refuseRepeatedEntries } from '../private/repeated-entries';
import { wholeDuration } from '../private/whole-duration';
import { DryRunTarget, EXECUTION_TAG, cleanupIncomplete, grantDryRun, grantOperate, lambdaStep, nagResource, restoreStateMachine } from './workflow-shell';

/** Properties of an {@link ObjectRestoreWorkflow}. */
export interface ObjectRestoreWorkflowProps {
  /** The VPC of the function. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the function (it calls S3: NAT or an S3 gateway endpoint).
   * @default - the VPC's private subnets with egress
   */
  readonly functionSubnets?: ec2.SubnetSelection;
  /** Encrypts the function's logs and environment and the execution logs. */
  readonly encryptionKey: kms.IKey;
  /** The versioned buckets whose objects can be restored (to a point in time, or from Glacier / Deep Archive), each named once. */
  readonly buckets: s3.IBucket[];
  /**
   * The buckets the copies may be written to. A failed restore deletes the versions it wrote;
   * under Object Lock those are kept until their retention ends (the Cleanup step's output
   * counts them, `notDeleted`): prefer buckets with a short lock or none (the reference
   * construct uses the 48-hour bucket, locked for a day, not the archive bucket).
   * @default - `buckets`
   */
  readonly targetBuckets?: s3.IBucket[];
  /**
   * How often an archive restore checks whether the retrievals are done, 1 minute to 6 hours.
   * @default Duration.hours(1)
   */
  readonly archivePollInterval?: Duration;
  /**
   * How long archive retrievals may take before the workflow fails, in hours (Deep Archive: Standard up to 12 hours, Bulk up to 48 hours), from 1 hour
   * to 120 hours less `archivePollInterval` (119 hours with the default interval: the restore times out after 7 days, without its cleanup, and keeps
   * 48 hours for the copying and cleanup after the retrievals: the copying stops 24 hours before the timeout, which it keeps for the cleanup), and at most 2,000 × `archivePollInterval` (each poll adds nine events to the
   * execution's history, which ends at 25,000 without its cleanup).
   * @default Duration.hours(72)
   */
  readonly archiveReadyWithin?: Duration;
}

/** The longest an execution may run. A timed-out execution runs no cleanup: the copying steps stop FAILURE_RESERVE_HOURS before it (restore-time-budget.ts). */
const RESTORE_TIMEOUT = Duration.hours(RESTORE_TIMEOUT_HOURS);
/**
 * Kept free of the timeout after the deadline of the retrievals, and before it (the steps before
 * the first poll, minutes): 24 hours for an archive restore's copying (hours for a large prefix,
 * up to about 16 hours of stalled invocations alone) before the copy stops at
 * COPY_STOPS_AFTER_HOURS, then the FAILURE_RESERVE_HOURS of the failure path and cleanup. The
 * retrieved copies stay `restoreDays` (at least one) from when each retrieval completed, so the
 * copying does not race the wait.
 */
const ARCHIVE_COPY = Duration.hours(24);
const AFTER_RETRIEVAL = Duration.hours(ARCHIVE_COPY.toHours() + FAILURE_RESERVE_HOURS);
/** `archiveReadyWithin` plus one `archivePollInterval` (the deadline is noticed at the first poll after it) may be at most this. */
const RETRIEVAL_WINDOW_HOURS = RESTORE_TIMEOUT.toHours() - AFTER_RETRIEVAL.toHours();

/**
 * The copying steps, when an invocation moved nothing on (no copy finished, no part copied, the
 * scan did not move on: S3 failing for a passing reason, another write of a key always under
 * way), wait this long before the next invocation, and the restore fails after
 * `STALLED_INVOCATIONS_ALLOWED` such invocations in a row. 60 of them, a minute apart, give an
 * outage about an hour (more when the invocations themselves take long, at most 16 minutes each
 * with the wait); a stalled invocation adds about nine events to the execution's history, so
 * the bound keeps it far below Step Functions' 25,000, whose overrun no Catch sees.
 */
const STALLED_WAIT = Duration.seconds(60);
const STALLED_INVOCATIONS_ALLOWED = 60;
/** The error of a restore whose copying step stopped making progress. */
const COPY_STALLED_ERROR = 'RestoreCopyStalled';
/**
 * The error of a restore whose loops used up their history events (LOOP_EVENTS_ALLOWED): an
 * invocation cut off after some progress (a refused write, a full carried state) may return
 * long before its deadline, so only the number of objects would bound the copy loop otherwise.
 */
const LOOP_BUDGET_ERROR = 'RestoreHistoryBudgetSpent';

/**
 * Restores S3 objects: a prefix to a point in time from object versions (a shadow copy: for
 * each key the newest version at or before the time, copied to a NEW prefix, by default
 * `restored/<time>/<prefix>` in the same bucket; over the live prefix only when `confirm`
 * names it), or archives brought back from Glacier / Deep Archive (`RestoreObject`, wait,
 * copy as STANDARD to a new prefix).
 *
 * Input (point in time): `{ "bucket", "prefix", "time": "2026-11-21T10:00:00Z",
 * "targetBucket"?, "targetPrefix"?, "confirm"?: "s3://<bucket>/<prefix>" }`.
 * Input (archive): `{ "mode": "archive", "bucket", "prefix", "targetBucket"?, "targetPrefix"?,
 * "restoreTier"?: "Standard" | "Bulk", "restoreDays"?: 3 }`.
 * Output: `{ "status": "SUCCEEDED", "mode", "source", "target", "objects", "bytes", ..., "openUploads" }`,
 * where `openUploads` reports the multipart uploads left open under the target prefix (`none`,
 * `open` with the commands that abort them, or `unknown`).
 * A failed copy names in its cause the multipart uploads open under the target prefix (aborting
 * none) and deletes the copies the execution wrote (found by their
 * `cdk-backup-dr:restore-execution` tag); the source versions are never changed.
 */
export class ObjectRestoreWorkflow extends Construct {
  /** The state machine; start it with `cdk-backup-dr restore objects`. */
  public readonly stateMachine: sfn.IStateMachine;
  /** The function behind every step. */
  public readonly stepFunction: lambda.IFunction;
  private readonly hardened: HardenedFunction;
  private readonly dryRun: DryRunTarget;

  constructor(scope: Construct, id: string, props: ObjectRestoreWorkflowProps) {
    super(scope, id);
    if (props.buckets.length === 0) {
      throw new Error(`${this.node.path}: \`buckets\` must name at least one bucket, got none`);
    }
    const pollSeconds = wholeDuration(this, 'archivePollInterval', props.archivePollInterval ?? Duration.hours(1), 'seconds');
    if (!Token.isUnresolved(pollSeconds) && (pollSeconds < 60 || pollSeconds > 6 * 3600)) {
      throw new Error(`${this.node.path}: \`archivePollInterval\` must be 1 minute to 6 hours, got ${pollSeconds} seconds`);
    }
    const readyHours = (props.archiveReadyWithin ?? Duration.hours(72)).toHours({ integral: false });
    if (!Token.isUnresolved(readyHours)) {
      // With the interval a token, at least its shortest (1 minute) is kept free.
      const longestHours = RETRIEVAL_WINDOW_HOURS - (Token.isUnresolved(pollSeconds) ? 60 : pollSeconds) / 3600;
      if (readyHours < 1 || readyHours > longestHours) {
        const poll = Token.isUnresolved(pollSeconds) ? 'archivePollInterval a token' : `archivePollInterval ${Duration.seconds(pollSeconds).toHumanString()}`;
        throw new Error(`${this.node.path}: \`archiveReadyWithin\` must be 1 to ${formatHours(longestHours)} hours with ${poll} `
          + `(the restore's ${RESTORE_TIMEOUT.toDays()}-day timeout keeps ${AFTER_RETRIEVAL.toHours()} hours for the copying and cleanup after the retrievals, and the deadline is noticed up to one poll late), `
          + `got ${readyHours} hours`);
      }
    }
    checkPollBudget(this, 'archiveReadyWithin', readyHours * 3600, 'archivePollInterval', pollSeconds);
    refuseRepeatedEntries(this, 'buckets', props.buckets.map((b) => b.bucketName), 'bucket', props.buckets.map(bucketLabel));
    const targetList = props.targetBuckets ?? [];
    refuseRepeatedEntries(this, 'targetBuckets', targetList.map((b) => b.bucketName), 'bucket', targetList.map(bucketLabel));
    if (props.targetBuckets !== undefined && props.targetBuckets.length === 0) {
      throw new Error(`${this.node.path}: \`targetBuckets\` must name at least one bucket when set (leave it unset to write the copies to \`buckets\`), got none`);
    }
    const targets = props.targetBuckets ?? props.buckets;

    this.hardened = new HardenedFunction(this, 'Function', {
      code: 'restore-objects',
      description: 'cdk-backup-dr object restore: S3 prefixes to a point in time from versions, and archives from Glacier Deep Archive',
      vpc: props.vpc,
      vpcSubnets: props.functionSubnets,
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(15),
      environment: {
        SOURCE_BUCKETS: joinNames(props.buckets),
        TARGET_BUCKETS: joinNames(targets),
        ARCHIVE_READY_WITHIN_MINUTES: String(Math.round(readyHours * 60)),
      },
    });
    this.stepFunction = this.hardened.function;
    const fn = this.hardened.function;
    this.grantFunction(props.buckets, targets);

    const plan = { 'plan.$': '$.plan' };
    const failed = new sfn.Fail(this, 'RestoreFailed', { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    // Cleanup works through the target prefix page by page; `$.cleanup` carries its cursor and the history events of its loop between invocations.
    // Given the execution's start, it stops an hour before the timeout (`timeSpent`), as at its event share, with the copy's error and what may remain.
    const startTime = { 'executionStartTime.$': '$$.Execution.StartTime' };
    const cleanupStep = lambdaStep(this, 'Cleanup', fn, 'cleanup', { ...plan, 'cleanup.$': '$.cleanup', ...startTime }, '$.cleanup');
    const leftover = `the copies under the target prefix tagged ${EXECUTION_TAG}={} may remain: delete those not wanted by hand`;
    cleanupStep.addCatch(cleanupIncomplete(this, failed, leftover), { errors: ['States.ALL'], resultPath: '$.cleanupError' });
    const cleanup = new sfn.Pass(this, 'StartCleanup', { result: sfn.Result.fromObject({ done: false, deleted: 0, notDeleted: 0, notDeletedExamples: [], loopEvents: 0 }), resultPath: '$.cleanup' });
    const cleanupEvents = '$.cleanup.loopEvents';
    cleanup.next(cleanupStep).next(new sfn.Choice(this, 'IsCleanupDone')
      .when(sfn.Condition.booleanEquals('$.cleanup.done', true), failed)
      .when(sfn.Condition.isPresent('$.cleanup.timeSpent'), new sfn.Pass(this, 'CleanupTimeBudgetSpent', cleanupTimeFailure(leftover)).next(failed))
      // The function always sets the count; a Choice on a missing one would end the execution (States.Runtime) with no word of the copies left.
      .when(sfn.Condition.and(sfn.Condition.isPresent(cleanupEvents), sfn.Condition.numberGreaterThan(cleanupEvents, CLEANUP_EVENTS_ALLOWED - STEP_ITERATION_EVENTS)),
        new sfn.Pass(this, 'CleanupBudgetSpent', cleanupBudgetFailure(leftover)).next(failed))
      .otherwise(cleanupStep));
    // Before cleanup, the failure's cause gains the uploads left open under the target prefix (a copy cut off by a timeout never aborted its own).
    const failureUploads = lambdaStep(this, 'FailureUploads', fn, 'failureUploads', plan, '$.failureUploads');
    const failureUploadsUnknown = new sfn.Pass(this, 'FailureUploadsUnknown', {
      parameters: {
        'note.$': "States.Format(' Open multipart uploads unknown: the uploads under s3://{}/{} were not listed (the FailureUploads step failed: {}); a copy may have left one open: {}', "
          + '$.plan.targetBucket, $.plan.targetPrefix, States.JsonToString($.failureUploadsError), $.plan.listUploads)',
      },
      resultPath: '$.failureUploads',
    });
    failureUploads.addCatch(failureUploadsUnknown, { errors: ['States.ALL'], resultPath: '$.failureUploadsError' });
    const nameUploads = new sfn.Pass(this, 'NameOpenUploads', {
      parameters: { 'Error.$': '$.failure.Error', 'Cause.$': "States.Format('{}{}', $.failure.Cause, $.failureUploads.note)" },
      resultPath: '$.failure',
    });
    failureUploads.next(nameUploads);
    failureUploadsUnknown.next(nameUploads);
    nameUploads.next(cleanup);
    const validate = lambdaStep(this, 'Validate', fn, 'validate', { 'input.$': '$' }, '$.plan');

    // Once every copy has ended: a copy whose abort failed leaves its upload open, and a retry of its step drops its note.
    const checkUploads = lambdaStep(this, 'OpenUploads', fn, 'openUploads', plan, '$.uploads');
    // Every copy is complete: a listing that crashed or timed out leaves the uploads unknown, not the restore failed.
    const uploadsUnknown = new sfn.Pass(this, 'OpenUploadsUnknown', {
      parameters: {
        'status': 'unknown',
        'notes.$': "States.Array(States.Format('the multipart uploads under s3://{}/{} were not listed (the OpenUploads step failed: {}); a copy may have left one open: {}', "
          + '$.plan.targetBucket, $.plan.targetPrefix, States.JsonToString($.uploadsError), $.plan.listUploads))',
      },
      resultPath: '$.uploads',
    });
    checkUploads.addCatch(uploadsUnknown, { errors: ['States.ALL'], resultPath: '$.uploadsError' });

    // Point in time: a read-only planning scan (it checks the time against the oldest version), then the copying scan.
    // `loopEvents` counts the history events of the loops (each looping step adds its own), the copy loops stop past LOOP_EVENTS_ALLOWED.
    // The planning scan needs no stop by events: its invocations return unfinished only at their deadline (about 14 minutes), so the
    // timeout allows about 720 of them (5,040 events). It and the copying steps stop by time (`timeSpent`), given the execution's start.
    const startPlan = new sfn.Pass(this, 'StartPlan', { result: sfn.Result.fromObject({ cursor: { done: false }, counts: { keys: 0, bytes: 0, deletedAtTime: 0, newerOnly: 0, unchanged: 0 }, loopEvents: 0 }), resultPath: '$.scan' });
    const planScan = lambdaStep(this, 'PlanScan', fn, 'planScan', { ...plan, 'scan.$': '$.scan', ...startTime }, '$.scan');
    const startCopy = new sfn.Pass(this, 'StartCopy', {
      parameters: { 'cursor': { done: false }, 'counts': { keys: 0, bytes: 0, deletedAtTime: 0, newerOnly: 0, unchanged: 0 }, 'loopEvents.$': '$.scan.loopEvents' },
      resultPath: '$.copy',
    });
    const copyScan = lambdaStep(this, 'CopyScan', fn, 'copyScan', { ...plan, 'scan.$': '$.copy', ...startTime }, '$.copy');
    copyScan.addCatch(failureUploads, { errors: ['States.ALL'], resultPath: '$.failure' });
    const pointInTimeResult = new sfn.Pass(this, 'PointInTimeResult', {
      parameters: {
        'status': 'SUCCEEDED',
        'mode': 'point-in-time',
        'time.$': '$.plan.time',
        'source.$': "States.Format('s3://{}/{}', $.plan.bucket, $.plan.prefix)",
        'target.$': "States.Format('s3://{}/{}', $.plan.targetBucket, $.plan.targetPrefix)",
        'inPlace.$': '$.plan.inPlace',
        'objects.$': '$.copy.counts.keys',
        'bytes.$': '$.copy.counts.bytes',
        'unchanged.$': '$.copy.counts.unchanged',
        'deletedAtTime.$': '$.copy.counts.deletedAtTime',
        'createdLater.$': '$.copy.counts.newerOnly',
        'oldestVersion.$': '$.copy.counts.oldestVersion',
        'openUploads.$': '$.uploads',
      },
    });
    const pointInTime = startPlan.next(planScan).next(new sfn.Choice(this, 'IsPlanDone')
      .when(sfn.Condition.booleanEquals('$.scan.cursor.done', true), startCopy.next(copyScan).next(untilCopied(new sfn.Choice(this, 'IsCopyDone'), '$.copy', '$.copy.cursor.done', {
        done: checkUploads,
        again: copyScan,
        wait: new sfn.Wait(this, 'WaitAfterStalledCopy', { time: sfn.WaitTime.duration(STALLED_WAIT) }),
        stalled: new sfn.Pass(this, 'CopyStalled', stalledFailure('$.copy')).next(failureUploads),
        budgetSpent: new sfn.Pass(this, 'CopyBudgetSpent', budgetFailure('$.copy')).next(failureUploads),
        timeSpent: new sfn.Pass(this, 'CopyTimeBudgetSpent', timeFailure('$.copy')).next(failureUploads),
      })))
      // Nothing was copied: no uploads to name, no copies to delete.
      .when(sfn.Condition.isPresent('$.scan.timeSpent'), new sfn.Pass(this, 'PlanTimeBudgetSpent', timeFailure('$.scan')).next(failed))
      .otherwise(planScan));

    // Archive: request the retrievals, wait for them, copy.
    // `$.archive` holds counts only: each step lists the objects again (1,000 keys of up to 1,024 bytes would outgrow a state's 256 KiB).
    const list = lambdaStep(this, 'ListArchive', fn, 'listArchive', plan, '$.archive');
    const request = lambdaStep(this, 'RequestRetrievals', fn, 'requestRetrievals', plan, '$.requested');
    const waitRetrieval = new sfn.Wait(this, 'WaitForRetrieval', { time: sfn.WaitTime.duration(Duration.seconds(pollSeconds)) });
    const startChecks = new sfn.Pass(this, 'StartRetrievalChecks', { result: sfn.Result.fromObject({ loopEvents: 0 }), resultPath: '$.retrieval' });
    const checkRetrieval = lambdaStep(this, 'CheckRetrievals', fn, 'retrievalStatus', { ...plan, 'loopEvents.$': '$.retrieval.loopEvents' }, '$.retrieval');
    // `$.copied` carries the multipart copies an invocation's deadline cut off to the next invocation.
    const startArchiveCopy = new sfn.Pass(this, 'StartArchiveCopy', { parameters: { 'done': false, 'loopEvents.$': '$.retrieval.loopEvents' }, resultPath: '$.copied' });
    const copyArchive = lambdaStep(this, 'CopyArchive', fn, 'copyArchive', { ...plan, 'copied.$': '$.copied', ...startTime }, '$.copied');
    copyArchive.addCatch(failureUploads, { errors: ['States.ALL'], resultPath: '$.failure' });
    const archiveResult = new sfn.Pass(this, 'ArchiveResult', {
      parameters: {
        'status': 'SUCCEEDED',
        'mode': 'archive',
        'source.$': "States.Format('s3://{}/{}', $.plan.bucket, $.plan.prefix)",
        'target.$': "States.Format('s3://{}/{}', $.plan.targetBucket, $.plan.targetPrefix)",
        'objects.$': '$.copied.copied',
        'bytes.$': '$.copied.bytes',
        'retrieved.$': '$.requested.requested',
        'restoreTier.$': '$.plan.restoreTier',
        'openUploads.$': '$.uploads',
      },
    });
    const whichResult = new sfn.Choice(this, 'WhichResult')
      .when(sfn.Condition.stringEquals('$.plan.mode', 'archive'), archiveResult)
      .otherwise(pointInTimeResult);
    checkUploads.next(whichResult);
    uploadsUnknown.next(whichResult);
    // Each invocation copies until its deadline; the next starts the list again, skipping the copies made.
    const copyArchiveLoop = copyArchive.next(untilCopied(new sfn.Choice(this, 'IsArchiveCopied'), '$.copied', '$.copied.done', {
      done: checkUploads,
      again: copyArchive,
      wait: new sfn.Wait(this, 'WaitAfterStalledArchiveCopy', { time: sfn.WaitTime.duration(STALLED_WAIT) }),
      stalled: new sfn.Pass(this, 'ArchiveCopyStalled', stalledFailure('$.copied')).next(failureUploads),
      budgetSpent: new sfn.Pass(this, 'ArchiveCopyBudgetSpent', budgetFailure('$.copied')).next(failureUploads),
      timeSpent: new sfn.Pass(this, 'ArchiveCopyTimeBudgetSpent', timeFailure('$.copied')).next(failureUploads),
    }));
    const archive = list.next(request).next(startChecks).next(checkRetrieval).next(new sfn.Choice(this, 'IsRetrieved')
      .when(sfn.Condition.booleanEquals('$.retrieval.ready', true), startArchiveCopy.next(copyArchiveLoop))
      .otherwise(waitRetrieval.next(checkRetrieval)));

    const definition = validate.next(new sfn.Choice(this, 'WhichMode')
      .when(sfn.Condition.stringEquals('$.plan.mode', 'archive'), archive)
      .otherwise(pointInTime));

    this.stateMachine = restoreStateMachine(this, {
      kind: 'objects',
      definition,
      encryptionKey: props.encryptionKey,
      timeout: RESTORE_TIMEOUT,
      comment: 'cdk-backup-dr: restore S3 objects to a point in time from versions, or from Glacier Deep Archive, into a new prefix',
      functions: [fn],
    });
    // The Validate step checks that the target prefix is empty; the planning scan lists the source's versions,
    // and an archive restore's ListArchive step the source's objects (ListObjectsV2: s3:ListBucket).
    const listed = [...new Set([...props.buckets, ...targets])].map((bucket) => bucket.bucketArn);
    const validateReads = [
      new iam.PolicyStatement({ actions: ['s3:ListBucketVersions'], resources: listed }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: props.buckets.map((bucket) => bucket.bucketArn) }),
    ];
    this.dryRun = { stateMachine: this.stateMachine, validateFunction: fn, encryptionKey: props.encryptionKey, validateReads };
  }

  /** Allows starting and watching restores and dry runs (what `cdk-backup-dr restore objects` calls). */
  public grantStartRestore(grantee: iam.IGrantable): iam.Grant {
    return grantOperate(grantee, this.dryRun);
  }

  /** Allows `cdk-backup-dr restore objects ... --dry-run`: the workflow's settings and the reads of its checks and planning scan, nothing else. */
  public grantDryRun(grantee: iam.IGrantable): iam.Grant {
    return grantDryRun(grantee, this.dryRun);
  }

  private grantFunction(sources: s3.IBucket[], targets: s3.IBucket[]): void {
    const all = [...new Set([...sources, ...targets])];
    const policy = new iam.Policy(this, 'RestorePolicy', {
      statements: [
        new iam.PolicyStatement({ sid: 'ListVersions', actions: ['s3:ListBucket', 's3:ListBucketVersions'], resources: all.map((b) => b.bucketArn) }),
        new iam.PolicyStatement({ sid: 'ListUploads', actions: ['s3:ListBucketMultipartUploads'], resources: targets.map((b) => b.bucketArn) }),
        new iam.PolicyStatement({
          sid: 'ReadSources',
          actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:RestoreObject'],
          resources: sources.map((b) => b.arnForObjects('*')),
        }),
        // Cleanup deletes its copies by version: S3 documents s3:DeleteObject as always needed for a
        // delete, and s3:DeleteObjectVersion on top of it for a specific version.
        new iam.PolicyStatement({
          sid: 'WriteCopies',
          actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: targets.map((b) => b.arnForObjects('*')),
        }),
      ],
    });
    this.hardened.function.role!.attachInlinePolicy(policy);
    for (const bucket of sources) {
      bucket.encryptionKey?.grantDecrypt(this.hardened);
    }
    for (const bucket of targets) {
      bucket.encryptionKey?.grant(this.hardened, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    const objectArns = [...new Set([...sources, ...targets].map((b) => nagResource(this, b.arnForObjects('*'))))];
    Validations.of(policy).acknowledge(
      ...objectArns.map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'The keys to restore are named at run time (a prefix); copies are written only to an empty new prefix or, when confirmed, over the named prefix, and a failed restore deletes only versions tagged with its own execution.',
      })),
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The restore policy is attached to this function\'s own role only and names the restorable buckets.',
      })),
    );
  }
}

/** Hours as a short number: 119, 119.98. */
function formatHours(hours: number): string {
  return String(Math.floor(hours * 100) / 100);
}

function joinNames(buckets: s3.IBucket[]): string {
  return buckets.map((bucket) => bucket.bucketName).join(',');
}

/**
 * The choice after a copying step whose result is at `state`: on when `done`; the step `again`
 * at once after an invocation that moved on, through `wait` after one that did not
 * (`<state>.stalled` counts those in a row), to `stalled` after too many, and to `budgetSpent`
 * when one more iteration could take the loops' history events (`<state>.loopEvents`, counted
 * by the function) past LOOP_EVENTS_ALLOWED; to `timeSpent` when the function stopped the step by
 * time (`<state>.timeSpent`, copying nothing).
 */
function untilCopied(
  choice: sfn.Choice, state: string, done: string,
  next: { done: sfn.IChainable; again: sfn.IChainable; wait: sfn.Wait; stalled: sfn.IChainable; budgetSpent: sfn.IChainable; timeSpent: sfn.IChainable },
): sfn.Choice {
  const stalled = `${state}.stalled`;
  const loopEvents = `${state}.loopEvents`;
  next.wait.next(next.again);
  return choice
    .when(sfn.Condition.booleanEquals(done, true), next.done)
    .when(sfn.Condition.isPresent(`${state}.timeSpent`), next.timeSpent)
    .when(sfn.Condition.and(sfn.Condition.isPresent(stalled), sfn.Condition.numberGreaterThanEquals(stalled, STALLED_INVOCATIONS_ALLOWED)), next.stalled)
    // The function always sets the count; a Choice on a missing one would end the execution (States.Runtime) without its cleanup.
    .when(sfn.Condition.and(sfn.Condition.isPresent(loopEvents), sfn.Condition.numberGreaterThan(loopEvents, LOOP_EVENTS_ALLOWED - LONGEST_ITERATION_EVENTS)), next.budgetSpent)
    .when(sfn.Condition.isPresent(stalled), next.wait)
    .otherwise(next.again);
}

/** Sets `$.failure` of a restore whose copy loop (result at `state`) used up the history events its loops may add, as a Catch would. */
function budgetFailure(state: string): sfn.PassProps {
  return {
    parameters: {
      'Error': LOOP_BUDGET_ERROR,
      'Cause.$': `States.Format('The copy was stopped unfinished: the loops of the restore (retrieval polls, planning scan, copy invocations) had added {} history events, `
        + `and one more copy invocation could take them past the ${LOOP_EVENTS_ALLOWED} they may add (Step Functions ends an execution at 25,000 events, without its cleanup). `
        + `Invocations cut off after some progress (refused writes, a full carried state) return early and loop often: restore the prefix in narrower parts, each in its own execution.', ${state}.loopEvents)`,
    },
    resultPath: '$.failure',
  };
}

/** Sets `$.failure` of a restore whose step (result at `state`) was stopped by the time left before the timeout; the function wrote the cause. */
function timeFailure(state: string): sfn.PassProps {
  return { parameters: { 'Error': TIME_BUDGET_ERROR, 'Cause.$': `${state}.timeSpent` }, resultPath: '$.failure' };
}

/**
 * Keeps the copy's error in `$.failure` and adds to its cause that the cleanup (`$.cleanup`) was
 * stopped at CLEANUP_EVENTS_ALLOWED and what it leaves: `leftover`, as for `cleanupIncomplete`.
 */
function cleanupBudgetFailure(leftover: string): sfn.PassProps {
  return {
    parameters: {
      'Error.$': '$.failure.Error',
      'Cause.$': `States.Format('{} The cleanup did not finish (stopped by its history events: its invocations had added {}, one more could take them past the ${CLEANUP_EVENTS_ALLOWED} it may add, `
        + `and Step Functions ends an execution at 25,000 events without this cause; {} copies deleted, {} could not be deleted): ${leftover}', `
        + '$.failure.Cause, $.cleanup.loopEvents, $.cleanup.deleted, $.cleanup.notDeleted, $$.Execution.Name)',
    },
    resultPath: '$.failure',
  };
}

/**
 * Keeps the copy's error in `$.failure` and adds to its cause that the cleanup (`$.cleanup`) was
 * stopped by time (its `timeSpent` says when) and what it leaves: `leftover`, as for `cleanupIncomplete`.
 */
function cleanupTimeFailure(leftover: string): sfn.PassProps {
  return {
    parameters: {
      'Error.$': '$.failure.Error',
      'Cause.$': `States.Format('{} The cleanup did not finish ({}; {} copies deleted, {} could not be deleted): ${leftover}', `
        + '$.failure.Cause, $.cleanup.timeSpent, $.cleanup.deleted, $.cleanup.notDeleted, $$.Execution.Name)',
    },
    resultPath: '$.failure',
  };
}

/** Sets `$.failure` of a restore whose copying step (result at `state`) stopped making progress, as a Catch would. */
function stalledFailure(state: string): sfn.PassProps {
  return {
    parameters: {
      'Error': COPY_STALLED_ERROR,
      'Cause.$': `States.Format('The copy made no progress in {} invocations in a row, ${STALLED_WAIT.toSeconds()} seconds apart (no object or part was copied, `
        + `no page of keys was finished). The last one was held up by: {}', ${state}.stalled, ${state}.setback)`,
    },
    resultPath: '$.failure',
  };
}

/** A bucket in an error: its name, or its construct path when the name is a token. */
function bucketLabel(bucket: s3.IBucket): string {
  return Token.isUnresolved(bucket.bucketName) ? bucket.node.path : `'${bucket.bucketName}'`;
}
