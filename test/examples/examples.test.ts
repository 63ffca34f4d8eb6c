/**
 * Every example, in both styles, prints what its asyncio original prints and takes the
 * (virtual) time it should: concurrent sleeps overlap instead of adding up.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { format } from 'node:util';
import { getRunningLoop, type Coro } from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { examples } from '../../examples/index.ts';

/** Runs `main` on a virtual-time loop; returns what it printed and how long it took. */
async function runCapturing(main: () => Coro<void> | PromiseLike<unknown>): Promise<{ lines: string[]; ms: number }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(format(...args));
  try {
    const ms = await runVirtual(function* () {
      const loop = getRunningLoop();
      const start = loop.time();
      yield* loop.createTask(main);
      return loop.time() - start;
    });
    return { lines, ms };
  } finally {
    console.log = original;
  }
}

for (const example of examples) {
  describe(example.title, () => {
    test('generator style prints the expected output, in the expected time', async () => {
      const { lines, ms } = await runCapturing(example.main);
      assert.deepEqual(lines, example.expected);
      assert.equal(ms, example.duration);
    });

    test('async-function style prints the same, in the same time', async () => {
      const { lines, ms } = await runCapturing(example.mainAsync);
      assert.deepEqual(lines, example.expected);
      assert.equal(ms, example.duration);
    });
  });
}

test('the three greetings take one second, not three', async () => {
  const greet = examples.find((e) => e.title.startsWith('gather three greetings'))!;
  const { ms } = await runCapturing(greet.main);
  assert.equal(ms, 1000);
});
