// Shared by the property-based tests: fast-check settings and instrumentation.
//
// Settings (environment variables):
//   AIO_PROPERTY_RUNS  number of generated schedules per property (default 100 in CI)
//   AIO_PROPERTY_SEED  fast-check seed (default fixed, so CI is reproducible)
// Run longer, e.g.:
//   AIO_PROPERTY_RUNS=20000 node --import tsx --test test/properties/*.test.ts
//   AIO_PROPERTY_RUNS=5000 AIO_PROPERTY_SEED=$RANDOM node --import tsx --test test/properties/locks.test.ts
// A failure prints the seed and the shrunk schedule; replay it with AIO_PROPERTY_SEED.
import type { Parameters as FcParameters } from 'fast-check';
import { FutureAwaiter, type Future, type Suspend } from '../../src/futures.js';
import type { Operation } from '../../src/index.js';
import { drive } from '../../src/driver.js';

const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${raw}`);
  return value;
};

export const RUNS = envInt('AIO_PROPERTY_RUNS', 100);
export const SEED = envInt('AIO_PROPERTY_SEED', 20_240_611);

export function fcParams<T>(): FcParameters<T> {
  return { numRuns: RUNS, seed: SEED, includeErrorInReport: true };
}

/** Loop iterations after which a schedule that has not finished counts as deadlocked. */
export const DEADLOCK_ITERATIONS = 5000;

/**
 * Wraps an operation to record, in both styles (`yield*` steps it directly, `await` steps it
 * through the same `drive()` as the real operation):
 * - `onStart`: its first step, when the primitive decides whether it can complete at once;
 * - `onWoken`: the moment a waiting operation is woken (its waiter future completes), which
 *   for a lock or semaphore is when the permit is handed to it;
 * - `onDone`: the moment it completes (the step that returns its result).
 */
export class Recorded<T> implements Operation<T> {
  #started = false;
  #promise: Promise<T> | null = null;

  constructor(
    readonly inner: Operation<T>,
    readonly onStart: () => void,
    readonly onDone: (value: T) => void,
    readonly onWoken: () => void = () => {},
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(sent?: unknown): IteratorResult<Suspend, T> {
    if (!this.#started) {
      this.#started = true;
      this.onStart();
    }
    const step = this.inner.next(sent);
    if (step.done) this.onDone(step.value);
    else if (step.value instanceof FutureAwaiter) this.#watch(step.value._future);
    return step;
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    return this.inner.throw!(error);
  }

  return(value?: T): IteratorResult<Suspend, T> {
    return this.inner.return!(value);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return (this.#promise ??= drive(this)).then(onfulfilled, onrejected);
  }

  /** Calls `onWoken` synchronously when the waiter is resolved (not when it is cancelled). */
  #watch(waiter: Future<unknown>): void {
    const resolve = waiter._resolve;
    const onWoken = this.onWoken;
    waiter._resolve = function (this: Future<unknown>, value: unknown): void {
      onWoken();
      resolve.call(this, value);
    };
  }
}
