import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  newEventLoop,
  run,
  sleep,
  createTask,
  getRunningLoop,
  Future,
  isFuture,
  CancelledError,
  InvalidStateError,
  type Coro,
} from '../src/index.ts';
import { recordExceptions } from './helpers/capture.ts';

describe('Future: states and InvalidStateError (asyncio rules)', () => {
  const loop = newEventLoop();

  test('a new future is pending: result() and exception() throw InvalidStateError', () => {
    const fut = loop.createFuture<number>();
    assert.equal(fut.done(), false);
    assert.equal(fut.cancelled(), false);
    assert.equal(fut.getLoop(), loop);
    assert.throws(() => fut.result(), InvalidStateError);
    assert.throws(() => fut.exception(), InvalidStateError);
    assert.throws(() => fut.result(), { name: 'InvalidStateError' });
    assert.match(String(fut), /pending/);
  });

  test('setResult: done, result() returns it, exception() is null', () => {
    const fut = loop.createFuture<string>();
    fut.setResult('value');
    assert.equal(fut.done(), true);
    assert.equal(fut.cancelled(), false);
    assert.equal(fut.result(), 'value');
    assert.equal(fut.exception(), null);
    assert.match(String(fut), /finished/);
  });

  test('setException: result() throws the exception, exception() returns it', () => {
    const fut = loop.createFuture<string>();
    const error = new RangeError('bad value');
    fut.setException(error);
    assert.equal(fut.done(), true);
    assert.equal(fut.cancelled(), false);
    assert.throws(() => fut.result(), (e) => e === error);
    assert.equal(fut.exception(), error);
  });

  test('cancel: cancelled and done; result() and exception() throw CancelledError with the message', () => {
    const fut = loop.createFuture<string>();
    assert.equal(fut.cancel('the reason'), true);
    assert.equal(fut.done(), true);
    assert.equal(fut.cancelled(), true);
    assert.throws(() => fut.result(), (e) => e instanceof CancelledError && e.message === 'the reason');
    assert.throws(() => fut.exception(), CancelledError);
    assert.match(String(fut), /cancelled/);
    const plain = loop.createFuture();
    plain.cancel();
    assert.throws(() => plain.result(), (e) => e instanceof CancelledError && e.message === '');
  });

  test('a done future cannot be completed again (InvalidStateError) nor cancelled (false)', () => {
    const ok = loop.createFuture<number>();
    ok.setResult(1);
    const failed = loop.createFuture<number>();
    failed.setException(new Error('x'));
    const cancelled = loop.createFuture<number>();
    cancelled.cancel();
    for (const fut of [ok, failed, cancelled]) {
      assert.throws(() => fut.setResult(2), InvalidStateError);
      assert.throws(() => fut.setException(new Error('y')), InvalidStateError);
      assert.equal(fut.cancel(), false);
    }
    assert.equal(ok.result(), 1);
    assert.equal(cancelled.cancelled(), true);
  });

  test('CancelledError, InvalidStateError are Errors with their class name', () => {
    const c = new CancelledError('m');
    assert.ok(c instanceof Error);
    assert.equal(c.name, 'CancelledError');
    assert.equal(new InvalidStateError('x').name, 'InvalidStateError');
  });

  test('isFuture', () => {
    assert.equal(isFuture(loop.createFuture()), true);
    assert.equal(isFuture(Promise.resolve()), false);
    assert.equal(isFuture({ then() {} }), false);
    assert.equal(isFuture(null), false);
  });

  test('new Future() without a loop outside a running loop throws', () => {
    assert.throws(() => new Future(), { message: 'no running event loop' });
    assert.equal(new Future(loop).getLoop(), loop);
  });
});

