import type { Future } from '../futures.js';
import { getRunningLoop } from '../loop/event-loop.js';

/**
 * Runs `fn(...args)` in the running loop's default executor and returns a Future of its
 * result (asyncio.to_thread): `yield*` it in a coroutine, `await` it in an async function.
 * The default executor is a `ThreadPoolExecutor`, so `fn` must be self-contained or a
 * `moduleTask()`, and its arguments and result cross by structured clone; context variables
 * do not cross (unlike Python's, a worker thread shares no memory with the loop). Cancelling
 * the Future stops the job (the default pool's `cancelRunning` is `'terminate'`). Throws
 * `Error('no running event loop')` outside a loop.
 *
 * @example
 * import { run, toThread, timeout } from 'aio-ts';
 *
 * function fib(n: number): number {
 *   return n < 2 ? n : fib(n - 1) + fib(n - 2); // refers only to itself: self-contained
 * }
 * await run(function* () {
 *   console.log(yield* toThread(fib, 25)); // 75025, computed in a worker thread
 * });
 * await run(async () => {
 *   // The deadline stops the worker too, not only the wait.
 *   await timeout(50, async () => toThread((ms: number) => { for (const end = Date.now() + ms; Date.now() < end; ); }, 10_000)).catch((e: Error) => console.log(e.name)); // TimeoutError
 * });
 */
export function toThread<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
  return getRunningLoop().runInExecutor(null, fn, ...args);
}
