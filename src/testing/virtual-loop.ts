import { EventLoop, type UNTIL_WOKEN } from '../loop/event-loop.js';
import { enableTaskContext } from '../task-tracking.js';
import { Future, type Suspend, type Yieldable } from '../futures.js';
import { currentTask, type TaskTarget } from '../tasks.js';
import { run, type RunOptions } from '../runners.js';
import { requireRunningLoop, runningLoopOrNull } from '../loop/running.js';
import type { ReadyFn } from '../loop/ready-queue.js';
import { checkMs } from '../validate.js';

/** Options of `new VirtualEventLoop(options)`, `newVirtualEventLoop()` and `runVirtual()`. */
export interface VirtualLoopOptions {
  /** The clock's start (ms). Default: 0. */
  start?: number;
  /**
   * When every task is blocked, jump the clock to the next timer (default: true). With
   * false the clock moves only through `advance()`: for stepping time by hand.
   */
  autojump?: boolean;
}

const noop = (): void => {};
const settleTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * An event loop with a virtual clock, for tests. `time()` starts at 0 and stands still
 * while code runs; when every task is blocked (nothing ready, no timer due, nothing pending
 * outside the loop) the clock jumps straight to the next timer. A test that sleeps an hour
 * takes microseconds, and every time it sees is exact: `sleep(1000)` started at 0 ends at
 * exactly 1000.
 *
 * The clock does not jump while work outside the loop is pending (a Promise awaited through
 * `ensureFuture()`, an async function awaiting a foreign promise or real I/O): that work may
 * still call back into the loop, and would otherwise find the clock far ahead.
 *
 * Stepping by hand: `advance(ms)` moves the clock forward, running every timer that comes due,
 * in order, and everything they start; `runUntilIdle()` runs until every task is blocked,
 * without moving the clock. Both work from outside a stopped loop (the test drives it) and
 * from a task inside it (the task resumes once the other tasks are blocked). With
 * `{ autojump: false }` only `advance()` moves the clock.
 *
 * @example
 * import { run, sleep, getRunningLoop } from 'aio-ts';
 * import { VirtualEventLoop } from 'aio-ts/testing';
 *
 * // Automatic: the whole run happens in virtual time.
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   yield* sleep(3_600_000);
 *   console.log(loop.time()); // 3600000, at once
 * }, { loopFactory: () => new VirtualEventLoop() });
 *
 * // By hand, from a test:
 * const loop = new VirtualEventLoop();
 * const task = loop.createTask(function* () { yield* sleep(1000); return 'done'; });
 * await loop.runUntilIdle();   // the task started and sleeps; time is still 0
 * await loop.advance(999);     // time 999: not yet
 * console.log(task.done());    // false
 * await loop.advance(1);       // time 1000: the sleep ends, the task finishes
 * console.log(task.result());  // 'done'
 * loop.close();
 */
export class VirtualEventLoop extends EventLoop {
  #now: number;
  readonly #autojump: boolean;
  /** Set while `advance()`/`runUntilIdle()` drive the loop from outside: stop there, once idle. */
  #stopAt: number | null = null;
  /** Tasks inside waiting for the loop to be idle (`runUntilIdle()`). */
  #idleWaiters: Future<void>[] = [];
  /** Tasks inside waiting for the clock to reach a time (`advance()`), in no particular order. */
  #advanceWaiters: { when: number; future: Future<void> }[] = [];
  /** True right after a settle turn, until anything is scheduled. */
  #settled = false;
  /** Called when the loop stops (for steps awaited from outside while another caller ran it). */
  #stopListeners: (() => void)[] = [];

  /**
   * Throws TypeError if `start` is not a finite number.
   *
   * @param options `start` (the clock's first time, default 0) and `autojump` (default true).
   */
  constructor(options: VirtualLoopOptions = {}) {
    super();
    // Attribute async helpers to their task from the start, so that their awaits on the
    // loop count as blocked, not as foreign work holding the clock back.
    enableTaskContext();
    const start = options.start ?? 0;
    checkMs('VirtualEventLoop', 'options.start', start, { finite: true });
    this.#now = start;
    this.#autojump = options.autojump ?? true;
  }

