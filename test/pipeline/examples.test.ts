/**
 * The README's pipeline example and the `@example`s of src/pipeline/ run, and print what
 * they say they print. Each runs in a child process, importing `aio-ts` and
 * `aio-ts/pipeline` from src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleBefore, readmeExample, runExample } from '../helpers/examples.ts';

test("the README's pipeline example prints what its comments say", async () => {
  assert.deepEqual(await runExample(readmeExample('## Pipelines')), [
    "[ 'page 1', 'page 2', 'page 3', 'page 5' ]",
    '[ 0, 1, 4 ]',
    '[ 9, 16, 25 ]',
    '2 pipeline stage map #1 failed on item number 2: bad item',
  ]);
});

test('the @example of pipeline()', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pipeline/pipeline.ts', 'export function pipeline')), [
    "[ 'page 2', 'page 4', 'page 6' ]",
    "[ 'A', 'B' ]",
    "[ 'C', 'D' ]",
    "[ 'E' ]",
  ]);
});

test('the @example of the aio-ts/pipeline overview', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pipeline/index.ts', 'export {')), ['[ 1, 4, 9 ]']);
});
