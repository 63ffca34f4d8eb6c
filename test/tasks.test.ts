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
  Task,
  CancelledError,
  type EventLoop,
  type Coro,
} from '../src/index.ts';

/** Catches what awaiting `aw` throws, inside a coroutine. */
function* caught(aw: Task<unknown> | Coro<unknown>): Coro<unknown> {
  try {
    yield* aw;
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('Task: scheduling order (compared with CPython asyncio)', () => {
  // Each expected order below was produced by the same program written with asyncio
  // (CPython 3.11; these orders are unchanged in 3.13).

  test('tasks start in creation order; coroutines are lazy', async () => {
    const seen = await run(function* () {
      const seen: string[] = [];
      function* work(name: string): Coro<void> {
        seen.push(name);
      }
      const a = work('a'); // runs nothing
      const t1 = createTask(work('t1'));
      const t2 = createTask(a);
      const t3 = createTask(function* () {
        seen.push('t3');
      });
      seen.push('created');
      yield* t1;
      yield* t2;
      yield* t3;
      return seen;
    });
    assert.deepEqual(seen, ['created', 't1', 'a', 't3']);
  });

  test('sleep(0) is exactly one hop: two tasks interleave', async () => {
    // asyncio: ['A0', 'B0', 'soon', 'A1', 'B1', 'A2', 'B-end', 'A-end']
    const order = await run(function* () {
      const loop = getRunningLoop();
      const order: string[] = [];
      function* w(name: string, n: number): Coro<void> {
        for (let i = 0; i < n; i++) {
          order.push(`${name}${i}`);
          yield* sleep(0);
        }
        order.push(`${name}-end`);
      }
      const ts = [createTask(w('A', 3)), createTask(w('B', 2))];
      loop.callSoon(() => order.push('soon'));
      yield* gather(...ts);
      return order;
    });
    assert.deepEqual(order, ['A0', 'B0', 'soon', 'A1', 'B1', 'A2', 'B-end', 'A-end']);
  });

  test('a task awaiting a future resumes one iteration after it completes; done callbacks first', async () => {
    // asyncio: ['waiter start', 'setter start', 'cb1', 'setter set', 'done-cb1',
    //           'waiter got 1', 'setter hop1', 'setter hop2']
    const order = await run(function* () {
      const loop = getRunningLoop();
      const order: string[] = [];
      const fut = loop.createFuture<number>();
      function* waiter(): Coro<void> {
        order.push('waiter start');
        const v = yield* fut;
        order.push(`waiter got ${v}`);
      }
      function* setter(): Coro<void> {
        order.push('setter start');
        yield* sleep(0);
        fut.setResult(1);
        order.push('setter set');
        yield* sleep(0);
        order.push('setter hop1');
        yield* sleep(0);
        order.push('setter hop2');
      }
      const t1 = createTask(waiter());
      const t2 = createTask(setter());
      loop.callSoon(() => order.push('cb1'));
      fut.addDoneCallback(() => order.push('done-cb1'));
      yield* t1;
      yield* t2;
      return order;
    });
    assert.deepEqual(order, [
      'waiter start',
      'setter start',
      'cb1',
      'setter set',
      'done-cb1',
      'waiter got 1',
      'setter hop1',
      'setter hop2',
    ]);
  });

  test('a task awaiting another task resumes one iteration after it finishes', async () => {
    // asyncio: ['outer start', 'tick0', 'inner', 'tick1', 'outer got 5', 'tick2', 'tick3', 'tick4']
    const order = await run(function* () {
      const order: string[] = [];
      function* inner(): Coro<number> {
        order.push('inner');
        return 5;
      }
      function* outer(): Coro<void> {
        order.push('outer start');
        const v = yield* createTask(inner());
        order.push(`outer got ${v}`);
      }
      function* ticker(): Coro<void> {
        for (let i = 0; i < 5; i++) {
          order.push(`tick${i}`);
          yield* sleep(0);
        }
      }
      yield* gather(outer(), ticker());
      return order;
    });
    assert.deepEqual(order, ['outer start', 'tick0', 'inner', 'tick1', 'outer got 5', 'tick2', 'tick3', 'tick4']);
  });

  test('yield* of a coroutine runs it inline (no hop), like await of a coroutine', async () => {
    const order = await run(function* () {
      const order: string[] = [];
      function* child(): Coro<number> {
        order.push('child');
        return 1;
      }
      const other = createTask(function* () {
        order.push('other');
      });
      order.push('before');
      yield* child();
      order.push('after');
      yield* other;
      return order;
    });
    assert.deepEqual(order, ['before', 'child', 'after', 'other']);
  });

  test('a bare `yield` (null) is one hop, like asyncio’s bare yield', async () => {
    const order = await run(function* () {
      const order: string[] = [];
      const t = createTask(function* () {
        order.push('t');
      });
      yield null;
      order.push('main after hop');
      yield* t;
      return order;
    });
    assert.deepEqual(order, ['t', 'main after hop']);
  });
});

describe('Task: basics', () => {
  test('result, exception, names, getCoro', async () => {
    await run(function* () {
      const coro = (function* (): Coro<string> {
        yield* sleep(0);
        return 'ok';
      })();
      const t = createTask(coro, { name: 'worker' });
      assert.equal(t.getName(), 'worker');
      assert.equal(t.getCoro(), coro);
      t.setName('renamed');
      assert.equal(t.getName(), 'renamed');
      assert.match(String(t), /pending.*renamed/);
      assert.equal(yield* t, 'ok');
      assert.equal(t.result(), 'ok');
      assert.match(String(t), /finished/);

      const unnamed = createTask(function* () {});
      assert.match(unnamed.getName(), /^Task-\d+$/);
      // The name and the context share a field (Task._nameOrContext): each survives the other's change.
      const defaultName = unnamed.getName();
      const context = unnamed.getContext();
      assert.equal(unnamed.getName(), defaultName);
      assert.equal(unnamed.getContext(), context);
      unnamed.setName('named later');
      assert.equal(unnamed.getName(), 'named later');
      assert.equal(unnamed.getContext(), context);

      const error = new RangeError('task failed');
      const failing = createTask(function* (): Coro<never> {
        yield* sleep(0);
        throw error;
      });
      assert.equal(yield* caught(failing), error);
      assert.equal(failing.exception(), error);
    });
  });

  test('any value can be thrown: the task fails with it', async () => {
    await run(function* () {
      const t = createTask(function* (): Coro<never> {
        yield* sleep(0);
        throw 'a string'; // eslint-disable-line no-throw-literal
      });
      assert.equal(yield* caught(t), 'a string');
      assert.equal(t.exception(), 'a string');
    });
  });

  test('allTasks() includes pending async-function tasks', async () => {
    await run(function* () {
      const t = createTask(async () => {
        await sleep(60_000);
      });
      yield* sleep(0);
      assert.ok(allTasks().has(t));
      t.cancel();
      yield* caught(t);
      assert.equal(allTasks().has(t), false);
    });
  });

  test('runUntilComplete(future of another loop) is a RangeError', () => {
    const a = newEventLoop();
    const b = newEventLoop();
    assert.throws(() => a.runUntilComplete(b.createFuture()), RangeError);
    a.close();
    b.close();
  });

  test('createTask rejects what is not a coroutine, generator function or function', async () => {
    await run(function* () {
      assert.throws(() => createTask(42 as never), TypeError);
      assert.throws(() => createTask({} as never), TypeError);
    });
  });

  test('createTask outside a running loop throws', () => {
    assert.throws(() => createTask(function* () {}), { message: 'no running event loop' });
  });

  test('setResult / setException on a Task throw', async () => {
    await run(function* () {
      const t = createTask(function* () {
        yield* sleep(0);
      });
      assert.throws(() => t.setResult(undefined), { message: 'Task does not support setResult() operation' });
      assert.throws(() => t.setException(new Error()), { message: 'Task does not support setException() operation' });
      yield* t;
    });
  });

  test('currentTask(): the task in a generator task, null outside', async () => {
    assert.equal(currentTask(), null);
    await run(function* () {
      const main = currentTask();
      assert.ok(main instanceof Task);
      const child = createTask(function* () {
        const self = currentTask();
        yield* sleep(0);
        assert.equal(currentTask(), self);
        return self;
      });
      assert.equal(yield* child, child);
      assert.equal(currentTask(), main);
      // In a plain callback of the loop, no task is running.
      const loop = getRunningLoop();
      const inCallback = loop.createFuture<unknown>();
      loop.callSoon(() => inCallback.setResult(currentTask()));
      assert.equal(yield* inCallback, null);
    });
    assert.equal(currentTask(), null);
  });

  test('allTasks(): pending tasks only', async () => {
    await run(function* () {
      const main = currentTask()!;
      const sleeper = createTask(function* () {
        yield* sleep(60_000);
      });
      const quick = createTask(function* () {});
      assert.deepEqual(allTasks(), new Set([main, sleeper, quick]));
      yield* quick;
      assert.deepEqual(allTasks(), new Set([main, sleeper]));
      sleeper.cancel();
      yield* caught(sleeper);
      assert.deepEqual(allTasks(), new Set([main]));
    });
  });

  test('a task awaiting itself gets an error thrown inside it', async () => {
    const message = await run(function* () {
      const t: Task<string> = createTask(function* () {
        const error = yield* caught(t as Task<unknown>);
        return (error as Error).message;
      });
      return yield* t;
    });
    assert.match(message, /Task cannot await on itself/);
  });

  test('a Future of another loop gets an error thrown inside the task', async () => {
    const other = newEventLoop();
    const foreign = other.createFuture<number>();
    const message = await run(function* () {
      try {
        yield* foreign;
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    assert.match(message, /attached to a different loop/);
    other.close();
  });

  test('yielding something else is a bad-yield error inside the task', async () => {
    const message = await run(function* () {
      try {
        yield 42 as never;
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    assert.match(message, /bad yield/);
  });
});

describe('Task: cancellation (as asyncio)', () => {
  test('cancel a task blocked on a Future: the future is cancelled, CancelledError thrown at that point', async () => {
    await run(function* () {
      const fut = getRunningLoop().createFuture<number>();
      const seen: string[] = [];
      const t = createTask(function* () {
        try {
          yield* fut;
        } catch (error) {
          seen.push(`caught ${(error as Error).name}: ${(error as Error).message}`);
          throw error;
        }
      });
      yield* sleep(0);
      assert.equal(t.cancel('stop it'), true);
      assert.equal(fut.cancelled(), true);
      assert.equal(t.done(), false); // delivered at the task's next step
      const error = yield* caught(t);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'stop it');
      assert.deepEqual(seen, ['caught CancelledError: stop it']);
      assert.equal(t.cancelled(), true);
      assert.equal(t.cancel(), false); // already done
    });
  });

  test('cancel before the first step: the coroutine body never runs', async () => {
    await run(function* () {
      let ran = false;
      const t = createTask(function* () {
        ran = true;
      });
      t.cancel('early');
      const error = yield* caught(t);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'early');
      assert.equal(ran, false);
      assert.equal(t.cancelled(), true);
    });
  });

  test('self-cancel then return: the task ends cancelled', async () => {
    await run(function* () {
      const t = createTask(function* () {
        currentTask()!.cancel('self');
        return 1;
      });
      const error = yield* caught(t);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'self');
      assert.equal(t.cancelled(), true);
    });
  });

  test('catch CancelledError and return: the task ends with the result', async () => {
    await run(function* () {
      const t = createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
          yield* sleep(0); // may still await after catching
          return 'cleaned up';
        }
        return 'not cancelled';
      });
      yield* sleep(0);
      t.cancel();
      assert.equal(yield* t, 'cleaned up');
      assert.equal(t.cancelled(), false);
      assert.equal(t.cancelling(), 1);
    });
  });

  test('catch CancelledError and throw another error: the task fails with it', async () => {
    await run(function* () {
      const t = createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch {
          throw new TypeError('replaced');
        }
      });
      yield* sleep(0);
      t.cancel();
      const error = yield* caught(t);
      assert.ok(error instanceof TypeError);
      assert.equal(t.cancelled(), false);
    });
  });

  test('the cancel message survives to the awaiter (and to result())', async () => {
    await run(function* () {
      const inner = createTask(function* () {
        yield* sleep(60_000);
      });
      const outer = createTask(function* () {
        return yield* inner;
      });
      yield* sleep(0);
      inner.cancel('my message');
      const error = yield* caught(outer);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'my message');
      assert.equal(outer.cancelled(), true);
      assert.throws(() => inner.result(), (e) => e instanceof CancelledError && e.message === 'my message');
    });
  });

  test('cancelling the outer task cancels the task it awaits', async () => {
    await run(function* () {
      const inner = createTask(function* () {
        yield* sleep(60_000);
      });
      const outer = createTask(function* () {
        yield* inner;
      });
      yield* sleep(0);
      outer.cancel();
      yield* caught(outer);
      assert.equal(inner.cancelled(), true);
      assert.equal(outer.cancelled(), true);
    });
  });

  test('an awaited task that swallows the cancellation lets the outer task go on (asyncio)', async () => {
    // asyncio: the outer's cancel() cancels the inner task; if the inner returns a value,
    // the outer gets that value and is not cancelled (cancelling() stays 1).
    await run(function* () {
      const inner = createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch {
          return 'swallowed';
        }
        return 'not cancelled';
      });
      const outer = createTask(function* () {
        const r = yield* inner;
        yield* sleep(0);
        return r;
      });
      yield* sleep(0);
      yield* sleep(0);
      outer.cancel();
      assert.equal(yield* outer, 'swallowed');
      assert.equal(outer.cancelling(), 1);
    });
  });

  test('cancelling() counts requests; uncancel() decrements', async () => {
    await run(function* () {
      const t = createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch {
          return currentTask()!.cancelling();
        }
        return -1;
      });
      yield* sleep(0);
      assert.equal(t.cancelling(), 0);
      t.cancel();
      t.cancel();
      assert.equal(t.cancelling(), 2);
      assert.equal(yield* t, 2);
      assert.equal(t.uncancel(), 1);
      assert.equal(t.uncancel(), 0);
      assert.equal(t.uncancel(), 0);
    });
  });

  test('uncancel() to zero withdraws a cancel not delivered yet (asyncio 3.13)', async () => {
    await run(function* () {
      const t = createTask(function* () {
        yield* sleep(0);
        return 'ran to the end';
      });
      yield* sleep(0); // t is now on its bare hop: nothing to cancel but the next step
      t.cancel();
      assert.equal(t.cancelling(), 1);
      assert.equal(t.uncancel(), 0);
      assert.equal(yield* t, 'ran to the end');
    });
  });

  test('a task can be cancelled again after catching a cancellation', async () => {
    await run(function* () {
      const seen: string[] = [];
      const t = createTask(function* () {
        for (let i = 0; i < 2; i++) {
          try {
            yield* sleep(60_000);
          } catch (error) {
            seen.push((error as Error).message);
          }
        }
        yield* sleep(60_000);
      });
      yield* sleep(0);
      t.cancel('first');
      yield* sleep(0);
      yield* sleep(0);
      t.cancel('second');
      yield* sleep(0);
      yield* sleep(0);
      t.cancel('third');
      const error = yield* caught(t);
      assert.deepEqual(seen, ['first', 'second']);
      assert.equal((error as Error).message, 'third');
      assert.equal(t.cancelling(), 3);
    });
  });

  test('a cancel requested while the task is ready to run is thrown at its next step', async () => {
    await run(function* () {
      const seen: string[] = [];
      const fut = getRunningLoop().createFuture<number>();
      const t = createTask(function* () {
        try {
          yield* fut;
          seen.push('resumed normally');
        } catch (error) {
          seen.push(`caught ${(error as Error).name}`);
        }
      });
      yield* sleep(0);
      fut.setResult(1); // t's wake-up is now scheduled
      t.cancel(); // fut is done: the cancel is kept for t's next step
      yield* t;
      assert.deepEqual(seen, ['caught CancelledError']);
    });
  });

  test('a task that is cancelled while sleeping cancels its timer', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const timers: Parameters<EventLoop['_addTimer']>[0][] = [];
      const addTimer = loop._addTimer;
      loop._addTimer = function (this: EventLoop, timer) {
        addTimer.call(this, timer);
        timers.push(timer);
      };
      const t = createTask(function* () {
        yield* sleep(60_000);
      });
      yield* sleep(0);
      assert.equal(timers.length, 1);
      assert.equal(timers[0]!._cancelled, false);
      t.cancel();
      yield* caught(t);
      assert.equal(t.cancelled(), true);
      assert.equal(timers[0]!._cancelled, true);
      assert.equal(loop._nextTimerWhen(), Infinity); // nothing left to wait for
      loop._addTimer = addTimer;
    });
  });
});

