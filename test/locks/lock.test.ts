import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Lock, createTask, gather, getRunningLoop, run, sleep, type Coro, type Task } from '../../src/index.js';
import { asyncSettle, asyncUntil, expectRejects, expectThrows, settle, until } from '../helpers/primitives.js';

describe('Lock with generator coroutines', () => {
  test('acquire() resolves to true and locks; release() unlocks', async () => {
    await run(function* () {
      const lock = new Lock();
      assert.equal(lock.locked(), false);
      assert.equal(yield* lock.acquire(), true);
      assert.equal(lock.locked(), true);
      lock.release();
      assert.equal(lock.locked(), false);
    });
  });

  test('release() of an unlocked lock throws asyncio’s RuntimeError as Error', () => {
    const lock = new Lock();
    assert.throws(() => lock.release(), (e: unknown) => e instanceof Error && e.message === 'Lock is not acquired.');
  });

  test('waiters get the lock one at a time, in FIFO order, one iteration after release()', async () => {
    await run(function* () {
      const lock = new Lock();
      const result: number[] = [];
      assert.equal(yield* lock.acquire(), true);
      const c = (n: number) =>
        function* (): Coro<boolean> {
          if (yield* lock.acquire()) result.push(n);
          return true;
        };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      yield* sleep(0);
      assert.deepEqual(result, []);
      lock.release();
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      yield* sleep(0);
      assert.deepEqual(result, [1]);
      const t3 = createTask(c(3));
      lock.release();
      yield* sleep(0);
      assert.deepEqual(result, [1, 2]);
      lock.release();
      yield* sleep(0);
      assert.deepEqual(result, [1, 2, 3]);
      for (const t of [t1, t2, t3]) assert.equal(t.result(), true);
    });
  });

  test('a new acquire() does not take a lock released to a woken waiter (no barging)', async () => {
    await run(function* () {
      const lock = new Lock();
      const order: string[] = [];
      yield* lock.acquire();
      const a = createTask(function* () {
        yield* lock.acquire();
        order.push('a');
        lock.release();
      });
      yield* sleep(0);
      lock.release(); // a is woken but has not run yet: the lock is free, yet promised to a
      assert.equal(lock.locked(), false);
      yield* lock.acquire(); // must queue behind a
      order.push('main');
      lock.release();
      assert.deepEqual(order, ['a', 'main']);
      assert.ok(a.done());
    });
  });

  test('cancelling a waiting acquire() removes the waiter and keeps the lock as it was', async () => {
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const task = createTask(lock.acquire());
      getRunningLoop().callSoon(() => task.cancel());
      yield* expectThrows(task, CancelledError);
      assert.equal(String(lock), '<Lock [locked]>');
      lock.release();
      assert.equal(lock.locked(), false);
      assert.equal(yield* lock.acquire(), true); // and it still works
    });
  });

  test('a waiter cancelled while the holder releases: release() skips it (asyncio test_cancel_race)', async () => {
    await run(function* () {
      const lock = new Lock();
      function* lockit(): Coro<void> {
        yield* lock.acquire();
        lock.release();
      }
      const fa = getRunningLoop().createFuture<void>();
      const ta = createTask(function* () {
        yield* lock.acquire();
        try {
          yield* fa;
        } finally {
          lock.release();
        }
      });
      yield* sleep(0);
      assert.ok(lock.locked());
      const tb = createTask(lockit());
      yield* sleep(0);
      assert.equal(String(lock), '<Lock [locked, waiters:1]>');
      const tc = createTask(lockit());
      yield* sleep(0);
      assert.equal(String(lock), '<Lock [locked, waiters:2]>');
      fa.setResult();
      tb.cancel();
      yield* sleep(0);
      assert.equal(lock.locked(), false); // released by ta, promised to tc
      assert.ok(ta.done());
      assert.ok(tb.cancelled());
      yield* tc;
      assert.equal(lock.locked(), false);
    });
  });

  test('cancel and release in one callback: exactly one waiter gets the lock (asyncio test_cancel_release_race)', async () => {
    await run(function* () {
      const lock = new Lock();
      let lockCount = 0;
      let callCount = 0;
      function* lockit(): Coro<void> {
        callCount++;
        yield* lock.acquire();
        lockCount++;
      }
      yield* lock.acquire();
      const t1 = createTask(lockit());
      const t2 = createTask(lockit());
      const t3 = createTask(lockit());
      yield* sleep(0);
      getRunningLoop().callSoon(() => {
        t1.cancel();
        lock.release();
      });
      yield* expectThrows(t1, CancelledError);
      assert.equal(lockCount, 1);
      assert.equal(callCount, 3);
      assert.ok(t1.cancelled() && t2.done());
      t3.cancel();
      yield* sleep(0);
      assert.ok(t3.cancelled());
    });
  });

  test('a waiter cancelled before release(): a task starting next takes the lock (asyncio test_finished_waiter_cancelled)', async () => {
    await run(function* () {
      const lock = new Lock();
      yield* lock.acquire();
      const tb = createTask(lock.acquire());
      yield* sleep(0);
      const tc = createTask(lock.acquire());
      tb.cancel();
      lock.release();
      yield* sleep(0);
      assert.ok(lock.locked());
      assert.ok(tb.cancelled());
      assert.equal(yield* tc, true);
    });
  });

  test('a waiter cancelled after it was woken passes the wake-up to the next waiter', async () => {
    await run(function* () {
      const lock = new Lock();
      const order: string[] = [];
      yield* lock.acquire();
      const worker = (name: string) =>
        createTask(function* () {
          yield* lock.acquire();
          order.push(name);
          yield* sleep(0);
          lock.release();
        });
      const a = worker('a');
      const b = worker('b');
      const c = worker('c');
      yield* sleep(0);
      lock.release(); // wakes a
      a.cancel(); // ... which is cancelled before it could take the lock
      yield* settle(a, b, c);
      assert.ok(a.cancelled());
      assert.deepEqual(order, ['b', 'c']);
      assert.equal(String(lock), '<Lock [unlocked]>');
    });
  });

  test('hold(): `using` releases on normal exit, on error and on cancellation', async () => {
    await run(function* () {
      const lock = new Lock();
      function* ok(): Coro<string> {
        using guard = yield* lock.hold();
        assert.ok(lock.locked());
        assert.ok(guard.held);
        return 'ok';
      }
      assert.equal(yield* ok(), 'ok');
      assert.equal(lock.locked(), false);

      function* fails(): Coro<void> {
        using _ = yield* lock.hold();
        throw new Error('boom');
      }
      yield* expectThrows(fails(), Error);
      assert.equal(lock.locked(), false);

      const forever = getRunningLoop().createFuture<void>();
      const holder = createTask(function* () {
        using _ = yield* lock.hold();
        yield* forever;
      });
      const waiter = createTask(function* () {
        using _ = yield* lock.hold(); // cancelled while waiting: holds nothing, releases nothing
      });
      yield* sleep(0);
      assert.ok(lock.locked());
      waiter.cancel();
      holder.cancel();
      yield* settle(holder, waiter);
      assert.ok(holder.cancelled() && waiter.cancelled());
      assert.equal(String(lock), '<Lock [unlocked]>');
    });
  });

  test('a Guard releases once however often it is released or disposed', async () => {
    await run(function* () {
      const lock = new Lock();
      const guard = yield* lock.hold();
      guard.release();
      guard.release();
      guard[Symbol.dispose]();
      assert.equal(guard.held, false);
      assert.equal(lock.locked(), false);
    });
  });

  test('many waiters: FIFO kept while waiters in the middle are cancelled', async () => {
    await run(function* () {
      const lock = new Lock();
      const order: number[] = [];
      yield* lock.acquire();
      const tasks = Array.from({ length: 2000 }, (_, i) =>
        createTask(function* () {
          yield* lock.acquire();
          order.push(i);
          lock.release();
        }),
      );
      yield* sleep(0);
      for (let i = 1; i < tasks.length; i += 3) tasks[i]!.cancel();
      lock.release();
      yield* settle(...tasks);
      const expected = tasks.map((_, i) => i).filter((i) => i % 3 !== 1);
      assert.deepEqual(order, expected);
      assert.equal(lock.locked(), false);
    });
  });

  test('toString() shows the state and the waiters', async () => {
    await run(function* () {
      const lock = new Lock();
      assert.equal(String(lock), '<Lock [unlocked]>');
      yield* lock.acquire();
      assert.equal(String(lock), '<Lock [locked]>');
      const t = createTask(lock.acquire());
      yield* sleep(0);
      assert.equal(String(lock), '<Lock [locked, waiters:1]>');
      lock.release();
      assert.equal(String(lock), '<Lock [unlocked, waiters:1]>'); // woken, on its way
      yield* t;
      assert.equal(String(lock), '<Lock [locked]>');
    });
  });

  test('is bound to the loop it first waits on', async () => {
    const lock = new Lock();
    await run(function* () {
      yield* lock.acquire();
      const t = createTask(lock.acquire()); // waits: binds the lock to this loop
      yield* sleep(0);
      lock.release();
      yield* t;
      lock.release();
    });
    await run(function* () {
      yield* lock.acquire(); // a free lock needs no loop
      const error = yield* expectThrows(lock.acquire(), Error);
      assert.match(error.message, /^<Lock \[locked\]> is bound to a different event loop$/);
      lock.release();
    });
  });
});

