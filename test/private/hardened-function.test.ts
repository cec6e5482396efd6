import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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
