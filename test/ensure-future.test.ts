import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, sleep, ensureFuture, getRunningLoop, newEventLoop, Future, Task, CancelledError, type Coro } from '../src/index.ts';
import { nodeDelay } from './helpers/capture.ts';

describe('ensureFuture', () => {
  test('a Future is returned as is', async () => {
    await run(function* () {
      const fut = getRunningLoop().createFuture<number>();
      assert.equal(ensureFuture(fut), fut);
      assert.equal(ensureFuture(fut, getRunningLoop()), fut);
    });
  });

  test('a Future of another loop than the one given is a RangeError', async () => {
    const other = newEventLoop();
    await run(function* () {
      assert.throws(() => ensureFuture(other.createFuture(), getRunningLoop()), RangeError);
    });
    other.close();
  });

  test('coroutines, coroutine functions and async functions become Tasks', async () => {
    await run(function* () {
      function* work(): Coro<string> {
        yield* sleep(0);
        return 'coroutine';
      }
      const a = ensureFuture(work());
      const b = ensureFuture(work);
      const c = ensureFuture(async () => 'async');
      for (const f of [a, b, c]) assert.ok(f instanceof Task);
      assert.equal(yield* a, 'coroutine');
      assert.equal(yield* b, 'coroutine');
      assert.equal(yield* c, 'async');
    });
  });

  test('other yieldables (sleep) become Tasks too', async () => {
    await run(function* () {
      const f = ensureFuture(sleep(1, 'slept'));
      assert.ok(f instanceof Future);
      assert.equal(yield* f, 'slept');
    });
  });

  test('a Promise becomes a Future settled with it', async () => {
    await run(function* () {
      const ok = ensureFuture(nodeDelay(1).then(() => 'resolved'));
      assert.ok(ok instanceof Future);
      assert.equal(yield* ok, 'resolved');
      const error = new Error('rejected');
      const failed = ensureFuture(Promise.reject(error));
      try {
        yield* failed;
        assert.fail('expected the rejection');
      } catch (e) {
        assert.equal(e, error);
      }
    });
  });

  test('cancelling the Future of a Promise stops the wait, not the work', async () => {
    let finished = false;
    await run(function* () {
      const work = nodeDelay(5).then(() => {
        finished = true;
        return 'done';
      });
      const fut = ensureFuture(work);
      yield* sleep(0);
      assert.equal(fut.cancel(), true);
      try {
        yield* fut;
        assert.fail('expected CancelledError');
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.equal(yield* ensureFuture(work), 'done');
    });
    assert.equal(finished, true);
  });

  test('anything else is a TypeError', async () => {
    await run(function* () {
      assert.throws(() => ensureFuture(42 as never), TypeError);
      assert.throws(() => ensureFuture('text' as never), TypeError);
      assert.throws(() => ensureFuture([1, 2] as never), TypeError);
    });
  });

  test('without a running loop (and no loop given) it throws', () => {
    assert.throws(() => ensureFuture(Promise.resolve(1)), { message: 'no running event loop' });
  });
});

describe('ensureFuture(): review regressions', () => {
  test('a value that cannot be awaited is named, with aio’s names in the message', async () => {
    await run(function* () {
      assert.throws(() => ensureFuture(42 as never), {
        name: 'TypeError',
        message: 'A Future, a coroutine, an async function or a Promise is required, got number 42',
      });
    });
  });
});
