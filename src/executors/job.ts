import type { TransferListItem } from 'node:worker_threads';
import { CancelledError } from '../errors.js';
import { observing, emitJobStarted, emitJobFinished } from '../debug-events.js';
import type { ExecutorJob } from './executor.js';

const QUEUED = 0;
const RUNNING = 1;
const FULFILLED = 2;
const REJECTED = 3;
const CANCELLED = 4;
type State = typeof QUEUED | typeof RUNNING | typeof FULFILLED | typeof REJECTED | typeof CANCELLED;

/** @internal Called once when a job settles: `ok` with its value, or not with its error. */
export type SettleListener = (ok: boolean, value: unknown) => void;

/** @internal What a job's source is: a function's text, or an export of a module file. */
export type JobSource = string | ModuleRef;

/** @internal An export of a module, loaded by the worker (see `moduleTask`). */
export interface ModuleRef {
  /** The module's URL (file: or data:). */
  readonly module: string;
  /** The export to call. */
  readonly name: string;
  /** URL of tsx's ESM API, registered in the worker first: set for TypeScript files when tsx can be found. */
  readonly tsx: string | null;
}

/**
 * A job of a `ThreadPoolExecutor` or `ProcessPoolExecutor`: queued, then running, then fulfilled, rejected or
 * cancelled (concurrent.futures.Future). It is a thenable: `await job` gives its result.
 * Its promise is made only when someone awaits it, so a failed job nobody awaits is not an
 * unhandled rejection.
 *
 * @example
 * import { ThreadPoolExecutor } from 'aio-ts/executors';
 *
 * const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const job = pool.submit((a: number, b: number) => a ** b, 2, 10);
 * console.log(await job, job.done()); // 1024 true
 * await pool.shutdown();
 */
export class Job<R> implements ExecutorJob<R> {
  #state: State = QUEUED;
  #value: unknown = undefined;
  #listener: SettleListener | null = null;
  #promise: Promise<R> | null = null;
  #resolve: ((value: R) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;
  readonly #onCancel: (job: Job<R>) => void;

  /** @internal What the pool sends to a worker: the id of the function's source, and the arguments. */
  readonly _fnId: number;
  /** @internal */ readonly _source: JobSource;
  /** @internal The arguments; with `_many`, a list of argument lists (a chunk of `map()`). */
  _args: unknown[] | null;
  /** @internal What to transfer with the arguments (marked by `move()`), or null. */
  _transfer: TransferListItem[] | null = null;
  /** @internal True for a chunk of `map()`: the worker calls the function once per argument list. */
  readonly _many: boolean;
  /**
   * @internal Set by the pool while the job runs, if running jobs may be stopped: ends its
   * worker. Null otherwise (`cancelRunning: 'wait'`, or not running).
   */
  _stop: (() => void) | null = null;
  /**
   * @internal Set by the pool: called once when something starts waiting for the result (a
   * promise is made, or a listener added), so that its worker keeps the process alive again.
   */
  _onObserved: (() => void) | null = null;

  /** @internal Made by the executor: `onCancel` runs when a queued job is cancelled. */
  constructor(fnId: number, source: JobSource, args: unknown[], onCancel: (job: Job<R>) => void, many = false) {
    this._fnId = fnId;
    this._source = source;
    this._args = args;
    this._many = many;
    this.#onCancel = onCancel;
  }

  /** True while it runs in a worker. */
  running(): boolean {
    return this.#state === RUNNING;
  }

  /** True once it has a result or an error, or was cancelled. */
  done(): boolean {
    return this.#state >= FULFILLED;
  }

  /** True if it was cancelled (queued, or stopped while it ran). */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /**
   * Cancels the job: awaiting it then rejects with CancelledError. A queued job never runs. A
   * running job is stopped by terminating its worker if the pool's `cancelRunning` is
   * `'terminate'` (the default); with `'wait'` it cannot be stopped and `cancel()` returns false.
   * Returns false once the job is done, true if it is (now) cancelled.
   */
  cancel(): boolean {
    const state = this.#state;
    if (state === CANCELLED) return true;
    if (state === QUEUED) {
      this.#finish(CANCELLED, new CancelledError('the job was cancelled before it started'));
      this.#onCancel(this);
      return true;
    }
    const stop = this._stop;
    if (state !== RUNNING || stop === null) return false;
    this.#finish(CANCELLED, new CancelledError('the job was cancelled while it ran: its worker was stopped'));
    stop();
    return true;
  }

  /** A Promise of the result (made on first use): for APIs that need a real Promise. */
  get promise(): Promise<R> {
    if (this.#promise === null) {
      this.#observed();
      const state = this.#state;
      if (state === FULFILLED) this.#promise = Promise.resolve(this.#value as R);
      else if (state > FULFILLED) this.#promise = Promise.reject(this.#value);
      else {
        this.#promise = new Promise<R>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }

  /** `await job`: its result, or its error (`CancelledError` if cancelled). */
  then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise.then(onfulfilled, onrejected);
  }

  /** @internal Marks a queued job as running; false if it was cancelled meanwhile. */
  _start(): boolean {
    if (this.#state !== QUEUED) return false;
    this.#state = RUNNING;
    if (observing) emitJobStarted(this);
    return true;
  }

  /** @internal Settles a queued or running job (a no-op once done). */
  _settle(ok: boolean, value: unknown): void {
    if (this.#state < FULFILLED) this.#finish(ok ? FULFILLED : REJECTED, value);
  }

  /** @internal Calls `listener` once the job settles (at once if it has): no promise involved. */
  _onSettled(listener: SettleListener): void {
    this.#observed();
    const previous = this.#listener;
    if (this.#state >= FULFILLED) listener(this.#state === FULFILLED, this.#value);
    else if (previous === null) this.#listener = listener;
    else {
      this.#listener = (ok, value) => {
        previous(ok, value);
        listener(ok, value);
      };
    }
  }

  /** @internal True once something waits for the result. */
  _isObserved(): boolean {
    return this.#promise !== null || this.#listener !== null;
  }

  #observed(): void {
    const hook = this._onObserved;
    if (hook === null) return;
    this._onObserved = null;
    hook();
  }

  #finish(state: State, value: unknown): void {
    this.#state = state;
    if (observing) emitJobFinished(this, state === FULFILLED ? 'fulfilled' : state === REJECTED ? 'rejected' : 'cancelled');
    this.#value = value;
    this._stop = this._onObserved = null;
    this._args = this._transfer = null; // the arguments may be large: do not keep them past the job
    if (this.#resolve !== null) {
      if (state === FULFILLED) this.#resolve(value as R);
      else this.#reject!(value);
      this.#resolve = this.#reject = null;
    }
    const listener = this.#listener;
    if (listener !== null) {
      this.#listener = null;
      listener(state === FULFILLED, value);
    }
  }
}
