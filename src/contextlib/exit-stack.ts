/**
 * `AsyncExitStack`: asyncio's `contextlib.AsyncExitStack`, a stack of exit callbacks unwound
 * LIFO, for any number of context managers entered at run time.
 */
import { Future, type Coro } from '../futures.js';
import { InlineAwaitable, awaitInline, runBody, type Mode } from '../body-runner.js';
import { GeneratorFunction, describe, isIterator, isThenable } from '../values.js';
import { argumentError } from '../validate.js';
import { asManager, type AsyncContextManager, type EnteredValue } from '../async-with.js';

/** The constructor of async functions (`fn instanceof AsyncFunction`). */
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as FunctionConstructor;

/**
 * An exit function: called with the error that ended the block (`undefined` after a success,
 * or once an earlier exit swallowed the error), it may return (or resolve to) `true` to swallow
 * that error. It may be a plain, async or generator function.
 */
export type ExitFunction = (error: unknown) => unknown;

/** A synchronous context manager (`enterContext`): `enter()` gives the value at once. */
export interface ContextManager<T> {
  /** Sets up and returns the value of the block. */
  enter(): T;
  /** Cleans up; `error` is what ended the block (undefined if it ended normally). A true result swallows it. */
  exit(error: unknown): unknown;
}

/** What `push()` takes: an exit function, or an object whose exit (or disposal) to register. */
export type ExitLike = ExitFunction | { exit(error: unknown): unknown } | AsyncDisposable | Disposable;

/** One registered exit: runs it and gives whether it swallowed the error. */
type Exit = (failed: boolean, error: unknown, mode: Mode) => Coro<boolean>;

/**
 * asyncio's `AsyncExitStack`: a stack of exits (context managers' exits, callbacks) that
 * unwinds in LIFO order when the stack is closed, as nested `async with` blocks would. Each
 * exit gets the error of the block or of the exit before it; an exit that throws replaces the
 * error, which goes on to the next exit, and records the error it replaced as its `cause`
 * (when it has no `cause` of its own: CPython's implicit chaining, `__context__`); an exit that
 * returns `true` swallows the error. After the unwinding, the last error left is thrown.
 *
 * A disposable (entered, or pushed) is disposed with the pending error as argument, if any:
 * a `[Symbol.asyncDispose](error?)` that takes a parameter learns it (`await using` passes none).
 *
 * Every awaitable it returns is awaited with `yield*` in a coroutine or `await` in an async
 * function. Enter the stack itself with `asyncWith(new AsyncExitStack(), body)` (the exits see
 * the block's error and may swallow it) or with `await using` in an async function (they see
 * no error: JavaScript does not tell a disposal how the block ended; an error an exit throws
 * then reaches the caller as a `SuppressedError` if the block failed too), or close it with
 * `aclose()`.
 *
 * @example
 * import { run, sleep, asyncWith, AsyncExitStack, asyncContextManager, type ContextCoro } from 'aio-ts';
 *
 * const resource = asyncContextManager(function* (name: string): ContextCoro<string> {
 *   try {
 *     yield name;
 *   } finally {
 *     yield* sleep(1);
 *     console.log('released', name);
 *   }
 * });
 *
 * // Generator style: asyncWith passes the block's error to the exits
 * await run(function* () {
 *   yield* asyncWith(new AsyncExitStack(), function* (stack) {
 *     for (const name of ['a', 'b']) console.log('got', yield* stack.enterAsyncContext(resource(name)));
 *     stack.callback(console.log, 'callbacks run too, LIFO');
 *   });
 * }); // got a, got b, callbacks run too, LIFO, released b, released a
 *
 * // Async-function style
 * await run(async () => {
 *   await using stack = new AsyncExitStack();
 *   const a = await stack.enterAsyncContext(resource('a'));
 *   stack.pushAsyncCallback(async () => { await sleep(1); console.log('async callback'); });
 *   console.log('got', a);
 * }); // got a, async callback, released a
 */
export class AsyncExitStack implements AsyncContextManager<AsyncExitStack>, AsyncDisposable {
  #exits: Exit[] = [];

