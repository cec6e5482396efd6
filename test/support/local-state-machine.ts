/**
 * Runs a synthesized Step Functions state machine locally with `aws-local-stepfunctions`,
 * with the real Lambda handlers plugged in per Task state.
 *
 * ```ts
 * const machine = localStateMachine(Template.fromStack(stack), { logicalIdPrefix: 'RestoreDbWorkflow' });
 * const run = await machine.run({ requestId: 'r-1' }, { handlers: { Validate: validate.handler } });
 * expect(run.status).toBe('SUCCEEDED');
 * ```
 *
 * - The `DefinitionString` is taken from the template and its `Fn::Join` / `Ref` /
 *   `Fn::GetAtt` / `Fn::Sub` pieces are resolved to fake, well-formed ARNs.
 * - Every definition is checked with `asl-validator` when loaded (`validateDefinition`).
 * - A handler of a state that invokes Lambda (`arn:aws:states:::lambda:invoke` or a function
 *   ARN as the resource) is called the way Lambda calls it: with the `Payload` as its event;
 *   its result is JSON-round-tripped and wrapped in the `{ StatusCode, Payload }` envelope of
 *   the integration; an error it throws becomes a task error whose name is the error's
 *   `name` (Lambda's `errorType`) and whose cause is Lambda's JSON error document, with the
 *   `trace` the Node.js runtime writes: the error's stack, line by line (its first line
 *   repeats the message, so a cause holds the message twice unless the stack does not). Its
 *   context's `invokedFunctionArn` is the ARN invoked (the resource, or the `FunctionName`).
 * - Every Task state must have a handler: a missing one fails before the run starts, so no
 *   test can reach a real AWS endpoint.
 * - Wait states and retry intervals take 0 ms unless overridden; the number of waits and
 *   retries is reported so tests and benchmarks can compute the time they would add.
 * - `startTime` sets `$$.Execution.StartTime` (the package always takes the time the run starts):
 *   each field that is only that path is given it, in the definition, before the run.
 * - `States.Hash` of a context path (`$$.Execution.Id`, ...) is computed here, with Node's
 *   crypto, before the run: the package's digests are wrong for inputs of 56 bytes or more
 *   (SHA-1 and SHA-256; an execution ARN is longer). A `States.Hash` of anything else fails to load.
 *
 * Node 20: the package calls `Promise.withResolvers`; jest loads `node20-polyfills.ts`
 * through `setupFiles`. Scripts outside jest must import `./node20-polyfills` first.
 */
import './node20-polyfills';
import { createHash } from 'node:crypto';
import { Template } from 'aws-cdk-lib/assertions';
import type { StateMachine as StateMachineClass } from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };

// The package is an ES module with a CommonJS build (`main.node.cjs`) that jest can require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as { StateMachine: typeof StateMachineClass };

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

/** Pseudo parameters as a plain App without an env resolves them. */
export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'eu-west-1';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A Lambda handler as exported by `lambda/<name>/index.ts`. */
export type LambdaHandler = (event: any, context?: any) => Promise<any> | any;

/** A state machine definition in Amazon States Language. */
export type AslDefinition = { StartAt: string; States: Record<string, any>; [key: string]: any };

export interface LoadOptions {
  /**
   * Picks the state machine whose logical id starts with this prefix (the construct path
   * without slashes, e.g. `DbRestoreWorkflowStateMachine`).
   * @default - the template must hold exactly one state machine
   */
  readonly logicalIdPrefix?: string;
}

export interface RunOptions {
  /** The handler of each Task state, by state name. Every Task state needs one. */
  readonly handlers: Record<string, LambdaHandler>;
  /** Milliseconds each Wait state pauses, by state name. @default 0 for every Wait state */
  readonly waitTimeOverrides?: Record<string, number>;
  /** Milliseconds before each retry, by state name. @default 0 for every state */
  readonly retryIntervalOverrides?: Record<string, number | number[]>;
  /** `$$.Execution.Name`. @default 'local-execution' */
  readonly executionName?: string;
  /** `$$.Execution.StartTime`, e.g. days ago for a run that stands for the end of a long execution. @default the time the run starts */
  readonly startTime?: Date;
}

