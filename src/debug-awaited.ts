/**
 * Debug mode: runtime awaitables created but never awaited (asyncio's "coroutine … was never
 * awaited"). `sleep(100);` without `yield*`/`await` does nothing, silently: in debug mode the
 * lazy awaitables the runtime makes (sleep(), a primitive's operation, inline operations such
 * as timeout() or condition.wait()) are registered when created, unregistered when first
 * awaited or run, and reported through the loop's exception handler when collected unused.
 *
 * Generator objects made by calling a user's `function*` cannot be seen: nothing runs when
 * they are created, and nothing of the runtime is called when they are dropped.
 */
import { recordSource, sourceOf } from './debug-info.js';
import { runningLoopOrNull } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';

interface Unawaited {
  loop: AbstractEventLoop;
  what: string;
  source: string | undefined;
}

/** Set once anything was tracked: until then `markAwaited` is a single check. */
let tracking = false;

const registry = new FinalizationRegistry<Unawaited>(({ loop, what, source }) => {
  const context: { message: string; sourceTraceback?: string } = {
    message:
      `${what} was never awaited: it was created and dropped, so it did nothing. ` +
      'Await it (yield* in a generator coroutine, await in an async function) or run it with createTask()',
  };
  if (source !== undefined) context.sourceTraceback = source;
  loop.callExceptionHandler(context);
});

/** Registers `awaitable` if the running loop is in debug mode; `what` names it in the report. */
export function trackAwaitable(awaitable: object, what: string): void {
  const loop = runningLoopOrNull();
  if (loop === null || !loop._debug) return;
  tracking = true;
  recordSource(awaitable);
  const source = sourceOf(awaitable);
  registry.register(awaitable, { loop, what, source }, awaitable);
}

/** `awaitable` is being awaited or run: it will not be reported. */
export function markAwaited(awaitable: object): void {
  if (tracking) registry.unregister(awaitable);
}
