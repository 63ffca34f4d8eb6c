import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Barrier, BrokenBarrierError, CancelledError, createTask, gather, run, sleep, type Coro, type Task } from '../../src/index.js';
import type { Suspend } from '../../src/futures.js';
import { expectRejects, expectThrows, settle } from '../helpers/primitives.js';

const N = 5;

function* gatherTasks<T>(n: number, coro: () => Iterator<Suspend, T, unknown>): Coro<T[]> {
  const tasks = Array.from({ length: n }, () => createTask(coro()));
  return yield* gather(...tasks);
}

describe('Barrier: construction and state', () => {
  test('parties must be an integer >= 1', () => {
    assert.throws(() => new Barrier(0), { name: 'RangeError', message: 'parties must be > 0, got 0' });
    assert.throws(() => new Barrier(-4), RangeError);
    assert.throws(() => new Barrier(2.5), { name: 'RangeError', message: 'parties must be an integer, got 2.5' });
    assert.throws(() => new Barrier('3' as unknown as number), TypeError);
    const b = new Barrier(N);
    assert.equal(b.parties, N);
    assert.equal(b.nWaiting, 0);
    assert.equal(b.broken, false);
    assert.equal(b.state, 'filling');
    assert.equal(String(b), '<Barrier [filling, waiters:0/5]>');
  });

  test('toString() follows filling, draining, resetting and broken (asyncio test_repr)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const waiters: Task<number>[] = [];
      const add = (n: number): void => {
        for (let i = 0; i < n; i++) waiters.push(createTask(barrier.wait()));
      };
      add(2);
      yield* sleep(0);
      assert.equal(String(barrier), '<Barrier [filling, waiters:2/5]>');
      add(barrier.parties - barrier.nWaiting);
      yield* sleep(0);
      assert.equal(barrier.state, 'draining');
      assert.equal(String(barrier), '<Barrier [draining, waiters:0/5]>');
      add(2); // these wait for the next cycle
      yield* sleep(0);
      yield* barrier.reset();
      assert.equal(barrier.state, 'resetting');
      add(2);
      yield* sleep(0);
      yield* barrier.abort();
      assert.equal(String(barrier), '<Barrier [broken]>');
      assert.ok(barrier.broken);
      yield* settle(...waiters);
    });
  });
});

