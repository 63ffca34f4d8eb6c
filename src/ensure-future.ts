import { CANCELLED, Future, PENDING, type Awaitable } from './futures.js';
import { CancelledError } from './errors.js';
import { Task, currentTask, spawnTask, type TaskTarget } from './tasks.js';
import { describe, isIterator, isThenable } from './values.js';
import { checkLoop } from './validate.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';

/**
 * Turns `value` into a Future of `loop` (default: the running loop): a Future is returned
 * as is; a coroutine, coroutine function, async function or other yieldable becomes a Task;
 * a Promise becomes a Future settled with it. A Promise cannot be stopped: cancelling
 * its Future stops the wait, not the work.
 *
 * @example
 * import { run, ensureFuture } from 'aio-ts';
 * import { readFile } from 'node:fs/promises';
 *
 * await run(function* () {
 *   // A coroutine cannot `await`: `yield*` a Future of the Promise instead.
 *   const text = yield* ensureFuture(readFile('package.json', 'utf8'));
 *   console.log(JSON.parse(text).name);
 * });
 */
export function ensureFuture<T>(value: Awaitable<T> | TaskTarget<T>, loop?: AbstractEventLoop): Future<T> {
  if (value instanceof Future) {
    if (loop !== undefined && value._loop !== loop) {
      throw new RangeError('The future belongs to a different loop than the one specified as the loop argument');
    }
    return value;
  }
  if (loop !== undefined) checkLoop('ensureFuture', 'loop', loop);
  const l = loop ?? requireRunningLoop();
  if (typeof value === 'function' || isIterator(value)) return spawnTask(value as TaskTarget<T>, undefined, l);
  if (isYieldable(value)) return spawnTask(value[Symbol.iterator]() as TaskTarget<T>, undefined, l);
  if (isThenable(value)) {
    if (l._debug) warnPromise(value);
    return fromPromise(value as PromiseLike<T>, l);
  }
  throw new TypeError(`A Future, a coroutine, an async function or a Promise is required, got ${describe(value)}`);
}

/**
 * Debug mode: a Promise handed where a Task could run the work (gather, waitFor, shield,
 * asCompleted, ensureFuture) works, but cancelling cannot stop the work behind it.
 */
function warnPromise(promise: unknown): void {
  console.warn(
    `aio: awaiting ${describe(promise)}: cancelling cannot stop the work behind a Promise. ` +
      'Pass the async function itself (gather(fn) rather than gather(fn())) so that it runs as a cancellable Task, ' +
      'or hand currentTask().signal to the API that made the Promise.',
  );
}

/**
 * A Future that settles with `promise` (see `settleFromPromise`), counted as work of the
 * task whose code made the promise, if any, else as foreign work of the loop.
 */
export function fromPromise<T>(promise: PromiseLike<T>, loop: AbstractEventLoop): Future<T> {
  const future = new Future<T>(loop);
  settleFromPromise(future, promise, currentTask(loop));
  return future;
}

/**
 * @internal The one adapter from a Promise to a Future: settles `future` with `promise`'s
 * outcome, unless the future is done by then (cancelled: the outcome is dropped) or the loop
 * closed. A CancelledError rejection cancels the future with that very error. Until the
 * promise settles, the loop counts it as foreign work (a virtual clock does not jump past it)
 * — unless `owner` is given, the task whose async code the promise is: then it is foreign
 * only while that code awaits nothing of the loop's. `onSettled` runs first, when it settles.
 */
export function settleFromPromise<T>(
  future: Future<T>,
  promise: PromiseLike<T>,
  owner: Task<unknown> | null,
  onSettled?: () => void,
): void {
  if (owner !== null) owner._asyncEnter();
  else future._loop._foreignStarted();
  // Two closures and a shared function: this runs for every Promise awaited from a coroutine.
  promise.then(
    (value) => settle(future, owner, onSettled, true, value),
    (error: unknown) => settle(future, owner, onSettled, false, error),
  );
}

function settle<T>(future: Future<T>, owner: Task<unknown> | null, onSettled: (() => void) | undefined, ok: boolean, value: unknown): void {
  const loop = future._loop;
  if (owner !== null) owner._asyncExit();
  else loop._foreignSettled();
  onSettled?.();
  if (future._state !== PENDING || loop.isClosed()) return;
  if (ok) future._resolve(value);
  else if (value instanceof CancelledError) {
    future._state = CANCELLED;
    future._result = value; // re-thrown as is to whoever awaits the future
    future._scheduleCallbacks();
  } else future._reject(value);
}

function isYieldable(value: unknown): value is { [Symbol.iterator](): Iterator<unknown> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' &&
    !Array.isArray(value) &&
    typeof value !== 'string'
  );
}
