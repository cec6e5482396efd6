// Internal: whether two strings of a stack (a region, an account) are the same at deploy, tokens included.
import { Stack, Token, TokenComparison } from 'aws-cdk-lib';

/** `same` and `different` are proven at synth; `unknown` when a token keeps synth from telling. */
export type DeployTimeEquality = 'same' | 'different' | 'unknown';

/**
 * Whether `a` and `b` have the same value when `stack` deploys: the same string (one token
 * twice included), or two tokens that resolve to the same template expression, are the same;
 * two concrete strings that differ are different; anything else is unknown (two parameters
 * may hold one value). `AWS::AccountId` and `AWS::Region` are the stack's own account and
 * region, so `Aws.ACCOUNT_ID` is the same as a stack's concrete account.
 */
export function equalityAtDeploy(stack: Stack, a: string, b: string): DeployTimeEquality {
  switch (Token.compareStrings(a, b)) {
    case TokenComparison.SAME: return 'same';
    case TokenComparison.DIFFERENT: return 'different';
  }
  const valueA = valueAtDeploy(stack, a);
  return valueA !== undefined && valueA === valueAtDeploy(stack, b) ? 'same' : 'unknown';
}

/**
 * A string or the template expression its token resolves to, as JSON, for comparison; `AWS::AccountId`
 * and `AWS::Region` replaced by the stack's account and region when those are concrete.
 * Undefined when the token cannot be resolved yet.
 */
function valueAtDeploy(stack: Stack, value: string): string | undefined {
  if (!Token.isUnresolved(value)) {
    return JSON.stringify(value);
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
      return JSON.stringify(own);
    }
  }
  return json;
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