/** One state that was entered, in order. */
export interface VisitedState {
  readonly name: string;
  readonly type: string;
}

export interface LocalExecution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** The execution output (SUCCEEDED only). */
  readonly output?: any;
  /** The error name (FAILED only), e.g. the `Error` of a Fail state. */
  readonly error?: string;
  /** The error cause (FAILED only). */
  readonly cause?: string;
  /** Every state entered, in order (a state entered twice is listed twice). */
  readonly visited: VisitedState[];
  /** The names of states that were retried, once per retry. */
  readonly retried: string[];
  /** The names of states whose error was caught by a Catch, once per catch. */
  readonly caught: string[];
  /**
   * Seconds the Wait states and retries would have paused on AWS (the definition's
   * `Seconds`, and each retry's `IntervalSeconds * BackoffRate^n`), whatever the overrides.
   */
  readonly definedWaitSeconds: number;
  /** Wall-clock milliseconds of the local run. */
  readonly durationMs: number;
  /** The raw event log of `aws-local-stepfunctions`. */
  readonly events: any[];
}

/** A loaded, validated definition that can be run any number of times. */
export interface LocalStateMachine {
  readonly definition: AslDefinition;
  /** Names of every Task state (nested ones included). */
  readonly taskStates: string[];
  /** Names of every Wait state (nested ones included). */
  readonly waitStates: string[];
  run(input: any, options: RunOptions): Promise<LocalExecution>;
}

/** Loads the state machine of a template, resolves it, validates it and returns a runner. */
export function localStateMachine(template: Template, options: LoadOptions = {}): LocalStateMachine {
  return localStateMachineFromDefinition(stateMachineDefinition(template, options));
}

/** A runner for a definition already in hand (checked with `asl-validator` first). */
export function localStateMachineFromDefinition(definition: AslDefinition): LocalStateMachine {
  const problems = validateDefinition(definition);
  if (problems.length > 0) {
    throw new Error(`invalid state machine definition:\n${problems.join('\n')}`);
  }
  const states = allStates(definition);
  const taskStates = Object.entries(states).filter(([, s]) => s.Type === 'Task').map(([name]) => name);
  const waitStates = Object.entries(states).filter(([, s]) => s.Type === 'Wait').map(([name]) => name);
  return {
    definition,
    taskStates,
    waitStates,
    run: (input, runOptions) => runLocally(definition, states, input, runOptions),
  };
}

/** The resolved definition of the template's state machine. */
export function stateMachineDefinition(template: Template, options: LoadOptions = {}): AslDefinition {
  const resources = template.toJSON().Resources ?? {};
  const machines = Object.entries(resources as Record<string, any>)
    .filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && (!options.logicalIdPrefix || id.startsWith(options.logicalIdPrefix)));
  if (machines.length !== 1) {
    const all = Object.entries(resources as Record<string, any>).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine').map(([id]) => id);
    throw new Error(`expected exactly one state machine${options.logicalIdPrefix ? ` with a logical id starting with '${options.logicalIdPrefix}'` : ''}, found ${machines.length}; the template has: ${all.join(', ') || 'none'}`);
  }
  const properties = machines[0][1].Properties ?? {};
  if (properties.Definition) {
    return resolveValue(properties.Definition, resources) as AslDefinition;
  }
  const text = resolveValue(properties.DefinitionString, resources);
  if (typeof text !== 'string') {
    throw new Error(`the DefinitionString of ${machines[0][0]} did not resolve to a string`);
  }
  let resolved = text;
  for (const [key, value] of Object.entries(properties.DefinitionSubstitutions ?? {})) {
    resolved = resolved.split(`\${${key}}`).join(String(resolveValue(value, resources)));
  }
  return JSON.parse(resolved);
}

