import { Future, type Awaitable, type Coro } from './futures.js';
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
 * cancelled. Also accepts an `AsyncDisposable` (the value is the resource itself).
 * Async functions use `await using` instead.
 *
 * @example
 * yield* asyncWith(new Connection(), function* (conn) {
 *   yield* conn.send('hello');
 * });
 */
export function* asyncWith<T, R>(
  cm: AsyncContextManager<T> | AsyncDisposable,
  body: (value: T) => Coro<R>,
): Coro<R> {
  const manager = asManager<T>(cm);
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

function asManager<T>(cm: AsyncContextManager<T> | AsyncDisposable): AsyncContextManager<T> {
  const candidate = cm as Partial<AsyncContextManager<T>> & Partial<AsyncDisposable>;
  if (typeof candidate.enter === 'function' && typeof candidate.exit === 'function') return cm as AsyncContextManager<T>;
  if (typeof candidate[Symbol.asyncDispose] === 'function') {
    return { enter: () => cm as T, exit: () => (cm as AsyncDisposable)[Symbol.asyncDispose]() };
  }
  throw new TypeError('asyncWith() expects an object with enter() and exit(), or with [Symbol.asyncDispose]()');
}

/** Awaits any awaitable (or plain value) from a coroutine. */
export function* settle<T>(value: Awaitable<T> | T): Coro<T> {
  // Anything else (plain values, arrays, functions a manager hands out) is the result as is.
  if (value instanceof Future || isIterator(value) || isThenable(value)) return yield* awaitInline<T>(value, TASK_MODE);
  return value as T;
}