  /** The virtual time in ms: it moves only when every task is blocked (or through `advance()`). */
  override time(): number {
    return this.#now;
  }

  /** Whether the clock jumps on its own when every task is blocked. */
  get autojump(): boolean {
    return this.#autojump;
  }

  /**
   * Moves the clock `ms` forward, running every timer that comes due (in order, each at its
   * own time) and all the work they cause; done when the clock reads `time() + ms` and every
   * task is blocked. From outside a stopped loop, this runs the loop and stops it again; from
   * a task inside it, the calling task resumes then.
   *
   * @example
   * import { VirtualEventLoop } from 'aio-ts/testing';
   *
   * const loop = new VirtualEventLoop({ autojump: false });
   * loop.callLater(50, () => console.log('at', loop.time()));
   * await loop.advance(100); // logs "at 50"
   * console.log(loop.time()); // 100
   * loop.close();
   */
  advance(ms: number): ClockStep {
    checkMs('advance', 'ms', ms, { finite: true, nonNegative: true });
    return new ClockStep(this, () => this.#now + ms);
  }

  /**
   * Runs the loop until every task is blocked (nothing ready, no timer due now, nothing
   * pending outside the loop), without moving the clock. From outside a stopped loop, this
   * runs the loop and stops it again; from a task inside it, the calling task resumes then.
   *
   * @example
   * import { createTask, sleep } from 'aio-ts';
   * import { VirtualEventLoop } from 'aio-ts/testing';
   *
   * const loop = new VirtualEventLoop();
   * let steps = 0;
   * loop.createTask(function* () {
   *   for (; steps < 3; steps++) yield* sleep(0);
   *   yield* sleep(1000);
   * });
   * await loop.runUntilIdle();
   * console.log(steps, loop.time()); // 3 0: the task now sleeps; the clock has not moved
   * loop.close();
   */
  runUntilIdle(): ClockStep {
    return new ClockStep(this, null);
  }

  override runForever(): Promise<void> {
    return super.runForever().finally(() => {
      const listeners = this.#stopListeners;
      this.#stopListeners = [];
      for (const listener of listeners) listener();
    });
  }

  /**
   * @internal A step awaited from outside the loop while another caller runs it: done when
   * the loop reaches it, or, if the loop stops first, by driving the loop on to it.
   */
  _stepFromOutside(until: number | null): Promise<void> {
    const target = until ?? this.#now;
    const future = this._idleFuture(until);
    return new Promise<void>((resolve, reject) => {
      future.addDoneCallback((f) => {
        if (!f.cancelled()) resolve();
      });
      this.#stopListeners.push(() => {
        if (future.done() && !future.cancelled()) {
          resolve();
          return;
        }
        future.cancel();
        if (this.isClosed()) reject(new Error('Event loop is closed'));
        else this._driveUntil(Math.max(target, this.#now)).then(resolve, reject);
      });
    });
  }

  /** @internal Drives a stopped loop until it is idle at `until`. */
  _driveUntil(until: number): Promise<void> {
    this.#stopAt = until;
    let running: Promise<void>;
    try {
      running = this.runForever();
    } catch (error) {
      this.#stopAt = null;
      return Promise.reject(error);
    }
    return running.finally(() => {
      this.#stopAt = null;
    });
  }

  /** @internal A future done when the loop is idle (at `until`, if given). */
  _idleFuture(until: number | null): Future<void> {
    const future = new Future<void>(this);
    if (until === null) this.#idleWaiters.push(future);
    else this.#advanceWaiters.push({ when: until, future });
    // The loop may be asleep, waiting for something to happen (a manual clock): wake it.
    this._pushReady(noop, null);
    return future;
  }

  /** @internal Anything scheduled means work: settle again before the next jump. */
  override _pushReady(fn: ReadyFn, arg: unknown): void {
    this.#settled = false;
    super._pushReady(fn, arg);
  }

  /** @internal Nothing is ready and no timer is due: wake idle waiters, jump the clock, or wait. */
  override _idle(nextWhen: number): Promise<void> | typeof UNTIL_WOKEN | undefined {
    if (this._foreignPending > 0) {
      // Outside work may still call back: wait for it (or for anything to be scheduled).
      this.#settled = false;
      return this._sleepUntilWoken(Infinity);
    }
    if (!this.#settled) {
      // Let promise reactions and immediates run: work they schedule comes before any jump.
      this.#settled = true;
      return settleTurn();
    }
    this.#settled = false;
    // Every task is blocked.
    if (this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const future of waiters) if (!future.done()) future.setResult(undefined);
      return undefined;
    }
    const now = this.#now;
    let target = Infinity;
    if (this.#advanceWaiters.length > 0) {
      let woke = false;
      this.#advanceWaiters = this.#advanceWaiters.filter(({ when, future }) => {
        if (future.done()) return false;
        if (when > now) {
          target = Math.min(target, when);
          return true;
        }
        future.setResult(undefined);
        woke = true;
        return false;
      });
      if (woke) return undefined;
    }
    if (this.#stopAt !== null) {
      if (this.#stopAt <= now) {
        this.stop();
        return undefined;
      }
      target = Math.min(target, this.#stopAt);
    }
    if (target === Infinity && !this.#autojump) target = now;
    const to = Math.min(nextWhen, target);
    // Stuck: no timer (or the clock may not move). Only something from outside can help.
    if (to <= now || to === Infinity) return this._sleepUntilWoken(Infinity);
    this.#now = to;
    return undefined;
  }
}

