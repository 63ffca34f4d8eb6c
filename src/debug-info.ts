import { fileURLToPath } from 'node:url';

/**
 * Where Futures, Tasks and Handles were created, recorded in debug mode only. Kept
 * outside the objects so that debug support adds no field to them when it is off.
 */
const sources = new WeakMap<object, string>();

/** The runtime's own directory, as stack frames show it (a path, or a file: URL for ESM). */
const OWN_DIR_URL = new URL('.', import.meta.url).href;
const OWN_DIR = fileURLToPath(OWN_DIR_URL);

/**
 * Records where `target` is being created: the stack from the code that created it (the
 * runtime's own frames are dropped from the top), as many frames as `Error.stackTraceLimit`.
 */
export function recordSource(target: object): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = limit + 20; // room for the runtime's own frames
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  if (stack === undefined) return;
  const frames = stack.split('\n').slice(1);
  let first = 0;
  while (first < frames.length - 1 && isOwnFrame(frames[first]!)) first++;
  sources.set(target, frames.slice(first, first + limit).join('\n'));
}

function isOwnFrame(frame: string): boolean {
  return frame.includes(OWN_DIR) || frame.includes(OWN_DIR_URL);
}

export function sourceOf(target: unknown): string | undefined {
  return typeof target === 'object' && target !== null ? sources.get(target) : undefined;
}
