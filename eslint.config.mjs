import eslint from '@eslint/js';
import cdkPlugin from 'eslint-cdk-plugin';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig([
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'dist-packages/**', '.tmp/**', 'assets/**', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.dev.json', projectService: false, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['lib/**/*.ts', 'bin/**/*.ts'],
    extends: [cdkPlugin.configs.recommended],
    languageOptions: {
      parserOptions: { project: './tsconfig.dev.json', projectService: false, tsconfigRootDir: import.meta.dirname },
    },
  },
]);
