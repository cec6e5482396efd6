/** Tests are transformed by ts-jest without type checking; `npm run typecheck` checks types once for the whole tree. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/support/node20-polyfills.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
