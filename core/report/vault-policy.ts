/**
 * Whether a backup vault's access policy denies deleting recovery points, read statement by
 * statement: a Deny that names the action (or a wildcard covering it), for every principal,
 * of every recovery point (`Resource` "*") and without conditions, is a lock; a narrower one
 * is said with what narrows it.
 */
import type { Json } from './assembly';
import { tokenText } from './token-text';

const DELETE_ACTION = 'backup:deleterecoverypoint';

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** An IAM action pattern (`backup:*`, `backup:Delete*`, `*`) matches the action, case-insensitively. */
function covers(pattern: unknown): boolean {
  if (typeof pattern !== 'string') {
    return false;
  }
  const regex = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(DELETE_ACTION);
}

function everyone(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  const aws = (principal as Json)?.AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

/** A Deny covers every recovery point of the vault only with `Resource` "*": an ARN, a pattern or a token may leave some out. */
function everyRecoveryPoint(statement: Json): boolean {
  return statement.NotResource === undefined && list(statement.Resource).includes('*');
}

/** The recovery points a Deny that is not of all of them covers, as written; a token in words. */
function recoveryPoints(statement: Json): Json {
  const words = (value: unknown): unknown => Array.isArray(value) ? value.map(words) : tokenText(value);
  if (statement.NotResource !== undefined) {
    return { NotResource: words(statement.NotResource) };
  }
  return { Resource: statement.Resource === undefined ? 'none given' : words(statement.Resource) };
}

/** The lock text of a vault's access policy, or undefined when it does not deny deleting recovery points. */
export function vaultPolicyLock(accessPolicy: unknown): string | undefined {
  let policy: Json = accessPolicy;
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy);
    } catch {
      return undefined;
    }
  }
  if (!policy || typeof policy !== 'object') {
    return undefined;
  }
  if (policy.Statement === undefined && Object.keys(policy).some((key) => key.startsWith('Fn::'))) {
    return 'vault policy not readable at synth (built at deployment): whether it denies deleting recovery points is not known';
  }
  const denials = list(policy.Statement).filter((statement: Json) => statement?.Effect === 'Deny'
    && (statement.Action !== undefined ? list(statement.Action).some(covers) : statement.NotAction !== undefined && !list(statement.NotAction).some(covers)));
  if (denials.length === 0) {
    return undefined;
  }
  if (denials.some((statement: Json) => everyone(statement.Principal) && statement.Condition === undefined && everyRecoveryPoint(statement))) {
    return 'vault policy denies deleting recovery points';
  }
  return `vault policy denies deleting recovery points only for some principals or recovery points, or under conditions: ${denials
    .map((statement: Json) => JSON.stringify({
      Principal: statement.Principal,
      NotPrincipal: statement.NotPrincipal,
      Condition: statement.Condition,
      ...(everyRecoveryPoint(statement) ? {} : recoveryPoints(statement)),
    }))
    .join('; ')}`;
}
