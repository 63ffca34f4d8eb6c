import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  Task,
  TimeoutError,
  asCompleted,
  createTask,
  forAwait,
  gather,
  getRunningLoop,
  sleep,
  wait,
  ensureFuture,
  type CompletedFuture,
  type Coro,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

function* after<T>(ms: number, value: T): Coro<T> {
  yield* sleep(ms);
  return value;
}

function* failAfter(ms: number, message: string): Coro<never> {
  yield* sleep(ms);
  throw new RangeError(message);
}

describe('asCompleted() with generator coroutines', () => {
  test('sync iteration gives awaitables of the results in completion order', async () => {
    await runVirtual(function* () {
      const seen: [string, number][] = [];
      for (const next of asCompleted([after(30, 'c'), after(10, 'a'), after(20, 'b')])) {
        seen.push([yield* next, now()]);
      }
      assert.deepEqual(seen, [
        ['a', 10],
        ['b', 20],
        ['c', 30],
      ]);
    });
  });

  test('an awaitable throws the error of the awaitable that completed', async () => {
    await runVirtual(function* () {
      const results: string[] = [];
      for (const next of asCompleted([after(20, 'ok'), failAfter(10, 'bad')])) {
        try {
          results.push(yield* next);
        } catch (error) {
          results.push(`error: ${(error as Error).message}`);
        }
      }
      assert.deepEqual(results, ['error: bad', 'ok']);
    });
  });

  test('the awaitables can be awaited concurrently; each gets the next completion', async () => {
    await runVirtual(function* () {
      const its = [...asCompleted([after(30, 3), after(10, 1), after(20, 2)])];
      assert.equal(its.length, 3);
      const results = yield* gather(...its);
      assert.deepEqual(results, [1, 2, 3]);
      assert.equal(now(), 30);
    });
  });

  test('a timeout makes the awaitables still waiting throw TimeoutError; nothing is cancelled', async () => {
    await runVirtual(function* () {
      const slow = createTask(after(100, 'slow'));
      const outcomes: string[] = [];
      for (const next of asCompleted([after(10, 'fast'), slow], { timeout: 50 })) {
        try {
          outcomes.push(`${yield* next} at ${now()}`);
        } catch (error) {
          assert.ok(error instanceof TimeoutError);
          outcomes.push(`timeout at ${now()}`);
        }
      }
      assert.deepEqual(outcomes, ['fast at 10', 'timeout at 50']);
      assert.equal(slow.cancelled(), false);
      assert.equal(yield* slow, 'slow');
    });
  });

  test('no timeout once everything completed', async () => {
    await runVirtual(function* () {
      const results: number[] = [];
      for (const next of asCompleted([after(10, 1)], { timeout: 50 })) results.push(yield* next);
      yield* sleep(100);
      assert.deepEqual(results, [1]);
      assert.equal(now(), 110);
    });
  });

  test('resumable after break', async () => {
    await runVirtual(function* () {
      const ac = asCompleted([after(10, 1), after(20, 2), after(30, 3)]);
      const results: number[] = [];
      for (const next of ac) {
        results.push(yield* next);
        break;
      }
      for (const next of ac) results.push(yield* next);
      assert.deepEqual(results, [1, 2, 3]);
    });
  });

  test('duplicates run once; an empty iterable gives nothing', async () => {
    await runVirtual(function* () {
      const task = createTask(after(10, 'x'));
      const results: string[] = [];
      for (const next of asCompleted([task, task])) results.push(yield* next);
      assert.deepEqual(results, ['x']);
      assert.deepEqual([...asCompleted([])], []);
    });
  });

  test('async iteration from a generator coroutine (forAwait) gives the futures themselves', async () => {
    await runVirtual(function* () {
      const a = createTask(after(20, 'a'));
      const b = createTask(after(10, 'b'));
      const got: CompletedFuture<string>[] = [];
      yield* forAwait(asCompleted([a, b]), function* (f) {
        got.push(f);
        assert.equal(f.done(), true);
      });
      assert.deepEqual(got, [b, a]);
    });
  });

  test('cancelling a task waiting on an awaitable does not lose completions for the others', async () => {
    await runVirtual(function* () {
      const [first, second] = [...asCompleted([after(10, 1), after(20, 2)])];
      const waiting = createTask(first!);
      yield* sleep(5);
      waiting.cancel();
      try {
        yield* waiting;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.equal(yield* second!, 1);
      assert.equal(now(), 10);
    });
  });

  test('refuses a single awaitable or a non-iterable', async () => {
    await runVirtual(function* () {
      const task = createTask(after(1, 1));
      assert.throws(() => asCompleted(task as unknown as Iterable<Task<number>>), TypeError);
      assert.throws(() => asCompleted(after(1, 1) as unknown as Iterable<Task<number>>), /generator object: pass an array/);
      assert.throws(() => asCompleted(Promise.resolve(1) as unknown as Iterable<Task<number>>), TypeError);
      assert.throws(() => asCompleted(42 as unknown as Iterable<Task<number>>), TypeError);
      assert.throws(() => asCompleted([task], { timeout: 'x' as unknown as number }), TypeError);
      yield* task;
    });
  });
});

describe('asCompleted() with async functions', () => {
  test('for await gives the original futures, and new Tasks for coroutines, in completion order', async () => {
    await runVirtual(async () => {
      const a = createTask(async () => {
        await sleep(30);
        return 'a';
      });
      const b = createTask(sleep(10, 'b'));
      const order: [CompletedFuture<string>, number][] = [];
      const ac: AsyncIterable<CompletedFuture<string>> = asCompleted<string>([a, b, after(20, 'c')]);
      for await (const f of ac) order.push([f, now()]);
      assert.equal(order.length, 3);
      assert.equal(order[0]![0], b);
      assert.ok(order[1]![0] instanceof Task);
      assert.equal(order[1]![0].result(), 'c');
      assert.equal(order[2]![0], a);
      assert.deepEqual(
        order.map(([, t]) => t),
        [10, 20, 30],
      );
    });
  });

  test('sync iteration with await, errors included', async () => {
    await runVirtual(async () => {
      const results: string[] = [];
      for (const next of asCompleted([after(20, 'ok'), failAfter(10, 'bad')])) {
        try {
          results.push(await next);
        } catch (error) {
          results.push(`error: ${(error as Error).message}`);
        }
      }
      assert.deepEqual(results, ['error: bad', 'ok']);
    });
  });

  test('for await throws TimeoutError when the timeout passes', async () => {
    await runVirtual(async () => {
      const got: string[] = [];
      await assert.rejects(async () => {
        const ac: AsyncIterable<CompletedFuture<string>> = asCompleted([after(10, 'fast'), after(100, 'slow')], { timeout: 50 });
        for await (const f of ac) {
          got.push(f.result());
        }
      }, TimeoutError);
      assert.deepEqual(got, ['fast']);
      assert.equal(now(), 50);
    });
  });

  test('for await is resumable after break', async () => {
    await runVirtual(async () => {
      // Annotated: this file also iterates AsCompleted<number> synchronously (see CompletedFuture).
      const ac: AsyncIterable<CompletedFuture<number>> = asCompleted([after(10, 1), after(20, 2), after(30, 3)]);
      const results: number[] = [];
      for await (const f of ac) {
        results.push(f.result());
        break;
      }
      for await (const f of ac) results.push(f.result());
      assert.deepEqual(results, [1, 2, 3]);
    });
  });
});

describe('asCompleted(): more behaviours from CPython test_tasks', () => {
  test('the first awaitable awaited gets the first completion, whatever its index (test_as_completed_reverse_wait)', async () => {
    await runVirtual(function* () {
      const futs = [...asCompleted([after(50, 'a'), after(100, 'b')])];
      assert.equal(futs.length, 2);
      assert.equal(yield* futs[1]!, 'a');
      assert.equal(now(), 50);
      assert.equal(yield* futs[0]!, 'b');
      assert.equal(now(), 100);
    });
  });

  test('the awaitables given by sync iteration become tasks with ensureFuture() and can be waited on (test_as_completed_concurrent)', async () => {
    await runVirtual(function* () {
      const futs = [...asCompleted([after(50, 'a'), after(50, 'b')])];
      const [done, pending] = yield* wait(futs.map((f) => ensureFuture(f)));
      assert.deepEqual(new Set([...done].map((f) => f.result())), new Set(['a', 'b']));
      assert.equal(pending.size, 0);
      assert.equal(now(), 50);
    });
  });

  test('the same coroutine object twice runs once (test_as_completed_duplicate_coroutines)', async () => {
    await runVirtual(function* () {
      let runs = 0;
      function* coro(s: string): Coro<string> {
        runs++;
        yield* sleep(1);
        return s;
      }
      const c = coro('ham');
      const results: string[] = [];
      for (const next of asCompleted([c, c, coro('spam')])) results.push(yield* next);
      assert.deepEqual(new Set(results), new Set(['ham', 'spam']));
      assert.equal(results.length, 2);
      assert.equal(runs, 2);
    });
  });

  test('a timeout with sync iteration in an async function: TimeoutError at the timeout, nothing cancelled (test_as_completed_with_timeout)', async () => {
    await runVirtual(async () => {
      const a = createTask(sleep(100, 'a'));
      const b = createTask(sleep(150, 'b'));
      const values: [number, unknown][] = [];
      for (const f of asCompleted([a, b], { timeout: 120 })) {
        try {
          values.push([1, await f]);
        } catch (error) {
          values.push([2, error]);
        }
      }
      assert.equal(values.length, 2);
      assert.deepEqual(values[0], [1, 'a']);
      assert.equal(values[1]![0], 2);
      assert.ok(values[1]![1] instanceof TimeoutError);
      assert.equal(now(), 120);
      assert.equal(b.cancelled(), false);
      assert.equal(await b, 'b');
    });
  });
});
