import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  sleep,
  gather,
  createTask,
  currentTask,
  ensureFuture,
  getRunningLoop,
  newEventLoop,
  Task,
  CancelledError,
  type Coro,
} from '../src/index.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { nodeDelay } from './helpers/capture.ts';

/** A foreign API that honours an AbortSignal the way fetch() does (rejects with its reason). */
function foreignWait(ms: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => resolve('foreign finished'), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** A foreign promise settled by hand: no timing involved. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function settle(t: Task<unknown>): Promise<unknown> {
  try {
    return await t;
  } catch (error) {
    return error;
  }
}

describe('async-function tasks: basics', () => {
  test('createTask(async () => …) resolves to the function’s result; errors propagate', async () => {
    await run(async () => {
      const t = createTask(async () => {
        await sleep(1);
        return 'async result';
      });
      assert.equal(await t, 'async result');
      const error = new RangeError('async failure');
      const failing = createTask(async () => {
        await sleep(0);
        throw error;
      });
      assert.equal(await settle(failing), error);
      assert.equal(failing.exception(), error);
    });
  });

  test('main may be an async function, and awaits generator tasks (and the reverse)', async () => {
    const result = await run(async () => {
      const gen = createTask(function* (): Coro<number> {
        const fromAsync = yield* createTask(async () => {
          await sleep(0);
          return 20;
        });
        return fromAsync + 1;
      });
      return (await gen) * 2;
    });
    assert.equal(result, 42);
  });

  test('tasks start in creation order, async and generator alike', async () => {
    const seen = await run(async () => {
      const seen: string[] = [];
      const a = createTask(async () => {
        seen.push('async 1');
      });
      const b = createTask(function* () {
        seen.push('generator');
      });
      const c = createTask(async () => {
        seen.push('async 2');
      });
      seen.push('created');
      await gather(a, b, c);
      return seen;
    });
    assert.deepEqual(seen, ['created', 'async 1', 'generator', 'async 2']);
  });

  test('currentTask() is the task in async functions, across runtime and foreign awaits', async () => {
    await run(async () => {
      const main = currentTask();
      assert.ok(main instanceof Task);
      const t = createTask(async () => {
        const self = currentTask();
        await sleep(0);
        assert.equal(currentTask(), self);
        await nodeDelay(1); // a foreign promise
        assert.equal(currentTask(), self);
        await Promise.all([sleep(1), nodeDelay(1)]);
        assert.equal(currentTask(), self);
        return self === null ? null : self.getName(); // (returning the task itself would await it)
      });
      assert.equal(await t, t.getName());
      assert.equal(currentTask(), main);
    });
    assert.equal(currentTask(), null);
  });

  test('async functions can await every runtime awaitable', async () => {
    await run(async () => {
      const loop = getRunningLoop();
      const fut = loop.createFuture<number>();
      loop.callSoon(() => fut.setResult(1));
      const gen = createTask(function* () {
        return 2;
      });
      const [a, b, c] = await gather(fut, gen, sleep(1, 3));
      assert.deepEqual([a, b, c], [1, 2, 3]);
      assert.equal(await sleep(0, 'zero'), 'zero');
    });
  });

  test('a foreign promise in a generator task: yield* ensureFuture(promise)', async () => {
    const value = await run(function* () {
      return yield* ensureFuture(nodeDelay(1).then(() => 'adapted'));
    });
    assert.equal(value, 'adapted');
  });
});

describe('async-function tasks: cancellation', () => {
  test('cancel at `await sleep()`: CancelledError arrives at that await', async () => {
    await run(async () => {
      const seen: string[] = [];
      const t = createTask(async () => {
        try {
          await sleep(60_000);
          seen.push('slept');
        } catch (error) {
          seen.push(`caught ${(error as Error).name}: ${(error as Error).message}`);
          throw error;
        }
      });
      await sleep(0);
      assert.equal(t.cancel('stop'), true);
      const error = await settle(t);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'stop');
      assert.equal(t.cancelled(), true);
      assert.deepEqual(seen, ['caught CancelledError: stop']);
    });
  });

  test('cancel while awaiting a Future cancels that Future (as asyncio cancels _fut_waiter)', async () => {
    await run(async () => {
      const fut = getRunningLoop().createFuture<number>();
      const t = createTask(async () => {
        await fut;
      });
      await sleep(0);
      t.cancel('msg');
      assert.equal(fut.cancelled(), true);
      const error = await settle(t);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'msg');
    });
  });

  test('cancel while awaiting gather() cancels the children', async () => {
    await run(async () => {
      const children = [1, 2].map(() =>
        createTask(async () => {
          await sleep(60_000);
        }),
      );
      const t = createTask(async () => {
        await gather(...children);
      });
      await sleep(0);
      t.cancel();
      assert.ok((await settle(t)) instanceof CancelledError);
      for (const c of children) assert.equal(c.cancelled(), true);
    });
  });

  test('cancel before the first step: the function is never called', async () => {
    await run(async () => {
      let called = false;
      const t = createTask(async () => {
        called = true;
      });
      t.cancel('early');
      const error = await settle(t);
      assert.ok(error instanceof CancelledError);
      assert.equal(called, false);
      assert.equal(t.cancelled(), true);
    });
  });

  test('catching the CancelledError and returning ends with the result', async () => {
    await run(async () => {
      const t = createTask(async () => {
        try {
          await sleep(60_000);
        } catch {
          await sleep(0);
          return 'recovered';
        }
        return 'not cancelled';
      });
      await sleep(0);
      t.cancel();
      assert.equal(await t, 'recovered');
      assert.equal(t.cancelled(), false);
    });
  });

  test('cancelling an async task cancels the task it awaits', async () => {
    await run(async () => {
      const inner = createTask(function* () {
        yield* sleep(60_000);
      });
      const outer = createTask(async () => {
        await inner;
      });
      await sleep(0);
      outer.cancel();
      assert.ok((await settle(outer)) instanceof CancelledError);
      assert.equal(inner.cancelled(), true);
    });
  });

  test('a cancel while awaiting a foreign promise is delivered at the next runtime await', async () => {
    await run(async () => {
      const seen: string[] = [];
      const foreign = deferred<string>();
      const t = createTask(async () => {
        seen.push(await foreign.promise); // not a runtime awaitable: cannot be interrupted
        try {
          await sleep(0);
          seen.push('next await passed');
        } catch (error) {
          seen.push(`next await threw ${(error as Error).name}: ${(error as Error).message}`);
          throw error;
        }
      });
      await sleep(0);
      t.cancel('later');
      foreign.resolve('foreign finished');
      const error = await settle(t);
      assert.ok(error instanceof CancelledError);
      assert.equal((error as Error).message, 'later');
      assert.deepEqual(seen, ['foreign finished', 'next await threw CancelledError: later']);
    });
  });

  test('the runtime future awaited when such a cancel arrives is cancelled too (asyncio: __step with _must_cancel)', async () => {
    await run(async () => {
      const loop = getRunningLoop();
      const foreign = deferred<void>();
      const fut = loop.createFuture<string>();
      const other = createTask(async () => {
        await loop.createFuture(); // pending until cancelled
      });
      const tasks = [
        createTask(async () => {
          await foreign.promise;
          return await fut; // the cancel arrives here
        }),
        createTask(async () => {
          await foreign.promise;
          await other; // awaiting a task: that task is cancelled, as in asyncio
        }),
      ];
      await sleep(0);
      for (const t of tasks) t.cancel('stop');
      foreign.resolve();
      for (const t of tasks) {
        const error = await settle(t);
        assert.ok(error instanceof CancelledError);
        assert.equal((error as Error).message, 'stop');
      }
      assert.equal(fut.cancelled(), true);
      assert.ok((await settle(other)) instanceof CancelledError);
      assert.equal(other.cancelled(), true);
    });
  });

  test('if the function returns before a runtime await, the task ends cancelled (value discarded)', async () => {
    await run(async () => {
      const foreign = deferred<void>();
      const t = createTask(async () => {
        await foreign.promise;
        return 'discarded';
      });
      await sleep(0);
      t.cancel();
      foreign.resolve();
      assert.ok((await settle(t)) instanceof CancelledError);
      assert.equal(t.cancelled(), true);
    });
  });

  test('task.signal aborts as soon as cancel() is called; foreign work stops', async () => {
    await run(async () => {
      const t = createTask(async () => {
        const task = currentTask()!;
        return foreignWait(60_000, task.signal);
      });
      await sleep(0);
      const signal = t.signal;
      assert.equal(signal.aborted, false);
      assert.equal(t.signal, signal); // one signal per task
      t.cancel('abort it');
      assert.equal(signal.aborted, true);
      assert.ok(signal.reason instanceof CancelledError);
      assert.equal((signal.reason as Error).message, 'abort it');
      const error = await settle(t);
      assert.ok(error instanceof CancelledError);
      assert.equal(t.cancelled(), true);
    });
  });

  test('a Node API stopped by task.signal (AbortError caused by the cancel) ends the task cancelled', async () => {
    await run(async () => {
      const t = createTask(async () => {
        await delay(60_000, undefined, { signal: currentTask()!.signal });
        return 'not cancelled';
      });
      await sleep(0);
      t.cancel('stop the timer');
      const error = await settle(t);
      assert.ok(error instanceof CancelledError, String(error));
      assert.equal((error as Error).message, 'stop the timer');
      assert.equal(t.cancelled(), true);
      // An AbortError that has nothing to do with a cancel of the task stays an error.
      const own = new AbortController();
      const u = createTask(async () => {
        own.abort();
        await delay(60_000, undefined, { signal: own.signal });
      });
      const other = await settle(u);
      assert.equal((other as Error).name, 'AbortError');
      assert.equal(u.cancelled(), false);
    });
  });

  test('task.signal is created lazily: asked for after cancel(), it is already aborted', async () => {
    await run(async () => {
      const t = createTask(async () => {
        await sleep(60_000);
      });
      await sleep(0);
      t.cancel('before signal');
      const signal = t.signal;
      assert.equal(signal.aborted, true);
      assert.equal((signal.reason as Error).message, 'before signal');
      await settle(t);
      // A task that finished without cancellation gives a signal that never aborts.
      const ok = createTask(async () => 1);
      await ok;
      assert.equal(ok.signal.aborted, false);
    });
  });

  test('generator tasks have a signal too', async () => {
    await run(function* () {
      const t = createTask(function* () {
        yield* sleep(60_000);
      });
      yield* sleep(0);
      const signal = t.signal;
      t.cancel();
      assert.equal(signal.aborted, true);
      try {
        yield* t;
      } catch {
        // cancelled
      }
    });
  });

  test('awaiting the task itself throws inside the task', async () => {
    const message = await run(async () => {
      const t: Task<string> = createTask(async () => {
        try {
          await t;
          return 'no error';
        } catch (error) {
          return (error as Error).message;
        }
      });
      return t;
    });
    assert.match(message, /Task cannot await on itself/);
  });

  test('awaiting a Future of another loop throws inside the task', async () => {
    const other = newEventLoop();
    const foreign = other.createFuture<number>();
    const message = await run(async () => {
      try {
        await foreign;
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    assert.match(message, /attached to a different loop/);
    other.close();
  });

  test('setResult / setException on an async task throw', async () => {
    await run(async () => {
      const t = createTask(async () => 1);
      assert.throws(() => t.setResult(2), Error);
      assert.throws(() => t.setException(new Error()), Error);
      assert.equal(await t, 1);
    });
  });

  test('cancelling the main async task of run() rejects run with CancelledError', async () => {
    await assert.rejects(
      run(async () => {
        currentTask()!.cancel();
        await sleep(0);
      }),
      CancelledError,
    );
  });
});
