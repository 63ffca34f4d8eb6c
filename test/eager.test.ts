/**
 * Eager tasks and task factories (asyncio 3.12+). Translated from CPython's
 * Lib/test/test_asyncio/test_eager_task_factory.py (EagerTaskFactoryLoopTests, the
 * task-counting tests), in both coroutine styles where they apply.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  sleep,
  gather,
  createTask,
  currentTask,
  allTasks,
  getRunningLoop,
  newEventLoop,
  taskGroup,
  Task,
  CancelledError,
  ContextVar,
  copyContext,
  eagerTaskFactory,
  createEagerTaskFactory,
  type Coro,
  type TaskOptions,
  type TaskTarget,
  type TaskConstructor,
} from '../src/index.ts';
import { taskStep } from '../src/tasks.ts';
import type { AbstractEventLoop } from '../src/loop/events.ts';

/** Runs `main` with the eager task factory set on the loop. */
function runEager<T>(main: () => Coro<T>): Promise<T> {
  return run(function* () {
    getRunningLoop().setTaskFactory(eagerTaskFactory);
    return yield* main();
  });
}

describe('eager task factory (test_eager_task_factory.py)', () => {
  test('getTaskFactory returns what setTaskFactory set; null resets (test_eager_task_factory_set)', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      assert.equal(loop.getTaskFactory(), null);
      loop.setTaskFactory(eagerTaskFactory);
      assert.equal(loop.getTaskFactory(), eagerTaskFactory);
      loop.setTaskFactory(null);
      assert.equal(loop.getTaskFactory(), null);
      assert.throws(() => loop.setTaskFactory(5 as never), /setTaskFactory\(\) expects factory to be a function or null, got number 5/);
    });
  });

  test('a task that does not suspend is done when createTask returns, and never scheduled (test_eager_completion)', async () => {
    await runEager(function* () {
      const loop = getRunningLoop();
      const pushes: unknown[] = [];
      const push = loop._pushReady;
      loop._pushReady = function (fn, arg) {
        if (fn === taskStep) pushes.push(arg);
        return push.call(this, fn, arg);
      };
      try {
        const t = createTask(function* () {
          return 'finished without blocking';
        });
        assert.equal(t.done(), true);
        assert.equal(t.result(), 'finished without blocking');
        assert.equal(pushes.includes(t), false);
        assert.equal(yield* t, 'finished without blocking');
        assert.equal(pushes.includes(t), false);
      } finally {
        loop._pushReady = push;
      }
    });
  });

  test('runs synchronously up to the first suspension, then as usual (test_block_after_eager_step)', async () => {
    const order: string[] = [];
    const result = await runEager(function* () {
      const t = createTask(function* () {
        order.push('eager step');
        yield* sleep(1);
        order.push('after blocking');
        return 'finished after blocking';
      });
      order.push('createTask returned');
      assert.equal(t.done(), false);
      return yield* t;
    });
    assert.equal(result, 'finished after blocking');
    assert.deepEqual(order, ['eager step', 'createTask returned', 'after blocking']);
  });

  test('an async-function task runs to its first await at once, and settles without a loop step', async () => {
    const order: string[] = [];
    const result = await runEager(function* () {
      const t = createTask(async () => {
        order.push('eager part');
        await sleep(0);
        order.push('rest');
        return 7;
      });
      order.push('createTask returned');
      const quick = createTask(async () => 42);
      assert.equal(quick.done(), false, 'a Promise settles in a microtask at the earliest');
      return [yield* t, yield* quick];
    });
    assert.deepEqual(result, [7, 42]);
    assert.deepEqual(order, ['eager part', 'createTask returned', 'rest']);
  });

  test('cancel() after an eager completion does nothing (test_cancellation_after_eager_completion)', async () => {
    const result = await runEager(function* () {
      const t = createTask(function* () {
        return 'finished without blocking';
      });
      assert.equal(t.cancel(), false);
      const r = yield* t;
      assert.equal(t.cancelled(), false);
      return r;
    });
    assert.equal(result, 'finished without blocking');
  });

  for (const style of ['generator', 'async'] as const) {
    test(`cancel() after the eager step blocked delivers the message (test_cancellation_after_eager_step_blocks, ${style})`, async () => {
      await assert.rejects(
        runEager(function* () {
          const t = createTask(
            style === 'generator'
              ? function* () {
                  yield* sleep(100);
                  return 'finished after blocking';
                }
              : async () => {
                  await sleep(100);
                  return 'finished after blocking';
                },
          );
          t.cancel('cancellation message');
          assert.ok(t.cancelling() > 0);
          yield* t;
        }),
        (error: unknown) => error instanceof CancelledError && error.message === 'cancellation message',
      );
    });

    test(`currentTask() in the eager step is the new task, before and after blocking (test_current_task, ${style})`, async () => {
      let captured: Task<unknown> | null = null;
      await runEager(function* () {
        const outer = currentTask();
        const t: Task<void> = createTask(
          style === 'generator'
            ? function* () {
                captured = currentTask();
                yield* sleep(1);
                assert.equal(currentTask(), captured);
              }
            : async () => {
                captured = currentTask();
                await sleep(1);
                assert.equal(currentTask(), captured);
              },
        );
        assert.equal(captured, t);
        assert.equal(currentTask(), outer, 'the creator is current again');
        yield* t;
      });
    });
  }

  test('allTasks() includes the task during its eager step only while it runs (test_all_tasks_with_eager_completion/_with_blocking)', async () => {
    await runEager(function* () {
      let seen: Set<Task<unknown>> | null = null;
      const t = createTask(function* () {
        seen = allTasks();
      });
      assert.ok(seen!.has(t));
      assert.equal(allTasks().has(t), false);

      const loop = getRunningLoop();
      const fut1 = loop.createFuture<void>();
      const fut2 = loop.createFuture<void>();
      let seen2: Set<Task<unknown>> | null = null;
      const blocking = createTask(function* () {
        seen2 = allTasks();
        yield* fut1;
        fut2.setResult();
      });
      assert.ok(seen2!.has(blocking));
      assert.ok(allTasks().has(blocking));
      fut1.setResult();
      yield* fut2;
      yield* sleep(0);
      assert.equal(allTasks().has(blocking), false);
    });
  });

  test('the eager step runs in a copy of the context; its sets stay in the task (test_context_vars)', async () => {
    const cv = new ContextVar<number>('cv', { default: 0 });
    let first = false;
    let second = false;
    await runEager(function* () {
      cv.set(1);
      const t = createTask(function* () {
        assert.equal(cv.get(), 1);
        cv.set(2);
        first = true;
        yield* sleep(1);
        assert.equal(cv.get(), 2);
        cv.set(3);
        second = true;
      });
      assert.equal(first, true);
      assert.equal(second, false);
      assert.equal(cv.get(), 1);
      // Created inside Context.run(): the eager step still runs in the task's own copy.
      const ctx = copyContext();
      ctx.run(() => createTask(function* () { cv.set(99); }));
      assert.equal(ctx.get(cv), 1);
      yield* t;
      assert.equal(second, true);
      assert.equal(cv.get(), 1);
    });
  });

  test('{ eagerStart: true } without a factory; { eagerStart: false } through the eager factory', async () => {
    const order: string[] = [];
    await run(function* () {
      const eager = createTask(function* () { order.push('eager'); }, { eagerStart: true });
      const lazy = createTask(function* () { order.push('lazy'); });
      order.push('created');
      getRunningLoop().setTaskFactory(eagerTaskFactory);
      const optOut = createTask(function* () { order.push('opted out'); }, { eagerStart: false });
      order.push('created 2');
      yield* gather(eager, lazy, optOut);
    });
    assert.deepEqual(order, ['eager', 'created', 'created 2', 'lazy', 'opted out']);
  });

  test('a loop that is not running schedules the first step, as asyncio does', async () => {
    const loop = newEventLoop();
    const order: string[] = [];
    const t = loop.createTask(function* () { order.push('ran'); return 1; }, { eagerStart: true });
    assert.deepEqual(order, []);
    assert.equal(await loop.runUntilComplete(t), 1);
    loop.close();
  });

  test('an error in the eager step fails the task, not createTask', async () => {
    await runEager(function* () {
      const t = createTask(function* () {
        throw new RangeError('eager failure');
      });
      assert.equal(t.done(), true);
      assert.throws(() => t.result(), RangeError);
    });
  });
});

