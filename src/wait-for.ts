import { CancelledError, TimeoutError } from './errors.js';
import { Future, type Awaitable, type Coro } from './futures.js';
import { type TaskTarget } from './tasks.js';
import { ensureFuture } from './ensure-future.js';
import { InlineAwaitable, awaitInline, type Mode } from './body-runner.js';
import { Timeout, runTimeout } from './timeouts.js';
import { requireRunningLoop } from './loop/running.js';
import { checkMs } from './validate.js';

/**
 * Awaits `aw` with a deadline of `ms` milliseconds (asyncio.wait_for) and returns its result.
 * On timeout the inner work is cancelled, `waitFor` waits until it has really finished (its
 * cleanup may run past the deadline), then throws `TimeoutError` whose `cause` is the
 * CancelledError. If the inner work catches the cancellation and returns a value anyway, that
 * value is returned. Cancelling the task that waits cancels the inner work too (wrap it in
 * `shield()` to prevent that). `ms` null: no deadline.
 *
 * `aw` is a coroutine, coroutine function or async function (run inline in the calling task,
 * as asyncio 3.12+ does), a Future or Task (awaited; cancelled on timeout), or a Promise
 * (cancelling stops the wait, not the work). With `ms <= 0` it is not waited for at all: a
 * Future already done gives its result, anything else is cancelled (a coroutine that has not
 * started never starts) and `TimeoutError` is thrown.
 *
 * @example
 * import { run, sleep, waitFor, TimeoutError } from 'aio-ts';
 *
 * // Generator coroutines:
 * await run(function* () {
 *   try {
 *     yield* waitFor(sleep(5000, 'late'), 1000);
 *   } catch (error) {
 *     if (error instanceof TimeoutError) console.log('gave up after 1 s');
 *   }
 * });
 *
 * // Async functions:
 * const data = await run(async () => waitFor(async () => { await sleep(10); return 'data'; }, 1000));
 */
export function waitFor<T>(aw: Awaitable<T> | TaskTarget<T>, ms: number | null | undefined): InlineAwaitable<T> {
  checkMs('waitFor', 'ms', ms, { nullable: true });
  return new InlineAwaitable<T>((mode) => runWaitFor<T>(aw, ms ?? null, mode));
}

function* runWaitFor<T>(aw: unknown, ms: number | null, mode: Mode): Coro<T> {
  if (ms === null) return yield* awaitInline<T>(aw, mode);
  if (ms <= 0) {
    // Not even started: cancel it (a coroutine that did not start never runs).
    const future = ensureFuture(aw as Awaitable<T>);
    if (future.done()) return future.result();
    yield* cancelAndWait(future);
    try {
      return future.result();
    } catch (error) {
      if (error instanceof CancelledError) throw new TimeoutError(`waitFor() timed out: timeout ${ms} ms`, { cause: error });
      throw error;
    }
  }
  const cm = new Timeout(requireRunningLoop().time() + ms, `waitFor() timed out after ${ms} ms`);
  return yield* runTimeout<T>(cm, function* () {
    return yield* awaitInline<T>(aw, mode);
  }, mode);
}

/** @internal Cancels `future` and waits until it is done, without awaiting it directly (so this wait is cancellable itself). */
export function* cancelAndWait(future: Future<unknown>): Coro<void> {
  const waiter = new Future<void>(future._loop);
  const release = (): void => {
    if (!waiter.done()) waiter.setResult(undefined);
  };
  future.addDoneCallback(release);
  try {
    future.cancel();
    yield* waiter;
  } finally {
    future.removeDoneCallback(release);
  }
}