  /** Enters `cm` (awaits its `enter()`), registers its `exit()`, and gives what it entered as. */
  enterAsyncContext<M extends AsyncContextManager<unknown> | AsyncDisposable>(cm: M): InlineAwaitable<EnteredValue<M>> {
    const manager = asManager<EnteredValue<M>>(cm as AsyncContextManager<EnteredValue<M>> | AsyncDisposable, 'AsyncExitStack.enterAsyncContext');
    return new InlineAwaitable((mode) => this.#enterAsync(manager, mode));
  }

  *#enterAsync<T>(manager: AsyncContextManager<T>, mode: Mode): Coro<T> {
    const value = yield* settle<T>(manager.enter(), mode);
    this.#exits.push(function* (failed, error, m) {
      return (yield* invoke(manager.exit, manager, [failed ? error : undefined], m)) === true;
    });
    return value;
  }

  /**
   * Enters a synchronous context manager: a `Disposable` (a lock's `Guard`, …; it enters as
   * itself) or an object whose `enter()` gives its value at once. Registers its exit (or
   * disposal) and gives the value.
   */
  enterContext<T extends Disposable>(cm: T): T;
  enterContext<T>(cm: ContextManager<T>): T;
  enterContext(cm: ContextManager<unknown> | Disposable): unknown {
    const candidate = cm as Partial<ContextManager<unknown>> & Partial<Disposable> & Partial<AsyncDisposable>;
    if (typeof candidate?.enter === 'function' && typeof candidate.exit === 'function') {
      const value = candidate.enter();
      if (value instanceof Future || isIterator(value) || isThenable(value)) {
        throw new TypeError(
          `AsyncExitStack.enterContext() got a context manager whose enter() returned ${describe(value)}, an awaitable: ` +
            'enter it with enterAsyncContext() (yield* / await it)',
        );
      }
      const exit = candidate.exit;
      this.#exits.push(function* (failed, error, mode) {
        return (yield* invoke(exit, cm, [failed ? error : undefined], mode)) === true;
      });
      return value;
    }
    const dispose = candidate?.[Symbol.dispose];
    if (typeof dispose === 'function') {
      this.#pushDisposal(cm, dispose);
      return cm;
    }
    const error = argumentError('AsyncExitStack.enterContext', 'cm', 'a Disposable or a context manager with enter() and exit()', cm);
    if (typeof candidate?.[Symbol.asyncDispose] === 'function') error.message += ' (an AsyncDisposable: enter it with enterAsyncContext())';
    throw error;
  }

  /**
   * Registers an exit without entering anything: a function called with the error (or
   * `undefined`) that may return `true` to swallow it (asyncio's `push`/`push_async_exit`: it
   * may be async or a generator function), an object with `exit(error)`, or a disposable (its
   * disposal, which cannot swallow). Returns its argument.
   */
  push<E extends ExitLike>(exit: E): E {
    if (typeof exit === 'function') {
      const fn = exit as ExitFunction;
      this.#exits.push(function* (failed, error, mode) {
        return (yield* invoke(fn, undefined, [failed ? error : undefined], mode)) === true;
      });
      return exit;
    }
    const candidate = exit as Partial<{ exit(error: unknown): unknown }> & Partial<AsyncDisposable> & Partial<Disposable>;
    if (typeof candidate?.exit === 'function') {
      const method = candidate.exit;
      this.#exits.push(function* (failed, error, mode) {
        return (yield* invoke(method, exit, [failed ? error : undefined], mode)) === true;
      });
      return exit;
    }
    const dispose = candidate?.[Symbol.asyncDispose] ?? candidate?.[Symbol.dispose];
    if (typeof dispose === 'function') {
      this.#pushDisposal(exit, dispose);
      return exit;
    }
    throw argumentError(
      'AsyncExitStack.push',
      'exit',
      'a function (error) => boolean | void, an object with exit(error), or a disposable',
      exit,
    );
  }

  /**
   * Registers `fn(...args)` to run at unwinding; it cannot swallow an error. Returns `fn`.
   * A function returning an awaitable is awaited (but prefer `pushAsyncCallback` for those).
   */
  callback<A extends unknown[], F extends (...args: A) => unknown>(fn: F, ...args: A): F {
    if (typeof fn !== 'function') throw argumentError('AsyncExitStack.callback', 'fn', 'a function', fn);
    this.#exits.push(function* (_failed, _error, mode) {
      yield* invoke(fn, undefined, args, mode);
      return false;
    });
    return fn;
  }

  /**
   * Registers an async function or a generator function (a coroutine function) to be called
   * with `args` and awaited at unwinding, as code of the task that unwinds the stack (so
   * cancelling that task reaches its awaits); it cannot swallow an error. Returns `fn`.
   */
  pushAsyncCallback<A extends unknown[], F extends (...args: A) => unknown>(fn: F, ...args: A): F {
    if (typeof fn !== 'function') throw argumentError('AsyncExitStack.pushAsyncCallback', 'fn', 'an async function or a generator function', fn);
    this.#exits.push(function* (_failed, _error, mode) {
      yield* invoke(fn, undefined, args, mode);
      return false;
    });
    return fn;
  }

  /** Moves every registered exit to a new stack, which it returns; this one is left empty. */
  popAll(): AsyncExitStack {
    const stack = new AsyncExitStack();
    stack.#exits = this.#exits;
    this.#exits = [];
    return stack;
  }

  /** Unwinds the stack now, with no error (asyncio's `aclose()`). The stack can be used again. */
  aclose(): InlineAwaitable<void> {
    return new InlineAwaitable((mode) => this.#closeCoro(mode));
  }

  /** Same as `aclose()`. */
  close(): InlineAwaitable<void> {
    return this.aclose();
  }

  *#closeCoro(mode: Mode): Coro<void> {
    yield* this.#unwind(false, undefined, mode);
  }

  /** The stack enters as itself (`asyncWith(new AsyncExitStack(), function* (stack) { … })`). */
  enter(): this {
    return this;
  }

  /**
   * Unwinds the stack with the block's error (`undefined` after a success): `__aexit__`.
   * Resolves to `true` if an exit swallowed the error, `false` otherwise (the caller then
   * re-throws it, as `asyncWith` does); rejects with the error an exit threw, if one did and no
   * later exit swallowed it.
   */
  exit(error?: unknown): InlineAwaitable<boolean> {
    return new InlineAwaitable((mode) => this.#unwind(error !== undefined, error, mode));
  }

  /** Unwinds the stack with no error (the disposal is not told the block's error): `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.aclose();
  }

  *#unwind(failed: boolean, error: unknown, mode: Mode): Coro<boolean> {
    let pending = failed; // an error is passed to the next exit
    let raised = false; // … and it was thrown by an exit: exit() throws it
    let current = error;
    let suppressed = false;
    // Popped one by one: an exit registered while unwinding runs too, as in asyncio.
    for (let exit = this.#exits.pop(); exit !== undefined; exit = this.#exits.pop()) {
      try {
        if (yield* exit(pending, current, mode)) {
          suppressed = true;
          pending = raised = false;
          current = undefined;
        }
      } catch (thrown) {
        if (pending) chain(thrown, current);
        pending = raised = true;
        current = thrown;
      }
    }
    // The error passed in is not re-thrown (the caller does that when this returns false).
    if (raised) throw current;
    return failed && suppressed;
  }

  /** A disposal cannot swallow the error; it gets it as argument if there is one (`await using` passes none). */
  #pushDisposal(target: object, dispose: (error?: unknown) => unknown): void {
    this.#exits.push(function* (failed, error, mode) {
      yield* invoke(dispose, target, failed ? [error] : [], mode);
      return false;
    });
  }
}

