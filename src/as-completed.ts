import { TimeoutError } from './errors.js';
import { Future, type Awaitable, type Coro } from './futures.js';
import { type TaskTarget } from './tasks.js';
import { describe, isIterator, isThenable } from './values.js';
import { ensureFuture } from './ensure-future.js';
import { InlineAwaitable } from './body-runner.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import type { TimerHandle } from './loop/handles.js';
import { checkMs } from './validate.js';

/**
 * A Future given by `for await (… of asCompleted(…))`: at runtime the Future itself (the one
 * passed in, or the Task made for a coroutine), done. Typed without `then` because TypeScript
 * assumes `for await` awaits the values it gives (it does for async generators), and would
 * type a Future as its result: here it does not. Use `f.result()`, `f.exception()`, `yield* f`.
 *
 * If the program also iterates an `asCompleted()` of the same result type synchronously
 * (`for (const next of …)`, checked first), TypeScript 5.9 types `for await` from those cached
 * sync iteration types, awaited, and the variable becomes the result `T` (its checker consults
 * cached sync iteration types before it computes async ones). It cannot be fixed in the
 * declaration: a thenable given by `for await` is typed as awaited whenever TypeScript reads
 * cached types, which is also why a `CompletedFuture` is not typed as the `Task` passed in.
 * Annotate instead: `const ac: AsyncIterable<CompletedFuture<T>> = asCompleted(…)`, and
 * compare with the tasks through the wider type: `(tasks as readonly CompletedFuture<T>[]).includes(f)`.
 */
export type CompletedFuture<T> = Omit<Future<T>, 'then'>;

/** Options of `asCompleted(aws, options)`. */
export interface AsCompletedOptions {
  /** After this many milliseconds, the awaitables still waiting throw `TimeoutError`. Default: none. */
  timeout?: number | null;
}

/**
 * What `asCompleted()` returns. Iterate it (sync) for awaitables giving the results in
 * completion order, or with `for await` for the Futures themselves (the ones given, or the
 * Tasks made for coroutines) as each completes. Leaving a loop early (`break`) does not close
 * it: iterating again continues where it left off.
 *
 * @example
 * import { run, sleep, asCompleted } from 'aio-ts';
 *
 * await run(function* () {
 *   const ac = asCompleted([sleep(30, 'c'), sleep(10, 'a'), sleep(20, 'b')]);
 *   for (const next of ac) {
 *     console.log(yield* next); // 'a'
 *     break;
 *   }
 *   for (const next of ac) console.log(yield* next); // 'b', 'c'
 * });
 */
export class AsCompleted<T> implements Iterable<InlineAwaitable<T>>, AsyncIterable<CompletedFuture<T>> {
  readonly #loop: AbstractEventLoop;
  readonly #todo = new Set<Future<T>>();
  #left: number;
  #handle: TimerHandle | null = null;
  /** Completed futures not taken yet, FIFO (`null`: the timeout passed). */
  #done: (Future<T> | null)[] = [];
  #doneHead = 0;
  /** Waiting takers, FIFO. */
  #takers: Future<void>[] = [];
  #takersHead = 0;

