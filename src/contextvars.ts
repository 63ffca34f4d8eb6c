import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { LoopTask } from './loop/events.js';
import { asyncContextTask, enableTaskContext } from './task-tracking.js';
import { argumentError } from './validate.js';
import { isIterator } from './values.js';

/**
 * Context variables (Python's `contextvars`), and the capture of Node's AsyncLocalStorage
 * frame, both carried by one `Context`: asyncio copies the caller's context into every Task
 * and callback, and so does aio — a task sees the values of its creator at its creation, and
 * its own `set`s stay in the task.
 *
 * Cost model: nothing is captured until contexts are in use — a `ContextVar.set()`, a
 * `copyContext()`/`new Context()`, or the first `run()`/`enterWith()` of any
 * AsyncLocalStorage of the process. Until then every context is empty, so a task created
 * earlier reads as having captured an empty one.
 */

/**
 * The AsyncLocalStorage frame captured with a context: `runInAsyncScope` runs code inside it.
 * Not `AsyncLocalStorage.snapshot()`: on Node 20 and 22 that builds a bound function with
 * deprecated accessors each time, ~20 times the cost of the resource itself.
 */
type Snapshot = AsyncResource;

/** On a wrapper (`Context.bind`, `runInStorage`): what it wraps (a property, not a WeakMap entry per task). */
const WRAPPED: unique symbol = Symbol('aio.wrapped');

const EMPTY: ReadonlyMap<ContextVar<any>, unknown> = new Map();

/** @internal True once any context may be non-empty: tasks and callbacks capture one from then on. */
export let contextsInUse = false;
/** True once an AsyncLocalStorage was run or entered: from then on, contexts capture its frame. */
let storageInUse = false;

function useContexts(): void {
  if (contextsInUse) return;
  contextsInUse = true;
  // Async code must find its task after an `await` too (promise hooks, see task-tracking.ts).
  enableTaskContext();
}

/**
 * Node exposes no way to ask whether any AsyncLocalStorage holds a store, and capturing a
 * frame per task costs a resource and a closure. So the first `run()`/`enterWith()` of any
 * AsyncLocalStorage turns capture on; the wrappers then put the original methods back, so
 * the storage runs exactly as without aio. Stores entered before aio was imported are not
 * seen: pass `{ context: copyContext() }` to capture one explicitly.
 */
function watchAsyncLocalStorage(): void {
  const proto = AsyncLocalStorage.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const names = ['run', 'enterWith'].filter((name) => typeof proto[name] === 'function');
  const originals = names.map((name) => proto[name]!);
  const wrappers = names.map((_, i) =>
    function (this: unknown, ...args: unknown[]): unknown {
      seen();
      return originals[i]!.apply(this, args);
    },
  );
  function seen(): void {
    storageInUse = true;
    useContexts();
    names.forEach((name, i) => {
      if (proto[name] === wrappers[i]) proto[name] = originals[i]!;
    });
  }
  names.forEach((name, i) => (proto[name] = wrappers[i]!));
}
watchAsyncLocalStorage();

/**
 * @internal A task as this module sees it: its context (a field, not a WeakMap: with 100k live
 * tasks, WeakMap entries cost several times the task itself), null until one is needed.
 */
export interface ContextHolder {
  _context: Context | null;
}
/** The context entered by `Context.run` (callbacks run through it), or null: then the running task's. */
let entered: Context | null = null;
/** The context of code outside any task, callback or `Context.run`. */
let root: Context | null = null;

/**
 * @internal Leaves the context entered by `Context.run` (pass nothing) or re-enters the one
 * returned (pass it back): an eager task step runs in the task's own context.
 */
export function leaveEnteredContext(restore: Context | null = null): Context | null {
  const previous = entered;
  entered = restore;
  return previous;
}

/** The context the running code sees. */
function currentContext(): Context {
  if (entered !== null) return entered;
  const task = asyncContextTask<LoopTask & ContextHolder>();
  if (task !== null) return contextOfTask(task);
  return (root ??= makeContext(EMPTY, null));
}

/** @internal The context `task` runs in (a task created before contexts were in use: an empty one). */
export function contextOfTask(task: ContextHolder): Context {
  return (task._context ??= makeContext(EMPTY, null));
}

/**
 * Thrown by `ContextVar.get()` for a variable with no value in the current context and no
 * default (Python's `LookupError`).
 */
export class LookupError extends Error {}
LookupError.prototype.name = 'LookupError';

