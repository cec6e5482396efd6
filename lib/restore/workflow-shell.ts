import { Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { grantOwnKeyUse } from '../private/state-machine-key-use';

// Internal helpers of the dump, volume and object restore workflows (not exported from the package);
// DatabaseRestore takes its tag keys from here too. jsii compiles lib/ alone, so the names the
// functions in core/restore-workflows (and lambda/restore-db-steps) also use are repeated here;
// test/restore/workflows.test.ts checks that both agree.

/** Tag on the state machines naming the workflow kind; the CLI finds them by it. */
export const WORKFLOW_TAG = 'cdk-backup-dr:workflow';
/** Tag the functions put on what an execution creates (DatabaseRestore: with the request id). */
export const EXECUTION_TAG = 'cdk-backup-dr:restore-execution';
/** Tag with the workflow's id on every volume the volume workflow and every instance DatabaseRestore creates: their IAM policies delete no other. */
export const WORKFLOW_ID_TAG = 'cdk-backup-dr:workflow-id';
/** Error names of AWS throttling, which the state machines retry with backoff. */
export const THROTTLING_ERRORS: readonly string[] = [
  'ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'RequestThrottled', 'RequestThrottledException',
];

/** A Lambda step: the function with `action`, the execution name and the given fields as its event; the result at `resultPath`. */
export function lambdaStep(scope: Construct, id: string, fn: lambda.IFunction, action: string, fields: Record<string, unknown>, resultPath: string | undefined): tasks.LambdaInvoke {
  // A factory of states for the workflow constructs: the caller passes its own scope and a literal id.
  // eslint-disable-next-line cdk/require-passing-this, cdk/no-variable-construct-id
  const step = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ 'action': action, 'execution.$': '$$.Execution.Name', ...fields }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
    resultPath: resultPath === undefined ? sfn.JsonPath.DISCARD : resultPath,
  });
  step.addRetry({
    errors: [...THROTTLING_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return step;
}

/**
 * Where a failed restore goes when its cleanup fails too: the restore's own error stays the
 * execution's error, and its cause gains the cleanup's error and `leftover` (what to look for by
 * hand; a `{}` in it becomes the execution name). `leftover` must not hold `{`, `}`, `'` or a backslash
 * other than that `{}` (States.Format would read them).
 */
export function cleanupIncomplete(scope: Construct, failed: sfn.Fail, leftover: string): sfn.IChainable {
  // eslint-disable-next-line cdk/require-passing-this -- called from the workflow constructs' constructors with `this`
  return new sfn.Pass(scope, 'CleanupIncomplete', {
    parameters: {
      'Error.$': '$.failure.Error',
      'Cause.$': `States.Format('{} The cleanup did not finish ({}: {}): ${leftover}', $.failure.Cause, $.cleanupError.Error, $.cleanupError.Cause, $$.Execution.Name)`,
    },
    resultPath: '$.failure',
  }).next(failed);
}

export interface RestoreStateMachineProps {
  readonly kind: string;
  readonly definition: sfn.IChainable;
  readonly encryptionKey: kms.IKey;
  readonly timeout: Duration;
  readonly comment: string;
  /** The workflow's functions, whose invoke grants are acknowledged by name. */
  readonly functions: lambda.Function[];
}

/** A standard state machine with encrypted execution logs kept a year, X-Ray tracing and the workflow tag the CLI finds it by. */
export function restoreStateMachine(scope: Construct, props: RestoreStateMachineProps): sfn.StateMachine {
  // eslint-disable-next-line cdk/require-passing-this -- called from the workflow constructs' constructors with `this`
  const logGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // eslint-disable-next-line cdk/require-passing-this -- called from the workflow constructs' constructors with `this`
  const machine = new sfn.StateMachine(scope, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey),
    comment: props.comment,
  });
  grantOwnKeyUse(machine, props.encryptionKey);
  Tags.of(machine).add(WORKFLOW_TAG, props.kind);
  const policy = machine.role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    const stack = Stack.of(machine);
    const reasons = [
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Log delivery (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments) actions of a state machine support no resource-level permissions.' },
    ];
    for (const fn of props.functions) {
      {
        const logicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction));
        if (!Token.isUnresolved(logicalId)) {
          reasons.push({ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`, reason: 'CDK grants invoking every version and alias of the workflow\'s own function (`<arn>:*`); it is this function only.' });
        }
      }
    }
    Validations.of(policy).acknowledge(
      ...reasons,
      ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-IAMNoInlinePolicy`,
        reason: 'The inline policy CDK writes for the state machine: invoking the workflow\'s own function, its key and its log delivery.',
      })),
    );
  }
  return machine;
}

