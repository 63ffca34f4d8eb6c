import { CancelledError, InvalidStateError, cancelMessageOf, makeCancelledError } from './errors.js';
import { asyncContextTask, untagged } from './task-tracking.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop, LoopTask } from './loop/events.js';
import { recordSource, sourceOf } from './debug-info.js';
import { anchorMaps } from './loop/map-anchors.js';
import { boundVersionsOf, contextsInUse, inCurrentContext } from './contextvars.js';
import { noteReraised } from './debug-awaited-by.js';

/**
 * What a Task sends into its coroutine when it resumes it (`sleep(0)` uses it to tell its
 * first call from its resumption without keeping state).
 */
export const RESUMED: unique symbol = Symbol('aio.resumed');

/** What a coroutine hands to its Task when it suspends: a Future to wait on, or null for one bare hop. */
export type Suspend = FutureAwaiter<unknown> | null;

/**
 * A coroutine returning `T`: the generator object a generator function returns.
 * Calling the function runs nothing; a Task (or `yield*` in another coroutine) drives it.
 *
 * @example
 * function* fetchData(ms: number, data: string): Coro<string> {
 *   yield* sleep(ms);
 *   return data;
 * }
 */
export type Coro<T = unknown> = Generator<Suspend, T, unknown>;

/** Anything `yield*` accepts inside a coroutine: coroutines, Futures, Tasks, `sleep()`, … */
export interface Yieldable<T> {
  /** What `yield*` calls: steps that suspend the calling coroutine until the result is ready. */
  [Symbol.iterator](): Iterator<Suspend, T, unknown>;
}

/** Anything the runtime can await: a Yieldable (coroutine, Future, …) or a Promise. */
export type Awaitable<T> = Yieldable<T> | PromiseLike<T>;

/** The result type of an awaitable. */
export type AwaitedOf<A> = A extends Yieldable<infer T> ? T : A extends PromiseLike<infer T> ? T : never;

/**
 * @internal What a Future needs of the async-function task that awaits it (Task implements
 * it; futures sit below tasks and do not import them).
 */
export interface AwaitingTask extends Future<unknown>, LoopTask {
  /** The future the task is blocked on, so that `cancel()` reaches it. */
  _futWaiter: Future<unknown> | null;
  _park(): void;
  _unpark(): void;
  _takeCancel(woken?: Future<unknown> | null): CancelledError | null;
  getName(): string;
}

/** @internal A waiter: gets the future itself instead of a callback closure (Tasks, primitives). */
export interface Waiter {
  _wakeup(future: Future<any>): void;
  /**
   * The future (a Task, a gather's future, …) that waits through this waiter, for the call
   * graph (`captureCallGraph`): a prototype method, read only by introspection.
   */
  _awaiter?(): Future<unknown> | null;
}

/**
 * @internal A waiter told at once when the future it waits on completes, which may take the
 * completion then (`_completed` returns true) instead of a ready-queue entry calling `_wakeup`
 * an iteration later: a gather's counter has nothing to do for a child that succeeded and is
 * not the last one.
 */
export abstract class PromptWaiter implements Waiter {
  abstract _wakeup(future: Future<any>): void;
  abstract _completed(future: Future<any>): boolean;
}

/** A callback of `future.addDoneCallback()`: called with the future once it is done. */
export type DoneCallback<F> = (future: F) => void;
type Callback = DoneCallback<any> | Waiter;

/** @internal Future states. */
export const PENDING = 0;
export const CANCELLED = 1;
export const FINISHED = 2;
/** Finished with an exception that nobody retrieved yet (reported if it is garbage-collected so). */
export const FAILED = 3;
/** Finished with an exception that was retrieved. */
export const FAILED_SEEN = 4;
type State = typeof PENDING | typeof CANCELLED | typeof FINISHED | typeof FAILED | typeof FAILED_SEEN;
const STATE_NAMES = ['pending', 'cancelled', 'finished', 'finished', 'finished'] as const;

/**
 * The eventual result of an operation (asyncio.Future). Pending until `setResult`,
 * `setException` or `cancel`; done callbacks are then scheduled with `callSoon`, in the
 * order they were added. A Future is both `yield*`-able and `await`-able.
 *
 * @example
 * import { run, getRunningLoop } from 'aio-ts';
 *
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   const fut = loop.createFuture<number>();
 *   loop.callLater(10, () => fut.setResult(42));
 *   const value = yield* fut; // 42, after 10 ms (`await fut` in an async function)
 *   console.log(value, fut.done(), fut.result()); // 42 true 42
 * });
 */
