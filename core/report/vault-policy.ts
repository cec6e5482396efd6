/**
 * Whether a backup vault's access policy denies deleting recovery points, read statement by
 * statement: a Deny that names the action, for every principal, of every recovery point
 * (`Resource` "*") and without conditions, is a lock; a narrower one is said with what narrows
 * it (a token in it in words), and one that reaches the action only through a wildcard (which vault access policies do
 * not support) is said and not counted. A statement, an Effect, an Action or a NotAction that only the
 * deploy resolves (a token: `Fn::If`, a parameter) makes it not known at synth, unless another
 * statement is a lock as written.
 */
import type { Json } from './assembly';
import { isToken, tokenText, tokensInWords } from './token-text';

const DELETE_ACTION = 'backup:deleterecoverypoint';

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Whether an action pattern holds a wildcard. */
function isWildcard(pattern: unknown): pattern is string {
  return typeof pattern === 'string' && /[*?]/.test(pattern);
}

/** Whether an action is the delete action itself, case-insensitively. */
function names(action: unknown): boolean {
  return typeof action === 'string' && action.toLowerCase() === DELETE_ACTION;
}

/**
 * The wildcard through which a Deny reaches the delete action, if that is the only way it does:
 * AWS Backup vault access policies do not support a wildcard in `Action` (AWS Backup Developer
 * Guide, "Vault access policies"), so such a Deny may not deny anything.
 */
function onlyByWildcard(statement: Json): string | undefined {
  if (statement.Action !== undefined) {
    const actions = list(statement.Action);
    return actions.some(names) ? undefined : actions.find(isWildcard);
  }
  const wildcard = list(statement.NotAction).find(isWildcard);
  return wildcard === undefined ? undefined : `NotAction ${wildcard}`;
}

/** An IAM action pattern (`backup:*`, `backup:Delete*`, `*`) matches the action, case-insensitively. */
function covers(pattern: unknown): boolean {
  if (typeof pattern !== 'string') {
    return false;
  }
  const regex = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(DELETE_ACTION);
}

/**
 * Whether a statement denies deleting recovery points: `true`, `false`, or why a token leaves
 * it to the deploy. A literal Allow, or actions that cannot cover it whatever the tokens give,
 * are `false`.
 */
function denies(statement: Json): boolean | string {
  if (isToken(statement)) {
    return `a statement is ${tokenText(statement)}`;
  }
  if (!statement || typeof statement !== 'object') {
    return false;
  }
  let action: boolean | string;
  if (statement.Action !== undefined) {
    const actions = list(statement.Action);
    const token = actions.find(isToken);
    action = actions.some(covers) ? true : token !== undefined ? `the Action of a statement is ${tokenText(token)}` : false;
  } else if (statement.NotAction !== undefined) {
    const actions = list(statement.NotAction);
    const token = actions.find(isToken);
    action = actions.some(covers) ? false : token !== undefined ? `the NotAction of a statement is ${tokenText(token)}` : true;
  } else {
    action = false;
  }
  if (action === false) {
    return false;
  }
  if (isToken(statement.Effect)) {
    return `the Effect of a statement${action === true ? ' that names the action' : ` (${action})`} is ${tokenText(statement.Effect)}`;
  }
  return statement.Effect === 'Deny' ? action : false;
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
  const statements = list(policy.Statement).map((statement: Json) => ({ statement, denies: denies(statement) }));
  const denying = statements.filter((s) => s.denies === true).map((s) => s.statement);
  const wildcards = denying.map(onlyByWildcard).filter((w): w is string => w !== undefined);
  const denials = denying.filter((statement: Json) => onlyByWildcard(statement) === undefined);
  const notKnown = statements.map((s) => s.denies).filter((d): d is string => typeof d === 'string');
  if (denials.some((statement: Json) => everyone(statement.Principal) && statement.Condition === undefined && everyRecoveryPoint(statement))) {
    return 'vault policy denies deleting recovery points';
  }
  const narrow = denials.length === 0 ? undefined : `denies deleting recovery points only for some principals or recovery points, or under conditions: ${denials
    .map((statement: Json) => JSON.stringify({
      Principal: tokensInWords(statement.Principal),
      NotPrincipal: tokensInWords(statement.NotPrincipal),
      Condition: tokensInWords(statement.Condition),
      ...(everyRecoveryPoint(statement) ? {} : recoveryPoints(statement)),
    }))
    .join('; ')}`;
  const unsupported = wildcards.length === 0 ? undefined
    : `names the delete action only through a wildcard (${wildcards.join(', ')}), which AWS Backup vault access policies do not support in Action: not counted as a lock`;
  const asWritten = [narrow, unsupported].filter((part) => part !== undefined).join('; it ');
  if (notKnown.length > 0) {
    return `vault policy: whether it denies deleting recovery points is not known at synth: ${notKnown.join('; ')}${asWritten ? `; as written it ${asWritten}` : ''}`;
  }
  return asWritten ? `vault policy ${asWritten}` : undefined;
}
