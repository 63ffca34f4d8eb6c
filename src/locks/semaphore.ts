import { describe } from '../values.js';
import { LoopBound, WaiterQueue, type Blocked } from '../waiters.js';
import { WaitOp, type Operation } from '../operation.js';
import { HoldOp, type Guard } from './guard.js';
import { anchorMaps } from '../loop/map-anchors.js';

/**
 * A counting semaphore (asyncio.Semaphore): `value` permits; `acquire()` takes one, waiting
 * while none is free, and `release()` gives one back. FIFO: a new `acquire()` takes a permit
 * at once only if one is free and nobody is waiting. A waiter cancelled after being woken
 * gives its permit back to the next waiter, so permits are never lost or granted twice.
 *
 * @example
 * const limit = new Semaphore(10); // at most 10 downloads at once
 *
 * function* download(url: string): Coro<string> {
 *   using _ = yield* limit.hold();
 *   return yield* ensureFuture(fetch(url).then((r) => r.text()));
 * }
 *
 * async function downloadAsync(url: string): Promise<string> {
 *   using _ = await limit.hold();
 *   const response = await fetch(url, { signal: currentTask()!.signal });
 *   return response.text();
 * }
 */
export class Semaphore extends LoopBound {
  /** @internal Free permits (permits handed to woken waiters are already taken off). */
  _value: number;
  /** @internal */ readonly _waiters = new WaiterQueue();
  /** @internal Waiters woken with a permit that have not resumed yet. */
  _woken = 0;

  /**
   * @param value The number of permits: an integer >= 0 (or Infinity). Default 1.
   */
  constructor(value = 1) {
    super();
    checkValue(new.target.name, value);
    this._value = value;
  }

  /** True if `acquire()` would have to wait: no permit is free, or others are waiting. */
  locked(): boolean {
    return this._value === 0 || this._waiters.size > 0 || this._woken > 0;
  }

  /** Waits for a permit and takes it; resolves to `true`. */
  acquire(): Operation<true> {
    return new SemaphoreAcquire(this);
  }

  /** Acquires a permit and resolves to a Guard that releases it when disposed (`using`). */
  hold(): Operation<Guard> {
    return new HoldOp(new SemaphoreAcquire(this), this);
  }

  /** Gives a permit back, waking the first waiter if there is one. */
  release(): void {
    this._value++;
    this._wakeUpNext();
  }

  /** @internal Hands a free permit to the first waiter; false if nobody waits. */
  _wakeUpNext(): boolean {
    if (!this._waiters.wakeFirst(true)) return false;
    this._value--;
    this._woken++;
    return true;
  }

  /** @internal Hands out every free permit to waiters (FIFO may have made some wait). */
  _wakeUpWaiters(): void {
    while (this._value > 0 && this._wakeUpNext());
  }

  override toString(): string {
    const waiters = this._waiters.size + this._woken;
    const state = this.locked() ? 'locked' : `unlocked, value:${this._value}`;
    return `<${this.constructor.name} [${state}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}

/**
 * A semaphore that throws (RangeError) when released more often than acquired, i.e. when
 * a release would push the permits above the initial value (asyncio.BoundedSemaphore).
 *
 * @example
 * const pool = new BoundedSemaphore(2);
 * yield* pool.acquire();
 * pool.release();
 * pool.release(); // RangeError: BoundedSemaphore released too many times
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  /** @param value The number of permits, and the most there can ever be: an integer >= 0. Default 1. */
  constructor(value = 1) {
    super(value);
    if (value === Infinity) throw new RangeError('BoundedSemaphore initial value must be finite, got Infinity');
    this.#bound = value;
  }

  override release(): void {
    // Permits handed to woken waiters are not free, but not released by anyone yet either.
    if (this._value + this._woken >= this.#bound) throw new RangeError('BoundedSemaphore released too many times');
    super.release();
  }
}

class SemaphoreAcquire extends WaitOp<true> {
  readonly #sem: Semaphore;

  constructor(sem: Semaphore) {
    super();
    this.#sem = sem;
  }

  _try(): true | Blocked {
    const sem = this.#sem;
    if (!sem.locked()) {
      sem._value--;
      return true;
    }
    return this._block(sem._waiters, sem._getLoop());
  }

  /** Woken with a permit: keep it, and let in whoever FIFO kept waiting behind us. */
  override _resume(): true {
    const sem = this.#sem;
    sem._woken--;
    sem._wakeUpWaiters();
    return true;
  }

  /** Woken with a permit but cancelled: give the permit to the next waiter. */
  override _abandon(): void {
    const sem = this.#sem;
    sem._woken--;
    sem._value++;
    sem._wakeUpWaiters();
  }
}

anchorMaps(() => {
  const semaphore = new Semaphore();
  return [semaphore, semaphore.acquire(), new BoundedSemaphore()];
});

function checkValue(cls: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${cls}() expects a number of permits, got ${describe(value)}`);
  }
  if (value < 0) throw new RangeError(`${cls} initial value must be >= 0, got ${value}`);
  if (!Number.isInteger(value) && value !== Infinity) {
    throw new RangeError(`${cls} initial value must be an integer, got ${value}`);
  }
}
