/**
 * aio-ts/executors: run functions outside the event loop (concurrent.futures for aio).
 * `loop.runInExecutor(executor | null, fn, ...args)` returns a Future of `fn(...args)`;
 * `ThreadPoolExecutor` runs it in a `node:worker_threads` worker, so a CPU-bound job does not
 * block the loop; `toThread(fn, ...args)` uses the loop's default pool. The job function must
 * be self-contained (its source is what is sent), or a `moduleTask()` (an export of a module
 * file, imported by the worker). Cancelling a running job terminates its worker.
 *
 * @example
 * import { run, getRunningLoop } from 'aio-ts';
 * import { ThreadPoolExecutor } from 'aio-ts/executors';
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
 * const total = await run(async () => {
 *   const sum = (from: number, to: number) => { let s = 0; for (let i = from; i < to; i++) s += i; return s; };
 *   const parts = [0, 1, 2, 3].map((k) => getRunningLoop().runInExecutor(pool, sum, k * 1e7, (k + 1) * 1e7));
 *   return (await Promise.all(parts)).reduce((a, b) => a + b, 0);
 * });
 * console.log(total); // 799999980000000
 */
export { type Executor, type ExecutorJob, type ShutdownOptions, isExecutor } from './executor.js';
export { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from './thread-pool.js';
export { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from './process-pool.js';
export { WorkerPool, type WorkerPoolOptions, type ResourceLimits, type ExecutorStats } from './pool.js';
export { Job } from './job.js';
export { WorkerCrashError, ResourceLimitError } from './remote-error.js';
export { moduleTask, type ModuleTask } from './module-task.js';
export { type MapOptions } from './map.js';
export { move, type Movable } from './move.js';
export { toThread } from './to-thread.js';
