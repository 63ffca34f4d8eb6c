/**
 * asyncContextManager (asyncio's @asynccontextmanager), both generator styles, entered with
 * asyncWith, AsyncExitStack, await using and using. Cases translated from CPython's
 * Lib/test/test_contextlib_async.py (AsyncContextManagerTestCase) are named after the test.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asyncContextManager,
  asyncWith,
  createTask,
  getRunningLoop,
  sleep,
  CancelledError,
  type ContextCoro,
  type Coro,
} from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';

class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}

/** The same context generator in both styles: records setup, value, error seen, cleanup. */
function makeBoth(state: unknown[]) {
  const coro = asyncContextManager(function* woohoo(): ContextCoro<number> {
    state.push(1);
    yield* sleep(10);
    try {
      yield 42;
    } catch (error) {
      state.push(`caught ${(error as Error).name}`);
      throw error;
    } finally {
      yield* sleep(10);
      state.push(999);
    }
  });
  const async = asyncContextManager(async function* woohoo() {
    state.push(1);
    await sleep(10);
    try {
      yield 42;
    } catch (error) {
      state.push(`caught ${(error as Error).name}`);
      throw error;
    } finally {
      await sleep(10);
      state.push(999);
    }
  });
  return { coro, async };
}

for (const style of ['coro', 'async'] as const) {
  describe(`asyncContextManager, ${style === 'coro' ? 'generator coroutine' : 'async generator'}`, () => {
    test('test_contextmanager_plain: setup, value, cleanup (asyncWith); the cleanup may wait', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      await runVirtual(function* () {
        const result = yield* asyncWith(woohoo(), function* (x) {
          assert.deepEqual(state, [1]);
          assert.equal(x, 42);
          state.push(x);
          return 'body result';
        });
        assert.equal(result, 'body result');
        assert.equal(getRunningLoop().time(), 20);
      });
      assert.deepEqual(state, [1, 42, 999]);
    });

    test('test_contextmanager_finally: the block’s error is thrown in at the yield and propagates', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      const error = new ZeroDivisionError();
      await assert.rejects(
        runVirtual(function* () {
          yield* asyncWith(woohoo(), function* (x) {
            state.push(x);
            throw error;
          });
        }),
        (e) => e === error,
      );
      assert.deepEqual(state, [1, 42, 'caught ZeroDivisionError', 999]);
    });

    test('await using with hold(): the cleanup runs (and waits) at the end of the block', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      await runVirtual(async () => {
        {
          await using guard = await woohoo().hold();
          assert.equal(guard.value, 42);
          state.push('inside');
        }
        state.push('after');
        assert.equal(getRunningLoop().time(), 20);
      });
      assert.deepEqual(state, [1, 'inside', 999, 'after']);
    });

    test('await using: the block’s error is not seen by the generator (its finally runs, not its catch)', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      const error = new ZeroDivisionError();
      await assert.rejects(
        runVirtual(async () => {
          await using _guard = await woohoo().hold();
          throw error;
        }),
        (e) => e === error,
      );
      assert.deepEqual(state, [1, 999]);
    });

    test('cancelling the task in the block reaches the cleanup (asyncWith: CancelledError at the yield)', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      await runVirtual(function* () {
        const task = createTask(function* () {
          yield* asyncWith(woohoo(), function* () {
            state.push('block');
            yield* sleep(1000);
            state.push('not reached');
          });
        });
        yield* sleep(100);
        task.cancel('stop');
        yield* sleep(0);
        try {
          yield* task;
          assert.fail('expected CancelledError');
        } catch (e) {
          assert.ok(e instanceof CancelledError);
        }
        assert.equal(task.cancelled(), true);
        assert.equal(getRunningLoop().time(), 110, 'the cleanup waited 10 ms');
      });
      assert.deepEqual(state, [1, 'block', 'caught CancelledError', 999]);
    });

    test('cancelling an async-function task in an await using block reaches the cleanup', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      await runVirtual(async () => {
        const task = createTask(async () => {
          await using _guard = await woohoo().hold();
          state.push('block');
          await sleep(1000);
          state.push('not reached');
        });
        await sleep(100);
        task.cancel();
        await assert.rejects(Promise.resolve(task), CancelledError);
        assert.equal(getRunningLoop().time(), 110);
      });
      assert.deepEqual(state, [1, 'block', 999]);
    });

    test('cancelling the task during the setup: CancelledError at the setup’s await, the block and cleanup never run', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      await runVirtual(function* () {
        const task = createTask(function* () {
          yield* asyncWith(woohoo(), function* () {
            state.push('block');
          });
        });
        yield* sleep(5); // the setup waits 10 ms
        task.cancel();
        try {
          yield* task;
          assert.fail('expected CancelledError');
        } catch (e) {
          assert.ok(e instanceof CancelledError);
        }
        assert.equal(getRunningLoop().time(), 5);
      });
      assert.deepEqual(state, [1]);
    });

    test('test_contextmanager_except: a generator that catches the error and finishes swallows it', async () => {
      const state: unknown[] = [];
      const gens = {
        coro: asyncContextManager(function* (): ContextCoro<number> {
          state.push(1);
          try {
            yield 42;
          } catch (e) {
            yield* sleep(1);
            state.push((e as Error).message);
          }
        }),
        async: asyncContextManager(async function* () {
          state.push(1);
          try {
            yield 42;
          } catch (e) {
            await sleep(1);
            state.push((e as Error).message);
          }
        }),
      };
      const result = await runVirtual(function* () {
        const r = yield* asyncWith(gens[style](), function* (x): Coro<string> {
          state.push(x);
          throw new ZeroDivisionError('999');
        });
        return r ?? 'swallowed';
      });
      assert.equal(result, 'swallowed');
      assert.deepEqual(state, [1, 42, '999']);
    });

    test('test_contextmanager_no_reraise: exit(error) resolves to false when the generator lets it through', async () => {
      const gens = {
        coro: asyncContextManager(function* (): ContextCoro<undefined> {
          yield;
        }),
        async: asyncContextManager(async function* () {
          yield;
        }),
      };
      await runVirtual(async () => {
        const ctx = gens[style]();
        assert.equal(await ctx.enter(), undefined);
        assert.equal(await ctx.exit(new TypeError('foo')), false);
      });
    });

    test('test_contextmanager_trap_yield_after_throw: yielding again after the error fails the exit', async () => {
      const gens = {
        coro: asyncContextManager(function* (): ContextCoro<undefined> {
          try {
            yield;
          } catch {
            yield;
          }
        }),
        async: asyncContextManager(async function* () {
          try {
            yield;
          } catch {
            yield;
          }
        }),
      };
      await runVirtual(function* () {
        const ctx = gens[style]();
        yield* ctx.enter();
        try {
          yield* ctx.exit(new TypeError('foo'));
          assert.fail('expected an error');
        } catch (e) {
          assert.match((e as Error).message, /^generator didn't stop after throw\(\)/);
        }
      });
    });

    test('test_contextmanager_trap_no_yield: a generator that does not yield fails the enter', async () => {
      const gens = {
        coro: asyncContextManager(function* whoo(): ContextCoro<number> {
          yield* sleep(1);
        }),
        async: asyncContextManager(async function* whoo() {
          await sleep(1);
          if (Math.random() > 2) yield 1;
        }),
      };
      await assert.rejects(
        runVirtual(async () => {
          await gens[style]().enter();
        }),
        { message: /^generator didn't yield: whoo\(\) returned before yielding its value/ },
      );
    });

    test('test_contextmanager_trap_second_yield: a generator that yields twice fails the exit', async () => {
      const gens = {
        coro: asyncContextManager(function* (): ContextCoro<number> {
          yield 1;
          yield 2;
        }),
        async: asyncContextManager(async function* () {
          yield 1;
          yield 2;
        }),
      };
      await assert.rejects(
        runVirtual(function* () {
          yield* asyncWith(gens[style](), function* () {});
        }),
        { message: /^generator didn't stop: / },
      );
      await assert.rejects(
        runVirtual(async () => {
          await using _g = await gens[style]().hold();
        }),
        { message: /^generator didn't stop: / },
      );
    });

    test('test_contextmanager_non_normalised: the cleanup’s own error replaces the block’s', async () => {
      const gens = {
        coro: asyncContextManager(function* (): ContextCoro<undefined> {
          try {
            yield;
          } catch {
            throw new SyntaxError('from the cleanup');
          }
        }),
        async: asyncContextManager(async function* () {
          try {
            yield;
          } catch {
            throw new SyntaxError('from the cleanup');
          }
        }),
      };
      await assert.rejects(
        runVirtual(function* () {
          yield* asyncWith(gens[style](), function* () {
            throw new RangeError('block');
          });
        }),
        SyntaxError,
      );
    });

    test('test_contextmanager_wrap_runtimeerror: a wrapping error thrown by the cleanup propagates', async () => {
      const gens = {
        coro: asyncContextManager(function* (): ContextCoro<undefined> {
          try {
            yield;
          } catch (e) {
            throw new Error(`caught ${(e as Error).message}`, { cause: e });
          }
        }),
        async: asyncContextManager(async function* () {
          try {
            yield;
          } catch (e) {
            throw new Error(`caught ${(e as Error).message}`, { cause: e });
          }
        }),
      };
      await assert.rejects(
        runVirtual(function* () {
          yield* asyncWith(gens[style](), function* () {
            throw new ZeroDivisionError('division by zero');
          });
        }),
        (e: Error) => e.message === 'caught division by zero' && e.cause instanceof ZeroDivisionError,
      );
    });

    test('test_keywords / test_contextmanager_attribs: arguments reach the generator; the factory keeps its name', async () => {
      const gens = {
        coro: asyncContextManager(function* baz(a: number, b: string): ContextCoro<[number, string]> {
          yield [a, b];
        }),
        async: asyncContextManager(async function* baz(a: number, b: string) {
          yield [a, b] as [number, string];
        }),
      };
      assert.equal(gens[style].name, 'baz');
      await runVirtual(function* () {
        yield* asyncWith(gens[style](11, 'x'), function* (target) {
          assert.deepEqual(target, [11, 'x']);
        });
      });
    });

    test('a context manager is used once: entering it again fails with a clear message', async () => {
      const gens = {
        coro: asyncContextManager(function* once(): ContextCoro<number> {
          yield 1;
        }),
        async: asyncContextManager(async function* once() {
          yield 1;
        }),
      };
      await runVirtual(function* () {
        const cm = gens[style]();
        yield* asyncWith(cm, function* () {});
        try {
          yield* cm.enter();
          assert.fail('expected an error');
        } catch (e) {
          assert.match((e as Error).message, /^once\(\): this context manager was already entered .*call once\(…\) again/);
        }
      });
    });

    test('disposing a guard twice exits once', async () => {
      const state: unknown[] = [];
      const woohoo = makeBoth(state)[style];
      await runVirtual(async () => {
        const guard = await woohoo().hold();
        await guard[Symbol.asyncDispose]();
        await guard[Symbol.asyncDispose]();
      });
      assert.deepEqual(state, [1, 999]);
    });
  });
}

describe('asyncContextManager: sync `using` from coroutines', () => {
  test('a cleanup that does not wait runs at the end of the block, on success, error and cancellation', async () => {
    const log: string[] = [];
    const tagged = asyncContextManager(function* (tag: string): ContextCoro<string> {
      yield* sleep(5); // the setup may wait: hold() is awaited
      log.push(`enter ${tag}`);
      try {
        yield tag;
      } finally {
        log.push(`exit ${tag}`);
      }
    });
    await runVirtual(function* () {
      {
        using t = yield* tagged('a').hold();
        log.push(`inside ${t.value}`);
        yield* sleep(1);
      }
      try {
        using _t = yield* tagged('b').hold();
        throw new RangeError('b failed');
      } catch (e) {
        log.push((e as Error).message);
      }
      const task = createTask(function* () {
        using _t = yield* tagged('c').hold();
        yield* sleep(1000);
      });
      yield* sleep(100);
      task.cancel();
      try {
        yield* task;
      } catch (e) {
        log.push((e as Error).name);
      }
    });
    assert.deepEqual(log, ['enter a', 'inside a', 'exit a', 'enter b', 'exit b', 'b failed', 'enter c', 'exit c', 'CancelledError']);
  });

  test('a cleanup that waits cannot run in a sync disposal: the disposal throws and says what to use', async () => {
    const log: string[] = [];
    const waits = asyncContextManager(function* slowClose(): ContextCoro<number> {
      try {
        yield 1;
      } finally {
        log.push('cleanup starts');
        yield* sleep(10);
        log.push('not reached');
      }
    });
    await assert.rejects(
      runVirtual(function* () {
        using _g = yield* waits().hold();
      }),
      { message: /^slowClose\(\): its cleanup awaited \(yield\*\) during a sync "using" disposal.*asyncWith\(\)/ },
    );
    assert.deepEqual(log, ['cleanup starts']);
  });

  test('an async generator’s guard refuses a sync disposal', async () => {
    const agen = asyncContextManager(async function* agen() {
      yield 1;
    });
    await runVirtual(function* () {
      const guard = yield* agen().hold();
      // The typed guard has no [Symbol.dispose]; called anyway, it refuses:
      assert.throws(() => (guard as unknown as Disposable)[Symbol.dispose](), {
        name: 'TypeError',
        message: /^agen\(\) is an async generator: .*"await using"/,
      });
      yield* guard[Symbol.asyncDispose]() as unknown as Coro<void>;
    });
  });
});

describe('asyncContextManager: arguments', () => {
  test('refuses a non-function, and a function that does not return a generator', async () => {
    assert.throws(() => asyncContextManager(5 as never), {
      name: 'TypeError',
      message: 'asyncContextManager() expects its argument to be a generator function (function*) or an async generator function (async function*), got number 5',
    });
    const notGen = asyncContextManager((() => 42) as never as () => Coro<number>);
    assert.throws(() => notGen(), { name: 'TypeError', message: /returned number 42, not a generator/ });
  });

  test('exit() before enter() says so', async () => {
    const cm = asyncContextManager(function* early(): ContextCoro<number> {
      yield 1;
    })();
    await assert.rejects(
      runVirtual(async () => {
        await cm.exit();
      }),
      { message: 'early(): cannot exit the context: it has not been entered (await enter() first)' },
    );
  });
});
