/**
 * What `EventLoop.runInExecutor`, `setDefaultExecutor` and `shutdownDefaultExecutor` do
 * (asyncio's base_events), kept here so that the loop's own file only delegates.
 */
import { CancelledError } from '../errors.js';
import { Future } from '../futures.js';
import { describe, isThenable } from '../values.js';
import type { AbstractEventLoop } from '../loop/events.js';
import { checkExecutor, type Executor, type ExecutorJob } from './executor.js';
import { Job } from './job.js';
import { isGeneratorFunction } from './job-source.js';
import { ThreadPoolExecutor } from './thread-pool.js';
import { checkMs } from '../validate.js';

/** A loop's default executor, and whether `shutdownDefaultExecutor()` was called. */
interface DefaultExecutor {
  executor: Executor | null;
  shutdownCalled: boolean;
}

/** Per loop, created on first use: most loops never touch an executor. */
const defaults = new WeakMap<AbstractEventLoop, DefaultExecutor>();

function stateOf(loop: AbstractEventLoop): DefaultExecutor {
  let state = defaults.get(loop);
  if (state === undefined) defaults.set(loop, (state = { executor: null, shutdownCalled: false }));
  return state;
}

/**
 * The Future of a job in an executor: cancelling it cancels the job: a queued job never runs;
 * a running one is stopped if its executor can (a ThreadPoolExecutor with `cancelRunning:
 * 'terminate'`, the default), else its result is discarded.
 */
class ExecutorFuture<T> extends Future<T> {
  #job: ExecutorJob<T> | null = null;

  /** @internal */
  _bind(job: ExecutorJob<T>): void {
    this.#job = job;
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    const job = this.#job;
    this.#job = null;
    job?.cancel(); // synchronous: a job still queued can no longer start
    return true;
  }
}

/** `loop.runInExecutor(executor, fn, ...args)`. */
export function runInExecutor<A extends unknown[], R>(
  loop: AbstractEventLoop,
  executor: Executor | null,
  fn: (...args: A) => R,
  args: A,
): Future<Awaited<R>> {
  loop._checkClosed();
  if (typeof executor === 'function') {
    // The usual slip: runInExecutor(fn, ...args).
    throw new TypeError(
      `runInExecutor() expects an executor as its first argument, got ${describe(executor)}: pass null to use the ` +
        "loop's default executor: runInExecutor(null, fn, ...args)",
    );
  }
  checkFunction(fn);
  let target: Executor;
  if (executor === null || executor === undefined) {
    const state = stateOf(loop);
    if (state.shutdownCalled) throw new Error('Executor shutdown has been called');
    target = state.executor ??= new ThreadPoolExecutor();
  } else {
    checkExecutor('runInExecutor', executor);
    target = executor;
  }
  const job = target.submit(fn, ...args);
  if (!isThenable(job) || typeof (job as Partial<ExecutorJob<unknown>>).cancel !== 'function') {
    throw new TypeError(`runInExecutor(): the executor's submit() must return a thenable job with cancel(), got ${describe(job)}`);
  }
  return track(loop, job);
}

/** asyncio's run_in_executor() refuses coroutines (in debug mode); here they are always refused. */
function checkFunction(fn: unknown): void {
  if (typeof fn !== 'function') {
    throw new TypeError(`runInExecutor() expects a function to run in the executor, got ${describe(fn)}`);
  }
  if (isGeneratorFunction(fn)) {
    throw new TypeError(
      `runInExecutor() cannot run a generator function (${describe(fn)}): it is an aio coroutine, and calling it only ` +
        'makes a generator. Pass a plain or async function; run a coroutine with createTask()',
    );
  }
}

/**
 * A Future of `job`, settled when it settles. Until then the job is foreign work of the
 * loop: a virtual clock does not jump past it, and the loop wakes when it ends. The count
 * lasts until the job really ends, even if the Future was cancelled: its worker is still busy.
 */
function track<T>(loop: AbstractEventLoop, job: ExecutorJob<T>): Future<T> {
  const future = new ExecutorFuture<T>(loop);
  future._bind(job);
  loop._foreignStarted();
  const settled = (ok: boolean, value: unknown): void => {
    loop._foreignSettled();
    if (future.done() || loop.isClosed()) return; // cancelled: the result is discarded
    if (ok) future._resolve(value);
    else if (value instanceof CancelledError) future.cancel(); // the job was withdrawn by its executor
    else future._reject(value);
  };
  if (job instanceof Job) job._onSettled(settled);
  else job.then((value) => settled(true, value), (error: unknown) => settled(false, error));
  return future;
}

/** `loop.setDefaultExecutor(executor)`. */
export function setDefaultExecutor(loop: AbstractEventLoop, executor: Executor): void {
  checkExecutor('setDefaultExecutor', executor);
  stateOf(loop).executor = executor;
}

/** True if the loop has a default executor (created by `runInExecutor(null, …)` or set). */
export function hasDefaultExecutor(loop: AbstractEventLoop): boolean {
  return defaults.get(loop)?.executor != null;
}

/**
 * `loop.shutdownDefaultExecutor(timeoutMs)`: shuts the default executor down and waits for
 * its running jobs; after `timeoutMs` (if not null) warns and stops waiting. From then on
 * `runInExecutor(null, …)` throws. Idempotent.
 */
export async function shutdownDefaultExecutor(loop: AbstractEventLoop, timeoutMs: number | null = null): Promise<void> {
  checkMs('shutdownDefaultExecutor', 'timeoutMs', timeoutMs, { nullable: true, nonNegative: true });
  const state = stateOf(loop);
  state.shutdownCalled = true;
  const executor = state.executor;
  if (executor === null) return;
  const joined = executor.shutdown({ wait: true });
  if (timeoutMs === null || timeoutMs === undefined || timeoutMs === Infinity) return joined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A real timer, not the loop's: the workers run in real time, even under a virtual clock.
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, Math.min(timeoutMs, 2 ** 31 - 1), true);
    timer.unref(); // busy workers keep the process alive; this timer need not
  });
  const timedOut = await Promise.race([joined.then(() => false), expired]);
  clearTimeout(timer);
  if (timedOut) {
    process.emitWarning(`The executor did not finish joining its workers within ${timeoutMs} ms.`, 'RuntimeWarning');
    void executor.shutdown({ wait: false });
  }
}

/**
 * `loop.close()`: a default executor nobody shut down stops taking jobs, without waiting
 * (asyncio's close()). After `shutdownDefaultExecutor()` there is nothing left to do.
 */
export function closeDefaultExecutor(loop: AbstractEventLoop): void {
  const state = defaults.get(loop);
  if (state === undefined) return;
  const executor = state.executor;
  state.executor = null;
  if (executor !== null && !state.shutdownCalled) void executor.shutdown({ wait: false });
}
