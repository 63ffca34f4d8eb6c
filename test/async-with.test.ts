import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  sleep,
  createTask,
  asyncWith,
  CancelledError,
  type AsyncContextManager,
  type Coro,
} from '../src/index.ts';
import { nodeDelay } from './helpers/capture.ts';

/** The context manager of examples/async-context-manager.ts, recording instead of printing. */
class Resource implements AsyncContextManager<Resource>, AsyncDisposable {
  constructor(readonly log: string[], readonly name = 'resource') {}

  enter(): Resource {
    this.log.push(`enter ${this.name}`);
    return this;
  }

  *exit(error: unknown): Coro<void> {
    yield* sleep(0); // cleanup may await
    this.log.push(`exit ${this.name}${error === undefined ? '' : ` with ${(error as Error).name}`}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await sleep(0);
    this.log.push(`dispose ${this.name}`);
  }
}

describe('await using (async-function tasks)', () => {
  test('disposes at the end of the block, after awaiting runtime awaitables', async () => {
    const log: string[] = [];
    await run(async () => {
      {
        await using res = new Resource(log);
        log.push(`inside ${res.name}`);
        await sleep(1);
      }
      log.push('after block');
    });
    assert.deepEqual(log, ['inside resource', 'dispose resource', 'after block']);
  });

  test('disposes in reverse order, even when the block throws', async () => {
    const log: string[] = [];
    const error = new Error('block failed');
    await assert.rejects(
      run(async () => {
        await using _a = new Resource(log, 'a');
        await using _b = new Resource(log, 'b');
        await sleep(0);
        throw error;
      }),
      (e) => e === error,
    );
    assert.deepEqual(log, ['dispose b', 'dispose a']);
  });

  test('cleanup runs when the task is cancelled in the block', async () => {
    const log: string[] = [];
    await run(async () => {
      const t = createTask(async () => {
        await using _res = new Resource(log);
        log.push('body');
        await sleep(60_000);
        log.push('not reached');
      });
      await sleep(0);
      await sleep(0);
      t.cancel();
      await assert.rejects(Promise.resolve(t), CancelledError);
      assert.equal(t.cancelled(), true);
    });
    assert.deepEqual(log, ['body', 'dispose resource']);
  });
});

describe('asyncWith (generator tasks)', () => {
  test('enter → body(value) → exit(undefined); returns the body’s result', async () => {
    const log: string[] = [];
    const result = await run(function* () {
      return yield* asyncWith(new Resource(log), function* (res) {
        log.push(`body got ${res.name}`);
        yield* sleep(1);
        return 'body result';
      });
    });
    assert.equal(result, 'body result');
    assert.deepEqual(log, ['enter resource', 'body got resource', 'exit resource']);
  });

  test('the body’s error is passed to exit and re-thrown', async () => {
    const log: string[] = [];
    const error = new RangeError('body failed');
    await assert.rejects(
      run(function* () {
        yield* asyncWith(new Resource(log), function* () {
          yield* sleep(0);
          throw error;
        });
      }),
      (e) => e === error,
    );
    assert.deepEqual(log, ['enter resource', 'exit resource with RangeError']);
  });

  test('exit returning true swallows the error', async () => {
    const seen: unknown[] = [];
    const result = await run(function* () {
      const r = yield* asyncWith(
        {
          enter: () => ({ value: 1 }),
          exit: (error: unknown) => {
            seen.push(error);
            return true;
          },
        },
        function* (_value: { value: number }): Coro<string> {
          throw new Error('swallowed');
        },
      );
      return r ?? 'no result';
    });
    assert.equal(result, 'no result');
    assert.equal((seen[0] as Error).message, 'swallowed');
  });

  test('cleanup runs when the task is cancelled in the body; the task ends cancelled', async () => {
    const log: string[] = [];
    await run(function* () {
      const t = createTask(function* () {
        yield* asyncWith(new Resource(log), function* () {
          log.push('body');
          yield* sleep(60_000);
          log.push('not reached');
        });
      });
      yield* sleep(0);
      yield* sleep(0);
      t.cancel('stop');
      try {
        yield* t;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        assert.equal((e as Error).message, 'stop');
      }
      assert.equal(t.cancelled(), true);
    });
    assert.deepEqual(log, ['enter resource', 'body', 'exit resource with CancelledError']);
  });

  test('enter and exit may be coroutines, promises or plain values', async () => {
    const log: string[] = [];
    const value = await run(function* () {
      const a = yield* asyncWith(
        {
          *enter(): Coro<number> {
            yield* sleep(0);
            return 1;
          },
          exit: async () => {
            await nodeDelay(1);
            log.push('promise exit');
          },
        },
        function* (v) {
          return v + 1;
        },
      );
      const b = yield* asyncWith(
        {
          enter: () => nodeDelay(1).then(() => 10),
          exit: () => {
            log.push('plain exit');
          },
        },
        function* (v) {
          return v + 1;
        },
      );
      return a + b;
    });
    assert.equal(value, 13);
    assert.deepEqual(log, ['promise exit', 'plain exit']);
  });

  test('accepts an AsyncDisposable: the value is the resource itself', async () => {
    const log: string[] = [];
    await run(function* () {
      const disposable: AsyncDisposable & { id: number } = {
        id: 7,
        async [Symbol.asyncDispose]() {
          await sleep(0);
          log.push('disposed');
        },
      };
      yield* asyncWith(disposable, function* (res: typeof disposable) {
        log.push(`body ${res.id}`);
      });
    });
    assert.deepEqual(log, ['body 7', 'disposed']);
  });

  test('an error raised by exit propagates', async () => {
    const exitError = new Error('exit failed');
    await assert.rejects(
      run(function* () {
        yield* asyncWith(
          {
            enter: () => null,
            exit: () => {
              throw exitError;
            },
          },
          function* () {
            yield* sleep(0);
          },
        );
      }),
      (e) => e === exitError,
    );
  });

  test('rejects objects that are not context managers', async () => {
    await run(function* () {
      try {
        yield* asyncWith({} as never, function* () {});
        assert.fail('expected TypeError');
      } catch (e) {
        assert.ok(e instanceof TypeError);
      }
    });
  });
});

describe('asyncWith(): review regressions', () => {
  test('a body that is not a generator function is a clear TypeError, and the resource is still released', async () => {
    const log: string[] = [];
    await run(function* () {
      const error = yield* (function* (): Coro<unknown> {
        try {
          yield* asyncWith(new Resource(log), (async () => 'x') as never);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(error instanceof TypeError);
      assert.match(
        error.message,
        /^asyncWith\(\) expects the body to be a generator function \(function\*\), but it returned Promise object \(in an async function, use await using instead\)$/,
      );
    });
    assert.equal(log.at(-1)?.startsWith('exit'), true, JSON.stringify(log));
  });
});
