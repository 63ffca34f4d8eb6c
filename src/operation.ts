/**
 * What the primitives' operations return (`acquire()`, `get()`, `wait()`, …).
 *
 * - `Operation`: `yield*`-able, an iterator (so `createTask()` takes it like a coroutine) and
 *   thenable; `await` runs it in the calling async-function task through `drive()`
 *   (driver.ts), with the same cancellation rules as `Future.then`. Operations written as
 *   generator coroutines (`condition.wait()`, `barrier.wait()`) are `InlineAwaitable`s.
 * - `WaitOp`: the awaitable of one blocking operation. Lazy like a coroutine: nothing happens
 *   until it is awaited. A primitive describes its operation with three hooks: `_try()`
 *   (complete now, or queue a waiter and return `BLOCKED`), `_resume()` (woken: complete, or
 *   wait again) and `_abandon()` (woken, but cancelled before it could resume: pass the
 *   wake-up on, so none is ever lost).
 */
import { CANCELLED, FINISHED, Future, FutureAwaiter, PENDING, type AwaitingTask, type Suspend, type Waiter, type Yieldable } from './futures.js';
import { makeCancelledError, type CancelledError } from './errors.js';
import { taskStep } from './tasks.js';
import { asyncContextTask } from './task-tracking.js';
import { awaitAgain, driveAwaited, type Driver } from './driver.js';
import { BLOCKED, type Blocked, type WaitNode, type WaiterQueue } from './waiters.js';
import type { AbstractEventLoop } from './loop/events.js';
import { markAwaited, trackAwaitable } from './debug-awaited.js';
import { recordSource, sourceOf } from './debug-info.js';
import { runningLoopOrNull } from './loop/running.js';

/**
 * The awaitable a primitive's operation returns (`lock.acquire()`, `queue.get()`,
 * `condition.wait()`, …). Like a coroutine it does nothing until awaited:
 *
 * - `yield* op` in a generator coroutine,
 * - `await op` in an async function (cancelling the task reaches it, as for a Future),
 * - `createTask(op)`, `gather(op, …)` and anything else that takes a coroutine.
 *
 * It can be awaited once (awaiting it again with `await` gives the same outcome).
 */
export type Operation<T> = Yieldable<T> & Iterator<Suspend, T, unknown> & PromiseLike<T>;

/**
 * @internal Implemented by a runtime async iterable whose steps are operations (a Queue):
 * `forAwait()` awaits `iterable[NEXT_OPERATION]()` in the calling task itself instead of going
 * through a Promise, so a cancellation that arrives as an item is handed over is thrown at the
 * operation's await (which passes the wake-up on) and never drops the item taken.
 */
export const NEXT_OPERATION: unique symbol = Symbol('aio.nextOperation');

/** @internal See `NEXT_OPERATION`. */
export interface OperationIterable<T> {
  [NEXT_OPERATION](): Operation<IteratorResult<T, undefined>>;
}

const REUSED = 'cannot reuse an already awaited operation';
// `WaitOp._state`, beside a Future's PENDING (queued), CANCELLED and FINISHED (woken, not resumed yet).
const NEW = 5;
const DONE = 6;
// Shared results for the common values, so a `yield*` that completes at once allocates nothing.
const DONE_TRUE: IteratorResult<Suspend, any> = Object.freeze({ done: true, value: true });
const DONE_VOID: IteratorResult<Suspend, any> = Object.freeze({ done: true, value: undefined });
// The same for `await op`: settled promises shared by every operation (made outside any task).
const RESOLVED_TRUE: Promise<any> = Promise.resolve(true);
const RESOLVED_VOID: Promise<any> = Promise.resolve(undefined);

/**
 * One blocking operation on a primitive. Subclasses implement `_try()` and, if waking
 * means something else than "try again", `_resume()` and `_abandon()`.
 */
export abstract class WaitOp<T> implements Operation<T> {
  // Declared and set in the constructor, as Future's fields (each operation constructs faster).
  /** @internal Place in line (arrival order), kept when the operation has to wait again. */
  declare _ticket: number;
  /**
   * @internal The outcome of `await`, which may be asked for more than once: a settled promise,
   * or the Driver of the first `await` (see `driveAwaited`).
   */
  declare _promise: Promise<T> | Driver | null;
  // While it waits, the operation is its own waiter (no Future per wait): a node of the
  // primitive's WaiterQueue, and what the Task or Driver waits on (`_futWaiter`), with the
  // fields and methods of a Future they read: `_state`, `_loop`, `_addCallback`, `cancel`.
  /**
   * @internal NEW, PENDING while queued, CANCELLED or FINISHED (woken) until it resumes, DONE.
   * One field for the operation's progress and its state as a waiter: an operation that never
   * waits (an uncontended `acquire()`) constructs faster with fewer fields.
   */
  declare _state: number;
  /** @internal The loop it waits on (set when it first waits). */
  declare _loop: AbstractEventLoop | null;
  /** @internal The Task (or Driver) to wake. */
  declare _waker: Future<unknown> | Waiter | null;
  /** @internal The cancel message. */
  declare _cancel: string | undefined;
  /** @internal */ declare _queue: WaiterQueue | null;
  /** @internal */ declare _prev: WaitNode | null;
  /** @internal */ declare _next: WaitNode | null;

  constructor() {
    this._state = NEW;
    this._ticket = 0;
    this._promise = null;
    this._loop = null;
    this._waker = null;
    this._cancel = undefined;
    this._queue = null;
    this._prev = null;
    this._next = null;
    // Debug mode only; checked here so that the name is not formatted for every operation.
    const loop = runningLoopOrNull();
    if (loop !== null && loop._debug) trackAwaitable(this, `an operation (${new.target.name})`);
  }

