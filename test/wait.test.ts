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
      yield* expectThrow(wait((function* () {})() as unknown as Future<unknown>[]), TypeError, /generator object: pass an array/);
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

describe('wait(): more behaviours from CPython test_tasks', () => {
  test('FIRST_COMPLETED returns every future done by the time the waiter resumes (test_wait_really_done)', async () => {
    await runVirtual(function* () {
      const a = createTask(function* () {
        yield* sleep(0);
      });
      const b = createTask(function* () {
        yield* sleep(0);
        yield* sleep(0);
      });
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_COMPLETED });
      assert.deepEqual(done, new Set([a, b]));
      assert.equal(pending.size, 0);
      assert.equal(now(), 0);
    });
  });

  test('a future done at the very time of the timeout is in done (test_wait_concurrent_complete)', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(100));
      const b = createTask(sleep(150));
      yield* sleep(0); // as in asyncio's test, the wait starts after a and b: its timer comes after a's
      const [done, pending] = yield* wait([b, a], { timeout: 100 });
      assert.deepEqual(done, new Set([a]));
      assert.deepEqual(pending, new Set([b]));
      assert.equal(now(), 100);
      yield* b;
    });
  });

  test('FIRST_EXCEPTION with a future that already failed returns at once (test_wait_first_exception)', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(10_000));
      const b = createTask(function* () {
        throw new RangeError('err');
      });
      const [done, pending] = yield* wait([b, a], { returnWhen: FIRST_EXCEPTION });
      assert.deepEqual(done, new Set([b]));
      assert.deepEqual(pending, new Set([a]));
      assert.equal(now(), 0);
      a.cancel();
    });
  });

  test('ALL_COMPLETED with a failure returns normally; the error stays in its future (test_wait_with_exception)', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(100));
      const b = createTask(fail(150, 'really'));
      for (let i = 0; i < 2; i++) {
        const [done, pending] = yield* wait([b, a]);
        assert.equal(done.size, 2);
        assert.equal(pending.size, 0);
        assert.deepEqual([...done].filter((f) => f.exception() !== null), [b]);
        assert.equal(now(), 150); // the second time takes no time
      }
    });
  });

  test('takes any iterable of futures: an iterator, a Set, a Map\'s values (test_wait_with_iterator_of_tasks)', async () => {
    await runVirtual(function* () {
      const a = createTask(sleep(100));
      const b = createTask(sleep(150));
      const [done1] = yield* wait([b, a][Symbol.iterator]());
      assert.deepEqual(done1, new Set([a, b]));
      const byName = new Map([
        ['a', a],
        ['b', b],
      ]);
      const [done2] = yield* wait(byName.values());
      assert.equal(done2.size, 2);
      const [done3] = yield* wait(new Set([a, b]));
      assert.equal(done3.size, 2);
      assert.equal(now(), 150);
    });
  });

  test('cancelling the waiting task leaves the inner task running (test_yield_wait_does_not_shield_cancel)', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const waiter = loop.createFuture<void>();
      let proof = 0;
      const inner = createTask(async () => {
        await waiter;
        proof += 1;
      });
      const outer = createTask(async () => {
        await wait([inner]);
        proof += 100;
      });
      await sleep(0);
      outer.cancel();
      await assert.rejects(async () => {
        await outer;
      }, CancelledError);
      waiter.setResult(undefined);
      await inner;
      assert.equal(proof, 1);
    });
  });
});
