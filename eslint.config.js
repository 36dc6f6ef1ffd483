import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['connectors', 'store', 'queue', 'sync', 'server', 'cli', 'config', 'runtime'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tandem/', 'coverage/', '.scratch*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The emulators check Tandem's connectors; sharing code with them would prove nothing.
    files: ['emulators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**'], message: 'emulators import nothing from src/' }] },
      ],
    },
  },
  {
    // The domain core is pure: it imports only itself.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: layers.map((layer) => `**/${layer}/**`),
              message: 'src/core imports only src/core',
            },
            {
              group: ['node:*', 'pg', 'kysely', 'jsforce', 'intercom-client'],
              message: 'src/core does no I/O',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests of the core may use the test runner and Node's helpers; the core itself may not.
    files: ['src/core/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Sync handlers talk to interfaces; only runtime/ builds concrete adapters.
    files: ['src/sync/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/runtime/**', '**/cli/**', '**/server/**', 'pg', 'kysely'],
              message: 'src/sync depends on interfaces only',
            },
          ],
        },
      ],
    },
  },
);