/** `asl-validator` errors of a definition (empty when it is valid). */
export function validateDefinition(definition: AslDefinition): string[] {
  // asl-validator annotates the definition it checks (QueryLanguage): give it a copy.
  const result = aslValidator(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
  return result.isValid ? [] : result.errorsText('\n').split('\n').filter((line) => line.length > 0);
}

/** Resolves CloudFormation intrinsics to plain values with fake ARNs. */
export function resolveValue(value: any, resources: Record<string, any>): any {
  if (Array.isArray(value)) {
    return value.map((item) => resolveValue(item, resources));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys;
    const argument = value[key];
    switch (key) {
      case 'Fn::Join': {
        const [separator, parts] = argument;
        return (resolveValue(parts, resources) as any[]).map(String).join(separator);
      }
      case 'Ref':
        return resolveRef(argument, resources);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return resolveGetAtt(logicalId, attribute, resources);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        return String(text).replace(/\$\{([^}]+)\}/g, (_match: string, name: string) => {
          if (variables && name in variables) {
            return String(resolveValue(variables[name], resources));
          }
          const [id, attribute] = name.split('.');
          return String(attribute ? resolveGetAtt(id, attribute, resources) : resolveRef(id, resources));
        });
      }
      case 'Fn::Select': {
        const [index, list] = argument;
        return (resolveValue(list, resources) as any[])[Number(index)];
      }
      default:
        break;
    }
  }
  const result: Record<string, any> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = resolveValue(item, resources);
  }
  return result;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': FAKE_REGION,
  'AWS::AccountId': FAKE_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'LocalStack',
};

function serviceOf(type: string | undefined): string {
  return (type ?? 'AWS::Unknown::Resource').split('::')[1].toLowerCase();
}

