import { Future } from '../futures.js';
import { Task, describeWait, taskStep, spawnTask, setTaskFactory, getTaskFactory, type TaskFactory, type TaskOptions, type TaskTarget } from '../tasks.js';
import { DeadlockError } from '../errors.js';
import { describe } from '../values.js';
import { ensureFuture } from '../ensure-future.js';
import type { Awaitable } from '../futures.js';
import { Handle, TimerHandle, describeCallback } from './handles.js';
import { ReadyQueue, type ReadyFn } from './ready-queue.js';
import type { Timer } from './timer-queue.js';
import { TimerQueue } from './timer-queue.js';
import { requireRunningLoop, runningLoopOrNull, setRunningLoop } from './running.js';
import { defaultExceptionHandler, type ExceptionContext, type ExceptionHandler } from './exception-handler.js';
import { runInExecutor, setDefaultExecutor, shutdownDefaultExecutor, closeDefaultExecutor } from '../executors/loop-executors.js';
import type { Executor } from '../executors/executor.js';
import { buildAnchors } from './map-anchors.js';
import { installAwaitGeneratorCheck } from '../debug-await-generator.js';
import { BlockingMonitor } from './blocking-monitor.js';
import type { AbstractEventLoop } from './events.js';
import { argumentError, checkMs } from '../validate.js';
import { addSignalHandler, removeSignalHandler, removeAllSignalHandlers, signalsRunning, type SignalName } from './signals.js';
import { contextsInUse, inCurrentContext } from '../contextvars.js';
import { enableSuspendStacks } from '../task-stack.js';
import { observing, emitTaskCreated, emitTaskDone } from '../debug-events.js';
import { inPromiseJob, untagged } from '../task-tracking.js';
import '../debug-log.js'; // NODE_DEBUG=aio: registers its observer when the section is enabled

/**
 * The loop hands control back to Node's own event loop at least this often (ms) while
 * it has work queued, so sockets, Node timers and foreign promises keep making progress
 * even when a task spins on `sleep(0)`.
 */
const SLICE_MS = 4;
/** Iterations between two looks at the clock (a power of 2). */
const CLOCK_EVERY = 16;
/** Ready entries run between two looks at the clock in a long iteration. */
const READY_BATCH = 1024;
/** The longest delay Node's setTimeout honours (ms). */
const MAX_NODE_DELAY = 2 ** 31 - 1;

/**
 * @internal What `_idle()` returns to wait until the loop is woken (`_sleepUntilWoken()`): the
 * wake-up queues the loop's next iteration itself, with no promise made per wait.
 */
export const UNTIL_WOKEN: unique symbol = Symbol('aio.untilWoken');

const RESOLVED = Promise.resolve();

/**
 * Runs `fn` in a microtask, as an `await` would resume: one promise reaction, no promise to
 * resolve (Node's `queueMicrotask` makes an AsyncResource per call before Node 24, and still
 * does while an AsyncLocalStorage is in use). Its promise gets no task tag, so that the
 * promise hooks do not make the loop's iteration look like code of the task that woke it.
 */
function inMicrotask(fn: () => void): void {
  untagged(true); // as promiseFor (futures.ts): a flag, not a store of the task in an old object
  void RESOLVED.then(fn);
  untagged(false);
}

/**
 * `runUntilComplete`'s done callback: one shared function, not a closure per call. When V8
 * optimizes a hot call site (the futures' callback runner) on a background thread, the job
 * holds the function last called there, and its context, until the code is installed: a
 * closure over the loop and `main` kept a finished run reachable for up to tens of ms
 * after `run()` resolved.
 */
function stopLoopOf(future: Future<unknown>): void {
  future._loop.stop();
}

function runHandle(handle: Handle | Timer): void {
  if (!handle._cancelled) handle._run();
}

/** Whether the dormant loop of map-anchors.ts exists (it is built with the first loop). */
let anchored = false;

