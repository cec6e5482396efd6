// The public API of cdk-backup-dr. This file only re-exports.
