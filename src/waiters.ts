/**
 * The one waiter mechanism every synchronization primitive and queue is built on.
 *
 * - `WaiterQueue`: a FIFO of pending `WaiterFuture`s (an intrusive doubly linked list: O(1)
 *   push, wake-first and removal, never `Array#shift`). Cancelling a waiter takes it out of
 *   its queue at once, so a queue only ever holds live waiters.
 * - `WaitOp`: the awaitable of one blocking operation (`acquire()`, `get()`, `wait()`, …).
 *   Lazy like a coroutine: nothing happens until it is awaited. A primitive describes its
 *   operation with three hooks: `_try()` (complete now, or queue a waiter and return
 *   `BLOCKED`), `_resume()` (woken: complete, or wait again) and `_abandon()` (woken, but
 *   cancelled before it could resume: pass the wake-up on, so none is ever lost).
 * - `Operation`: what the primitives return. `yield*`-able, an iterator (so `createTask()`
 *   takes it like a coroutine) and thenable; `await` runs it in the calling async-function task
 *   through body-runner's `drive()`, with the same cancellation rules as `Future.then`.
 *   Operations written as generator coroutines (`condition.wait()`, `barrier.wait()`) are
 *   body-runner's `InlineAwaitable`s.
 */
import { CANCELLED, FINISHED, Future, FutureAwaiter, PENDING, type Suspend, type Yieldable } from './futures.js';
import { drive } from './body-runner.js';
import { getRunningLoop } from './loop/running.js';
import type { EventLoop } from './loop/event-loop.js';
import { anchorMaps } from './loop/map-anchors.js';

/** What `WaitOp._try()` and `_resume()` return when the operation has to wait. */
export const BLOCKED: unique symbol = Symbol('aio.blocked');
export type Blocked = typeof BLOCKED;

/** A Future standing for one waiting operation. Cancelling it removes it from its queue at once. */
export class WaiterFuture<T = unknown> extends Future<T> {
  /** @internal The queue holding it while it is pending and not woken. */
  _queue: WaiterQueue | null = null;
  /** @internal */ _prev: WaiterFuture<any> | null = null;
  /** @internal */ _next: WaiterFuture<any> | null = null;
  /** @internal Arrival order: a re-queued waiter keeps its place (see `WaiterQueue.add`). */
  _ticket = 0;

  override cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    this._queue?._unlink(this);
    return super.cancel(msg);
  }
}

/** FIFO of pending waiters. Waking one takes it out of the queue. */
export class WaiterQueue {
  /** @internal */ _head: WaiterFuture<any> | null = null;
  /** @internal */ _tail: WaiterFuture<any> | null = null;
  /** The number of pending waiters. */
  size = 0;
  #tickets = 0;

  /**
   * Queues a new pending waiter on `loop`. A new waiter goes to the back; one with the
   * `ticket` of an earlier wait (a woken waiter that found nothing left and waits again)
   * goes back to its place among the waiters that arrived after it.
   */
  add<T>(loop: EventLoop, ticket = 0): WaiterFuture<T> {
    const waiter = new WaiterFuture<T>(loop);
    waiter._queue = this;
    this.size++;
    const tail = this._tail;
    if (ticket === 0 || tail === null || tail._ticket < ticket) {
      waiter._ticket = ticket === 0 ? ++this.#tickets : ticket;
      waiter._prev = tail;
      if (tail === null) this._head = waiter;
      else tail._next = waiter;
      this._tail = waiter;
      return waiter;
    }
    waiter._ticket = ticket;
    let before = this._head!;
    while (before._ticket < ticket) before = before._next!;
    const prev = before._prev;
    waiter._prev = prev;
    waiter._next = before;
    before._prev = waiter;
    if (prev === null) this._head = waiter;
    else prev._next = waiter;
    return waiter;
  }

  /** Wakes the first pending waiter with `value`; false if there is none. */
  wakeFirst(value: unknown): boolean {
    const waiter = this._head;
    if (waiter === null) return false;
    this._unlink(waiter);
    waiter._resolve(value);
    return true;
  }

  /** Wakes every pending waiter with `value`, in order; returns how many. */
  wakeAll(value: unknown): number {
    let n = 0;
    while (this.wakeFirst(value)) n++;
    return n;
  }

  /** @internal */
  _unlink(waiter: WaiterFuture<any>): void {
    const prev = waiter._prev;
    const next = waiter._next;
    if (prev === null) this._head = next;
    else prev._next = next;
    if (next === null) this._tail = prev;
    else next._prev = prev;
    waiter._prev = waiter._next = null;
    waiter._queue = null;
    this.size--;
  }
}

// Dormant instances: they keep these classes' maps, and the code optimized for them, alive (see loop/map-anchors.ts).
anchorMaps((loop) => [new WaiterFuture(loop), new WaiterQueue()]);

/**
 * Binds a primitive to the loop it is first used on, like asyncio's `_LoopBoundMixin`:
 * it may be created anywhere, but waiting on it from another loop throws.
 */
export class LoopBound {
  /** @internal */ _loop: EventLoop | null = null;

  /** @internal The running loop, which must be the one this primitive is bound to. */
  _getLoop(): EventLoop {
    const loop = getRunningLoop();
    if (this._loop === null) this._loop = loop;
    else if (this._loop !== loop) throw new Error(`${String(this)} is bound to a different event loop`);
    return loop;
  }
}

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
const NEW = 0;
const WAITING = 1;
const DONE = 2;
// Shared results for the common values, so a `yield*` that completes at once allocates nothing.
const DONE_TRUE: IteratorResult<Suspend, any> = Object.freeze({ done: true, value: true });
const DONE_VOID: IteratorResult<Suspend, any> = Object.freeze({ done: true, value: undefined });

