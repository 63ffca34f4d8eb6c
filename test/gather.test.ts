import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  sleep,
  gather,
  gatherFrom,
  createTask,
  getRunningLoop,
  CancelledError,
  GatheringFuture,
  allTasks,
  currentTask,
  type Coro,
} from '../src/index.ts';
import { nodeDelay } from './helpers/capture.ts';

function* value<T>(ms: number, v: T, log?: string[]): Coro<T> {
  yield* sleep(ms);
  log?.push(String(v));
  return v;
}

function* fail(ms: number, error: Error): Coro<never> {
  yield* sleep(ms);
  throw error;
}

/** Returns `v` after `n` iterations of the loop: a completion order that no machine load can change. */
function* afterHops<T>(n: number, v: T, log?: string[]): Coro<T> {
  for (let i = 0; i < n; i++) yield* sleep(0);
  log?.push(String(v));
  return v;
}

describe('gather', () => {
  test('results come in argument order, not completion order (typed tuple)', async () => {
    await run(function* () {
      const done: string[] = [];
      const results: [number, string, boolean] = yield* gather(
        afterHops(5, 1, done),
        afterHops(2, 'two', done),
        afterHops(0, true, done),
      );
      assert.deepEqual(results, [1, 'two', true]);
      assert.deepEqual(done, ['true', 'two', '1']);
      // The same with destructuring: each element keeps its own static type.
      const [a, b]: [number, string] = yield* gather(value(0, 10), value(0, 'x'));
      assert.equal(a + 1, 11);
      assert.equal(b.toUpperCase(), 'X');
    });
  });

  test('returns a GatheringFuture, awaitable with await too', async () => {
    await run(async () => {
      const g = gather(value(0, 'a'), value(0, 'b'));
      assert.ok(g instanceof GatheringFuture);
      const [x, y]: [string, string] = await g;
      assert.deepEqual([x, y], ['a', 'b']);
    });
  });

  test('the first exception propagates at once; the other children keep running', async () => {
    await run(function* () {
      const log: string[] = [];
      const error = new RangeError('first failure');
      const gate = getRunningLoop().createFuture<void>();
      const slow = createTask(function* () {
        yield* gate; // opened only after the gather failed
        log.push('slow');
        return 'slow';
      });
      const g = gather(slow, fail(0, error), fail(1, new Error('second failure')));
      try {
        yield* g;
        assert.fail('gather should have thrown');
      } catch (e) {
        assert.equal(e, error);
      }
      assert.equal(slow.done(), false);
      gate.setResult();
      assert.equal(yield* slow, 'slow');
      assert.deepEqual(log, ['slow']);
      assert.equal(g.done(), true);
      assert.equal(g.cancelled(), false);
      // Cancelling a gather that is done does nothing.
      assert.equal(g.cancel(), false);
    });
  });

  test('cancelling the gather cancels every child; awaiting it throws CancelledError', async () => {
    await run(function* () {
      const c1 = createTask(value(60_000, 1));
      const c2 = createTask(value(60_000, 2));
      const g = gather(c1, c2);
      yield* sleep(0);
      assert.equal(g.cancel('stop all'), true);
      try {
        yield* g;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        assert.equal((e as Error).message, 'stop all');
      }
      assert.equal(c1.cancelled(), true);
      assert.equal(c2.cancelled(), true);
    });
  });

  test('cancelling the task awaiting a gather cancels the children', async () => {
    await run(function* () {
      const c1 = createTask(value(60_000, 1));
      const c2 = createTask(value(60_000, 2));
      const outer = createTask(function* () {
        return yield* gather(c1, c2);
      });
      yield* sleep(0);
      outer.cancel();
      try {
        yield* outer;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.equal(c1.cancelled(), true);
      assert.equal(c2.cancelled(), true);
      assert.equal(outer.cancelled(), true);
    });
  });

  test('a cancelled gather ends in CancelledError even if children swallow the cancellation', async () => {
    // asyncio (bpo-32684): the cancellation propagates regardless of returnExceptions.
    await run(function* () {
      const stubborn = createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch {
          return 'swallowed';
        }
        return 'not cancelled';
      });
      const g = gather(stubborn, { returnExceptions: true });
      yield* sleep(0);
      g.cancel();
      try {
        yield* g;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.equal(stubborn.result(), 'swallowed');
    });
  });

  test('a child cancelled on its own: CancelledError propagates (no returnExceptions)', async () => {
    await run(function* () {
      const gate = getRunningLoop().createFuture<void>();
      const c1 = createTask(value(60_000, 1));
      const c2 = createTask(function* () {
        yield* gate;
        return 2;
      });
      const g = gather(c1, c2);
      yield* sleep(0);
      c1.cancel('own');
      try {
        yield* g;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        assert.equal((e as Error).message, 'own');
      }
      // As in asyncio, the gather finished with the error; it is not itself "cancelled".
      assert.equal(g.cancelled(), false);
      assert.equal(c2.done(), false);
      gate.setResult();
      assert.equal(yield* c2, 2);
    });
  });

  test('returnExceptions puts exceptions (and CancelledErrors) in the results', async () => {
    await run(function* () {
      const error = new TypeError('in results');
      const cancelled = createTask(value(60_000, 'never'));
      const g = gather(value(1, 'ok'), fail(0, error), cancelled, { returnExceptions: true });
      yield* sleep(0);
      cancelled.cancel();
      const results = yield* g;
      assert.equal(results.length, 3);
      assert.equal(results[0], 'ok');
      assert.equal(results[1], error);
      assert.ok(results[2] instanceof CancelledError);
    });
  });

  test('the same awaitable passed twice runs once and shares its result', async () => {
    await run(function* () {
      let runs = 0;
      function* once(): Coro<number> {
        runs++;
        yield* sleep(0);
        return runs;
      }
      const co = once();
      const [a, b] = yield* gather(co, co);
      assert.deepEqual([a, b], [1, 1]);
      assert.equal(runs, 1);
      const fut = getRunningLoop().createFuture<string>();
      getRunningLoop().callSoon(() => fut.setResult('shared'));
      assert.deepEqual(yield* gather(fut, fut, fut), ['shared', 'shared', 'shared']);
    });
  });

  test('an empty gather resolves to []', async () => {
    await run(function* () {
      const g = gather();
      assert.equal(g.done(), true);
      assert.deepEqual(yield* g, []);
    });
  });

  test('a gather of futures that are already done completes at once (asyncio 3.12+)', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const a = loop.createFuture<number>();
      const b = loop.createFuture<string>();
      a.setResult(1);
      b.setResult('b');
      const g = gather(a, b);
      assert.equal(g.done(), true);
      assert.deepEqual(g.result(), [1, 'b']);
      const failed = loop.createFuture<number>();
      const error = new Error('already failed');
      failed.setException(error);
      const g2 = gather(failed, loop.createFuture<number>());
      assert.equal(g2.done(), true);
      assert.equal(g2.exception(), error);
    });
  });

  test('gather of async functions, promises and sleeps', async () => {
    await run(function* () {
      const results = yield* gather(
        async () => {
          await sleep(1);
          return 'async fn';
        },
        nodeDelay(1).then(() => 'promise'),
        sleep(1, 'sleep'),
        Promise.resolve(4),
      );
      assert.deepEqual(results, ['async fn', 'promise', 'sleep', 4]);
      // Functions are run as Tasks; their results keep their static types.
      const [x, y]: [string, number] = yield* gather(
        async () => 'from async',
        function* (): Coro<number> {
          yield* sleep(0);
          return 2;
        },
      );
      assert.deepEqual([x, y], ['from async', 2]);
    });
  });

  test('a failing promise propagates its error', async () => {
    await run(async () => {
      const error = new Error('rejected');
      await assert.rejects(
        Promise.resolve(gather(Promise.reject(error), sleep(1))),
        (e) => e === error,
      );
    });
  });

  test('gather outside a running loop throws', () => {
    assert.throws(() => gather(Promise.resolve(1)), { message: 'no running event loop' });
  });
});

