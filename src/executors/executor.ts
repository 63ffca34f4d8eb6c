import { describe } from '../values.js';

/**
 * One job handed to an executor: a thenable of its result, and a way to cancel it while
 * it has not started (concurrent.futures.Future, reduced to what asyncio needs).
 *
 * @example
 * import { ThreadPoolExecutor } from 'aio-ts/executors';
 *
 * const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const first = pool.submit((ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms), 50);
 * const second = pool.submit((x: number) => x * 2, 21);
 * console.log(second.cancel()); // true: it was queued behind `first`, and now never runs
 * await first;
 * await pool.shutdown();
 */
export interface ExecutorJob<R> extends PromiseLike<R> {
  /**
   * Cancels the job: awaiting it rejects with `CancelledError`. A job that has not started
   * never runs; a running job is stopped if the executor can stop it. Returns false if the
   * job is done, or running and cannot be stopped.
   */
  cancel(): boolean;
}

/** Options of `Executor.shutdown()` (concurrent.futures' `shutdown(wait, cancel_futures)`). */
export interface ShutdownOptions {
  /** Resolve only once every running and queued job has finished and the workers are gone. Default: true. */
  wait?: boolean;
  /**
   * Cancel the jobs that have not started yet (they never run), and stop the running ones if
   * the executor can (see `cancelRunning`). Default: false: they still run.
   */
  cancelFutures?: boolean;
}

/**
 * Runs functions outside the event loop (concurrent.futures.Executor). `loop.runInExecutor()`
 * accepts any object with these two methods; `ThreadPoolExecutor` is the built-in one.
 *
 * After `shutdown()`, `submit()` throws `Error('cannot schedule new futures after shutdown')`.
 *
 * @example
 * import { run, getRunningLoop } from 'aio-ts';
 * import type { Executor, ExecutorJob } from 'aio-ts/executors';
 *
 * // An executor that runs jobs on the main thread, one macrotask later.
 * class InlineExecutor implements Executor {
 *   submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): ExecutorJob<Awaited<R>> {
 *     const promise = new Promise<Awaited<R>>((resolve) => setImmediate(() => resolve(fn(...args) as Awaited<R>)));
 *     return { then: (ok, err) => promise.then(ok, err), cancel: () => false };
 *   }
 *   async shutdown(): Promise<void> {}
 * }
 *
 * await run(function* () {
 *   console.log(yield* getRunningLoop().runInExecutor(new InlineExecutor(), (a: number, b: number) => a + b, 1, 2)); // 3
 * });
 */
export interface Executor {
  /** Schedules `fn(...args)`; returns its job. Throws if the executor was shut down. */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): ExecutorJob<Awaited<R>>;
  /** Stops accepting jobs and releases the executor's resources once its jobs are done. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/** True if `value` has the methods of an Executor. */
export function isExecutor(value: unknown): value is Executor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Executor>).submit === 'function' &&
    typeof (value as Partial<Executor>).shutdown === 'function'
  );
}

/** Throws a TypeError naming `value` unless it is an Executor. */
export function checkExecutor(method: string, value: unknown): asserts value is Executor {
  if (!isExecutor(value)) {
    throw new TypeError(`${method}() expects an executor (an object with submit() and shutdown() methods), got ${describe(value)}`);
  }
}

/** A worker's limits, in megabytes (as `node:worker_threads` takes them). */
export interface ResourceLimits {
  /** Main heap. */
  maxOldGenerationSizeMb?: number;
  /** Heap space for recently created objects. */
  maxYoungGenerationSizeMb?: number;
  /** Space for generated code. */
  codeRangeSizeMb?: number;
  /** The thread's stack (Node's default is 4). */
  stackSizeMb?: number;
}