  /** @internal Completes now (returns the result, may throw) or returns `this._block(…)`. */
  abstract _try(): T | Blocked;

  /** @internal The waiter was woken: complete, or `this._block(…)` again. Default: `_try()`. */
  _resume(): T | Blocked {
    return this._try();
  }

  /** @internal The waiter was woken but the operation is abandoned (cancelled): pass the wake-up on. */
  _abandon(): void {}

  /** @internal Queues this operation as a waiter (keeping its place in line) and returns BLOCKED. */
  _block(queue: WaiterQueue, loop: AbstractEventLoop): Blocked {
    this._loop = loop;
    this._state = PENDING;
    queue._insert(this, this._ticket);
    // Debug mode: what task dumps show as the awaited object's creation place.
    if (loop._debug && sourceOf(this) === undefined) recordSource(this);
    return BLOCKED;
  }

  /** @internal Woken by its queue (already unlinked). */
  _wake(_value: unknown): void {
    this._state = FINISHED;
    this._scheduleWaker();
  }

  /** @internal What a Task or Driver calls to wait on this operation, as on a Future. */
  _addCallback(waker: Future<unknown> | Waiter): void {
    this._waker = waker;
    if (this._state !== PENDING) this._scheduleWaker();
  }

  /**
   * @internal Cancels the wait (`task.cancel()` reaches it as the task's `_futWaiter`): out of
   * the queue at once; false if it is not waiting (woken already).
   */
  cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    this._queue?._unlink(this);
    this._state = CANCELLED;
    this._cancel = msg;
    this._scheduleWaker();
    return true;
  }

  /** @internal As a Future's single callback: a Task's step is queued itself, a Driver is called. */
  _scheduleWaker(): void {
    const waker = this._waker;
    if (waker === null) return;
    if (waker instanceof Future) {
      this._waker = null;
      this._loop!._pushReady(taskStep as (task: Future<unknown>) => void, waker);
    } else this._loop!._pushReady(wakeWaiter, this);
  }

  /** @internal The error a cancelled wait throws. */
  _makeCancelledError(): CancelledError {
    return makeCancelledError(this._cancel, this._loop!._debug);
  }

  /** The name reports have always shown for what a blocked task waits on. */
  toString(): string {
    return `<WaiterFuture ${this._state === PENDING ? 'pending' : this._state === CANCELLED ? 'cancelled' : 'finished'}>`;
  }

  [Symbol.iterator](): this {
    return this;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const awaited = this._promise;
    if (awaited !== null) return awaitAgain(awaited).then(onfulfilled, onrejected);
    markAwaited(this);
    const started = this._state === NEW ? startAwait(this) : Promise.reject(new Error(REUSED));
    if (started !== BLOCKED) {
      this._promise = started;
      return started.then(onfulfilled, onrejected);
    }
    const driver = driveAwaited(this, onfulfilled, onrejected);
    this._promise = driver;
    return driver._promise as Promise<R1 | R2>;
  }

  next(): IteratorResult<Suspend, T> {
    let result: T | Blocked;
    const state = this._state;
    if (state === NEW) {
      markAwaited(this);
      this._state = DONE;
      result = this._try(); // `_block` makes it PENDING
    } else if (state === PENDING) {
      return new FutureAwaiter(this as unknown as Future<unknown>);
    } else if (state === FINISHED) {
      this._state = DONE;
      result = this._resume();
    } else if (state === CANCELLED) {
      this._state = DONE;
      throw this._makeCancelledError();
    } else {
      throw new Error(REUSED);
    }
    if (result === BLOCKED) return new FutureAwaiter(this as unknown as Future<unknown>); // its own iterator result
    return result === true ? DONE_TRUE : result === undefined ? DONE_VOID : { done: true, value: result };
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    giveUp(this);
    throw error;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    giveUp(this);
    return { done: true, value: value as T };
  }
}

/**
 * `await op`: the first step here, as `drive()` would take it (a cancel due is thrown in first);
 * a settled promise, or BLOCKED: only an operation that has to wait gets a Driver. An
 * uncontended `await lock.acquire()` then costs a settled promise instead of a Driver and a
 * promise of its own. (A function, not a `#private` method: a class with one gives each
 * instance a brand field.)
 */
function startAwait<T>(op: WaitOp<T>): Promise<T> | Blocked {
  const loop = runningLoopOrNull();
  const task = loop !== null && loop._asyncTaskCount > 0 ? asyncContextTask<AwaitingTask>() : null;
  const cancel = task === null ? null : task._takeCancel();
  op._state = DONE;
  if (cancel !== null) return Promise.reject(cancel);
  let result: T | Blocked;
  try {
    result = op._try();
  } catch (error) {
    return Promise.reject(error);
  }
  if (result !== BLOCKED) return result === true ? RESOLVED_TRUE : result === undefined ? RESOLVED_VOID : Promise.resolve(result);
  return BLOCKED;
}

/** A `yield*` of `op` stopped early (thrown into, or returned from): out of the queue, the wake-up passed on. */
function giveUp(op: WaitOp<unknown>): void {
  const state = op._state;
  if (state === PENDING) op.cancel();
  op._state = DONE;
  if (state === FINISHED) op._abandon();
}

/** Calls the Driver waiting on `op` (its `_wakeup`, as a Future calls a `Waiter`). */
function wakeWaiter(op: WaitOp<unknown>): void {
  const waker = op._waker as Waiter;
  op._waker = null;
  try {
    waker._wakeup(op as unknown as Future<unknown>);
  } catch (error) {
    op._loop!.callExceptionHandler({ message: `Exception in callback ${String(waker)}`, exception: error });
  }
}
