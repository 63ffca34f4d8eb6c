import type { AbstractEventLoop } from './events.js';

let running: AbstractEventLoop | null = null;

/**
 * @internal The loop currently running, as the layers below the loop see it; throws outside
 * one. Users call `getRunningLoop()`, which gives the full EventLoop.
 */
export function requireRunningLoop(): AbstractEventLoop {
  if (running === null) throw new Error('no running event loop');
  return running;
}

/** The running loop, or null. */
export function runningLoopOrNull(): AbstractEventLoop | null {
  return running;
}

/** @internal */
export function setRunningLoop(loop: AbstractEventLoop | null): void {
  running = loop;
}
