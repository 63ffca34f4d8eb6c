import type { EventLoop } from './event-loop.js';

let running: EventLoop | null = null;

/** The loop currently running (`runForever`/`runUntilComplete`/`run`); throws outside one. */
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
