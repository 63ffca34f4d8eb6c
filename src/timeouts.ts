import { CancelledError, TimeoutError } from './errors.js';
import { type Coro } from './futures.js';
import { currentTask, type Task } from './tasks.js';
import { describe, isIterator } from './values.js';
import { checkMs } from './validate.js';
import { InlineAwaitable, runBody, type Mode } from './body-runner.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import type { Handle } from './loop/handles.js';
import { anchorMaps } from './loop/map-anchors.js';
import { reportSwallowedTimeout } from './debug-cancel.js';
import { observing, emitTimeoutFired } from './debug-events.js';

/** A body run under a deadline: a generator function or an async function, given the `Timeout`. */
export type TimeoutBody<T> = (cm: Timeout) => Coro<T> | PromiseLike<T>;

const CREATED = 'created';
const ENTERED = 'active';
const EXPIRING = 'expiring';
const EXPIRED = 'expired';
const EXITED = 'finished';
type State = typeof CREATED | typeof ENTERED | typeof EXPIRING | typeof EXPIRED | typeof EXITED;

/**
 * The deadline of a `timeout()`/`timeoutAt()` block (asyncio.Timeout), handed to the body as
 * `cm`. When it passes, the task running the body is cancelled; the block turns that
 * cancellation into `TimeoutError` on the way out (only the block whose deadline passed does:
 * an enclosing one, or a cancellation from elsewhere, goes through unchanged).
 *
 * @example
 * import { run, sleep, timeout, getRunningLoop } from 'aio-ts';
 *
 * await run(function* () {
 *   yield* timeout(1000, function* (cm) {
 *     yield* sleep(500); // "connect"
 *     cm.reschedule(getRunningLoop().time() + 5000); // connected: allow 5 s for the transfer
 *     yield* sleep(3000); // "transfer": finishes in time
 *     console.log(cm.expired()); // false
 *   });
 * });
 */
export class Timeout {
  #state: State = CREATED;
  #when: number | null;
  #task: Task<unknown> | null = null;
  #loop: AbstractEventLoop | null = null;
  #handle: Handle | null = null;
  /** The task's `cancelling()` count on entry: a cancellation beyond it is not ours. */
  #cancelling = 0;
  readonly #message: string | null;

  /** @internal Use `timeout()` or `timeoutAt()`. `when` is a loop time (ms) or null (no deadline). */
  constructor(when: number | null, message: string | null = null) {
    this.#when = when;
    this.#message = message;
  }

