import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  sleep,
  createTask,
  currentTask,
  getRunningLoop,
  aiter,
  forAwait,
  AsyncIteration,
  CancelledError,
  type ExceptionContext,
  type Coro,
} from '../src/index.ts';

/** The async generator of examples/async-generator.ts: sleeps before each value (short delays here). */
async function* asyncGenerator(n = 3, ms = 1, log?: string[]): AsyncGenerator<number> {
  try {
    for (let i = 0; i < n; i++) {
      await sleep(ms);
      yield i;
    }
  } catch (error) {
    log?.push(`generator caught ${(error as Error).name}`);
    throw error;
  } finally {
    log?.push('generator finally');
  }
}

describe('async iteration: consuming async generators', () => {
  test('for await in an async task', async () => {
    const values = await run(async () => {
      const values: number[] = [];
      for await (const value of asyncGenerator()) values.push(value);
      return values;
    });
    assert.deepEqual(values, [0, 1, 2]);
  });

  test('forAwait in a generator task', async () => {
    const log: string[] = [];
    const values = await run(function* () {
      const values: number[] = [];
      yield* forAwait(asyncGenerator(3, 1, log), (value) => {
        values.push(value);
      });
      return values;
    });
    assert.deepEqual(values, [0, 1, 2]);
    assert.deepEqual(log, ['generator finally']);
  });

  test('forAwait with a coroutine body that awaits', async () => {
    const seen = await run(function* () {
      const seen: string[] = [];
      yield* forAwait(asyncGenerator(2, 0), function* (value) {
        yield* sleep(1);
        seen.push(`body ${value}`);
      });
      return seen;
    });
    assert.deepEqual(seen, ['body 0', 'body 1']);
  });

  test('aiter(): next() by hand from a generator task', async () => {
    const values = await run(function* () {
      const it = aiter(asyncGenerator());
      assert.ok(it instanceof AsyncIteration);
      const values: number[] = [];
      for (let r = yield* it.next(); !r.done; r = yield* it.next()) values.push(r.value);
      return values;
    });
    assert.deepEqual(values, [0, 1, 2]);
  });

  test('aiter() accepts any async iterable or async iterator', async () => {
    const values = await run(function* () {
      const iterable: AsyncIterable<string> = {
        [Symbol.asyncIterator]() {
          let i = 0;
          return {
            next: async () => (i < 2 ? { done: false, value: `v${i++}` } : { done: true, value: undefined }),
          };
        },
      };
      const values: string[] = [];
      yield* forAwait(iterable, (v) => {
        values.push(v);
      });
      const bare = iterable[Symbol.asyncIterator]();
      const r = yield* aiter(bare).next();
      values.push(String(r.value));
      return values;
    });
    assert.deepEqual(values, ['v0', 'v1', 'v0']);
    await run(function* () {
      assert.throws(() => aiter(42 as never), TypeError);
    });
  });

  test('forAwait stops and closes the generator when the body returns false or throws', async () => {
    const log: string[] = [];
    await run(function* () {
      const seen: number[] = [];
      yield* forAwait(asyncGenerator(10, 0, log), (value) => {
        seen.push(value);
        return value < 1; // false after the second value
      });
      assert.deepEqual(seen, [0, 1]);
      assert.deepEqual(log, ['generator finally']);
      log.length = 0;
      const error = new Error('body failed');
      try {
        yield* forAwait(asyncGenerator(10, 0, log), () => {
          throw error;
        });
        assert.fail('expected the body error');
      } catch (e) {
        assert.equal(e, error);
      }
      assert.deepEqual(log, ['generator finally']);
    });
  });

  test('currentTask() inside the async generator is the consuming task', async () => {
    await run(function* () {
      const self = currentTask();
      async function* gen(): AsyncGenerator<unknown> {
        await sleep(0);
        yield { task: currentTask() }; // (an async generator's yield would await a Task itself)
      }
      const r = yield* aiter(gen()).next();
      assert.equal((r.value as { task: unknown }).task, self);
    });
  });
});

