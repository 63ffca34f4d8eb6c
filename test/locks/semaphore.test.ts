import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BoundedSemaphore,
  CancelledError,
  Semaphore,
  TimeoutError,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  waitFor,
  type Coro,
  type Task,
} from '../../src/index.js';
import { runVirtual } from '../../src/testing/index.js';
import { asyncSettle, asyncUntil, expectRejects, expectThrows, hops, settle, until } from '../helpers/primitives.js';

describe('Semaphore: construction', () => {
  test('value defaults to 1; Semaphore(0) is locked', () => {
    assert.equal(String(new Semaphore()), '<Semaphore [unlocked, value:1]>');
    assert.ok(new Semaphore(0).locked());
    assert.equal(new Semaphore(Infinity).locked(), false);
  });

  test('invalid values say what was expected and what was got', () => {
    assert.throws(() => new Semaphore(-1), {
      name: 'RangeError',
      message: 'Semaphore initial value must be >= 0, got -1',
    });
    assert.throws(() => new Semaphore(1.5), { name: 'RangeError', message: 'Semaphore initial value must be an integer, got 1.5' });
    assert.throws(() => new Semaphore('3' as unknown as number), {
      name: 'TypeError',
      message: 'Semaphore() expects a number of permits, got string "3"',
    });
    assert.throws(() => new BoundedSemaphore(-2), { name: 'RangeError', message: 'BoundedSemaphore initial value must be >= 0, got -2' });
    assert.throws(() => new Semaphore(NaN), TypeError);
    assert.throws(() => new BoundedSemaphore(Infinity), { name: 'RangeError', message: 'BoundedSemaphore initial value must be finite, got Infinity' });
  });
});

