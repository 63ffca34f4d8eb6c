import { CancelledError, cancelMessageOf } from './errors.js';
import { GeneratorFunction, NO_ERROR, describe, isIterator, isThenable } from './values.js';
import { argumentError, checkLoop } from './validate.js';
import { enableTaskContext, asyncContextTask, enterStep, inStep, leaveStep } from './task-tracking.js';
import { Future, FutureAwaiter, RESUMED, PENDING, CANCELLED, setWakeTask, type Coro, type Suspend } from './futures.js';
import { requireRunningLoop, runningLoopOrNull } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import { anchorMaps } from './loop/map-anchors.js';
import { markAwaited } from './debug-awaited.js';
import { forgetCancel, noteCancelCaught, noteCancelRequest, reportSwallowedCancel } from './debug-cancel.js';
import { noteTaskFailed } from './debug-awaited-by.js';
import { tagTask } from './debug-console-task.js';
import { formatStack, suspendedStack, type StackFrame } from './task-stack.js';
import { observing, emitTaskCancel, emitStepStart, emitStepEnd } from './debug-events.js';
import { contextsInUse, captureTaskContext, contextOfTask, leaveEnteredContext, runInStorage, unwrapCoro, type Context } from './contextvars.js';

/**
 * What a Task can run: a coroutine (generator object), a generator function, or a
 * function returning a coroutine or a Promise (an async function). A function returning
 * a plain value (`createTask(() => 42)`) does not compile: make it `async`, or a `function*`.
 */
export type TaskTarget<T> =
  | Iterator<Suspend, T, unknown>
  | (() => Iterator<Suspend, T, unknown>)
  | (() => PromiseLike<T>)
  | (() => PromiseLike<T> | Iterator<Suspend, T, unknown>);

/** Options of `createTask(target, options)` and `loop.createTask()`. */
export interface TaskOptions {
  /** Name shown in errors and reports. Default: `Task-<n>`. */
  name?: string;
  /**
   * The context the task runs in (Python's `context=`): its `ContextVar` values and the
   * AsyncLocalStorage stores captured with it. Default: a copy of the creator's context.
   */
  context?: Context;
  /**
   * Run the task's first step now, inside `createTask` (asyncio's `eager_start=True`, 3.12+):
   * a coroutine runs synchronously until it first suspends, and a task that finishes so is
   * never scheduled. Only while the loop runs (else the step is scheduled as usual). An async
   * function runs to its first `await` at once, but settles in a microtask at the earliest.
   */
  eagerStart?: boolean;
}

/**
 * Makes the tasks of a loop (asyncio's task factory): `loop.setTaskFactory(factory)` routes
 * `createTask`, `loop.createTask`, `ensureFuture`, `gather` and task groups through it.
 */
export type TaskFactory = <T>(loop: AbstractEventLoop, target: TaskTarget<T>, options: TaskOptions | undefined) => Task<T>;

/** Sentinel for "resume without an exception" (anything, even undefined, can be thrown). */
// Packed fields, read and written only through the names below.
/** `Task._cancels`: the must-cancel flag (bit 0) … */
const MUST_CANCEL = 1;
/** … plus this much per pending cancellation request. */
const CANCEL_REQUEST = 2;
const cancelRequests = (cancels: number): number => cancels >> 1;
/** `Task._async`: async runs in flight (below this unit) + this unit × runtime futures awaited now. */
const ASYNC_PARKED = 2 ** 26;
/** Async code runs and awaits no runtime future: it counts as foreign work. */
const runsUnparked = (state: number): boolean => state > 0 && state < ASYNC_PARKED;
const GeneratorPrototype = GeneratorFunction.prototype.prototype as Generator;
const { next: generatorNext, throw: generatorThrow } = GeneratorPrototype;

/**
 * The iterator a Task steps: always a native generator, so that `taskStep` can call the
 * generator methods directly. Calling `coro.next` would look `next` up on generator
 * objects whose maps differ per generator function (megamorphic once a program has many),
 * which costs more than the rest of a step. Other iterators are wrapped, once.
 */
