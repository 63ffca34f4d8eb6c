import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Future, Queue, createTask, forAwait, getRunningLoop, run, sleep } from '../../src/index.js';
import { settle } from '../helpers/primitives.js';
import { queueContract } from './queue-contract.js';

queueContract(Queue);

describe('Queue: FIFO', () => {
  test('items come out in the order they were put (asyncio test_order)', async () => {
    await run(function* () {
      const q = new Queue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items = [yield* q.get(), yield* q.get(), yield* q.get()];
      assert.deepEqual(items, [1, 3, 2]);
    });
  });

  test('the ring buffer keeps the order across growth and wrap-around', async () => {
    await run(function* () {
      const q = new Queue<number>();
      const out: number[] = [];
      let next = 0;
      for (let round = 0; round < 50; round++) {
        for (let i = 0; i < round % 7 + 3; i++) q.putNowait(next++);
        for (let i = 0; i < round % 5 + 1 && !q.empty(); i++) out.push(q.getNowait());
      }
      while (!q.empty()) out.push(yield* q.get());
      assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
    });
  });

  test('getters are served in the order they started waiting', async () => {
    await run(function* () {
      const q = new Queue<string>();
      const got: string[] = [];
      const getters = ['a', 'b', 'c'].map((name) =>
        createTask(function* () {
          got.push(`${name}:${yield* q.get()}`);
        }),
      );
      yield* sleep(0);
      for (const item of ['1', '2', '3']) q.putNowait(item);
      yield* settle(...getters);
      assert.deepEqual(got, ['a:1', 'b:2', 'c:3']);
    });
  });

  test('a woken getter that lost its item to getNowait() keeps its place in line', async () => {
    await run(function* () {
      const q = new Queue<string>();
      const got: string[] = [];
      const getter = (name: string) =>
        createTask(function* () {
          got.push(`${name}:${yield* q.get()}`);
        });
      const a = getter('a');
      const b = getter('b');
      yield* sleep(0);
      q.putNowait('x'); // wakes a
      assert.equal(q.getNowait(), 'x'); // taken before a could run
      yield* sleep(0); // a finds the queue empty and waits again, still ahead of b
      q.putNowait('y');
      q.putNowait('z');
      yield* settle(a, b);
      assert.deepEqual(got, ['a:y', 'b:z']);
    });
  });

  test('toString() shows size, items, waiters, unfinished work and shutdown', async () => {
    await run(function* () {
      const q = new Queue<number>(2);
      assert.equal(String(q), '<Queue maxsize=2>');
      q.putNowait(1);
      q.putNowait(2);
      const putter = createTask(q.put(3));
      yield* sleep(0);
      assert.equal(String(q), '<Queue maxsize=2 items=[ 1, 2 ] putters=1 tasks=2>');
      q.shutdown(true);
      yield* settle(putter);
      assert.equal(String(q), '<Queue maxsize=2 shutdown>');
    });
  });

  test('a Future as an item: yield* get() and for await give the Future itself, not its result', async () => {
    await run(function* () {
      const q = new Queue<Future<number>>();
      const fut = getRunningLoop().createFuture<number>();
      q.putNowait(fut);
      assert.equal(yield* q.get(), fut);
      q.putNowait(fut);
      q.shutdown();
      const iterated: unknown[] = [];
      yield* createTask(async () => {
        for await (const item of q) iterated.push(item);
      });
      assert.equal(iterated.length, 1);
      assert.equal(iterated[0], fut);
      fut.cancel();
    });
  });

  test('forAwait() consumes a queue from a generator coroutine', async () => {
    await run(function* () {
      const q = new Queue<number>();
      for (let i = 0; i < 5; i++) q.putNowait(i);
      q.shutdown();
      const seen: number[] = [];
      yield* forAwait(q, function* (item) {
        seen.push(item);
        yield* sleep(0);
      });
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    });
  });
});
