import { anchorMaps } from './loop/map-anchors.js';

/**
 * Error classes of the runtime. Each sets `name` to its class name so that
 * `String(err)` and stack traces say what happened.
 *
 * asyncio's `ValueError` cases throw `RangeError`; its `RuntimeError` cases throw `Error`.
 */

/**
 * Thrown into a coroutine when its Task is cancelled (asyncio.CancelledError), where the
 * coroutine waits. It may catch it to clean up, and should let it propagate afterwards.
 *
 * @example
 * import { run, createTask, sleep, CancelledError } from 'aio-ts';
 *
 * await run(function* () {
 *   const worker = createTask(function* () {
 *     try {
 *       yield* sleep(60_000);
 *     } catch (error) {
 *       if (error instanceof CancelledError) console.log('cancelled:', error.message); // cancelled: shutting down
 *       throw error;
 *     }
 *   });
 *   yield* sleep(10);
 *   worker.cancel('shutting down');
 *   try { yield* worker; } catch (error) { console.log(worker.cancelled()); } // true
 * });
 */
export class CancelledError extends Error {
  /** @param message The cancel message (`task.cancel(msg)`); default: empty. */
  constructor(message?: string) {
    super(message ?? '');
  }
}
// On the prototype rather than per instance: cancellation is frequent.
CancelledError.prototype.name = 'CancelledError';

/** The deadline of `waitFor`, `timeout` or `asCompleted` passed. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** An operation is not allowed in the Future's current state (e.g. `result()` while pending). */
export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

/** `getNowait()` found the queue empty (asyncio.QueueEmpty). */
export class QueueEmpty extends Error {
  override name = 'QueueEmpty';
}

/** `putNowait()` found the queue full (asyncio.QueueFull). */
export class QueueFull extends Error {
  override name = 'QueueFull';
}

/** The queue was shut down: no more `put()`s, and no more `get()`s once it is empty (asyncio.QueueShutDown). */
export class QueueShutDown extends Error {
  override name = 'QueueShutDown';
}

/** A barrier was reset or aborted while a task waited on it, or is broken (asyncio.BrokenBarrierError). */
export class BrokenBarrierError extends Error {
  override name = 'BrokenBarrierError';
}

/**
 * Node.js was about to exit while `run()` (or `loop.runUntilComplete()`) was still waiting:
 * nothing left in the process could wake its pending tasks — a deadlock (a task waiting on an
 * Event nobody sets) or a Promise that never settles. `tasks` describes each pending task and
 * what it waits on; the message lists them too.
 */
export class DeadlockError extends Error {
  override name = 'DeadlockError';

  /** @param tasks One line per pending task: its name and what it waits on. */
  constructor(readonly tasks: string[]) {
    super(
      'the event loop cannot finish: Node.js has nothing left to do that could wake its pending tasks ' +
        '(a deadlock, or a Promise that never settles). Pending tasks:\n' +
        tasks.map((t) => `  - ${t}`).join('\n'),
    );
  }
}

/** `run()` was interrupted by SIGINT (Python's KeyboardInterrupt). */
export class KeyboardInterrupt extends CancelledError {}
KeyboardInterrupt.prototype.name = 'KeyboardInterrupt';

/**
 * A CancelledError made without running the Error constructor, which costs about half a
 * microsecond even with no stack trace to capture: cancellation is control flow, and a
 * storm of 100k cancellations should not pay for 100k stack walks. It is a real
 * `CancelledError` (`instanceof` holds); its `stack` is just `CancelledError: message`.
 */
const FastCancelledError = function (this: { message: string }, message: string) {
  this.message = message;
} as unknown as new (message: string) => CancelledError;
FastCancelledError.prototype = CancelledError.prototype;
Object.defineProperty(CancelledError.prototype, 'stack', {
  configurable: true,
  get(this: CancelledError) {
    return this.message ? `${this.name}: ${this.message}` : this.name;
  },
});

/** Creates a CancelledError; with a stack trace only when `withStack` (debug mode). */
export function makeCancelledError(message: string | undefined, withStack: boolean): CancelledError {
  return withStack ? new CancelledError(message) : new FastCancelledError(message ?? '');
}

/**
 * @internal The message of a cancel, from what a future keeps of it (`Future._result` once
 * cancelled, or a pending Task's latest request): a CancelledError's message (undefined when
 * empty), or the message given to `cancel()`.
 */
export function cancelMessageOf(cancel: unknown): string | undefined {
  if (cancel instanceof Error) return cancel.message === '' ? undefined : cancel.message;
  return cancel === undefined || cancel === null ? undefined : String(cancel);
}

anchorMaps(() => new FastCancelledError(''));
