/**
 * The one waiter mechanism every synchronization primitive and queue is built on.
 *
 * - `WaiterQueue`: a FIFO of pending waiters (an intrusive doubly linked list: O(1) push,
 *   wake-first and removal, never `Array#shift`): blocked operations (`WaitOp`, their own
 *   waiters) or `WaiterFuture`s. Cancelling a waiter takes it out of its queue at once, so a
 *   queue only ever holds live waiters.
 * - `LoopBound`: binds a primitive to the loop it is first used on.
 *
 * The awaitable of one blocking operation built on it is `WaitOp`, in operation.ts.
 */
import { Future, PENDING } from './futures.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import { anchorMaps } from './loop/map-anchors.js';

/** What `WaitOp._try()` and `_resume()` return when the operation has to wait. */
export const BLOCKED: unique symbol = Symbol('aio.blocked');
export type Blocked = typeof BLOCKED;

/**
 * @internal What a `WaiterQueue` holds: a `WaiterFuture`, or a `WaitOp` (operation.ts), which
 * is its own waiter (no Future per wait).
 */
export interface WaitNode {
  /** The queue holding it while it is pending and not woken. */
  _queue: WaiterQueue | null;
  _prev: WaitNode | null;
  _next: WaitNode | null;
  /** Arrival order: a re-queued waiter keeps its place (see `WaiterQueue._insert`). */
  _ticket: number;
  /** Woken (already unlinked): complete with `value` and wake whoever waits on it. */
  _wake(value: unknown): void;
}

/** A Future standing for one waiting operation. Cancelling it removes it from its queue at once. */
export class WaiterFuture<T = unknown> extends Future<T> {
  /** @internal The queue holding it while it is pending and not woken. */
  _queue: WaiterQueue | null = null;
  /** @internal */ _prev: WaitNode | null = null;
  /** @internal */ _next: WaitNode | null = null;
  /** @internal Arrival order: a re-queued waiter keeps its place (see `WaiterQueue._insert`). */
  _ticket = 0;

  override cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    this._queue?._unlink(this);
    return super.cancel(msg);
  }

  /** @internal */
  _wake(value: unknown): void {
    this._resolve(value);
  }
}

/**
 * FIFO of pending waiters. Waking one takes it out of the queue.
 *
 * A linked list reached through its last node alone: the last links forward to the first
 * (`_tail._next`), and the first has no `_prev`. A WaiterQueue lives long (it is in the old
 * generation) and its waiters are new, and each store of a new object into an old one costs
 * a write barrier that records the slot for the next scavenge: a waiter queued on an empty
 * queue (a hand-off between two tasks, every time) costs one such store instead of two (a
 * head and a tail), and queueing behind others or waking the first costs what it did.
 */
export class WaiterQueue {
  /** @internal The last waiter (its `_next` is the first); null when empty. */ _tail: WaitNode | null = null;
  /** The number of pending waiters. */
  size = 0;
  #tickets = 0;

  /**
   * Queues a new pending waiter on `loop`. A new waiter goes to the back; one with the
   * `ticket` of an earlier wait (a woken waiter that found nothing left and waits again)
   * goes back to its place among the waiters that arrived after it.
   */
  add<T>(loop: AbstractEventLoop, ticket = 0): WaiterFuture<T> {
    const waiter = new WaiterFuture<T>(loop);
    this._insert(waiter, ticket);
    return waiter;
  }

  /** @internal Queues `waiter` as `add` does (`ticket`: its place in an earlier wait, or 0). */
  _insert(waiter: WaitNode, ticket: number): void {
    waiter._queue = this;
    this.size++;
    const tail = this._tail;
    if (ticket === 0 || tail === null || tail._ticket < ticket) {
      waiter._ticket = ticket === 0 ? ++this.#tickets : ticket;
      if (tail === null) {
        waiter._prev = null;
        waiter._next = waiter;
      } else {
        waiter._prev = tail;
        waiter._next = tail._next;
        tail._next = waiter;
      }
      this._tail = waiter;
      return;
    }
    waiter._ticket = ticket;
    let before = tail._next!;
    while (before._ticket < ticket) before = before._next!;
    const prev = before._prev;
    waiter._prev = prev;
    waiter._next = before;
    before._prev = waiter;
    (prev ?? tail)._next = waiter; // before the first: it becomes the first
  }

  /** @internal The first pending waiter, or null. */
  _first(): WaitNode | null {
    return this._tail === null ? null : this._tail._next;
  }

  /** Wakes the first pending waiter with `value`; false if there is none. */
  wakeFirst(value: unknown): boolean {
    const tail = this._tail;
    if (tail === null) return false;
    const waiter = tail._next!;
    this._unlink(waiter);
    waiter._wake(value);
    return true;
  }

  /** Wakes every pending waiter with `value`, in order; returns how many. */
  wakeAll(value: unknown): number {
    let n = 0;
    while (this.wakeFirst(value)) n++;
    return n;
  }

  /** @internal */
  _unlink(waiter: WaitNode): void {
    const next = waiter._next!;
    const prev = waiter._prev;
    if (next === waiter) this._tail = null;
    else if (prev === null) {
      // The first: the next one is the first now.
      this._tail!._next = next;
      next._prev = null;
    } else {
      prev._next = next;
      if (next._prev !== null) next._prev = prev; // (the first has none)
      if (this._tail === waiter) this._tail = prev;
    }
    waiter._prev = waiter._next = null;
    waiter._queue = null;
    this.size--;
  }
}

anchorMaps((loop: AbstractEventLoop) => [new WaiterFuture(loop), new WaiterQueue()]);

/**
 * Binds a primitive to the loop it is first used on, like asyncio's `_LoopBoundMixin`:
 * it may be created anywhere, but waiting on it from another loop throws.
 */
export class LoopBound {
  /** @internal Declared and set in the constructor, as Future's fields (subclasses construct faster). */
  declare _loop: AbstractEventLoop | null;

  constructor() {
    this._loop = null;
  }

  /** @internal The running loop, which must be the one this primitive is bound to. */
  _getLoop(): AbstractEventLoop {
    const loop = requireRunningLoop();
    if (this._loop === null) this._loop = loop;
    else if (this._loop !== loop) throw new Error(`${String(this)} is bound to a different event loop`);
    return loop;
  }
}
