/** The KMS key a value names in the assembly (by reference, key ARN or alias), and how a resource's key reads in the report. */
import type { StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { keyRotationText } from './key-facts';
import { KEY_NOT_INSPECTED, isAwsManagedKey } from './outside-key';
import { fillTokens, hasToken, tokenShape } from './token-arn';

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
 * For an alias ARN whose region or account a token gives (the deploy decides them), naming an
 * alias the assembly defines in a region and account the ARN's written parts allow: that it may
 * be that alias (`may be alias/<name> of this assembly`); undefined for any other value. A key
 * ARN is never so: a key's ID is made at deploy, so no template of the assembly knows it.
 */
export function aliasMayBeOfAssembly(index: AssemblyIndex, value: unknown, stack: StackArtifact): string | undefined {
  const text = { render: (v: unknown) => index.render(v, stack), nameOf: (v: unknown) => index.nameOf(v, stack) };
  const shape = tokenShape(value, text);
  const arn = /^arn:[^:]+:kms:([^:]*):([^:]*):(alias\/.+)$/.exec(shape.shape);
  if (!arn || !(hasToken(arn[1]) || hasToken(arn[2])) || hasToken(arn[3])) {
    return undefined;
  }
  const allows = (part: string, actual: string): boolean => hasToken(part) || fillTokens(part, shape, text.nameOf) === actual;
  const alias = index.ofType('AWS::KMS::Alias').find((a) => allows(arn[1], a.stack.region) && allows(arn[2], a.stack.account)
    && index.nameOf(a.resource.Properties?.AliasName, a.stack) === arn[3]);
  return alias ? `may be ${arn[3]} of this assembly` : undefined;
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
