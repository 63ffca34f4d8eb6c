import type { Future } from '../futures.js';
import type { Task } from '../tasks.js';
import type { Handle } from './handles.js';
import type { AbstractEventLoop } from './events.js';
import { sourceOf } from '../debug-info.js';

/** What the loop knows about an error it reports (asyncio's exception-handler context). */
export interface ExceptionContext {
  /** What happened, e.g. `Exception in callback …` or `Task exception was never retrieved: …`. */
  message: string;
  /** The error, if there was one. */
  exception?: unknown;
  /** The Future whose error is reported (e.g. one nobody retrieved). */
  future?: Future<unknown>;
  /** The Task whose error is reported. */
  task?: Task<unknown>;
  /** The Handle whose callback threw. */
  handle?: Handle;
  /** Where the failing object was created (debug mode). */
  sourceTraceback?: string;
  [key: string]: unknown;
}

/** Called as `handler(loop, context)`, as in asyncio. */
export type ExceptionHandler = (loop: AbstractEventLoop, context: ExceptionContext) => void;

export function defaultExceptionHandler(context: ExceptionContext): void {
  const lines = [context.message || 'Unhandled exception in event loop'];
  for (const [key, value] of Object.entries(context)) {
    if (key === 'message' || key === 'exception' || key === 'sourceTraceback') continue;
    lines.push(`${key}: ${String(value)}`);
  }
  const source = context.sourceTraceback ?? sourceOf(context.task) ?? sourceOf(context.future);
  if (source) lines.push(`Object created at (most recent call first):\n${source}`);
  const error = context.exception;
  if (error !== undefined) {
    lines.push(error instanceof Error && error.stack ? error.stack : `exception: ${String(error)}`);
  }
  console.error(lines.join('\n'));
}
