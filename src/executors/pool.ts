import { availableParallelism } from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import { QueueFull } from '../errors.js';
import { observing, emitJobSubmitted } from '../debug-events.js';
import { describe } from '../values.js';
import type { Executor, ResourceLimits, ShutdownOptions } from './executor.js';
import { Job, type JobSource } from './job.js';
import { jobSource } from './job-source.js';
import { mapJobs, type MapOptions } from './map.js';
import { moduleRefOf } from './module-task.js';
import { takeMoves } from './move.js';
import { ResourceLimitError, WorkerCrashError, argumentCloneError, explainNotDefined, reviveError } from './remote-error.js';
import { OK, type JobMessage, type ResultMessage, type Serialized } from './worker-script.js';

/** Options of ThreadPoolExecutor and ProcessPoolExecutor. */
export interface WorkerPoolOptions {
  /**
   * The most workers (threads or processes) alive at once; they start on demand, one per job waiting while
   * all are busy. Default: `os.availableParallelism()`.
   */
  maxWorkers?: number;
  /**
   * Workers started with the pool and kept through `idleTimeoutMs` (at most `maxWorkers`), so
   * the first jobs do not wait for a worker to start. Default: 0.
   */
  minWorkers?: number;
  /**
   * What cancelling a running job does (`job.cancel()`, cancelling the Future or the task that
   * awaits it, a `timeout()` or `waitFor()` expiring, `shutdown({ cancelFutures: true })`).
   * `'terminate'`: its worker is terminated at once (the job stops wherever it is, like a
   * killed process: shared memory it was writing may be half-written), the job rejects with
   * `CancelledError`, and a new worker takes the next job. `'wait'`: as in Python, a running
   * job cannot be stopped; `cancel()` returns false, and a cancelled Future only discards its
   * result. Default: `'terminate'`: JavaScript can stop a worker, and a timeout that leaves the
   * work running is rarely what was meant.
   */
  cancelRunning?: 'terminate' | 'wait';
  /**
   * An idle worker exits after this many milliseconds without a job, down to `minWorkers`.
   * Default: `Infinity` (idle workers stay, as in Python; they never keep the process alive).
   */
  idleTimeoutMs?: number;
  /**
   * The most jobs waiting for a worker (not counting running ones). `submit()` beyond it
   * throws `QueueFull` at once rather than waiting (submit is synchronous, like asyncio's
   * `putNowait()`); bound the producers with a `Semaphore` to wait instead. Default: `Infinity`.
   */
  maxQueue?: number;
  /**
   * Memory and stack limits of each worker (`node:worker_threads`' resourceLimits: heap
   * generations and code range in MB, `stackSizeMb`). A job that goes over them fails with
   * `ResourceLimitError` and its worker is replaced. Default: none (the process's own limits,
   * which a runaway job may take gigabytes to reach).
   */
  resourceLimits?: ResourceLimits;
}

/** What a pool's `stats()` reports. Counts since the pool was made. */
export interface ExecutorStats {
  /** Workers alive and usable (not counting ones being stopped). */
  workers: number;
  /** Workers running a job. */
  busy: number;
  /** Jobs waiting for a worker. */
  queued: number;
  /** Jobs that returned a value. */
  completed: number;
  /** Jobs that threw, or whose worker crashed or went over its resourceLimits. */
  failed: number;
  /** Jobs cancelled, queued or running. */
  cancelled: number;
  /** The share of the pool's capacity (maxWorkers × its age) spent running jobs, 0 to 1. */
  utilization: number;
}

export type { ResourceLimits };

/** One worker (thread or process) of the pool. */
interface Thread {
  readonly worker: PoolWorker;
  /** The job it runs, or null while idle. */
  job: Job<unknown> | null;
  /** performance.now() when the job started. */
  startedAt: number;
  /** Ids of the sources this worker has compiled: each source crosses to a worker once. */
  readonly known: Set<number>;
  /** The first uncaught error of the worker (its 'error' event comes before 'exit'). */
  crash: unknown;
  /** Being terminated: no longer counted against maxWorkers, given no job. */
  stopping: boolean;
  /** Ends the worker once idle for idleTimeoutMs. */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the worker is ref()ed now: saves a native call per job on a busy pool. */
  held: boolean;
}

/**
 * @internal A worker of a pool, as `node:worker_threads`' Worker presents it: a child process is
 * adapted to it (process-pool.ts). 'error' (the uncaught error that kills it) comes before 'exit'.
 */