const MISSING: unique symbol = Symbol('Token.MISSING');

/**
 * A mapping of context variables to values (Python's `contextvars.Context`), plus the
 * AsyncLocalStorage frame captured with it. Every Task and callback runs in one: a copy of
 * its creator's, unless given one (`createTask(coro, { context })`, `loop.callSoon(context.bind(cb))`).
 *
 * @example
 * import { ContextVar, copyContext } from 'aio-ts';
 *
 * const user = new ContextVar<string>('user', { default: 'nobody' });
 * const context = copyContext();
 * context.run(() => user.set('alice'));
 * console.log(user.get(), context.get(user)); // nobody alice
 */
export class Context {
  /** @internal Never mutated: `set` replaces it, so copies can share it. */
  _vars: ReadonlyMap<ContextVar<any>, unknown>;
  /** @internal The AsyncLocalStorage frame to run code in, or null: the caller's. */
  _storage: Snapshot | null;
  /** @internal */ _entered: boolean;

  /** An empty context (no variable set; the AsyncLocalStorage frame of the caller). */
  constructor() {
    this._vars = EMPTY;
    this._storage = null;
    this._entered = false;
    if (building) return; // makeContext fills it
    useContexts();
    this._storage = captureStorage();
  }

  /**
   * Calls `fn(...args)` with this context entered: `ContextVar`s read and set it, and tasks
   * and callbacks created meanwhile copy it; the AsyncLocalStorage stores captured with it
   * are current. Code after an `await` of an async `fn` runs in the context of the task
   * again, as a coroutine created in Python's `ctx.run()` runs in the task that awaits it.
   * Throws if the context is entered already (Python's RuntimeError).
   */
  run<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): R {
    if (typeof fn !== 'function') throw argumentError('Context.run', 'fn', 'a function', fn);
    if (this._entered) throw new Error(`cannot enter context: ${this} is already entered`);
    const previous = entered;
    entered = this;
    this._entered = true;
    try {
      return this._storage !== null ? this._storage.runInAsyncScope(fn, undefined, ...args) : fn(...args);
    } finally {
      this._entered = false;
      entered = previous;
    }
  }

  /**
   * `fn` bound to this context: each call runs it with `run()`. How to give a callback an
   * explicit context: `loop.callSoon(context.bind(callback), ...args)` (callSoon's rest
   * arguments leave no room for an options object).
   */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    if (typeof fn !== 'function') throw argumentError('Context.bind', 'fn', 'a function', fn);
    const bound = named(fn.name, (...args: A) => this.run(fn, ...args));
    (bound as { [WRAPPED]?: unknown })[WRAPPED] = fn;
    return bound;
  }

  /** A shallow copy: the same values and AsyncLocalStorage frame; later `set`s go to one of them only. */
  copy(): Context {
    return makeContext(this._vars, this._storage);
  }

  /** The value of `variable` in this context, else `defaultValue`. */
  get<T, D = undefined>(variable: ContextVar<T>, defaultValue?: D): T | D {
    return this._vars.has(variable) ? (this._vars.get(variable) as T) : (defaultValue as D);
  }

  /** True if `variable` has a value in this context. */
  has(variable: ContextVar<unknown>): boolean {
    return this._vars.has(variable);
  }

  /** The number of variables with a value in this context. */
  get size(): number {
    return this._vars.size;
  }

  /** The variables with a value in this context, and their values. */
  entries(): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this._vars.entries();
  }

  toString(): string {
    return `<Context vars=${this._vars.size}${this._storage !== null ? ' with AsyncLocalStorage frame' : ''}>`;
  }
}

let building = false;

function makeContext(vars: ReadonlyMap<ContextVar<any>, unknown>, storage: Snapshot | null): Context {
  building = true;
  const context = new Context();
  building = false;
  context._vars = vars;
  context._storage = storage;
  return context;
}

/** No destroy hook: nothing to clean up when a context is collected. */
const STORAGE_OPTIONS = { requireManualDestroy: true };

function captureStorage(): Snapshot | null {
  return storageInUse ? new AsyncResource('aio.Context', STORAGE_OPTIONS) : null;
}

