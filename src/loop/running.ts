import type { EventLoop } from './event-loop.js';

let running: EventLoop | null = null;

/**
 * The loop currently running (`runForever`/`runUntilComplete`/`run`), as
 * asyncio.get_running_loop; throws `Error('no running event loop')` outside one.
 *
 * @example
 * import { run, sleep, getRunningLoop } from 'aio-ts';
 *
 * await run(function* () {
 *   const loop = getRunningLoop();
 *   const start = loop.time();
 *   loop.callLater(100, () => console.log('called after', loop.time() - start, 'ms')); // ~100
 *   yield* sleep(150);
 * });
 */
export function getRunningLoop(): EventLoop {
  if (running === null) throw new Error('no running event loop');
  return running;
}

/** The running loop, or null. */
export function runningLoopOrNull(): EventLoop | null {
  return running;
}

/** @internal */
export function setRunningLoop(loop: EventLoop | null): void {
  running = loop;
}
