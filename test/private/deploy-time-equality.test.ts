import { App, Aws, CfnParameter, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { equalityAtDeploy } from '../../lib/private/deploy-time-equality';

const ENV = { account: '111111111111', region: 'eu-west-1' };

describe('equalityAtDeploy', () => {
  const stack = new Stack(new App(), 'S', { env: ENV });
  const parameter = new CfnParameter(stack, 'Region').valueAsString;

  // Before: each was 'unknown', though both sides are literals in the template (or the stack's own concrete region or account).
  test.each<[string, string, string]>([
    ['the stack\'s region as Aws.REGION and another concrete region', Aws.REGION, 'eu-central-1'],
    ['the stack\'s account as Aws.ACCOUNT_ID and another concrete account', Aws.ACCOUNT_ID, '222222222222'],
    ['a token that resolves to a plain string and another concrete string', Lazy.string({ produce: () => 'eu-central-1' }), 'eu-north-1'],
    ['two tokens that resolve to different plain strings', Lazy.string({ produce: () => 'eu-central-1' }), Lazy.string({ produce: () => 'eu-north-1' })],
  ])('%s are different', (_name, a, b) => {
    expect(equalityAtDeploy(stack, a, b)).toBe('different');
    expect(equalityAtDeploy(stack, b, a)).toBe('different');
  });

  test.each<[string, string, string]>([
    ['the stack\'s region as Aws.REGION and the stack\'s concrete region', Aws.REGION, 'eu-west-1'],
    ['a token that resolves to a plain string and that string', Lazy.string({ produce: () => 'eu-central-1' }), 'eu-central-1'],
    ['one parameter twice', parameter, parameter],
  ])('%s are the same', (_name, a, b) => {
    expect(equalityAtDeploy(stack, a, b)).toBe('same');
    expect(equalityAtDeploy(stack, b, a)).toBe('same');
  });

  test.each<[string, () => [Stack, string, string]]>([
    ['a parameter and a concrete region', () => [stack, parameter, 'eu-central-1']],
    ['two parameters', () => [stack, parameter, new CfnParameter(stack, 'Other').valueAsString]],
    ['a region joined with a parameter and a concrete region', () => [stack, Fn.join('-', ['eu', parameter]), 'eu-central-1']],
    ['Aws.REGION of an environment-agnostic stack and a concrete region', () => [new Stack(new App(), 'Agnostic'), Aws.REGION, 'eu-central-1']],
    ['a token that resolves to nothing yet and a concrete region', () => [stack, Lazy.string({ produce: () => undefined }), 'eu-central-1']],
  ])('%s are unknown', (_name, make) => {
    const [scope, a, b] = make();
    expect(equalityAtDeploy(scope, a, b)).toBe('unknown');
    expect(equalityAtDeploy(scope, b, a)).toBe('unknown');
  });
});