describe('task counting (BaseTaskCountingTests)', () => {
  /** Counts the tasks created without eagerStart (asyncio's AsyncTaskCounter). */
  function counting(eager: boolean): { factory: (loop: AbstractEventLoop) => void; count: () => number } {
    let lazy = 0;
    const CountingTask = class<T> extends Task<T> {
      constructor(target: TaskTarget<T>, options?: TaskOptions, loop?: AbstractEventLoop) {
        if (options?.eagerStart !== true) lazy++;
        super(target, options, loop);
      }
    } as TaskConstructor;
    const factory = eager
      ? createEagerTaskFactory(CountingTask)
      : <T>(loop: AbstractEventLoop, target: TaskTarget<T>, options?: TaskOptions) => new CountingTask(target, options, loop);
    return { factory: (loop) => (loop as ReturnType<typeof getRunningLoop>).setTaskFactory(factory), count: () => lazy };
  }

  function* recursiveGather(width: number, depth: number): Coro<void> {
    if (depth === 0) return;
    const children = [];
    for (let i = 0; i < width; i++) children.push(recursiveGather(width, depth - 1));
    yield* gather(...children);
  }

  function* recursiveTaskGroups(width: number, depth: number): Coro<void> {
    if (depth === 0) return;
    yield* taskGroup(function* (tg) {
      for (let i = 0; i < width; i++) tg.createTask(recursiveTaskGroups(width, depth - 1));
    });
  }

  for (const eager of [false, true]) {
    test(`recursive gather and task groups create ${eager ? 'no lazy task' : '780 tasks'} (test_recursive_gather/taskgroups, eager=${eager})`, async () => {
      for (const body of [recursiveGather, recursiveTaskGroups]) {
        const counter = counting(eager);
        await run(function* () {
          counter.factory(getRunningLoop());
          yield* body(5, 4);
        });
        assert.equal(counter.count(), eager ? 0 : 780, body.name); // 5 + 5^2 + 5^3 + 5^4 (main is made before the factory)
      }
    });
  }
});
