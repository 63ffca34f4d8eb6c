/**
 * Leaf helpers about plain values, shared by every layer: what a value is (iterator,
 * thenable) and how error messages show it. Imports nothing of the runtime.
 */

/** Sentinel for "resume without an exception" (anything, even undefined, can be thrown). */
export const NO_ERROR: unique symbol = Symbol('aio.noError');
export type NoError = typeof NO_ERROR;

/** The constructor of generator functions (`fn instanceof GeneratorFunction`). */
export const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as GeneratorFunctionConstructor;

/** Whether `value` can be resumed like a coroutine (has `next` and `throw`). */
export function isIterator(value: unknown): value is Iterator<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Iterator<unknown>).next === 'function' &&
    typeof (value as Iterator<unknown>).throw === 'function'
  );
}

/**
 * Whether a body's result is a coroutine to step: an iterator, but not an async generator
 * (its `next()` returns promises, which would read as bare yields: it is a value).
 */
export function isSteppable(value: unknown): value is Iterator<unknown> {
  return isIterator(value) && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function';
}

/** Whether `value` has a `then` method (a Promise or any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** A short description of a value for error messages (`number NaN`, `Array 1,2`, `<Future pending>`, `Generator object`). */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  const tag = Object.prototype.toString.call(value).slice(8, -1); // Generator, Promise, Object, …
  const ctor: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const kind = typeof ctor === 'string' && ctor !== '' ? ctor : tag;
  let text: string;
  try {
    text = String(value);
  } catch {
    text = '';
  }
  if (text.startsWith('<')) return text.slice(0, 80); // the runtime's own objects: <Task pending name="main">
  if (text === '' || text.startsWith('[object ')) return `${kind} object`;
  return `${kind} ${text.slice(0, 60)}`;
}