/**
 * A resource as cdk-nag prints it in a finding id (`AwsSolutions-IAM5[Resource::<this>]`):
 * `Ref`s as `<Name>`, `Fn::GetAtt`s as `<LogicalId.Attribute>`, joined.
 */
export function nagResource(scope: Construct, value: string): string {
  const render = (resolved: unknown): string => {
    if (typeof resolved === 'string') {
      return resolved;
    }
    const object = resolved as Record<string, unknown>;
    if (object && 'Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if (object && 'Ref' in object) {
      return `<${String(object.Ref)}>`;
    }
    if (object && 'Fn::GetAtt' in object) {
      return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    }
    return JSON.stringify(resolved);
  };
  return render(Stack.of(scope).resolve(value));
}

/** What `restore --dry-run` reads of one workflow. */
export interface DryRunTarget {
  readonly stateMachine: sfn.IStateMachine;
  /** The function of the Validate state: its environment holds the workflow's settings. */
  readonly validateFunction: lambda.IFunction;
  /** Encrypts the state machine's definition and the function's environment. */
  readonly encryptionKey: kms.IKey;
  /** The read-only calls of the workflow's Validate code (run by the dry run with the caller's credentials). */
  readonly validateReads: iam.PolicyStatement[];
}

/**
 * Grants what `restore --dry-run` calls for one workflow: `states:DescribeStateMachine` (the
 * definition names the Validate function), `lambda:GetFunctionConfiguration` on that function
 * (its environment holds the settings), `kms:Decrypt` of the two (only in their encryption
 * contexts) and the reads of the Validate code.
 */
export function grantDryRun(grantee: iam.IGrantable, target: DryRunTarget): iam.Grant {
  const { stateMachine, validateFunction, encryptionKey } = target;
  const grants = [
    iam.Grant.addToPrincipal({ grantee, actions: ['states:DescribeStateMachine'], resourceArns: [stateMachine.stateMachineArn] }),
    grantKeyIn(grantee, encryptionKey, 'kms:Decrypt', 'aws:states:stateMachineArn', stateMachine.stateMachineArn),
    iam.Grant.addToPrincipal({ grantee, actions: ['lambda:GetFunctionConfiguration'], resourceArns: [validateFunction.functionArn] }),
    grantKeyIn(grantee, encryptionKey, 'kms:Decrypt', 'aws:lambda:FunctionArn', validateFunction.functionArn),
    ...target.validateReads.map((statement) => iam.Grant.addToPrincipal({
      grantee, actions: statement.actions, resourceArns: statement.resources, conditions: statement.conditions,
    })),
  ];
  return grants.reduce((all, grant) => all.combine(grant));
}

/** Grants one use of the workflow's key, only in the encryption context of one resource (`context` is the context key, e.g. `aws:states:stateMachineArn`). */
export function grantKeyIn(grantee: iam.IGrantable, key: kms.IKey, action: string, context: string, arn: string): iam.Grant {
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: [action],
    resourceArns: [key.keyArn],
    resource: key,
    resourceSelfArns: ['*'],
    conditions: { StringEquals: { [`kms:EncryptionContext:${context}`]: arn } },
  });
}

/** Grants starting and watching executions of a workflow and dry-running requests (what the `restore` command needs). */
export function grantOperate(grantee: iam.IGrantable, target: DryRunTarget): iam.Grant {
  const start = target.stateMachine.grantStartExecution(grantee);
  // The state machine is encrypted with the workflow's key: starting an execution encrypts its
  // input (reading executions back is the Decrypt that grantDryRun gives in the same context).
  grantKeyIn(grantee, target.encryptionKey, 'kms:GenerateDataKey', 'aws:states:stateMachineArn', target.stateMachine.stateMachineArn);
  target.stateMachine.grantRead(grantee);
  grantDryRun(grantee, target);
  return start;
}
