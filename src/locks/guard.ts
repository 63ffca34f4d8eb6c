/** The guard of `using _ = yield* lock.hold()` (asyncio's `async with lock:`), and `hold()`'s operation. */
import { awaitAgain, driveAwaited, type Driver } from '../driver.js';
import type { Suspend } from '../futures.js';
import type { Operation } from '../operation.js';

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
  #promise: Promise<Guard> | Driver | null = null;

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
    const awaited = this.#promise;
    if (awaited !== null) return awaitAgain(awaited).then(onfulfilled, onrejected);
    const driver = driveAwaited(this, onfulfilled, onrejected);
    this.#promise = driver;
    return driver._promise as Promise<R1 | R2>;
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