describe('Barrier with generator coroutines', () => {
  test('each task of a cycle gets a distinct index 0..parties-1', async () => {
    await run(function* () {
      const barrier = new Barrier(3);
      const results = yield* gatherTasks(3, () => barrier.wait());
      assert.deepEqual([...results].sort(), [0, 1, 2]);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
      // and again, in order of arrival
      const again = yield* gatherTasks(3, () => barrier.wait());
      assert.deepEqual(again, [0, 1, 2]);
    });
  });

  test('one party passes at once, twice (asyncio test_filling_one_task, _twice)', async () => {
    await run(function* () {
      const barrier = new Barrier(1);
      assert.equal(yield* barrier.wait(), 0);
      const t1 = createTask(barrier.wait());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 0);
      const t2 = createTask(barrier.wait());
      yield* sleep(0);
      assert.equal(t1.result(), t2.result());
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });
  });

  test('nWaiting counts the tasks as they arrive (asyncio test_filling_task_by_task)', async () => {
    await run(function* () {
      const barrier = new Barrier(3);
      const t1 = createTask(barrier.wait());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 1);
      const t2 = createTask(barrier.wait());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 2);
      const t3 = createTask(barrier.wait());
      yield* sleep(0);
      yield* gather(t1, t2, t3);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });
  });

  test('waiting twice in a row, and the index of the second cycle (asyncio test_filling_tasks_wait_twice, _check_return_value)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results: boolean[] = [];
      const indexes = yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        results.push(true);
        const i = yield* barrier.wait();
        results.push(false);
        return i;
      });
      assert.equal(results.filter((r) => r).length, N);
      assert.equal(results.filter((r) => !r).length, N);
      assert.deepEqual([...indexes].sort(), [0, 1, 2, 3, 4]);
      assert.equal(barrier.nWaiting, 0);
    });
  });

  test('draining until the last task leaves (asyncio test_draining_state)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results: boolean[] = [];
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        results.push(String(barrier).includes('draining'));
      });
      assert.equal(results.length, N);
      assert.equal(results[N - 1], false);
      assert.ok(results.slice(0, N - 1).every((r) => r));
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });
  });

  test('tasks arriving while it drains wait for the next cycle (asyncio test_blocking_tasks_while_draining)', async () => {
    await run(function* () {
      const rewait = 2;
      const barrier = new Barrier(N);
      const barrierNoWaiting = new Barrier(N - rewait);
      let rewaitN = rewait;
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        if (rewaitN > 0) {
          rewaitN--;
          yield* barrier.wait();
        } else {
          yield* barrierNoWaiting.wait();
          yield* barrier.wait();
        }
      });
      assert.equal(barrier.nWaiting, 0);
    });
  });

  test('a cancelled waiter leaves the count right (asyncio test_filling_tasks_cancel_one)', async () => {
    await run(function* () {
      const barrier = new Barrier(3);
      const results: boolean[] = [];
      function* coro(): Coro<void> {
        yield* barrier.wait();
        results.push(true);
      }
      const t1 = createTask(coro());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 1);
      const t2 = createTask(coro());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 2);
      t1.cancel();
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 1);
      yield* expectThrows(t1, CancelledError);
      assert.ok(t1.cancelled());
      const t3 = createTask(coro());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 2);
      const t4 = createTask(coro());
      yield* gather(t2, t3, t4);
      assert.equal(results.length, 3);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });
  });

  test('reset() of an empty barrier (asyncio test_reset_barrier)', async () => {
    await run(function* () {
      const barrier = new Barrier(1);
      createTask(barrier.reset());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });
  });

  test('reset() does nothing until awaited, like asyncio’s coroutine', async () => {
    await run(function* () {
      const barrier = new Barrier(2);
      const t = createTask(barrier.wait());
      yield* sleep(0);
      const reset = barrier.reset();
      yield* sleep(0);
      assert.equal(barrier.state, 'filling');
      yield* reset;
      assert.equal(barrier.state, 'resetting');
      yield* expectThrows(t, BrokenBarrierError);
      assert.equal(barrier.state, 'filling');
    });
  });

  test('reset() while tasks wait: they throw BrokenBarrierError (asyncio test_reset_barrier_while_tasks_waiting)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results: boolean[] = [];
      const tasks = Array.from({ length: N - 1 }, () =>
        createTask(function* () {
          try {
            yield* barrier.wait();
          } catch (error) {
            if (!(error instanceof BrokenBarrierError)) throw error;
            assert.equal(error.message, 'Abort or reset of barrier');
            results.push(true);
          }
        }),
      );
      yield* sleep(0);
      createTask(barrier.reset());
      yield* gather(...tasks);
      assert.deepEqual(results, [true, true, true, true]);
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes('resetting'));
      assert.equal(barrier.broken, false);
    });
  });

  test('reset() by a task that passed, while others drain (asyncio test_reset_barrier_when_tasks_half_draining)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const restOfTasks = Math.floor(N / 2);
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results1.push(true);
          return;
        }
        if (restOfTasks === barrier._count) yield* barrier.reset();
      });
      assert.deepEqual(results1, Array(restOfTasks).fill(true));
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes('resetting'));
      assert.equal(barrier.broken, false);
    });
  });

  test('reset() while half drain and half block (asyncio test_reset_barrier_when_tasks_half_draining_half_blocking)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const blockingTasks = Math.floor(N / 2);
      let count = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results1.push(true);
          yield* barrier.wait();
          return;
        }
        count++;
        if (count > blockingTasks) {
          yield* barrier.reset();
          yield* barrier.wait();
        } else {
          try {
            yield* barrier.wait();
          } catch (error) {
            if (!(error instanceof BrokenBarrierError)) throw error;
            results2.push(true);
          }
        }
      });
      assert.deepEqual(results1, Array(blockingTasks).fill(true));
      assert.deepEqual(results2, []);
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes('resetting'));
      assert.equal(barrier.broken, false);
    });
  });

  test('reset() then everyone waits again (asyncio test_reset_barrier_while_tasks_waiting_and_waiting_again)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const tasks = Array.from({ length: N - 1 }, () =>
        createTask(function* () {
          try {
            yield* barrier.wait();
          } catch (error) {
            if (!(error instanceof BrokenBarrierError)) throw error;
            results1.push(true);
          } finally {
            yield* barrier.wait();
            results2.push(true);
          }
        }),
      );
      createTask(barrier.reset());
      yield* sleep(0);
      createTask(function* () {
        yield* barrier.wait();
        results2.push(true);
      });
      yield* gather(...tasks);
      assert.equal(barrier.broken, false);
      assert.equal(results1.length, N - 1);
      assert.equal(results2.length, N);
      assert.equal(barrier.nWaiting, 0);
    });
  });

  test('reset() by the last task out while the others wait again (asyncio test_reset_barrier_while_tasks_draining)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const results3: boolean[] = [];
      let count = 0;
      yield* gatherTasks(N, function* () {
        yield* barrier.wait();
        count++;
        if (count === N) {
          yield* barrier.reset();
          yield* barrier.wait();
        } else {
          try {
            yield* barrier.wait();
            results1.push(true);
          } catch {
            results2.push(true);
          }
        }
        yield* barrier.wait();
        results3.push(true);
      });
      assert.equal(barrier.broken, false);
      assert.equal(results1.length, N - 1);
      assert.equal(results2.length, 0);
      assert.equal(results3.length, N);
      assert.equal(barrier.nWaiting, 0);
    });
  });

  test('abort() breaks it for good (asyncio test_abort_barrier)', async () => {
    await run(function* () {
      const barrier = new Barrier(1);
      createTask(barrier.abort());
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 0);
      assert.ok(barrier.broken);
      const error = yield* expectThrows(barrier.wait(), BrokenBarrierError);
      assert.equal(error.message, 'Barrier aborted');
      yield* barrier.reset(); // a reset makes it usable again
      assert.equal(barrier.broken, false);
      assert.equal(yield* barrier.wait(), 0);
    });
  });

  test('abort() while half drain and half block (asyncio test_abort_barrier_when_tasks_half_draining_half_blocking)', async () => {
    await run(function* () {
      const barrier = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const blockingTasks = Math.floor(N / 2);
      let count = 0;
      yield* gatherTasks(N, function* () {
        try {
          yield* barrier.wait();
        } catch (error) {
          if (!(error instanceof BrokenBarrierError)) throw error;
          results1.push(true);
          return;
        }
        count++;
        if (count > blockingTasks) {
          yield* barrier.abort();
        } else {
          try {
            yield* barrier.wait();
          } catch (error) {
            if (!(error instanceof BrokenBarrierError)) throw error;
            results2.push(true);
          }
        }
      });
      assert.ok(barrier.broken);
      assert.deepEqual(results1, Array(blockingTasks).fill(true));
      assert.deepEqual(results2, Array(N - blockingTasks - 1).fill(true));
      assert.equal(barrier.nWaiting, 0);
      assert.ok(!String(barrier).includes('resetting'));
    });
  });

  test('abort() on an error, then reset() (asyncio test_abort_barrier_when_exception, _then_resetting)', async () => {
    await run(function* () {
      const barrier1 = new Barrier(N);
      const barrier2 = new Barrier(N);
      const results1: boolean[] = [];
      const results2: boolean[] = [];
      const results3: boolean[] = [];
      yield* gatherTasks(N, function* () {
        try {
          const i = yield* barrier1.wait();
          if (i === Math.floor(N / 2)) throw new RangeError('fails');
          yield* barrier1.wait();
          results1.push(true);
        } catch (error) {
          if (error instanceof BrokenBarrierError) results2.push(true);
          else if (error instanceof RangeError) yield* barrier1.abort();
          else throw error;
        }
        const i = yield* barrier2.wait();
        if (i === Math.floor(N / 2)) yield* barrier1.reset();
        yield* barrier2.wait();
        yield* barrier1.wait();
        results3.push(true);
      });
      assert.equal(barrier1.broken, false);
      assert.equal(results1.length, 0);
      assert.equal(results2.length, N - 1);
      assert.equal(results3.length, N);
      assert.equal(barrier1.nWaiting, 0);
    });
  });
});