function asGenerator<T>(iterator: Iterator<Suspend, T, unknown>): Generator<Suspend, T, unknown> {
  if ((iterator as Generator).next === generatorNext) return iterator as Generator<Suspend, T, unknown>;
  if (typeof (iterator as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    // Its next() returns promises, which would read as bare yields: the task would spin forever.
    throw new TypeError(
      'A Task cannot run an async generator: it is not a coroutine. Iterate it with forAwait()/aiter() ' +
        'in a coroutine, or with for await in an async function.',
    );
  }
  return delegate(iterator);
}

/** A native generator object (what `asGenerator` returns unwrapped), tested without `isIterator`'s generic loads. */
function isGeneratorObject(target: unknown): target is Generator<Suspend, any, unknown> {
  return (
    typeof target === 'object' &&
    target !== null &&
    (target as Generator).next === generatorNext &&
    (target as Generator).throw === generatorThrow
  );
}

/** On a coroutine object a Task runs: that Task. Generator functions make fresh ones: no mark. */
const RUN_BY: unique symbol = Symbol('aio.runBy');

/**
 * Marks a coroutine object as run by `task`; throws if a Task runs it already (asyncio's
 * "cannot reuse already awaited coroutine"): two tasks stepping one generator would each see
 * part of it, and the second would get `undefined` once the first finished it.
 */
function adopt<I extends Iterator<Suspend, unknown, unknown>>(coro: I, task: Task<unknown>): I {
  const owner = (coro as { [RUN_BY]?: Task<unknown> })[RUN_BY];
  if (owner !== undefined) throw reuseError(coro, owner);
  if ((coro as unknown as Generator).next === generatorNext) markRunBy(coro, task);
  markAwaited(coro); // run by a task: not "never awaited", even if cancelled before it starts
  return coro;
}

/** RUN_BY, in a `let` on purpose (see markRunBy): V8 folds a `const` into the code. */
let runByKey: symbol = RUN_BY;

/**
 * The mark gives the coroutines of each generator function a map of their own (the
 * function's plus RUN_BY), which V8 drops once none is left and a few full GCs have run.
 * Optimized code that made the mark inline held that map, and the Task constructor and
 * `createTask` were thrown away and recompiled after every run whose tasks were all
 * collected (15–20 % of the instructions of a 100k spawn+gather round on Node 24). So the
 * store is generic: its key is read from a variable (with a constant key V8 specializes the
 * store to the receiver's map, known from the checks before it, whatever its feedback says)
 * and its feedback is made megamorphic at load (`genericStore`).
 */
function markRunBy(coro: object, task: Task<unknown> | null): void {
  (coro as Record<symbol, unknown>)[runByKey] = task;
}

/** Stores into objects of a dozen shapes: from then on V8 compiles `markRunBy`'s store as a generic one. */
function genericStore(): void {
  for (let i = 0; i < 24; i++) markRunBy({ [`shape${i % 12}`]: i }, null);
}
genericStore();

function reuseError(coro: object, owner: Task<unknown>): Error {
  return new Error(
    `cannot reuse already awaited coroutine: ${describe(coro)} is already run by ${owner}; ` +
      'call the coroutine function again for a new one, or await the Task',
  );
}

function* delegate<T>(iterator: Iterator<Suspend, T, unknown>): Generator<Suspend, T, unknown> {
  return yield* { [Symbol.iterator]: () => iterator };
}

let taskCounter = 0;
/** AbortControllers of tasks whose `signal` was asked for (rare, so not a field). */
const aborts = new WeakMap<Task<unknown>, AbortController>();
/** Set once a `signal` was made: until then `cancel()` skips the WeakMap lookup (a cancel storm pays it per task). */
let abortsInUse = false;

/**
 * A Future that drives a coroutine (asyncio.Task). Generator coroutines are stepped
 * by the loop exactly like asyncio's `Task.__step`; async functions run in the task's
 * async context so that their `await`s on runtime awaitables can be cancelled.
 *
 * @example
 * import { run, createTask, sleep, CancelledError } from 'aio-ts';
 *
 * await run(function* () {
 *   const task = createTask(function* () { yield* sleep(1000); return 'done'; }, { name: 'slow' });
 *   yield* sleep(10);
 *   task.cancel('no longer needed'); // CancelledError is thrown into it, at its sleep
 *   try {
 *     yield* task;
 *   } catch (error) {
 *     console.log(error instanceof CancelledError, task.cancelled(), task.getName()); // true true slow
 *   }
 * });
 */
// Not `implements Waiter`: Waiter is internal (stripped from the .d.ts); a Task is still checked
// against it wherever it registers itself as a future's callback.
export class Task<T = unknown> extends Future<T> {
  /** @internal The iterator being driven, or the function to call at the first step. */
  _coro: Generator<Suspend, T, unknown> | (() => unknown);
  // Few fields on purpose, as in Future: a program may hold 100k pending tasks, and every
  // field is copied by each young-generation GC they survive. While the task is pending,
  // the inherited `_result` holds the message of the latest cancel request.
  /** @internal The future this task is blocked on. */
  _futWaiter: Future<unknown> | null = null;
  /** @internal Cancellation requests × 2, plus 1 while one must be thrown in at the next step. */
  _cancels = 0;
  /**
   * @internal The task's name (the number its default name is made from, or the name given),
   * or once the task has a context, a NamedContext holding both. One field where two cost every
   * task 8 bytes more, copied by each young-generation GC it survives (spawn + gather of 100k
   * tasks ran ~20 % faster on Node 22 with one field fewer). Set in the constructor or `setUp`.
   */
  _nameOrContext!: number | string | NamedContext;
  /** @internal Links of the loop's list of pending tasks. */
  _prevTask: Task<unknown> | null = null;
  /** @internal */ _nextTask: Task<unknown> | null = null;
  /**
   * @internal Async code in flight for this task (its async function, or async bodies run on
   * its behalf) + ASYNC_PARKED × the runtime futures that code awaits now (while any, it is
   * blocked on the loop, not doing foreign work).
   */
  _async = 0;

  /** Prefer `createTask()`; the constructor schedules the first step like it. */
  constructor(target: TaskTarget<T>, options?: TaskOptions, loop?: AbstractEventLoop) {
    super(loop ?? requireRunningLoop());
    // The common case, a coroutine object, first; the others in a function of their own, which
    // keeps this constructor small enough for V8 to inline where tasks are made.
    this._coro = isGeneratorObject(target) ? adopt(target, this as Task<unknown>) : runnableOf(target, this as Task<unknown>);
    const taskLoop = this._loop;
    if (options !== undefined || contextsInUse || taskLoop._debug) {
      setUp(this as Task<unknown>, options);
    } else {
      // setUp() with no options, contexts or debug mode, inline: the common case.
      this._nameOrContext = ++taskCounter;
      taskLoop._addTask(this as Task<unknown>);
      taskLoop._pushReady(taskStep, this);
    }
  }

  /** @internal A cancellation must be thrown into the coroutine at its next step. */
  get _mustCancel(): boolean {
    return (this._cancels & MUST_CANCEL) !== 0;
  }

  /** @internal */
  set _mustCancel(value: boolean) {
    this._cancels = (this._cancels & ~MUST_CANCEL) | (value ? MUST_CANCEL : 0);
  }

  /**
   * @internal Consumes a must-cancel: the CancelledError to throw in now, or null if none is
   * pending — or if the task was woken by the cancelled future it awaited (`woken`), whose own
   * CancelledError, thrown at the await, carries the first cancel's message (see taskStep).
   */
  _takeCancel(woken: Future<unknown> | null = null): CancelledError | null {
    if ((this._cancels & MUST_CANCEL) === 0) return null;
    this._cancels -= MUST_CANCEL;
    return woken !== null && woken._state === CANCELLED ? null : this._makeCancelledError();
  }

  /** The task's name: the one given to `createTask` or `setName`, else `Task-<n>`. */
  getName(): string {
    const value = this._nameOrContext;
    const name = typeof value === 'object' ? value.name : value;
    return typeof name === 'number' ? `Task-${name}` : name;
  }

  /** Renames the task (the name is shown in errors, reports and `toString()`). */
  setName(name: string): void {
    const value = this._nameOrContext;
    if (typeof value === 'object') value.name = String(name);
    else this._nameOrContext = String(name);
  }

  /** @internal The context the task runs in (ContextVars, AsyncLocalStorage frame); null: none captured. */
  get _context(): Context | null {
    const value = this._nameOrContext;
    return typeof value === 'object' ? value.context : null;
  }

  /** @internal */
  set _context(context: Context) {
    const value = this._nameOrContext;
    if (typeof value === 'object') value.context = context;
    else this._nameOrContext = new NamedContext(value, context);
  }

  /** The coroutine (or the function, for async-function tasks) this task runs. */
  getCoro(): Iterator<Suspend, T, unknown> | (() => unknown) {
    return unwrapCoro(this._coro);
  }

  /**
   * The coroutine functions a pending generator task is suspended in, outermost first, with
   * file and line (asyncio's `get_stack()`). Recorded at each suspension in debug mode only
   * (`AIO_DEBUG=1` or `loop.setDebug(true)`): otherwise, and for done or async-function
   * tasks, empty. `limit`: at most that many frames, the innermost (negative: the outermost).
   */
  getStack(options?: { limit?: number }): StackFrame[] {
    if (this._state !== PENDING) return [];
    return suspendedStack(this as Task<unknown>, options?.limit);
  }

  /**
   * Writes `getStack()` as asyncio's `print_stack()` does, to `options.file` (anything with
   * `write(text)`; default: `process.stderr`).
   */
  printStack(options?: { limit?: number; file?: { write(text: string): unknown } }): void {
    const text = formatStack(String(this), this.getStack(options?.limit === undefined ? undefined : { limit: options.limit }));
    (options?.file ?? process.stderr).write(text);
  }

  /** The context the task runs in (asyncio's `get_context()`): a copy of its creator's, or the one given to `createTask`. */
  getContext(): Context {
    return contextOfTask(this as Task<unknown>);
  }

  /**
   * An AbortSignal that aborts as soon as `cancel()` is called: pass it to foreign
   * APIs (`fetch(url, { signal })`) so cancellation stops them too. Created on first use.
   */
  get signal(): AbortSignal {
    let controller = aborts.get(this as Task<unknown>);
    if (controller === undefined) {
      controller = new AbortController();
      abortsInUse = true;
      aborts.set(this as Task<unknown>, controller);
      if (cancelRequests(this._cancels) > 0 || this.cancelled()) controller.abort(new CancelledError(cancelMessageOf(this._result)));
    }
    return controller.signal;
  }

  /** Always throws: a task's result is what its coroutine returns (as in asyncio). */
  override setResult(_value: T): never {
    throw new Error('Task does not support setResult() operation');
  }

  /** Always throws: a task's exception is what its coroutine throws (as in asyncio). */
  override setException(_error: unknown): never {
    throw new Error('Task does not support setException() operation');
  }

  /**
   * Requests cancellation: the future the task waits on is cancelled, or the next step
   * throws CancelledError into the coroutine. Returns false if the task is already done.
   */
  override cancel(msg?: string): boolean {
    if (this._state !== PENDING) return false;
    if (observing) emitTaskCancel(this, msg);
    this._cancels += CANCEL_REQUEST;
    if (this._loop._debug) noteCancelRequest(this);
    const controller = abortsInUse ? aborts.get(this as Task<unknown>) : undefined;
    if (controller !== undefined && !controller.signal.aborted) controller.abort(new CancelledError(msg));
    this._result = msg; // also the reason of a `signal` first asked for after this call
    // Keep _futWaiter: it may be a Task that swallows the cancellation and must be cancelled again.
    if (this._futWaiter !== null && this._futWaiter.cancel(msg)) return true;
    this._mustCancel = true;
    return true;
  }

  /** The number of pending cancellation requests. */
  cancelling(): number {
    return cancelRequests(this._cancels);
  }

  /** Decrements the count of cancellation requests; returns the new count. */
  uncancel(): number {
    if (cancelRequests(this._cancels) > 0) {
      this._cancels -= CANCEL_REQUEST;
      if (this._cancels === MUST_CANCEL) this._cancels = 0; // no request left: nothing to throw in
      if (this._loop._debug) forgetCancel(this);
    }
    return cancelRequests(this._cancels);
  }

  override toString(): string {
    const state = this._state === PENDING ? 'pending' : this.cancelled() ? 'cancelled' : 'finished';
    return `<Task ${state} name=${JSON.stringify(this.getName())}>`;
  }

  /**
   * @internal Resumes the task when the future it waits on is done. The coroutine is
   * resumed with `next()`: the FutureAwaiter it is suspended in returns the future's
   * result or throws its error right at the `yield*`, which costs one throw instead of
   * throwing in from outside and re-throwing inside.
   */
  _wakeup(_future: Future<unknown>): void {
    taskStep(this);
  }

  /** @internal Ends the task as cancelled (by `error`, if the coroutine threw one). */
  _finishCancelled(error: CancelledError | null): void {
    const cancel = error ?? cancelMessageOf(this._result);
    this._state = CANCELLED;
    this._result = cancel;
    this._scheduleCallbacks();
    this._loop._removeTask(this as Task<unknown>);
  }

  /** @internal */
  _finishResult(value: T): void {
    this._resolve(value);
    this._loop._removeTask(this as Task<unknown>);
    // Cancel requests left, none waiting to be thrown in: the coroutine caught the CancelledError.
    if (this._cancels >= CANCEL_REQUEST && this._loop._debug) reportSwallowedCancel(this);
  }

  /** @internal */
  _finishException(error: unknown): void {
    if (this._loop._debug) noteTaskFailed(this, error);
    this._reject(error);
    this._loop._removeTask(this as Task<unknown>);
  }

  /** @internal Settles an async-function task when its promise settles. */
  _settleAsync(ok: boolean, value: unknown): void {
    this._loop._asyncTaskCount--;
    this._asyncExit();
    if (this._state !== PENDING) return;
    this._futWaiter = null;
    if (ok) {
      // A cancel that never reached an await still wins: the value is discarded.
      if (this._mustCancel) this._finishCancelled(null);
      else this._finishResult(value as T);
    } else if (value instanceof CancelledError) {
      this._finishCancelled(value);
    } else if (this._mustCancel && isAbortByCancel(value)) {
      // A foreign API stopped by `signal` (an AbortError caused by this task's cancel): the
      // cancel arrived at that await, where asyncio would have thrown CancelledError.
      this._finishCancelled(null);
    } else {
      this._finishException(value);
    }
  }

  /**
   * @internal The loop counts a task's async code as foreign work (it may await anything)
   * except while it awaits runtime futures: a virtual clock jumps only when no foreign work
   * is pending, so an async task blocked on `sleep()` must not hold it back.
   */
  _asyncEnter(): void {
    if (this._async++ === 0) this._loop._foreignStarted(); // first run, and nothing parked
  }

  /** @internal */
  _asyncExit(): void {
    if (--this._async === 0) this._loop._foreignSettled();
  }

  /** @internal Async code of this task started awaiting a pending runtime future. */
  _park(): void {
    const state = this._async;
    this._async = state + ASYNC_PARKED;
    if (runsUnparked(state)) this._loop._foreignSettled(); // it was foreign work until now
  }

  /** @internal That future is done: the async code is runnable again. */
  _unpark(): void {
    const state = (this._async -= ASYNC_PARKED);
    if (runsUnparked(state)) this._loop._foreignStarted();
  }
}

/** `Task._nameOrContext` of a task with a context. */
class NamedContext {
  constructor(
    public name: number | string,
    public context: Context,
  ) {}
}

/** What a Task runs for a target that is not a generator object (see the constructor). */
function runnableOf<T>(target: TaskTarget<T>, task: Task<unknown>): Generator<Suspend, T, unknown> | (() => unknown) {
  if (typeof target === 'function' && !(target instanceof GeneratorFunction)) return target;
  return coroutineOf(target, task);
}

function coroutineOf<T>(target: TaskTarget<T>, task: Task<unknown>): Generator<Suspend, T, unknown> {
  if (typeof target === 'function') return asGenerator((target as () => Iterator<Suspend, T, unknown>)());
  if (isIterator(target)) return asGenerator(adopt(target, task));
  const promise = isThenable(target);
  // The async function was called outside the loop: its rejection ("no running event
  // loop") would end the process after the clear error below. It is part of this mistake.
  if (promise) (target as PromiseLike<unknown>).then(undefined, () => {});
  const hint = promise
    ? ': pass the async function itself (createTask(fn), run(fn)), not the Promise that calling it returned'
    : '';
  throw new TypeError(
    `createTask() expects a coroutine (generator object), generator function or async function, got ${describe(target)}${hint}`,
  );
}

/** The rest of a Task's construction: its name, context, debug tag, place in the loop's list, first step. */
function setUp(task: Task<unknown>, options: TaskOptions | undefined): void {
  const name = options?.name;
  task._nameOrContext = name === undefined || name === null ? ++taskCounter : String(name);
  if (contextsInUse || options?.context !== undefined) enterTaskContext(task, options?.context);
  const loop = task._loop;
  if (loop._debug) tagTask(task);
  loop._addTask(task);
  if (options?.eagerStart === true && loop.isRunning()) stepEagerly(task);
  else loop._pushReady(taskStep, task);
}

/**
 * Gives a new task its context (a copy of the creator's, or `explicit`) and, if that holds an
 * AsyncLocalStorage frame, makes its code run inside it: each step of a coroutine, the call of
 * an async function (whose awaits then keep the frame by themselves).
 */
function enterTaskContext(task: Task<unknown>, explicit: unknown): void {
  const storage = captureTaskContext(task, explicit)._storage;
  if (storage !== null) task._coro = runInStorage(storage, task._coro);
}

/**
 * asyncio's `__eager_start`: the first step, now, as the current task, in the task's context
 * (not in one `Context.run()` entered around `createTask`). A task that finishes here has
 * left the loop's task list already and is never scheduled.
 */
function stepEagerly(task: Task<unknown>): void {
  const entered = leaveEnteredContext();
  try {
    taskStep(task);
  } finally {
    leaveEnteredContext(entered);
  }
}

anchorMaps((loop: AbstractEventLoop) => {
  const task = new Task(dormant(), { name: 'map anchor' }, loop);
  task.getContext(); // and the map of its NamedContext
  return task;
});
function* dormant(): Generator<Suspend, void, unknown> {}

/** An AbortError whose cause is a CancelledError: how Node APIs reject when `task.signal` aborts. */
function isAbortByCancel(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError' && error.cause instanceof CancelledError;
}

setWakeTask(taskStep as (task: Future<any>) => void);

function wokenByCancel(task: Task<any>): boolean {
  const waited = task._futWaiter;
  return waited !== null && waited._state === CANCELLED;
}

/**
 * @internal Runs one step of a task: resumes its coroutine until the next suspension, or
 * throws `thrown` in there (see throwIntoTask).
 */
export function taskStep(task: Task<any>, thrown: unknown = NO_ERROR): void {
  if (task._state !== PENDING) return;
  if (observing && task !== observedStep) return observeStep(task, thrown);
  let error = thrown;
  if (task._mustCancel) {
    // As asyncio's __step: a CancelledError already on its way in wins. So does the one of a
    // cancelled future the task was woken by (its FutureAwaiter throws it at the `yield*`):
    // it carries the first cancel's message, as in asyncio, where a second cancel() finds the
    // future already cancelled.
    if (!(error instanceof CancelledError) && !(error === NO_ERROR && wokenByCancel(task))) {
      error = task._makeCancelledError();
    }
    task._mustCancel = false;
  }
  task._futWaiter = null;
  const loop = task._loop;
  const outerStep = inStep();
  const previous = enterStep(task);
  const coro = task._coro;
  let step: IteratorResult<Suspend, unknown>;
  try {
    if (typeof coro === 'function') {
      const started = startFunction(task, coro, error);
      if (started === null) {
        leaveStep(previous, outerStep);
        return;
      }
      step = started.next();
    } else {
      step = (error === NO_ERROR ? generatorNext.call(coro, RESUMED) : generatorThrow.call(coro, error)) as IteratorResult<Suspend>;
    }
  } catch (thrown) {
    leaveStep(previous, outerStep);
    if (thrown instanceof CancelledError) task._finishCancelled(thrown);
    else task._finishException(thrown);
    return;
  }
  leaveStep(previous, outerStep);
  // Debug mode: a cancel was requested and this step ended normally: its CancelledError was caught.
  if (task._cancels >= CANCEL_REQUEST && loop._debug) noteCaught(task, step);
  if (step.done) {
    if (task._mustCancel) {
      task._mustCancel = false;
      task._finishCancelled(null);
    } else {
      task._finishResult(step.value);
    }
    return;
  }
  const yielded: unknown = step.value;
  if (yielded === null || yielded === undefined) {
    loop._pushReady(taskStep, task); // a bare yield: one hop through the ready queue
  } else if (yielded instanceof FutureAwaiter) {
    waitOn(task, yielded._future);
  } else {
    loop._pushReady(throwIntoTask, [task, badYieldError(yielded)]);
  }
}

/** The task whose step `observeStep` runs: its inner `taskStep` call runs the step itself. */
let observedStep: Task<any> | null = null;

/** A step seen by the task observers (debug-events.ts): its start and end are reported around it. */
function observeStep(task: Task<any>, thrown: unknown): void {
  const outer = observedStep; // an eager task's first step runs inside its creator's
  observedStep = task;
  emitStepStart(task);
  try {
    taskStep(task, thrown);
  } finally {
    observedStep = outer;
    emitStepEnd(task);
  }
}

/** Debug mode: the coroutine caught the CancelledError thrown in; note what it does next. */
function noteCaught(task: Task<any>, step: IteratorResult<Suspend, unknown>): void {
  noteCancelCaught(task, step.done ? undefined : step.value instanceof FutureAwaiter ? step.value._future : null);
}

/** @internal The error thrown into a coroutine that yielded something other than what `yield*` hands to its Task. */
export function badYieldError(yielded: unknown): Error {
  return new Error(`Task got bad yield: ${describe(yielded)}${badYieldHint(yielded)}`);
}

function badYieldHint(yielded: unknown): string {
  if (yielded instanceof Future || isIterator(yielded)) return ' (use yield*, not yield, to await it)';
  if (isThenable(yielded)) return ' (a coroutine cannot await a Promise directly: use yield* ensureFuture(promise))';
  return ' (a coroutine suspends only through yield* on an awaitable: a Future, a Task, a coroutine, sleep(), …)';
}

/**
 * The next step of a task that awaited something it cannot (a bad yield, a future of another
 * loop, itself): the error is thrown in at that await, one hop later, as asyncio's `__step`
 * does. A cancel requested meanwhile replaces it (see taskStep).
 */
function throwIntoTask([task, error]: [Task<any>, Error]): void {
  taskStep(task, error);
}

function waitOn(task: Task<any>, future: Future<unknown>): void {
  const loop = task._loop;
  if (future._loop !== loop) {
    loop._pushReady(throwIntoTask, [task, new Error(`Task ${task.getName()} got Future ${future} attached to a different loop`)]);
  } else if (future === task) {
    loop._pushReady(throwIntoTask, [task, new Error(`Task cannot await on itself: ${task}`)]);
  } else {
    future._addCallback(task);
    task._futWaiter = future;
    if (task._mustCancel && future.cancel(task._result as string | undefined)) task._mustCancel = false;
  }
}

/**
 * First step of a function target: generator results are driven like coroutines;
 * anything else runs as an async function inside the task's async context.
 * Returns the coroutine to step, or null when the task is handled as async.
 */
function startFunction(task: Task<any>, fn: () => unknown, error: unknown): Iterator<Suspend, unknown, unknown> | null {
  if (error !== NO_ERROR) throw error; // cancelled before it started: the function never runs
  const loop = task._loop;
  loop._asyncTaskCount++;
  let result: unknown;
  enableTaskContext(); // taskStep made the task the current context already
  try {
    result = fn();
  } catch (thrown) {
    loop._asyncTaskCount--;
    throw thrown;
  }
  // A promise first: async functions are the common function target.
  if (result instanceof Promise) {
    task._asyncEnter();
    // Registered in the task's context, so the shared handlers find the task there:
    // no closure per task.
    result.then(settleFulfilled, settleRejected);
  } else if (isIterator(result)) {
    loop._asyncTaskCount--;
    task._coro = asGenerator(result as Iterator<Suspend, unknown, unknown>);
    return task._coro;
  } else if (isThenable(result)) {
    task._asyncEnter();
    result.then(
      (value) => task._settleAsync(true, value),
      (reason) => task._settleAsync(false, reason),
    );
  } else {
    loop._asyncTaskCount--;
    task._finishResult(result);
  }
  return null;
}

function settleFulfilled(value: unknown): void {
  asyncContextTask<Task<unknown>>()!._settleAsync(true, value);
}

function settleRejected(reason: unknown): void {
  asyncContextTask<Task<unknown>>()!._settleAsync(false, reason);
}

/**
 * Wraps a coroutine (or async function) in a Task of the running loop, scheduled to start
 * soon (asyncio.create_task): it runs concurrently with the caller, which may await it
 * later, or cancel it. Throws `Error('no running event loop')` outside a loop.
 *
 * @example
 * import { run, createTask, sleep, type Coro } from 'aio-ts';
 *
 * function* say(ms: number, what: string): Coro<string> {
 *   yield* sleep(ms);
 *   return what;
 * }
 *
 * await run(function* () {
 *   const hello = createTask(say(200, 'hello'), { name: 'greeter' });
 *   const world = createTask(async () => { await sleep(100); return 'world'; });
 *   console.log(yield* world, yield* hello); // after 200 ms, not 300: world hello
 * });
 */
export function createTask<T>(target: TaskTarget<T>, options?: TaskOptions): Task<T> {
  return factoriesInUse === 0 ? new Task(target, options) : spawnTask(target, options, requireRunningLoop());
}

/** Task factories of loops (asyncio keeps one per loop): a WeakMap read only once one was set. */
const factories = new WeakMap<AbstractEventLoop, TaskFactory>();
let factoriesInUse = 0;

/** @internal A new task of `loop`, made by its task factory if it has one (asyncio's `loop.create_task`). */
export function spawnTask<T>(target: TaskTarget<T>, options: TaskOptions | undefined, loop: AbstractEventLoop): Task<T> {
  if (factoriesInUse !== 0) {
    const factory = factories.get(loop);
    if (factory !== undefined) return factory(loop, target, options);
  }
  return new Task(target, options, loop);
}

/** @internal `loop.setTaskFactory()`. */
export function setTaskFactory(loop: AbstractEventLoop, factory: TaskFactory | null): void {
  if (factory === null || factory === undefined) {
    if (factories.delete(loop)) factoriesInUse--;
    return;
  }
  if (typeof factory !== 'function') throw argumentError('setTaskFactory', 'factory', 'a function or null', factory);
  if (!factories.has(loop)) factoriesInUse++;
  factories.set(loop, factory);
}

/** @internal `loop.getTaskFactory()`. */
export function getTaskFactory(loop: AbstractEventLoop): TaskFactory | null {
  return factories.get(loop) ?? null;
}

/** The Task running the current code, or null outside a task. */
export function currentTask(loop?: AbstractEventLoop): Task<unknown> | null {
  if (loop !== undefined) checkLoop('currentTask', 'loop', loop);
  const l = loop ?? runningLoopOrNull();
  if (l === null) return null;
  // The task of a generator step, or of async code: one variable (task-tracking.ts).
  const task = asyncContextTask<Task<unknown>>();
  return task !== null && task._loop === l ? task : null;
}

/** The pending tasks of the running loop (or of `loop`). */
export function allTasks(loop?: AbstractEventLoop): Set<Task<unknown>> {
  if (loop !== undefined) checkLoop('allTasks', 'loop', loop);
  const tasks = new Set<Task<unknown>>();
  for (let t = (loop ?? requireRunningLoop())._firstTask as Task<unknown> | null; t !== null; t = t._nextTask) tasks.add(t);
  return tasks;
}

export type { Coro, StackFrame };

/** @internal What a pending task waits on, for reports: `Task "main" waiting on <Future pending>`. */
export function describeWait(task: Task<unknown>): string {
  const waited = task._futWaiter;
  const what =
    waited !== null
      ? `waiting on ${String(waited)}`
      : task._async > 0
        ? 'running async code that awaits something outside aio (a Promise that never settles?)'
        : 'ready to run';
  return `Task ${JSON.stringify(task.getName())} ${what}`;
}
