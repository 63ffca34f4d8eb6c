import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { describe } from '../values.js';
import type { Executor, ShutdownOptions } from './executor.js';
import { Job } from './job.js';
import { jobSource } from './job-source.js';
import { WorkerCrashError, argumentCloneError, explainNotDefined, reviveError } from './remote-error.js';
import { OK, WORKER_SCRIPT, type JobMessage, type ResultMessage, type Serialized } from './worker-script.js';

/** Options of `new ThreadPoolExecutor(options)`. */
export interface ThreadPoolExecutorOptions {
  /**
   * The most worker threads alive at once; they start on demand, one per job waiting while
   * all are busy. Default: `os.availableParallelism()`.
   */
  maxWorkers?: number;
}

/** One worker thread of the pool. */
interface Thread {
  readonly worker: Worker;
  /** The job it runs, or null while idle. */
  job: Job<unknown> | null;
  /** Ids of the sources this worker has compiled: each source crosses to a worker once. */
  readonly known: Set<number>;
  /** The first uncaught error of the worker (its 'error' event comes before 'exit'). */
  crash: unknown;
}

/**
 * Runs functions in a pool of `node:worker_threads` workers (concurrent.futures'
 * ThreadPoolExecutor, and asyncio's default executor): CPU-bound work runs in parallel while
 * the event loop goes on. Workers start on demand up to `maxWorkers`; jobs wait in FIFO order;
 * an idle worker does not keep the process alive; `shutdown()` ends them.
 *
 * **A job function must be self-contained.** A function cannot cross threads, so its source
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
export class ThreadPoolExecutor implements Executor {
  readonly #maxWorkers: number;
  readonly #threads = new Set<Thread>();
  /** Idle workers, the last one to finish first (its caches are warm). */
  readonly #idle: Thread[] = [];
  /** Jobs waiting for a worker, FIFO from #head; a cancelled one is skipped when its turn comes. */
  #queue: (Job<unknown> | undefined)[] = [];
  #head = 0;
  /** Queued jobs that are not cancelled. */
  #queued = 0;
  readonly #sourceIds = new Map<string, number>();
  #shutdown = false;
  /** Settled once shut down, with no job left and every worker gone. */
  #drained: { promise: Promise<void>; resolve: () => void } | null = null;
  readonly #onCancel = (): void => {
    this.#queued--;
    this.#checkDrained();
  };

  /**
   * Starts no thread yet: workers start on demand. Throws TypeError/RangeError if
   * `maxWorkers` is not a positive integer.
   *
   * @param options `maxWorkers`.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    checkOptions('ThreadPoolExecutor', options, '{ maxWorkers: 4 }');
    const max = options.maxWorkers ?? availableParallelism();
    if (typeof max !== 'number') {
      throw new TypeError(`ThreadPoolExecutor: maxWorkers must be a positive integer, got ${describe(max)}`);
    }
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`ThreadPoolExecutor: maxWorkers must be a positive integer, got ${max}`);
    }
    this.#maxWorkers = max;
  }

  /** The most worker threads alive at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /** The worker threads alive now (started on demand, ended by `shutdown()`). */
  get workerCount(): number {
    return this.#threads.size;
  }

  /**
   * Queues `fn(...args)` to run in a worker thread and returns its job: `await job` gives the
   * result, `job.cancel()` withdraws it while it waits. `fn` must be self-contained (see the
   * class). Throws a TypeError for what cannot be shipped, and
   * `Error('cannot schedule new futures after shutdown')` once shut down.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Job<Awaited<R>> {
    if (this.#shutdown) throw new Error('cannot schedule new futures after shutdown');
    const source = jobSource('submit', fn);
    let fnId = this.#sourceIds.get(source);
    if (fnId === undefined) this.#sourceIds.set(source, (fnId = this.#sourceIds.size));
    const job = new Job<Awaited<R>>(fnId, source, args, this.#onCancel);
    this.#queue.push(job as Job<unknown>);
    this.#queued++;
    this.#dispatch();
    return job;
  }

  /**
   * Stops accepting jobs. Jobs already queued still run unless `cancelFutures`; idle workers
   * end now, busy ones once nothing is left for them. With `wait` (the default) resolves when
   * every job is done and every worker has exited. Calling it again is harmless.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    checkOptions('shutdown', options, '{ wait: false }');
    const { wait = true, cancelFutures = false } = options;
    this.#shutdown = true;
    if (cancelFutures) {
      for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]?.cancel();
    }
    for (const thread of this.#idle.splice(0)) this.#terminate(thread);
    if (this.#drained === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#drained = { promise, resolve };
    }
    this.#checkDrained();
    return wait ? this.#drained.promise : Promise.resolve();
  }

  /** `await using pool = new ThreadPoolExecutor()`: shuts it down, waiting, when the block ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** Hands queued jobs to idle workers, starting workers while below maxWorkers. */
  #dispatch(): void {
    while (this.#queued > 0) {
      const thread = this.#idle.pop() ?? (this.#threads.size < this.#maxWorkers ? this.#spawn() : undefined);
      if (thread === undefined) return;
      if (!this.#runNext(thread)) this.#release(thread);
    }
  }

  /** Gives `thread` the next queued job; false if none is left. */
  #runNext(thread: Thread): boolean {
    for (let job = this.#dequeue(); job !== undefined; job = this.#dequeue()) {
      const known = thread.known.has(job._fnId);
      const message: JobMessage = [job._fnId, known ? null : job._source, job._args!];
      try {
        thread.worker.postMessage(message);
      } catch (error) {
        job._settle(false, argumentCloneError(error)); // nothing was sent: the worker is still free
        continue;
      }
      if (!known) thread.known.add(job._fnId);
      thread.job = job;
      thread.worker.ref(); // a busy worker keeps the process alive, like a pending timer
      return true;
    }
    return false;
  }

  /** The next job that is not cancelled, now marked running. */
  #dequeue(): Job<unknown> | undefined {
    // Re-read #queue on each turn: compacting replaces it while cancelled jobs are skipped.
    for (let queue = this.#queue; this.#head < queue.length; queue = this.#queue) {
      const job = queue[this.#head]!;
      queue[this.#head++] = undefined;
      if (this.#head === queue.length) {
        queue.length = 0;
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
        this.#queue = queue.slice(this.#head);
        this.#head = 0;
      }
      if (job._start()) {
        this.#queued--;
        return job;
      }
    }
    return undefined;
  }

  /** A worker with nothing to run: idle (not keeping the process alive), or ended once shut down. */
  #release(thread: Thread): void {
    if (this.#shutdown) {
      this.#terminate(thread);
      return;
    }
    thread.worker.unref();
    this.#idle.push(thread);
  }

  /** Ends a worker; the process waits for its exit (quick), which settles `shutdown()`. */
  #terminate(thread: Thread): void {
    thread.worker.ref();
    void thread.worker.terminate();
  }

  #spawn(): Thread {
    // No inherited execArgv: loaders such as `--import tsx` are useless here (job sources are
    // JavaScript already) and would slow every worker's start.
    const worker = new Worker(WORKER_SCRIPT, { eval: true, execArgv: [] });
    const thread: Thread = { worker, job: null, known: new Set(), crash: undefined };
    worker.on('message', (reply: ResultMessage) => this.#onReply(thread, reply));
    worker.on('error', (error: unknown) => {
      if (thread.crash === undefined) thread.crash = error;
    });
    worker.on('exit', (code: number) => this.#onExit(thread, code));
    this.#threads.add(thread);
    return thread;
  }

  #onReply(thread: Thread, [status, value]: ResultMessage): void {
    const job = thread.job;
    if (job === null) return;
    thread.job = null;
    // Give the worker its next job before settling this one: it starts while the loop wakes.
    if (!this.#runNext(thread)) this.#release(thread);
    job._settle(status === OK, status === OK ? value : explainNotDefined(reviveError(value as Serialized)));
    this.#checkDrained();
  }

  #onExit(thread: Thread, code: number): void {
    this.#threads.delete(thread);
    const idle = this.#idle.indexOf(thread);
    if (idle !== -1) this.#idle.splice(idle, 1);
    const job = thread.job;
    thread.job = null;
    if (job !== null) job._settle(false, new WorkerCrashError(code, thread.crash));
    else if (thread.crash !== undefined) {
      // Something a finished job left behind (a timer, a promise) threw later: nobody awaits it.
      process.emitWarning(`an idle worker thread of a ThreadPoolExecutor crashed: ${String(thread.crash)}`, 'WorkerCrashWarning');
    }
    this.#dispatch(); // start a replacement if jobs are waiting
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#drained !== null && this.#queued === 0 && this.#threads.size === 0) this.#drained.resolve();
  }
}

/** `new ThreadPoolExecutor(4)` or `shutdown(false)`, as Python would pass them, would be silently ignored. */
function checkOptions(method: string, options: unknown, example: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${method}() expects an options object such as ${example}, got ${describe(options)}`);
  }
}