  /** The deadline (loop time in ms, see `loop.time()`), or null if there is none. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline to loop time `when` (ms), or removes it (null). A deadline already in
   * the past expires at the next loop iteration. Only while the block runs and has not expired.
   */
  reschedule(when: number | null): void {
    if (this.#state !== ENTERED) {
      if (this.#state === CREATED) throw new Error('Timeout has not been entered: reschedule() works inside the body');
      throw new Error(`Cannot change state of ${this.#state} Timeout: reschedule() works only before the deadline passes`);
    }
    checkMs('reschedule', 'when', when, { nullable: true });
    when ??= null;
    const loop = this.#loop!;
    this.#when = when;
    this.#handle?.cancel();
    if (when === null) this.#handle = null;
    else if (when <= loop.time()) this.#handle = loop.callSoon(this.#expire);
    else this.#handle = loop.callAt(when, this.#expire);
  }

  /** True once the deadline has passed while the block ran (even if the body then caught the cancellation). */
  expired(): boolean {
    return this.#state === EXPIRING || this.#state === EXPIRED;
  }

  toString(): string {
    if (this.#state !== ENTERED) return `<Timeout [${this.#state}]>`;
    const when = this.#when === null ? 'null' : String(Math.round(this.#when * 1000) / 1000);
    return `<Timeout [${this.#state}] when=${when}>`;
  }

  /** @internal Starts the block in the current task. */
  _enter(): void {
    if (this.#state !== CREATED) throw new Error('Timeout has already been entered: each timeout() runs its body once');
    const task = currentTask();
    if (task === null) {
      throw new Error('timeout() must run inside a task: await it from a coroutine or async function run by run() or createTask()');
    }
    this.#state = ENTERED;
    this.#task = task;
    this.#loop = task._loop;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
  }

  /**
   * @internal Ends the block; `failed` tells whether the body threw `error`. Throws
   * TimeoutError (caused by the CancelledError) when this deadline's cancellation ends it.
   */
  _exit(failed: boolean, error: unknown): void {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === EXPIRING) {
      this.#state = EXPIRED;
      // Debug mode: the cancel reached the block (none is left to throw in) and the block ate it.
      if (!failed && this.#loop!._debug && !this.#task!._mustCancel) reportSwallowedTimeout(this.#task!, this.#when!);
      // No cancellation requested beyond ours: the CancelledError is ours to turn into TimeoutError.
      if (this.#task!.uncancel() <= this.#cancelling && failed && error instanceof CancelledError) {
        const message = this.#message ?? `timeout expired: the deadline (loop time ${this.#when} ms) passed`;
        throw new TimeoutError(message, { cause: error });
      }
    } else if (this.#state === ENTERED) {
      this.#state = EXITED;
    }
  }

  readonly #expire = (): void => {
    this.#handle = null;
    if (this.#state !== ENTERED) return;
    this.#state = EXPIRING;
    if (observing) emitTimeoutFired(this.#task!, this.#when);
    this.#task!.cancel();
  };
}

anchorMaps(() => new Timeout(null));

/** @internal The coroutine of a timeout block: enter, run the body in the calling task, exit. */
export function* runTimeout<T>(cm: Timeout, body: (cm: Timeout) => unknown, mode: Mode): Coro<T> {
  cm._enter();
  let result: T;
  try {
    result = yield* runBody<Timeout, T>(body, cm, mode);
  } catch (error) {
    cm._exit(true, error);
    throw error;
  }
  cm._exit(false, undefined);
  return result;
}

/**
 * Runs `body(cm)` in the calling task (like `async with asyncio.timeout(...)`) and returns an
 * awaitable of its result. If `ms` milliseconds pass first (counted from when the body
 * starts), the body is cancelled (`CancelledError` at its current await; it may clean up) and
 * `TimeoutError` is thrown, its `cause` being that CancelledError. `ms` null: no deadline
 * (it can be set later with `cm.reschedule()`). `body` is a generator function or an async
 * function; `cm` is the `Timeout` (`when()`, `reschedule()`, `expired()`). Nested timeouts
 * behave as in asyncio: only the one whose deadline passed raises `TimeoutError`.
 *
 * @example
 * import { run, sleep, timeout, TimeoutError } from 'aio-ts';
 *
 * // Generator coroutines:
 * await run(function* () {
 *   try {
 *     yield* timeout(100, function* () {
 *       yield* sleep(1000);
 *     });
 *   } catch (error) {
 *     if (error instanceof TimeoutError) console.log('took too long');
 *   }
 * });
 *
 * // Async functions:
 * const answer = await run(async () =>
 *   timeout(1000, async () => {
 *     await sleep(10);
 *     return 42;
 *   }),
 * );
 */
export function timeout<T>(ms: number | null, body: TimeoutBody<T>): InlineAwaitable<T> {
  checkMs('timeout', 'ms', ms, { nullable: true });
  checkBody('timeout', body);
  return new InlineAwaitable<T>((mode) => {
    const when = ms == null ? null : requireRunningLoop().time() + ms;
    return runTimeout<T>(new Timeout(when), body, mode);
  });
}

/**
 * Like `timeout()`, with the deadline given as a loop time in ms (see `loop.time()`), or null.
 *
 * @example
 * import { run, sleep, timeoutAt, getRunningLoop } from 'aio-ts';
 *
 * await run(function* () {
 *   const deadline = getRunningLoop().time() + 1000;
 *   yield* timeoutAt(deadline, function* () {
 *     yield* sleep(300); // step 1
 *     yield* sleep(300); // step 2: both steps together get one second
 *   });
 * });
 */
export function timeoutAt<T>(when: number | null, body: TimeoutBody<T>): InlineAwaitable<T> {
  checkMs('timeoutAt', 'when', when, { nullable: true });
  checkBody('timeoutAt', body);
  return new InlineAwaitable<T>((mode) =>
    runTimeout<T>(new Timeout(when ?? null), body, mode),
  );
}

function checkBody(fn: string, body: unknown): void {
  if (isIterator(body)) {
    throw new TypeError(
      `${fn}() expects a body function, got a coroutine object: pass the function itself (${fn}(…, function* (cm) { … })); to give one coroutine a deadline, use waitFor(coro, ms)`,
    );
  }
  if (typeof body !== 'function') {
    throw new TypeError(`${fn}() expects a body: a generator function or async function taking the Timeout, got ${describe(body)}`);
  }
}
