/** The KMS key a value names in the assembly (by reference, key ARN or alias), and how a resource's key reads in the report. */
import type { StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { keyRotationText } from './key-facts';
import { KEY_NOT_INSPECTED, isAwsManagedKey } from './outside-key';

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
  return isAwsManagedKey(written) ? `KMS key ${written}` : `KMS key ${written} (${KEY_NOT_INSPECTED})`;
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
