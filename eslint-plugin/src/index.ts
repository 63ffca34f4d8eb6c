/**
 * aio's ESLint plugin (flat config): the mistakes of generator coroutines and cancellation
 * that TypeScript does not see. Three rules need type information (typescript-eslint with
 * `projectService`), which the recommended config sets up:
 *
 *   import aio from './eslint-plugin/src/index.ts';
 *   export default [{ files: ['**\/*.ts'], ...aio.configs.recommended }];
 */
import type { TSESLint } from '@typescript-eslint/utils';
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

const plugin = {
  meta: { name: 'eslint-plugin-aio', version: '0.1.0' },
  rules,
  configs: {} as { recommended: TSESLint.FlatConfig.Config },
};

/** Every rule as an error, with typescript-eslint's parser and type information (projectService). */
plugin.configs.recommended = {
  name: 'aio/recommended',
  plugins: { aio: plugin as unknown as TSESLint.FlatConfig.Plugin },
  languageOptions: {
    parser: tseslint.parser,
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
