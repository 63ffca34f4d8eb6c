import { InlineAwaitable, runBody, type Mode } from '../body-runner.js';
import { CancelledError } from '../errors.js';
import type { Coro } from '../futures.js';
import { sleep } from '../sleep.js';
import { currentTask } from '../tasks.js';
import { describe } from '../values.js';
import { ClientConnectionError, ClientResponseError, ServerTimeoutError } from './errors.js';

/** Options of `retry()`. */
export interface RetryOptions {
  /** How many times `fn` is called at most (the first try included). Default 3. */
  attempts?: number;
  /**
   * The wait before attempt n+1, in ms: a number is a base doubled after each failure
   * (base, 2×base, 4×base, …); a function gets the number of the failed attempt (1, 2, …). Default 100.
   */
  backoff?: number | ((attempt: number) => number);
  /** The longest wait between attempts, in ms. Default 10,000. */
  maxBackoff?: number;
  /** Randomize each wait between half of it and all of it, so that many clients do not retry in step. Default true. */
  jitter?: boolean;
  /**
   * Whether an error is worth another attempt. Default: connection errors
   * (`ClientConnectionError`), connect/read timeouts (`ServerTimeoutError`), and responses
   * with status 429 or >= 500 (`ClientResponseError`, e.g. with `raiseForStatus`).
   */
  retryOn?: (error: unknown) => boolean;
}

/** The default `retryOn`: errors a later attempt may not get. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof ClientConnectionError || error instanceof ServerTimeoutError) return true;
  return error instanceof ClientResponseError && (error.status === 429 || error.status >= 500);
}

/**
 * Calls `fn(attempt)` (a generator function or an async function) until it succeeds, at most
 * `attempts` times, waiting with exponential backoff between attempts, and resolves to its
 * result; the last error is thrown when no attempt is left or `retryOn` says no. A
 * cancellation is never retried: it goes through at once, also during a wait. Awaitable
 * from both styles; it runs in the calling task.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { ClientSession, retry } from 'aio-ts/http';
 *
 * await run(async () => {
 *   await using session = new ClientSession({ raiseForStatus: true });
 *   const body = await retry(async () => (await session.get('http://127.0.0.1:8080/flaky')).text(), {
 *     attempts: 5,
 *     backoff: 200,
 *   });
 *   console.log(body);
 * });
 */
export function retry<T>(fn: (attempt: number) => Coro<T> | PromiseLike<T> | T, options: RetryOptions = {}): InlineAwaitable<T> {
  const call = 'retry()';
  if (typeof fn !== 'function') throw new TypeError(`${call} expects fn to be a generator function or an async function, got ${describe(fn)}`);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${call} expects options to be an object, got ${describe(options)}`);
  const { attempts = 3, backoff = 100, maxBackoff = 10_000, jitter = true, retryOn = isTransientError } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`${call} expects attempts to be an integer >= 1, got ${describe(attempts)}`);
  if (typeof backoff !== 'function' && (typeof backoff !== 'number' || !(backoff >= 0) || backoff === Infinity)) {
    throw new RangeError(`${call} expects backoff to be a number of milliseconds >= 0 or a function of the attempt, got ${describe(backoff)}`);
  }
  if (typeof maxBackoff !== 'number' || !(maxBackoff >= 0)) {
    throw new RangeError(`${call} expects maxBackoff to be a number of milliseconds >= 0, got ${describe(maxBackoff)}`);
  }
  if (typeof jitter !== 'boolean') throw new TypeError(`${call} expects jitter to be true or false, got ${describe(jitter)}`);
  if (typeof retryOn !== 'function') throw new TypeError(`${call} expects retryOn to be a function of the error, got ${describe(retryOn)}`);
  const delay = (attempt: number): number => {
    const raw = typeof backoff === 'function' ? backoff(attempt) : backoff * 2 ** (attempt - 1);
    if (typeof raw !== 'number' || !(raw >= 0)) {
      throw new RangeError(`${call}: backoff(${attempt}) must return a number of milliseconds >= 0, got ${describe(raw)}`);
    }
    const capped = Math.min(raw, maxBackoff);
    return jitter ? capped / 2 + (Math.random() * capped) / 2 : capped;
  };
  return new InlineAwaitable((mode) => attemptAll(fn, attempts, delay, retryOn, mode));
}

function* attemptAll<T>(
  fn: (attempt: number) => unknown,
  attempts: number,
  delay: (attempt: number) => number,
  retryOn: (error: unknown) => boolean,
  mode: Mode,
): Coro<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return yield* runBody<number, T>(fn, attempt, mode);
    } catch (error) {
      // A cancellation (ours, or one the task is going through) is never retried.
      if (error instanceof CancelledError || (currentTask()?.cancelling() ?? 0) > 0) throw error;
      if (attempt >= attempts || !retryOn(error)) throw error;
    }
    yield* sleep(delay(attempt));
  }
}
