/**
 * Running code "in the calling task", like `async with` / `await` in asyncio, whichever the
 * caller's style:
 *
 * - `InlineAwaitable`: what `timeout()`, `taskGroup()`, `waitFor()`, `wait()` … return. Lazy
 *   like a coroutine; `yield*`-able (the calling generator task steps it), an iterator (so
 *   `createTask()`/`gather()` take it like a coroutine) and thenable (`await` drives it inline in
 *   the calling async-function task, with no Task of its own).
 * - `runBody()`: runs a body (a generator function or an async function) inside such a
 *   coroutine, in the task that steps it, so the body's awaits are that task's and
 *   cancelling the task reaches them.
 */
import { Future, type Coro, type Suspend, type Yieldable } from './futures.js';
import { currentTask } from './tasks.js';
import { GeneratorFunction, describe, isIterator, isSteppable, isThenable } from './values.js';
import { callInTask } from './call-in-task.js';
import { Driver, PromiseSuspend, awaitAgain, driveAwaited } from './driver.js';
import { fromPromise } from './ensure-future.js';
import { requireRunningLoop } from './loop/running.js';
import { inStep } from './task-tracking.js';
import { anchorMaps } from './loop/map-anchors.js';
import { markAwaited, trackAwaitable } from './debug-awaited.js';

/** @internal A generator task steps the coroutine (`yield*`). */
export const TASK_MODE = 0;
/** @internal `drive()` steps it from an async function (`await`). */
export const ASYNC_MODE = 1;
/** @internal */
export type Mode = typeof TASK_MODE | typeof ASYNC_MODE;

/** What an InlineAwaitable steps once its coroutine has finished (asyncio: "cannot reuse already awaited coroutine"). */
const SPENT: Coro<never> = {
  next: spent,
  throw: spent,
  return: (value?: unknown) => ({ done: true, value: value as never }),
  [Symbol.iterator]() {
    return this;
  },
} as unknown as Coro<never>;

function spent(): never {
  throw new Error('This awaitable has already been awaited: like a coroutine, it can be awaited only once');
}


/**
 * The awaitable of an operation that runs in the calling task: `yield* op` in a generator
 * coroutine, `await op` in an async function. Like a coroutine it does nothing until
 * awaited, and it can be awaited once (awaiting it again with `await` gives the same
 * outcome; a second `yield*` throws). `createTask(op)`, `gather(op, …)` and `ensureFuture(op)`
 * run it in a new Task.
 *
 * @example
 * import { run, timeout } from 'aio-ts';
 *
 * // Both styles await the same kind of object:
 * const a = await run(function* () {
 *   return yield* timeout(100, function* () { return 1; });
 * });
 * const b = await run(async () => await timeout(100, async () => 2));
 */
export class InlineAwaitable<T> implements Yieldable<T>, Iterator<Suspend, T, unknown>, Promise<T> {
  readonly #start: (mode: Mode) => Coro<T>;
  #coro: Coro<T> | null = null;
  #promise: Promise<T> | Driver | null = null;

  /** @internal `start(mode)` makes the coroutine that does the work; it is called once. */
  constructor(start: (mode: Mode) => Coro<T>) {
    this.#start = start;
    trackAwaitable(this, 'an awaitable (InlineAwaitable)'); // debug mode only
  }

