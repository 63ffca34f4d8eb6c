import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  TimeoutError,
  createTask,
  currentTask,
  getRunningLoop,
  shield,
  sleep,
  waitFor,
  wait,
  type Coro,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

function* expectError<E>(aw: Iterable<unknown>, cls: abstract new (...args: any[]) => E): Coro<E> {
  try {
    yield* aw as Coro<unknown>;
  } catch (error) {
    assert.ok(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${cls.name}`);
}

describe('waitFor() with generator coroutines', () => {
  test('returns the result of a coroutine, Future, Task, async function or Promise that finishes in time', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      assert.equal(yield* waitFor(sleep(10, 'coro'), 100), 'coro');
      const fut = loop.createFuture<string>();
      loop.callLater(10, () => fut.setResult('future'));
      assert.equal(yield* waitFor(fut, 100), 'future');
      assert.equal(yield* waitFor(createTask(sleep(10, 'task')), 100), 'task');
      assert.equal(
        yield* waitFor(async () => {
          await sleep(10);
          return 'async';
        }, 100),
        'async',
      );
      assert.equal(yield* waitFor(Promise.resolve('promise'), 100), 'promise');
      assert.equal(now(), 40);
    });
  });

  test('on timeout cancels the inner task, waits for it, then throws TimeoutError caused by the CancelledError', async () => {
    await runVirtual(function* () {
      let running: boolean | null = null;
      const task = createTask(function* () {
        running = true;
        try {
          yield* sleep(10_000);
        } finally {
          running = false;
        }
        return 'done';
      });
      const error = yield* expectError(waitFor(task, 100), TimeoutError);
      assert.ok(error.cause instanceof CancelledError);
      assert.equal(now(), 100);
      assert.equal(task.cancelled(), true);
      assert.equal(running, false);
    });
  });

  test('waits for the inner work to really finish, even past the deadline', async () => {
    await runVirtual(function* () {
      let finishedAt = -1;
      function* inner(): Coro<void> {
        try {
          yield* sleep(10_000);
        } catch (error) {
          yield* sleep(50); // slow cleanup
          throw error;
        } finally {
          finishedAt = now();
        }
      }
      yield* expectError(waitFor(inner(), 10), TimeoutError);
      assert.equal(finishedAt, 60);
      assert.equal(now(), 60);
      const task = createTask(inner());
      yield* expectError(waitFor(task, 10), TimeoutError);
      assert.equal(finishedAt, 120);
      assert.equal(task.cancelled(), true);
    });
  });

  test('if the inner work swallows the cancellation and returns, that value is returned', async () => {
    await runVirtual(function* () {
      function* return42(): Coro<number> {
        try {
          yield* sleep(10_000);
        } catch (error) {
          assert.ok(error instanceof CancelledError);
          return 42;
        }
        return 0;
      }
      assert.equal(yield* waitFor(return42(), 100), 42);
      assert.equal(now(), 100);
      assert.equal(yield* waitFor(createTask(return42()), 100), 42);
      assert.equal(now(), 200);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('an error raised by the inner work while cancelled propagates instead of TimeoutError', async () => {
    await runVirtual(function* () {
      const task = createTask(function* () {
        try {
          yield* sleep(200);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new RangeError('cleanup failed');
        }
      });
      const error = yield* expectError(waitFor(task, 1), RangeError);
      assert.equal(error.message, 'cleanup failed');
      assert.equal(now(), 1);
    });
  });

  test('timeout <= 0: a done future gives its result; a coroutine is not even started', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      fut.setResult('done');
      assert.equal(yield* waitFor(fut, 0), 'done');
      for (const ms of [0, -1]) {
        let started = false;
        function* foo(): Coro<void> {
          started = true;
        }
        const error = yield* expectError(waitFor(foo(), ms), TimeoutError);
        assert.ok(error.cause instanceof CancelledError);
        assert.equal(started, false);
        let asyncStarted = false;
        yield* expectError(
          waitFor(async () => {
            asyncStarted = true;
          }, ms),
          TimeoutError,
        );
        assert.equal(asyncStarted, false);
      }
      assert.equal(now(), 0);
    });
  });

  test('timeout <= 0: a running task is cancelled and waited for', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      for (const ms of [0, -1]) {
        let running: boolean | null = null;
        const started = loop.createFuture<void>();
        const task = createTask(function* () {
          running = true;
          started.setResult(undefined);
          try {
            yield* sleep(10_000);
          } catch (error) {
            yield* sleep(5); // cleanup takes a while
            throw error;
          } finally {
            running = false;
          }
        });
        yield* started;
        const t0 = now();
        yield* expectError(waitFor(task, ms), TimeoutError);
        assert.equal(task.cancelled(), true);
        assert.equal(running, false);
        assert.equal(now() - t0, 5);
      }
    });
  });

  test('null means no timeout', async () => {
    await runVirtual(function* () {
      assert.equal(yield* waitFor(sleep(1e9, 'late'), null), 'late');
      assert.equal(yield* waitFor(sleep(5, 'late'), undefined), 'late');
      assert.equal(now(), 1e9 + 5);
    });
  });

  test('a future completed before the deadline wins the race', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      loop.callLater(100, () => fut.setResult('ok'));
      assert.equal(yield* waitFor(fut, 200), 'ok');
      assert.equal(now(), 100);
    });
  });

  test('cancelling the waiting task cancels the inner task (with and without timeout)', async () => {
    for (const ms of [null, 60_000]) {
      await runVirtual(function* () {
        const loop = getRunningLoop();
        const inner = createTask(function* () {
          yield* loop.createFuture<void>(); // never set
        });
        const waiting = createTask(waitFor(inner, ms));
        loop.callSoon(() => waiting.cancel());
        yield* expectError(waiting, CancelledError);
        assert.equal(inner.cancelled(), true);
        assert.equal(now(), 0);
      });
    }
  });

  test('a waitFor cancelled before it starts leaves an inner task that holds up cancellation alone', async () => {
    await runVirtual(function* () {
      const inner = createTask(function* () {
        try {
          yield* sleep(300);
        } catch {
          try {
            yield* sleep(300);
          } catch {
            yield* sleep(300);
          }
        }
        return 42;
      });
      const task = createTask(waitFor(inner, 100));
      task.cancel();
      yield* expectError(task, CancelledError);
      assert.equal(yield* inner, 42);
      assert.equal(now(), 300);
    });
  });

  test('an outer cancellation is not lost when the inner work finishes in the same iteration (gh-86296)', async () => {
    await runVirtual(function* () {
      let reachedEnd = false;
      function* inner(): Coro<void> {}
      const task = createTask(function* () {
        yield* waitFor(inner(), 100);
        yield* sleep(1000);
        reachedEnd = true;
      });
      yield* sleep(0);
      assert.equal(task.done(), false);
      task.cancel();
      yield* expectError(task, CancelledError);
      assert.equal(reachedEnd, false);
      // Same with an inner Task that completes in the iteration the cancel arrives in.
      const loop = getRunningLoop();
      const fut = loop.createFuture<void>();
      const task2 = createTask(function* () {
        yield* waitFor(fut, 100);
        yield* sleep(1000);
        reachedEnd = true;
      });
      yield* sleep(0);
      fut.setResult(undefined);
      task2.cancel();
      yield* expectError(task2, CancelledError);
      assert.equal(reachedEnd, false);
    });
  });

  test('the inner coroutine catches the cancellation and returns: its value, at the deadline', async () => {
    await runVirtual(function* () {
      function* inner(): Coro<number> {
        try {
          yield* sleep(1000);
        } catch (error) {
          assert.ok(error instanceof CancelledError);
        }
        return 1;
      }
      assert.equal(yield* waitFor(inner(), 10), 1);
      assert.equal(now(), 10);
    });
  });

  test('wait() on a waitFor task that was cancelled lets the inner task finish its work', async () => {
    await runVirtual(function* () {
      let exited = false;
      // Runs 200 ms, ignoring cancellation requests.
      function* slow(): Coro<void> {
        const end = now() + 200;
        while (now() < end) {
          try {
            yield* sleep(end - now());
          } catch {
            // ignored
          }
        }
        exited = true;
      }
      const waiting = createTask(waitFor(slow(), 400));
      yield* sleep(0);
      waiting.cancel();
      yield* wait([waiting]);
      assert.equal(exited, true);
      assert.equal(now(), 200);
    });
  });

  test('refuses a timeout that is not a number', async () => {
    await runVirtual(function* () {
      assert.throws(() => waitFor(sleep(1), '5' as unknown as number), TypeError);
    });
  });
});

describe('waitFor() with async functions', () => {
  test('result, timeout and cancellation', async () => {
    await runVirtual(async () => {
      assert.equal(await waitFor(sleep(10, 'a'), 100), 'a');
      let innerDone = false;
      const error = await waitFor(async () => {
        try {
          await sleep(10_000);
        } finally {
          innerDone = true;
        }
      }, 50).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TimeoutError);
      assert.ok(error.cause instanceof CancelledError);
      assert.equal(innerDone, true);
      assert.equal(now(), 60);
      const task = createTask(async () => {
        try {
          await sleep(10_000);
        } catch {
          return 'swallowed';
        }
        return 'not cancelled';
      });
      assert.equal(await waitFor(task, 10), 'swallowed');
      assert.equal(now(), 70);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('cancelling an async task in waitFor cancels the inner task', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const inner = createTask(async () => {
        await loop.createFuture<void>();
      });
      const waiting = createTask(async () => waitFor(inner, 1000));
      await sleep(5);
      waiting.cancel();
      await assert.rejects(Promise.resolve(waiting).then(() => undefined), CancelledError);
      assert.equal(inner.cancelled(), true);
      assert.equal(now(), 5);
    });
  });

  test('timeout <= 0 does not start an async function', async () => {
    await runVirtual(async () => {
      let started = false;
      await assert.rejects(
        waitFor(async () => {
          started = true;
        }, 0),
        TimeoutError,
      );
      assert.equal(started, false);
    });
  });
});

describe('waitFor(): more behaviours from CPython test_waitfor', () => {
  test('with shield(): a zero timeout cancels only the shield; the task runs on (WaitForShieldTests.test_zero_timeout)', async () => {
    await runVirtual(function* () {
      const task = createTask(sleep(10, 'done'));
      const shielded = shield(task);
      const error = yield* expectError(waitFor(shielded, 0), TimeoutError);
      assert.ok(error.cause instanceof CancelledError);
      assert.equal(shielded.cancelled(), true);
      assert.equal(task.done(), false);
      assert.equal(now(), 0);
      assert.equal(yield* task, 'done');
      assert.equal(now(), 10);
    });
  });

  test('with shield(): the timeout passes, the task is not cancelled (test_shielded_timeout); null waits (test_none_timeout)', async () => {
    await runVirtual(function* () {
      const task = createTask(sleep(100, 'done'));
      yield* expectError(waitFor(shield(task), 10), TimeoutError);
      assert.equal(now(), 10);
      assert.equal(task.done(), false);
      assert.equal(task.cancelled(), false);
      assert.equal(yield* task, 'done');
      assert.equal(now(), 100);
      const again = createTask(sleep(100, 'again'));
      assert.equal(yield* waitFor(shield(again), null), 'again');
      assert.equal(now(), 200);
    });
  });

  test('inner work that ignores every cancellation: waitFor returns what it returns, when it ends (test_asyncio_wait_for_timeout)', async () => {
    await runVirtual(function* () {
      let exited = false;
      function* slow(): Coro<string> {
        const end = now() + 200;
        while (now() < end) {
          try {
            yield* sleep(end - now());
          } catch {
            // ignored
          }
        }
        exited = true;
        return 'exited';
      }
      assert.equal(yield* waitFor(slow(), 100), 'exited');
      assert.equal(exited, true);
      assert.equal(now(), 200);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('a future completed by a callback scheduled before the wait starts (test_wait_for_race_condition)', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      const block = waitFor(fut, 200);
      loop.callSoon(() => fut.setResult('ok'));
      assert.equal(yield* block, 'ok');
      assert.equal(now(), 0);
    });
  });

  test('async style: zero timeout on a running task waits for its cleanup; the TimeoutError is caused by the CancelledError', async () => {
    await runVirtual(async () => {
      let taskDone = false;
      const inner = createTask(async () => {
        try {
          await sleep(10_000);
        } catch (error) {
          await sleep(1); // cleanup
          throw error;
        } finally {
          taskDone = true;
        }
      });
      await sleep(1);
      const error = await waitFor(inner, 0).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TimeoutError);
      assert.ok(error.cause instanceof CancelledError);
      assert.equal(taskDone, true);
      assert.equal(inner.cancelled(), true);
      assert.equal(now(), 2);
    });
  });

  test('async style: an error raised by the inner task during cancellation propagates (test_wait_for_reraises_exception_during_cancellation)', async () => {
    await runVirtual(async () => {
      class FooError extends Error {}
      const inner = createTask(async () => {
        try {
          await sleep(200);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new FooError('cleanup');
        }
      });
      await assert.rejects(waitFor(inner, 1), FooError);
      assert.equal(now(), 1);
    });
  });
});
