import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  Condition,
  Lock,
  Semaphore,
  TimeoutError,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  timeout,
  waitFor,
  type Coro,
  type Task,
} from '../../src/index.js';
import { runVirtual } from '../../src/testing/index.js';
import { asyncUntil, expectRejects, expectThrows, settle, until } from '../helpers/primitives.js';

describe('Condition with generator coroutines', () => {
  test('wait() releases the lock, notify() wakes waiters in order, each re-acquires the lock (asyncio test_wait)', async () => {
    await run(function* () {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coro<boolean> {
          yield* cond.acquire();
          if (yield* cond.wait()) result.push(n);
          return true;
        };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      const t3 = createTask(c(3));
      yield* sleep(0);
      assert.deepEqual(result, []);
      assert.equal(cond.locked(), false);

      assert.equal(yield* cond.acquire(), true);
      cond.notify();
      yield* sleep(0);
      assert.deepEqual(result, []); // notified, but waiting for the lock
      assert.ok(cond.locked());

      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(cond.locked());

      cond.notify(2);
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(cond.locked());

      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1, 2]);
      assert.ok(cond.locked());

      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1, 2, 3]);
      assert.ok(cond.locked());
      for (const t of [t1, t2, t3]) assert.equal(t.result(), true);
    });
  });

  test('a cancelled wait() re-acquires the lock before throwing (asyncio test_wait_cancel)', async () => {
    await run(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      const wait = createTask(cond.wait());
      getRunningLoop().callSoon(() => wait.cancel());
      yield* expectThrows(wait, CancelledError);
      assert.equal(String(cond), '<Condition [locked]>'); // no waiter left, lock held again
    });
  });

  test('cancelled while re-acquiring a contested lock: still holds it when it ends (asyncio test_wait_cancel_contested)', async () => {
    await run(function* () {
      const cond = new Condition();
      yield* cond.acquire();
      const waitTask = createTask(cond.wait());
      yield* sleep(0);
      assert.equal(cond.locked(), false);
      yield* cond.acquire();
      cond.notify();
      getRunningLoop().callSoon(() => waitTask.cancel());
      getRunningLoop().callSoon(() => cond.release());
      try {
        yield* waitTask;
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.ok(cond.locked());
    });
  });

  test('cancelled after notify, while waiting for the lock (asyncio test_wait_cancel_after_notify, bpo-32841)', async () => {
    await run(function* () {
      const cond = new Condition();
      let waited = false;
      const waiter = createTask(function* () {
        using _ = yield* cond.hold();
        waited = true;
        yield* cond.wait();
      });
      yield* sleep(0); // waiting
      yield* cond.acquire();
      cond.notify();
      yield* sleep(0); // the waiter wants the lock back
      waiter.cancel();
      yield* sleep(0); // the cancellation arrives
      cond.release();
      yield* sleep(0); // it gets the lock, throws, and `using` releases it
      assert.ok(waiter.cancelled());
      assert.ok(waited);
      assert.equal(cond.locked(), false);
    });
  });

  test('wait() without holding the lock throws asyncio’s RuntimeError as Error', async () => {
    await run(function* () {
      const cond = new Condition();
      const error = yield* expectThrows(cond.wait(), Error);
      assert.equal(error.message, 'cannot wait on un-acquired lock');
    });
  });

  test('waitFor() waits until the predicate holds and returns its value (asyncio test_wait_for)', async () => {
    await run(function* () {
      const cond = new Condition();
      let presult = false;
      const result: number[] = [];
      const t = createTask(function* () {
        yield* cond.acquire();
        if (yield* cond.waitFor(() => presult)) {
          result.push(1);
          cond.release();
        }
        return true;
      });
      yield* sleep(0);
      assert.deepEqual(result, []);
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, []); // woken, predicate still false: waits again
      presult = true;
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      assert.equal(t.result(), true);
    });
  });

  test('waitFor() returns a truthy predicate at once, even unlocked; throws when it would wait unlocked', async () => {
    await run(function* () {
      const cond = new Condition();
      assert.deepEqual(yield* cond.waitFor(() => [1, 2, 3]), [1, 2, 3]);
      const error = yield* expectThrows(cond.waitFor(() => false), Error);
      assert.equal(error.message, 'cannot wait on un-acquired lock');
      assert.throws(() => cond.waitFor(42 as unknown as () => boolean), TypeError);
    });
  });

  test('notify(n) wakes n waiters, notifyAll() all of them, in FIFO order (asyncio test_notify, test_notify_all)', async () => {
    await run(function* () {
      const cond = new Condition();
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coro<boolean> {
          yield* cond.acquire();
          if (yield* cond.wait()) {
            result.push(n);
            cond.release();
          }
          return true;
        };
      const tasks = [createTask(c(1)), createTask(c(2)), createTask(c(3))];
      yield* sleep(0);
      yield* cond.acquire();
      cond.notify(1);
      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      yield* cond.acquire();
      cond.notify(1);
      cond.notify(2048);
      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1, 2, 3]);
      for (const t of tasks) assert.equal(t.result(), true);

      const more = [createTask(c(4)), createTask(c(5))];
      yield* sleep(0);
      yield* cond.acquire();
      cond.notifyAll();
      cond.release();
      yield* sleep(0);
      assert.deepEqual(result, [1, 2, 3, 4, 5]);
      for (const t of more) assert.ok(t.done());
    });
  });

  test('notify() and notifyAll() without holding the lock throw', () => {
    const cond = new Condition();
    assert.throws(() => cond.notify(), { message: 'cannot notify on un-acquired lock' });
    assert.throws(() => cond.notifyAll(), { message: 'cannot notify on un-acquired lock' });
  });

  test('an explicit lock is shared: the condition and the lock see the same state (asyncio test_explicit_lock)', async () => {
    await run(function* () {
      function* check(lock: Lock, cond: Condition): Coro<void> {
        assert.equal(lock.locked(), false);
        assert.equal(cond.locked(), false);
        {
          using _ = yield* cond.hold();
          assert.ok(lock.locked());
          assert.ok(cond.locked());
        }
        assert.equal(lock.locked(), false);
        {
          using _ = yield* lock.hold();
          assert.ok(cond.locked());
        }
        assert.equal(cond.locked(), false);
      }
      const lock = new Lock();
      yield* check(lock, new Condition(lock));
      const shared = new Condition(lock);
      yield* check(lock, shared);
      assert.throws(() => new Condition(new Semaphore() as unknown as Lock), TypeError);
    });
  });

  test('cancelled while waiting: re-throws the very CancelledError it got (asyncio test_cancelled_error_wakeup)', async () => {
    await run(function* () {
      const cond = new Condition();
      let raised: CancelledError | null = null;
      const task = createTask(function* () {
        using _ = yield* cond.hold();
        raised = yield* expectThrows(cond.waitFor(() => false), CancelledError);
        assert.ok(cond.locked());
        throw raised;
      });
      yield* sleep(0);
      task.cancel('foo');
      const error = yield* expectThrows(task, CancelledError);
      assert.equal(error.message, 'foo');
      assert.equal(error, raised);
      assert.equal(cond.locked(), false);
    });
  });

  test('cancelled while re-acquiring: re-throws the very CancelledError (asyncio test_cancelled_error_re_aquire)', async () => {
    await run(function* () {
      const cond = new Condition();
      let wake = false;
      let raised: CancelledError | null = null;
      const task = createTask(function* () {
        using _ = yield* cond.hold();
        raised = yield* expectThrows(cond.waitFor(() => wake), CancelledError);
        throw raised;
      });
      yield* sleep(0);
      yield* cond.acquire();
      wake = true;
      cond.notify();
      yield* sleep(0); // the task now waits to re-acquire the lock
      task.cancel('foo');
      cond.release();
      const error = yield* expectThrows(task, CancelledError);
      assert.equal(error.message, 'foo');
      assert.equal(error, raised);
    });
  });

  function consumers(condition: Condition, state: { value: number }): Task<void>[] {
    const consumer = function* (): Coro<void> {
      using _ = yield* condition.hold();
      for (;;) {
        yield* condition.waitFor(() => state.value !== 0);
        if (state.value < 0) return;
        state.value -= 1;
      }
    };
    return [createTask(consumer()), createTask(consumer())];
  }

  test('a notify racing a cancel before the task resumed is passed on (asyncio test_cancelled_wakeup)', async () => {
    await run(function* () {
      const condition = new Condition();
      const state = { value: 0 };
      const c = consumers(condition, state);
      yield* sleep(0);
      {
        using _ = yield* condition.hold();
        state.value += 1;
        condition.notify(1);
        c[0]!.cancel(); // woken, cancelled before it could run
      }
      yield* until(() => state.value === 0, 'the item to be consumed by the other consumer', 20);
      {
        using _ = yield* condition.hold();
        state.value = -1;
        condition.notifyAll();
      }
      yield* c[1]!;
      assert.ok(c[0]!.cancelled());
    });
  });

  test('a notify racing a cancel while re-acquiring the lock is passed on (asyncio test_cancelled_wakeup_relock)', async () => {
    await run(function* () {
      const condition = new Condition();
      const state = { value: 0 };
      const c = consumers(condition, state);
      yield* sleep(0);
      {
        using _ = yield* condition.hold();
        state.value += 1;
        condition.notify(1);
        yield* sleep(0); // the target wakes and waits for the lock
        c[0]!.cancel();
      }
      yield* until(() => state.value === 0, 'the item to be consumed by the other consumer', 20);
      {
        using _ = yield* condition.hold();
        state.value = -1;
        condition.notifyAll();
      }
      yield* c[1]!;
      assert.ok(c[0]!.cancelled());
    });
  });

  test('a waiter cancelled before any notify does not take a later notify from others', async () => {
    await run(function* () {
      const cond = new Condition();
      const woken: string[] = [];
      const waiter = (name: string) =>
        createTask(function* () {
          using _ = yield* cond.hold();
          yield* cond.wait();
          woken.push(name);
        });
      const a = waiter('a');
      const b = waiter('b');
      yield* sleep(0);
      a.cancel();
      yield* settle(a);
      yield* cond.acquire();
      cond.notify();
      cond.release();
      yield* b;
      assert.deepEqual(woken, ['b']);
    });
  });

  test('toString()', async () => {
    await run(function* () {
      const cond = new Condition();
      assert.equal(String(cond), '<Condition [unlocked]>');
      yield* cond.acquire();
      const t = createTask(function* () {
        using _ = yield* cond.hold();
        yield* cond.wait();
      });
      yield* sleep(0);
      assert.equal(String(cond), '<Condition [locked]>'); // t waits for the lock, not on the condition
      cond.release();
      yield* sleep(0);
      assert.equal(String(cond), '<Condition [unlocked, waiters:1]>');
      yield* cond.acquire();
      cond.notifyAll();
      cond.release();
      yield* t;
    });
  });
});

