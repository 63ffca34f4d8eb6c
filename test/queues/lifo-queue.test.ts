import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LifoQueue, run } from '../../src/index.js';
import { queueContract } from './queue-contract.js';

queueContract(LifoQueue);

describe('LifoQueue: order', () => {
  test('the last item put comes out first (asyncio test_order)', async () => {
    await run(function* () {
      const q = new LifoQueue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items = [yield* q.get(), yield* q.get(), yield* q.get()];
      assert.deepEqual(items, [2, 3, 1]);
      assert.equal(String(q), '<LifoQueue maxsize=0 tasks=3>'); // not marked done
    });
  });
});