export class Future<T = unknown> implements Yieldable<T>, PromiseLike<T> {
  // Few fields on purpose: a program may hold 100k pending futures. Declared, and set in the
  // constructor: a base class with field initializers makes every subclass construction
  // (each Task, each waiter) about 12 ns slower in V8 (see INTERNALS "Hot classes").
  /** @internal */ declare _state: State;
  /**
   * @internal The result; the exception when FAILED; when CANCELLED, the cancel message or
   * the CancelledError that ended a Task (re-thrown, once, to whoever awaits it). A pending
   * Task keeps the message of the latest cancel request here.
   */
  declare _result: unknown;
  /** @internal */ declare readonly _loop: AbstractEventLoop;
  /** @internal One callback kept inline (most futures have exactly one), or an array of them. */
  declare _callbacks: Callback | Callback[] | null;

  /**
   * A pending Future. Usually made with `loop.createFuture()`.
   *
   * @param loop The loop it belongs to (its callbacks run there). Default: the running
   * loop; throws `Error('no running event loop')` if there is none.
   */
  constructor(loop?: AbstractEventLoop) {
    this._state = PENDING;
    this._result = undefined;
    this._loop = loop ?? requireRunningLoop();
    this._callbacks = null;
    if (this._loop._debug) recordSource(this);
  }

  /** The event loop the future belongs to (asyncio's `get_loop()`). */
  getLoop(): AbstractEventLoop {
    return this._loop;
  }

  /** True once the future has a result, an exception, or was cancelled. */
  done(): boolean {
    return this._state !== PENDING;
  }

  /** True if the future was cancelled. */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /** The result; throws the exception if one was set, CancelledError if cancelled, InvalidStateError if pending. */
  result(): T {
    const state = this._state;
    if (state === FINISHED) return this._result as T;
    if (state === CANCELLED) throw this._makeCancelledError();
    if (state === PENDING) throw new InvalidStateError('Result is not ready.');
    this._markRetrieved();
    if (this._loop._debug) noteReraised(this._result, asyncContextTask());
    throw this._result; // FAILED or FAILED_SEEN
  }

  /** The exception set on the future, or null if it succeeded. */
  exception(): unknown {
    const state = this._state;
    if (state === CANCELLED) throw this._makeCancelledError();
    if (state === PENDING) throw new InvalidStateError('Exception is not set.');
    if (state === FINISHED) return null;
    this._markRetrieved();
    return this._result;
  }

  /**
   * Marks the future done with `value` and schedules its done callbacks.
   * Throws InvalidStateError if it is already done (asyncio's `set_result`).
   */
  setResult(value: T): void {
    this._checkPending('setResult');
    this._resolve(value);
  }

  /**
   * Marks the future done with an exception, which `result()` and awaiting it then throw;
   * schedules its done callbacks. Throws InvalidStateError if it is already done. If nobody
   * ever retrieves the exception, the loop's exception handler reports it once the future is
   * garbage-collected (`Future exception was never retrieved`).
   */
  setException(error: unknown): void {
    this._checkPending('setException');
    this._reject(error);
  }

