import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, sleep, createTask, getRunningLoop, CancelledError, type EventLoop, type Coro } from '../src/index.ts';

/** Counts the timers a loop creates while `body` runs. */
function* countTimers<T>(body: () => Coro<T>): Coro<[T, number]> {
  const loop = getRunningLoop();
  let count = 0;
  // Every timer, a sleep's included, enters the loop's heap through _addTimer.
  const addTimer = loop._addTimer;
  loop._addTimer = function (this: EventLoop, timer) {
    count++;
    addTimer.call(this, timer);
  };
  try {
    const result = yield* body();
    return [result, count];
  } finally {
    loop._addTimer = addTimer;
  }
}

describe('sleep', () => {
  test('sleep(0) is exactly one iteration: a callback scheduled before it runs first, one after does not', async () => {
    const order = await run(function* () {
      const loop = getRunningLoop();
      const order: string[] = [];
      loop.callSoon(() => {
        order.push('soon 1');
        loop.callSoon(() => order.push('soon 2 (next iteration)'));
      });
      yield* sleep(0); // resumes in the next iteration, right after "soon 1"
      order.push('after sleep(0)');
      yield* sleep(0);
      order.push('after second sleep(0)');
      return order;
    });
    assert.deepEqual(order, ['soon 1', 'after sleep(0)', 'soon 2 (next iteration)', 'after second sleep(0)']);
  });

  test('two tasks hopping on sleep(0) alternate (asyncio order)', async () => {
    const order = await run(function* () {
      const order: string[] = [];
      const mk = (name: string) =>
        createTask(function* () {
          for (let i = 0; i < 3; i++) {
            order.push(`${name}${i}`);
            yield* sleep(0);
          }
        });
      const a = mk('a');
      const b = mk('b');
      yield* a;
      yield* b;
      return order;
    });
    assert.deepEqual(order, ['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  test('a negative delay is the same as sleep(0)', async () => {
    const order = await run(function* () {
      const order: string[] = [];
      const t = createTask(function* () {
        order.push('other');
        yield* sleep(0);
        order.push('other 2');
      });
      yield* sleep(-100);
      order.push('main');
      yield* t;
      return order;
    });
    assert.deepEqual(order, ['other', 'main', 'other 2']);
  });

  test('sleep(0) and negative delays set no timer; a positive delay sets one', async () => {
    await run(function* () {
      const [, zero] = yield* countTimers(function* () {
        yield* sleep(0);
        yield* sleep(-5);
        yield* sleep(0, 'x');
      });
      assert.equal(zero, 0);
      const [, positive] = yield* countTimers(function* () {
        yield* sleep(1);
      });
      assert.equal(positive, 1);
    });
  });

  test('returns its result argument', async () => {
    await run(function* () {
      assert.equal(yield* sleep(0, 'zero'), 'zero');
      assert.equal(yield* sleep(1, 42), 42);
      assert.equal(yield* sleep(1), undefined);
      const obj = { a: 1 };
      assert.equal(yield* sleep(-1, obj), obj);
    });
  });

  test('waits at least the delay (by the loop clock)', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const start = loop.time();
      yield* sleep(10);
      assert.ok(loop.time() - start >= 10, `woke after ${loop.time() - start} ms`);
    });
  });

  test('sleepers wake in the order of their deadlines', async () => {
    // Each sleep's deadline is read from the timer it sets, so the check holds however
    // slowly the tasks start on a loaded machine.
    await run(function* () {
      const loop = getRunningLoop();
      const deadlines = new Map<number, number>();
      const addTimer = loop._addTimer;
      let current = -1;
      loop._addTimer = function (this: EventLoop, timer) {
        addTimer.call(this, timer);
        deadlines.set(current, timer._when);
      };
      const woke: number[] = [];
      const tasks = [15, 5, 10, 1].map((ms) =>
        createTask(function* () {
          current = ms;
          yield* sleep(ms);
          woke.push(ms);
        }),
      );
      for (const t of tasks) yield* t;
      loop._addTimer = addTimer;
      const byDeadline = [...deadlines.entries()].sort((a, b) => a[1] - b[1]).map(([ms]) => ms);
      assert.equal(byDeadline.length, 4);
      assert.deepEqual(woke, byDeadline);
    });
  });

  test('cancelling a sleeping task throws CancelledError at the sleep', async () => {
    await run(function* () {
      let caught: unknown = null;
      const t = createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch (error) {
          caught = error;
          throw error;
        }
      });
      yield* sleep(0);
      t.cancel('wake up');
      try {
        yield* t;
      } catch {
        // expected
      }
      assert.ok(caught instanceof CancelledError);
      assert.equal((caught as Error).message, 'wake up');
    });
  });

  test('works with await in async functions, for zero and positive delays', async () => {
    const result = await run(async () => {
      const a = await sleep(0, 'a');
      const b = await sleep(1, 'b');
      await sleep(-1);
      return a + b;
    });
    assert.equal(result, 'ab');
  });

  test('rejects non-numbers', () => {
    assert.throws(() => sleep(Number.NaN), TypeError);
    assert.throws(() => sleep('10' as never), TypeError);
  });
});