describe('Barrier with async functions', () => {
  test('await wait() gives distinct indexes; await reset()/abort()', async () => {
    await run(async () => {
      const barrier = new Barrier(3);
      const tasks = [0, 1, 2].map(() => createTask(async () => barrier.wait()));
      const indexes = await gather(...tasks);
      assert.deepEqual([...indexes].sort(), [0, 1, 2]);
      const waiting = createTask(async () => barrier.wait());
      await sleep(0);
      await sleep(0);
      await barrier.abort();
      await expectRejects(waiting, BrokenBarrierError);
      await expectRejects(barrier.wait(), BrokenBarrierError);
      await barrier.reset();
      assert.equal(barrier.broken, false);
    });
  });

  test('a cancelled async waiter leaves the count right', async () => {
    await run(async () => {
      const barrier = new Barrier(2);
      const t1 = createTask(async () => barrier.wait());
      for (let i = 0; i < 10 && barrier.nWaiting < 1; i++) await sleep(0);
      assert.equal(barrier.nWaiting, 1);
      t1.cancel();
      await expectRejects(t1, CancelledError);
      assert.equal(barrier.nWaiting, 0);
      const [a, b] = await gather(
        createTask(async () => barrier.wait()),
        createTask(function* () {
          return yield* barrier.wait();
        }),
      );
      assert.deepEqual([a, b].sort(), [0, 1]);
    });
  });
});

