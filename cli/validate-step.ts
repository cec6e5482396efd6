/**
 * The configuration a restore workflow checks a request with: the environment of the function
 * its Validate state invokes (`action: 'validate'`). Read with two read-only calls,
 * `states:DescribeStateMachine` and `lambda:GetFunctionConfiguration`; both the definition and
 * the environment are encrypted with the workflow's KMS key, so the caller also needs
 * `kms:Decrypt` on it.
 */
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';

/** The function of a workflow's Validate state and its environment. */
export interface ValidateStep {
  readonly functionName: string;
  readonly environment: Record<string, string>;
}

interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Parameters?: { readonly action?: unknown; readonly FunctionName?: unknown; readonly Payload?: { readonly action?: unknown } };
  readonly Branches?: AslStates[];
  readonly Iterator?: AslStates;
  readonly ItemProcessor?: AslStates;
}

interface AslStates {
  readonly States?: Record<string, AslState>;
}

function allStates(machine: AslStates): AslState[] {
  return Object.values(machine.States ?? {}).flatMap((state) => [
    state,
    ...[...(state.Branches ?? []), ...(state.Iterator ? [state.Iterator] : []), ...(state.ItemProcessor ? [state.ItemProcessor] : [])].flatMap(allStates),
  ]);
}

/**
 * The functions a definition invokes with `action: 'validate'`: as the Task's resource (a
 * function ARN, the payload as its parameters) or through `arn:aws:states:::lambda:invoke`.
 */
export function validateFunctionsIn(definition: string): string[] {
  const found = new Set<string>();
  for (const state of allStates(JSON.parse(definition) as AslStates)) {
    if (state.Type !== 'Task' || !state.Resource) {
      continue;
    }
    if (/^arn:[^:]+:lambda:/.test(state.Resource) && state.Parameters?.action === 'validate') {
      found.add(state.Resource);
    } else if (/^arn:[^:]+:states:::lambda:invoke$/.test(state.Resource) && state.Parameters?.Payload?.action === 'validate' && typeof state.Parameters.FunctionName === 'string') {
      found.add(state.Parameters.FunctionName);
    }
  }
  return [...found];
}

/** The Validate function of the state machine and its environment. */
export async function readValidateStep(sfn: SFNClient, lambda: LambdaClient, stateMachineArn: string): Promise<ValidateStep> {
  const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
  const functions = validateFunctionsIn(machine.definition ?? '{}');
  if (functions.length !== 1) {
    throw new Error(`the state machine ${stateMachineArn} has ${functions.length === 0 ? 'no Validate step' : `${functions.length} Validate steps (${functions.join(', ')})`}; is it a cdk-backup-dr restore workflow?`);
  }
  const functionName = functions[0];
  const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const problem = configuration.Environment?.Error;
  if (problem) {
    throw new Error(`cannot read the configuration of ${functionName}: ${problem.ErrorCode ?? 'error'}: ${problem.Message ?? ''} (reading it needs kms:Decrypt on ${configuration.KMSKeyArn ?? "the workflow's key"})`);
  }
  return { functionName, environment: configuration.Environment?.Variables ?? {} };
}