describe('Semaphore with generator coroutines', () => {
  test('acquire() takes permits; waiters are served in order (asyncio test_acquire)', async () => {
    await run(function* () {
      const sem = new Semaphore(3);
      const result: number[] = [];
      assert.equal(yield* sem.acquire(), true);
      assert.equal(yield* sem.acquire(), true);
      assert.equal(sem.locked(), false);
      const c = (n: number) =>
        function* (): Coro<boolean> {
          yield* sem.acquire();
          result.push(n);
          return true;
        };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      const t3 = createTask(c(3));
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      assert.ok(sem.locked());
      assert.equal(String(sem), '<Semaphore [locked, waiters:2]>');
      assert.equal(sem._value, 0);

      const t4 = createTask(c(4)); // starts before t2 and t3 resume: must wait its turn
      sem.release();
      sem.release();
      assert.equal(sem._value, 0);
      yield* sleep(0);
      assert.equal(sem._value, 0);
      assert.deepEqual(result, [1, 2, 3]);
      assert.ok(sem.locked());
      assert.equal(String(sem), '<Semaphore [locked, waiters:1]>');
      assert.ok(t1.done() && t2.done() && t3.done() && !t4.done());
      sem.release();
      yield* gather(t2, t3, t4);
      assert.deepEqual(result, [1, 2, 3, 4]);
    });
  });

  test('a cancelled acquire leaves no waiter behind (asyncio test_acquire_cancel)', async () => {
    await run(function* () {
      const sem = new Semaphore();
      yield* sem.acquire();
      const acquire = createTask(sem.acquire());
      getRunningLoop().callSoon(() => acquire.cancel());
      yield* expectThrows(acquire, CancelledError);
      assert.equal(String(sem), '<Semaphore [locked]>');
      sem.release();
      assert.equal(String(sem), '<Semaphore [unlocked, value:1]>');
    });
  });

  test('waiters cancelled before release() are skipped (asyncio test_acquire_cancel_before_awoken)', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const [t1, t2, t3, t4] = [1, 2, 3, 4].map(() => createTask(sem.acquire())) as Task<true>[];
      yield* sleep(0);
      t1!.cancel();
      t2!.cancel();
      sem.release();
      yield* hops(2);
      assert.ok(t3!.done());
      assert.equal(t4!.done(), false);
      t4!.cancel();
      yield* settle(t1!, t2!, t3!, t4!);
      assert.equal(String(sem), '<Semaphore [locked]>'); // t3 holds the only permit
    });
  });

  test('no hang when the first waiter is cancelled (asyncio test_acquire_hang)', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const t1 = createTask(sem.acquire());
      const t2 = createTask(sem.acquire());
      yield* sleep(0);
      t1.cancel();
      sem.release();
      yield* hops(2);
      assert.ok(sem.locked());
      assert.ok(t2.done());
    });
  });

  test('a waiter woken then cancelled gives its permit back (asyncio test_acquire_no_hang)', async () => {
    await run(function* () {
      const sem = new Semaphore(1);
      let t2: Task<void> | null = null;
      const t1 = createTask(function* () {
        {
          using _ = yield* sem.hold();
          yield* sleep(0);
        }
        t2!.cancel(); // t2 was just woken by the release
      });
      t2 = createTask(function* () {
        using _ = yield* sem.hold();
        assert.fail('t2 must not get the permit');
      });
      yield* settle(t1, t2);
      assert.equal(t1.result(), undefined);
      assert.ok(t2.cancelled());
      const t3 = createTask(sem.acquire());
      yield* until(() => t3.done(), 'acquire() after the race', 10);
      assert.equal(String(sem), '<Semaphore [locked]>');
    });
  });

  test('woken then cancelled: the permit goes to the next waiter, not lost, not doubled', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const got: string[] = [];
      const waiter = (name: string) =>
        createTask(function* () {
          yield* sem.acquire();
          got.push(name);
        });
      const a = waiter('a');
      const b = waiter('b');
      const c = waiter('c');
      yield* sleep(0);
      sem.release(); // to a
      a.cancel(); // ... who cannot take it any more
      yield* settle(a, b);
      assert.deepEqual(got, ['b']);
      assert.equal(c.done(), false);
      assert.equal(String(sem), '<Semaphore [locked, waiters:1]>');
      sem.release();
      yield* settle(c);
      assert.deepEqual(got, ['b', 'c']);
      assert.equal(sem._value, 0);
    });
  });

  test('release() with nobody waiting unlocks (asyncio test_release_no_waiters)', async () => {
    await run(function* () {
      const sem = new Semaphore();
      yield* sem.acquire();
      assert.ok(sem.locked());
      sem.release();
      assert.equal(sem.locked(), false);
    });
  });

  test('FIFO: a task that releases and re-acquires goes to the back (asyncio test_acquire_fifo_order)', async () => {
    await run(function* () {
      const sem = new Semaphore(1);
      const result: string[] = [];
      const coro = (tag: string) =>
        function* (): Coro<void> {
          yield* sem.acquire();
          result.push(`${tag}_1`);
          yield* sleep(0);
          sem.release();
          yield* sem.acquire();
          result.push(`${tag}_2`);
          yield* sleep(0);
          sem.release();
        };
      yield* gather(createTask(coro('c1')), createTask(coro('c2')), createTask(coro('c3')));
      assert.deepEqual(result, ['c1_1', 'c2_1', 'c3_1', 'c1_2', 'c2_2', 'c3_2']);
    });
  });

  test('FIFO with two releases at once (asyncio test_acquire_fifo_order_2)', async () => {
    await run(function* () {
      const sem = new Semaphore(1);
      const result: number[] = [];
      const t1 = createTask(function* () {
        yield* sem.acquire();
        result.push(1);
      });
      const t2 = createTask(function* () {
        yield* sem.acquire();
        result.push(2);
        sem.release();
        yield* sem.acquire();
        result.push(4);
      });
      const t3 = createTask(function* () {
        yield* sem.acquire();
        result.push(3);
      });
      yield* sleep(0);
      sem.release();
      sem.release();
      yield* gather(t1, t2, t3);
      assert.deepEqual(result, [1, 2, 3, 4]);
    });
  });

  test('FIFO after a cancelled first waiter (asyncio test_acquire_fifo_order_3)', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const result: number[] = [];
      const c = (n: number) =>
        createTask(function* () {
          yield* sem.acquire();
          result.push(n);
        });
      const tasks = [c(1), c(2), c(3)];
      yield* sleep(0);
      tasks[0]!.cancel();
      yield* sleep(0);
      sem.release();
      sem.release();
      yield* settle(...tasks);
      assert.deepEqual(result, [2, 3]);
    });
  });

  test('a woken waiter lets in the waiters FIFO made wait (asyncio test_acquire_fifo_order_4)', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const result: number[] = [];
      let t4: Task<void> | null = null;
      const t1 = createTask(function* () {
        assert.equal(sem._value, 0);
        yield* sem.acquire();
        assert.equal(sem._value, 0); // the permits left went to t2 and t3
        t4 = createTask(function* () {
          result.push(4);
        });
        result.push(1);
      });
      const t2 = createTask(function* () {
        sem.release();
        sem.release();
        sem.release();
        assert.equal(sem._value, 2);
        assert.ok(sem.locked()); // t1 has not woken up yet
        yield* sem.acquire();
        result.push(2);
      });
      const t3 = createTask(function* () {
        yield* sem.acquire();
        assert.ok(sem.locked());
        result.push(3);
      });
      yield* sleep(0);
      assert.equal(sem._value, 2);
      assert.equal(String(sem), '<Semaphore [locked, waiters:3]>');
      yield* sleep(0);
      yield* gather(t1, t2, t3, t4!);
      assert.deepEqual(result, [1, 2, 3, 4]);
    });
  });

  test('locked() is true while others wait, even with a free permit', async () => {
    await run(function* () {
      const sem = new Semaphore(1);
      yield* sem.acquire();
      const t = createTask(sem.acquire());
      yield* sleep(0);
      sem.release(); // handed to t, which has not resumed yet
      assert.ok(sem.locked());
      yield* t;
      assert.ok(sem.locked());
      sem.release();
      assert.equal(sem.locked(), false);
    });
  });

  test('hold(): `using` releases the permit however the block exits', async () => {
    await run(function* () {
      const sem = new Semaphore(2);
      function* work(fail: boolean): Coro<string> {
        using guard = yield* sem.hold();
        assert.ok(guard.held);
        yield* sleep(0);
        if (fail) throw new Error('boom');
        return 'ok';
      }
      const tasks = [createTask(work(false)), createTask(work(true)), createTask(work(false))];
      yield* settle(...tasks);
      assert.equal(tasks[0]!.result(), 'ok');
      assert.ok(tasks[1]!.exception() instanceof Error);
      assert.equal(String(sem), '<Semaphore [unlocked, value:2]>');
      const blocked = createTask(function* () {
        using _ = yield* sem.hold();
        yield* getRunningLoop().createFuture<void>();
      });
      const blocked2 = createTask(function* () {
        using _ = yield* sem.hold();
        yield* getRunningLoop().createFuture<void>();
      });
      const waiting = createTask(sem.hold());
      yield* sleep(0);
      assert.equal(String(sem), '<Semaphore [locked, waiters:1]>');
      waiting.cancel();
      blocked.cancel();
      blocked2.cancel();
      yield* settle(blocked, blocked2, waiting);
      assert.equal(String(sem), '<Semaphore [unlocked, value:2]>');
    });
  });

  test('a large fan-out never runs more than the limit at once and conserves permits', async () => {
    await run(function* () {
      const sem = new Semaphore(8);
      let running = 0;
      let peak = 0;
      const tasks = Array.from({ length: 500 }, (_, i) =>
        createTask(function* () {
          using _ = yield* sem.hold();
          peak = Math.max(peak, ++running);
          try {
            yield* hops(i % 3);
          } finally {
            running--;
          }
          return i;
        }),
      );
      yield* sleep(0);
      for (let i = 5; i < tasks.length; i += 7) tasks[i]!.cancel();
      yield* settle(...tasks);
      assert.equal(peak, 8);
      assert.equal(running, 0);
      assert.equal(String(sem), '<Semaphore [unlocked, value:8]>');
    });
  });
});

