/**
 * Restore verification: shared by the restore workflow's verify function, the restore drills
 * and the `restore` command. Plain TypeScript: no CDK and no AWS SDK imports.
 */
export * from './report';
export * from './verify';
export * from './replica-disabled-events';
export * from './source-newest-row';
