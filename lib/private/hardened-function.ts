import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SynthWarnings } from '../synth-warnings';
import { ENVIRONMENT_LIMIT, EnvironmentSize, environmentSize, LONG_TOKEN } from './environment-size';
import { functionCode } from './function-code';
import * as RULES from './description-rules';
import { fitPathDescription } from './path-description';
import { fitGeneratedSecurityGroupDescriptions } from './security-group-description';

/** The newest Node.js runtime that aws-cdk-lib and cdk-nag know. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface HardenedFunctionProps {
  /** The folder under `lambda/` whose bundle this function runs. */
  readonly code: string;
  /** What the function does; kept within Lambda's 256 characters by shortening `descriptionPath`. */
  readonly description: string;
  /**
   * The construct path `description` names: when the description is too long, this path keeps
   * its end (after '...') and the rest of the text stays whole.
   * @default - the description names no path and must fit as it is
   */
  readonly descriptionPath?: string;
  readonly vpc: ec2.IVpc;
  /** @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - a new security group with all outbound traffic allowed */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Encrypts the log group, the dead-letter queue and the environment. */
  readonly encryptionKey: kms.IKey;
  readonly environment?: { [key: string]: string };
  /**
   * What the user can do when the environment is over Lambda's 4 KB: which prop of which
   * construct makes it large.
   * @default - the environment is written by this library from its props; no advice
   */
  readonly environmentTooLarge?: string;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 2 */
  readonly reservedConcurrentExecutions?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the dead-letter queue, the only record of the invocations that failed,
   * when it leaves the stack: `DESTROY` deletes it, anything else keeps it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Lambda function with the settings every function of this library shares: the newest
 * Node.js runtime, inside the VPC, X-Ray tracing, JSON logs kept a year in an encrypted
 * log group, reserved concurrency and an encrypted dead-letter queue for async invokes.
 */
export class HardenedFunction extends Construct implements iam.IGrantable {
  /** The function itself. */
  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.IQueue;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: HardenedFunctionProps) {
    super(scope, id);
    const description = this.fitDescription(props.description, props.descriptionPath);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // An own role instead of the AWS managed execution policies: log writes are scoped to
    // this function's log group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${description}`,
    });
    const basePolicy = new iam.ManagedPolicy(this, 'BasePolicy', {
      description: 'Log writes to the function\'s own log group and the network interfaces Lambda needs inside a VPC',
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
        }),
        new iam.PolicyStatement({
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      ],
    });
    role.addManagedPolicy(basePolicy);
    this.function = new lambda.Function(this, 'Resource', {
      role,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: functionCode(props.code),
      description,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: props.securityGroups,
      environment: props.environment,
      environmentEncryption: props.encryptionKey,
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 2,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      logGroup,
      deadLetterQueue,
    });
    this.deadLetterQueue = deadLetterQueue;
    this.grantPrincipal = role;
    acknowledgeFunctionBaseline(role, basePolicy, logGroup, deadLetterQueue);
    fitGeneratedSecurityGroupDescriptions(this);
    // At synth, not here: variables can still be added (`addEnvironment`) after the function is made.
    this.node.addValidation({ validate: () => this.checkEnvironmentSize(props.environmentTooLarge) });
  }

  /** Lambda refuses an environment over 4 KB, and CloudFormation then fails the deploy. */
  private checkEnvironmentSize(advice: string | undefined): string[] {
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as { variables?: { [name: string]: unknown } } | undefined;
    const size = environmentSize(resolved?.variables ?? {});
    const fix = advice ?? 'the variables are written by cdk-backup-dr from the construct\'s props';
    if (size.shortest > ENVIRONMENT_LIMIT) {
      // The validation error is shown after this construct's path.
      return [`the environment variables take ${size.shortest} bytes as Lambda measures them (${sizesOf(size)}), `
        + `over Lambda's limit of ${ENVIRONMENT_LIMIT} bytes (4 KB), so the deploy would fail: ${fix}`];
    }
    if (size.longest > ENVIRONMENT_LIMIT) {
      Annotations.of(this).addWarningV2(SynthWarnings.FUNCTION_ENVIRONMENT_SIZE, `${this.node.path}: the environment variables take from ${size.shortest} bytes (each token at its shortest) `
        + `to ${size.longest} (each of its ${size.tokens} tokens at ${LONG_TOKEN} characters) as Lambda measures them (${sizesOf(size)}), `
        + `over Lambda's limit of ${ENVIRONMENT_LIMIT} bytes (4 KB) if the tokens resolve long, which fails the deploy: ${fix}`);
    }
    return [];
  }

  private fitDescription(description: string, path: string | undefined): string {
    try {
      return fitPathDescription(description, path, RULES.FUNCTION);
    } catch (error) {
      throw new Error(`${this.node.path}: \`description\`: ${(error as Error).message}`);
    }
  }
}

/** `NAME bytes` of each variable, largest first, a range where tokens make it uncertain. */
function sizesOf(size: EnvironmentSize): string {
  return size.variables.map((v) => `${v.name} ${v.shortest === v.longest ? v.shortest : `${v.shortest}-${v.longest}`}`).join(', ');
}

const INLINE_POLICY_REASON = 'The inline default policy holds only the grants CDK adds for this function (tracing, dead-letter queue, its key and the resources it is granted); each is scoped to those resources.';

/** The findings every function of this library shares, each with its reason. */
function acknowledgeFunctionBaseline(role: iam.Role, basePolicy: iam.ManagedPolicy, logGroup: logs.LogGroup, deadLetterQueue: sqs.Queue): void {
  const stack = Stack.of(logGroup);
  const logGroupId = stack.resolve(stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup));
  Validations.of(basePolicy).acknowledge(
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ec2:CreateNetworkInterface and the other network-interface actions a Lambda function in a VPC needs support no resource-level permissions.' },
    { id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:log-stream:*]`, reason: 'Log streams are created by name at run time inside this function\'s own log group.' },
  );
  Validations.of(deadLetterQueue).acknowledge(
    { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: 'This queue is the dead-letter queue of a Lambda function; a dead-letter queue of a dead-letter queue would only move the same failed events again.' },
  );
  Validations.of(role).acknowledge(
    { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords, which CDK grants for active tracing, support no resource-level permissions.' },
    { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
    { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
    { id: 'PCI.DSS.321-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON },
  );
}
