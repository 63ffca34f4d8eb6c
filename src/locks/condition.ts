import { CancelledError } from '../errors.js';
import { FINISHED, PENDING, type Coro } from '../futures.js';
import { NO_ERROR, describe } from '../values.js';
import { InlineAwaitable } from '../body-runner.js';
import { LoopBound, WaiterQueue } from '../waiters.js';
import { type Operation } from '../operation.js';
import { HoldOp, type Guard } from './guard.js';
import { Lock } from './lock.js';


/**
 * A condition variable (asyncio.Condition): tasks holding its lock `wait()` until another
 * task `notify()`s them. `wait()` releases the lock while it waits and always re-acquires it
 * before it returns or throws, even when cancelled (re-throwing the very CancelledError it
 * got). A notification that races with a cancellation is never lost: it passes to the next
 * waiter. (asyncio also wakes another waiter when one that was never notified is cancelled, a
 * spurious wake-up; aio does not.) `notify()`/`notifyAll()` throw unless the lock is held.
 *
 * @example
 * const cond = new Condition();
 * const items: string[] = [];
 *
 * function* consumer(): Coro<string> {
 *   using _ = yield* cond.hold();
 *   yield* cond.waitFor(() => items.length > 0);
 *   return items.shift()!;
 * }
 *
 * function* producer(item: string): Coro<void> {
 *   using _ = yield* cond.hold();
 *   items.push(item);
 *   cond.notify();
 * }
 */
export class Condition extends LoopBound {
  /** @internal */ readonly _lock: Lock;
  /** @internal Tasks waiting for a notification. */
  readonly _waiters = new WaiterQueue();

  /**
   * @param lock The underlying Lock; default: a new one. Several conditions may share a lock.
   */
  constructor(lock?: Lock) {
    super();
    if (lock !== undefined && lock !== null && !(lock instanceof Lock)) {
      throw new TypeError(`Condition() expects a Lock or nothing, got ${describe(lock)}`);
    }
    this._lock = lock ?? new Lock();
  }

  /** True while the underlying lock is held. */
  locked(): boolean {
    return this._lock.locked();
  }

  /** Acquires the underlying lock; resolves to `true`. */
  acquire(): Operation<true> {
    return this._lock.acquire();
  }

  /** Acquires the underlying lock and resolves to a Guard that releases it when disposed (`using`). */
  hold(): Operation<Guard> {
    return new HoldOp(this._lock.acquire(), this._lock);
  }

  /** Releases the underlying lock; throws if it is not held. */
  release(): void {
    this._lock.release();
  }

  /**
   * Releases the lock, waits for a notification, then re-acquires the lock; resolves to
   * `true`. Throws (without waiting) if the lock is not held.
   */
  wait(): Operation<true> {
    return new InlineAwaitable(() => this.#wait());
  }

  /**
   * Waits until `predicate()` is truthy (checked first, then after each notification) and
   * resolves to its value. The lock must be held whenever it has to wait.
   */
  waitFor<T>(predicate: () => T): Operation<T> {
    if (typeof predicate !== 'function') {
      throw new TypeError(`waitFor() expects a predicate function, got ${describe(predicate)}`);
    }
    return new InlineAwaitable(() => this.#waitFor(predicate));
  }

  /** Wakes up to `n` waiting tasks (default 1). Throws unless the lock is held. */
  notify(n = 1): void {
    if (typeof n !== 'number' || Number.isNaN(n)) {
      throw new TypeError(`notify() expects a number of tasks to wake, got ${describe(n)}`);
    }
    if (!this.locked()) throw new Error('cannot notify on un-acquired lock');
    this._notify(n);
  }

  /** Wakes every waiting task. Throws unless the lock is held. */
  notifyAll(): void {
    this.notify(this._waiters.size);
  }

  /** @internal */
  _notify(n: number): void {
    for (let i = 0; i < n && this._waiters.wakeFirst(false); i++);
  }

  *#wait(): Coro<true> {
    if (!this.locked()) throw new Error('cannot wait on un-acquired lock');
    const waiter = this._waiters.add<boolean>(this._getLoop());
    this.release();
    let error: unknown = NO_ERROR;
    try {
      yield* waiter;
    } catch (thrown) {
      error = thrown;
    } finally {
      if (waiter._state === PENDING) waiter.cancel(); // the coroutine was closed
    }
    // Notified, or cancelled after a notification but before this task could resume.
    const notified = waiter._state === FINISHED;
    // Re-acquire the lock before leaving, whatever happens; cancellations only delay it.
    for (;;) {
      try {
        yield* this._lock.acquire();
        break;
      } catch (thrown) {
        if (!(thrown instanceof CancelledError)) {
          if (notified) this._notify(1);
          throw thrown;
        }
        error = thrown;
      }
    }
    if (error !== NO_ERROR) {
      // This task will not act on the notification: hand it to the next waiter.
      if (notified) this._notify(1);
      throw error;
    }
    return true;
  }

  *#waitFor<T>(predicate: () => T): Coro<T> {
    let result = predicate();
    while (!result) {
      yield* this.#wait();
      result = predicate();
    }
    return result;
  }

  override toString(): string {
    const waiters = this._waiters.size;
    return `<Condition [${this.locked() ? 'locked' : 'unlocked'}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}