describe('Task: bad yields say what to do (review regressions)', () => {
  function* badYield(value: unknown): Coro<string> {
    try {
      yield value as never;
      return 'no error';
    } catch (error) {
      return (error as Error).message;
    }
  }

  test('yield of a sleep, a coroutine or a Promise names it and gives the fix', async () => {
    await run(function* () {
      function* child(): Coro<number> {
        return 1;
      }
      assert.equal(
        yield* badYield(sleep(10)),
        'Task got bad yield: <sleep 10 ms> (use yield*, not yield, to await it)',
      );
      assert.equal(
        yield* badYield(child()),
        'Task got bad yield: Generator object (use yield*, not yield, to await it)',
      );
      assert.match(
        yield* badYield(Promise.resolve(1)),
        /^Task got bad yield: Promise object \(.*use yield\* ensureFuture\(promise\)\)$/,
      );
      assert.match(yield* badYield(42), /^Task got bad yield: number 42 \(/);
    });
  });

  // asyncio: the error is thrown in by a __step scheduled with it; a cancel requested before
  // that step replaces it with CancelledError, unless uncancel() took the request back.
  test('a cancel before the step that throws the error in wins; uncancel() gives the error back', async () => {
    await run(function* () {
      const cancelled = createTask(badYield(42));
      const uncancelled = createTask(badYield(42));
      yield* sleep(0); // both yielded 42; the steps that throw the error in are queued
      cancelled.cancel('stop');
      uncancelled.cancel('stop');
      assert.equal(uncancelled.uncancel(), 0);
      assert.equal(yield* uncancelled, 'Task got bad yield: number 42 (a coroutine suspends only through yield* on an awaitable: a Future, a Task, a coroutine, sleep(), …)');
      assert.equal(yield* cancelled, 'stop'); // badYield caught the CancelledError and returned its message
    });
  });
});

describe('Task: names (review regressions)', () => {
  test('a name that is not a string is converted, not mistaken for the default numbering', async () => {
    await run(function* () {
      assert.equal(createTask(sleep(0), { name: 5 as never }).getName(), '5');
      assert.match(createTask(sleep(0)).getName(), /^Task-\d+$/);
    });
  });
});

describe('Task: a second cancel() while the first is on its way (asyncio)', () => {
  // CPython: the first cancel cancels the awaited future; the second finds it cancelled and
  // only sets _must_cancel, which __step folds into the future's CancelledError: the coroutine,
  // its awaiter and the future all see the first message.
  function* blocked(on: Coro<unknown> | Task<unknown>, seen: string[]): Coro<string> {
    try {
      yield* on;
    } catch (error) {
      seen.push((error as Error).message);
      throw error;
    }
    return 'not cancelled';
  }

  for (const [what, make] of [
    ['a Future', () => getRunningLoop().createFuture<void>()],
    ['a sleep', () => sleep(1000)],
  ] as const) {
    test(`generator task blocked on ${what}: everyone sees the first message`, async () => {
      await run(function* () {
        const seen: string[] = [];
        const on = make();
        const task = createTask(blocked(on as unknown as Coro<unknown>, seen));
        yield* sleep(0);
        task.cancel('first');
        task.cancel('second');
        const error = yield* caught(task);
        assert.ok(error instanceof CancelledError);
        assert.equal(error.message, 'first');
        assert.deepEqual(seen, ['first']);
        assert.equal(task.cancelling(), 2);
      });
    });
  }

  test('async-function task: the await sees the first message, and no second cancel follows', async () => {
    await run(async () => {
      const future = getRunningLoop().createFuture<void>();
      const seen: string[] = [];
      const task = createTask(async () => {
        try {
          await future;
        } catch (error) {
          seen.push((error as Error).message);
        }
        await sleep(1); // the second cancel() was folded into the first: this is not cancelled
        return 'went on';
      });
      await sleep(0);
      task.cancel('first');
      task.cancel('second');
      assert.equal(await task, 'went on');
      assert.deepEqual(seen, ['first']);
      assert.equal(future.cancelled(), true);
    });
  });

  test('two cancels before the first step: the last message (CPython 3.11–3.13)', async () => {
    await run(function* () {
      const task = createTask(sleep(1000));
      task.cancel('a');
      task.cancel('b');
      const error = yield* caught(task);
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, 'b');
    });
  });
});

