/**
 * `asyncContextManager()`: asyncio's `@asynccontextmanager` (CPython's contextlib
 * `_AsyncGeneratorContextManager`). A generator sets up, yields its value once and cleans up;
 * the manager it makes is entered and exited by `asyncWith`, `AsyncExitStack`, `await using`
 * (async functions) and `using` (coroutines, for a cleanup that does not wait).
 */
import { FutureAwaiter, type Coro, type Suspend } from '../futures.js';
import { InlineAwaitable, runBody, type Mode } from '../body-runner.js';
import { PromiseSuspend } from '../driver.js';
import { describe, isIterator } from '../values.js';
import { argumentError } from '../validate.js';
import type { AsyncContextManager } from '../async-with.js';

/**
 * What a coroutine-style context generator yields: the runtime's suspensions (from its
 * `yield*`s), and once, with a bare `yield`, its value. `T` is that value's type.
 */
export type ContextCoro<T> = Generator<Suspend | T, void, unknown>;

/** The guard of a context: its `value`, and what exits it when disposed. */
export interface AsyncContextGuard<T> extends AsyncDisposable {
  /** The value the generator yielded. */
  readonly value: T;
  /**
   * Exits the context (resumes the generator after its `yield`, or throws `error` in there when
   * given: `asyncWith` and `AsyncExitStack` pass the block's error); later calls do nothing.
   */
  [Symbol.asyncDispose](error?: unknown): Promise<void>;
}

const NEW = 0;
const ENTERING = 1;
const ENTERED = 2;
const DONE = 3;
type State = typeof NEW | typeof ENTERING | typeof ENTERED | typeof DONE;

/**
 * A context manager made by a function that `asyncContextManager()` wrapped: one use, like
 * asyncio's. Enter it with `asyncWith(cm, body)` or an `AsyncExitStack`, or take a guard
 * with `hold()` for `await using` (async functions) or `using` (coroutines).
 */
export class GeneratorContextManager<T, G extends AsyncContextGuard<T> = ContextGuard<T>> implements AsyncContextManager<T> {
  readonly #gen: Generator<unknown, unknown, unknown> | AsyncGenerator<unknown, unknown, unknown>;
  readonly #async: boolean;
  readonly #name: string;
  #state: State = NEW;

  /** @internal Use a function made by `asyncContextManager()`. */
  constructor(gen: Generator<unknown, unknown, unknown> | AsyncGenerator<unknown, unknown, unknown>, isAsync: boolean, name: string) {
    this.#gen = gen;
    this.#async = isAsync;
    this.#name = name;
  }