function fakeArn(logicalId: string, resources: Record<string, any>): string {
  const type = resources[logicalId]?.Type as string | undefined;
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:stateMachine:${logicalId}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${FAKE_REGION}:${FAKE_ACCOUNT}:${logicalId}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${logicalId.toLowerCase()}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${FAKE_ACCOUNT}:role/${logicalId}`;
    default:
      return `arn:aws:${serviceOf(type)}:${FAKE_REGION}:${FAKE_ACCOUNT}:${logicalId}`;
  }
}

function resolveRef(name: string, resources: Record<string, any>): string {
  if (name in PSEUDO) {
    return PSEUDO[name];
  }
  const type = resources[name]?.Type as string | undefined;
  // Ref returns the ARN for these types and a name or id for the others.
  if (type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SNS::Topic') {
    return fakeArn(name, resources);
  }
  if (type === 'AWS::S3::Bucket') {
    return name.toLowerCase();
  }
  return name;
}

function resolveGetAtt(logicalId: string, attribute: string, resources: Record<string, any>): string {
  if (attribute === 'Arn') {
    return fakeArn(logicalId, resources);
  }
  if (attribute === 'Name' || attribute.endsWith('Name')) {
    return logicalId;
  }
  return `${logicalId}.${attribute}`;
}

/** Every state of the definition, nested Map and Parallel states included. */
function allStates(definition: { States: Record<string, any> }): Record<string, any> {
  const found: Record<string, any> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    found[name] = state;
    for (const branch of state.Branches ?? []) {
      Object.assign(found, allStates(branch));
    }
    for (const nested of [state.Iterator, state.ItemProcessor]) {
      if (nested) {
        Object.assign(found, allStates(nested));
      }
    }
  }
  return found;
}

function invokesLambda(resource: string): boolean {
  return /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource) || /^arn:aws:lambda:[^:]+:\d+:function:/.test(resource);
}

/** Error of a Lambda task: name as `errorType`, message as Lambda's JSON error document (the `Cause`). */
class LambdaTaskError extends Error {
  constructor(name: string, document: string) {
    super(document);
    this.name = name;
  }
}

/** The context Lambda passes; `invokedFunctionArn` is the ARN invoked, with its qualifier when it had one. */
function lambdaContext(stateName: string, invokedFunctionArn: string | undefined): Record<string, unknown> {
  return {
    functionName: stateName,
    invokedFunctionArn,
    functionVersion: '$LATEST',
    awsRequestId: `local-${stateName}-${Date.now()}`,
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 300_000,
  };
}

function wrapHandler(stateName: string, state: any, handler: LambdaHandler): (input: any) => Promise<any> {
  if (!invokesLambda(String(state.Resource))) {
    return async (input: any) => JSON.parse(JSON.stringify((await handler(input)) ?? null));
  }
  const envelope = String(state.Resource).startsWith('arn:aws:states:::lambda:invoke');
  return async (input: any) => {
    const event = envelope ? input?.Payload : input;
    let result: any;
    try {
      const invoked = envelope ? input?.FunctionName : String(state.Resource);
      result = await handler(JSON.parse(JSON.stringify(event ?? null)), lambdaContext(stateName, typeof invoked === 'string' ? invoked : undefined));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      const trace = error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [];
      throw new LambdaTaskError(name, JSON.stringify({ errorType: name, errorMessage: message, trace }));
    }
    const payload = JSON.parse(JSON.stringify(result ?? null));
    return envelope ? { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 } : payload;
  };
}

/** Node's names of the algorithms `States.Hash` takes. */
const HASH_ALGORITHMS: Record<string, string> = { 'MD5': 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** `States.Hash(<context path>, '<algorithm>')`. */
const CONTEXT_HASH = /States\.Hash\(\s*(\$\$(?:\.[A-Za-z]+)+)\s*,\s*'([A-Z0-9-]+)'\s*\)/g;

/**
 * The definition with each `States.Hash` of a context path replaced by its digest (lowercase hex
 * of the UTF-8 text, as Step Functions gives it): a literal inside another intrinsic, the plain
 * value of a field that was only the hash.
 */
function withContextHashes(definition: AslDefinition, context: Record<string, any>): AslDefinition {
  const digestOf = (path: string, algorithm: string): string => {
    const value = path.slice(3).split('.').reduce<any>((at, key) => at?.[key], context);
    if (typeof value !== 'string' || !HASH_ALGORITHMS[algorithm]) {
      throw new Error(`local state machine: cannot compute States.Hash(${path}, '${algorithm}'): ${typeof value !== 'string' ? `${path} is not a string in the context` : `the algorithms are ${Object.keys(HASH_ALGORITHMS).join(', ')}`}`);
    }
    return createHash(HASH_ALGORITHMS[algorithm]).update(value, 'utf8').digest('hex');
  };
  return withFieldsRewritten(definition, (key, item, result) => {
    if (!key.endsWith('.$') || typeof item !== 'string' || !item.includes('States.Hash')) {
      return false;
    }
    const replaced = item.replace(CONTEXT_HASH, (_match: string, path: string, algorithm: string) => `'${digestOf(path, algorithm)}'`);
    if (replaced.includes('States.Hash')) {
      throw new Error(`local state machine: ${key} ${item}: only a States.Hash of a context path is computed here (aws-local-stepfunctions gives wrong digests for inputs of 56 bytes or more)`);
    }
    const literal = /^'([0-9a-f]+)'$/.exec(replaced);
    if (literal) {
      result[key.slice(0, -2)] = literal[1];
    } else {
      result[key] = replaced;
    }
    return true;
  });
}

/**
 * The definition with each field that is only `$$.Execution.StartTime` given `startTime` as its
 * value: aws-local-stepfunctions sets the start time of its context to the time it starts, whatever
 * the context it is given. The start time used any other way fails to load (it would be the package's).
 */
function withStartTime(definition: AslDefinition, startTime: string): AslDefinition {
  return withFieldsRewritten(definition, (key, item, result) => {
    if (key.endsWith('.$') && item === '$$.Execution.StartTime') {
      result[key.slice(0, -2)] = startTime;
      return true;
    }
    if (typeof item === 'string' && item.includes('$$.Execution.StartTime')) {
      throw new Error(`local state machine: ${key} ${item}: with \`startTime\`, only a field that is \`$$.Execution.StartTime\` alone is given it`);
    }
    return false;
  });
}

