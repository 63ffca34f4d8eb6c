import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BrokenBarrierError,
  CancelledError,
  Condition,
  Event,
  Lock,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  Semaphore,
  createTask,
  ensureFuture,
  gather,
  TimeoutError,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  taskGroup,
  timeout,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';
import { WaiterQueue, type WaiterFuture } from '../src/waiters.js';
import { expectThrows, settle } from './helpers/primitives.js';

describe('WaiterQueue', () => {
  test('FIFO wake-ups; cancelling a waiter removes it at once, wherever it is', () => {
    const loop = newEventLoop();
    const q = new WaiterQueue();
    const w = [0, 1, 2, 3, 4].map(() => q.add<string>(loop));
    assert.equal(q.size, 5);
    assert.ok(w[2]!.cancel());
    assert.ok(w[0]!.cancel());
    assert.ok(w[4]!.cancel());
    assert.equal(q.size, 2);
    assert.ok(q.wakeFirst('first'));
    assert.equal(w[1]!.result(), 'first');
    assert.equal(w[1]!.cancel(), false);
    assert.equal(q.wakeAll('rest'), 1);
    assert.equal(w[3]!.result(), 'rest');
    assert.equal(q.size, 0);
    assert.equal(q.wakeFirst('none'), false);
    loop.close();
  });

  test('a waiter queued again with its ticket goes back to its place', () => {
    const loop = newEventLoop();
    const q = new WaiterQueue();
    const a = q.add(loop);
    const b = q.add(loop);
    const c = q.add(loop);
    q.wakeFirst(null); // a
    q.wakeFirst(null); // b
    const b2 = q.add(loop, b._ticket); // b waits again: ahead of c
    const a2 = q.add(loop, a._ticket); // a too: ahead of b
    const d = q.add(loop); // a newcomer: at the back
    const order = [];
    let w = q._tail!; // circular: the first is the one after the last
    do order.push((w = w._next!));
    while (w !== q._tail);
    assert.deepEqual(order, [a2, b2, c, d]);
    q.wakeAll(null);
    assert.equal(q._tail, null);
    loop.close();
  });

  test('any mix of adds, re-queues, cancels and wake-ups keeps the order a sorted array would', () => {
    // The list is reached through its last waiter alone (the first is `_tail._next`, with no
    // `_prev`): every way in and out is checked against a model, at every size.
    const loop = newEventLoop();
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 16807) % 2147483647) % n;
    for (let round = 0; round < 200; round++) {
      const q = new WaiterQueue();
      let model: WaiterFuture<unknown>[] = [];
      const woken: number[] = [];
      for (let step = 0; step < 30; step++) {
        const op = random(4);
        if (op === 0 || model.length === 0) model.push(q.add(loop));
        else if (op === 1) {
          const [w] = model.splice(random(model.length), 1);
          w!.cancel();
        } else if (op === 2) {
          const w = model.shift()!;
          assert.equal(q.wakeFirst(null), true);
          assert.equal(w.done(), true);
          woken.push(w._ticket);
        } else if (woken.length > 0) {
          // A woken waiter waits again with its ticket: back to its place.
          const ticket = woken.splice(random(woken.length), 1)[0]!;
          if (model.every((w) => w._ticket !== ticket)) {
            model.push(q.add(loop, ticket));
            model = model.sort((a, b) => a._ticket - b._ticket);
          }
        }
        const order: unknown[] = [];
        if (q._tail !== null) {
          let w = q._tail;
          do order.push((w = w._next!));
          while (w !== q._tail);
        }
        assert.deepEqual(order, model);
        assert.deepEqual(
          model.map((w) => w._prev),
          model.map((_, i) => (i === 0 ? null : model[i - 1])),
        );
        assert.equal(q.size, model.length);
      }
    }
    loop.close();
  });

  test('100k waiters: adding, cancelling every other one and waking the rest stays linear', () => {
    const loop = newEventLoop();
    const q = new WaiterQueue();
    const waiters = Array.from({ length: 100_000 }, () => q.add(loop));
    const start = performance.now();
    for (let i = 0; i < waiters.length; i += 2) waiters[i]!.cancel();
    assert.equal(q.wakeAll(true), 50_000);
    assert.ok(performance.now() - start < 2000);
    loop.close();
  });
});