  /**
   * Runs the generator up to its `yield` and gives the value it yields (`__aenter__`).
   * `Error("generator didn't yield")` if it returns first.
   */
  enter(): InlineAwaitable<T> {
    return new InlineAwaitable((mode) => this.#enter(mode));
  }

  /**
   * Exits the context (`__aexit__`): with no error (`undefined`), resumes the generator after
   * its `yield`; with an error, throws it in there, at the `yield`. Resolves to `true` if the
   * generator swallowed the error (the caller must then not re-throw it), `false` otherwise;
   * rejects with the error the cleanup threw instead (not with the one passed in).
   * `Error("generator didn't stop")` if the generator yields again.
   */
  exit(error?: unknown): InlineAwaitable<boolean> {
    return new InlineAwaitable((mode) => this.#exit(error !== undefined, error, mode));
  }

  /**
   * Enters the context and gives a guard that exits it when disposed:
   * `await using g = await cm.hold()` in an async function, `using g = yield* cm.hold()` in a
   * coroutine (for a cleanup that does not wait: see `ContextGuard`). The value is `g.value`.
   * `using`/`await using` do not tell a disposal the error that ended the block (JavaScript
   * does not pass it): the generator is resumed as after a success, so its `finally` runs but
   * its `catch` does not, and it cannot swallow the error. Use `asyncWith(cm, …)` or
   * `stack.enterAsyncContext(cm)` for that (a guard given to them learns the error, as
   * `[Symbol.asyncDispose](error)`, but cannot swallow it).
   */
  hold(): InlineAwaitable<G> {
    return new InlineAwaitable((mode) => this.#hold(mode));
  }

  *#hold(mode: Mode): Coro<G> {
    const value = yield* this.#enter(mode);
    return new ContextGuard<T>(value, this) as unknown as G;
  }

  /** Where the generator is, and its name, for debugging: `<GeneratorContextManager connect() entered>`. */
  toString(): string {
    const state = ['not entered', 'entering', 'entered', 'exited'][this.#state];
    return `<GeneratorContextManager ${this.#name}() ${state}>`;
  }

  *#enter(mode: Mode): Coro<T> {
    if (this.#state !== NEW) {
      throw new Error(
        `${this.#name}(): this context manager was already entered (${describe(this)}); ` +
          `a context manager made by asyncContextManager() is used once: call ${this.#name}(…) again for a new one`,
      );
    }
    this.#state = ENTERING;
    let step: IteratorResult<unknown, unknown>;
    try {
      step = yield* this.#step(false, undefined, mode);
    } catch (error) {
      this.#state = DONE;
      throw error;
    }
    if (step.done === true) {
      this.#state = DONE;
      throw new Error(`generator didn't yield: ${this.#name}() returned before yielding its value; it must yield exactly once`);
    }
    this.#state = ENTERED;
    return step.value as T;
  }

  /** @internal Exiting through a guard, which does nothing once exited (and cannot swallow `error`). */
  *_exitFromGuard(error: unknown, mode: Mode): Coro<void> {
    if (this.#state === DONE) return;
    yield* this.#exit(error !== undefined, error, mode);
  }

  *#exit(failed: boolean, error: unknown, mode: Mode): Coro<boolean> {
    this.#checkEntered('exit');
    this.#state = DONE;
    if (!failed) {
      const step = yield* this.#step(false, undefined, mode);
      if (step.done !== true) throw this.#didNotStop(false);
      return false;
    }
    let step: IteratorResult<unknown, unknown>;
    try {
      step = yield* this.#step(true, error, mode);
    } catch (thrown) {
      // The generator let the error through (or re-threw it): not exit's own failure.
      if (thrown === error) return false;
      throw thrown;
    }
    if (step.done !== true) throw this.#didNotStop(true);
    return true; // it caught the error and finished: swallowed
  }

  /** @internal The synchronous exit of a guard's `[Symbol.dispose]` (a coroutine's `using`). */
  _exitSync(): void {
    if (this.#state === DONE) return;
    if (this.#async) {
      throw new TypeError(
        `${this.#name}() is an async generator: its cleanup is asynchronous and a sync "using" cannot wait for it; ` +
          'use "await using" in an async function, or asyncWith()/AsyncExitStack in a coroutine',
      );
    }
    this.#checkEntered('exit');
    this.#state = DONE;
    const gen = this.#gen as Generator<unknown, unknown, unknown>;
    const step = gen.next(undefined);
    if (step.done === true) return;
    if (isSuspension(step.value)) {
      // The cleanup wants to wait: a sync disposal cannot. Close the generator (its remaining
      // `finally` blocks run, as far as they do not wait) and say what to use instead.
      gen.return(undefined);
      throw new Error(
        `${this.#name}(): its cleanup awaited (yield*) during a sync "using" disposal, which cannot wait; ` +
          'enter it with asyncWith() or an AsyncExitStack in a coroutine, or with "await using" in an async function',
      );
    }
    throw this.#didNotStop(false);
  }

  #checkEntered(what: string): void {
    if (this.#state === ENTERED) return;
    const reason = this.#state === DONE ? 'it has already exited' : 'it has not been entered (await enter() first)';
    throw new Error(`${this.#name}(): cannot ${what} the context: ${reason}`);
  }

  #didNotStop(afterThrow: boolean): Error {
    return new Error(
      `generator didn't stop${afterThrow ? ' after throw()' : ''}: ${this.#name}() yielded a second value; ` +
        'a context generator must yield exactly once',
    );
  }

  /**
   * One step of the generator, up to its next value (or its end). A coroutine-style generator
   * is stepped here, its suspensions passed on to the task (or drive()) stepping this
   * coroutine, and what the task sends or throws back passed in; an async generator's step
   * runs as code of the calling task, so cancelling the task reaches its awaits.
   */
  *#step(throwIn: boolean, arg: unknown, mode: Mode): Coro<IteratorResult<unknown, unknown>> {
    if (this.#async) {
      const gen = this.#gen as AsyncGenerator<unknown, unknown, unknown>;
      return yield* runBody<undefined, IteratorResult<unknown, unknown>>(
        () => (throwIn ? gen.throw(arg) : gen.next(arg)),
        undefined,
        mode,
      );
    }
    const gen = this.#gen as Generator<unknown, unknown, unknown>;
    let step = throwIn ? gen.throw(arg) : gen.next(arg);
    while (step.done !== true && isSuspension(step.value)) {
      let sent: unknown;
      try {
        sent = yield step.value as Suspend;
      } catch (error) {
        step = gen.throw(error);
        continue;
      }
      step = gen.next(sent);
    }
    return step;
  }
}

/** What a coroutine hands to the task that steps it (or to drive()): `null` is one bare hop. */
function isSuspension(value: unknown): boolean {
  return value === null || value instanceof FutureAwaiter || value instanceof PromiseSuspend;
}

/**
 * The guard `hold()` gives: `value`, and the context's exit when disposed.
 * `[Symbol.asyncDispose]` (async functions' `await using`) waits for the cleanup;
 * `[Symbol.dispose]` (a coroutine's `using`, only for a coroutine-style generator) runs it
 * synchronously, so the cleanup must not wait: one that does (`yield*` on something that
 * suspends) is closed and the disposal throws. Either way the generator is resumed as after a
 * success (a disposal is not told the block's error, so it cannot swallow it); disposing twice
 * exits once.
 *
 * @example
 * import { run, asyncContextManager, type ContextCoro } from 'aio-ts';
 *
 * const tagged = asyncContextManager(function* (tag: string): ContextCoro<string> {
 *   console.log('enter', tag);
 *   try {
 *     yield tag;
 *   } finally {
 *     console.log('exit', tag); // a cleanup that does not wait: fine for `using`
 *   }
 * });
 *
 * await run(function* () {
 *   using t = yield* tagged('a').hold();
 *   console.log('inside', t.value);
 * }); // enter a, inside a, exit a
 */
export class ContextGuard<T> implements AsyncContextGuard<T>, Disposable {
  readonly value: T;
  readonly #manager: GeneratorContextManager<T, any>;

