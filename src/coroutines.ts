import { GeneratorFunction } from './values.js';

const AsyncFunction = (async () => {}).constructor;
const generatorToString = Object.prototype.toString;

/**
 * True for a coroutine object: a generator object, what calling a `function*` returns
 * (asyncio's `iscoroutine`). A Promise is not one: it runs already, and cannot be cancelled.
 *
 * @example
 * import { isCoroutine, sleep } from 'aio-ts';
 *
 * function* work() { yield* sleep(1); }
 * console.log(isCoroutine(work()), isCoroutine(work), isCoroutine(Promise.resolve())); // true false false
 */
export function isCoroutine(value: unknown): value is Generator {
  return typeof value === 'object' && value !== null && generatorToString.call(value) === '[object Generator]';
}

/**
 * True for a function that makes coroutines: a generator function (`function*`) or an async
 * function (asyncio's `iscoroutinefunction`); both can be given to `createTask` and `run`.
 * Async generator functions are not (they make async iterators). Code compiled down to ES5
 * hides what a function is: such functions read as plain.
 *
 * @example
 * import { isCoroutineFunction } from 'aio-ts';
 *
 * console.log(isCoroutineFunction(function* () {}), isCoroutineFunction(async () => {}), isCoroutineFunction(() => 1)); // true true false
 */
export function isCoroutineFunction(fn: unknown): fn is (...args: any[]) => Generator | Promise<unknown> {
  return fn instanceof GeneratorFunction || fn instanceof AsyncFunction;
}
