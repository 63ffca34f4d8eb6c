import { Future, type Coro, type Waiter } from './futures.js';
import { describe, isIterator, isThenable } from './values.js';
import { InlineAwaitable } from './body-runner.js';
import { requireRunningLoop } from './loop/running.js';
import type { TimerHandle } from './loop/handles.js';
import { checkMs } from './validate.js';

/** `wait()` returns when any awaited future is done (or cancelled). */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/** `wait()` returns when any awaited future fails with an exception, or when all are done. */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/** `wait()` returns when all awaited futures are done (the default). */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When `wait()` returns: `FIRST_COMPLETED`, `FIRST_EXCEPTION` or `ALL_COMPLETED`. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of `wait(aws, options)`. */
export interface WaitOptions {
  /** Return after this many milliseconds even if the condition is not met. Default: no timeout. */
  timeout?: number | null;
  /** When to return: `FIRST_COMPLETED`, `FIRST_EXCEPTION` or `ALL_COMPLETED` (the default). */
  returnWhen?: ReturnWhen;
}

/**
 * Waits for Futures and Tasks (asyncio.wait) and returns `[done, pending]`, two Sets of the
 * futures given. Never throws `TimeoutError` (futures not done by the timeout are in
 * `pending`) and never cancels anything. Coroutines and Promises are refused: wrap them with
 * `createTask()` / `ensureFuture()` first, so that you hold the futures the sets contain.
 *
 * @example
 * import { run, sleep, createTask, wait, FIRST_COMPLETED } from 'aio-ts';
 *
 * await run(function* () {
 *   const tasks = [createTask(sleep(100, 'a')), createTask(sleep(5000, 'b'))];
 *   const [done, pending] = yield* wait(tasks, { returnWhen: FIRST_COMPLETED });
 *   console.log([...done].map((t) => t.result())); // ['a']
 *   for (const task of pending) task.cancel();
 * });
 *
 * // In an async function:
 * await run(async () => {
 *   const tasks = [createTask(sleep(100)), createTask(sleep(5000))];
 *   const [finished, unfinished] = await wait(tasks, { timeout: 1000 });
 *   console.log(finished.size, unfinished.size); // 1 1: nothing was cancelled
 *   for (const task of unfinished) task.cancel();
 * });
 */
export function wait<F extends Future<any>>(aws: Iterable<F>, options: WaitOptions = {}): InlineAwaitable<[Set<F>, Set<F>]> {
  return new InlineAwaitable(() => runWait(aws, options));
}

function* runWait<F extends Future<any>>(aws: Iterable<F>, options: WaitOptions): Coro<[Set<F>, Set<F>]> {
  const { timeout = null, returnWhen = ALL_COMPLETED } = options ?? {};
  const futures = checkFutures(aws);
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new RangeError(`Invalid returnWhen value: ${String(returnWhen)} (use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED)`);
  }
  checkMs('wait', 'timeout', timeout, { nullable: true });
  const loop = requireRunningLoop();
  const waiter = new Future<void>(loop);
  let handle: TimerHandle | null = null;
  if (timeout !== null && timeout !== undefined) handle = loop.callLater(timeout, release, waiter);
  let counter = futures.size;
  const onCompletion = new CompletionWaiter(waiter, futures.size, returnWhen, handle);
  for (const f of futures) f._addCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    handle?.cancel();
    for (const f of futures) f._removeCallback(onCompletion, Infinity);
  }
  const done = new Set<F>();
  const pending = new Set<F>();
  for (const f of futures) (f.done() ? done : pending).add(f);
  return [done, pending];
}

/** Releases `wait()`'s waiter when its condition is met; a Waiter, so the call graph sees who waits. */
class CompletionWaiter implements Waiter {
  constructor(
    readonly waiter: Future<void>,
    public counter: number,
    readonly returnWhen: ReturnWhen,
    readonly handle: TimerHandle | null,
  ) {}

  /** `wait()`'s waiter future awaits each future (the call graph's back-link). */
  _awaiter(): Future<void> {
    return this.waiter;
  }

  _wakeup(f: Future<unknown>): void {
    this.counter--;
    const returnWhen = this.returnWhen;
    if (
      this.counter <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== null)
    ) {
      this.handle?.cancel();
      release(this.waiter);
    }
  }
}

function release(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

function checkFutures<F extends Future<any>>(aws: Iterable<F>): Set<F> {
  if (isIterator(aws)) {
    throw new TypeError('wait() got a coroutine or generator object: pass an array (or Set) of Futures or Tasks, e.g. wait([createTask(work())])');
  }
  if (aws instanceof Future || typeof (aws as Partial<Iterable<F>>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`wait() expects an iterable (e.g. an array) of Futures or Tasks, got ${describe(aws)}`);
  }
  const futures = new Set<F>(aws);
  if (futures.size === 0) throw new RangeError('wait() got an empty collection: pass at least one Future or Task');
  for (const f of futures) {
    if (f instanceof Future) continue;
    if (isIterator(f) || typeof f === 'function') {
      throw new TypeError('wait() does not take coroutines: pass Tasks, e.g. wait([createTask(work())]), so you hold what it returns');
    }
    if (isThenable(f)) throw new TypeError('wait() does not take Promises: pass Futures, e.g. wait([ensureFuture(promise)])');
    throw new TypeError(`wait() expects Futures or Tasks, got ${describe(f)}`);
  }
  return futures;
}
