import { TimeoutError } from '../errors.js';
import { describe } from '../values.js';
import type { ExecutorJob } from './executor.js';

/** Options of `executor.map()` (concurrent.futures' `map(fn, *iterables, timeout, chunksize)`). */
export interface MapOptions {
  /** Items per job: more than 1 sends fewer, larger messages (for many small items). Default: 1. */
  chunksize?: number;
  /**
   * Milliseconds from the call of `map()` within which each result must be ready, or the
   * iteration throws `TimeoutError` (and cancels the jobs not done). Default: `null`, no limit.
   */
  timeout?: number | null;
}

/**
 * @internal Submits every chunk of `items` now (as concurrent.futures does: the work starts before the
 * first result is asked for) and returns an async generator of the results in item order.
 * `submit(chunk, many)` submits one item (`many` false: `chunk` is its argument list) or a
 * chunk (`many` true: the job's result is the list of the chunk's results).
 */
export function mapJobs<T, R>(
  method: string,
  items: Iterable<T>,
  options: MapOptions,
  submit: (chunk: T[], many: boolean) => ExecutorJob<unknown>,
): AsyncGenerator<R, void, undefined> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${method}() expects an options object such as { chunksize: 16 }, got ${describe(options)}`);
  }
  const { chunksize = 1, timeout = null } = options;
  // The pools' template: a TypeError describing a value of the wrong type, else a RangeError showing it.
  if (typeof chunksize !== 'number') throw new TypeError(`${method}() expects chunksize to be a positive integer, got ${describe(chunksize)}`);
  if (!Number.isInteger(chunksize) || chunksize < 1) throw new RangeError(`${method}() expects chunksize to be a positive integer, got ${chunksize}`);
  if (timeout !== null && typeof timeout !== 'number') {
    throw new TypeError(`${method}() expects timeout to be null or a number of milliseconds >= 0, got ${describe(timeout)}`);
  }
  if (timeout !== null && !(timeout >= 0)) throw new RangeError(`${method}() expects timeout to be null or a number of milliseconds >= 0, got ${timeout}`);
  if (items === null || typeof (items as Partial<Iterable<T>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${method}() expects an iterable of items, got ${describe(items)}`);
  }
  const deadline = timeout === null ? Infinity : performance.now() + timeout;
  const jobs: ExecutorJob<unknown>[] = [];
  try {
    let chunk: T[] = [];
    for (const item of items) {
      if (chunksize === 1) jobs.push(submit([item], false));
      else if (chunk.push(item) === chunksize) {
        jobs.push(submit(chunk, true));
        chunk = [];
      }
    }
    if (chunk.length > 0) jobs.push(submit(chunk, true));
  } catch (error) {
    for (const job of jobs) job.cancel(); // all or nothing: a submit() failed (queue full, shut down)
    throw error;
  }
  return results<R>(jobs, chunksize > 1, deadline, timeout);
}

async function* results<R>(jobs: ExecutorJob<unknown>[], chunked: boolean, deadline: number, timeout: number | null): AsyncGenerator<R, void, undefined> {
  let next = 0;
  try {
    for (; next < jobs.length; next++) {
      const value = await within(jobs[next]!, deadline, timeout);
      if (chunked) yield* value as R[];
      else yield value as R;
    }
  } finally {
    // An error, a timeout or an early `break`: nobody will read the rest.
    for (let i = next; i < jobs.length; i++) jobs[i]!.cancel();
  }
}

/** The job's result, or TimeoutError once `deadline` (performance.now() time) passes. */
function within<T>(job: PromiseLike<T>, deadline: number, timeout: number | null): Promise<T> {
  if (deadline === Infinity) return Promise.resolve(job);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimeoutError(`map(): a result was not ready within the timeout of ${timeout} ms`)),
      Math.max(0, Math.min(deadline - performance.now(), 2 ** 31 - 1)),
    );
    job.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
