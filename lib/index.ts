// The public API of cdk-backup-dr. This file only re-exports.
export * from './database/replicated-mysql';
export * from './report/metadata';
export * from './report/coverage';
export * from './report/notifications';
export * from './report/dashboard';
export * from './policy/retention-policy';
export * from './vault/vault-lock';
export * from './vault/recovery-vault';
export * from './vault/backup-vaults';
export * from './snapshots/ebs-snapshot-policy';
export * from './checks/consistency-checks';
export * from './checks/freshness-check';
export * from './restore/database-restore';
export * from './restore/restore-drills';
export * from './buckets/backup-buckets';
export * from './buckets/recovery-buckets';
export * from './dump/database-dump-job';
