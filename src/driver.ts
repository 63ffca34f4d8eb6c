/**
 * The async-function stepping engine: `drive(coro)` steps a coroutine from an async
 * function, in the calling task, without a Task of its own. It is what `await` of an
 * operation (a lock's acquire, a queue's get) or of an InlineAwaitable (`timeout()`,
 * `taskGroup()`) runs on.
 */
import { Future, FutureAwaiter, PENDING, RESUMED, ThenSettler, awaitError, promiseFor, type AwaitingTask, type Coro, type Suspend, type Waiter } from './futures.js';
import { asyncContextTask, swapTaskContext } from './task-tracking.js';
import { badYieldError, type Task } from './tasks.js';
import { NO_ERROR } from './values.js';
import { requireRunningLoop, runningLoopOrNull } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import { anchorMaps } from './loop/map-anchors.js';

/** @internal What a coroutine stepped by `drive()` yields to have a native promise awaited as is. */
export class PromiseSuspend {
  constructor(readonly promise: PromiseLike<unknown>) {}
}

/**
 * @internal Steps a coroutine from an async function, in the calling task, without a Task
 * of its own (what `await` of an InlineAwaitable or an operation does), and returns a promise
 * of its result. It is stepped by callbacks, as a Task would step it: the first step at once,
 * the next ones when the Future it waits on is done (registered as that Future's waiter, so
 * cancelling the task cancels the Future and the CancelledError is thrown into the coroutine)
 * or after one hop for a bare yield. A cancel that arrives after the Future completed but
 * before the coroutine resumed is thrown in there, as a Task would.
 */
export function drive<T>(coro: Iterator<Suspend, T, unknown>): Promise<T> {
  return driveAwaited(coro, null, null)._promise as Promise<T>;
}

/**
 * @internal `drive()` for the first `await` of an awaitable that drives itself once (an
 * operation, a body runner, a lock guard): the await's handlers go to the Driver itself, whose
 * promise is then that `then()`'s result. Chaining `then()` on a promise of the outcome instead
 * cost each blocked `await` a second promise (tagged by the promise hooks) and a reaction,
 * 136 B while pending, and one more microtask. Later awaits get the outcome from
 * `awaitAgain(driver)`.
 */
export function driveAwaited(
  coro: Iterator<Suspend, unknown, unknown>,
  onfulfilled: ((value: any) => unknown) | null | undefined,
  onrejected: ((reason: any) => unknown) | null | undefined,
): Driver {
  const loop = runningLoopOrNull();
  const task: Task<unknown> | null = loop !== null && loop._asyncTaskCount > 0 ? asyncContextTask<Task<unknown>>() : null;
  const driver = new Driver(coro, task, loop, onfulfilled, onrejected);
  driver._step(RESUMED, takeCancel(task));
  return driver;
}

/**
 * @internal What a later `await` of an awaitable that drives itself once settles with: what
 * its first `then()` kept, a promise, or the Driver of `driveAwaited` (a promise of its outcome).
 */
export function awaitAgain<T>(awaited: Driver | Promise<T>): Promise<T> {
  if (!(awaited instanceof Driver)) return awaited;
  const driver = awaited;
  const outcome = driver._outcome;
  if (outcome === UNSETTLED) return driver._promise.then(() => awaitAgain<T>(driver), () => awaitAgain<T>(driver));
  return outcome instanceof Failure ? Promise.reject(outcome.error) : Promise.resolve(outcome as T);
}

/** `Driver._outcome` before the coroutine finished. */
const UNSETTLED: unique symbol = Symbol('aio.unsettled');

/** `Driver._outcome` of a coroutine that threw. */
class Failure {
  constructor(readonly error: unknown) {}
}

/** The CancelledError to throw in now if a cancel is pending for `task`, else NO_ERROR. */
function takeCancel(task: AwaitingTask | null, woken: Future<unknown> | null = null): unknown {
  return task?._takeCancel(woken) ?? NO_ERROR;
}

/** @internal Steps one coroutine for async code (see `drive()`). */
export class Driver extends ThenSettler implements Waiter {
  /** The promise `then()` returned: settled through the handlers given, if any. */
  declare _promise: Promise<unknown>;
  /** What the coroutine returned, a Failure, or UNSETTLED (for `awaitAgain`). */
  declare _outcome: unknown;

  constructor(
    readonly coro: Iterator<Suspend, unknown, unknown>,
    task: Task<unknown> | null,
    readonly loop: AbstractEventLoop | null,
    onfulfilled: ((value: any) => unknown) | null | undefined,
    onrejected: ((reason: any) => unknown) | null | undefined,
  ) {
    super(task, onfulfilled, onrejected);
    this._outcome = UNSETTLED;
    this._promise = promiseFor(this);
  }

  override settle(ok: boolean, value: unknown): void {
    this._outcome = ok ? value : new Failure(value);
    super.settle(ok, value);
  }

  /** The Future it waited on is done: resume, in the task's context (its async code runs there). */
  _wakeup(future: Future<unknown>): void {
    const task = this.task;
    if (task !== null) {
      task._unpark();
      if (task._futWaiter === future) task._futWaiter = null;
    }
    this._resume(future);
  }

  _resume(woken: Future<unknown> | null = null): void {
    const previous = swapTaskContext(this.task);
    this._step(RESUMED, takeCancel(this.task, woken));
    swapTaskContext(previous);
  }

  _step(send: unknown, error: unknown): void {
    const { coro, task } = this;
    for (;;) {
      let step: IteratorResult<Suspend, unknown>;
      try {
        step = error === NO_ERROR ? coro.next(send) : coro.throw!(error);
      } catch (thrown) {
        this.settle(false, thrown);
        return;
      }
      if (step.done) {
        this.settle(true, step.value);
        return;
      }
      send = RESUMED;
      const yielded: unknown = step.value;
      if (yielded instanceof FutureAwaiter) {
        const future = yielded._future as Future<unknown>;
        error = (task === null ? null : awaitError(task, future)) ?? NO_ERROR;
        if (error !== NO_ERROR || future._state !== PENDING) continue; // a done future does not suspend
        if (task !== null) {
          task._park(); // blocked on the loop, not doing foreign work (virtual time)
          task._futWaiter = future;
        }
        future._addCallback(this);
      } else if (yielded === null || yielded === undefined) {
        (this.loop ?? requireRunningLoop())._pushReady(resumeDriver, this);
      } else if (yielded instanceof PromiseSuspend) {
        yielded.promise.then(
          (value) => this._step(value, takeCancel(task)),
          (reason: unknown) => this._step(RESUMED, reason),
        );
      } else {
        error = badYieldError(yielded);
        continue;
      }
      return;
    }
  }
}

function resumeDriver(driver: Driver): void {
  driver._resume();
}

anchorMaps((loop: AbstractEventLoop) => [new Driver(idle(), null, loop, null, null), new PromiseSuspend(Promise.resolve()), new Failure(null)]);
function* idle(): Coro<void> {}
