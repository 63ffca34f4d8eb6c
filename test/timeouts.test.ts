import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  ExceptionGroup,
  Timeout,
  TimeoutError,
  createTask,
  currentTask,
  ensureFuture,
  gather,
  getRunningLoop,
  run,
  sleep,
  taskGroup,
  timeout,
  timeoutAt,
  waitFor,
  type Coro,
  type Task,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

describe('timeout() with generator coroutines', () => {
  test('expires: cancels the body and throws TimeoutError caused by the CancelledError', async () => {
    await runVirtual(function* () {
      let cm: Timeout | null = null;
      let caught: unknown = null;
      try {
        yield* timeout(10, function* (c) {
          cm = c;
          yield* sleep(10_000);
        });
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof TimeoutError);
      assert.ok(caught.cause instanceof CancelledError);
      assert.equal(now(), 10);
      assert.equal(cm!.expired(), true);
      assert.equal(cm!.when(), 10);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('returns the body result when it finishes in time', async () => {
    await runVirtual(function* () {
      let cm: Timeout | null = null;
      const result = yield* timeout(100, function* (c) {
        cm = c;
        yield* sleep(40);
        return 'ok';
      });
      assert.equal(result, 'ok');
      assert.equal(now(), 40);
      assert.equal(cm!.expired(), false);
      assert.equal(cm!.when(), 100);
    });
  });

  test('the deadline counts from when the body starts, not from the call', async () => {
    await runVirtual(function* () {
      const block = timeout(100, function* () {
        yield* sleep(1000);
      });
      yield* sleep(50);
      yield* assertThrows(block, TimeoutError);
      assert.equal(now(), 150);
    });
  });

  test('timeoutAt() takes a loop time', async () => {
    await runVirtual(function* () {
      yield* sleep(5);
      const deadline = now() + 10;
      let cm: Timeout | null = null;
      yield* assertThrows(
        timeoutAt(deadline, function* (c) {
          cm = c;
          yield* sleep(10_000);
        }),
        TimeoutError,
      );
      assert.equal(now(), 15);
      assert.equal(cm!.when(), deadline);
      assert.equal(cm!.expired(), true);
    });
  });

  test('null means no deadline, for timeout() and timeoutAt()', async () => {
    await runVirtual(function* () {
      const seen: (number | null)[] = [];
      yield* timeout(null, function* (cm) {
        seen.push(cm.when());
        yield* sleep(1e9);
        assert.equal(cm.expired(), false);
      });
      yield* timeoutAt(null, function* (cm) {
        seen.push(cm.when());
        yield* sleep(10);
      });
      assert.deepEqual(seen, [null, null]);
      assert.equal(now(), 1e9 + 10);
    });
  });

  test('the body sees the CancelledError and may clean up (past the deadline) before TimeoutError', async () => {
    await runVirtual(function* () {
      const events: string[] = [];
      yield* assertThrows(
        timeout(10, function* () {
          try {
            yield* sleep(1000);
          } catch (error) {
            assert.ok(error instanceof CancelledError);
            events.push(`cancelled at ${now()}`);
            yield* sleep(25); // cleanup
            events.push(`cleaned up at ${now()}`);
            throw error;
          }
        }),
        TimeoutError,
      );
      assert.deepEqual(events, ['cancelled at 10', 'cleaned up at 35']);
      assert.equal(now(), 35);
    });
  });

  test('timeout(0) and a deadline in the past expire at the next iteration', async () => {
    await runVirtual(function* () {
      for (const ms of [0, -11]) {
        let cm: Timeout | null = null;
        yield* assertThrows(
          timeout(ms, function* (c) {
            cm = c;
            yield* sleep(0);
          }),
          TimeoutError,
        );
        assert.equal(cm!.expired(), true);
        assert.equal(cm!.when(), ms);
        yield* assertThrows(
          timeout(ms, function* () {
            yield* sleep(10);
          }),
          TimeoutError,
        );
      }
      assert.equal(now(), 0);
    });
  });

  test('an error of the body passes through unchanged', async () => {
    await runVirtual(function* () {
      let cm: Timeout | null = null;
      yield* assertThrows(
        timeout(10, function* (c) {
          cm = c;
          throw new RangeError('boom');
        }),
        RangeError,
      );
      assert.equal(cm!.expired(), false);
    });
  });

  test('an error raised while handling the timeout cancellation wins over TimeoutError', async () => {
    await runVirtual(function* () {
      function* crash(): Coro<void> {
        try {
          yield* sleep(1000);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new RangeError('crash in cleanup');
        }
      }
      const error = yield* assertThrows(
        timeout(10, function* () {
          yield* crash();
        }),
        RangeError,
      );
      assert.equal((error as Error).message, 'crash in cleanup');
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('a cancellation from elsewhere passes through as CancelledError', async () => {
    await runVirtual(function* () {
      let cm: Timeout | null = null;
      yield* assertThrows(
        timeout(10_000, function* (c) {
          cm = c;
          currentTask()!.cancel();
          yield* sleep(10_000);
        }),
        CancelledError,
      );
      assert.equal(cm!.expired(), false);
      assert.equal(now(), 0);
    });
  });

  test('the task running a timeout that expired is not left cancelled', async () => {
    await runVirtual(function* () {
      const task = createTask(function* () {
        yield* assertThrows(
          timeout(1, function* () {
            yield* sleep(10_000);
          }),
          TimeoutError,
        );
        yield* sleep(5); // not interrupted
        return now();
      });
      assert.equal(yield* task, 6);
      assert.equal(task.cancelled(), false);
      assert.equal(task.cancelling(), 0);
    });
  });

  test('nested timeouts with the same deadline: only the outer one raises TimeoutError', async () => {
    await runVirtual(function* () {
      const deadline = now() + 10;
      let inner: Timeout | null = null;
      let outer: Timeout | null = null;
      let innerSaw: unknown = null;
      yield* assertThrows(
        timeoutAt(deadline, function* (cm1) {
          outer = cm1;
          try {
            yield* timeoutAt(deadline, function* (cm2) {
              inner = cm2;
              yield* sleep(10_000);
            });
          } catch (error) {
            innerSaw = error;
            throw error;
          }
        }),
        TimeoutError,
      );
      assert.ok(innerSaw instanceof CancelledError && !(innerSaw instanceof TimeoutError));
      assert.equal(outer!.expired(), true);
      assert.equal(inner!.expired(), true);
      assert.equal(now(), 10);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('nested timeouts: the inner one expires first and is handled; the outer one expires later', async () => {
    await runVirtual(function* () {
      const events: string[] = [];
      yield* assertThrows(
        timeout(100, function* () {
          try {
            yield* timeout(10, function* () {
              yield* sleep(1000);
            });
          } catch (error) {
            assert.ok(error instanceof TimeoutError);
            events.push(`inner expired at ${now()}`);
          }
          yield* sleep(1000); // interrupted by the outer deadline
          events.push('not reached');
        }),
        TimeoutError,
      );
      events.push(`outer expired at ${now()}`);
      assert.deepEqual(events, ['inner expired at 10', 'outer expired at 100']);
    });
  });

  test('nested timeouts: the outer one expires first; the inner one lets the cancellation through', async () => {
    await runVirtual(function* () {
      let inner: Timeout | null = null;
      let innerSaw: unknown = null;
      yield* assertThrows(
        timeout(10, function* () {
          try {
            yield* timeout(100, function* (cm) {
              inner = cm;
              yield* sleep(1000);
            });
          } catch (error) {
            innerSaw = error;
            throw error;
          }
        }),
        TimeoutError,
      );
      assert.ok(innerSaw instanceof CancelledError);
      assert.equal(inner!.expired(), false);
      assert.equal(now(), 10);
    });
  });

  test('a timeout inside the finally of a cancelled task still works (cancelling() counts)', async () => {
    await runVirtual(function* () {
      const task = currentTask()!;
      try {
        task.cancel();
        yield* sleep(1000); // work that is cancelled
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      } finally {
        assert.equal(task.cancelling(), 1);
        yield* assertThrows(
          timeout(0, function* () {
            yield* sleep(1000); // cleanup, cut short
          }),
          TimeoutError,
        );
        assert.equal(task.cancelling(), 1);
      }
      task.uncancel();
    });
  });

  test('a cancellation inside a timeout inside a cancelled task is not turned into TimeoutError', async () => {
    await runVirtual(function* () {
      const task = currentTask()!;
      try {
        task.cancel();
        yield* sleep(1000);
      } catch {
        // handled
      } finally {
        yield* assertThrows(
          timeout(1000, function* () {
            task.cancel();
            yield* sleep(2000);
          }),
          CancelledError,
          (error) => !(error instanceof TimeoutError),
        );
        assert.equal(task.cancelling(), 2);
      }
      task.uncancel();
      task.uncancel();
    });
  });

  test('reschedule() moves the deadline, later or earlier, or removes it', async () => {
    await runVirtual(function* () {
      // Later: the body finishes.
      const result = yield* timeout(10, function* (cm) {
        cm.reschedule(now() + 100);
        assert.equal(cm.when(), 100);
        yield* sleep(50);
        return 'done';
      });
      assert.equal(result, 'done');
      assert.equal(now(), 50);
      // Earlier, from inside.
      yield* assertThrows(
        timeout(1000, function* (cm) {
          yield* sleep(10);
          cm.reschedule(now() + 5);
          yield* sleep(1000);
        }),
        TimeoutError,
      );
      assert.equal(now(), 65);
      // Into the past: expires at the next iteration.
      yield* assertThrows(
        timeout(1000, function* (cm) {
          cm.reschedule(now() - 1);
          yield* sleep(1000);
        }),
        TimeoutError,
      );
      assert.equal(now(), 65);
      // Removed.
      yield* timeout(10, function* (cm) {
        cm.reschedule(null);
        assert.equal(cm.when(), null);
        yield* sleep(1000);
      });
      assert.equal(now(), 1065);
    });
  });

  test('reschedule() from another task', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const entered = loop.createFuture<Timeout>();
      const task = createTask(function* () {
        yield* timeoutAt(10, function* (cm) {
          entered.setResult(cm);
          yield* sleep(50);
        });
      });
      const cm = yield* entered;
      assert.equal(cm.when(), 10);
      cm.reschedule(30);
      assert.equal(cm.when(), 30);
      cm.reschedule(null);
      assert.equal(cm.when(), null);
      yield* sleep(20);
      task.cancel();
      yield* assertThrows(task, CancelledError);
      assert.equal(cm.expired(), false);
      assert.equal(now(), 20);
    });
  });

  test('reschedule() is refused once the block expired or finished', async () => {
    await runVirtual(function* () {
      const finished = yield* timeout(10, function* (cm) {
        return cm;
      });
      assert.throws(() => finished.reschedule(20), /finished/);
      let expired: Timeout | null = null;
      yield* assertThrows(
        timeout(10, function* (cm) {
          expired = cm;
          yield* sleep(100);
        }),
        TimeoutError,
      );
      assert.throws(() => expired!.reschedule(20), /expired/);
      yield* timeout(10, function* (cm) {
        yield* assertThrows(sleep(100), CancelledError);
        assert.throws(() => cm.reschedule(20), /expiring/);
      });
      assert.throws(() => finished.reschedule(Number.NaN), /finished/);
    });
  });

  test('toString() shows the state', async () => {
    await runVirtual(function* () {
      const cm = yield* timeout(10, function* (c) {
        assert.equal(String(c), '<Timeout [active] when=10>');
        return c;
      });
      assert.equal(String(cm), '<Timeout [finished]>');
      yield* timeout(null, function* (c) {
        assert.equal(String(c), '<Timeout [active] when=null>');
      });
      let expired: Timeout | null = null;
      yield* assertThrows(
        timeout(1, function* (c) {
          expired = c;
          yield* sleep(10);
        }),
        TimeoutError,
      );
      assert.equal(String(expired), '<Timeout [expired]>');
    });
  });

  test('an ExceptionGroup from a TaskGroup passes through a timeout that expired', async () => {
    await runVirtual(function* () {
      function* child(): Coro<void> {
        try {
          yield* sleep(2000); // interrupted after 10 ms
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new RangeError('crash in cleanup');
        }
      }
      const eg = yield* assertThrows(
        timeout(10, function* () {
          yield* taskGroup(function* (tg) {
            tg.createTask(child());
            try {
              throw new TypeError('body error');
            } finally {
              yield* sleep(1000); // cancelled by the timeout: replaces the TypeError
            }
          });
        }),
        ExceptionGroup,
      );
      assert.equal((eg as ExceptionGroup).errors.length, 1);
      assert.ok((eg as ExceptionGroup).errors[0] instanceof RangeError);
      assert.equal(now(), 10);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('validates its arguments', async () => {
    await runVirtual(function* () {
      assert.throws(() => timeout('10' as unknown as number, function* () {}), TypeError);
      assert.throws(() => timeout(10, null as unknown as () => Coro<void>), TypeError);
      assert.throws(() => timeoutAt(Number.NaN, function* () {}), TypeError);
      yield* timeout(10, function* (cm) {
        assert.throws(() => cm.reschedule('soon' as unknown as number), TypeError);
      });
    });
  });

  test('runs in a task of its own when given to createTask() or gather()', async () => {
    await runVirtual(function* () {
      const results = yield* gather(
        timeout(50, function* () {
          yield* sleep(10);
          return 'a';
        }),
        createTask(
          timeout(5, function* () {
            yield* sleep(10);
            return 'b';
          }),
        ),
        { returnExceptions: true },
      );
      assert.equal(results[0], 'a');
      assert.ok(results[1] instanceof TimeoutError);
      assert.equal(now(), 10);
    });
  });
});

describe('timeout() with async functions', () => {
  test('async body awaited from an async function', async () => {
    await runVirtual(async () => {
      let sawCancel = false;
      const error = await timeout(10, async () => {
        try {
          await sleep(1000);
        } catch (e) {
          sawCancel = e instanceof CancelledError;
          throw e;
        }
      }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TimeoutError);
      assert.ok(error.cause instanceof CancelledError);
      assert.ok(sawCancel);
      assert.equal(now(), 10);
      assert.equal(currentTask()!.cancelling(), 0);
      assert.equal(await timeout(10, async () => 'fast'), 'fast');
    });
  });

  test('generator body awaited from an async function', async () => {
    await runVirtual(async () => {
      const task = currentTask();
      const result = await timeout(100, function* () {
        assert.equal(currentTask(), task);
        yield* sleep(30);
        return 'ok';
      });
      assert.equal(result, 'ok');
      assert.equal(now(), 30);
      await assert.rejects(
        timeout(10, function* () {
          yield* sleep(1000);
        }),
        TimeoutError,
      );
      assert.equal(now(), 40);
    });
  });

  test('async body run from a generator task: its awaits are the task\'s', async () => {
    await runVirtual(function* () {
      const task = currentTask();
      let sawCancel = false;
      yield* assertThrows(
        timeout(10, async () => {
          assert.equal(currentTask(), task);
          try {
            await sleep(1000);
          } catch (error) {
            sawCancel = error instanceof CancelledError;
            await sleep(5); // cleanup
            throw error;
          }
        }),
        TimeoutError,
      );
      assert.ok(sawCancel);
      assert.equal(now(), 15);
      const value = yield* timeout(10, async () => {
        await sleep(3);
        return 42;
      });
      assert.equal(value, 42);
      assert.equal(now(), 18);
    });
  });

  test('nested timeouts across both styles', async () => {
    await runVirtual(async () => {
      const events: string[] = [];
      await assert.rejects(
        timeout(100, function* () {
          try {
            yield* timeout(10, async () => {
              await sleep(1000);
            });
          } catch (error) {
            events.push(`${(error as Error).name} at ${now()}`);
          }
          yield* sleep(1000);
        }),
        TimeoutError,
      );
      events.push(`outer at ${now()}`);
      assert.deepEqual(events, ['TimeoutError at 10', 'outer at 100']);
    });
  });

  test('a deadline that passes while the async body awaits a foreign promise arrives at its next runtime await', async () => {
    await runVirtual(async () => {
      const events: string[] = [];
      await assert.rejects(
        timeout(0, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1)); // foreign
          events.push(`foreign done at ${now()}`);
          try {
            await sleep(1000);
          } catch (error) {
            events.push(`cancelled: ${(error as Error).name}`);
            throw error;
          }
        }),
        TimeoutError,
      );
      assert.deepEqual(events, ['foreign done at 0', 'cancelled: CancelledError']);
      assert.equal(now(), 0);
    });
  });

  test('refused outside a task', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const outcome = loop.createFuture<unknown>();
      loop.callSoon(() => {
        timeout(10, async () => 1).then(
          (v) => outcome.setResult(v),
          (e: unknown) => outcome.setResult(e),
        );
      });
      const error = yield* outcome;
      assert.ok(error instanceof Error);
      assert.match(error.message, /inside a task/);
    });
  });

  test('a timeout awaitable is single-use', async () => {
    await runVirtual(async () => {
      const block = timeout(10, async () => 'x');
      assert.equal(await block, 'x');
      assert.equal(await block, 'x'); // same outcome again
      assert.throws(() => block.next(), /already being awaited/);
      const p = ensureFuture(
        (function* () {
          const other = timeout(10, function* () {
            return 1;
          });
          yield* other;
          return { other }; // boxed: a thenable result would be adopted by await
        })(),
      );
      const { other } = await p;
      await assert.rejects(Promise.resolve(other), /already being awaited/);
    });
  });
});

/** Awaits `aw` in a generator coroutine, asserting it throws an instance of `cls`; returns the error. */
function* assertThrows(
  aw: { [Symbol.iterator](): Iterator<unknown, unknown, unknown> },
  cls: abstract new (...args: any[]) => unknown,
  check?: (error: unknown) => boolean,
): Coro<unknown> {
  try {
    yield* aw as Coro<unknown>;
  } catch (error) {
    assert.ok(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
    if (check) assert.ok(check(error), `unexpected ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${cls.name} to be thrown`);
}

describe('timeout(): more behaviours from CPython test_timeouts', () => {
  test('a timeout in the finally of an expired timeout: both raise TimeoutError, each at its deadline (test_nested_timeout_in_finally)', async () => {
    await runVirtual(function* () {
      const events: string[] = [];
      yield* assertThrows(
        timeout(10, function* () {
          try {
            yield* sleep(1000);
          } finally {
            yield* assertThrows(
              timeout(10, function* () {
                yield* sleep(1000); // cleanup that takes too long
              }),
              TimeoutError,
            );
            events.push(`inner expired at ${now()}`);
          }
        }),
        TimeoutError,
      );
      events.push(`outer expired at ${now()}`);
      assert.deepEqual(events, ['inner expired at 20', 'outer expired at 20']);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('the deadline passes while a generator task\'s async body awaits a foreign promise and then returns: TimeoutError', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      let cm: Timeout | null = null;
      const error = yield* assertThrows(
        timeout(0, async (c) => {
          cm = c;
          // A native promise (the cancel cannot land on it), resolved after the deadline passed.
          await new Promise<void>((resolve) => loop.callSoon(resolve));
          return 'late';
        }),
        TimeoutError,
      );
      assert.ok((error as TimeoutError).cause instanceof CancelledError);
      assert.equal(cm!.expired(), true);
      assert.equal(now(), 0);
      assert.equal(currentTask()!.cancelling(), 0);
      yield* sleep(10); // the task is not left cancelled
      assert.equal(now(), 10);
    });
  });

  test('the same from an async function: the value is discarded, TimeoutError as asyncio would have raised at that await', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      let cm: Timeout | null = null;
      const error = await timeout(0, async (c) => {
        cm = c;
        await new Promise<void>((resolve) => loop.callSoon(resolve)); // native, resolved after the deadline
        return 'late';
      }).then(
        (value) => value,
        (e: unknown) => e,
      );
      assert.ok(error instanceof TimeoutError, `expected TimeoutError, got ${String(error)}`);
      assert.ok(error.cause instanceof CancelledError);
      assert.equal(cm!.expired(), true);
      assert.equal(now(), 0);
      assert.equal(currentTask()!.cancelling(), 0);
      await sleep(10); // the task is not left cancelled
      assert.equal(now(), 10);
    });
  });

  test('an external cancel while an async body awaits a foreign promise is not lost when the body returns', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      let reachedEnd = false;
      const task: Task<void> = createTask(async () => {
        await timeout(1000, async () => {
          // A native promise: the task is cancelled while the body waits on it, then it resolves.
          await new Promise<void>((resolve) =>
            loop.callSoon(() => {
              task.cancel();
              loop.callSoon(resolve);
            }),
          );
          return 'late';
        });
        reachedEnd = true;
      });
      await assert.rejects(async () => {
        await task;
      }, CancelledError);
      assert.equal(task.cancelled(), true);
      assert.equal(reachedEnd, false);
      assert.equal(now(), 0);
    });
  });

  test('timeoutAt() with a deadline in the past (when() keeps it) and a zero timeout with sleep(0) (test_timeout_in_the_past_sleep_zero)', async () => {
    await runVirtual(async () => {
      await sleep(100);
      let cm: Timeout | null = null;
      await assert.rejects(
        timeoutAt(now() - 11, async (c) => {
          cm = c;
          await sleep(0);
        }),
        TimeoutError,
      );
      assert.equal(cm!.when(), 89);
      assert.equal(cm!.expired(), true);
      assert.equal(String(cm), '<Timeout [expired]>');
      assert.equal(now(), 100);
    });
  });
});

describe('timeout(): error messages', () => {
  test('a coroutine object instead of a body function: the TypeError says what to pass instead', async () => {
    await runVirtual(function* () {
      function* work(): Coro<number> {
        yield* sleep(1);
        return 1;
      }
      const coro = work();
      assert.throws(() => timeout(10, coro as unknown as () => Coro<number>), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /coroutine object/);
        assert.match(error.message, /waitFor\(coro, ms\)/);
        return true;
      });
      assert.throws(() => timeoutAt(10, coro as unknown as () => Coro<number>), /coroutine object/);
      assert.equal(yield* waitFor(coro, 10), 1); // what the message suggests
    });
  });
});

describe('timeout(): long deadlines on the real loop', () => {
  test('a deadline weeks away does not make the loop poll (Node fires a delay above 2^31 - 1 ms after 1 ms)', async () => {
    const overflows: Error[] = [];
    const onWarning = (warning: Error): void => {
      if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const result = await run(async () =>
        timeout(30 * 24 * 3600 * 1000, async () => {
          await new Promise((resolve) => setTimeout(resolve, 30)); // the loop idles meanwhile
          return 'done';
        }),
      );
      assert.equal(result, 'done');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.equal(overflows.length, 0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