/**
 * Calls a user function in the task that unwinds (or enters): a generator function inline,
 * an async function as code of that task (so cancelling the task reaches its awaits), any
 * other function directly, awaiting what it returns if that is awaitable.
 */
function* invoke(fn: (...args: any[]) => unknown, thisArg: unknown, args: unknown[], mode: Mode): Coro<unknown> {
  if (fn instanceof GeneratorFunction) return yield* (fn.apply(thisArg, args) as Coro<unknown>);
  if ((fn as unknown) instanceof AsyncFunction) return yield* runBody<undefined, unknown>(() => fn.apply(thisArg, args), undefined, mode);
  return yield* settle(fn.apply(thisArg, args), mode);
}

/** Awaits `value` if it is awaitable (a Future, a coroutine or operation, a thenable); otherwise gives it as is. */
function* settle<T>(value: unknown, mode: Mode): Coro<T> {
  if (value instanceof Future || isIterator(value) || isThenable(value)) return yield* awaitInline<T>(value, mode);
  return value as T;
}

/**
 * Records `previous` as the `cause` of `error`, the error that replaced it while unwinding
 * (CPython sets `__context__`), unless `error` already has a `cause` of its own, is not an
 * object, is `previous` itself, or cannot be extended.
 */
function chain(error: unknown, previous: unknown): void {
  if (typeof error !== 'object' || error === null || error === previous) return;
  if (Object.prototype.hasOwnProperty.call(error, 'cause') || !Object.isExtensible(error)) return;
  Object.defineProperty(error, 'cause', { value: previous, writable: true, configurable: true, enumerable: false });
}
