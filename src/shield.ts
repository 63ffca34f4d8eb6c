import { Future, type Awaitable, type Waiter } from './futures.js';
import type { TaskTarget } from './tasks.js';
import { ensureFuture } from './ensure-future.js';

/**
 * Protects an awaitable from cancellation (asyncio.shield): returns a Future that mirrors
 * `aw`, except that cancelling it (for instance because the task awaiting it is cancelled)
 * does not cancel `aw`, which keeps running. The task awaiting the shield still gets
 * `CancelledError`. If `aw` is cancelled by other means, the shield is cancelled too; if
 * it fails after the shield was cancelled, nobody is left to see the error, so it is
 * reported to the loop's exception handler (once).
 *
 * A coroutine (or async function) is wrapped in a Task: keep a reference to it if you need
 * it later. An `aw` already done is returned as is.
 *
 * @example
 * import { run, sleep, createTask, shield, CancelledError, currentTask, getRunningLoop } from 'aio-ts';
 *
 * await run(function* () {
 *   const save = createTask(sleep(100, 'saved')); // say, a write to disk
 *   const me = currentTask()!;
 *   getRunningLoop().callLater(10, () => me.cancel()); // someone cancels us
 *   try {
 *     yield* shield(save); // the cancellation does not interrupt the save
 *   } catch (error) {
 *     if (!(error instanceof CancelledError)) throw error;
 *     me.uncancel();
 *     console.log(yield* save); // 'saved': let it finish, then stop
 *   }
 * });
 */
export function shield<T>(aw: Awaitable<T> | TaskTarget<T>): Future<T> {
  const inner = ensureFuture(aw);
  if (inner.done()) return inner;
  const outer = new Future<T>(inner._loop);
  const onInnerDone = new InnerWaiter(outer);
  const onOuterDone = (): void => {
    if (inner.done()) return;
    inner._removeCallback(onInnerDone, Infinity);
    // Keep one such callback, however many shields of `inner` were cancelled.
    inner.removeDoneCallback(logOnException);
    inner.addDoneCallback(logOnException);
  };
  inner._addCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}

/** Reports the error of a shielded future whose shield was cancelled: nobody awaits it any more. */
/** Passes the inner future's outcome on to the shield's future, unless that was cancelled. */
class InnerWaiter<T> implements Waiter {
  constructor(readonly outer: Future<T>) {}

  /** The shield's future awaits the inner one (the call graph's back-link). */
  _awaiter(): Future<T> {
    return this.outer;
  }

  _wakeup(inner: Future<T>): void {
    const outer = this.outer;
    if (outer.cancelled()) return;
    if (inner.cancelled()) {
      outer.cancel();
      return;
    }
    const error = inner.exception();
    if (error !== null) outer.setException(error);
    else outer.setResult(inner.result());
  }
}

function logOnException(future: Future<unknown>): void {
  if (future.cancelled()) return;
  const error = future.exception();
  if (error === null) return;
  const name = error instanceof Error ? error.name : typeof error;
  future.getLoop().callExceptionHandler({ message: `${name} exception in shielded future`, exception: error, future });
}