  /** Cancels a pending future: returns false if it was already done. */
  cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._result = msg;
    this._scheduleCallbacks();
    return true;
  }

  /**
   * Calls `callback(future)` via `callSoon` once the future is done (at once if it is), in a
   * copy of the current context (ContextVars, AsyncLocalStorage stores), as asyncio does.
   */
  addDoneCallback(callback: DoneCallback<this>): void {
    if (typeof callback !== 'function') {
      throw new TypeError(`addDoneCallback() expects a function, got ${typeof callback}`);
    }
    // As asyncio: the callback runs in a copy of the context of this call (see contextvars.ts).
    this._addCallback(contextsInUse ? inCurrentContext(callback) : callback);
  }

  /** Removes every registration of `callback`; returns how many were removed. */
  removeDoneCallback(callback: DoneCallback<this>): number {
    let removed = this._removeCallback(callback, Infinity);
    if (contextsInUse) for (const bound of boundVersionsOf(this._callbacks, callback)) removed += this._removeCallback(bound as Callback, 1);
    return removed;
  }

  /**
   * Makes the future `yield*`-able in a coroutine: `const v = yield* fut` suspends until it
   * is done, then returns its result or throws its exception.
   */
  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return new FutureAwaiter(this);
  }

  /**
   * Makes the future awaitable in async functions. Inside an async-function task the
   * task records this future as the one it waits on, so `task.cancel()` cancels it and
   * the `await` throws CancelledError, as it would in asyncio.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const task = awaitingTask(this);
    if (task instanceof Error) return Promise.reject(task).then(onfulfilled, onrejected);
    if (this._state !== PENDING) {
      // A done future does not suspend (asyncio's `await fut` returns at once): settle without
      // a trip through the loop, which may not be running any more (`await task` after it ran).
      const waiter = new PromiseWaiter(task, onfulfilled, onrejected, false);
      const promise = promiseFor<R1 | R2>(waiter);
      waiter._wakeup(this);
      return promise;
    }
    // An async task awaiting a pending future is blocked on the loop, not doing foreign work.
    const parked = task !== null;
    if (parked) task._park();
    const waiter = new PromiseWaiter(task, onfulfilled, onrejected, parked);
    this._addCallback(waiter);
    return promiseFor<R1 | R2>(waiter);
  }

  toString(): string {
    return `<${this.constructor.name} ${STATE_NAMES[this._state]}>`;
  }

  /** @internal */
  _resolve(value: unknown): void {
    this._result = value;
    this._state = FINISHED;
    this._scheduleCallbacks();
  }

  /** @internal */
  _reject(error: unknown): void {
    this._result = error;
    this._state = FAILED;
    this._scheduleCallbacks();
    unretrieved.register(this, { loop: this._loop, error, what: String(this), source: sourceOf(this) }, this);
    this._loop._failedFutures.push(new WeakRef(this));
    if (this._loop._failedFutures.length > 1024) pruneFailed(this._loop);
  }

  /** @internal */
  _addCallback(callback: Callback): void {
    const callbacks = this._callbacks;
    if (this._state !== PENDING) this._loop._pushReady(runOneCallback, [callback, this]);
    else if (callbacks === null) this._callbacks = callback;
    else if (Array.isArray(callbacks)) callbacks.push(callback);
    else this._callbacks = [callbacks, callback];
  }

  /** @internal Removes up to `limit` registrations of `callback`; returns how many. */
  _removeCallback(callback: Callback, limit: number): number {
    // Once the future is done its callbacks are already scheduled (asyncio: removal returns 0).
    if (this._state !== PENDING) return 0;
    const callbacks = this._callbacks;
    if (callbacks === callback) {
      this._callbacks = null;
      return 1;
    }
    if (!Array.isArray(callbacks)) return 0;
    let removed = 0;
    for (let i = 0; i < callbacks.length && removed < limit; ) {
      if (callbacks[i] === callback) {
        callbacks.splice(i, 1);
        removed++;
      } else i++;
    }
    if (callbacks.length === 0) this._callbacks = null;
    return removed;
  }

  /** @internal The error to throw for a cancelled future. */
  _makeCancelledError(): CancelledError {
    const cancel = this._result as string | CancelledError | undefined;
    if (cancel instanceof CancelledError) {
      this._result = cancelMessageOf(cancel);
      return cancel;
    }
    return makeCancelledError(cancel, this._loop._debug);
  }

  /** @internal */
  _checkPending(op: string): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`${op}() called on a future that is already ${STATE_NAMES[this._state]}`);
    }
  }

  /** @internal */
  _markRetrieved(): void {
    if (this._state === FAILED) {
      this._state = FAILED_SEEN;
      unretrieved.unregister(this);
    }
  }

  /** @internal */
  _scheduleCallbacks(): void {
    const callbacks = this._callbacks;
    if (callbacks === null) return;
    if (callbacks instanceof Future) {
      // The common case, one Task waiting: its step goes on the ready queue itself (the same
      // one entry), without the trip through runCallbacks and invokeCallback.
      this._callbacks = null;
      this._loop._pushReady(wakeTask, callbacks);
    } else if (callbacks instanceof PromptWaiter && callbacks._completed(this)) this._callbacks = null;
    else this._loop._pushReady(runCallbacks, this);
  }
}

/** Called when a coroutine is about to suspend on a pending future, while set (debug mode: task stacks). */
let onSuspend: (() => void) | null = null;

/** @internal Installs the suspension hook (task-stack.ts). */
export function setSuspendHook(hook: (() => void) | null): void {
  onSuspend = hook;
}

/**
 * The iterator behind `yield* future`: suspends while the future is pending and returns
 * its result once done. It yields itself, so the Task can tell `yield* future` from a
 * mistaken `yield future`.
 */