export interface PoolWorker {
  postMessage(message: unknown, transfer?: readonly TransferListItem[]): void;
  terminate(): unknown;
  ref(): void;
  unref(): void;
  on(event: 'message', listener: (message: ResultMessage) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/**
 * What ThreadPoolExecutor and ProcessPoolExecutor share: the queue, dispatch, cancellation
 * (stopping a running job ends its worker), limits, stats and shutdown. A subclass says how a
 * worker starts (`_startWorker`).
 */
export abstract class WorkerPool implements Executor {
  readonly #kind: string;
  readonly #maxWorkers: number;
  readonly #minWorkers: number;
  readonly #terminateRunning: boolean;
  readonly #idleTimeoutMs: number;
  readonly #maxQueue: number;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #threads = new Set<Thread>();
  /** Threads being terminated (still in #threads until they exit). */
  #stopping = 0;
  /** Idle workers, the last one to finish first (its caches are warm). */
  readonly #idle: Thread[] = [];
  /** Jobs waiting for a worker, FIFO from #head; a cancelled one is skipped when its turn comes. */
  #queue: (Job<unknown> | undefined)[] = [];
  #head = 0;
  /** Queued jobs that are not cancelled. */
  #queued = 0;
  readonly #sourceIds = new Map<string, number>();
  #shutdown = false;
  /** After `shutdown({ wait: false })`: busy workers no longer keep the process alive. */
  #detached = false;
  /** Settled once shut down, with no job left and every worker gone. */
  #drained: { promise: Promise<void>; resolve: () => void } | null = null;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #busyMs = 0;
  readonly #createdAt = performance.now();
  readonly #onCancel = (): void => {
    this.#queued--;
    this.#cancelled++;
    this.#checkDrained();
  };

  /** @internal `kind` names the class in messages. */
  constructor(kind: string, options: WorkerPoolOptions) {
    this.#kind = kind;
    checkOptions(kind, options, '{ maxWorkers: 4 }');
    const max = checkCount(kind, 'maxWorkers', options.maxWorkers ?? availableParallelism(), 1, false);
    const min = checkCount(kind, 'minWorkers', options.minWorkers ?? 0, 0, false);
    if (min > max) throw new RangeError(`new ${kind}() expects minWorkers to be at most maxWorkers (${max}), got ${min}`);
    const cancelRunning = options.cancelRunning ?? 'terminate';
    if (cancelRunning !== 'terminate' && cancelRunning !== 'wait') {
      throw new TypeError(`new ${kind}() expects cancelRunning to be 'terminate' or 'wait', got ${describe(cancelRunning)}`);
    }
    this.#maxWorkers = max;
    this.#minWorkers = min;
    this.#terminateRunning = cancelRunning === 'terminate';
    this.#idleTimeoutMs = checkCount(kind, 'idleTimeoutMs', options.idleTimeoutMs ?? Infinity, 0, true);
    this.#maxQueue = checkCount(kind, 'maxQueue', options.maxQueue ?? Infinity, 0, true);
    this.#resourceLimits = checkLimits(kind, options.resourceLimits);
  }

  /** @internal Starts a worker running WORKER_SCRIPT, with the pool's limits. */
  protected abstract _startWorker(resourceLimits: ResourceLimits | undefined): PoolWorker;

  /** @internal True if the worker that died with `crash` and `code` went over its resourceLimits. */
  protected abstract _outOfMemory(crash: unknown, code: number): boolean;

  /** @internal Starts minWorkers (from the subclass's constructor, once it can start workers). */
  protected _startMinWorkers(): void {
    while (this.#threads.size < this.#minWorkers) this.#release(this.#spawn());
  }

  /** The most workers alive at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /** The workers alive now, including ones being stopped (started on demand, ended by `shutdown()` and `idleTimeoutMs`). */
  get workerCount(): number {
    return this.#threads.size;
  }

  /**
   * How busy the pool is: workers alive and busy, jobs queued, and counts of jobs completed,
   * failed and cancelled so far.
   *
   * @example
   * import { ThreadPoolExecutor } from 'aio-ts/executors';
   *
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
   * await Promise.all([1, 2, 3].map((n) => pool.submit((x: number) => x * x, n)));
   * const { completed, queued, busy } = pool.stats();
   * console.log(completed, queued, busy); // 3 0 0
   */
  stats(): ExecutorStats {
    const now = performance.now();
    let busy = 0;
    let busyMs = this.#busyMs;
    for (const thread of this.#threads) {
      if (thread.job === null) continue;
      busy++;
      busyMs += now - thread.startedAt;
    }
    const capacity = (now - this.#createdAt) * this.#maxWorkers;
    return {
      workers: this.#live(),
      busy,
      queued: this.#queued,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      utilization: capacity > 0 ? Math.min(1, busyMs / capacity) : 0,
    };
  }

  /**
   * Queues `fn(...args)` to run in a worker and returns its job: `await job` gives the
   * result, `job.cancel()` withdraws it, or stops it while it runs (see `cancelRunning`). `fn`
   * is either self-contained (see the class) or made by `moduleTask()`. Throws a TypeError for
   * what cannot be shipped, `QueueFull` beyond `maxQueue`, and
   * `Error('cannot schedule new futures after shutdown')` once shut down.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Job<Awaited<R>> {
    return this.#submit('submit', fn as (...args: unknown[]) => unknown, args, false) as Job<Awaited<R>>;
  }

  /**
   * `fn(item)` for each item, in the workers (concurrent.futures' `Executor.map`): every job
   * is submitted at once, and the results come back in the order of the items, whichever
   * finishes first. With `chunksize` > 1 each job runs a chunk of items (fewer messages for
   * small jobs). The items are read at once, as in Python (an endless iterable never
   * returns). The first error is thrown when its turn comes; then, or when the loop stops
   * early (`break`), the jobs not yet done are cancelled. With `timeout`, a result not ready
   * that many milliseconds after the call throws `TimeoutError`.
   *
   * @example
   * import { run, forAwait } from 'aio-ts';
   * import { ThreadPoolExecutor } from 'aio-ts/executors';
   *
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
   * for await (const square of pool.map((n: number) => n * n, [1, 2, 3])) console.log(square); // 1 4 9
   * await run(function* () {
   *   yield* forAwait(pool.map((s: string) => s.length, ['a', 'bb'], { chunksize: 2 }), (n) => console.log(n)); // 1 2
   * });
   */
  map<T, R>(fn: (item: T) => R, items: Iterable<T>, options: MapOptions = {}): AsyncGenerator<Awaited<R>, void, undefined> {
    if (this.#shutdown) throw new Error('cannot schedule new futures after shutdown');
    jobSourceOf('map', fn); // fail now, not at the first next()
    return mapJobs<T, Awaited<R>>('map', items, options, (chunk, many) =>
      this.#submit('map', fn as (...args: unknown[]) => unknown, many ? chunk.map((item) => [item]) : chunk, many),
    );
  }

  /**
   * Stops accepting jobs. Jobs already queued still run unless `cancelFutures`, which also
   * stops running jobs when `cancelRunning` is `'terminate'`; idle workers end now, busy ones
   * once nothing is left for them. With `wait` (the default) resolves when every job is done
   * and every worker has exited. With `wait: false` it resolves at once, and a running job
   * that nobody awaits no longer keeps the process alive: it may exit, ending the job (Python
   * would wait for it); a job that is awaited (or tracked by `runInExecutor`) still does.
   * Calling it again is harmless; a later call with `wait` waits again.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    checkOptions('shutdown', options, '{ wait: false }');
    const { wait = true, cancelFutures = false } = options;
    this.#shutdown = true;
    if (cancelFutures) {
      for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i]?.cancel();
      if (this.#terminateRunning) for (const thread of [...this.#threads]) thread.job?.cancel();
    }
    for (const thread of this.#idle.splice(0)) this.#terminate(thread);
    this.#detached = !wait;
    for (const thread of this.#threads) if (thread.job !== null) this.#hold(thread, thread.job);
    if (this.#drained === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#drained = { promise, resolve };
    }
    this.#checkDrained();
    return wait ? this.#drained.promise : Promise.resolve();
  }

  /** `await using pool = new ThreadPoolExecutor()`: shuts the pool down, waiting, when the block ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #submit(method: string, fn: (...args: unknown[]) => unknown, args: unknown[], many: boolean): Job<unknown> {
    if (this.#shutdown) throw new Error('cannot schedule new futures after shutdown');
    const source = jobSourceOf(method, fn);
    // Full only if the job would have to wait: a free worker takes it at once.
    if (this.#queued >= this.#maxQueue && this.#idle.length === 0 && this.#live() >= this.#maxWorkers) {
      throw new QueueFull(
        `${method}(): the queue of the ${this.#kind} is full (maxQueue: ${this.#maxQueue} jobs waiting, ` +
          `${this.#maxWorkers} workers busy): wait for jobs to finish before submitting more, or raise maxQueue`,
      );
    }
    const key = typeof source === 'string' ? source : `\0${source.module}#${source.name}`;
    let fnId = this.#sourceIds.get(key);
    if (fnId === undefined) this.#sourceIds.set(key, (fnId = this.#sourceIds.size));
    const job = new Job<unknown>(fnId, source, args, this.#onCancel, many);
    if (many) {
      let transfer: TransferListItem[] | null = null;
      for (const each of args as unknown[][]) transfer = takeMoves(each, transfer);
      job._transfer = transfer;
    } else job._transfer = takeMoves(args, null);
    if (observing) emitJobSubmitted(job);
    this.#queue.push(job);
    this.#queued++;
    this.#dispatch();
    return job;
  }

  /**
   * A busy worker keeps the process alive, like a pending timer. After `shutdown({ wait:
   * false })` only while someone awaits its job: a job nobody waits for must not hold the exit.
   */
  #hold(thread: Thread, job: Job<unknown>): void {
    if (!this.#detached || job._isObserved()) {
      setHeld(thread, true);
      return;
    }
    setHeld(thread, false);
    job._onObserved = () => {
      if (thread.job === job) setHeld(thread, true);
    };
  }

  /** Workers that count against maxWorkers (not the ones being stopped). */
  #live(): number {
    return this.#threads.size - this.#stopping;
  }

  /** Hands queued jobs to idle workers, starting workers while below maxWorkers. */
  #dispatch(): void {
    while (this.#queued > 0) {
      const thread = this.#idle.pop() ?? (this.#live() < this.#maxWorkers ? this.#spawn() : undefined);
      if (thread === undefined) return;
      if (thread.idleTimer !== undefined) {
        clearTimeout(thread.idleTimer);
        thread.idleTimer = undefined;
      }
      if (!this.#runNext(thread)) this.#release(thread);
    }
  }

  /** Gives `thread` the next queued job; false if none is left. */
  #runNext(thread: Thread): boolean {
    for (let job = this.#dequeue(); job !== undefined; job = this.#dequeue()) {
      const known = thread.known.has(job._fnId);
      const message: JobMessage = [job._fnId, known ? null : job._source, job._args!, job._many];
      try {
        if (job._transfer === null) thread.worker.postMessage(message);
        else thread.worker.postMessage(message, job._transfer);
      } catch (error) {
        this.#failed++;
        job._settle(false, argumentCloneError(error, this.#what())); // nothing was sent: the worker is still free
        continue;
      }
      if (!known) thread.known.add(job._fnId);
      thread.job = job;
      thread.startedAt = performance.now();
      if (this.#terminateRunning) job._stop = () => this.#stop(thread);
      this.#hold(thread, job);
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
    setHeld(thread, false);
    this.#idle.push(thread);
    if (this.#idleTimeoutMs !== Infinity) {
      thread.idleTimer = setTimeout(() => this.#expire(thread), Math.min(this.#idleTimeoutMs, 2 ** 31 - 1));
      thread.idleTimer.unref();
    }
  }

  /** idleTimeoutMs passed with `thread` idle: end it, unless the pool would drop below minWorkers. */
  #expire(thread: Thread): void {
    thread.idleTimer = undefined;
    const at = this.#idle.indexOf(thread);
    if (at === -1 || this.#live() <= this.#minWorkers) return;
    this.#idle.splice(at, 1);
    this.#terminate(thread);
  }

  /** Stops the job `thread` runs (it was cancelled): the worker goes, and a new one may start. */
  #stop(thread: Thread): void {
    if (thread.job === null) return;
    thread.job = null;
    this.#busyMs += performance.now() - thread.startedAt;
    this.#cancelled++;
    this.#terminate(thread);
    this.#dispatch(); // a fresh worker for the next job, without waiting for this one to exit
  }

  /** Ends a worker; the process waits for its exit (quick), which settles `shutdown()`. */
  #terminate(thread: Thread): void {
    if (thread.stopping) return;
    thread.stopping = true;
    this.#stopping++;
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    setHeld(thread, true);
    void thread.worker.terminate();
  }

  #spawn(): Thread {
    const worker = this._startWorker(this.#resourceLimits);
    const thread: Thread = { worker, job: null, startedAt: 0, known: new Set(), crash: undefined, stopping: false, idleTimer: undefined, held: true };
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
    this.#busyMs += performance.now() - thread.startedAt;
    // Give the worker its next job before settling this one: it starts while the loop wakes.
    if (!this.#runNext(thread)) this.#release(thread);
    if (status === OK) this.#completed++;
    else this.#failed++;
    job._settle(status === OK, status === OK ? value : explainNotDefined(reviveError(value as Serialized)));
    this.#checkDrained();
  }

  #onExit(thread: Thread, code: number): void {
    this.#threads.delete(thread);
    if (thread.stopping) this.#stopping--;
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    const idle = this.#idle.indexOf(thread);
    if (idle !== -1) this.#idle.splice(idle, 1);
    const job = thread.job;
    thread.job = null;
    if (job !== null) {
      this.#busyMs += performance.now() - thread.startedAt;
      this.#failed++;
      const crash = thread.crash;
      job._settle(
        false,
        this.#resourceLimits !== undefined && this._outOfMemory(crash, code)
          ? new ResourceLimitError(code, this.#resourceLimits, crash, this.#what())
          : new WorkerCrashError(code, crash, this.#what()),
      );
    } else if (thread.crash !== undefined && !thread.stopping) {
      // Something a finished job left behind (a timer, a promise) threw later: nobody awaits it.
      process.emitWarning(`an idle ${this.#what()} of a ${this.#kind} crashed: ${String(thread.crash)}`, 'WorkerCrashWarning');
    }
    this.#dispatch(); // start a replacement if jobs are waiting
    this.#checkDrained();
  }

  /** 'worker thread' or 'worker process', for messages. */
  #what(): string {
    return this.#kind === 'ProcessPoolExecutor' ? 'worker process' : 'worker thread';
  }

  #checkDrained(): void {
    if (this.#drained !== null && this.#queued === 0 && this.#threads.size === 0) this.#drained.resolve();
  }
}

/** ref() or unref() the worker of `thread`, if not already so. */
function setHeld(thread: Thread, held: boolean): void {
  if (thread.held === held) return;
  thread.held = held;
  if (held) thread.worker.ref();
  else thread.worker.unref();
}

/** `new ThreadPoolExecutor(4)` or `shutdown(false)`, as Python would pass them, would be silently ignored. */
function checkOptions(method: string, options: unknown, example: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${method}() expects an options object such as ${example}, got ${describe(options)}`);
  }
}

/**
 * The one template of option errors: `<Class>: <option> must be <what>, got <value>`
 * (a TypeError describing the value when its type is wrong, a RangeError showing it otherwise).
 */
function checkCount(kind: string, option: string, value: unknown, min: number, infinite: boolean): number {
  const what = `${min === 0 ? 'an integer >= 0' : 'a positive integer'}${infinite ? ' or Infinity' : ''}`;
  if (typeof value !== 'number') throw new TypeError(`new ${kind}() expects ${option} to be ${what}, got ${describe(value)}`);
  if (!(value >= min) || (!Number.isInteger(value) && !(infinite && value === Infinity))) {
    throw new RangeError(`new ${kind}() expects ${option} to be ${what}, got ${value}`);
  }
  return value;
}

const LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

function checkLimits(kind: string, limits: unknown): ResourceLimits | undefined {
  if (limits === undefined) return undefined;
  if (typeof limits !== 'object' || limits === null) {
    throw new TypeError(`new ${kind}() expects resourceLimits to be an object such as { maxOldGenerationSizeMb: 256 }, got ${describe(limits)}`);
  }
  const out: ResourceLimits = {};
  for (const [key, value] of Object.entries(limits)) {
    if (!(LIMITS as readonly string[]).includes(key)) {
      throw new TypeError(`${kind}: resourceLimits.${key} is not a limit; the limits are ${LIMITS.join(', ')}`);
    }
    if (value === undefined) continue;
    const what = 'a number of megabytes > 0';
    if (typeof value !== 'number') throw new TypeError(`new ${kind}() expects resourceLimits.${key} to be ${what}, got ${describe(value)}`);
    if (!(value > 0) || value === Infinity) throw new RangeError(`new ${kind}() expects resourceLimits.${key} to be ${what}, got ${value}`);
    out[key as (typeof LIMITS)[number]] = value;
  }
  return out;
}

/** What a worker runs for `fn`: a module export (`moduleTask`) or a self-contained function's source. */
function jobSourceOf(method: string, fn: unknown): JobSource {
  return moduleRefOf(fn) ?? jobSource(method, fn);
}
