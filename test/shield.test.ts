import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  Task,
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  shield,
  sleep,
  type Coro,
  type ExceptionContext,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

function recordErrors(): ExceptionContext[] {
  const reported: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_loop, context) => reported.push(context));
  return reported;
}

describe('shield() with generator coroutines', () => {
  test('passes the result or the error through', async () => {
    await runVirtual(function* () {
      assert.equal(yield* shield(sleep(10, 'value')), 'value');
      const failing = createTask(function* () {
        yield* sleep(10);
        throw new RangeError('inner failed');
      });
      try {
        yield* shield(failing);
        assert.fail('expected RangeError');
      } catch (error) {
        assert.ok(error instanceof RangeError);
      }
      assert.equal(now(), 20);
    });
  });

  test('cancelling the outer (the awaiting task) leaves the inner running', async () => {
    await runVirtual(function* () {
      const inner = createTask(sleep(100, 'inner done'));
      const waiting = createTask(function* () {
        return yield* shield(inner);
      });
      yield* sleep(10);
      waiting.cancel();
      try {
        yield* waiting;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.equal(now(), 10);
      assert.equal(inner.cancelled(), false);
      assert.equal(yield* inner, 'inner done');
      assert.equal(now(), 100);
    });
  });

  test('cancelling the inner cancels the outer', async () => {
    await runVirtual(function* () {
      const inner = createTask(sleep(100));
      const outer = shield(inner);
      yield* sleep(0);
      inner.cancel();
      try {
        yield* outer;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.equal(outer.cancelled(), true);
    });
  });

  test('an inner error after the outer was cancelled is reported once to the exception handler', async () => {
    await runVirtual(function* () {
      const reported = recordErrors();
      const loop = getRunningLoop();
      const inner = loop.createFuture<number>();
      const outer1 = shield(inner);
      yield* sleep(0);
      outer1.cancel();
      const outer2 = shield(inner); // a second shield of the same future, also cancelled
      yield* sleep(0);
      outer2.cancel();
      yield* sleep(0);
      const error = new RangeError('lost');
      inner.setException(error);
      yield* sleep(0);
      yield* sleep(0);
      assert.equal(reported.length, 1);
      assert.equal(reported[0]!.exception, error);
      assert.equal(reported[0]!.future, inner);
      assert.match(reported[0]!.message, /RangeError exception in shielded future/);
    });
  });

  test('an inner result (or cancellation) after the outer was cancelled is not reported', async () => {
    await runVirtual(function* () {
      const reported = recordErrors();
      const loop = getRunningLoop();
      const a = loop.createFuture<number>();
      const b = loop.createFuture<number>();
      const outerA = shield(a);
      const outerB = shield(b);
      yield* sleep(0);
      outerA.cancel();
      outerB.cancel();
      yield* sleep(0);
      a.setResult(1);
      b.cancel();
      yield* sleep(0);
      yield* sleep(0);
      assert.equal(reported.length, 0);
    });
  });

  test('a done awaitable is returned as is; a coroutine is wrapped in a Task', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const done = loop.createFuture<number>();
      done.setResult(5);
      assert.equal(shield(done), done);
      let runningIn = null as Task<unknown> | null;
      function* work(): Coro<string> {
        runningIn = currentTask();
        yield* sleep(1);
        return 'ok';
      }
      const outer = shield(work());
      assert.equal(yield* outer, 'ok');
      assert.ok(runningIn instanceof Task);
      assert.notEqual(runningIn, currentTask());
      assert.equal(yield* shield(async () => 'async'), 'async');
    });
  });

  test('cancelling a gather of shields does not cancel the inner tasks', async () => {
    await runVirtual(function* () {
      const inner1 = createTask(sleep(50, 1));
      const inner2 = createTask(sleep(60, 2));
      const outer = gather(shield(inner1), shield(inner2));
      yield* sleep(10);
      outer.cancel();
      try {
        yield* outer;
        assert.fail('expected CancelledError');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      assert.equal(inner1.cancelled(), false);
      assert.equal(inner2.cancelled(), false);
      assert.deepEqual(yield* gather(inner1, inner2), [1, 2]);
      assert.equal(now(), 60);
    });
  });
});

describe('shield() with async functions', () => {
  test('the awaiting async task is cancelled, the shielded work completes', async () => {
    await runVirtual(async () => {
      let saved = false;
      const save = createTask(async () => {
        await sleep(100);
        saved = true;
        return 'saved';
      });
      const waiting = createTask(async () => shield(save));
      await sleep(10);
      waiting.cancel();
      await assert.rejects(async () => {
        await waiting;
      }, CancelledError);
      assert.equal(saved, false);
      assert.equal(await save, 'saved');
      assert.equal(saved, true);
      assert.equal(now(), 100);
    });
  });
});

describe('shield(): more behaviours from CPython test_tasks', () => {
  test('shielding a gather: cancelling the shield leaves the gather and its children running (test_shield_gather)', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const parent = gather(child1, child2);
      const outer = shield(parent);
      yield* sleep(0);
      outer.cancel();
      yield* sleep(0);
      assert.equal(outer.cancelled(), true);
      child1.setResult(1);
      child2.setResult(2);
      yield* sleep(0);
      yield* sleep(0);
      assert.deepEqual(parent.result(), [1, 2]);
    });
  });

  test('cancelling a task awaiting shield(coroutine): the coroutine runs to its end, the task stops (test_shield_effect)', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const waiter = loop.createFuture<void>();
      let proof = 0;
      async function inner(): Promise<void> {
        await waiter;
        proof += 1;
      }
      const outer = createTask(async () => {
        await shield(inner);
        proof += 100;
      });
      await sleep(0);
      outer.cancel();
      await assert.rejects(async () => {
        await outer;
      }, CancelledError);
      waiter.setResult(undefined);
      await sleep(0);
      await sleep(0);
      assert.equal(proof, 1);
      assert.equal(now(), 0);
    });
  });

  test('async style: catch the cancellation, uncancel(), then wait for the shielded work', async () => {
    await runVirtual(async () => {
      const me = currentTask()!;
      const save = createTask(sleep(100, 'saved'));
      getRunningLoop().callLater(10, () => me.cancel());
      let result = '';
      try {
        result = await shield(save);
      } catch (error) {
        assert.ok(error instanceof CancelledError);
        assert.equal(now(), 10);
        assert.equal(me.uncancel(), 0);
        result = await save;
      }
      assert.equal(result, 'saved');
      assert.equal(now(), 100);
      await sleep(1); // not cancelled any more
    });
  });
});
