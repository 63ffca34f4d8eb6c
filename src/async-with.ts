import { Future, type Awaitable, type Coro, type Yieldable } from './futures.js';
import { awaitInline, TASK_MODE } from './body-runner.js';
import { describe, isIterator, isThenable } from './values.js';

/** asyncio's `__aenter__`/`__aexit__` pair: async setup and async cleanup around a body. */
export interface AsyncContextManager<T> {
  /** Sets the resource up; its value (or the awaited value) is what the body receives. */
  enter(): Awaitable<T> | T;
  /** Called with the body's error (undefined on success); return true to swallow the error. */
  exit(error: unknown): Awaitable<boolean | void> | boolean | void;
}

/**
 * `async with` for generator coroutines: awaits `cm.enter()`, runs `body(value)`, and
 * always awaits `cm.exit(error)` afterwards, even when the body fails or the task is
 * cancelled. Also accepts an `AsyncDisposable` (the value is the resource itself): its
 * `[Symbol.asyncDispose]` is called with the body's error as argument when the body failed
 * (with none after a success), so a handler that takes a parameter learns the error, which
 * `await using` cannot tell it; it cannot swallow the error (only `exit()` returning true does).
 * Async functions use `await using` instead.
 *
 * @example
 * yield* asyncWith(new Connection(), function* (conn) {
 *   yield* conn.send('hello');
 * });
 */
export function* asyncWith<M extends AsyncContextManager<unknown> | AsyncDisposable, R>(
  cm: M,
  body: (value: EnteredValue<M>) => Coro<R>,
): Coro<R> {
  type T = EnteredValue<M>;
  const manager = asManager<T>(cm as AsyncContextManager<T> | AsyncDisposable, 'asyncWith');
  const value = yield* settle(manager.enter());
  let result: R;
  try {
    const coro = body(value);
    if (!isIterator(coro)) {
      throw new TypeError(
        `asyncWith() expects the body to be a generator function (function*), but it returned ${describe(coro)}` +
          (isThenable(coro) ? ' (in an async function, use await using instead)' : ''),
      );
    }
    result = yield* coro;
  } catch (error) {
    const swallow = yield* settle(manager.exit(error));
    if (swallow === true) return undefined as R;
    throw error;
  }
  yield* settle(manager.exit(undefined));
  return result;
}

/**
 * The value `enter()` gives once awaited, as `settle()` awaits it (a Future, a coroutine or an
 * operation, a Promise; anything else, strings and arrays included, as is); for an
 * `AsyncDisposable` without `enter()`, the object itself.
 */
export type EnteredValue<M> = M extends { enter(): infer E } ? Settled<E> : M;

/** What `settle(value)` gives. */
export type Settled<E> = E extends Future<infer T>
  ? T
  : E extends { next(...args: any[]): IteratorResult<unknown, infer T>; throw(...args: any[]): unknown }
    ? T
    : E extends PromiseLike<infer T>
      ? T
      : E extends Yieldable<infer T>
        ? T
        : E;

/** @internal `cm` as an enter/exit pair (an `AsyncDisposable` enters as itself); `call` names the caller in errors. */
export function asManager<T>(cm: AsyncContextManager<T> | AsyncDisposable, call: string): AsyncContextManager<T> {
  const candidate = cm as Partial<AsyncContextManager<T>> & Partial<AsyncDisposable>;
  if (typeof candidate?.enter === 'function' && typeof candidate.exit === 'function') return cm as AsyncContextManager<T>;
  if (typeof candidate?.[Symbol.asyncDispose] === 'function') {
    const dispose = candidate[Symbol.asyncDispose] as (error?: unknown) => PromiseLike<void>;
    // The error as argument, where the language cannot pass it (`await using`) it is absent.
    return { enter: () => cm as T, exit: (error) => (error === undefined ? dispose.call(cm) : dispose.call(cm, error)) };
  }
  throw new TypeError(
    `${call}() expects an async context manager (an object with enter() and exit()) or an AsyncDisposable ` +
      `(with [Symbol.asyncDispose]()), got ${describe(cm)}`,
  );
}

/** Awaits any awaitable (or plain value) from a coroutine. */
export function* settle<T>(value: Awaitable<T> | T): Coro<T> {
  // Anything else (plain values, arrays, functions a manager hands out) is the result as is.
  if (value instanceof Future || isIterator(value) || isThenable(value)) return yield* awaitInline<T>(value, TASK_MODE);
  return value as T;
}
