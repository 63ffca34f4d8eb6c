/**
 * aio's ESLint plugin (flat config): the mistakes of generator coroutines and cancellation
 * that TypeScript does not see. Three rules need type information (typescript-eslint with
 * `projectService`), which the recommended config sets up:
 *
 *   import aio from './eslint-plugin/src/index.ts';
 *   export default [{ files: ['**\/*.ts'], ...aio.configs.recommended }];
 */
import type { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { noAwaitCoroutine } from './rules/no-await-coroutine.js';
import { noFloatingAwaitable } from './rules/no-floating-awaitable.js';
import { noPromiseToTask } from './rules/no-promise-to-task.js';
import { noSwallowedCancel } from './rules/no-swallowed-cancel.js';

/** The rules, by name (used as `aio/<name>`). */
export const rules = {
  'no-floating-awaitable': noFloatingAwaitable,
  'no-swallowed-cancel': noSwallowedCancel,
  'no-await-coroutine': noAwaitCoroutine,
  'no-promise-to-task': noPromiseToTask,
};

// typescript-eslint's rule type and ESLint's differ in details only: the plugin is typed as ESLint sees it.
const plugin = {
  meta: { name: 'eslint-plugin-aio', version: '0.1.0' },
  rules: rules as unknown as NonNullable<ESLint.Plugin['rules']>,
  configs: {} as { recommended: Linter.Config },
};

/** Every rule as an error, with typescript-eslint's parser and type information (projectService). */
plugin.configs.recommended = {
  name: 'aio/recommended',
  plugins: { aio: plugin },
  languageOptions: {
    parser: tseslint.parser as Linter.Parser,
    parserOptions: { projectService: true },
  },
  rules: {
    'aio/no-floating-awaitable': 'error',
    'aio/no-swallowed-cancel': 'error',
    'aio/no-await-coroutine': 'error',
    'aio/no-promise-to-task': 'error',
  },
};

export const configs = plugin.configs;
export default plugin;