  /** @internal */
  constructor(value: T, manager: GeneratorContextManager<T, any>) {
    this.value = value;
    this.#manager = manager;
  }

  /**
   * Exits the context and waits for its cleanup (also awaitable with `yield*`). `await using`
   * passes no error; `asyncWith(guard, …)` and an `AsyncExitStack` pass the block's error,
   * which is then thrown into the generator at its `yield` (so its `catch` runs); a disposal
   * cannot swallow it, though.
   */
  [Symbol.asyncDispose](error?: unknown): Promise<void> {
    return new InlineAwaitable((mode) => this.#manager._exitFromGuard(error, mode));
  }

  /** Exits the context synchronously: the cleanup must not wait (see the class). */
  [Symbol.dispose](): void {
    this.#manager._exitSync();
  }
}

/** The value type a context generator yields (its suspensions left out). */
type YieldedValue<Y> = Exclude<Y, Suspend>;

/**
 * asyncio's `@asynccontextmanager`: makes a context manager factory of a generator function
 * that sets up, yields its value once, and cleans up. The block's error is thrown into the
 * generator at its `yield`, so `try`/`finally` and `catch` work as in Python; a generator
 * that catches the error and finishes swallows it (where the caller can be told: `asyncWith`,
 * `AsyncExitStack`). Both styles:
 *
 * - a generator coroutine, `function*`, which awaits with `yield*` and yields its value with a
 *   bare `yield value` (annotate it `ContextCoro<T>`). `yield null` cannot give `null`: a bare
 *   `null` is the runtime's one-hop suspension; `yield` alone gives `undefined`;
 * - an async generator, `async function*`, which awaits with `await`.
 *
 * Use the manager with `asyncWith(cm, body)` or `stack.enterAsyncContext(cm)` (which see and
 * may swallow the block's error), or take a guard with `hold()`: `await using g = await
 * cm.hold()` in an async function, `using g = yield* cm.hold()` in a coroutine (coroutine-style
 * generators whose cleanup does not wait). JavaScript does not tell a disposal the error that
 * ended the block: through a guard the generator is resumed as after a success (its `finally`
 * runs, its `catch` does not) and the error propagates unchanged.
 *
 * A generator that yields a second time fails the exit with `Error("generator didn't stop")`;
 * one that returns without yielding fails the enter with `Error("generator didn't yield")`.
 * Cancelling the task inside the block throws `CancelledError` into the generator at its
 * `yield` (through `asyncWith`/`AsyncExitStack`) or resumes it (through a guard): either way
 * its cleanup runs.
 *
 * @example
 * import { run, sleep, asyncWith, asyncContextManager, type ContextCoro } from 'aio-ts';
 *
 * // Generator style
 * const connection = asyncContextManager(function* (url: string): ContextCoro<{ url: string }> {
 *   yield* sleep(10); // connect
 *   const conn = { url };
 *   try {
 *     yield conn;
 *   } finally {
 *     yield* sleep(10); // close: the cleanup may wait
 *     console.log('closed', url);
 *   }
 * });
 * await run(function* () {
 *   yield* asyncWith(connection('db://a'), function* (conn) {
 *     console.log('using', conn.url);
 *   });
 * });
 *
 * // Async-function style
 * const session = asyncContextManager(async function* (user: string) {
 *   await sleep(10);
 *   try {
 *     yield `session of ${user}`;
 *   } finally {
 *     await sleep(10);
 *   }
 * });
 * await run(async () => {
 *   await using s = await session('ann').hold();
 *   console.log(s.value); // session of ann
 * });
 */
export function asyncContextManager<A extends unknown[], Y>(
  fn: (...args: A) => Generator<Y, unknown, unknown>,
): (...args: A) => GeneratorContextManager<YieldedValue<Y>>;
export function asyncContextManager<A extends unknown[], T>(
  fn: (...args: A) => AsyncGenerator<T, unknown, unknown>,
): (...args: A) => GeneratorContextManager<T, AsyncContextGuard<T>>;
export function asyncContextManager(
  fn: (...args: unknown[]) => unknown,
): (...args: unknown[]) => GeneratorContextManager<unknown, any> {
  if (typeof fn !== 'function') {
    throw argumentError('asyncContextManager', 'its argument', 'a generator function (function*) or an async generator function (async function*)', fn);
  }
  const name = fn.name || '<anonymous>';
  const factory = function (this: unknown, ...args: unknown[]): GeneratorContextManager<unknown, any> {
    const gen = fn.apply(this, args);
    if (typeof (gen as Partial<AsyncGenerator>)?.[Symbol.asyncIterator] === 'function' && isIterator(gen)) {
      return new GeneratorContextManager(gen as unknown as AsyncGenerator<unknown, unknown, unknown>, true, name);
    }
    if (isIterator(gen)) return new GeneratorContextManager(gen as Generator<unknown, unknown, unknown>, false, name);
    throw new TypeError(
      `asyncContextManager(): ${name}() returned ${describe(gen)}, not a generator; ` +
        'write it as a generator function (function*, awaiting with yield*) or an async generator function (async function*)',
    );
  };
  Object.defineProperty(factory, 'name', { value: name });
  return factory;
}