describe('async iteration: cancellation', () => {
  test('cancelling a generator task reaches the await inside the async generator', async () => {
    await run(function* () {
      const log: string[] = [];
      const t = createTask(function* () {
        yield* forAwait(asyncGenerator(3, 60_000, log), () => {
          log.push('value');
        });
      });
      yield* sleep(0);
      yield* sleep(0);
      t.cancel();
      try {
        yield* t;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.equal(t.cancelled(), true);
      assert.deepEqual(log, ['generator caught CancelledError', 'generator finally']);
    });
  });

  test('cancelling an async task in `for await` reaches the await inside the async generator', async () => {
    await run(async () => {
      const log: string[] = [];
      const t = createTask(async () => {
        for await (const _ of asyncGenerator(3, 60_000, log)) log.push('value');
      });
      await sleep(0);
      await sleep(0);
      t.cancel();
      await assert.rejects(Promise.resolve(t), CancelledError);
      assert.equal(t.cancelled(), true);
      assert.deepEqual(log, ['generator caught CancelledError', 'generator finally']);
    });
  });

  test('cancelling while the consumer body runs closes the generator', async () => {
    await run(function* () {
      const log: string[] = [];
      const t = createTask(function* () {
        yield* forAwait(asyncGenerator(3, 0, log), function* () {
          yield* sleep(60_000);
        });
      });
      for (let i = 0; i < 5; i++) yield* sleep(0);
      t.cancel();
      try {
        yield* t;
      } catch {
        // cancelled
      }
      assert.equal(t.cancelled(), true);
      assert.deepEqual(log, ['generator finally']);
    });
  });
});

describe('async iteration: shutdown', () => {
  test('run() closes async generators left unfinished by main (their finally blocks run)', async () => {
    const log: string[] = [];
    await run(function* () {
      const it = aiter(asyncGenerator(10, 0, log));
      const first = yield* it.next();
      assert.equal(first.value, 0);
      // main returns with the generator suspended at its yield
    });
    assert.deepEqual(log, ['generator finally']);
  });

  test('run() closes async generators left unfinished by a leftover task', async () => {
    const log: string[] = [];
    await run(function* () {
      createTask(function* () {
        const it = aiter(asyncGenerator(10, 0, log));
        yield* it.next();
        yield* sleep(60_000); // cancelled by run() at shutdown, without closing `it`
      });
      yield* sleep(5);
    });
    assert.deepEqual(log, ['generator finally']);
  });

  test('an error while closing a generator goes to the exception handler', async () => {
    const contexts: ExceptionContext[] = [];
    await run(function* () {
      getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
      async function* bad(): AsyncGenerator<number> {
        try {
          yield 1;
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new Error('cannot close');
        }
      }
      yield* aiter(bad()).next();
    });
    assert.equal(contexts.length, 1);
    assert.match(contexts[0]!.message, /closing of an asynchronous generator/);
    assert.equal((contexts[0]!.exception as Error).message, 'cannot close');
  });

  test('generators that finished are not closed again', async () => {
    let closes = 0;
    await run(function* () {
      const iterable: AsyncIterator<number> = {
        next: async () => ({ done: true, value: undefined }),
        return: async () => {
          closes++;
          return { done: true, value: undefined };
        },
      };
      const r = yield* aiter(iterable).next();
      assert.equal(r.done, true);
    });
    assert.equal(closes, 0);
  });
});

// Type-level check: forAwait bodies get the element type.
function* _typed(): Coro<void> {
  yield* forAwait(asyncGenerator(), (value: number) => {
    void value.toFixed();
  });
}
void _typed;

describe('aiter(): review regressions', () => {
  test('a sync iterable is rejected with a message naming it', async () => {
    await run(function* () {
      assert.throws(() => aiter([1, 2] as never), {
        name: 'TypeError',
        message: 'aiter() expects an async iterable or async iterator, got Array 1,2',
      });
    });
  });
});
