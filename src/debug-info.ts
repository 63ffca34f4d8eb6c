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
  const stack = callerStack();
  if (stack !== undefined) sources.set(target, stack);
}

/** Gives `target` the creation place recorded for `from` (an awaitable and the future it makes). */
export function copySource(from: object, target: object): void {
  const source = sources.get(from);
  if (source !== undefined) sources.set(target, source);
}

/**
 * The stack of the code calling into the runtime now, the runtime's own frames dropped from
 * the top (as many frames as `Error.stackTraceLimit`); undefined if stacks are off.
 */
export function callerStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = limit + 20; // room for the runtime's own frames
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  if (stack === undefined) return undefined;
  const frames = stack.split('\n').slice(1);
  let first = 0;
  while (first < frames.length - 1 && isOwnFrame(frames[first]!)) first++;
  return frames.slice(first, first + limit).join('\n');
}

export function isOwnFrame(frame: string): boolean {
  return frame.includes(OWN_DIR) || frame.includes(OWN_DIR_URL);
}

export function sourceOf(target: unknown): string | undefined {
  return typeof target === 'object' && target !== null ? sources.get(target) : undefined;
}
