// ESLint flat config: typescript-eslint's recommended + type-aware rules for all TypeScript,
// React hooks rules for the TUI, and plain recommended rules for the portal's browser modules
// (server/portal/web, type-checked by tsconfig.web.json rather than here). Formatting is
// prettier's job (.prettierrc); no stylistic rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // test/fixtures/openapi-client compiles only against types its test generates (test/server/openapi-client.test.ts runs tsc --strict on it)
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      '.tap/**',
      'test/bench/results/**',
      'test/fixtures/openapi-client/**',
    ],
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are deliberate (a required parameter position, a discarded tuple slot)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Koa handlers and signal listeners are async functions handed to APIs typed as returning
      // void; the framework (or our safeEmit) awaits/catches them. A promise dropped on the floor
      // anywhere else is still an error (no-floating-promises stays on).
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // Template literals of numbers are everywhere in log lines and messages and are always fine.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },

  // The TUI: hooks rules (rules-of-hooks, exhaustive-deps and the React Compiler checks).
  {
    files: ['tui/**/*.{ts,tsx}', 'test/tui/**/*.{ts,tsx}', 'test/helpers/tui-*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
  },

  // Tests. Response bodies of the API under test are parsed JSON typed `any` once, in the test
  // helpers (ApiResponse.body), and then read field by field (`res.body.data.id`): the assertion
  // (t.equal/t.same/t.match) is the type check there, so the no-unsafe-* family, which would flag
  // every such read, is off. Declaring new `any`s (no-explicit-any) stays an error: a test that
  // needs one names it with an eslint-disable comment that says why.
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      // `t.test(...)` is tap's way to declare a subtest: tap queues and awaits it itself, so the
      // returned promise is meant to be left alone. Any other floating promise is still an error.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: ['test', 'todo', 'skip', 'only'] }] },
      ],
      // Every subtest callback is written `async (t) => …` whether or not it awaits today, so that
      // adding an await never changes its shape; an async callback without await costs nothing
      // here, unlike in server code where it usually means a forgotten await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // The portal's browser modules: plain ES modules and their .d.ts (JSDoc-typed, type-checked by
  // tsconfig.web.json against the DOM), and this file itself. Not part of tsconfig.json, so no
  // type-aware rules here.
  {
    files: ['**/*.{js,mjs,cjs}', 'server/portal/web/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['server/portal/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
