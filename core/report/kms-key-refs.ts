/** The KMS key a value names in the assembly (by reference, key ARN or alias), and how a resource's key reads in the report. */
import type { StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { keyRotationText } from './key-facts';
import { KEY_NOT_INSPECTED, isAwsManagedKey } from './outside-key';
import { fillTokens, hasToken, shapesMayMeet, tokenShape } from './token-arn';

export function keyText(index: AssemblyIndex, value: unknown, stack: StackArtifact, fallback: string): string {
  if (value === undefined || value === null || value === '') {
    return fallback;
  }
  const key = keyOf(index, value, stack);
  if (key) {
    const rotation = keyRotationText(key.resource.Properties, (v) => index.render(v, key.stack));
    return `KMS key ${key.path}${rotation === 'not rotated' ? '' : `, ${rotation}`}`;
  }
  const written = index.render(value, stack);
  const mayBe = aliasMayBeOfAssembly(index, value, stack);
  return isAwsManagedKey(written) ? `KMS key ${written}`
    : mayBe ? `KMS key ${written} (${keyNotKnownAtSynth(mayBe)})` : `KMS key ${written} (${KEY_NOT_INSPECTED})`;
}

/** What the report says of a key that `aliasMayBeOfAssembly` says may be one of the assembly's. */
export function keyNotKnownAtSynth(mayBe: string): string {
  return `not known at synth: ${mayBe}; rotation and deletion not inspected`;
}

/**
 * For an alias (a name, or an ARN) that may be one the assembly defines, though `keyOf` did not
 * find it, what it may be: where a token gives its ARN's region or account and an alias of the
 * assembly of a region and account its written parts allow bears its name, `may be alias/<name>
 * of this assembly`; where a token gives (some of) its name, or the name of an alias of its region
 * and account, each alias that may bear it, `may be <path>, whose name is <name in words>`;
 * undefined for any other value. A key ID or key ARN is never so: a key's ID is made at deploy, so
 * no template of the assembly knows it; nor is a value a token gives whole (it may be any key).
 */
export function aliasMayBeOfAssembly(index: AssemblyIndex, value: unknown, stack: StackArtifact): string | undefined {
  const text = { render: (v: unknown) => index.render(v, stack), nameOf: (v: unknown) => index.nameOf(v, stack) };
  const shape = tokenShape(value, text);
  const arn = /^arn:[^:]+:kms:([^:]*):([^:]*):(alias\/.+)$/.exec(shape.shape);
  const [region, account, name] = arn ? [arn[1], arn[2], arn[3]] : [stack.region, stack.account, shape.shape];
  if (!name.startsWith('alias/')) {
    return undefined;
  }
  const allows = (part: string, actual: string): boolean => hasToken(part) || fillTokens(part, shape, text.nameOf) === actual;
  const aliases = index.ofType('AWS::KMS::Alias').filter((a) => allows(region, a.stack.region) && allows(account, a.stack.account));
  if (!hasToken(name) && (hasToken(region) || hasToken(account)) && aliases.some((a) => index.nameOf(a.resource.Properties?.AliasName, a.stack) === name)) {
    return `may be ${name} of this assembly`;
  }
  const mayBe = aliases.filter((a) => {
    const own = tokenShape(a.resource.Properties?.AliasName, { render: (v) => index.render(v, a.stack), nameOf: (v) => index.nameOf(v, a.stack) }).shape;
    return (hasToken(name) || hasToken(own)) && shapesMayMeet(name, own);
  });
  return mayBe.length > 0
    ? `may be ${mayBe.map((a) => `${a.path}, whose name is ${index.render(a.resource.Properties?.AliasName, a.stack)}`).join('; or ')}`
    : undefined;
}

/** The KMS key a key id, ARN or alias refers to in the assembly (an alias followed to its key). */
export function keyOf(index: AssemblyIndex, value: unknown, stack: StackArtifact): Located | undefined {
  const referenced = index.referenced(value, stack);
  const found = referenced?.resource.Type === 'AWS::KMS::Key' || referenced?.resource.Type === 'AWS::KMS::Alias'
    ? referenced
    : aliasByArnOrName(index, index.nameOf(value, stack), stack);
  if (found?.resource.Type === 'AWS::KMS::Alias') {
    return keyOf(index, found.resource.Properties?.TargetKeyId, found.stack);
  }
  return found?.resource.Type === 'AWS::KMS::Key' ? found : undefined;
}

/** The alias with this ARN, or this name in the region and account of `home` (alias names are unique in a region and account). */
export function aliasByArnOrName(index: AssemblyIndex, text: string, home: StackArtifact): Located | undefined {
  const arn = /^arn:[^:]+:kms:([^:]*):([^:]*):(alias\/.+)$/.exec(text);
  const [region, account, name] = arn ? [arn[1], arn[2], arn[3]] : [home.region, home.account, text];
  if (!name.startsWith('alias/')) {
    return undefined;
  }
  return index.ofType('AWS::KMS::Alias').find((a) => a.stack.region === region && a.stack.account === account
    && index.nameOf(a.resource.Properties?.AliasName, a.stack) === name);
}
