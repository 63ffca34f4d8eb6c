import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  createTask,
  getRunningLoop,
  sleep,
  wait,
  type Coro,
  type ReturnWhen,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

function* fail(ms: number, message: string): Coro<never> {
  yield* sleep(ms);
  throw new Error(message);
}

describe('wait() with generator coroutines', () => {
  test('ALL_COMPLETED (the default) returns when every future is done', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(10, 'a'));
      const b = createTask(sleep(30, 'b'));
      const [done, pending] = yield* wait([b, a]);
      assert.deepEqual([...done], [b, a]);
      assert.equal(pending.size, 0);
      assert.equal(now(), 30);
      const [done2] = yield* wait([createTask(sleep(5))], { returnWhen: ALL_COMPLETED });
      assert.equal(done2.size, 1);
      assert.equal(now(), 35);
    });
  });

  test('FIRST_COMPLETED returns when any future is done; nothing is cancelled', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(10, 'a'));
      const b = createTask(sleep(30, 'b'));
      const [done, pending] = yield* wait([a, b], { returnWhen: FIRST_COMPLETED });
      assert.deepEqual([...done], [a]);
      assert.deepEqual([...pending], [b]);
      assert.equal(now(), 10);
      assert.equal(yield* b, 'b');
      assert.equal(now(), 30);
    });
  });

  test('FIRST_EXCEPTION returns at the first failure, or when all are done', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(10, 'a'));
      const b = createTask(fail(20, 'b failed'));
      const c = createTask(sleep(30, 'c'));
      const [done, pending] = yield* wait([a, b, c], { returnWhen: FIRST_EXCEPTION });
      assert.deepEqual([...done], [a, b]);
      assert.deepEqual([...pending], [c]);
      assert.equal(now(), 20);
      assert.equal(b.exception()!.constructor, Error);
      const [done2, pending2] = yield* wait([c, createTask(sleep(5))], { returnWhen: FIRST_EXCEPTION });
      assert.equal(done2.size, 2);
      assert.equal(pending2.size, 0);
      assert.equal(now(), 30);
    });
  });

  test('FIRST_EXCEPTION: a cancelled future is not an exception', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(10));
      const b = createTask(sleep(30));
      getRunningLoop().callLater(5, () => a.cancel());
      const [done, pending] = yield* wait([a, b], { returnWhen: FIRST_EXCEPTION });
      assert.deepEqual([...done], [a, b]);
      assert.equal(pending.size, 0);
      assert.equal(a.cancelled(), true);
      assert.equal(now(), 30);
    });
  });

  test('a timeout returns what is done so far: no TimeoutError, nothing cancelled', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(10, 'a'));
      const b = createTask(sleep(100, 'b'));
      const [done, pending] = yield* wait([a, b], { timeout: 50 });
      assert.deepEqual([...done], [a]);
      assert.deepEqual([...pending], [b]);
      assert.equal(now(), 50);
      assert.equal(b.cancelled(), false);
      assert.equal(yield* b, 'b');
      assert.equal(now(), 100);
      const [done2, pending2] = yield* wait([createTask(sleep(10))], { timeout: 50 });
      assert.equal(done2.size, 1);
      assert.equal(pending2.size, 0);
      assert.equal(now(), 110); // returned when done, not at the timeout
    });
  });

  test('futures already done: returns at once; duplicates count once', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const f = loop.createFuture<number>();
      f.setResult(1);
      const g = loop.createFuture<number>();
      g.cancel();
      const [done, pending] = yield* wait([f, f, g], { returnWhen: FIRST_COMPLETED });
      assert.deepEqual([...done], [f, g]);
      assert.equal(pending.size, 0);
      assert.equal(now(), 0);
    });
  });

  test('cancelling the waiting task does not cancel the futures', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(100, 'a'));
      const waiting = createTask(wait([a]));
      yield* sleep(10);
      waiting.cancel();
      try {
        yield* waiting;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.equal(a.cancelled(), false);
      assert.equal(yield* a, 'a');
    });
  });

  test('refuses empty input, coroutines, promises, a single Future and bad options', async () => {
    await runVirtual(function* () {
      const expectThrow = function* (aw: Iterable<unknown>, cls: new (...args: any[]) => Error, re: RegExp): Coro<void> {
        try {
          yield* aw as Coro<unknown>;
        } catch (error) {
          assert.ok(error instanceof cls, String(error));
          assert.match((error as Error).message, re);
          return;
        }
        assert.fail('expected an error');
      };
      yield* expectThrow(wait([]), RangeError, /empty/);
      yield* expectThrow(wait(new Set<Future<unknown>>()), RangeError, /empty/);
      yield* expectThrow(wait([sleep(1)] as unknown as Future<unknown>[]), TypeError, /createTask/);
      yield* expectThrow(wait([(function* () {})()] as unknown as Future<unknown>[]), TypeError, /coroutines/);
      yield* expectThrow(wait([async () => 1] as unknown as Future<unknown>[]), TypeError, /coroutines/);
      yield* expectThrow(wait([Promise.resolve(1)] as unknown as Future<unknown>[]), TypeError, /ensureFuture/);
      const f = createTask(sleep(1));
      yield* expectThrow(wait(f as unknown as Future<unknown>[]), TypeError, /iterable/);
      yield* expectThrow(wait([f], { returnWhen: 'SOMETIMES' as ReturnWhen }), RangeError, /returnWhen/);
      yield* expectThrow(wait([f], { timeout: 'soon' as unknown as number }), TypeError, /timeout/);
      yield* f;
    });
  });

  test('is lazy: nothing is checked or awaited until it is awaited', async () => {
    await runVirtual(function* () {
      const lazy = wait([]);
      assert.ok(lazy !== null);
      yield* sleep(1);
    });
  });
});

describe('wait() with async functions', () => {
  test('returns [done, pending] and can be cancelled', async () => {
    await runVirtual(async () => {
      const a = createTask(async () => {
        await sleep(10);
        return 'a';
      });
      const b = createTask(sleep(30, 'b'));
      const [done, pending] = await wait([a, b], { returnWhen: FIRST_COMPLETED });
      assert.deepEqual([...done], [a]);
      assert.deepEqual([...pending], [b]);
      assert.equal(now(), 10);
      await assert.rejects(async () => {
        await wait([]);
      }, RangeError);
      const waiting = createTask(async () => wait([b]));
      await sleep(5);
      waiting.cancel();
      await assert.rejects(async () => {
        await waiting;
      }, CancelledError);
      assert.equal(b.cancelled(), false);
      assert.equal(await b, 'b');
      assert.equal(now(), 30);
    });
  });
});
