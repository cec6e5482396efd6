// Internal: whether two strings of a stack (a region, an account) are the same at deploy, tokens included.
import { Stack, Token, TokenComparison } from 'aws-cdk-lib';

/** `same` and `different` are proven at synth; `unknown` when a token keeps synth from telling. */
export type DeployTimeEquality = 'same' | 'different' | 'unknown';

/**
 * Whether `a` and `b` have the same value when `stack` deploys: the same string (one token
 * twice included), or two tokens that resolve to the same template expression, are the same;
 * two strings that differ, each concrete or a token that resolves to a plain string (a literal
 * in the template, known at synth), are different; anything else is unknown (two parameters
 * may hold one value). `AWS::AccountId` and `AWS::Region` are the stack's own account and
 * region when those are concrete, so `Aws.ACCOUNT_ID` is the same as a stack's concrete
 * account, and `Aws.REGION` differs from every other concrete region.
 */
export function equalityAtDeploy(stack: Stack, a: string, b: string): DeployTimeEquality {
  switch (Token.compareStrings(a, b)) {
    case TokenComparison.SAME: return 'same';
    case TokenComparison.DIFFERENT: return 'different';
  }
  const valueA = valueAtDeploy(stack, a);
  if (valueA === undefined) {
    return 'unknown';
  }
  const valueB = valueAtDeploy(stack, b);
  if (valueB === undefined) {
    return 'unknown';
  }
  if (JSON.stringify(valueA) === JSON.stringify(valueB)) {
    return 'same';
  }
  return typeof valueA === 'string' && typeof valueB === 'string' ? 'different' : 'unknown';
}

/**
 * A string or the template expression its token resolves to (a plain string when the token
 * holds no deploy-time value); `AWS::AccountId` and `AWS::Region` replaced by the stack's
 * account and region when those are concrete. Undefined when the token cannot be resolved yet.
 */
function valueAtDeploy(stack: Stack, value: string): unknown {
  if (!Token.isUnresolved(value)) {
    return value;
  }
  let resolved: unknown;
  try {
    resolved = stack.resolve(value);
  } catch {
    return undefined;
  }
  const json = JSON.stringify(resolved);
  for (const [pseudo, own] of [['AWS::AccountId', stack.account], ['AWS::Region', stack.region]]) {
    if (json === JSON.stringify({ Ref: pseudo }) && !Token.isUnresolved(own)) {
      return own;
    }
  }
  return resolved;
}

/** A string for an error message: itself, or for a token the template expression it resolves to. */
export function describeAtDeploy(stack: Stack, value: string): string {
  if (!Token.isUnresolved(value)) {
    return value;
  }
  try {
    return `a token (${JSON.stringify(stack.resolve(value))})`;
  } catch {
    return 'a token';
  }
}
