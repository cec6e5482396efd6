import { Construct } from 'constructs';
import type { BackupVaultsProps } from './backup-vaults';
import { CopiesSetting } from './rds-copy-limits';

/** The props that constructs of this library build for `BackupVaults` from a policy prop of their own. */
const SETTINGS = new WeakMap<BackupVaultsProps, CopiesSetting>();

/**
 * Makes the messages about the policy of the `BackupVaults` built with `props` name the
 * construct and prop the user gave the policy to (`scope`, `prop`) instead of its own `policy`.
 */
export function policyGivenTo(props: BackupVaultsProps, scope: Construct, prop: string): BackupVaultsProps {
  SETTINGS.set(props, { scope, prop });
  return props;
}

/** Where the user gave the policy in `props`, when another construct passed it on. */
export function policySettingOf(props: BackupVaultsProps): CopiesSetting | undefined {
  return SETTINGS.get(props);
}