/**
 * What `advance()` and `runUntilIdle()` return: awaitable with `await` (from anywhere) or
 * `yield*` (from a generator task of the loop). Lazy: nothing happens until it is awaited.
 *
 * @example
 * import { VirtualEventLoop } from 'aio-ts/testing';
 *
 * const loop = new VirtualEventLoop();
 * const step = loop.advance(100); // nothing happens yet
 * await step;                      // now the loop runs to time 100
 * console.log(loop.time());        // 100
 * loop.close();
 */
export class ClockStep implements Yieldable<void>, PromiseLike<void> {
  readonly #loop: VirtualEventLoop;
  readonly #until: (() => number) | null;
  #future: Future<void> | null = null;
  #promise: Promise<void> | null = null;

  /** @internal */
  constructor(loop: VirtualEventLoop, until: (() => number) | null) {
    this.#loop = loop;
    this.#until = until;
  }

  /**
   * `yield* loop.advance(ms)` from a task of this loop: the task resumes once the step is
   * done. Throws if the running loop is not this one (from outside, use `await`).
   */
  [Symbol.iterator](): Iterator<Suspend, void, unknown> {
    if (runningLoopOrNull() !== this.#loop) {
      throw new Error('yield* of advance()/runUntilIdle() works only in a task of that VirtualEventLoop; outside, use await');
    }
    return this.#inside()[Symbol.iterator]();
  }

  then<R1 = void, R2 = never>(
    onfulfilled?: ((value: void) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.#promise === null) {
      const loop = this.#loop;
      if (loop.isClosed()) this.#promise = Promise.reject(new Error('Event loop is closed'));
      else if (!loop.isRunning()) this.#promise = loop._driveUntil(this.#until === null ? loop.time() : this.#until());
      else if (currentTask(loop) !== null) this.#promise = this.#inside().then(() => undefined);
      else this.#promise = loop._stepFromOutside(this.#until === null ? null : this.#until());
    }
    return this.#promise.then(onfulfilled, onrejected);
  }

  #inside(): Future<void> {
    return (this.#future ??= this.#loop._idleFuture(this.#until === null ? null : this.#until()));
  }
}