describe('gather(): review regressions', () => {
  test('an array passed as one argument (Python habit: gather(list)) says to spread it', async () => {
    await run(function* () {
      assert.throws(() => gather([sleep(1), sleep(1)] as never), {
        name: 'TypeError',
        message: 'gather() takes awaitables as separate arguments, got an Array: spread it, gather(...aws)',
      });
    });
  });

  test('a bad argument after good ones leaves nothing running: coroutines never start, futures keep no callback', async () => {
    const log: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<number>();
      assert.throws(() => gather(fut, value(0, 'started', log), 42 as never), { name: 'TypeError' });
      fut.setResult(1);
      yield* sleep(0);
      yield* sleep(0);
      assert.equal(fut.removeDoneCallback(() => {}), 0);
    });
    assert.deepEqual(log, []);
  });

  test('a bad argument cancels the tasks gather made for the arguments before it', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const fut = loop.createFuture<number>();
      let callbacks = 0;
      fut.addDoneCallback(() => callbacks++);
      assert.throws(() => gather(fut, afterHops(1, 'x'), [1] as never), { name: 'TypeError' });
      fut.setResult(1);
      yield* sleep(0);
      yield* sleep(0);
      assert.equal(callbacks, 1); // only the test's own callback: gather removed its registration
      assert.deepEqual([...allTasks()], [currentTask()]); // the task made for afterHops() is gone
    });
  });
});

describe('gatherFrom(): gather over an iterable, for any number of awaitables', () => {
  test('a million futures: no stack overflow (gather(...aws) overflows past ~120k), results in order', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const futures = Array.from({ length: 1_000_000 }, () => loop.createFuture<number>());
      loop.callSoon(() => futures.forEach((f, i) => f.setResult(i)));
      const results = yield* gatherFrom(futures);
      assert.equal(results.length, 1_000_000);
      assert.equal(results[0], 0);
      assert.equal(results[999_999], 999_999);
    });
  });

  test('takes any iterable (a generator of coroutines), wraps coroutines in tasks, keeps order', async () => {
    const results = await run(function* () {
      function* coros(): Generator<Coro<string>> {
        yield afterHops(3, 'slow');
        yield afterHops(1, 'fast');
      }
      return yield* gatherFrom(coros());
    });
    assert.deepEqual(results, ['slow', 'fast']);
  });

  test('returnExceptions puts errors in the results; without it the first error propagates', async () => {
    await run(function* () {
      const boom = new Error('boom');
      assert.deepEqual(yield* gatherFrom([value(0, 1), fail(0, boom)], { returnExceptions: true }), [1, boom]);
      try {
        yield* gatherFrom([value(5, 1), fail(0, boom)]);
        assert.fail('gatherFrom() should have thrown');
      } catch (error) {
        assert.equal(error, boom);
      }
    });
  });

  test('bad arguments name the call and the value', async () => {
    await run(function* () {
      assert.throws(() => gatherFrom(5 as never), {
        name: 'TypeError',
        message: 'gatherFrom() expects aws to be an iterable (e.g. an array) of awaitables, got number 5',
      });
      assert.throws(() => gatherFrom([], 'x' as never), /gatherFrom\(\) expects options to be an object/);
    });
  });
});
