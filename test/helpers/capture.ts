/** Small helpers shared by the core runtime tests. */
import { type EventLoop, type ExceptionContext } from '../../src/index.ts';

/** Replaces `console[method]` while `body` runs and returns what was logged. */
export async function captureConsole<T>(
  method: 'warn' | 'error' | 'log',
  body: () => T | Promise<T>,
): Promise<{ result: T; calls: unknown[][] }> {
  const original = console[method];
  const calls: unknown[][] = [];
  console[method] = (...args: unknown[]) => {
    calls.push(args);
  };
  try {
    const result = await body();
    return { result, calls };
  } finally {
    console[method] = original;
  }
}

/** Installs an exception handler on `loop` that records every context it gets. */
export function recordExceptions(loop: EventLoop): ExceptionContext[] {
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((handlerLoop, context) => {
    if (handlerLoop !== loop) throw new Error('exception handler called with the wrong loop');
    contexts.push(context);
  });
  return contexts;
}

/** Busy-waits (blocks the thread) for at least `ms` milliseconds. */
export function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** A Node timer outside the loop, as a promise. */
export function nodeDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