describe('Task: a coroutine object runs in one Task only (asyncio: cannot reuse already awaited coroutine)', () => {
  function* five(): Coro<number> {
    yield* sleep(1);
    return 5;
  }

  test('createTask(c) twice throws, naming the task that runs it; the first task is unharmed', async () => {
    await run(function* () {
      const coro = five();
      const first = createTask(coro, { name: 'first' });
      assert.throws(() => createTask(coro), /cannot reuse already awaited coroutine: .* already run by <Task pending name="first">/);
      assert.equal(yield* first, 5);
      assert.throws(() => createTask(coro), /cannot reuse already awaited coroutine/);
    });
  });

  test('run(c) twice, gather and ensureFuture refuse a coroutine a Task already ran', async () => {
    const coro = five();
    assert.equal(await run(coro), 5);
    await assert.rejects(async () => run(coro), /cannot reuse already awaited coroutine/);
    await run(function* () {
      const again = five();
      const task = createTask(again);
      assert.throws(() => gather(again), /cannot reuse already awaited coroutine/);
      yield* task;
    });
  });

  test('the same coroutine given twice to one gather() runs once, as in asyncio', async () => {
    await run(function* () {
      const coro = five();
      assert.deepEqual(yield* gather(coro, coro), [5, 5]);
    });
  });
});

describe('Task: introspection functions check their loop argument', () => {
  test('allTasks()/currentTask() with something that is not a loop say so', async () => {
    await run(function* () {
      assert.throws(() => allTasks('x' as never), {
        name: 'TypeError',
        message: 'allTasks() expects loop to be an event loop (e.g. getRunningLoop()), got string "x"',
      });
      assert.throws(() => currentTask(5 as never), /currentTask\(\) expects loop to be an event loop/);
      assert.equal(allTasks(getRunningLoop()).size, 1);
    });
  });
});
