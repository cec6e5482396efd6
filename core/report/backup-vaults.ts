/** An AWS Backup vault: found by name or ARN, its locks, and how it reads in the report. */
import type { StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { removalLocks } from './removal-policy';
import { knownNumber, plural } from './template-numbers';
import { ArnPlace, ValueText, arnPlace, givenByToken, mayBeNamed } from './token-arn';
import { tokenText } from './token-text';
import { vaultPolicyLock } from './vault-policy';

/** The key and locks of a vault the assembly does not define (imported, or made elsewhere). */
export const VAULT_NOT_IN_ASSEMBLY = 'not known (vault not in this assembly)';

/** How a value of `stack` reads, in words and as a name to match. */
function textIn(index: AssemblyIndex, stack: StackArtifact): ValueText {
  return { render: (v) => index.render(v, stack), nameOf: (v) => index.nameOf(v, stack) };
}

/**
 * The vault a value (a name, an ARN) names: by reference (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, CDK's
 * cross-region export reader), or else by the name, region and account it writes; a name a token gives
 * (a parameter, a function) is decided at deploy, so it never matches a vault by its text.
 */
export function vaultOf(index: AssemblyIndex, value: unknown, stack: StackArtifact): Located | undefined {
  const referenced = index.referencedOfType(value, stack, 'AWS::Backup::BackupVault');
  if (referenced || givenByToken(value, textIn(index, stack))) {
    return referenced;
  }
  return vaultByArnOrName(index, index.nameOf(value, stack), stack);
}

/** The vault with this name or ARN, in the stack of its region and account; a vault whose name a token gives is not matched by its text. */
function vaultByArnOrName(index: AssemblyIndex, text: string, home: StackArtifact): Located | undefined {
  const { region, account, name } = vaultAddress(text, home);
  return index.ofType('AWS::Backup::BackupVault').find((v) => v.stack.region === region && v.stack.account === account
    && !givenByToken(v.resource.Properties?.BackupVaultName, textIn(index, v.stack))
    && index.nameOf(v.resource.Properties?.BackupVaultName, v.stack) === name);
}

/** The region, account and name a vault name or ARN (as `nameOf` reads it) gives: those of the ARN, or of the plan's stack for a bare name (a vault is named within its region and account). */
function vaultAddress(text: string, home: StackArtifact): { readonly region: string; readonly account: string; readonly name: string } {
  const arn = /^arn:[^:]+:backup:([^:]*):([^:]*):backup-vault:(.+)$/.exec(text);
  return arn ? { region: arn[1], account: arn[2], name: arn[3] } : { region: home.region, account: home.account, name: text };
}

/** The vaults of the region and account a literal vault name or ARN gives whose own name a token gives and may be that name, each with its name in words. */
function vaultsMayBeNamed(index: AssemblyIndex, value: unknown, stack: StackArtifact): string[] {
  const { region, account, name } = vaultAddress(index.nameOf(value, stack), stack);
  return index.ofType('AWS::Backup::BackupVault')
    .filter((v) => v.stack.region === region && v.stack.account === account
      && mayBeNamed(v.resource.Properties?.BackupVaultName, textIn(index, v.stack), name))
    .map((v) => `${v.path}, whose name is ${index.render(v.resource.Properties?.BackupVaultName, v.stack)}`);
}

/** Where a vault's ARN says it is, a part a token gives not known at synth; undefined for a vault name, or an ARN a token gives whole. */
export function vaultArnPlace(index: AssemblyIndex, value: unknown, stack: StackArtifact): ArnPlace | undefined {
  return arnPlace(value, 'backup', textIn(index, stack));
}

/**
 * The key and locks of a vault `vaultOf` did not find: not in the assembly where the template writes
 * it whole and no vault of its region and account may bear its name; where a token gives the region
 * or account of its ARN, its name, or the whole name or ARN (so it may be a vault of the assembly),
 * what the token leaves not known at synth; where a token gives the name of a vault of its region and
 * account that may be this name, not known at synth: it may be that vault.
 */
export function vaultNotFoundText(index: AssemblyIndex, value: unknown, stack: StackArtifact): string {
  const place = vaultArnPlace(index, value, stack);
  if (place?.byToken) {
    return `not known (vault in region ${place.region}, account ${place.account})`;
  }
  if (place?.resourceByToken) {
    return `not known (vault named not known at synth (${place.resource.replace(/^backup-vault:/, '')}), in region ${place.region}, account ${place.account})`;
  }
  if (givenByToken(value, textIn(index, stack))) {
    return place ? VAULT_NOT_IN_ASSEMBLY : `not known at synth (${index.render(value, stack)})`;
  }
  const mayBe = vaultsMayBeNamed(index, value, stack);
  return mayBe.length > 0 ? `not known at synth (may be ${mayBe.join('; or ')})` : VAULT_NOT_IN_ASSEMBLY;
}

export function vaultLocks(index: AssemblyIndex, vault: Located | undefined): string[] {
  if (!vault) {
    return [];
  }
  const locks: string[] = [];
  const lock = vault.resource.Properties?.LockConfiguration;
  if (lock) {
    const days = (n: unknown): string => knownNumber(n) === undefined ? `${tokenText(n)} days (not known at synth)` : plural(n, 'day');
    const mode = lock.ChangeableForDays !== undefined ? `compliance mode, fixed after ${days(lock.ChangeableForDays)}` : 'governance mode';
    const bounds = [lock.MinRetentionDays !== undefined ? `min ${days(lock.MinRetentionDays)}` : '', lock.MaxRetentionDays !== undefined ? `max ${days(lock.MaxRetentionDays)}` : ''].filter(Boolean).join(', ');
    locks.push(`vault lock (${mode}${bounds ? `; ${bounds}` : ''})`);
  }
  const policyLock = vaultPolicyLock(vault.resource.Properties?.AccessPolicy);
  if (policyLock) {
    locks.push(policyLock);
  }
  const removal = removalLocks({
    type: vault.resource.Type,
    deletionPolicy: vault.resource.DeletionPolicy ?? 'Delete',
    updateReplacePolicy: vault.resource.UpdateReplacePolicy,
    isReadReplica: false,
    autoDeletesObjects: false,
    render: (value) => index.render(value, vault.stack),
  });
  locks.push(...removal.map((line) => `vault ${line}`));
  return locks;
}

export function vaultText(vault: Located | undefined, fallback: string): string {
  return vault ? `vault ${vault.path} (${vault.stack.region})` : fallback;
}
