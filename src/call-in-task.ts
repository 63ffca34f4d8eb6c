import { Future, PENDING, type Suspend } from './futures.js';
import { settleFromPromise } from './ensure-future.js';
import { runInTaskContext } from './task-tracking.js';
import { type Task } from './tasks.js';
import { isSteppable, isThenable } from './values.js';

/**
 * @internal The Future a task waits on while async code runs on its behalf (`callInTask`).
 * Cancelling the task must reach the `await`s of that code, not this Future: those awaits
 * register themselves as the task's `_futWaiter` (so `task.cancel()` cancels them directly),
 * and a cancel that arrives while none is registered is kept as the task's `_mustCancel`,
 * thrown at the code's next runtime `await` (or into the task when it resumes). So `cancel()`
 * here only forwards to the await it replaced as `_futWaiter`, and never cancels this Future
 * itself: it completes with the outcome of the async code.
 */
class AsyncCallFuture<T> extends Future<T> {
  /** @internal */ readonly _task: Task<unknown>;
  /** @internal The await of the async code that `await`ing this Future displaced as `_futWaiter`. */
  _inner: Future<unknown> | null = null;

  constructor(task: Task<unknown>) {
    super(task._loop);
    this._task = task;
  }

  override cancel(msg?: string): boolean {
    const inner = this._inner;
    this._inner = null;
    return inner !== null && inner !== this && inner.cancel(msg);
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // An async function of the same task awaits this: its await replaces the one the async
    // code registered a moment earlier; keep that one so that cancel() reaches it.
    const waiter = this._task._futWaiter;
    if (this._state === PENDING && waiter !== null && waiter._state === PENDING) this._inner = waiter;
    return super.then(onfulfilled, onrejected);
  }
}

/**
 * @internal Calls `fn()` as code of `task` (an async function run on the task's behalf from a
 * generator coroutine: an async `timeout()`/`taskGroup()` body, an async iterator's step):
 * its `await`s on runtime awaitables are the task's, so cancelling the task reaches them, and
 * `currentTask()` in it is `task`.
 *
 * Returns what to `yield*` in the task: the coroutine, operation or Future `fn` returned (as
 * is, so that cancelling the task reaches it), or a Future of its promise (or of its plain
 * value). While the promise is pending, the loop counts it as
 * foreign work except when it awaits runtime futures (see `Task._asyncEnter`).
 */
export function callInTask<T>(task: Task<unknown>, fn: () => unknown): Future<T> | Iterator<Suspend, T, unknown> {
  const loop = task._loop;
  loop._asyncTaskCount++;
  let out: unknown;
  try {
    out = runInTaskContext(task, fn);
  } catch (error) {
    loop._asyncTaskCount--;
    throw error;
  }
  // A runtime awaitable (a Future, or a coroutine or an operation such as `lock.acquire()`,
  // which are iterators *and* thenables) is awaited by the task itself, so that cancelling the
  // task reaches it; only a foreign thenable is followed through `then()`.
  if (out instanceof Future || isSteppable(out) || !isThenable(out)) {
    loop._asyncTaskCount--;
    if (out instanceof Future) return out as Future<T>;
    if (isSteppable(out)) return out as Iterator<Suspend, T, unknown>;
    const done = new Future<T>(loop);
    done._resolve(out);
    return done;
  }
  const future = new AsyncCallFuture<T>(task);
  settleFromPromise(future, out as PromiseLike<T>, task, () => {
    loop._asyncTaskCount--;
    future._inner = null;
  });
  return future;
}