/**
 * `run(main)` on a `VirtualEventLoop`: the whole program runs in virtual time (the clock starts
 * at 0 and jumps to the next timer whenever every task is blocked).
 *
 * @example
 * import { test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { sleep, timeout, getRunningLoop, TimeoutError } from 'aio-ts';
 * import { runVirtual } from 'aio-ts/testing';
 *
 * // Generator coroutines:
 * test('retries after 30 s', async () => {
 *   const elapsed = await runVirtual(function* () {
 *     const loop = getRunningLoop();
 *     yield* sleep(30_000);
 *     return loop.time();
 *   });
 *   assert.equal(elapsed, 30_000); // exact, and instant
 * });
 *
 * // Async functions:
 * test('gives up after 1 s', async () => {
 *   await runVirtual(async () => {
 *     await assert.rejects(timeout(1000, async () => sleep(5000)), TimeoutError);
 *     assert.equal(getRunningLoop().time(), 1000);
 *   });
 * });
 */
export function runVirtual<T>(main: TaskTarget<T>, options: Omit<RunOptions, 'loopFactory'> & VirtualLoopOptions = {}): Promise<T> {
  const { start, autojump, ...runOptions } = options;
  const loopOptions: VirtualLoopOptions = {};
  if (start !== undefined) loopOptions.start = start;
  if (autojump !== undefined) loopOptions.autojump = autojump;
  return run(main, { ...runOptions, loopFactory: () => new VirtualEventLoop(loopOptions) });
}

/**
 * Creates a VirtualEventLoop: a loop factory for `run()` and `Runner`.
 *
 * @example
 * import { run, sleep, getRunningLoop } from 'aio-ts';
 * import { newVirtualEventLoop } from 'aio-ts/testing';
 *
 * const t = await run(function* () {
 *   yield* sleep(5000);
 *   return getRunningLoop().time();
 * }, { loopFactory: newVirtualEventLoop }); // t === 5000
 */
export function newVirtualEventLoop(options?: VirtualLoopOptions): VirtualEventLoop {
  return new VirtualEventLoop(options);
}

/**
 * `advance(ms)` of the running VirtualEventLoop, from a task inside it.
 *
 * @example
 * import { createTask, sleep, getRunningLoop } from 'aio-ts';
 * import { runVirtual, advance } from 'aio-ts/testing';
 *
 * await runVirtual(function* () {
 *   const ticker = createTask(function* () {
 *     for (;;) yield* sleep(100);
 *   });
 *   yield* advance(500); // 500 virtual ms pass; every timer due by then has run
 *   console.log(getRunningLoop().time()); // 500
 *   ticker.cancel();
 * }, { autojump: false }); // only advance() moves this clock
 */
export function advance(ms: number): ClockStep {
  return virtualLoop('advance').advance(ms);
}

/**
 * `runUntilIdle()` of the running VirtualEventLoop, from a task inside it: resumes the
 * calling task once every other task is blocked, without moving the clock.
 *
 * @example
 * import { createTask, getRunningLoop } from 'aio-ts';
 * import { runVirtual, runUntilIdle } from 'aio-ts/testing';
 *
 * await runVirtual(function* () {
 *   const ready = getRunningLoop().createFuture<string>();
 *   let got = '';
 *   createTask(function* () { got = yield* ready; });
 *   yield* runUntilIdle(); // the worker has started and now waits on `ready`
 *   ready.setResult('go');
 *   yield* runUntilIdle();
 *   console.log(got); // 'go'
 * });
 */
export function runUntilIdle(): ClockStep {
  return virtualLoop('runUntilIdle').runUntilIdle();
}

function virtualLoop(fn: string): VirtualEventLoop {
  const loop = requireRunningLoop();
  if (!(loop instanceof VirtualEventLoop)) {
    throw new TypeError(`${fn}() needs a VirtualEventLoop: run the test with runVirtual(main) or run(main, { loopFactory: newVirtualEventLoop })`);
  }
  return loop;
}
