import { Future, type Coro } from './futures.js';
import { fromPromise } from './ensure-future.js';
import { gather } from './gather.js';
import { callInTask } from './call-in-task.js';
import { currentTask } from './tasks.js';
import { describe } from './values.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import { NEXT_OPERATION, type OperationIterable } from './operation.js';

/** Async iterators that `aiter`/`forAwait` started and that have not finished, per loop. */
const open = new WeakMap<AbstractEventLoop, Set<AsyncIterator<unknown>>>();

/**
 * An async iterator driven from generator coroutines: `yield* it.next()`.
 * Each `next()` runs inside the calling task's async context, so a cancellation of the
 * task reaches the `await`s inside an async generator. Iterators left unfinished are
 * closed by `run()` at shutdown (asyncio's `shutdown_asyncgens`).
 */
export class AsyncIteration<T> {
  readonly #iterator: AsyncIterator<T>;
  readonly #loop: AbstractEventLoop;
  #finished = false;

  /**
   * Usually made with `aiter(iterable)`. Throws TypeError if `iterable` is neither an async
   * iterable nor an async iterator.
   *
   * @param iterable An async iterable (an async generator, a stream, …) or an async iterator.
   * @param loop The loop whose `run()` closes the iterator if it is left unfinished. Default: the running loop.
   */
  constructor(iterable: AsyncIterable<T> | AsyncIterator<T>, loop: AbstractEventLoop = requireRunningLoop()) {
    const source = iterable as Partial<AsyncIterable<T>>;
    if (typeof source[Symbol.asyncIterator] === 'function') this.#iterator = source[Symbol.asyncIterator]!();
    else if (typeof (iterable as AsyncIterator<T>).next === 'function') this.#iterator = iterable as AsyncIterator<T>;
    else throw new TypeError(`aiter() expects an async iterable or async iterator, got ${describe(iterable)}`);
    this.#loop = loop;
    let set = open.get(loop);
    if (set === undefined) open.set(loop, (set = new Set()));
    set.add(this.#iterator);
  }

  /** A Future of the next `IteratorResult`. */
  next(): Future<IteratorResult<T>> {
    return this.#call(() => this.#iterator.next());
  }

  /** Closes the iterator (runs an async generator's `finally` blocks). */
  return(): Future<IteratorResult<T>> {
    if (this.#finished || typeof this.#iterator.return !== 'function') {
      this.#finish();
      const done = new Future<IteratorResult<T>>(this.#loop);
      done.setResult({ done: true, value: undefined });
      return done;
    }
    return this.#call(() => this.#iterator.return!());
  }

  #call(step: () => Promise<IteratorResult<T>>): Future<IteratorResult<T>> {
    const loop = this.#loop;
    const task = currentTask(loop);
    const run = (): Promise<IteratorResult<T>> =>
      step().then((r) => {
        if (r.done) this.#finish();
        return r;
      });
    if (task === null) return fromPromise(run(), loop);
    // Runs as async work of the task, so cancelling the task reaches the step's awaits.
    return callInTask(task, run) as Future<IteratorResult<T>>;
  }

  #finish(): void {
    this.#finished = true;
    open.get(this.#loop)?.delete(this.#iterator);
  }
}

/**
 * Starts iterating an async iterable from a generator coroutine.
 *
 * @example
 * const it = aiter(asyncGenerator());
 * for (let r = yield* it.next(); !r.done; r = yield* it.next()) console.log(r.value);
 */
export function aiter<T>(iterable: AsyncIterable<T> | AsyncIterator<T>): AsyncIteration<T> {
  return new AsyncIteration(iterable);
}

/**
 * Consumes an async iterable from a generator coroutine, calling `body` for each value
 * (`for await` for coroutines). The iterator is closed when the body throws, returns
 * `false`, or the task is cancelled.
 *
 * @example
 * yield* forAwait(asyncGenerator(), function* (value) {
 *   console.log(value);
 * });
 */
export function* forAwait<T>(
  iterable: AsyncIterable<T> | AsyncIterator<T>,
  body: (value: T) => Coro<boolean | void> | boolean | void,
): Coro<void> {
  const nextOperation = (iterable as Partial<OperationIterable<T>>)[NEXT_OPERATION];
  if (typeof nextOperation === 'function') {
    // A runtime async iterable (a Queue): await its steps in this task, as `yield* queue.next()`
    // does, so that a cancellation cannot fall between an item taken and the item delivered.
    for (;;) {
      const step = yield* nextOperation.call(iterable);
      if (step.done) return;
      const outcome = body(step.value);
      const keepGoing = isCoroutine(outcome) ? yield* outcome : outcome;
      if (keepGoing === false) return;
    }
  }
  const it = aiter(iterable);
  let completed = false;
  try {
    for (;;) {
      const step = yield* it.next();
      if (step.done) {
        completed = true;
        return;
      }
      const outcome = body(step.value);
      const keepGoing = isCoroutine(outcome) ? yield* outcome : outcome;
      if (keepGoing === false) return;
    }
  } finally {
    if (!completed) yield* it.return();
  }
}

function isCoroutine(value: unknown): value is Coro<boolean | void> {
  return typeof value === 'object' && value !== null && typeof (value as Coro).next === 'function';
}

/** @internal Whether iterators `aiter` started on `loop` are left unfinished. */
export function hasOpenAsyncIterators(loop: AbstractEventLoop): boolean {
  const set = open.get(loop);
  return set !== undefined && set.size > 0;
}

/** @internal Closes every iterator `aiter` started on `loop` and left unfinished. */
export function* shutdownAsyncIterators(loop: AbstractEventLoop): Coro<void> {
  const set = open.get(loop);
  if (set === undefined || set.size === 0) return;
  const iterators = [...set];
  set.clear();
  const closing = iterators.map((it) =>
    typeof it.return === 'function' ? fromPromise(Promise.resolve(it.return()), loop) : fromPromise(Promise.resolve(), loop),
  );
  const results = yield* gather(...closing, { returnExceptions: true });
  results.forEach((result, i) => {
    if (result instanceof Error) {
      loop.callExceptionHandler({
        message: 'an error occurred during closing of an asynchronous generator',
        exception: result,
        asyncgen: iterators[i],
      });
    }
  });
}
