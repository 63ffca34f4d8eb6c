import { LoopBound, WaiterQueue, type Blocked } from '../waiters.js';
import { WaitOp, type Operation } from '../operation.js';
import { Guard, HoldOp } from './guard.js';
import { anchorMaps } from '../loop/map-anchors.js';

/**
 * A mutual-exclusion lock (asyncio.Lock), not owned by any task. Strictly FIFO: a new
 * `acquire()` takes the lock at once only if it is free and nobody is waiting for it;
 * otherwise it waits its turn. A waiter that is cancelled after being woken passes the
 * wake-up to the next one, so the lock is never left free while someone waits for it.
 *
 * `acquire()` resolves to `true`; `release()` of an unlocked lock throws. `hold()`
 * acquires it for a `using` declaration, which releases it however the block exits.
 *
 * @example
 * import { run, gather, sleep, Lock, type Coro } from 'aio-ts';
 *
 * const lock = new Lock();
 * let balance = 100;
 *
 * function* withdraw(amount: number): Coro<void> {
 *   using _ = yield* lock.hold(); // released when the block ends, even on error or cancel
 *   const seen = balance;
 *   yield* sleep(10); // another task runs here, but cannot enter
 *   balance = seen - amount;
 * }
 *
 * async function deposit(amount: number): Promise<void> {
 *   using _ = await lock.hold();
 *   const seen = balance;
 *   await sleep(10);
 *   balance = seen + amount;
 * }
 *
 * await run(() => gather(withdraw(30), deposit(50), withdraw(20)));
 * console.log(balance); // 100: no update was lost
 */
export class Lock extends LoopBound {
  /** @internal */ _locked = false;
  /** @internal */ readonly _waiters = new WaiterQueue();
  /** @internal Waiters woken by `release()` that have not taken the lock yet (0 or 1). */
  _woken = 0;

  /** True while the lock is held. */
  locked(): boolean {
    return this._locked;
  }

  /** Waits until the lock is free and takes it; resolves to `true`. */
  acquire(): Operation<true> {
    return new LockAcquire(this);
  }

  /** Acquires the lock and resolves to a Guard that releases it when disposed (`using`). */
  hold(): Operation<Guard> {
    return new HoldOp(new LockAcquire(this), this);
  }

  /** Releases the lock and wakes the first waiter; throws if the lock is not held. */
  release(): void {
    if (!this._locked) throw new Error('Lock is not acquired.');
    this._locked = false;
    this._wakeUpFirst();
  }

  /** @internal Wakes the first waiter unless one is already on its way to take the lock. */
  _wakeUpFirst(): void {
    if (this._woken === 0 && this._waiters.wakeFirst(true)) this._woken++;
  }

  override toString(): string {
    const waiters = this._waiters.size + this._woken;
    return `<Lock [${this._locked ? 'locked' : 'unlocked'}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}

class LockAcquire extends WaitOp<true> {
  readonly #lock: Lock;

  constructor(lock: Lock) {
    super();
    this.#lock = lock;
  }

  _try(): true | Blocked {
    const lock = this.#lock;
    if (!lock._locked && lock._woken === 0 && lock._waiters.size === 0) {
      lock._locked = true;
      return true;
    }
    return this._block(lock._waiters, lock._getLoop());
  }

  override _resume(): true {
    const lock = this.#lock;
    lock._woken--;
    lock._locked = true;
    return true;
  }

  override _abandon(): void {
    const lock = this.#lock;
    lock._woken--;
    if (!lock._locked) lock._wakeUpFirst();
  }
}

anchorMaps(() => {
  const lock = new Lock();
  return [lock, lock.hold(), new Guard(lock)];
});
