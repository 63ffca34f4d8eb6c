import { Future, PENDING, RESUMED, promiseFor, ThenSettler, type Suspend, type Yieldable } from './futures.js';
import { asyncContextTask } from './task-tracking.js';
import type { Task } from './tasks.js';
import { requireRunningLoop, runningLoopOrNull } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import type { Timer } from './loop/timer-queue.js';
import { anchorMaps } from './loop/map-anchors.js';
import { checkMs } from './validate.js';
import { markAwaited, trackAwaitable } from './debug-awaited.js';
import { copySource } from './debug-info.js';

/**
 * A Future completed by a timer, and that timer itself (it sits in the loop's timer heap):
 * one object per `sleep(ms)` instead of a Future, a TimerHandle and its arguments.
 * Cancelling the future cancels the timer.
 */
class TimerFuture<T> extends Future<T> implements Timer {
  readonly _when: number;
  _seq = 0;
  _scheduled = false;
  _cancelled = false;
  readonly #value: T;

  constructor(loop: AbstractEventLoop, delay: number, value: T) {
    super(loop);
    this._when = loop.time() + delay;
    this.#value = value;
    loop._addTimer(this, delay);
  }

  /** Due: completes the future (unless it was cancelled meanwhile). */
  _run(): void {
    if (this._state === PENDING) this._resolve(this.#value);
  }

  override cancel(msg?: string): boolean {
    if (!super.cancel(msg)) return false;
    this._cancelled = true;
    if (this._scheduled) this._loop._timerHandleCancelled();
    return true;
  }
}

const BARE_YIELD: IteratorResult<Suspend, never> = Object.freeze({ done: false, value: null });
const DONE_VOID: IteratorResult<Suspend, any> = Object.freeze({ done: true, value: undefined });

/** Shared by the two kinds of sleep. */
abstract class SleepBase<T> implements Yieldable<T>, Iterator<Suspend, T, unknown>, PromiseLike<T> {
  abstract next(sent?: unknown): IteratorResult<Suspend, T>;
  abstract then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;

  [Symbol.iterator](): Iterator<Suspend, T, unknown> {
    return this;
  }

  throw(error: unknown): IteratorResult<Suspend, T> {
    throw error;
  }
}

/**
 * `sleep(0)`: one bare hop through the ready queue, no timer. Stateless (the Task sends
 * RESUMED when it steps the coroutine again), so `sleep(0)` allocates nothing.
 */
class ZeroSleep<T> extends SleepBase<T> {
  readonly #result: T;

  constructor(result: T) {
    super();
    this.#result = result;
  }

  next(sent?: unknown): IteratorResult<Suspend, T> {
    if (sent !== RESUMED) return BARE_YIELD;
    const result = this.#result;
    return result === undefined ? DONE_VOID : { done: true, value: result };
  }

  override toString(): string {
    return '<sleep 0 ms>';
  }

  /**
   * `await sleep(0)`: one hop through the ready queue, without a Future (async functions
   * await it often). A cancel requested meanwhile finds no future to cancel, so it is kept as
   * the task's must-cancel and thrown here, as a generator task's next step would throw it.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const loop = requireRunningLoop();
    const task = asyncContextTask<Task<unknown>>();
    const waiter = new HopWaiter(task, onfulfilled, onrejected, this.#result);
    const promise = promiseFor<R1 | R2>(waiter);
    // A cancel requested while the task awaited something foreign arrives at this await.
    const cancelled = task !== null && task._loop === loop ? task._takeCancel() : null;
    if (cancelled !== null) waiter.settle(false, cancelled);
    else loop._pushReady(resumeAfterHop, waiter);
    return promise;
  }
}

/** An `await sleep(0)` waiting for its hop. */
class HopWaiter extends ThenSettler {
  constructor(
    task: Task<unknown> | null,
    onfulfilled: ((value: any) => unknown) | null | undefined,
    onrejected: ((reason: any) => unknown) | null | undefined,
    readonly result: unknown,
  ) {
    super(task, onfulfilled, onrejected);
  }
}

function resumeAfterHop(waiter: HopWaiter): void {
  const task = waiter.task;
  const cancelled = task !== null && task._state === PENDING ? task._takeCancel() : null;
  if (cancelled !== null) waiter.settle(false, cancelled);
  else waiter.settle(true, waiter.result);
}

const ZERO_SLEEP = new ZeroSleep<void>(undefined);

/** `sleep(ms > 0)`: lazy like a coroutine (the timer starts when first awaited) and single-use. */
class TimerSleep<T> extends SleepBase<T> {
  readonly #ms: number;
  readonly #result: T;
  #future: TimerFuture<T> | null = null;

