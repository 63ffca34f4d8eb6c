import { BrokenBarrierError } from '../errors.js';
import type { Coro } from '../futures.js';
import { describe } from '../values.js';
import { InlineAwaitable } from '../body-runner.js';
import { type Operation } from '../operation.js';
import { Condition } from './condition.js';

/** The states of a Barrier, as asyncio names them. */
export type BarrierState = 'filling' | 'draining' | 'resetting' | 'broken';

/**
 * A barrier for `parties` tasks (asyncio.Barrier): each `wait()` blocks until `parties`
 * tasks are waiting, then all of them go on together, each with a distinct index from
 * `0` to `parties - 1`, and the barrier can be used again. While the released tasks leave
 * ("draining"), new arrivals wait for the next cycle. `reset()` sends the barrier back to
 * "filling" and makes the tasks waiting on it throw `BrokenBarrierError`; `abort()` breaks it
 * for good. A waiter that is cancelled leaves the count of waiting tasks right (its index is
 * then given again to a later arrival, as in asyncio, so indexes are distinct only in a cycle
 * without cancellations).
 *
 * `reset()` and `abort()` are operations, like coroutines in asyncio: they take effect when
 * awaited (`yield* barrier.reset()`, `await barrier.abort()`, or `createTask(barrier.abort())`).
 *
 * @example
 * const barrier = new Barrier(3);
 *
 * function* worker(): Coro<void> {
 *   // ... phase 1
 *   const index = yield* barrier.wait(); // all three arrive before any goes on
 *   if (index === 0) console.log('everyone finished phase 1');
 *   // ... phase 2
 * }
 */
export class Barrier {
  readonly #cond = new Condition();
  readonly #parties: number;
  #state: BarrierState = 'filling';
  /** @internal Tasks inside `wait()` (waiting, or released but not gone yet). */
  _count = 0;

  /** @param parties The number of tasks that must wait before all go on: an integer >= 1. */
  constructor(parties: number) {
    if (typeof parties !== 'number' || Number.isNaN(parties)) {
      throw new TypeError(`Barrier() expects a number of parties, got ${describe(parties)}`);
    }
    if (!(parties >= 1)) throw new RangeError(`parties must be > 0, got ${parties}`);
    if (!Number.isInteger(parties)) throw new RangeError(`parties must be an integer, got ${parties}`);
    this.#parties = parties;
  }

  /** The number of tasks required to pass the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** The number of tasks waiting in the barrier while it fills. */
  get nWaiting(): number {
    return this.#state === 'filling' ? this._count : 0;
  }

  /** True once `abort()` has broken the barrier. */
  get broken(): boolean {
    return this.#state === 'broken';
  }

  /** The barrier's state: filling, draining, resetting or broken. */
  get state(): BarrierState {
    return this.#state;
  }

  /**
   * Waits until `parties` tasks wait, then resolves to this task's index (0 … parties-1, the
   * order of arrival; distinct in a cycle without cancellations). Throws BrokenBarrierError if
   * the barrier is reset or aborted while waiting, or is broken.
   */
  wait(): Operation<number> {
    return new InlineAwaitable(() => this.#wait());
  }

  /**
   * Returns the barrier to its empty state: tasks waiting in it throw BrokenBarrierError.
   * A broken barrier becomes usable again.
   */
  reset(): Operation<void> {
    return this.#locked(() => {
      if (this._count > 0) this.#state = 'resetting';
      else this.#state = 'filling';
      this.#cond.notifyAll();
    });
  }

  /** Breaks the barrier: waiting and future `wait()`s throw BrokenBarrierError. */
  abort(): Operation<void> {
    return this.#locked(() => {
      this.#state = 'broken';
      this.#cond.notifyAll();
    });
  }

  toString(): string {
    const extra = this.broken ? '' : `, waiters:${this.nWaiting}/${this.#parties}`;
    return `<Barrier [${this.#state}${extra}]>`;
  }

  *#wait(): Coro<number> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      // Wait while the barrier drains or resets.
      yield* cond.waitFor(() => this.#state !== 'draining' && this.#state !== 'resetting');
      if (this.#state === 'broken') throw new BrokenBarrierError('Barrier aborted');
      const index = this._count++;
      try {
        if (index + 1 === this.#parties) {
          // The last one in releases everybody.
          this.#state = 'draining';
          cond.notifyAll();
        } else {
          yield* cond.waitFor(() => this.#state !== 'filling');
          const state = this.state; // changed while waiting
          if (state === 'broken' || state === 'resetting') {
            throw new BrokenBarrierError('Abort or reset of barrier');
          }
        }
        return index;
      } finally {
        this._count--;
        // The last one out opens the barrier for the next cycle.
        if (this._count === 0) {
          if (this.#state === 'resetting' || this.#state === 'draining') this.#state = 'filling';
          cond.notifyAll();
        }
      }
    } finally {
      cond.release();
    }
  }

  /** An operation that runs `change` with the condition's lock held (`async with cond` in asyncio). */
  #locked(change: () => void): Operation<void> {
    const cond = this.#cond;
    function* locked(): Coro<void> {
      yield* cond.acquire();
      try {
        change();
      } finally {
        cond.release();
      }
    }
    return new InlineAwaitable(() => locked());
  }
}
