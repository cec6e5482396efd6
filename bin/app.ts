#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addComplianceGates } from './compliance-gates';
import { PrimaryStack } from './primary-stack';
import { RecoveryStack } from './recovery-stack';
import { referenceSettings } from './settings';

const app = new App();
addComplianceGates(app);
const settings = referenceSettings(app);

const recovery = new RecoveryStack(app, 'BackupDrRecovery', {
  env: { account: settings.account, region: settings.recoveryRegion },
  description: 'cdk-backup-dr reference app: the disaster-recovery region, which receives the off-site copies',
});
new PrimaryStack(app, 'BackupDrPrimary', {
  env: { account: settings.account, region: settings.primaryRegion },
  description: 'cdk-backup-dr reference app: the replicated MySQL pair and its backups in the primary region',
  recovery,
});
app.synth();
