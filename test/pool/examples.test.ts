/**
 * The `@example`s of src/pool/ run, and print what they say they print (in a child process,
 * importing `aio-ts` and `aio-ts/pool` from src/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleBefore, readmeExample, runExample } from '../helpers/examples.ts';

test('the @example of ResourcePool', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pool/resource-pool.ts', 'export class ResourcePool')), [
    '[',
    "  'query 1 on connection 1',",
    "  'query 2 on connection 2',",
    "  'query 3 on connection 1'",
    ']',
    'query 4 on connection 2',
    'closing 1',
    'closing 2',
  ]);
});

test('the @example of the aio-ts/pool overview', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/pool/index.ts', 'export {')), ['true']);
});

test("the README's resource pool example", async () => {
  assert.deepEqual(await runExample(readmeExample('## Resource pools')), [
    '[',
    "  'query 1 on connection 1',",
    "  'query 2 on connection 2',",
    "  'query 3 on connection 1'",
    ']',
    '2',
  ]);
});
