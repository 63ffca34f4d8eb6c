/**
 * Where Futures, Tasks and Handles were created, recorded in debug mode only. Kept
 * outside the objects so that debug support adds no field to them when it is off.
 */
const sources = new WeakMap<object, string>();

export function recordSource(target: object): void {
  const stack = new Error().stack;
  if (stack !== undefined) sources.set(target, stack.split('\n').slice(2).join('\n'));
}

export function sourceOf(target: unknown): string | undefined {
  return typeof target === 'object' && target !== null ? sources.get(target) : undefined;
}