/**
 * A copy of the definition in which `rewriteField` may write each field (key and value) into the
 * object being built and return true; the fields it leaves (false) are copied, their values walked.
 */
function withFieldsRewritten(definition: AslDefinition, rewriteField: (key: string, item: any, result: Record<string, any>) => boolean): AslDefinition {
  const rewrite = (value: any): any => {
    if (Array.isArray(value)) {
      return value.map(rewrite);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const result: Record<string, any> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!rewriteField(key, item, result)) {
        result[key] = rewrite(item);
      }
    }
    return result;
  };
  return rewrite(definition) as AslDefinition;
}

async function runLocally(definition: AslDefinition, states: Record<string, any>, input: any, options: RunOptions): Promise<LocalExecution> {
  const taskHandlers: Record<string, (input: any) => Promise<any>> = {};
  const missing: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Task') {
      continue;
    }
    const handler = options.handlers[name];
    if (!handler) {
      missing.push(name);
      continue;
    }
    taskHandlers[name] = wrapHandler(name, state, handler);
  }
  const unknown = Object.keys(options.handlers).filter((name) => states[name]?.Type !== 'Task');
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`local state machine: ${missing.length ? `Task states without a handler: ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `handlers for states that are not Task states: ${unknown.join(', ')}` : ''}; the Task states are: ${Object.keys(states).filter((n) => states[n].Type === 'Task').join(', ')}`);
  }
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number | number[]> = {};
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Wait') {
      waitTimeOverrides[name] = 0;
    }
    if (state.Retry) {
      retryIntervalOverrides[name] = 0;
    }
  }
  Object.assign(waitTimeOverrides, options.waitTimeOverrides ?? {});
  Object.assign(retryIntervalOverrides, options.retryIntervalOverrides ?? {});

  const started = Date.now();
  const executionName = options.executionName ?? 'local-execution';
  const context = {
    Execution: {
      Id: `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:local:${executionName}`,
      Name: executionName,
      Input: input,
      StartTime: (options.startTime ?? new Date(started)).toISOString(),
    },
  };
  const timed = options.startTime === undefined ? definition : withStartTime(definition, context.Execution.StartTime);
  const machine = new StateMachine(withContextHashes(timed, context) as any, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: taskHandlers, waitTimeOverrides, retryIntervalOverrides },
    context,
  });
  const events: any[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event);
    }
  })();
  let status: LocalExecution['status'] = 'SUCCEEDED';
  let output: any;
  let error: string | undefined;
  let cause: string | undefined;
  try {
    output = await execution.result;
  } catch (failure) {
    status = 'FAILED';
    const inner = (failure as { cause?: unknown }).cause;
    if (inner instanceof Error) {
      error = inner.name;
      cause = inner.message;
    } else {
      error = failure instanceof Error ? failure.name : 'Error';
      cause = failure instanceof Error ? failure.message : String(failure);
    }
  }
  await collecting;
  const visited: VisitedState[] = events.filter((e) => e.type === 'StateEntered').map((e) => ({ name: e.state.name, type: e.state.type }));
  const retried: string[] = events.filter((e) => e.type === 'StateRetried').map((e) => e.state.name);
  const caught: string[] = events.filter((e) => e.type === 'StateCaught').map((e) => e.state.name);
  let definedWaitSeconds = 0;
  for (const state of visited) {
    const definitionOfState = states[state.name];
    if (definitionOfState?.Type === 'Wait' && typeof definitionOfState.Seconds === 'number') {
      definedWaitSeconds += definitionOfState.Seconds;
    }
  }
  for (const event of events.filter((e) => e.type === 'StateRetried')) {
    const retrier = event.retry?.retrier ?? {};
    const attempt = Math.max(0, Number(event.retry?.attempt ?? 1) - 1);
    const interval = (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, attempt);
    definedWaitSeconds += retrier.MaxDelaySeconds ? Math.min(interval, retrier.MaxDelaySeconds) : interval;
  }
  return { status, output, error, cause, visited, retried, caught, definedWaitSeconds, durationMs: Date.now() - started, events };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
