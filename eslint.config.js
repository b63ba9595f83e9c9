import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CONNECTOR_IMPORTS = [
  { regex: '^@sluice/(?!connect-api(/testing)?$)', message: 'Connectors import only @sluice/connect-api.' },
  { regex: '^\\.\\./\\.\\./\\.\\./', message: 'Connectors must not reach into other workspaces.' },
];
const TESTING_ONLY_IN_TESTS = {
  regex: '^@sluice/connect-api/testing$',
  message: "@sluice/connect-api/testing holds stand-ins for the runtime: for connectors' tests only.",
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Connectors may import only the SPI: npm hoists every workspace, so nothing else stops them.
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...CONNECTOR_IMPORTS, TESTING_ONLY_IN_TESTS] }],
    },
  },
  {
    // their tests may also use the SPI's stand-ins for the runtime
    files: ['connectors/**/*.spec.ts', 'connectors/**/testing/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: CONNECTOR_IMPORTS }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@sluice/worker', message: 'A library never imports an app.' }] },
      ],
    },
  },
);
