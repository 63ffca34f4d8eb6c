import { Future, type Awaitable } from './futures.js';
import { Task, currentTask, describe, isIterator, isThenable, type TaskTarget } from './tasks.js';
import { getRunningLoop } from './loop/running.js';
import type { EventLoop } from './loop/event-loop.js';

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
export function ensureFuture<T>(value: Awaitable<T> | TaskTarget<T>, loop?: EventLoop): Future<T> {
  if (value instanceof Future) {
    if (loop !== undefined && value._loop !== loop) {
      throw new RangeError('The future belongs to a different loop than the one specified as the loop argument');
    }
    return value;
  }
  const l = loop ?? getRunningLoop();
  if (typeof value === 'function' || isIterator(value)) return new Task(value as TaskTarget<T>, undefined, l);
  if (isYieldable(value)) return new Task(value[Symbol.iterator]() as TaskTarget<T>, undefined, l);
  if (isThenable(value)) return fromPromise(value as PromiseLike<T>, l);
  throw new TypeError(`A Future, a coroutine, an async function or a Promise is required, got ${describe(value)}`);
}

/**
 * A Future that settles with `promise`. Until then the loop counts the promise as foreign
 * work (a virtual clock does not jump past it) — unless it was made by code of a task (an
 * async helper a coroutine or async function called): then it is that task's own async
 * work, foreign only while the task awaits nothing of the loop's.
 */
export function fromPromise<T>(promise: PromiseLike<T>, loop: EventLoop): Future<T> {
  const future = new Future<T>(loop);
  const owner = currentTask(loop);
  if (owner !== null) owner._asyncEnter();
  else loop._foreignStarted();
  const settled = (): void => {
    if (owner !== null) owner._asyncExit();
    else loop._foreignSettled();
  };
  promise.then(
    (value) => {
      settled();
      if (!future.done() && !loop.isClosed()) future._resolve(value);
    },
    (error) => {
      settled();
      if (!future.done() && !loop.isClosed()) future._reject(error);
    },
  );
  return future;
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