function named<F extends Function>(name: string, fn: F): F {
  if (name !== '') Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/**
 * A copy of the current context (Python's `contextvars.copy_context()`): what a task or
 * callback created now would run in.
 *
 * @example
 * import { ContextVar, copyContext } from 'aio-ts';
 *
 * const requestId = new ContextVar<string>('requestId');
 * requestId.set('req-1');
 * const snapshot = copyContext();
 * requestId.set('req-2');
 * console.log(snapshot.run(() => requestId.get())); // req-1
 */
export function copyContext(): Context {
  useContexts();
  return makeContext(currentContext()._vars, captureStorage());
}

/** Options of `new ContextVar(name, options)`. */
export interface ContextVarOptions<T> {
  /** The value `get()` returns where the variable has none (else `get()` throws LookupError). */
  default?: T;
}

/**
 * A context variable (Python's `contextvars.ContextVar`): a value per context. A task sees
 * the values of its creator at its creation; `set` in a task changes them for that task
 * (and the tasks and callbacks it creates afterwards) only. Works in generator and
 * async-function tasks alike, without AsyncLocalStorage.
 *
 * @example
 * import { run, createTask, ContextVar } from 'aio-ts';
 *
 * const requestId = new ContextVar<string>('requestId', { default: '-' });
 *
 * await run(function* () {
 *   requestId.set('req-1');
 *   const child = createTask(async () => {
 *     const seen = requestId.get(); // 'req-1': copied when the task was created
 *     requestId.set('child');       // stays in the child
 *     return seen;
 *   });
 *   console.log(yield* child, requestId.get()); // req-1 req-1
 * });
 */
export class ContextVar<T> {
  /** The name given to the constructor (for reports). */
  readonly name: string;
  readonly #default: { value: T } | null;

  /** @param name For reports. @param options `default`: the value where the variable has none. */
  constructor(name: string, options?: ContextVarOptions<T>) {
    if (typeof name !== 'string') throw argumentError('new ContextVar', 'name', 'a string', name);
    this.name = name;
    this.#default = options !== undefined && options !== null && 'default' in options ? { value: options.default as T } : null;
  }

  /** The value in the current context, else `defaultValue` if given, else the variable's default; else throws LookupError. */
  get(): T;
  get<D>(defaultValue: D): T | D;
  get<D>(...fallback: [D?]): T | D {
    const vars = currentVars();
    if (vars.has(this)) return vars.get(this) as T;
    if (fallback.length > 0) return fallback[0] as D;
    if (this.#default !== null) return this.#default.value;
    throw new LookupError(`ContextVar ${JSON.stringify(this.name)} has no value in this context: set() it, or give a default`);
  }

  /** Sets the value in the current context; the Token undoes it with `reset()`. */
  set(value: T): Token<T> {
    useContexts();
    const context = currentContext();
    const old = context._vars;
    const token = new Token<T>(this, context, old.has(this) ? (old.get(this) as T) : MISSING);
    context._vars = new Map(old).set(this, value);
    return token;
  }

  /** Restores the value from before the `set()` that returned `token` (once per token, in the same context). */
  reset(token: Token<T>): void {
    if (!(token instanceof Token)) throw argumentError('ContextVar.reset', 'token', 'a Token from set()', token);
    if (token._used) throw new Error(`${token} has already been used once`);
    if (token.var !== this) throw new RangeError(`${token} was created by a different ContextVar`);
    const context = currentContext();
    if (token._context !== context) throw new RangeError(`${token} was created in a different Context`);
    const vars = new Map(context._vars);
    if (token.oldValue === MISSING) vars.delete(this);
    else vars.set(this, token.oldValue);
    context._vars = vars;
    token._used = true;
  }

  toString(): string {
    return `<ContextVar name=${JSON.stringify(this.name)}>`;
  }
}

function currentVars(): ReadonlyMap<ContextVar<any>, unknown> {
  return contextsInUse ? currentContext()._vars : EMPTY;
}

/** What `ContextVar.set()` returns: `reset(token)` undoes that set (Python's `contextvars.Token`). */
export class Token<T> {
  /** What `oldValue` holds when the variable had no value before the `set()`. */
  static readonly MISSING: typeof MISSING = MISSING;
  /** The variable that was set. */
  readonly var: ContextVar<T>;
  /** Its value before the set, or `MISSING`. */
  readonly oldValue: T | typeof MISSING;
  /** @internal */ readonly _context: Context;
  /** @internal */ _used = false;

  /** @internal */
  constructor(variable: ContextVar<T>, context: Context, oldValue: T | typeof MISSING) {
    this.var = variable;
    this._context = context;
    this.oldValue = oldValue;
  }

  toString(): string {
    return `<Token${this._used ? ' used' : ''} var=${this.var}>`;
  }
}

// ---- Capture by tasks and callbacks (only called while contextsInUse, or with an explicit context) ----

/**
 * @internal Gives a new task its context: `explicit`, else a copy of the current one. Returns
 * the AsyncLocalStorage frame its code must run in, or null if none was captured.
 */
export function captureTaskContext(task: ContextHolder, explicit: unknown): Context {
  let context: Context;
  if (explicit === undefined || explicit === null) context = copyContext();
  else if (explicit instanceof Context) context = explicit;
  else throw argumentError('createTask', 'options.context', 'a Context (copyContext())', explicit);
  task._context = context;
  return context;
}


/** @internal Calls `fn(a, b)` inside some scope (an `AsyncResource`, a console task). */
export type Scope = <A, B, R>(fn: (a: A, b: B) => R, a: A, b: B) => R;

/** @internal `target`, run inside `storage`: every step of a coroutine, the call of a function. */
export function runInStorage<T extends Iterator<any, any, unknown> | (() => unknown)>(storage: Snapshot, target: T): T {
  return runEachStepIn((fn, a, b) => storage.runInAsyncScope(fn, undefined, a, b), target);
}

/**
 * @internal `target` with each of its steps run through `scope`: every `next()`/`throw()` of
 * a coroutine, or the call of a function (and each step of a coroutine it returns).
 */
export function runEachStepIn<T extends Iterator<any, any, unknown> | (() => unknown)>(scope: Scope, target: T): T {
  const wrapper =
    typeof target === 'function'
      ? (): unknown => {
          const result = scope(callOf, target as () => unknown, undefined);
          return isIterator(result) ? runEachStepIn(scope, result as Iterator<unknown, unknown, unknown>) : result;
        }
      : stepIn(scope, target);
  return markWrapper(wrapper as T, target);
}

function callOf(fn: () => unknown): unknown {
  return fn();
}

/** @internal Marks `wrapper` as running `target` (what `unwrapCoro` gives back); returns it. */
export function markWrapper<T>(wrapper: T, target: unknown): T {
  (wrapper as { [WRAPPED]?: unknown })[WRAPPED] = target;
  return wrapper;
}

/** @internal What `runInStorage` or `markWrapper` wrapped (or `coro` itself). */
export function unwrapCoro<T>(coro: T): T {
  let inner = coro;
  for (let next = (inner as { [WRAPPED]?: T })[WRAPPED]; next !== undefined; next = (inner as { [WRAPPED]?: T })[WRAPPED]) inner = next;
  return inner;
}


/**
 * @internal A generator stepped inside `storage`: the task steps this one, which forwards
 * each step, so that the synchronous code of every step sees the captured frame.
 */
function* stepIn<Y, R>(scope: Scope, inner: Iterator<Y, R, unknown>): Generator<Y, R, unknown> {
  let input: unknown = undefined;
  let error: unknown = undefined;
  let throwing = false;
  for (;;) {
    const step: IteratorResult<Y, R> = throwing ? scope(throwInto<Y, R>, inner, error) : scope(nextOf<Y, R>, inner, input);
    if (step.done === true) return step.value;
    try {
      input = yield step.value;
      throwing = false;
    } catch (thrown) {
      error = thrown;
      throwing = true;
    }
  }
}

function nextOf<Y, R>(inner: Iterator<Y, R, unknown>, input: unknown): IteratorResult<Y, R> {
  return inner.next(input);
}

function throwInto<Y, R>(inner: Iterator<Y, R, unknown>, error: unknown): IteratorResult<Y, R> {
  if (typeof inner.throw !== 'function') throw error;
  return inner.throw(error);
}

/** @internal A callback that runs in a copy of the current context (asyncio's `call_soon` without `context=`). */
export function inCurrentContext<F extends (...args: any[]) => unknown>(callback: F): F {
  return copyContext().bind(callback) as unknown as F;
}

/** @internal The callbacks among `callbacks` (a future's one or array) that are `fn` bound to a context. */
export function boundVersionsOf(callbacks: unknown, fn: unknown): unknown[] {
  const list = Array.isArray(callbacks) ? callbacks : callbacks === null || callbacks === undefined ? [] : [callbacks];
  return list.filter((cb) => typeof cb === 'function' && (cb as { [WRAPPED]?: unknown })[WRAPPED] === fn);
}