export class FutureAwaiter<T> implements Iterator<Suspend, T, unknown> {
  /**
   * Type-only (nothing at run time): named so that a mistaken `yield sleep(10)` in a
   * coroutine fails to compile with a message that says the fix, "Property '… use yield*,
   * not yield …' is missing in type 'Sleep<void>'".
   */
  declare readonly ['to await in a coroutine, use yield*, not yield']: true;
  /** @internal */ readonly _future: Future<T>;
  // A suspension returns the awaiter itself as its `{ done: false, value }` iterator result:
  // `yield*` hands it to the Task unchanged, so one object per suspension instead of two.
  /** @internal */ readonly done = false;
  /** @internal */ readonly value: FutureAwaiter<unknown> = this;

  constructor(future: Future<T>) {
    this._future = future;
    if (onSuspend !== null && future._state === PENDING) onSuspend();
  }

  next(): IteratorResult<Suspend, T> {
    const future = this._future;
    if (future._state === PENDING) return this;
    return { done: true, value: future.result() };
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    throw error;
  }
}

function runCallbacks(future: Future<any>): void {
  const callbacks = future._callbacks!;
  future._callbacks = null;
  if (!Array.isArray(callbacks)) invokeCallback(callbacks, future);
  else for (let i = 0; i < callbacks.length; i++) invokeCallback(callbacks[i]!, future);
}

function runOneCallback([callback, future]: [Callback, Future<any>]): void {
  invokeCallback(callback, future);
}

/**
 * Steps a Task woken by the future it waits on (installed by tasks.ts). Called as a plain
 * function, never as `task._wakeup()`: an Error keeps the receivers of the frames on its
 * stack, so an exception thrown by the resumed coroutine would reference its own task; the
 * registry of unretrieved exceptions holds that exception strongly, so the task would never
 * be collected and its exception never reported (and the loop never freed).
 */
let wakeTask: (task: Future<any>) => void = (task) => (task as unknown as Waiter)._wakeup(task);

/** @internal */
export function setWakeTask(fn: (task: Future<any>) => void): void {
  wakeTask = fn;
}

function invokeCallback(callback: Callback, future: Future<any>): void {
  try {
    if (typeof callback === 'function') callback(future);
    else if (callback instanceof Future) wakeTask(callback); // a Task (see wakeTask)
    else callback._wakeup(future);
  } catch (error) {
    const name = typeof callback === 'function' ? callback.name || '<anonymous function>' : String(callback);
    future._loop.callExceptionHandler({ message: `Exception in callback ${name}`, exception: error, future });
  }
}

/**
 * The task awaiting `future` from an async function (null outside one), recorded as
 * waiting on it so that `task.cancel()` cancels this await; or the error the await must
 * throw at once (a cancel requested while the task awaited something foreign, a future of
 * another loop, the task itself).
 */
function awaitingTask(future: Future<unknown>): AwaitingTask | null | Error {
  const task = asyncContextTask<AwaitingTask>();
  if (task === null) return null;
  const error = awaitError(task, future);
  if (error !== null) return error;
  if (future._state === PENDING) task._futWaiter = future;
  return task;
}

/**
 * @internal What awaiting `future` from code of `task` (outside a generator step) must throw
 * at once, or null: the task itself, a future of another loop, or a cancel requested while the
 * task awaited something foreign. That cancel also cancels `future` if it is pending, as
 * asyncio's `__step` cancels the future a task with `_must_cancel` set now awaits (and as a
 * generator step does, `waitOn`): an executor job awaited there stops, an awaited task is
 * cancelled.
 */
export function awaitError(task: AwaitingTask, future: Future<unknown>): Error | null {
  if (task === future) return new Error(`Task cannot await on itself: ${task}`);
  if (task._loop !== future._loop) {
    return new Error(`Task ${task.getName()} got Future ${future} attached to a different loop`);
  }
  const cancelled = task._takeCancel();
  if (cancelled !== null && future._state === PENDING) future.cancel(cancelMessageOf(cancelled));
  return cancelled;
}

/**
 * @internal What settles the promise a runtime `then()` returned: its resolving functions,
 * and the handlers `then()` was given.
 */
export abstract class ThenSettler {
  // Declared and set in the constructor, as Future's fields (subclasses construct faster).
  declare resolve: (value: any) => void;
  declare reject: (reason: unknown) => void;
  declare readonly task: AwaitingTask | null;
  declare readonly onfulfilled: ((value: any) => unknown) | null | undefined;
  declare readonly onrejected: ((reason: any) => unknown) | null | undefined;

  constructor(
    task: AwaitingTask | null,
    onfulfilled: ((value: any) => unknown) | null | undefined,
    onrejected: ((reason: any) => unknown) | null | undefined,
  ) {
    this.resolve = noop;
    this.reject = noop;
    this.task = task;
    this.onfulfilled = onfulfilled;
    this.onrejected = onrejected;
  }

