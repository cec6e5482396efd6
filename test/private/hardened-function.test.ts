import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HardenedFunction } from '../../lib/private/hardened-function';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

test('a hardened function runs on the newest Node.js runtime with reserved concurrency', () => {
  const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  new HardenedFunction(stack, 'Fn', { code: 'self-test', description: 'test', vpc, encryptionKey: new kms.Key(stack, 'Key') });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', ReservedConcurrentExecutions: 2, TracingConfig: { Mode: 'Active' } });
  template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('FnBasePolicy') }] });
});

test.each([
  ['by default', undefined, 'Retain'],
  ['with SNAPSHOT (which a queue does not take)', RemovalPolicy.SNAPSHOT, 'Retain'],
  ['with DESTROY', RemovalPolicy.DESTROY, 'Delete'],
])('the dead-letter queue, the only record of failed invocations, is kept when it leaves the stack unless DESTROY is asked for: %s', (_name, removalPolicy, expected) => {
  const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  new HardenedFunction(stack, 'Fn', { code: 'self-test', description: 'test', vpc, encryptionKey: new kms.Key(stack, 'Key'), removalPolicy });
  const queues = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'));
  expect(queues.map((queue) => [queue.DeletionPolicy, queue.UpdateReplacePolicy])).toEqual([[expected, expected]]);
});

test('a hardened function passes every compliance gate', () => {
  const app = appWithComplianceGates();
  const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new HardenedFunction(stack, 'Fn', { code: 'self-test', description: 'test', vpc, encryptionKey: key });
  const findings = complianceFindings(app).filter((f) => f.path.startsWith('S/Fn'));
  expect(describeFindings(findings)).toEqual('');
});

describe('the environment fits Lambda\'s 4 KB, measured as Lambda measures it (the variables as one JSON object)', () => {
  function functionWith(environment: Record<string, string>, envAdvice?: string): { stack: Stack; fn: HardenedFunction } {
    const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const fn = new HardenedFunction(stack, 'Fn', { code: 'self-test', description: 'test', vpc, encryptionKey: new kms.Key(stack, 'Key'), environment, environmentTooLarge: envAdvice });
    return { stack, fn };
  }
  // {"BIG":"<value>"} is 10 bytes around the value.
  const AROUND = '{"BIG":""}'.length;

  test('exactly 4,096 bytes synthesizes; one byte more fails the synth, naming the function, the size, the limit and what to do', () => {
    expect(() => Template.fromStack(functionWith({ BIG: 'x'.repeat(4096 - AROUND) }).stack)).not.toThrow();
    expect(() => Template.fromStack(functionWith({ BIG: 'x'.repeat(4097 - AROUND) }, 'give it fewer things').stack))
      .toThrow(/\[S\/Fn\] the environment variables take 4097 bytes as Lambda measures them \(BIG 4090\), over Lambda's limit of 4096 bytes \(4 KB\), so the deploy would fail: give it fewer things/);
  });

  test('each quote in a value counts twice, escaped, and each byte of a character beyond ASCII counts', () => {
    expect(() => Template.fromStack(functionWith({ BIG: '"'.repeat(2043) }).stack)).not.toThrow();
    expect(() => Template.fromStack(functionWith({ BIG: '"'.repeat(2044) }).stack)).toThrow(/4098 bytes/);
    expect(() => Template.fromStack(functionWith({ BIG: 'é'.repeat(2044) }).stack)).toThrow(/4098 bytes/);
  });

  test('a variable added after the function is made counts', () => {
    const { stack, fn } = functionWith({ BIG: 'x'.repeat(4000) });
    fn.function.addEnvironment('MORE', 'x'.repeat(100));
    expect(() => Template.fromStack(stack)).toThrow(/\[S\/Fn\] the environment variables take 4120 bytes .*\(BIG 4003, MORE 104\)/);
  });

  test('a token counts at its shortest value for the error (an account id 12 characters, others nothing)', () => {
    const literal = 4096 - AROUND - 12;
    const { stack } = functionWith({ BIG: `${'x'.repeat(literal)}${Aws.ACCOUNT_ID}` });
    expect(() => Template.fromStack(stack)).not.toThrow();
    const over = functionWith({ BIG: `${'x'.repeat(literal + 1)}${Aws.ACCOUNT_ID}` });
    expect(() => Template.fromStack(over.stack)).toThrow(/4097 bytes/);
  });

  test('within the limit only while its tokens are short: a warning with its id; room for every token at 63 characters: none', () => {
    const near = functionWith({ BIG: `${'x'.repeat(4050)}${Aws.STACK_NAME}` }, 'give it fewer things');
    const warnings = Annotations.fromStack(near.stack).findWarning('*', Match.stringLikeRegexp('cdk-backup-dr:functionEnvironmentSize'));
    expect(warnings.map((w) => w.id)).toEqual(['/S/Fn']);
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/S\/Fn: the environment variables take from 4060 bytes \(each token at its shortest\) to 4123 \(each of its 1 tokens at 63 characters\) as Lambda measures them \(BIG 4053-4116\), over Lambda's limit of 4096 bytes \(4 KB\) if the tokens resolve long, which fails the deploy: give it fewer things/);
    const roomy = functionWith({ BIG: `${'x'.repeat(4096 - AROUND - 63)}${Aws.STACK_NAME}` });
    expect(Annotations.fromStack(roomy.stack).findWarning('*', Match.anyValue())).toEqual([]);
    const tight = functionWith({ BIG: `${'x'.repeat(4096 - AROUND - 62)}${Aws.STACK_NAME}` });
    expect(Annotations.fromStack(tight.stack).findWarning('*', Match.stringLikeRegexp('functionEnvironmentSize'))).toHaveLength(1);
  });
});
