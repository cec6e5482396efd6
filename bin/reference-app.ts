import { App } from 'aws-cdk-lib';
import { PrimaryStack } from './primary-stack';
import { RecoveryStack } from './recovery-stack';
import { referenceSettings } from './settings';

/** The stacks of the reference app. */
export interface ReferenceApp {
  readonly primary: PrimaryStack;
  readonly recovery: RecoveryStack;
}

/**
 * Adds the reference app's stacks to an app: the primary region (the replicated MySQL pair
 * and its backups) and the disaster-recovery region (the off-site copies). `bin/app.ts`
 * and the tests build the app through this one function.
 */
export function buildReferenceApp(app: App): ReferenceApp {
  const settings = referenceSettings(app);
  const recovery = new RecoveryStack(app, 'BackupDrRecovery', {
    env: { account: settings.account, region: settings.recoveryRegion },
    description: 'cdk-backup-dr reference app: the disaster-recovery region, which receives the off-site copies',
    primaryRegion: settings.primaryRegion,
  });
  const primary = new PrimaryStack(app, 'BackupDrPrimary', {
    env: { account: settings.account, region: settings.primaryRegion },
    description: 'cdk-backup-dr reference app: the replicated MySQL pair and its backups in the primary region',
    recovery,
  });
  return { primary, recovery };
}
