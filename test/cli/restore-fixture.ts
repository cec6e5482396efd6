/**
 * What the `restore` command tests share: the mocked AWS clients, an io that captures the
 * output, and a workflow whose Validate function has a given environment.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { RestoreIo } from '../../cli/commands/restore';

export const sfn = mockClient(SFNClient);
export const ec2 = mockClient(EC2Client);
export const s3 = mockClient(S3Client);
export const rds = mockClient(RDSClient);
export const lambda = mockClient(LambdaClient);
export const backup = mockClient(BackupClient);

/** Resets every mocked client (call in `beforeEach`). */
export function resetClients(): void {
  for (const client of [sfn, ec2, s3, rds, lambda, backup]) {
    client.reset();
  }
}

export const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:VolumeRestore';
export const VALIDATE_FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:RestoreSteps';

export interface Captured {
  readonly io: RestoreIo;
  stdout(): string;
  stderr(): string;
}

/** An io whose output is kept and whose clock starts at 2026-11-22T01:00:00Z and moves only when it sleeps. */
export function capture(options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Captured {
  let out = '';
  let err = '';
  let clock = Date.parse('2026-11-22T01:00:00Z');
  return {
    io: {
      stdout: { write: (text) => { out += text; }, isTTY: options.tty ?? false },
      stderr: { write: (text) => { err += text; }, isTTY: false },
      env: options.env ?? {},
      sleep: async (ms) => { clock += Math.max(ms, 1); },
      now: () => clock,
      clients: () => ({
        sfn: new SFNClient({ region: 'eu-west-1' }), lambda: new LambdaClient({ region: 'eu-west-1' }), rds: new RDSClient({ region: 'eu-west-1' }),
        backup: new BackupClient({ region: 'eu-west-1' }), ec2: new EC2Client({ region: 'eu-west-1' }), s3: new S3Client({ region: 'eu-west-1' }),
      }),
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/**
 * The state machine's definition (a Validate state invoking its function, as CDK writes a
 * LambdaInvoke with payloadResponseOnly) and that function's environment.
 */
export function mockWorkflowConfiguration(environment: Record<string, string>): void {
  const definition = {
    StartAt: 'Validate',
    States: { Validate: { Type: 'Task', Resource: VALIDATE_FUNCTION, Parameters: { 'action': 'validate', 'execution.$': '$$.Execution.Name', 'input.$': '$' }, End: true } },
  };
  sfn.on(DescribeStateMachineCommand).resolves({ definition: JSON.stringify(definition) });
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: VALIDATE_FUNCTION }).resolves({ FunctionArn: VALIDATE_FUNCTION, Environment: { Variables: environment } });
}