describe('BoundedSemaphore', () => {
  test('release() beyond the initial value throws RangeError (asyncio test_release_not_acquired)', async () => {
    const sem = new BoundedSemaphore();
    assert.throws(() => sem.release(), { name: 'RangeError', message: 'BoundedSemaphore released too many times' });
    await run(function* () {
      const two = new BoundedSemaphore(2);
      yield* two.acquire();
      yield* two.acquire();
      two.release();
      two.release();
      assert.throws(() => two.release(), RangeError);
      assert.equal(String(two), '<BoundedSemaphore [unlocked, value:2]>');
    });
  });

  test('a permit handed to a woken waiter counts: releasing it again is an over-release', async () => {
    await run(function* () {
      const sem = new BoundedSemaphore(1);
      yield* sem.acquire();
      const t = createTask(sem.acquire());
      yield* sleep(0);
      sem.release(); // the holder's release: to t
      assert.throws(() => sem.release(), RangeError); // nobody holds a permit now
      yield* t;
      sem.release();
      assert.equal(sem.locked(), false);
    });
  });
});

describe('Semaphore with async functions', () => {
  test('await acquire()/release() and `using _ = await sem.hold()`', async () => {
    await run(async () => {
      const sem = new Semaphore(2);
      let running = 0;
      let peak = 0;
      const tasks = Array.from({ length: 10 }, (_, i) =>
        createTask(async () => {
          using _ = await sem.hold();
          peak = Math.max(peak, ++running);
          await sleep(0);
          running--;
          return i;
        }),
      );
      assert.deepEqual(await gather(...tasks), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(peak, 2);
      assert.equal(await sem.acquire(), true);
      sem.release();
      assert.equal(String(sem), '<Semaphore [unlocked, value:2]>');
    });
  });

  test('cancelled async waiters, before and after being woken, lose no permit', async () => {
    await run(async () => {
      const sem = new Semaphore(0);
      const got: string[] = [];
      const waiter = (name: string) =>
        createTask(async () => {
          await sem.acquire();
          got.push(name);
        });
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(waiter) as Task<void>[];
      await asyncUntil(() => String(sem) === '<Semaphore [locked, waiters:4]>', 'four waiters');
      b!.cancel(); // still waiting
      sem.release(); // to a
      a!.cancel(); // woken, then cancelled
      await asyncSettle(a!, b!, c!);
      assert.deepEqual(got, ['c']);
      assert.ok(a!.cancelled() && b!.cancelled());
      d!.cancel();
      await expectRejects(d!, CancelledError);
      assert.equal(String(sem), '<Semaphore [locked]>');
    });
  });
});

describe('Semaphore: more asyncio behaviours (review)', () => {
  test('a waiter kept waiting by FIFO and cancelled before the woken one resumes: the next one gets its permit (asyncio test_acquire_fifo_order_4 + cancel)', async () => {
    await run(function* () {
      const sem = new Semaphore(0);
      const order: number[] = [];
      const c = (n: number) =>
        createTask(function* () {
          yield* sem.acquire();
          order.push(n);
        });
      const t1 = c(1);
      yield* sleep(0); // t1 waits
      const t2 = c(2);
      const t3 = c(3);
      const t4 = c(4);
      // Runs after t2..t4 queued (FIFO: t1 was woken first) and before t1 resumes.
      getRunningLoop().callSoon(() => t2.cancel());
      sem.release(); // to t1
      sem.release();
      sem.release();
      assert.equal(sem._value, 2);
      assert.ok(sem.locked());
      yield* sleep(0);
      // t1 took its permit and handed the two free ones to t3 and t4, skipping t2.
      assert.deepEqual(order, [1]);
      assert.equal(sem._value, 0);
      assert.equal(String(sem), '<Semaphore [locked, waiters:2]>');
      yield* sleep(0);
      assert.deepEqual(order, [1, 3, 4]);
      assert.ok(t1.done() && t2.cancelled() && t3.done() && t4.done());
      assert.equal(String(sem), '<Semaphore [locked]>');
    });
  });

  for (const style of ['generator', 'async'] as const) {
    test(`acquires under waitFor() deadlines lose no permit, whoever times out (${style}; gh-90155)`, async () => {
      await runVirtual(function* () {
        const sem = new Semaphore(1);
        yield* sem.acquire();
        const outcomes: string[] = [];
        const worker = (i: number, deadline: number): Task<void> =>
          style === 'generator'
            ? createTask(function* () {
                try {
                  yield* waitFor(sem.acquire(), deadline);
                } catch (error) {
                  outcomes.push(`${i}:${(error as Error).name}@${getRunningLoop().time()}`);
                  return;
                }
                outcomes.push(`${i}:got@${getRunningLoop().time()}`);
                yield* sleep(50);
                sem.release();
              })
            : createTask(async () => {
                try {
                  await waitFor(sem.acquire(), deadline);
                } catch (error) {
                  outcomes.push(`${i}:${(error as Error).name}@${getRunningLoop().time()}`);
                  return;
                }
                outcomes.push(`${i}:got@${getRunningLoop().time()}`);
                await sleep(50);
                sem.release();
              });
        const tasks = [worker(0, 100), worker(1, 200), worker(2, 120), worker(3, 1000)];
        yield* sleep(150);
        sem.release(); // 0 and 2 have given up: 1 gets it, then 3
        yield* gather(...tasks);
        assert.deepEqual(outcomes, ['0:TimeoutError@100', '2:TimeoutError@120', '1:got@150', '3:got@200']);
        assert.equal(String(sem), '<Semaphore [unlocked, value:1]>');
        // A release at the very moment a deadline expires: the permit stays available.
        const sem2 = new Semaphore(0);
        const late = createTask(function* () {
          yield* waitFor(sem2.acquire(), 100);
        });
        yield* sleep(100);
        sem2.release();
        yield* expectThrows(late, TimeoutError);
        assert.equal(String(sem2), '<Semaphore [unlocked, value:1]>');
      });
    });
  }
});
