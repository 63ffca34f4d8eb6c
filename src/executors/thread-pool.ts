import { Worker } from 'node:worker_threads';
import { WorkerPool, type PoolWorker, type ResourceLimits, type WorkerPoolOptions } from './pool.js';
import { WORKER_SCRIPT } from './worker-script.js';

/** Options of `new ThreadPoolExecutor()`; each is documented with its default. */
export interface ThreadPoolExecutorOptions extends WorkerPoolOptions {}

/**
 * Runs functions in a pool of `node:worker_threads` workers (concurrent.futures'
 * ThreadPoolExecutor, and asyncio's default executor): CPU-bound work runs in parallel while
 * the event loop goes on. Workers start on demand up to `maxWorkers`; jobs wait in FIFO order;
 * an idle worker does not keep the process alive; `shutdown()` ends them.
 *
 * **A job function must be self-contained, or a `moduleTask()`.** A module task names an
 * export of a module file, which the worker imports: it may use its module's imports. Any
 * other function cannot cross threads, so its source
 * text (`fn.toString()`) is sent and compiled in the worker (once per distinct source, then
 * cached): it sees its parameters, JavaScript's globals and `require` (or `await import()`)
 * for Node's modules — not the variables around it, not `this`, not the imports of its module.
 * Pass what it needs as arguments: they and the result are copied by structured clone (plain
 * data, Map, Set, Date, typed arrays, errors; a SharedArrayBuffer is shared). Async functions
 * may be used (their result is awaited in the worker); methods written `name() {}` work too.
 * Built-in and bound functions (`[native code]`), classes and generator functions are rejected
 * with a TypeError.
 *
 * An error thrown by the job comes back with its name, message, stack, `cause` and cloneable
 * own properties; a standard error class stays itself (a TypeError is a TypeError). A value
 * that cannot be cloned fails the job with a `DataCloneError`; a worker that dies during a
 * job (`process.exit()`, an uncaught error) fails it with `WorkerCrashError`, and is replaced.
 *
 * Cancelling a running job (`job.cancel()`, or the Future, task or timeout awaiting it)
 * terminates its worker unless `cancelRunning` is `'wait'`; see the options for limits
 * (`resourceLimits`, `maxQueue`, `idleTimeoutMs`, `minWorkers`) and `stats()` for load.
 *
 * @example
 * import { run, getRunningLoop } from 'aio-ts';
 * import { ThreadPoolExecutor } from 'aio-ts/executors';
 *
 * function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2); // only refers to itself: self-contained
 * }
 *
 * const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   const [a, b] = [loop.runInExecutor(pool, fib, 25), loop.runInExecutor(pool, fib, 26)]; // in parallel
 *   console.log(yield* a, yield* b); // 75025 121393
 * });
 * console.log(await pool.submit((s: string) => s.toUpperCase(), 'direct')); // 'DIRECT'
 * await pool.shutdown();
 */
export class ThreadPoolExecutor extends WorkerPool {
  /** A pool with no worker yet (unless `minWorkers`): they start on demand. See the options for the defaults. */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    super('ThreadPoolExecutor', options);
    this._startMinWorkers();
  }

  /** @internal */
  protected _startWorker(resourceLimits: ResourceLimits | undefined): PoolWorker {
    // No inherited execArgv: loaders such as `--import tsx` are useless here (job sources are
    // JavaScript already; module tasks register tsx themselves) and would slow every start.
    return new Worker(WORKER_SCRIPT, { eval: true, execArgv: [], resourceLimits });
  }

  /** @internal */
  protected _outOfMemory(crash: unknown): boolean {
    return (crash as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
  }
}