describe('Condition with async functions', () => {
  test('await wait()/notify() between async tasks', async () => {
    await run(async () => {
      const cond = new Condition();
      const items: number[] = [];
      const got: number[] = [];
      const consumer = createTask(async () => {
        using _ = await cond.hold();
        for (let i = 0; i < 3; i++) {
          await cond.waitFor(() => items.length > 0);
          assert.ok(cond.locked());
          got.push(items.shift()!);
        }
      });
      for (let i = 1; i <= 3; i++) {
        await sleep(0);
        using _ = await cond.hold();
        items.push(i);
        cond.notify();
      }
      await consumer;
      assert.deepEqual(got, [1, 2, 3]);
      assert.equal(cond.locked(), false);
    });
  });

  test('a cancelled async wait() re-acquires the lock and throws CancelledError at the await', async () => {
    await run(async () => {
      const cond = new Condition();
      let lockedInHandler: boolean | null = null;
      const task = createTask(async () => {
        using _ = await cond.hold();
        try {
          await cond.wait();
        } catch (error) {
          lockedInHandler = cond.locked();
          throw error;
        }
      });
      await asyncUntil(() => String(cond) === '<Condition [unlocked, waiters:1]>', 'the waiter');
      task.cancel();
      await expectRejects(task, CancelledError);
      assert.equal(lockedInHandler, true);
      assert.equal(cond.locked(), false);
    });
  });

  test('async and generator waiters on one condition', async () => {
    await run(async () => {
      const cond = new Condition();
      const woken: string[] = [];
      const gen = createTask(function* () {
        using _ = yield* cond.hold();
        yield* cond.wait();
        woken.push('gen');
      });
      const asy = createTask(async () => {
        using _ = await cond.hold();
        await cond.wait();
        woken.push('async');
      });
      await asyncUntil(() => String(cond) === '<Condition [unlocked, waiters:2]>', 'two waiters');
      {
        using _ = await cond.hold();
        cond.notifyAll();
      }
      await gather(gen, asy);
      assert.deepEqual(woken.sort(), ['async', 'gen']);
    });
  });
});

