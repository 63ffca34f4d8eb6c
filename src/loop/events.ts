/**
 * The event loop as the layers below it see it (asyncio's `AbstractEventLoop` in
 * `events.py`). Futures, Tasks, handles and the running-loop registry are typed against this
 * interface rather than the `EventLoop` class, which builds them: so the class sits above
 * them and no module below it imports it, not even for a type.
 */
import type { Handle, TimerHandle } from './handles.js';
import type { ReadyFn } from './ready-queue.js';
import type { Timer } from './timer-queue.js';

/** What the loop's error reports carry at least; `ExceptionContext` is the full, typed form. */
export interface LoopErrorContext {
  /** What happened, in one line. */
  message: string;
  /** The error, if there is one. */
  exception?: unknown;
  [key: string]: unknown;
}

/** @internal A task as the layers below `Task` see it: the links of the loop's list of pending tasks. */
export interface LoopTask {
  _prevTask: LoopTask | null;
  _nextTask: LoopTask | null;
}

/**
 * The event loop a Future, Task or handle belongs to (what `future.getLoop()` returns): its
 * clock, scheduling and error reporting. `getRunningLoop()` gives the full `EventLoop`.
 */
export interface AbstractEventLoop {
  /** Monotonic loop time in milliseconds (a float). */
  time(): number;
  /** Schedules `callback(...args)` for the next iteration, after everything already queued. */
  callSoon<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle;
  /** Schedules `callback(...args)` after `delayMs` milliseconds. */
  callLater<A extends unknown[]>(delayMs: number, callback: (...args: A) => unknown, ...args: A): TimerHandle;
  /** Schedules `callback(...args)` at loop time `whenMs`. */
  callAt<A extends unknown[]>(whenMs: number, callback: (...args: A) => unknown, ...args: A): TimerHandle;
  /** Stops the loop after the current iteration. */
  stop(): void;
  /** Whether the loop is running now. */
  isRunning(): boolean;
  /** Whether `close()` was called. */
  isClosed(): boolean;
  /** Whether debug mode is on. */
  getDebug(): boolean;
  /** Reports an error that has nowhere else to go, through the loop's exception handler. */
  callExceptionHandler(context: LoopErrorContext): void;

  /** @internal */ _debug: boolean;
  /** @internal First of the pending tasks (an intrusive list). */
  _firstTask: LoopTask | null;
  /** @internal Async-function tasks running now. */
  _asyncTaskCount: number;
  /** @internal Futures that failed, for reporting unretrieved exceptions when `run()` ends. */
  _failedFutures: WeakRef<object>[];
  /** @internal Queues `fn(arg)` and wakes the loop if it is idle. */
  _pushReady(fn: ReadyFn, arg: unknown): void;
  /** @internal */ _addTimer(timer: Timer, delayMs?: number): void;
  /** @internal */ _addTask(task: LoopTask): void;
  /** @internal */ _removeTask(task: LoopTask): void;
  /** @internal Throws if the loop is closed. */
  _checkClosed(): void;
  /** @internal */ _timerHandleCancelled(): void;
  /** @internal A foreign promise will call back into the loop. */
  _foreignStarted(): void;
  /** @internal */ _foreignSettled(): void;
}