describe('Lock with async functions', () => {
  test('await acquire() / release(), FIFO between async tasks', async () => {
    await run(async () => {
      const lock = new Lock();
      const order: string[] = [];
      assert.equal(await lock.acquire(), true);
      const worker = (name: string) =>
        createTask(async () => {
          await lock.acquire();
          order.push(`${name}+`);
          await sleep(0);
          order.push(`${name}-`);
          lock.release();
        });
      const tasks = [worker('a'), worker('b'), worker('c')];
      await asyncUntil(() => String(lock) === '<Lock [locked, waiters:3]>', 'three waiters');
      lock.release();
      await gather(...tasks);
      assert.deepEqual(order, ['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
      assert.equal(lock.locked(), false);
    });
  });

  test('cancelling a task awaiting acquire() throws CancelledError there and removes the waiter', async () => {
    await run(async () => {
      const lock = new Lock();
      await lock.acquire();
      let reached = false;
      const task = createTask(async () => {
        await lock.acquire();
        reached = true;
      });
      await asyncUntil(() => String(lock) === '<Lock [locked, waiters:1]>', 'the waiter');
      task.cancel('stop');
      const error = await expectRejects(task, CancelledError);
      assert.equal(error.message, 'stop');
      assert.equal(reached, false);
      assert.equal(String(lock), '<Lock [locked]>');
      lock.release();
    });
  });

  test('an async waiter cancelled after being woken passes the lock on', async () => {
    await run(async () => {
      const lock = new Lock();
      const order: string[] = [];
      await lock.acquire();
      const worker = (name: string) =>
        createTask(async () => {
          await lock.acquire();
          order.push(name);
          lock.release();
        });
      const a = worker('a');
      const b = worker('b');
      await asyncUntil(() => String(lock) === '<Lock [locked, waiters:2]>', 'two waiters');
      lock.release();
      a.cancel();
      await asyncSettle(a, b);
      assert.ok(a.cancelled());
      assert.deepEqual(order, ['b']);
      assert.equal(lock.locked(), false);
    });
  });

  test('`using _ = await lock.hold()` releases on exit, on error and on cancellation', async () => {
    await run(async () => {
      const lock = new Lock();
      {
        using _ = await lock.hold();
        assert.ok(lock.locked());
      }
      assert.equal(lock.locked(), false);
      await expectRejects(
        (async () => {
          using _ = await lock.hold();
          throw new Error('boom');
        })(),
        Error,
      );
      assert.equal(lock.locked(), false);
      const holder = createTask(async () => {
        using _ = await lock.hold();
        await getRunningLoop().createFuture<void>();
      });
      await asyncUntil(() => lock.locked(), 'the holder');
      holder.cancel();
      await gather(holder, { returnExceptions: true });
      assert.equal(lock.locked(), false);
    });
  });

  test('a cancel requested before the await throws at the await and takes nothing', async () => {
    await run(async () => {
      const lock = new Lock();
      const started = getRunningLoop().createFuture<void>();
      const task = createTask(async () => {
        await new Promise<void>((resolve) => started.addDoneCallback(() => resolve()));
        await lock.acquire(); // the cancel requested meanwhile arrives here
      });
      await sleep(0);
      task.cancel();
      started.setResult();
      await expectRejects(task, CancelledError);
      assert.equal(lock.locked(), false);
    });
  });
});

describe('Lock: more asyncio behaviours (review)', () => {
  test('release() skips waiters cancelled but not yet run and wakes the first live one at once', async () => {
    // asyncio keeps a cancelled waiter in its deque until its task runs, and release() then
    // wakes nobody: the live waiter is woken one iteration later, by the cancelled task. aio
    // unlinks a cancelled waiter at once, so release() wakes the live one itself. The order
    // in which waiters get the lock is the same; only that iteration is saved.
    await run(function* () {
      const lock = new Lock();
      const order: string[] = [];
      const worker = (name: string) =>
        createTask(function* () {
          yield* lock.acquire();
          order.push(name);
          lock.release();
        });
      yield* lock.acquire();
      const a = worker('a');
      const b = worker('b');
      const c = worker('c');
      yield* sleep(0);
      assert.equal(String(lock), '<Lock [locked, waiters:3]>');
      a.cancel();
      b.cancel();
      assert.equal(String(lock), '<Lock [locked, waiters:1]>');
      lock.release();
      assert.equal(String(lock), '<Lock [unlocked, waiters:1]>'); // c is on its way
      const d = worker('d'); // its first step runs after c has released
      yield* sleep(0);
      assert.deepEqual(order, ['c', 'd']);
      assert.ok(a.cancelled() && b.cancelled() && c.done() && d.done());
      assert.equal(String(lock), '<Lock [unlocked]>');
    });
  });

  for (const style of ['generator', 'async'] as const) {
    test(`cancelling the next waiter at every point of a hand-over never loses the lock (${style})`, async () => {
      // Holder A releases at iteration 0; B (next in line) is cancelled at iteration k; C waits
      // behind B. Whatever k, C gets the lock, B either had it (and released it) or is
      // cancelled, and the lock ends free.
      for (let k = -1; k <= 4; k++) {
        await run(function* () {
          const lock = new Lock();
          const log: string[] = [];
          const hold = (name: string): Task<void> =>
            style === 'generator'
              ? createTask(function* () {
                  yield* lock.acquire();
                  try {
                    log.push(name);
                    yield* sleep(0);
                  } finally {
                    lock.release();
                  }
                })
              : createTask(async () => {
                  await lock.acquire();
                  try {
                    log.push(name);
                    await sleep(0);
                  } finally {
                    lock.release();
                  }
                });
          yield* lock.acquire();
          const b = hold('b');
          const c = hold('c');
          yield* until(() => lock._waiters.size === 2, 'two waiters');
          if (k === -1) b.cancel();
          lock.release();
          for (let i = 0; i < k; i++) yield* sleep(0);
          if (k >= 0) b.cancel();
          yield* settle(b, c);
          assert.ok(log.includes('c'), `k=${k}: c never got the lock (${log})`);
          if (!b.cancelled()) assert.ok(log.includes('b'), `k=${k}: b finished without the lock`);
          assert.deepEqual(log, log.includes('b') ? ['b', 'c'] : ['c'], `k=${k}`);
          assert.equal(String(lock), '<Lock [unlocked]>', `k=${k}`);
        });
      }
    });
  }
});