  /** @internal Use `asCompleted()`. */
  constructor(aws: Iterable<Awaitable<T> | TaskTarget<T>>, timeout: number | null) {
    const loop = (this.#loop = requireRunningLoop());
    for (const aw of new Set(aws)) this.#todo.add(ensureFuture(aw, loop));
    for (const f of this.#todo) f.addDoneCallback(this.#onCompletion);
    if (this.#todo.size > 0 && timeout !== null) this.#handle = loop.callLater(timeout, this.#onTimeout);
    this.#left = this.#todo.size;
  }

  /** Awaitables (`yield*` or `await`) each giving the next result to complete, or throwing its error. */
  [Symbol.iterator](): Iterator<InlineAwaitable<T>> {
    return {
      next: (): IteratorResult<InlineAwaitable<T>> => {
        if (this.#left === 0) return { done: true, value: undefined };
        this.#left--;
        return { done: false, value: new InlineAwaitable<T>(() => this.#waitForOne()) };
      },
    };
  }

  /** The Futures themselves, as each completes (`for await`; from a generator: `forAwait`/`aiter`). */
  [Symbol.asyncIterator](): AsyncIterator<CompletedFuture<T>> {
    return {
      next: async (): Promise<IteratorResult<CompletedFuture<T>>> => {
        if (this.#left === 0) return { done: true, value: undefined };
        this.#left--;
        // Boxed: a Future is thenable, so a promise resolved with it would give its result.
        const box = await new InlineAwaitable(() => this.#take());
        if (box.future === null) throw timeoutError();
        return { done: false, value: box.future };
      },
    };
  }

  *#waitForOne(): Coro<T> {
    const { future } = yield* this.#take();
    if (future === null) throw timeoutError();
    return future.result();
  }

  /** Takes the next completed future (FIFO, like asyncio's Queue.get()). */
  *#take(): Coro<{ future: Future<T> | null }> {
    while (this.#doneHead === this.#done.length) {
      const taker = new Future<void>(this.#loop);
      this.#takers.push(taker);
      try {
        yield* taker;
      } catch (error) {
        // Cancelled after being woken: pass the wake-up on (a cancelled taker is skipped when waking).
        if (taker.done() && !taker.cancelled() && this.#doneHead < this.#done.length) this.#wakeTaker();
        throw error;
      }
    }
    const future = this.#done[this.#doneHead]!;
    this.#done[this.#doneHead++] = null;
    if (this.#doneHead === this.#done.length) {
      this.#done = [];
      this.#doneHead = 0;
    }
    return { future };
  }

  #put(item: Future<T> | null): void {
    this.#done.push(item);
    this.#wakeTaker();
  }

  #wakeTaker(): void {
    while (this.#takersHead < this.#takers.length) {
      const taker = this.#takers[this.#takersHead]!;
      this.#takers[this.#takersHead++] = undefined as unknown as Future<void>;
      if (this.#takersHead === this.#takers.length) {
        this.#takers = [];
        this.#takersHead = 0;
      }
      if (!taker.done()) {
        taker.setResult(undefined);
        return;
      }
    }
  }

  readonly #onCompletion = (f: Future<T>): void => {
    if (this.#todo.size === 0) return; // the timeout came first
    this.#todo.delete(f);
    this.#put(f);
    if (this.#todo.size === 0) this.#handle?.cancel();
  };

  readonly #onTimeout = (): void => {
    for (const f of this.#todo) {
      f.removeDoneCallback(this.#onCompletion);
      this.#put(null);
    }
    this.#todo.clear();
  };
}

function timeoutError(): TimeoutError {
  return new TimeoutError('asCompleted() timed out before every awaitable was done');
}

/**
 * Runs awaitables concurrently and gives them back in completion order (asyncio.as_completed).
 * Coroutines and async functions become Tasks at once.
 *
 * - Sync iteration gives awaitables: awaiting the k-th gives the result (or throws the error)
 *   of the k-th awaitable to complete.
 * - Async iteration (`for await`) gives the Futures themselves (the Tasks made for coroutines),
 *   done, as they complete.
 *
 * With `timeout` (ms), the awaitables (or `next()`) still waiting when it passes throw
 * `TimeoutError`; nothing is cancelled.
 *
 * @example
 * import { run, sleep, createTask, asCompleted, type CompletedFuture } from 'aio-ts';
 *
 * // Async functions: the Tasks themselves, done. The annotation keeps TypeScript from
 * // typing them as their results when the program also iterates an asCompleted() of
 * // strings synchronously, as below (see CompletedFuture).
 * await run(async () => {
 *   const tasks = [createTask(sleep(300, 'slow')), createTask(sleep(100, 'fast'))];
 *   const completed: AsyncIterable<CompletedFuture<string>> = asCompleted(tasks, { timeout: 1000 });
 *   for await (const task of completed) {
 *     console.log(task === tasks[1], task.result()); // true 'fast', then false 'slow'
 *   }
 * });
 *
 * // Generator coroutines: awaitables giving the results, in completion order.
 * await run(function* () {
 *   for (const next of asCompleted([sleep(300, 'slow'), sleep(100, 'fast')])) {
 *     console.log(yield* next); // 'fast', then 'slow'
 *   }
 * });
 */
export function asCompleted<T>(aws: Iterable<Awaitable<T> | TaskTarget<T>>, options: AsCompletedOptions = {}): AsCompleted<T> {
  if (isIterator(aws)) {
    throw new TypeError('asCompleted() got a coroutine or generator object: pass an array (or Set) of awaitables, e.g. asCompleted([work()])');
  }
  if (
    aws instanceof Future ||
    isThenable(aws) ||
    typeof (aws as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`asCompleted() expects an iterable (e.g. an array) of awaitables, got ${describe(aws)}`);
  }
  const timeout = options?.timeout ?? null;
  checkMs('asCompleted', 'timeout', timeout, { nullable: true });
  return new AsCompleted<T>(aws, timeout);
}
