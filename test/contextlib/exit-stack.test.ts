/**
 * AsyncExitStack, both styles. Cases translated from CPython's Lib/test/test_contextlib.py
 * (TestBaseExitStack, which test_contextlib_async.py runs on AsyncExitStack) and
 * test_contextlib_async.py (TestAsyncExitStack) are named after the test.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AsyncExitStack,
  Lock,
  asyncContextManager,
  asyncWith,
  createTask,
  getRunningLoop,
  sleep,
  CancelledError,
  type AsyncContextManager,
  type ContextCoro,
  type Coro,
} from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';

class ZeroDivisionError extends Error {
  override name = 'ZeroDivisionError';
}
class KeyError extends Error {
  override name = 'KeyError';
}
class AttributeError extends Error {
  override name = 'AttributeError';
}
class IndexError extends Error {
  override name = 'IndexError';
}
class ValueError extends Error {
  override name = 'ValueError';
}

describe('AsyncExitStack (generator coroutines)', () => {
  test('test_no_resources: an empty stack enters and exits', async () => {
    await runVirtual(function* () {
      const r = yield* asyncWith(new AsyncExitStack(), function* (stack) {
        assert.ok(stack instanceof AsyncExitStack);
        return 1;
      });
      assert.equal(r, 1);
    });
  });

  test('test_callback / test_async_callback: callbacks get their arguments and run LIFO; callback() returns fn', async () => {
    const result: unknown[][] = [];
    const expected = [[], [1], [1, 2], ['async'], ['gen']];
    const sync = (...args: unknown[]): void => {
      result.push(args);
    };
    async function asyncExit(...args: unknown[]): Promise<void> {
      await sleep(1);
      result.push(args);
    }
    function* genExit(...args: unknown[]): Coro<void> {
      yield* sleep(1);
      result.push(args);
    }
    await runVirtual(function* () {
      yield* asyncWith(new AsyncExitStack(), function* (stack) {
        assert.equal(stack.pushAsyncCallback(genExit, 'gen'), genExit);
        assert.equal(stack.pushAsyncCallback(asyncExit, 'async'), asyncExit);
        assert.equal(stack.callback(sync, 1, 2), sync);
        stack.callback(sync, 1);
        stack.callback(sync);
      });
      assert.equal(getRunningLoop().time(), 2, 'the async callbacks were awaited');
    });
    assert.deepEqual(result, expected);
  });

  test('test_async_push / test_push: exit functions see the error, and one returning true swallows it for those after it', async () => {
    const seen: string[] = [];
    const expectError = (name: string) => (error: unknown) => {
      seen.push(`${name} got ${(error as Error | undefined)?.name ?? 'nothing'}`);
    };
    const exitCm = (name: string): AsyncContextManager<never> => ({
      enter: () => assert.fail('should not be called'),
      *exit(error: unknown): Coro<void> {
        yield* sleep(1);
        seen.push(`${name} got ${(error as Error | undefined)?.name ?? 'nothing'}`);
      },
    });
    const result = await runVirtual(function* () {
      const r = yield* asyncWith(new AsyncExitStack(), function* (stack): Coro<string> {
        stack.push(expectError('ok fn'));
        const cm = exitCm('ok cm');
        assert.equal(stack.push(cm), cm);
        stack.push(async () => true); // _suppress_exc
        stack.push(exitCm('exc cm'));
        stack.push(function* (error: unknown): Coro<void> {
          yield* sleep(1);
          seen.push(`exc gen got ${(error as Error).name}`);
        });
        stack.push(expectError('exc fn'));
        throw new ZeroDivisionError();
      });
      return r ?? 'swallowed';
    });
    assert.equal(result, 'swallowed');
    assert.deepEqual(seen, [
      'exc fn got ZeroDivisionError',
      'exc gen got ZeroDivisionError',
      'exc cm got ZeroDivisionError',
      'ok cm got nothing',
      'ok fn got nothing',
    ]);
  });

  test('test_async_enter_context / test_enter_context: enterAsyncContext enters, and exits in order with the callbacks', async () => {
    const result: number[] = [];
    const cm: AsyncContextManager<string> = {
      *enter(): Coro<string> {
        yield* sleep(1);
        result.push(1);
        return 'value';
      },
      async exit() {
        await sleep(1);
        result.push(3);
      },
    };
    await runVirtual(function* () {
      yield* asyncWith(new AsyncExitStack(), function* (stack) {
        stack.pushAsyncCallback(async () => {
          result.push(4); // registered first: cleaned up last
        });
        const value: string = yield* stack.enterAsyncContext(cm);
        assert.equal(value, 'value');
        result.push(2);
      });
    });
    assert.deepEqual(result, [1, 2, 3, 4]);
  });

  test('enterAsyncContext takes asyncContextManager managers and AsyncDisposables; enterContext takes guards and sync managers', async () => {
    const log: string[] = [];
    const resource = asyncContextManager(function* (name: string): ContextCoro<string> {
      log.push(`open ${name}`);
      try {
        yield name;
      } finally {
        yield* sleep(1);
        log.push(`close ${name}`);
      }
    });
    const disposable = {
      async [Symbol.asyncDispose]() {
        log.push('disposed');
      },
    };
    const lock = new Lock();
    await runVirtual(function* () {
      yield* asyncWith(new AsyncExitStack(), function* (stack) {
        assert.equal(yield* stack.enterAsyncContext(resource('a')), 'a');
        assert.equal(yield* stack.enterAsyncContext(disposable), disposable);
        stack.enterContext(yield* lock.hold());
        assert.equal(lock.locked(), true);
        const value: number = stack.enterContext({
          enter: () => 7,
          exit: () => {
            log.push('sync exit');
          },
        });
        assert.equal(value, 7);
        assert.equal(yield* stack.enterAsyncContext(resource('b')), 'b');
      });
      assert.equal(lock.locked(), false);
    });
    assert.deepEqual(log, ['open a', 'open b', 'close b', 'sync exit', 'disposed', 'close a']);
  });

  test('test_enter_context_errors: objects that are not context managers are refused with a clear TypeError', async () => {
    const stack = new AsyncExitStack();
    assert.throws(() => stack.enterAsyncContext(5 as never), {
      name: 'TypeError',
      message: 'AsyncExitStack.enterAsyncContext() expects an async context manager (an object with enter() and exit()) or an AsyncDisposable (with [Symbol.asyncDispose]()), got number 5',
    });
    assert.throws(() => stack.enterContext({ async [Symbol.asyncDispose]() {} } as never), {
      name: 'TypeError',
      message: /^AsyncExitStack\.enterContext\(\) expects cm to be a Disposable .*got Object object \(an AsyncDisposable: enter it with enterAsyncContext\(\)\)$/,
    });
    assert.throws(() => stack.enterContext({ enter: () => sleep(1), exit() {} }), {
      name: 'TypeError',
      message: /enter\(\) returned .*an awaitable: enter it with enterAsyncContext\(\)/,
    });
    assert.throws(() => stack.push(42 as never), {
      name: 'TypeError',
      message: 'AsyncExitStack.push() expects exit to be a function (error) => boolean | void, an object with exit(error), or a disposable, got number 42',
    });
    assert.throws(() => stack.callback('x' as never), { name: 'TypeError', message: 'AsyncExitStack.callback() expects fn to be a function, got string "x"' });
    assert.throws(() => stack.pushAsyncCallback(null as never), { name: 'TypeError', message: /pushAsyncCallback\(\) expects fn to be an async function or a generator function, got null/ });
  });

  test('test_close / test_pop_all: aclose() unwinds now; popAll() moves the exits to a new stack', async () => {
    const result: number[] = [];
    await runVirtual(function* () {
      let stack = new AsyncExitStack();
      stack.callback(() => result.push(1));
      yield* stack.aclose();
      assert.deepEqual(result, [1]);
      yield* stack.aclose(); // nothing left
      assert.deepEqual(result, [1]);

      let moved: AsyncExitStack | null = null;
      yield* asyncWith(new AsyncExitStack(), function* (s) {
        s.callback(() => result.push(2));
        moved = s.popAll();
      });
      assert.deepEqual(result, [1], 'the original stack had nothing left to unwind');
      stack = moved!;
      yield* stack.close();
      assert.deepEqual(result, [1, 2]);
    });
  });

  test('test_exit_raise: an error of the block propagates', async () => {
    const error = new ZeroDivisionError();
    await assert.rejects(
      runVirtual(function* () {
        yield* asyncWith(new AsyncExitStack(), function* (stack) {
          stack.push(() => false);
          throw error;
        });
      }),
      (e) => e === error,
    );
  });

  test('test_exit_exception_chaining / test_async_exit_exception_chaining: each exit sees the error before it; errors chain through cause', async () => {
    let savedDetails: unknown;
    const raise = (Ctor: new () => Error) => async () => {
      await sleep(1);
      throw new Ctor();
    };
    try {
      await runVirtual(function* () {
        yield* asyncWith(new AsyncExitStack(), function* (stack) {
          stack.pushAsyncCallback(raise(IndexError));
          stack.pushAsyncCallback(raise(KeyError));
          stack.pushAsyncCallback(raise(AttributeError));
          stack.push(async (error: unknown) => {
            savedDetails = error;
            return true;
          });
          stack.pushAsyncCallback(raise(ValueError));
          throw new ZeroDivisionError();
        });
      });
      assert.fail('expected IndexError');
    } catch (exc) {
      assert.ok(exc instanceof IndexError, String(exc));
      assert.ok(exc.cause instanceof KeyError);
      assert.ok(exc.cause.cause instanceof AttributeError);
      assert.equal(exc.cause.cause.cause, undefined, 'the errors before were swallowed');
    }
    assert.ok(savedDetails instanceof ValueError);
    assert.ok((savedDetails as Error).cause instanceof ZeroDivisionError);
  });

  test('test_exit_exception_with_existing_context: an error with a cause of its own keeps it', async () => {
    const own = new Error('own cause');
    const thrown = new KeyError('replacing', { cause: own });
    await assert.rejects(
      runVirtual(function* () {
        yield* asyncWith(new AsyncExitStack(), function* (stack) {
          stack.callback(() => {
            throw thrown;
          });
          throw new ZeroDivisionError();
        });
      }),
      (e) => e === thrown && (e as Error).cause === own,
    );
  });

  test('test_exit_exception_non_suppressing: an exit that throws replaces the error; a later one may swallow it', async () => {
    const swallowed = await runVirtual(function* () {
      let seen: unknown;
      const r = yield* asyncWith(new AsyncExitStack(), function* (stack): Coro<string> {
        stack.push((error: unknown) => {
          seen = error;
          return true;
        });
        stack.callback(() => {
          throw new KeyError('from callback');
        });
        throw new ZeroDivisionError();
      });
      assert.ok(seen instanceof KeyError);
      return r ?? 'swallowed';
    });
    assert.equal(swallowed, 'swallowed');
  });

  test('test_body_exception_suppress / test_contextmanager_no_reraise: only `true` swallows; exit() resolves to whether it did and never re-throws the error passed in', async () => {
    await runVirtual(function* () {
      const stack = new AsyncExitStack();
      stack.push(() => true);
      assert.equal(yield* stack.exit(new Error('x')), true);
      stack.push(() => 'truthy');
      assert.equal(yield* stack.exit(new Error('y')), false, 'not swallowed: the caller re-throws it');
      stack.push(() => true);
      assert.equal(yield* stack.exit(), false, 'nothing to swallow after a success');
    });
  });

  test('test_excessive_nesting: 10,000 callbacks unwind without overflowing the stack', async () => {
    let count = 0;
    await runVirtual(function* () {
      yield* asyncWith(new AsyncExitStack(), function* (stack) {
        for (let i = 0; i < 10_000; i++) stack.callback(() => count++);
      });
    });
    assert.equal(count, 10_000);
  });

  test('an exit registered while unwinding runs too', async () => {
    const log: string[] = [];
    await runVirtual(function* () {
      const stack = new AsyncExitStack();
      stack.callback(() => log.push('first registered'));
      stack.callback(() => {
        log.push('registers another');
        stack.callback(() => log.push('registered while unwinding'));
      });
      yield* stack.aclose();
    });
    assert.deepEqual(log, ['registers another', 'registered while unwinding', 'first registered']);
  });

  test('cancelling the task in the block: every exit runs and sees CancelledError; an async exit may still wait', async () => {
    const log: string[] = [];
    await runVirtual(function* () {
      const task = createTask(function* () {
        yield* asyncWith(new AsyncExitStack(), function* (stack) {
          stack.pushAsyncCallback(async () => {
            await sleep(10);
            log.push('async cleanup done');
          });
          stack.push((error: unknown) => {
            log.push(`exit saw ${(error as Error).name}`);
          });
          yield* sleep(1000);
        });
      });
      yield* sleep(100);
      task.cancel();
      try {
        yield* task;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.equal(getRunningLoop().time(), 110);
    });
    assert.deepEqual(log, ['exit saw CancelledError', 'async cleanup done']);
  });

  test('cancelling the task while an async callback waits reaches that callback’s await', async () => {
    const log: string[] = [];
    await runVirtual(function* () {
      const task = createTask(function* () {
        const stack = new AsyncExitStack();
        stack.pushAsyncCallback(async () => {
          try {
            await sleep(1000);
          } catch (e) {
            log.push(`callback got ${(e as Error).name}`);
            throw e;
          }
        });
        yield* stack.aclose();
      });
      yield* sleep(100);
      task.cancel();
      try {
        yield* task;
      } catch (e) {
        log.push(`task ended with ${(e as Error).name}`);
      }
      assert.equal(getRunningLoop().time(), 100);
    });
    assert.deepEqual(log, ['callback got CancelledError', 'task ended with CancelledError']);
  });
});

describe('AsyncExitStack (async functions)', () => {
  test('await using: exits run LIFO at the end of the block and are awaited', async () => {
    const log: string[] = [];
    const resource = asyncContextManager(async function* (name: string) {
      log.push(`open ${name}`);
      try {
        yield name;
      } finally {
        await sleep(5);
        log.push(`close ${name}`);
      }
    });
    await runVirtual(async () => {
      {
        await using stack = new AsyncExitStack();
        assert.equal(await stack.enterAsyncContext(resource('a')), 'a');
        stack.pushAsyncCallback(async (x: number) => {
          await sleep(1);
          log.push(`callback ${x}`);
        }, 7);
        assert.equal(await stack.enterAsyncContext(resource('b')), 'b');
      }
      log.push('after');
      assert.equal(getRunningLoop().time(), 11);
    });
    assert.deepEqual(log, ['open a', 'open b', 'close b', 'callback 7', 'close a', 'after']);
  });

  test('await using: the block’s error is not seen by the exits, so none can swallow it', async () => {
    const seen: unknown[] = [];
    const blockError = new ZeroDivisionError();
    const exitError = new KeyError();
    await assert.rejects(
      runVirtual(async () => {
        await using stack = new AsyncExitStack();
        stack.push((error: unknown) => {
          seen.push(error);
          return true; // swallows the callback's error, never the block's: the disposal is not told it
        });
        stack.callback(() => {
          throw exitError;
        });
        throw blockError;
      }),
      (e) => e === blockError,
    );
    assert.deepEqual(seen, [exitError], 'the exit saw the error of the exit before it, not the block’s');
  });

  test('await using: an exit’s own error after a failed block comes back as a SuppressedError', async () => {
    const blockError = new ZeroDivisionError();
    const exitError = new KeyError();
    await assert.rejects(
      runVirtual(async () => {
        await using stack = new AsyncExitStack();
        stack.callback(() => {
          throw exitError;
        });
        throw blockError;
      }),
      (e: { name: string; error: unknown; suppressed: unknown }) =>
        e.name === 'SuppressedError' && e.error === exitError && e.suppressed === blockError,
    );
  });

  test('await of exit(error): the exits see the error, as asyncWith passes it', async () => {
    const seen: unknown[] = [];
    await runVirtual(async () => {
      const stack = new AsyncExitStack();
      stack.push(async (error: unknown) => {
        await sleep(1);
        seen.push(error);
        return true;
      });
      const error = new RangeError('block');
      assert.equal(await stack.exit(error), true);
      assert.deepEqual(seen, [error]);
    });
  });

  test('cancelling an async-function task while the stack unwinds reaches an async callback', async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const task = createTask(async () => {
        await using stack = new AsyncExitStack();
        stack.pushAsyncCallback(async () => {
          try {
            await sleep(1000);
          } catch (e) {
            log.push(`callback got ${(e as Error).name}`);
            throw e;
          }
        });
      });
      await sleep(100);
      task.cancel();
      await assert.rejects(Promise.resolve(task), CancelledError);
      assert.equal(getRunningLoop().time(), 100);
    });
    assert.deepEqual(log, ['callback got CancelledError']);
  });
});

describe('[Symbol.asyncDispose] handlers learn the block’s error where the language allows it', () => {
  /** A disposable that records the arguments of its disposal. */
  const recorder = (calls: unknown[][]) => ({
    async [Symbol.asyncDispose](...args: unknown[]) {
      calls.push(args);
    },
  });

  test('asyncWith passes the error (and nothing after a success); it is not swallowed', async () => {
    const calls: unknown[][] = [];
    const error = new RangeError('block');
    await runVirtual(function* () {
      yield* asyncWith(recorder(calls), function* () {});
      try {
        yield* asyncWith(recorder(calls), function* () {
          throw error;
        });
        assert.fail('expected the error');
      } catch (e) {
        assert.equal(e, error);
      }
    });
    assert.deepEqual(calls, [[], [error]]);
  });

  test('AsyncExitStack passes the pending error to disposables it entered or was pushed; await using passes none', async () => {
    const calls: unknown[][] = [];
    const error = new RangeError('block');
    await runVirtual(function* () {
      const stack = new AsyncExitStack();
      yield* stack.enterAsyncContext(recorder(calls));
      stack.push(recorder(calls));
      stack.enterContext({
        [Symbol.dispose](...args: unknown[]) {
          calls.push(['sync', ...args]);
        },
      });
      assert.equal(yield* stack.exit(error), false);
    });
    await runVirtual(async () => {
      await using stack = new AsyncExitStack();
      stack.push(recorder(calls));
    });
    assert.deepEqual(calls, [['sync', error], [error], [error], []]);
  });

  test('a guard given to asyncWith or an AsyncExitStack throws the error into its generator (its catch runs)', async () => {
    const log: string[] = [];
    const cm = asyncContextManager(function* (): ContextCoro<string> {
      try {
        yield 'v';
      } catch (e) {
        log.push(`catch ${(e as Error).message}`);
        throw e;
      } finally {
        log.push('finally');
      }
    });
    const error = new RangeError('block');
    await runVirtual(function* () {
      const guard = yield* cm().hold();
      try {
        yield* asyncWith(guard, function* (g) {
          assert.equal(g.value, 'v');
          throw error;
        });
      } catch (e) {
        log.push(`propagated ${(e as Error).message}`);
      }
      const stack = new AsyncExitStack();
      stack.push(yield* cm().hold());
      try {
        yield* stack.exit(error);
      } catch (e) {
        assert.fail(`the generator re-threw the error it was given: not the exit's failure (${String(e)})`);
      }
    });
    assert.deepEqual(log, ['catch block', 'finally', 'propagated block', 'catch block', 'finally']);
  });
});
