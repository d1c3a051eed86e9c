// ESLint flat config. Type-aware rules read the TypeScript program through typescript-eslint's
// project service, which loads the `typescript` package: the TypeScript 6 API, while `tsc` is
// TypeScript 7 (see docs/tooling.md).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', '.local/', 'coverage/', 'patches/', 'bench/results/'],
  },

  // Plain JavaScript (config files): no type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },

  // TypeScript: the strict type-checked set, then tuned below.
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        // Every file in tsconfig.json's "include"; the few root-level config files outside it
        // get a default project with the same compiler options.
        projectService: { allowDefaultProject: ['vitest.*.config.ts'], defaultProject: 'tsconfig.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: an un-awaited promise in a function handler is a lost error or a response sent too early.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',

      // `any` must not leak into typed code; validate at the edge (zod) instead.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',

      // Type-only imports stay erasable (verbatimModuleSyntax), written `import type` or `{ type X }`.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],

      // A new union member (status, trigger kind, event type) must be handled wherever it is switched on.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],

      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],

      // Tuned: numbers and booleans in template literals are how messages and log lines are written
      // here; objects, nullish values and `any` are still reported.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],

      // Tuned: `(x) => resolve(x)` and `() => void promise` shorthands are the house style; a void
      // value returned from a block, used in a condition or assigned is still reported.
      // `return send(res, ...)` as an early exit from a void function is a common, clear idiom here.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
    },
  },

  // Tests: stubs implement async interfaces without awaiting, and afterAll hooks guard with `?.`
  // values a failed beforeAll may have left unset (which the types cannot know); vitest's asymmetric
  // matchers (`expect.any(String)`) are typed `any` and stand in object literals.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },

  // Last: turn off every stylistic rule that Prettier owns.
  prettier,
);