describe('Condition: more asyncio behaviours (review)', () => {
  test('waitFor(cond.wait(), ms) and timeout(ms, () => cond.wait()) in a locked block: TimeoutError, lock held again (asyncio test_timeout_in_block)', async () => {
    await runVirtual(function* () {
      const cond = new Condition();
      {
        using _ = yield* cond.hold();
        yield* expectThrows(waitFor(cond.wait(), 500), TimeoutError);
        assert.equal(cond.locked(), true);
        assert.equal(cond._waiters.size, 0);
        assert.equal(getRunningLoop().time(), 500);
        // A plain function body returning the operation: awaited by this task, so the deadline reaches it.
        yield* expectThrows(timeout(500, () => cond.wait()), TimeoutError);
        assert.equal(cond.locked(), true);
        assert.equal(getRunningLoop().time(), 1000);
      }
      assert.equal(String(cond), '<Condition [unlocked]>');
    });
    await runVirtual(async () => {
      const cond = new Condition();
      {
        using _ = await cond.hold();
        await expectRejects(waitFor(cond.wait(), 500), TimeoutError);
        assert.equal(cond.locked(), true);
        await expectRejects(timeout(500, () => cond.wait()), TimeoutError);
        assert.equal(cond.locked(), true);
        assert.equal(getRunningLoop().time(), 1000);
      }
      assert.equal(String(cond), '<Condition [unlocked]>');
    });
  });

  for (const style of ['generator', 'async'] as const) {
    test(`a consumer cancelled at any point around a notify() never loses it (${style}; asyncio test_cancelled_wakeup*)`, async () => {
      // Consumers X then Y wait for a token; one token is produced with notify(1) and X is
      // cancelled k iterations later (k = -1: just before the notify, same step). Whatever k,
      // exactly one of them takes the token and the other keeps waiting, with the lock free.
      for (let k = -1; k <= 6; k++) {
        await run(function* () {
          const cond = new Condition();
          let state = 0;
          const consumed: string[] = [];
          const consumer = (name: string): Task<void> =>
            style === 'generator'
              ? createTask(function* () {
                  using _ = yield* cond.hold();
                  for (;;) {
                    yield* cond.waitFor(() => state !== 0);
                    if (state < 0) return;
                    state--;
                    consumed.push(name);
                  }
                })
              : createTask(async () => {
                  using _ = await cond.hold();
                  for (;;) {
                    await cond.waitFor(() => state !== 0);
                    if (state < 0) return;
                    state--;
                    consumed.push(name);
                  }
                });
          const x = consumer('x');
          const y = consumer('y');
          yield* until(() => cond._waiters.size === 2 && !cond.locked(), 'two waiters');
          {
            using _ = yield* cond.hold();
            state++;
            if (k === -1) x.cancel();
            cond.notify(1);
            if (k === 0) x.cancel();
          }
          for (let i = 1; i < k; i++) yield* sleep(0);
          if (k >= 1) x.cancel();
          yield* until(() => state === 0 && !cond.locked() && cond._waiters.size === (x.done() ? 1 : 2), 'the token to be taken');
          assert.equal(consumed.length, 1, `k=${k}: ${consumed}`);
          assert.ok(x.cancelled(), `k=${k}`); // before or after taking the token, depending on k
          assert.ok(!y.done(), `k=${k}`);
          {
            using _ = yield* cond.hold();
            state = -1;
            cond.notifyAll();
          }
          yield* settle(x, y);
          assert.ok(y.done() && !y.cancelled(), `k=${k}`);
          assert.equal(String(cond), '<Condition [unlocked]>', `k=${k}`);
        });
      }
    });
  }
});
