// Internal: the scheduled check behind the missed-drill alarm of RestoreDrills.
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { HardenedFunction } from '../private/hardened-function';
import { acknowledgeInlinePolicy, acknowledgeWildcardResources } from '../private/nag-ids';
import * as RULES from '../private/description-rules';
import { fitPathDescription } from '../private/path-description';
import { DatabaseRestore } from './database-restore';

export interface DrillAgeCheckProps {
  /** The workflow whose executions are read. */
  readonly restore: DatabaseRestore;
  /** @default - the database's VPC */
  readonly vpc?: ec2.IVpc;
  /** How far back executions are read; also the value put when no drill succeeded in that time. */
  readonly lookbackHours: number;
}

/**
 * A function, run every 12 hours, that puts `HoursSinceLastDrill` (lambda/drill-age): it may
 * only list and read the workflow's executions, decrypt their state and put the drill metrics.
 */
export class DrillAgeCheck extends Construct {
  public readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: DrillAgeCheckProps) {
    super(scope, id);
    const restore = props.restore;
    const vpc = props.vpc ?? (restore.database as Partial<{ vpc: ec2.IVpc }>).vpc;
    if (!vpc) {
      throw new Error(`${scope.node.path}: \`vpc\` is required: the database ${restore.database.node.path} is imported, so its VPC is unknown`);
    }
    const stack = Stack.of(this);
    const machineArn = restore.stateMachine.stateMachineArn;
    const fn = new HardenedFunction(this, 'Function', {
      code: 'drill-age',
      description: `Puts the hours since the last successful restore drill of ${restore.database.node.path}`,
      descriptionPath: restore.database.node.path,
      vpc,
      encryptionKey: restore.encryptionKey,
      timeout: Duration.minutes(2),
      memorySize: 256,
      reservedConcurrentExecutions: 1,
      environment: {
        STATE_MACHINE_ARN: machineArn,
        DATABASE: restore.database.instanceIdentifier,
        METRIC_NAMESPACE: DatabaseRestore.METRIC_NAMESPACE,
        LOOKBACK_HOURS: String(props.lookbackHours),
      },
    });
    this.function = fn.function;

    const machineName = stack.splitArn(machineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName!;
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${machineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const document = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [machineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
        // The workflow's state is encrypted with the key: reading an execution's output decrypts it.
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [restore.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': machineArn } },
        }),
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': DatabaseRestore.METRIC_NAMESPACE } },
        }),
      ],
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: fitPathDescription(`What the drill-age check of ${scope.node.path} reads and puts`, scope.node.path, RULES.MANAGED_POLICY),
      document,
      roles: [fn.function.role!],
    });
    acknowledgeWildcardResources(policy, document, (resource) => resource === '*'
      ? 'cloudwatch:PutMetricData supports no resource-level permission; the cloudwatch:namespace condition limits it to the drill metrics.'
      : 'states:DescribeExecution on the executions of this one restore workflow, whose names are chosen when each starts.');

    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: fitPathDescription(`Invokes the drill-age check of ${scope.node.path} on its schedule`, scope.node.path, RULES.ROLE),
    });
    new scheduler.Schedule(this, 'Schedule', {
      description: fitPathDescription(`Drill-age check of ${scope.node.path}`, scope.node.path, RULES.SCHEDULE),
      // Twice a day, so that every day-long alarm period holds a value while the check works.
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(12)),
      target: new targets.LambdaInvoke(fn.function, {
        role,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: fn.deadLetterQueue,
      }),
    });
    const roleDefaultPolicy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    if (roleDefaultPolicy) {
      acknowledgeInlinePolicy(roleDefaultPolicy, 'The inline policy CDK writes for the schedule: invoke this one function and send to its own dead-letter queue.');
    }
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.resolve(stack.getLogicalId(fn.function.node.defaultChild as lambda.CfnFunction))}.Arn>:*]`,
      reason: 'lambda:InvokeFunction on the function\'s versions and aliases (`<function ARN>:*`), as CDK grants invoke; the function is this schedule\'s only target.',
    });
  }
}