  /** Typed as a plain iterator so that `yield*` gives `T` (not `T | undefined`, from `return()`). */
  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }

  /** Makes it a Promise for TypeScript (`assert.rejects(timeout(…))`, `Promise<T>` parameters). */
  get [Symbol.toStringTag](): string {
    return 'InlineAwaitable';
  }

  /** One step of the operation, as `yield*` drives it (starts it on the first call). */
  next(sent?: unknown): IteratorResult<Suspend, T> {
    return this.#step(this.#coroutine(), false, sent);
  }

  /** Throws `error` into the operation where it waits, as `yield*` does on a cancel. */
  throw(error: unknown): IteratorResult<Suspend, T> {
    return this.#step(this.#coroutine(), true, error);
  }

  /** Ends the operation early, running its `finally` blocks, as `yield*` does when its caller returns. */
  return(value?: T): IteratorResult<Suspend, T> {
    return this.#coroutine().return(value as T);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const awaited = this.#promise;
    if (awaited !== null) return awaitAgain(awaited).then(onfulfilled, onrejected);
    let started: Promise<T> | Driver;
    if (this.#coro !== null) {
      started = Promise.reject(new Error('This awaitable is already being awaited with yield*: await it only once'));
    } else {
      markAwaited(this);
      try {
        started = driveAwaited(this.#start(ASYNC_MODE), onfulfilled, onrejected);
      } catch (error) {
        started = Promise.reject(error);
      }
    }
    this.#promise = started;
    return started instanceof Driver ? (started._promise as Promise<R1 | R2>) : started.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  /** Steps the coroutine; once it has finished, a second `yield*` throws instead of giving `undefined`. */
  #step(coro: Coro<T>, throwIn: boolean, arg: unknown): IteratorResult<Suspend, T> {
    let step: IteratorResult<Suspend, T>;
    try {
      step = throwIn ? coro.throw(arg) : coro.next(arg);
    } catch (error) {
      this.#coro = SPENT as Coro<T>;
      throw error;
    }
    if (step.done === true) this.#coro = SPENT as Coro<T>;
    return step;
  }

  #coroutine(): Coro<T> {
    let coro = this.#coro;
    if (coro === null) {
      if (this.#promise !== null) throw new Error('This awaitable is already being awaited with await: await it only once');
      // Stepped by a generator task, or by drive() (a Promise reaction: no task step running).
      const stepping = inStep();
      markAwaited(this);
      coro = this.#coro = this.#start(stepping ? TASK_MODE : ASYNC_MODE);
    }
    return coro;
  }
}

/**
 * @internal Runs `body(arg)` in the task that steps the calling coroutine: a generator body
 * inline (`yield*`), an async body as code of that task (its awaits are the task's), a
 * plain function's value as is.
 */
export function* runBody<A, T>(body: (arg: A) => unknown, arg: A, mode: Mode): Coro<T> {
  if (mode === ASYNC_MODE) {
    // Stepped by drive() inside the async function's context: call the body directly.
    const out = body(arg);
    if (isSteppable(out)) return yield* iterate(out as Iterator<Suspend, T, unknown>);
    if (isThenable(out)) return (yield new PromiseSuspend(out) as unknown as Suspend) as T;
    return out as T;
  }
  // A generator function runs nothing when called: no need for the task context (whose
  // promise hooks would slow every promise down once installed).
  if (body instanceof GeneratorFunction) return yield* (body(arg) as Coro<T>);
  const task = currentTask();
  if (task === null) throw new Error('a body must run inside a task');
  const out = callInTask<T>(task, () => body(arg));
  return yield* iterate(out instanceof Future ? out[Symbol.iterator]() : out);
}

/**
 * @internal Awaits anything the runtime accepts (Future, coroutine, yieldable, coroutine
 * function, async function, Promise) inline in the calling task.
 */
export function* awaitInline<T>(aw: unknown, mode: Mode): Coro<T> {
  if (aw instanceof Future) return (yield* aw) as T;
  if (typeof aw === 'function') return yield* runBody<undefined, T>(aw as () => unknown, undefined, mode);
  if (isIterator(aw)) return yield* iterate(aw as Iterator<Suspend, T, unknown>);
  if (typeof aw === 'object' && aw !== null && typeof (aw as Yieldable<T>)[Symbol.iterator] === 'function') {
    return yield* (aw as Yieldable<T>);
  }
  if (isThenable(aw)) return (yield* fromPromise(aw, requireRunningLoop())) as T;
  throw new TypeError(`expected a Future, coroutine, async function or Promise, got ${describe(aw)}`);
}

function iterate<T>(iterator: Iterator<Suspend, T, unknown>): Yieldable<T> {
  return typeof (iterator as Partial<Yieldable<T>>)[Symbol.iterator] === 'function'
    ? (iterator as unknown as Yieldable<T>)
    : { [Symbol.iterator]: () => iterator };
}

anchorMaps(() => new InlineAwaitable(idle));
function* idle(): Coro<void> {}
