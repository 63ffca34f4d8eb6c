/**
 * Error classes of the runtime. Each sets `name` to its class name so that
 * `String(err)` and stack traces say what happened.
 *
 * asyncio's `ValueError` cases throw `RangeError`; its `RuntimeError` cases throw `Error`.
 */

/** Thrown into a coroutine when its Task is cancelled (asyncio.CancelledError). */
export class CancelledError extends Error {
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

/** `run()` was interrupted by SIGINT (Python's KeyboardInterrupt). */
export class KeyboardInterrupt extends CancelledError {}
KeyboardInterrupt.prototype.name = 'KeyboardInterrupt';

/**
 * Creates a CancelledError without capturing a stack trace unless `withStack`:
 * cancellation is control flow, and a stack capture costs about a microsecond.
 */
export function makeCancelledError(message: string | undefined, withStack: boolean): CancelledError {
  if (withStack) return new CancelledError(message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const err = new CancelledError(message);
  Error.stackTraceLimit = limit;
  return err;
}