/**
 * One blocking operation on a primitive. Subclasses implement `_try()` and, if waking
 * means something else than "try again", `_resume()` and `_abandon()`.
 */
export abstract class WaitOp<T> implements Operation<T> {
  /** @internal The waiter while the operation waits. */
  _waiter: WaiterFuture<unknown> | null = null;
  /** @internal */ _phase: typeof NEW | typeof WAITING | typeof DONE = NEW;
  /** @internal Place in line, kept when the operation has to wait again. */
  _ticket = 0;
  /** @internal The outcome of `await`, which may be asked for more than once. */
  _promise: Promise<T> | null = null;

  /** @internal Completes now (returns the result, may throw) or returns `this._block(…)`. */
  abstract _try(): T | Blocked;

  /** @internal The waiter was woken: complete, or `this._block(…)` again. Default: `_try()`. */
  _resume(): T | Blocked {
    return this._try();
  }

  /** @internal The waiter was woken but the operation is abandoned (cancelled): pass the wake-up on. */
  _abandon(): void {}

  /** @internal Queues a waiter (keeping this operation's place in line) and returns BLOCKED. */
  _block(queue: WaiterQueue, loop: EventLoop): Blocked {
    const waiter = queue.add(loop, this._ticket);
    this._ticket = waiter._ticket;
    this._waiter = waiter;
    return BLOCKED;
  }

  [Symbol.iterator](): this {
    return this;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let promise = this._promise;
    if (promise === null) {
      promise = this._phase === NEW ? drive(this) : Promise.reject(new Error(REUSED));
      this._promise = promise;
    }
    return promise.then(onfulfilled, onrejected);
  }

  next(): IteratorResult<Suspend, T> {
    let result: T | Blocked;
    if (this._phase === NEW) {
      this._phase = DONE;
      result = this._try();
    } else if (this._phase === WAITING) {
      const waiter = this._waiter!;
      if (waiter._state === PENDING) return { done: false, value: new FutureAwaiter(waiter) };
      this._waiter = null;
      this._phase = DONE;
      if (waiter._state !== FINISHED) throw waiterError(waiter);
      result = this._resume();
    } else {
      throw new Error(REUSED);
    }
    if (result === BLOCKED) {
      this._phase = WAITING;
      return { done: false, value: new FutureAwaiter(this._waiter!) };
    }
    return result === true ? DONE_TRUE : result === undefined ? DONE_VOID : { done: true, value: result };
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    this.#giveUp();
    throw error;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    this.#giveUp();
    return { done: true, value: value as T };
  }

  #giveUp(): void {
    const waiter = this._waiter;
    this._phase = DONE;
    if (waiter === null) return;
    this._waiter = null;
    if (waiter._state === PENDING) waiter.cancel();
    else if (waiter._state === FINISHED) this._abandon();
  }
}

function waiterError(waiter: WaiterFuture<unknown>): unknown {
  if (waiter._state === CANCELLED) return waiter._makeCancelledError();
  waiter._markRetrieved();
  return waiter._result;
}

/** Something a `Guard` releases. */
export interface Releasable {
  release(): void;
}

/**
 * A held lock or semaphore permit, released when disposed: `using _ = yield* lock.hold()`
 * in a coroutine, `using _ = await lock.hold()` in an async function. Releasing twice
 * releases once.
 *
 * @example
 * const lock = new Lock();
 * function* critical(): Coro<void> {
 *   using _ = yield* lock.hold();
 *   yield* sleep(10); // the lock is held here, and released however the block exits
 * }
 */
export class Guard implements Disposable {
  #owner: Releasable | null;

  /** @internal */
  constructor(owner: Releasable) {
    this.#owner = owner;
  }

  /** True until the guard has released what it holds. */
  get held(): boolean {
    return this.#owner !== null;
  }

  /** Releases what the guard holds (once; later calls do nothing). */
  release(): void {
    const owner = this.#owner;
    if (owner === null) return;
    this.#owner = null;
    owner.release();
  }

  /** Same as `release()`: what `using` calls when the block ends. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/** `hold()`: the acquire operation, resolving to a Guard instead of `true`. */
export class HoldOp implements Operation<Guard> {
  readonly #acquire: Operation<unknown>;
  readonly #owner: Releasable;
  #promise: Promise<Guard> | null = null;

  constructor(acquire: Operation<unknown>, owner: Releasable) {
    this.#acquire = acquire;
    this.#owner = owner;
  }

  [Symbol.iterator](): this {
    return this;
  }

  then<R1 = Guard, R2 = never>(
    onfulfilled?: ((value: Guard) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return (this.#promise ??= drive(this)).then(onfulfilled, onrejected);
  }

  next(sent?: unknown): IteratorResult<Suspend, Guard> {
    const step = this.#acquire.next(sent);
    return step.done ? { done: true, value: new Guard(this.#owner) } : step;
  }

  throw(error: unknown): IteratorResult<Suspend, Guard> {
    this.#acquire.throw!(error);
    throw error;
  }

  return(value?: Guard): IteratorResult<Suspend, Guard> {
    this.#acquire.return!();
    return { done: true, value: value as Guard };
  }
}