describe('Future: done callbacks', () => {
  test('run via callSoon (never synchronously), in registration order, with the future', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const fut = loop.createFuture<number>();
    fut.addDoneCallback((f) => seen.push(`first ${f === fut} ${f.result()}`));
    fut.addDoneCallback(() => seen.push('second'));
    loop.callSoon(() => {
      fut.setResult(7);
      seen.push('after setResult');
      loop.callSoon(() => seen.push('scheduled after setResult'));
    });
    loop.callSoon(() => seen.push('already queued'));
    await loop.runUntilComplete(sleep(0));
    await loop.runUntilComplete(sleep(0));
    assert.deepEqual(seen, ['after setResult', 'already queued', 'first true 7', 'second', 'scheduled after setResult']);
    loop.close();
  });

  test('a callback added to a done future is scheduled with callSoon', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const fut = loop.createFuture<number>();
    fut.setResult(1);
    loop.callSoon(() => {
      fut.addDoneCallback(() => seen.push('done callback'));
      loop.callSoon(() => seen.push('soon after'));
      seen.push('added');
    });
    await loop.runUntilComplete(sleep(0));
    await loop.runUntilComplete(sleep(0));
    assert.deepEqual(seen, ['added', 'done callback', 'soon after']);
    loop.close();
  });

  test('callbacks run on cancel and on setException too', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const a = loop.createFuture();
    const b = loop.createFuture();
    a.addDoneCallback((f) => seen.push(`a cancelled=${f.cancelled()}`));
    b.addDoneCallback((f) => seen.push(`b error=${(f.exception() as Error).message}`));
    a.cancel();
    b.setException(new Error('boom'));
    await loop.runUntilComplete(sleep(0));
    assert.deepEqual(seen, ['a cancelled=true', 'b error=boom']);
    loop.close();
  });

  test('removeDoneCallback removes every registration and returns the count', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const fut = loop.createFuture();
    const cb = (): void => {
      seen.push('cb');
    };
    const other = (): void => {
      seen.push('other');
    };
    fut.addDoneCallback(cb);
    fut.addDoneCallback(other);
    fut.addDoneCallback(cb);
    assert.equal(fut.removeDoneCallback(cb), 2);
    assert.equal(fut.removeDoneCallback(cb), 0);
    fut.setResult(undefined);
    await loop.runUntilComplete(sleep(0));
    assert.deepEqual(seen, ['other']);
    loop.close();
  });

  test('removeDoneCallback after the future is done returns 0: the callbacks were already scheduled', async () => {
    // asyncio clears the callback list when the future completes and schedules each
    // callback with call_soon; removing one afterwards finds nothing.
    const loop = newEventLoop();
    const contexts = recordExceptions(loop);
    const seen: string[] = [];
    const fut = loop.createFuture<number>();
    const cb = (): void => {
      seen.push('cb');
    };
    fut.addDoneCallback(cb);
    fut.setResult(1);
    assert.equal(fut.removeDoneCallback(cb), 0);
    await loop.runUntilComplete(sleep(0));
    assert.deepEqual(seen, ['cb']);
    assert.deepEqual(contexts, []);
    loop.close();
  });

  test('addDoneCallback rejects non-functions', () => {
    const loop = newEventLoop();
    assert.throws(() => loop.createFuture().addDoneCallback('nope' as never), TypeError);
    loop.close();
  });
});

describe('Future: awaiting', () => {
  test('yield* returns the result / throws the exception or CancelledError', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const ok = loop.createFuture<number>();
      loop.callSoon(() => ok.setResult(5));
      const value: number = yield* ok;
      assert.equal(value, 5);

      const failed = loop.createFuture<number>();
      const error = new Error('failed');
      loop.callSoon(() => failed.setException(error));
      yield* assertThrowsIn(failed, (e) => e === error);

      const cancelled = loop.createFuture<number>();
      loop.callSoon(() => cancelled.cancel('why'));
      yield* assertThrowsIn(cancelled, (e) => e instanceof CancelledError && e.message === 'why');

      // A done future does not suspend.
      const done = loop.createFuture<string>();
      done.setResult('now');
      assert.equal(yield* done, 'now');
    });
  });

  test('await (then) works in async functions, inside and outside tasks', async () => {
    const loop = newEventLoop();
    const fut = loop.createFuture<string>();
    loop.callLater(1, () => fut.setResult('resolved'));
    const running = loop.runUntilComplete(fut);
    // Awaited from plain Node code, outside any task.
    assert.equal(await fut, 'resolved');
    assert.equal(await running, 'resolved');

    const failed = loop.createFuture<never>();
    failed.setException(new TypeError('typed'));
    await assert.rejects(Promise.resolve(failed), TypeError);
    assert.equal(await fut.then((v) => v.length), 'resolved'.length);
    loop.close();

    const value = await run(async () => {
      const l = getRunningLoop();
      const f = l.createFuture<number>();
      l.callSoon(() => f.setResult(3));
      const cancelled = l.createFuture<number>();
      l.callSoon(() => cancelled.cancel('gone'));
      await assert.rejects(Promise.resolve(cancelled), (e) => e instanceof CancelledError && e.message === 'gone');
      return (await f) * 2;
    });
    assert.equal(value, 6);
  });

  test('`yield fut` (without the star) is a clear error thrown into the coroutine', async () => {
    const message = await run(function* () {
      const fut = getRunningLoop().createFuture<number>();
      try {
        yield fut as never;
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    assert.match(message, /bad yield/);
    assert.match(message, /use yield\*/);
  });

  test('an exception retrieved by awaiting is not reported', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const contexts = recordExceptions(loop);
      const fut = loop.createFuture();
      fut.setException(new Error('seen'));
      yield* assertThrowsIn(fut, () => true);
      assert.equal(fut._state, 4 /* FAILED_SEEN */);
      assert.deepEqual(contexts, []);
    });
  });
});

function* assertThrowsIn(fut: Future<unknown>, check: (error: unknown) => boolean): Coro<void> {
  try {
    yield* fut;
  } catch (error) {
    assert.ok(check(error), `unexpected error ${String(error)}`);
    return;
  }
  assert.fail('expected the await to throw');
}

describe('Future: used by tasks', () => {
  test('many tasks can wait on one future; all resume in registration order', async () => {
    const order = await run(function* () {
      const fut = getRunningLoop().createFuture<string>();
      const seen: string[] = [];
      const tasks = [1, 2, 3].map((n) =>
        createTask(function* () {
          const v = yield* fut;
          seen.push(`${n}:${v}`);
        }),
      );
      yield* sleep(0);
      fut.setResult('go');
      for (const t of tasks) yield* t;
      return seen;
    });
    assert.deepEqual(order, ['1:go', '2:go', '3:go']);
  });
});
