import { type Blocked, type Coro, getRunningLoop, type WaitOp, WaiterFuture, WaiterQueue } from './core.js';

/**
 * One task at a time waiting for something to arrive (data on a StreamReader, a datagram):
 * a generator's `wait()`, or a blocked operation (`_block(op)`, its own waiter: no Future),
 * suspended until `wake()` or `fail(error)`. A cancelled wait leaves nothing behind.
 */
export class Wakeup {
  /** The one waiter, if any: a WaiterFuture of `wait()` or a blocked WaitOp. */
  readonly #queue = new WaiterQueue();

  /** True while a task waits (not woken yet). */
  get waiting(): boolean {
    return this.#queue.size !== 0;
  }

  /** Waits for the next `wake()`; the caller checks `waiting` first (one waiter at a time). */
  *wait(): Coro<void> {
    const queue = this.#queue;
    const waiter = queue.add<void>(getRunningLoop());
    try {
      yield* waiter;
    } finally {
      if (waiter._queue !== null) queue._unlink(waiter); // left without a cancel (return())
    }
  }

  /**
   * @internal Queues `op` until the next `wake()` or `fail()`, both of which resume it (its `_resume()`
   * looks again, and throws the error if there is one); the caller checks `waiting` first.
   */
  _block(op: WaitOp<unknown>): Blocked {
    return op._block(this.#queue, getRunningLoop());
  }

  /** Resumes the waiting task, if any. */
  wake(): void {
    if (this.#queue.size !== 0) this.#queue.wakeFirst(undefined);
  }

  /** Makes the waiting task's `wait()` throw `error` (a blocked operation is woken to find it). */
  fail(error: unknown): void {
    const queue = this.#queue;
    const waiter = queue._first();
    if (waiter instanceof WaiterFuture) {
      queue._unlink(waiter);
      waiter.setException(error);
    } else if (waiter !== null) queue.wakeFirst(undefined);
  }
}
