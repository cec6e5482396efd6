/** An AWS Backup vault: found by name or ARN, its locks, and how it reads in the report. */
import type { StackArtifact } from './assembly';
import type { AssemblyIndex } from './assembly-index';
import type { Located } from './located';
import { removalLocks } from './removal-policy';
import { knownNumber, plural } from './template-numbers';
import { ArnPlace, arnPlace } from './token-arn';
import { tokenText } from './token-text';
import { vaultPolicyLock } from './vault-policy';

/** The key and locks of a vault the assembly does not define (imported, or made elsewhere). */
export const VAULT_NOT_IN_ASSEMBLY = 'not known (vault not in this assembly)';

/** The vault with this name or ARN, in the stack of its region and account. */
export function vaultByArnOrName(index: AssemblyIndex, text: string, home: StackArtifact): Located | undefined {
  // A vault is named within its region and account: those of the ARN, or of the plan for a bare name.
  const arn = /^arn:[^:]+:backup:([^:]*):([^:]*):backup-vault:(.+)$/.exec(text);
  const [region, account, name] = arn ? [arn[1], arn[2], arn[3]] : [home.region, home.account, text];
  return index.ofType('AWS::Backup::BackupVault').find((v) => index.nameOf(v.resource.Properties?.BackupVaultName, v.stack) === name
    && v.stack.region === region && v.stack.account === account);
}

/** Where a vault's ARN says it is, a part a token gives not known at synth; undefined for a vault name, or an ARN a token gives whole. */
export function vaultArnPlace(index: AssemblyIndex, value: unknown, stack: StackArtifact): ArnPlace | undefined {
  return arnPlace(value, 'backup', { render: (v) => index.render(v, stack), nameOf: (v) => index.nameOf(v, stack) });
}

/**
 * The key and locks of a vault the report did not find: not in the assembly, or, where a token
 * gives the region or account of its ARN (so it may be a vault of the assembly), where it is, not known at synth.
 */
export function vaultNotFoundText(place: ArnPlace | undefined): string {
  return place?.byToken ? `not known (vault in region ${place.region}, account ${place.account})` : VAULT_NOT_IN_ASSEMBLY;
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
