/**
 * The `@example`s of src/actors/ and the README's Actors section run, and print what they say
 * they print (in a child process, importing `aio-ts` and `aio-ts/actors` from src/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleBefore, readmeExample, runExample } from '../helpers/examples.ts';

test('the @example of spawnActor', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/actors/actor.ts', 'export function spawnActor')), ['5', '42']);
});

test('the @example of the aio-ts/actors overview', async () => {
  assert.deepEqual(await runExample(exampleBefore('src/actors/index.ts', 'export {')), ['hello, actors']);
});

test("the README's actors example", async () => {
  assert.deepEqual(await runExample(readmeExample('## Actors')), ['70', 'insufficient funds', '0 1']);
});