  constructor(ms: number, result: T) {
    super();
    this.#ms = ms;
    this.#result = result;
  }

  next(): IteratorResult<Suspend, T> {
    return this.future()[Symbol.iterator]().next();
  }

  override throw(error: unknown): IteratorResult<Suspend, T> {
    this.#future?.cancel();
    throw error;
  }

  override toString(): string {
    return `<sleep ${this.#ms} ms>`;
  }

  return(value?: T): IteratorResult<Suspend, T> {
    this.#future?.cancel();
    return { done: true, value: value as T };
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.future().then(onfulfilled, onrejected);
  }

  private future(): Future<T> {
    if (this.#future !== null) return this.#future;
    const loop = requireRunningLoop();
    const future = (this.#future = new TimerFuture<T>(loop, this.#ms, this.#result));
    if (loop._debug) awaitedInDebug(this, future);
    return future;
  }
}

/** Debug mode: a sleep is awaited; its timer future is reported as created where the sleep was. */
function awaitedInDebug(sleep: object, future: object): void {
  markAwaited(sleep);
  copySource(sleep, future);
}

/**
 * Debug mode: `sleep(0)` makes an object of its own (not the shared one), so that one made and
 * dropped can be reported; it counts as awaited when stepped or awaited.
 */
class TrackedZeroSleep<T> extends ZeroSleep<T> {
  override next(sent?: unknown): IteratorResult<Suspend, T> {
    markAwaited(this);
    return super.next(sent);
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    markAwaited(this);
    return super.then(onfulfilled, onrejected);
  }
}

anchorMaps((loop: AbstractEventLoop) => [
  new TimerFuture(loop, 2 ** 31, undefined), // a whole delay: the loop's timer queue gets a list too
  new TimerSleep(1, undefined),
  new ZeroSleep(1),
  new HopWaiter(null, null, null, undefined),
]);

/** The awaitable `sleep()` returns: `yield*`-able and thenable. */
export type Sleep<T> = SleepBase<T>;

/**
 * Suspends the calling task for `ms` milliseconds, then returns `result`.
 * `sleep(0)` (or a negative delay) yields to the loop for exactly one iteration.
 *
 * @example
 * import { run, gather, sleep, type Coro } from 'aio-ts';
 *
 * function* greet(name: string): Coro<void> {
 *   console.log(`Hello, ${name}!`);
 *   yield* sleep(1000);
 *   console.log(`Goodbye, ${name}!`);
 * }
 *
 * // Three greetings in one second, not three.
 * await run(() => gather(greet('Alice'), greet('Bob'), greet('Charlie')));
 * // In an async function: `await sleep(1000)`; `sleep(ms, value)` returns `value`.
 * console.log(await run(async () => await sleep(10, 'done'))); // done
 */
export function sleep(ms: number): Sleep<void>;
export function sleep<T>(ms: number, result: T): Sleep<T>;
export function sleep<T>(ms: number, result?: T): Sleep<T | undefined> {
  checkMs('sleep', 'ms', ms);
  const debugLoop = runningLoopOrNull();
  if (debugLoop !== null && debugLoop._debug) return trackedSleep(ms, result);
  if (ms > 0) return new TimerSleep(ms, result);
  return result === undefined ? (ZERO_SLEEP as Sleep<undefined>) : new ZeroSleep(result);
}

/** Debug mode: a sleep registered to be reported if it is never awaited. */
function trackedSleep<T>(ms: number, result: T): Sleep<T> {
  const sleep = ms > 0 ? new TimerSleep(ms, result) : new TrackedZeroSleep(result);
  trackAwaitable(sleep, `${sleep}`);
  return sleep;
}
