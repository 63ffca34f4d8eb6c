/** The plugin as a user enables it: `configs.recommended` in a flat config, through ESLint's API. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import plugin, { configs, rules } from '../../eslint-plugin/src/index.ts';
import { IMPORTS } from './rule-tester.ts';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

test('recommended enables every rule as an error, under the aio/ prefix', () => {
  assert.deepEqual(Object.keys(configs.recommended.rules ?? {}).sort(), Object.keys(rules).map((r) => `aio/${r}`).sort());
  assert.equal(plugin.configs.recommended.plugins?.aio, plugin);
  for (const rule of Object.values(rules)) assert.ok((rule.meta.docs?.description.length ?? 0) > 0);
});

test('the recommended config lints with type information: one finding per rule', async () => {
  const eslint = new ESLint({
    cwd: fixtures,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        ...configs.recommended,
        languageOptions: { ...configs.recommended.languageOptions, parserOptions: { projectService: true, tsconfigRootDir: fixtures } },
      },
    ],
  });
  const code =
    IMPORTS +
    'function* work(): Coro<number> { yield* sleep(1); return 1; }\n' +
    'async function fetchAll(): Promise<number> { return 1; }\n' +
    'await run(async () => {\n' +
    '  sleep(10);\n' +
    '  await work();\n' +
    '  await gather(fetchAll());\n' +
    '  try { await sleep(1); } catch { console.log("no"); }\n' +
    '});\n';
  const [result] = await eslint.lintText(code, { filePath: `${fixtures}/file.ts` });
  assert.deepEqual(
    result!.messages.map((m) => [m.line, m.ruleId]),
    [
      [5, 'aio/no-floating-awaitable'],
      [6, 'aio/no-await-coroutine'],
      [7, 'aio/no-promise-to-task'],
      [8, 'aio/no-swallowed-cancel'],
    ],
  );
});