  /** The async-function task that awaits through this settler (the call graph's back-link). */
  _awaiter(): Future<unknown> | null {
    return this.task;
  }

  /** Settles the promise through onfulfilled or onrejected when given, as native promises do. */
  settle(ok: boolean, value: unknown): void {
    const handler = ok ? this.onfulfilled : this.onrejected;
    if (typeof handler !== 'function') {
      (ok ? this.resolve : this.reject)(value);
      return;
    }
    try {
      this.resolve(handler(value));
    } catch (error) {
      this.reject(error);
    }
  }
}

const noop = (): void => {};
let capturing: ThenSettler | null = null;

function captureResolvingFunctions(resolve: (value: any) => void, reject: (reason: unknown) => void): void {
  capturing!.resolve = resolve;
  capturing!.reject = reject;
}

/**
 * @internal A new promise whose resolving functions go to `settler`. One shared executor
 * (the Promise constructor calls it synchronously) instead of a closure per promise; and the
 * promise gets no task tag (a property per promise) from the promise hooks, even in a task's
 * context: nothing reacts to it through the task. (`Promise.withResolvers`, Node 22+, was
 * measured instead of the executor: no fewer instructions, as it counts a use in the runtime
 * at every call.)
 */
export function promiseFor<T>(settler: ThenSettler): Promise<T> {
  capturing = settler;
  untagged(true);
  const promise = new Promise<T>(captureResolvingFunctions);
  untagged(false);
  capturing = null;
  return promise;
}

/** Settles the promise `Future.then` returned, once the future is done. */
class PromiseWaiter extends ThenSettler implements Waiter {
  constructor(
    task: AwaitingTask | null,
    onfulfilled: ((value: any) => unknown) | null | undefined,
    onrejected: ((reason: any) => unknown) | null | undefined,
    readonly parked: boolean,
  ) {
    super(task, onfulfilled, onrejected);
  }

  _wakeup(future: Future<unknown>): void {
    const task = this.task;
    if (this.parked) task!._unpark();
    if (task !== null && task._futWaiter === future) task._futWaiter = null;
    if (future._state === FINISHED) this.settle(true, future._result);
    else if (future._state === CANCELLED) {
      task?._takeCancel(future); // a later cancel() is folded into this one, as in taskStep
      this.settle(false, future._makeCancelledError());
    }
    else {
      future._markRetrieved();
      if (future._loop._debug) noteReraised(future._result, task);
      this.settle(false, future._result);
    }
  }
}

anchorMaps((loop: AbstractEventLoop) => {
  const future = new Future(loop);
  return [future, new FutureAwaiter(future), new PromiseWaiter(null, null, null, false)];
});

interface Unretrieved {
  loop: AbstractEventLoop;
  error: unknown;
  what: string;
  source: string | undefined;
}

/** Reports exceptions nobody retrieved when their future is garbage-collected. */
const unretrieved = new FinalizationRegistry<Unretrieved>(reportUnretrievedError);

function reportUnretrievedError({ loop, error, what, source }: Unretrieved): void {
  loop.callExceptionHandler({
    message: `${what.startsWith('<Task') ? 'Task' : 'Future'} exception was never retrieved: ${what}`,
    exception: error,
    ...(source !== undefined ? { sourceTraceback: source } : {}),
  });
}

/** Drops the loop's records of failed futures that were retrieved or collected since. */
function pruneFailed(loop: AbstractEventLoop): void {
  loop._failedFutures = (loop._failedFutures as WeakRef<Future<unknown>>[]).filter((ref) => ref.deref()?._state === FAILED);
}

/**
 * @internal Reports, now, every future of `loop` whose exception nobody retrieved (called
 * when `run()` ends). CPython frees such a task as soon as its last reference goes and logs
 * it then; V8 may not collect it before the process exits, so without this a short script
 * would never hear of the error.
 */
export function reportUnretrieved(loop: AbstractEventLoop): void {
  const failed = loop._failedFutures as WeakRef<Future<unknown>>[];
  loop._failedFutures = [];
  for (const ref of failed) {
    const future = ref.deref();
    if (future === undefined || future._state !== FAILED) continue;
    future._markRetrieved();
    reportUnretrievedError({ loop, error: future._result, what: String(future), source: sourceOf(future) });
  }
}

/** True for a Future (Tasks and other subclasses included), as asyncio's `isfuture`. */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}