describe('operations (acquire(), get(), wait(), …)', () => {
  test('are lazy like coroutines: nothing happens until awaited', async () => {
    await run(function* () {
      const lock = new Lock();
      const op = lock.acquire();
      assert.equal(lock.locked(), false);
      yield* sleep(0);
      assert.equal(lock.locked(), false);
      assert.equal(yield* op, true);
      assert.ok(lock.locked());
      const q = new Queue<number>();
      q.putNowait(1);
      const get = q.get();
      assert.equal(q.qsize(), 1);
      assert.equal(yield* get, 1);
    });
  });

  test('createTask(), ensureFuture() and gather() run them like coroutines', async () => {
    await run(function* () {
      const lock = new Lock();
      const sem = new Semaphore(2);
      const ev = new Event();
      const task = createTask(lock.acquire());
      assert.equal(lock.locked(), false); // not started yet
      const all = gather(sem.acquire(), sem.acquire(), ensureFuture(ev.wait()));
      yield* sleep(0);
      assert.ok(task.done() && lock.locked());
      ev.set();
      assert.deepEqual(yield* all, [true, true, true]);
      assert.ok(sem.locked());
    });
  });

  test('a task cancelled before it starts never acquires', async () => {
    await run(function* () {
      const lock = new Lock();
      const task = createTask(lock.acquire());
      task.cancel();
      yield* expectThrows(task, CancelledError);
      assert.equal(lock.locked(), false);
    });
  });

  test('yield* of an operation already awaited throws; awaiting it twice gives the same outcome', async () => {
    await run(async () => {
      const lock = new Lock();
      const op = lock.acquire();
      assert.equal(await op, true);
      assert.equal(await op, true); // the same outcome, not a second acquisition
      lock.release();
      assert.equal(lock.locked(), false);
      const used = lock.acquire();
      await createTask(function* () {
        yield* used;
        const error = yield* expectThrows(used, Error);
        assert.equal(error.message, 'cannot reuse an already awaited operation');
      });
    });
  });

  test('the same primitive serves generator and async-function tasks together', async () => {
    await run(function* () {
      const lock = new Lock();
      const cond = new Condition(lock);
      const order: string[] = [];
      const tasks = [
        createTask(function* () {
          using _ = yield* lock.hold();
          order.push('gen');
          yield* sleep(0);
        }),
        createTask(async () => {
          using _ = await cond.hold();
          order.push('async');
          await sleep(0);
        }),
        createTask(function* () {
          using _ = yield* cond.hold();
          order.push('gen2');
        }),
      ];
      yield* settle(...tasks);
      // An async function's `await op` starts the operation a microtask later (when the
      // await calls `then`), after the generator steps of the same loop iteration.
      assert.deepEqual(order, ['gen', 'gen2', 'async']);
      assert.equal(lock.locked(), false);
    });
  });

  test('a plain function body returning an operation or a Future is awaited by the calling task: the deadline reaches it', async () => {
    // timeout(ms, () => op) in a generator task used to follow the operation through `then()`
    // like a foreign promise: cancelling the task could not reach it (a hang, or a deadline
    // honoured only when the awaitable finished by itself).
    await runVirtual(function* () {
      const lock = new Lock();
      const ev = new Event();
      yield* lock.acquire();
      yield* expectThrows(timeout(100, () => lock.acquire()), TimeoutError);
      assert.equal(getRunningLoop().time(), 100);
      assert.equal(String(lock), '<Lock [locked]>'); // the waiter is gone
      yield* expectThrows(timeout(100, () => ev.wait()), TimeoutError);
      yield* expectThrows(timeout(100, () => sleep(1000)), TimeoutError);
      assert.equal(getRunningLoop().time(), 300);
      getRunningLoop().callLater(10, () => lock.release());
      assert.equal(yield* timeout(100, () => lock.acquire()), true);
      getRunningLoop().callLater(10, () => ev.set());
      assert.equal(yield* taskGroup(() => ev.wait()), true);
      assert.equal(String(ev), '<Event [set]>');
    });
  });

  test('waiting outside a running loop throws; a free primitive needs no loop', async () => {
    const lock = new Lock();
    assert.equal(await lock.acquire(), true);
    await assert.rejects(Promise.resolve(lock.acquire()), { message: 'no running event loop' });
    lock.release();
  });
});

test('the error classes extend Error and carry their names', () => {
  for (const cls of [QueueEmpty, QueueFull, QueueShutDown, BrokenBarrierError]) {
    const error = new cls('message');
    assert.ok(error instanceof Error);
    assert.equal(error.name, cls.name);
    assert.equal(String(error), `${cls.name}: message`);
  }
});