/**
 * An asyncio-style event loop running on top of Node's: a FIFO ready queue, a timer
 * heap, an exception handler and a debug mode. One Node timer is armed for the earliest
 * deadline; nothing polls, and the process can exit when nothing is pending.
 *
 * @example
 * const loop = newEventLoop();
 * loop.callLater(100, () => console.log('later'));
 * loop.callSoon(() => console.log('soon'));
 * await loop.runUntilComplete(sleep(200));
 * loop.close();
 */
export class EventLoop implements AbstractEventLoop {
  /** Callbacks or task steps slower than this (ms) are logged in debug mode. Default 100. */
  slowCallbackDuration = 100;

  /** @internal */ readonly _ready = new ReadyQueue(taskStep);
  /** @internal Pending tasks (an intrusive list), for `allTasks()` and shutdown. */
  _firstTask: Task<unknown> | null = null;
  #lastTask: Task<unknown> | null = null;
  /** @internal Async-function tasks running now; while 0, nothing consults the promise-hook task tracking. */
  _asyncTaskCount = 0;
  /** @internal */ _debug = false;
  /** @internal Futures that failed, for reporting unretrieved exceptions when `run()` ends. */
  _failedFutures: WeakRef<Future<unknown>>[] = [];

  readonly #timers = new TimerQueue();
  #cancelledTimers = 0;
  #timerSeq = 0;
  /** Promises outside the loop that will call back into it (async functions, adapted promises). */
  #foreign = 0;
  #closed = false;
  #running = false;
  #stopping = false;
  #exceptionHandler: ExceptionHandler | null = null;
  /** Iterations since the clock was last read, modulo CLOCK_EVERY. */
  #iterations = 0;
  /**
   * When the current time slice ends (see SLICE_MS). A double from the start: a small integer
   * would change the field's representation, and so the loops' map, at the first assignment,
   * leaving the dormant loop of map-anchors.ts with the old map.
   */
  #sliceEnd = -Infinity;
  /** Node.js was about to exit while the loop ran: nothing could wake it any more. */
  #stalled = false;
  /**
   * Node emits 'beforeExit' once nothing in the process is pending: the loop, waiting for a
   * wake-up, would never get one, and Node would exit silently (code 13 under a top-level
   * await) with `run()` unsettled. Stop instead: `runUntilComplete` then throws DeadlockError.
   */
  readonly #onBeforeExit = (): void => {
    this.#stalled = true;
    this.stop();
  };
  /** True while the loop waits for `#wakeUp()` (`_sleepUntilWoken`). */
  #asleep = false;
  /** The last wake-up came from a promise job (async code), not from a Node callback. */
  #wokenInJob = false;
  /** Entries of the current iteration left to run after handing control to Node in its middle. */
  #left = 0;
  /** The deadline the current idle wait was for (debug mode's blocking monitor). */
  #idleNext = Infinity;
  /** Settles runForever's promise: resolved (`failed` false) or rejected with `error`. */
  #runEnded: ((failed: boolean, error?: unknown) => void) | null = null;
  /** Debug mode: reports turns of Node's loop that were too long (made on first use). */
  #blocking: BlockingMonitor | null = null;
  /**
   * The Node timer that ends an idle wait at the next deadline. Kept when the loop wakes
   * early, and reused by the next wait if it fires no later than needed: a loop woken by I/O
   * over and over while a far timer is pending (a request's timeout) makes no Node timer per
   * wait. Firing early only makes the loop look at its timers again. A wait with no deadline
   * clears it, so that it cannot keep Node alive (nor hide a deadlock).
   */
  #nodeTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When `#nodeTimer` fires (performance.now() time). */
  #nodeTimerAt = 0.5;
  readonly #onNodeTimer = (): void => {
    this.#nodeTimer = undefined;
    if (this.#asleep) this.#wakeUp();
  };

  constructor() {
    const env = process.env['AIO_DEBUG'];
    if (env !== undefined && env !== '' && env !== '0') this.setDebug(true);
    if (!anchored) {
      anchored = true;
      buildAnchors(new EventLoop());
    }
  }

  /** Monotonic time in milliseconds (a float). */
  time(): number {
    return performance.now();
  }

  /** Schedules `callback(...args)` for the next iteration, after everything already queued. */
  callSoon<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle {
    this._checkClosed();
    checkCallback('callSoon', callback);
    const handle = new Handle(contextsInUse ? inCurrentContext(callback) : callback, args, this);
    this._pushReady(runHandle, handle);
    return handle;
  }

  /** Schedules `callback(...args)` after `delayMs` milliseconds (negative: as soon as possible). */
  callLater<A extends unknown[]>(delayMs: number, callback: (...args: A) => unknown, ...args: A): TimerHandle {
    checkMs('callLater', 'delayMs', delayMs);
    return this.#callAt('callLater', this.time() + delayMs, delayMs, callback, args);
  }

  /** Schedules `callback(...args)` at loop time `whenMs` (see `time()`). */
  callAt<A extends unknown[]>(whenMs: number, callback: (...args: A) => unknown, ...args: A): TimerHandle {
    checkMs('callAt', 'whenMs', whenMs);
    return this.#callAt('callAt', whenMs, undefined, callback, args);
  }

  #callAt(method: string, whenMs: number, delayMs: number | undefined, callback: unknown, args: unknown[]): TimerHandle {
    this._checkClosed();
    checkCallback(method, callback);
    const run = callback as (...args: unknown[]) => unknown;
    const timer = new TimerHandle(whenMs, contextsInUse ? inCurrentContext(run) : run, args, this);
    this._addTimer(timer, delayMs);
    return timer;
  }

  /**
   * @internal Schedules `timer._run()` at `timer._when`. `delayMs`: how far ahead of `time()`
   * that is, when it was scheduled that way (timers with the same delay are kept together).
   */
  _addTimer(timer: Timer, delayMs?: number): void {
    this._checkClosed();
    timer._seq = ++this.#timerSeq;
    timer._scheduled = true;
    this.#timers.push(timer, delayMs);
    if (this.#asleep) this.#wakeUp(); // re-arm the Node timer for the new deadline
  }

  /** A new pending Future bound to this loop (asyncio's `loop.create_future()`). */
  createFuture<T = unknown>(): Future<T> {
    return new Future<T>(this);
  }

  /**
   * Wraps a coroutine, generator function or async function in a Task of this loop,
   * scheduled to start soon (asyncio's `loop.create_task()`); `createTask()` does the same on
   * the running loop. Throws if the loop is closed.
   */
  createTask<T>(target: TaskTarget<T>, options: TaskOptions = {}): Task<T> {
    return spawnTask(target, options, this);
  }

  /**
   * Sets the function that makes this loop's tasks (asyncio's `set_task_factory`), or `null`
   * for plain `Task`s. `createTask`, `loop.createTask`, `ensureFuture`, `gather` and task
   * groups call `factory(loop, target, options)`; `eagerTaskFactory` starts every task eagerly.
   */
  setTaskFactory(factory: TaskFactory | null): void {
    setTaskFactory(this, factory);
  }

  /** The task factory set by `setTaskFactory()`, or null. */
  getTaskFactory(): TaskFactory | null {
    return getTaskFactory(this);
  }

  /** True while `runForever()`/`runUntilComplete()` runs the loop. */
  isRunning(): boolean {
    return this.#running;
  }

  /** True once `close()` was called; a closed loop accepts no more callbacks or tasks. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Runs until `stop()` is called. Resolves when the loop has stopped. Throws at once if
   * the loop is closed or running, or if another loop is running.
   */
  runForever(): Promise<void> {
    this._checkClosed();
    if (this.#running) throw new Error('This event loop is already running');
    if (runningLoopOrNull() !== null) throw new Error('Cannot run the event loop while another loop is running');
    this.#running = true;
    this.#stalled = false;
    setRunningLoop(this);
    process.on('beforeExit', this.#onBeforeExit);
    signalsRunning(this);
    const ended = new Promise<void>((resolve, reject) => {
      this.#runEnded = (failed: boolean, error?: unknown) => {
        this.#runEnded = null;
        if (failed) reject(error as Error);
        else resolve();
      };
    });
    this.#sliceEnd = performance.now() + SLICE_MS;
    this.#left = 0;
    if (this._debug) this.#monitor().resumed(-Infinity);
    this.#drive();
    return ended.finally(() => {
      process.removeListener('beforeExit', this.#onBeforeExit);
      this.#clearNodeTimer();
      this.#stopping = false;
      this.#running = false;
      signalsRunning(this);
      setRunningLoop(null);
    });
  }

  /** Runs until `aw` (a Future, coroutine, async function or Promise) is done; resolves to its result. */
  runUntilComplete<T>(aw: Awaitable<T> | TaskTarget<T>): Promise<T> {
    this._checkClosed();
    if (this.#running) throw new Error('This event loop is already running');
    const future = ensureFuture(aw, this);
    future.addDoneCallback(stopLoopOf);
    return this.runForever().then(() => {
      future.removeDoneCallback(stopLoopOf);
      if (!future.done()) {
        if (this.#stalled) throw new DeadlockError(pendingTasks(this));
        throw new Error('Event loop stopped before Future completed.');
      }
      return future.result();
    });
  }

  /** Stops the loop after the current iteration. */
  stop(): void {
    this.#stopping = true;
    if (this.#asleep) this.#wakeUp();
  }

  /** Closes the loop: drops every pending callback. A running loop cannot be closed. */
  close(): void {
    if (this.#running) throw new Error('Cannot close a running event loop');
    if (this.#closed) return;
    this.#closed = true;
    this._ready.clear();
    this.#timers.clear();
    closeDefaultExecutor(this);
    removeAllSignalHandlers(this);
  }

  /**
   * Runs `callback(...args)` on this loop each time the process receives `signal` (a name
   * such as `'SIGUSR2'`, or its number), as asyncio's `add_signal_handler`: the callback is
   * queued like `callSoon` when the signal arrives, never run inside Node's signal event.
   * Replaces a handler already set for that signal. Throws for an unknown signal and for
   * SIGKILL/SIGSTOP (they cannot be caught). Handlers are removed when the loop closes. While
   * the loop runs, a handler keeps the process alive (a task may wait for the signal).
   *
   * @example
   * import { run, Event, getRunningLoop } from 'aio-ts';
   *
   * await run(function* () {
   *   const stop = new Event();
   *   getRunningLoop().addSignalHandler('SIGTERM', () => stop.set());
   *   yield* stop.wait(); // until `kill <pid>`
   * });
   */
  addSignalHandler<A extends unknown[]>(signal: SignalName, callback: (...args: A) => unknown, ...args: A): void {
    addSignalHandler(this, signal, callback, args);
  }

  /** Removes the handler set for `signal`; true if there was one (asyncio's `remove_signal_handler`). */
  removeSignalHandler(signal: SignalName): boolean {
    return removeSignalHandler(this, signal);
  }

  /**
   * Sets the function that reports errors with nowhere else to go (asyncio's
   * `set_exception_handler`): it is called as `handler(loop, context)`. `null` restores the
   * default, `defaultExceptionHandler`. An error thrown by the handler is logged, not thrown.
   *
   * @example
   * import { run, createTask, getRunningLoop } from 'aio-ts';
   *
   * await run(function* () {
   *   getRunningLoop().setExceptionHandler((loop, context) => {
   *     console.log('reported:', context.message, context.exception);
   *   });
   *   getRunningLoop().callSoon(() => { throw new Error('oops'); });
   *   yield* createTask(function* () {}); // one iteration later: "reported: Exception in callback …"
   * });
   */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== 'function') {
      throw argumentError('setExceptionHandler', 'handler', 'a function or null', handler);
    }
    this.#exceptionHandler = handler;
  }

  /** The handler set with `setExceptionHandler()`, or null for the default one. */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /** Reports an error that has nowhere else to go (a callback threw, a task's error was never retrieved, …). */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (error) {
        console.error('Exception in default exception handler', error);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (error) {
      try {
        this.defaultExceptionHandler({ message: 'Unhandled error in exception handler', exception: error, context });
      } catch (inner) {
        console.error('Exception in default exception handler while handling an unexpected error', inner);
      }
    }
  }

  /** Logs the context to stderr, with the error's stack and, in debug mode, where the object was created. */
  defaultExceptionHandler(context: ExceptionContext): void {
    defaultExceptionHandler(context);
  }

  /**
   * Debug mode: slow callbacks (over `slowCallbackDuration`) and turns of Node's event loop
   * blocked that long are logged; Futures, Tasks, Handles and runtime awaitables record where
   * they were created for error reports; a swallowed cancellation, an awaitable never awaited
   * and `await` of a generator coroutine in an async function are reported through the
   * exception handler. Also enabled by the environment variable `AIO_DEBUG=1`.
   */
  setDebug(enabled: boolean): void {
    this._debug = Boolean(enabled);
    if (this._debug) installAwaitGeneratorCheck();
    if (this._debug) enableSuspendStacks();
  }

  /** True in debug mode (see `setDebug()`). */
  getDebug(): boolean {
    return this._debug;
  }

  /**
   * Runs `fn(...args)` in `executor` (null: the loop's default `ThreadPoolExecutor`, created
   * on first use) and returns a Future of its result. With a thread pool, `fn` must be
   * self-contained: its source is what crosses to the worker thread. Cancelling the Future
   * withdraws the job if it has not started; a running job's result is discarded.
   *
   * @example
   * const loop = getRunningLoop();
   * const digest = yield* loop.runInExecutor(null, (text: string) => {
   *   return require('node:crypto').createHash('sha256').update(text).digest('hex');
   * }, 'hello');
   */
  runInExecutor<A extends unknown[], R>(executor: Executor | null, fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    return runInExecutor(this, executor, fn, args);
  }

  /** Sets the executor `runInExecutor(null, …)` uses. */
  setDefaultExecutor(executor: Executor): void {
    setDefaultExecutor(this, executor);
  }

  /**
   * Shuts the default executor down, waiting for its jobs (at most `timeoutMs`, then it warns
   * and stops waiting; default: no limit). Afterwards `runInExecutor(null, …)` throws.
   * `run()` and `Runner.close()` call it before closing the loop.
   */
  shutdownDefaultExecutor(timeoutMs: number | null = null): Promise<void> {
    return shutdownDefaultExecutor(this, timeoutMs);
  }

  /** @internal Queues `fn(arg)` and wakes the loop if it is idle. */
  _pushReady(fn: ReadyFn, arg: unknown): void {
    this._ready.push(fn, arg);
    if (this.#asleep) this.#wakeUp();
  }

  /** @internal */
  _addTask(task: Task<unknown>): void {
    this._checkClosed();
    const last = this.#lastTask;
    task._prevTask = last;
    if (last !== null) last._nextTask = task;
    else this._firstTask = task;
    this.#lastTask = task;
    if (observing) emitTaskCreated(task);
  }

  /** @internal */
  _removeTask(task: Task<unknown>): void {
    const prev = task._prevTask;
    const next = task._nextTask;
    if (prev !== null) prev._nextTask = next;
    else if (this._firstTask === task) this._firstTask = next;
    if (next !== null) next._prevTask = prev;
    else if (this.#lastTask === task) this.#lastTask = prev;
    task._prevTask = task._nextTask = null;
    if (observing) emitTaskDone(task);
  }

  /** @internal */
  _checkClosed(): void {
    if (this.#closed) throw new Error('Event loop is closed');
  }

  /** @internal */
  _timerHandleCancelled(): void {
    this.#cancelledTimers++;
  }

  /** @internal A foreign promise will call back into the loop. */
  _foreignStarted(): void {
    this.#foreign++;
  }

  /** @internal */
  _foreignSettled(): void {
    this.#foreign--;
    if (this.#foreign === 0 && this.#asleep) this.#wakeUp();
  }

  /** @internal The number of foreign promises the loop waits for. */
  get _foreignPending(): number {
    return this.#foreign;
  }

  /** @internal Loop time of the earliest live timer, or Infinity. */
  _nextTimerWhen(): number {
    const timers = this.#timers;
    for (let top = timers.peek(); top !== undefined; top = timers.peek()) {
      if (!top._cancelled) return top._when;
      timers.pop();
      top._scheduled = false;
      this.#cancelledTimers--;
    }
    return Infinity;
  }

  /**
   * @internal Called when nothing is ready and no timer is due. Returns a promise to wait
   * for (a wake-up or the next deadline), or undefined to go on at once. The virtual-time
   * loop overrides this to jump its clock instead of waiting.
   */
  _idle(nextWhen: number): Promise<void> | typeof UNTIL_WOKEN | undefined {
    return this._sleepUntilWoken(nextWhen === Infinity ? Infinity : nextWhen - this.time());
  }

  /** @internal Waits until something is scheduled, `stop()` is called, or `ms` pass. */
  _sleepUntilWoken(ms: number): typeof UNTIL_WOKEN {
    this.#asleep = true;
    if (ms !== Infinity) this.#armNodeTimer(ms);
    else this.#clearNodeTimer();
    return UNTIL_WOKEN;
  }

  #clearNodeTimer(): void {
    if (this.#nodeTimer === undefined) return; // every idle wait with no deadline comes here
    clearTimeout(this.#nodeTimer);
    this.#nodeTimer = undefined;
  }

  #armNodeTimer(ms: number): void {
    // Node fires a delay above 2^31 - 1 ms after 1 ms (with a TimeoutOverflowWarning): clamp it,
    // the loop re-arms when it wakes.
    const delay = Math.min(MAX_NODE_DELAY, Math.max(0, Math.ceil(ms)));
    const at = performance.now() + delay;
    const timer = this.#nodeTimer;
    if (timer !== undefined) {
      if (this.#nodeTimerAt <= at) return;
      clearTimeout(timer);
    }
    this.#nodeTimer = setTimeout(this.#onNodeTimer, delay);
    this.#nodeTimerAt = at;
  }

  #wakeUp(): void {
    this.#asleep = false;
    this.#wokenInJob = inPromiseJob();
    inMicrotask(this.#resumeAfterIdle);
  }

  /**
   * Runs iterations until the loop must wait (idle, a hand-off to Node, a microtask hop while
   * foreign promises are pending) and schedules its own continuation, or until it stops. A
   * callback chain rather than an async function: a wake-up from a Node callback queues one
   * promise reaction, with no promise to make and resolve per wait.
   */
  #drive(): void {
    try {
      this.#iterate();
    } catch (error) {
      this.#failRun(error);
    }
  }

  #iterate(): void {
    let left = this.#left;
    this.#left = 0;
    for (;;) {
      // A long iteration hands control to Node in its middle too; what is left of it runs
      // before anything scheduled meanwhile (asyncio's order), and before timers are looked at.
      left = left > 0 ? this.#runReady(left) : this.#runOnce();
      if (left > 0) {
        this.#left = left;
        this.#handToNode();
        return;
      }
      if (this.#stopping) {
        this.#runEnded?.(false);
        return;
      }
      if (this._ready.length === 0) {
        const next = this._nextTimerWhen();
        if (next === Infinity || next > this.time()) {
          const waiting = this._idle(next);
          if (waiting !== undefined) {
            this.#idleNext = next;
            if (this._debug) this.#handOff(() => this.#waitFor(waiting));
            else this.#waitFor(waiting);
            return;
          }
        }
      }
      // The clock is read every CLOCK_EVERY iterations: a loop passing one item back and
      // forth runs millions of tiny iterations, and reading the clock was 5 % of them.
      if ((this.#iterations = (this.#iterations + 1) & (CLOCK_EVERY - 1)) === 0 && performance.now() >= this.#sliceEnd) {
        this.#handToNode();
        return;
      }
      if (this.#foreign > 0) {
        inMicrotask(this.#continue); // let async-function tasks run their continuations between iterations
        return;
      }
    }
  }

  /** Waits for what `_idle()` returned: a wake-up (`#wakeUp` resumes the loop) or a promise. */
  #waitFor(waiting: Promise<void> | typeof UNTIL_WOKEN): void {
    if (waiting !== UNTIL_WOKEN) waiting.then(this.#resumeAfterIdle, this.#failRun);
  }

  readonly #continue = (): void => this.#drive();

  readonly #resumeAfterIdle = (): void => this.#resume(true);
  readonly #resumeAfterNode = (): void => this.#resume(false);

  /**
   * Goes on after an idle wait (`idle`) or back from Node: a new time slice, then iterations. A
   * wake-up by async code running in microtasks (an async-function task's `await sleep(0)`)
   * did not let Node run: the slice goes on, and once it is used up Node gets its turn first.
   * Else async tasks that keep the loop busy through microtasks would starve Node's I/O and
   * timers (each iteration ends idle, before the clock is looked at).
   */
  #resume(idle: boolean): void {
    try {
      if (this._debug) this.#monitor().resumed(idle ? this.#expectedWake(this.#idleNext) : 0);
      const now = performance.now();
      if (idle && this.#wokenInJob) {
        this.#wokenInJob = false;
        if (now >= this.#sliceEnd) {
          this.#handToNode();
          return;
        }
      } else {
        this.#sliceEnd = now + SLICE_MS;
      }
      this.#iterate();
    } catch (error) {
      this.#failRun(error);
    }
  }

  /**
   * Back from Node, the iteration goes on in a microtask, never in the immediate's callback
   * itself: V8 throws into a generator (every cancellation) 2-4x slower from a macrotask.
   */
  readonly #afterNode = (): void => inMicrotask(this.#resumeAfterNode);

  /** The run ends with `error` (runForever's promise rejects), as an async #drive's would. */
  readonly #failRun = (error: unknown): void => {
    this.#runEnded?.(true, error);
  };

  /** Lets Node run its I/O callbacks, timers and immediates, then goes on (`setImmediate`). */
  #handToNode(): void {
    if (this._debug) this.#handOff(() => setImmediate(this.#afterNode));
    else setImmediate(this.#afterNode);
  }

  /**
   * Debug mode: the turn ends, then `then()`. The async-function code the last iteration
   * resumed runs first (it is queued before this microtask), so that it counts in the turn,
   * not as time lost outside.
   */
  #handOff(then: () => void): void {
    inMicrotask(() => {
      try {
        this.#monitor().handOff();
        then();
      } catch (error) {
        this.#failRun(error);
      }
    });
  }

  #monitor(): BlockingMonitor {
    return (this.#blocking ??= new BlockingMonitor(this));
  }

  /**
   * Debug mode: when an idle wait for the timer due at `next` should end (performance.now()
   * time), or -Infinity if unknown (no timer, or a clock of its own: a virtual loop waits for events).
   */
  #expectedWake(next: number): number {
    return next !== Infinity && this.time === EventLoop.prototype.time ? next : -Infinity;
  }

  /**
   * One iteration: move due timers to the ready queue, then run what was ready when it began.
   * Returns how many of those entries are left to run (see `#runReady`).
   */
  #runOnce(): number {
    if (this._debug) this.#monitor().iteration();
    const timers = this.#timers;
    if (this.#cancelledTimers > 64 && this.#cancelledTimers * 2 > timers.size) {
      timers.compact();
      this.#cancelledTimers = 0;
    }
    if (timers.size > 0) {
      const now = this.time();
      for (let top = timers.peek(); top !== undefined && (top._cancelled || top._when <= now); top = timers.peek()) {
        timers.pop();
        top._scheduled = false;
        if (top._cancelled) this.#cancelledTimers--;
        else this._ready.push(runHandle, top);
      }
    }
    return this.#runReady(this._ready.length);
  }

  /**
   * Runs the first `n` ready entries, in batches; between batches, once the time slice is
   * used up, stops and returns how many are left, so that the loop can hand control to Node.
   */
  #runReady(n: number): number {
    const ready = this._ready;
    while (n > 0) {
      let batch = n < READY_BATCH ? n : READY_BATCH;
      n -= batch;
      if (this._debug) while (batch-- > 0) this.#runTimed(ready);
      else while (batch-- > 0) ready.runFirst();
      if (n > 0 && performance.now() >= this.#sliceEnd) return n;
    }
    return 0;
  }

  #runTimed(ready: ReadyQueue): void {
    const fn = ready.firstFn();
    const what = ready.firstArg();
    // A future's done callbacks are cleared when they run: note them first, to name the task
    // they resumed (the slow code is the task's, not the future's that woke it).
    const callbacks = what instanceof Future && fn !== taskStep ? what._callbacks : null;
    const start = performance.now();
    ready.runFirst();
    const took = performance.now() - start;
    this.#blocking?.step(took, () => describeReady(what, callbacks));
    if (took >= this.slowCallbackDuration) {
      console.warn(`aio: executing ${describeReady(what, callbacks)} took ${(took / 1000).toFixed(3)} seconds`);
    }
  }
}

/** Names a ready-queue entry for the slow-callback report: a handle, a task step, or a future's done callbacks. */
function describeReady(what: unknown, callbacks: unknown): string {
  if (what instanceof Handle) return String(what);
  if (callbacks === null) {
    // A task step, or one done callback ([callback, future]) added to an already-done future.
    if (Array.isArray(what) && what.length === 2 && what[1] instanceof Future) return describeDoneCallback(what[0]);
    if (Array.isArray(what) && what[0] instanceof Future) return String(what[0]); // [task, error]: a step throwing a bad await's error in
    return what instanceof Future ? String(what) : describe(what);
  }
  const names = (Array.isArray(callbacks) ? callbacks : [callbacks]).map(describeDoneCallback);
  return names.length === 1 ? names[0]! : `callbacks of ${String(what)}: ${names.join(', ')}`;
}

function describeDoneCallback(callback: unknown): string {
  if (callback instanceof Future) return String(callback); // a Task resumed by the future
  if (typeof callback === 'function') return describeCallback(callback);
  return describe(callback);
}

function checkCallback(method: string, callback: unknown): void {
  if (typeof callback !== 'function') {
    throw argumentError(method, 'callback', 'a function', callback);
  }
}


function pendingTasks(loop: EventLoop): string[] {
  const tasks: string[] = [];
  for (let t = loop._firstTask; t !== null; t = t._nextTask) tasks.push(describeWait(t));
  return tasks;
}

/** Creates a new event loop (not running, not set as running). */
export function newEventLoop(): EventLoop {
  return new EventLoop();
}

/**
 * The loop currently running (`runForever`/`runUntilComplete`/`run`), as
 * asyncio.get_running_loop; throws `Error('no running event loop')` outside one.
 *
 * @example
 * import { run, sleep, getRunningLoop } from 'aio-ts';
 *
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   const start = loop.time();
 *   loop.callLater(100, () => console.log('called after', loop.time() - start, 'ms')); // ~100
 *   yield* sleep(150);
 * });
 */
export function getRunningLoop(): EventLoop {
  return requireRunningLoop() as EventLoop;
}
