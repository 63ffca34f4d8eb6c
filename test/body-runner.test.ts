import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  InlineAwaitable,
  aiter,
  forAwait,
  run,
  createTask,
  currentTask,
  ensureFuture,
  getRunningLoop,
  sleep,
  timeout,
  type Coro,
  type Future,
  type Task,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

/** The awaitables of timeout()/taskGroup()/waitFor()/wait() run their body in the calling task. */
describe('bodies run in the calling task', () => {
  test('nothing runs until awaited; a Task runs it when given one', async () => {
    await runVirtual(function* () {
      let runs = 0;
      const block = timeout(null, function* () {
        runs++;
        return currentTask()!.getName();
      });
      assert.ok(block instanceof InlineAwaitable);
      yield* sleep(1);
      assert.equal(runs, 0);
      const task = createTask(block, { name: 'runs the block' });
      assert.equal(yield* task, 'runs the block');
      assert.equal(runs, 1);
      const viaEnsure = ensureFuture(timeout(null, async () => currentTask()!.getName())) as Task<string>;
      assert.equal(yield* viaEnsure, viaEnsure.getName());
    });
  });

  test('a generator body awaited from an async task runs inline, in that task', async () => {
    await runVirtual(async () => {
      const self = currentTask();
      const hops: number[] = [];
      const result = await timeout(null, function* () {
        assert.equal(currentTask(), self);
        for (let i = 0; i < 3; i++) {
          yield* sleep(0);
          hops.push(now());
        }
        yield* sleep(10);
        return 'inline';
      });
      assert.equal(result, 'inline');
      assert.deepEqual(hops, [0, 0, 0]);
      assert.equal(now(), 10);
    });
  });

  test('a bad yield in a generator body driven from an async task is thrown back in', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const error = await timeout(null, function* () {
        const fut = loop.createFuture<void>();
        try {
          yield fut as unknown as null; // should have been yield*
        } catch (e) {
          return e;
        }
        return null;
      });
      assert.ok(error instanceof Error);
      assert.match(error.message, /bad yield.*use yield\*/);
    });
  });

  test('cancelling a generator task reaches the await of an async body at once, even before it registered', async () => {
    await runVirtual(function* () {
      const seen: string[] = [];
      const task = createTask(function* () {
        yield* timeout(null, async () => {
          try {
            await sleep(1000);
          } catch (error) {
            seen.push(`${(error as Error).name}@${now()}`);
            await sleep(5); // the body may clean up
            throw error;
          }
        });
      });
      yield* sleep(0); // the task suspends in the body's first await
      task.cancel();
      try {
        yield* task;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      const later = createTask(function* () {
        yield* timeout(null, async () => {
          await sleep(1); // a first await
          try {
            await sleep(1000);
          } catch (error) {
            seen.push(`${(error as Error).name}@${now()}`);
            return 'swallowed';
          }
          return 'not cancelled';
        });
        return 'body returned';
      });
      yield* sleep(50);
      later.cancel();
      assert.equal(yield* later, 'body returned'); // the body swallowed the cancellation
      assert.deepEqual(seen, ['CancelledError@0', 'CancelledError@55']);
    });
  });

  test('a cancel that arrives after the awaited future completed is thrown into the generator body', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      const events: string[] = [];
      const task = createTask(async () => {
        await timeout(null, function* () {
          const v = yield* fut;
          events.push(`resumed with ${v}`);
          try {
            yield* sleep(0);
          } catch (error) {
            events.push(`then ${(error as Error).name}`);
            throw error;
          }
        });
      });
      await sleep(1);
      fut.setResult('value');
      task.cancel(); // in the same iteration: the future is done, the body not resumed yet
      await assert.rejects(async () => {
        await task;
      }, CancelledError);
      assert.deepEqual(events, []); // thrown in at the `yield* fut`, as a Task would
      assert.equal(task.cancelled(), true);
    });
  });

  test('an async body awaiting foreign work holds the virtual clock', async () => {
    await runVirtual(function* () {
      const seen: number[] = [];
      const sleeper = createTask(sleep(1000));
      yield* timeout(null, async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen.push(now());
        await sleep(5);
        seen.push(now());
      });
      yield* sleeper;
      seen.push(now());
      assert.deepEqual(seen, [0, 5, 1000]);
    });
  });

  test('awaitables work with assert.rejects (they have catch and finally)', async () => {
    await runVirtual(async () => {
      await assert.rejects(
        timeout(1, async () => sleep(10)),
        (error: unknown) => (error as Error).name === 'TimeoutError',
      );
      let finallyRan = false;
      await timeout(1, async () => 1).finally(() => {
        finallyRan = true;
      });
      assert.ok(finallyRan);
      assert.equal(await timeout(1, async () => 2).catch(() => 0), 2);
    });
  });
});

