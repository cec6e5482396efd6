/** Tests are transformed by ts-jest without type checking; `npm run typecheck` checks types once for the whole tree. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/support/node20-polyfills.ts'],
  // The teardown stops the MariaDB servers of this run that a killed worker left running.
  globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
};