describe('Barrier: more asyncio behaviours (review)', () => {
  test('indexes are the order of arrival; a cancelled waiter’s place is counted again, as in asyncio', async () => {
    await run(function* () {
      const barrier = new Barrier(3);
      const t1 = createTask(barrier.wait()); // index 0
      const t2 = createTask(barrier.wait()); // index 1
      yield* sleep(0);
      assert.equal(barrier.nWaiting, 2);
      t1.cancel();
      yield* sleep(0);
      assert.ok(t1.cancelled());
      assert.equal(barrier.nWaiting, 1);
      const t3 = createTask(barrier.wait()); // arrives second in the count: index 1 again
      const t4 = createTask(barrier.wait());
      assert.deepEqual(yield* gather(t2, t3, t4), [1, 1, 2]);
      assert.equal(String(barrier), '<Barrier [filling, waiters:0/3]>');
    });
  });

  test('a task cancelled while the barrier drains still leaves, and the next cycle fills', async () => {
    await run(function* () {
      const barrier = new Barrier(2);
      const a = createTask(barrier.wait());
      const b = createTask(barrier.wait());
      yield* sleep(0); // b released everybody: a is woken, draining
      assert.equal(barrier.state, 'draining');
      a.cancel(); // woken but not resumed: it must still leave the barrier
      yield* settle(a, b);
      assert.ok(a.cancelled());
      assert.equal(b.result(), 1);
      assert.equal(barrier.state, 'filling');
      assert.deepEqual(yield* gather(barrier.wait(), barrier.wait()), [0, 1]);
    });
  });
});