describe('async iteration from a generator task', () => {
  test('cancelling the task reaches the await inside the async generator', async () => {
    await runVirtual(function* () {
      const seen: string[] = [];
      async function* slow(): AsyncGenerator<number> {
        try {
          await sleep(1000);
          yield 1;
        } catch (error) {
          seen.push(`${(error as Error).name}@${now()}`);
          throw error;
        }
      }
      const task = createTask(function* (): Coro<void> {
        const it = aiter(slow());
        yield* it.next();
      });
      yield* sleep(10);
      task.cancel();
      try {
        yield* task;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.deepEqual(seen, ['CancelledError@10']);
    });
  });

  test('an async function awaiting it.next() forwards the cancellation to the step', async () => {
    await runVirtual(async () => {
      const seen: string[] = [];
      async function* slow(): AsyncGenerator<number> {
        try {
          await sleep(1000);
          yield 1;
        } catch (error) {
          seen.push(`${(error as Error).name}@${now()}`);
          throw error;
        }
      }
      const task = createTask(async () => {
        const it = aiter(slow());
        const step: Future<IteratorResult<number>> = it.next();
        await step;
      });
      await sleep(10);
      task.cancel();
      await assert.rejects(async () => {
        await task;
      }, CancelledError);
      assert.deepEqual(seen, ['CancelledError@10']);
    });
  });
});

describe('an awaitable is awaited once, like a coroutine', () => {
  test('a second yield* throws instead of giving undefined, whether the first finished, failed or ran in a Task', async () => {
    await runVirtual(function* () {
      const block = timeout(10, function* () {
        yield* sleep(1);
        return 'once';
      });
      assert.equal(yield* block, 'once');
      assert.throws(() => block.next(), /already been awaited/);
      let again: unknown = null;
      try {
        again = yield* block;
      } catch (error) {
        again = error;
      }
      assert.match((again as Error).message, /already been awaited/);

      const failing = timeout(10, function* () {
        yield* sleep(1);
        throw new RangeError('failed once');
      });
      let first: unknown = null;
      try {
        yield* failing;
      } catch (error) {
        first = error;
      }
      assert.ok(first instanceof RangeError);
      assert.throws(() => failing.next(), /already been awaited/);

      const inTask = timeout(10, function* () {
        return currentTask()!.getName();
      });
      const task = createTask(inTask, { name: 'runner' });
      assert.equal(yield* task, 'runner');
      assert.throws(() => inTask.next(), /already been awaited/);
      assert.equal(now(), 2);
    });
  });
});

describe('runBody: a plain function returning an async generator (review regression)', () => {
  // Its next() returns promises, which used to be read as bare yields: the body never ended.
  async function* numbers(): AsyncGenerator<number> {
    yield 1;
    yield 2;
  }

  test('generator style: the async generator is the body\'s value, iterable afterwards', async () => {
    const seen = await run(function* () {
      // The types refuse a body that returns a plain value; JavaScript callers are not stopped.
      const gen = (yield* timeout(1000, (() => numbers()) as never)) as AsyncGenerator<number>;
      const out: number[] = [];
      yield* forAwait(gen, (n) => {
        out.push(n);
      });
      return out;
    });
    assert.deepEqual(seen, [1, 2]);
  });

  test('async style: the same', async () => {
    const seen = await run(async () => {
      const gen = (await timeout(1000, (() => numbers()) as never)) as AsyncGenerator<number>;
      const out: number[] = [];
      for await (const n of gen) out.push(n);
      return out;
    });
    assert.deepEqual(seen, [1, 2]);
  });
});
