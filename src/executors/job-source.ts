import { describe } from '../values.js';

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;
const CLASS = /^class\b/;

/** True for `function*` and `async function*` (and such methods): aio's coroutine functions. */
export function isGeneratorFunction(fn: Function): boolean {
  const tag = Object.prototype.toString.call(fn);
  return tag === '[object GeneratorFunction]' || tag === '[object AsyncGeneratorFunction]';
}

/** The sources already checked, per function: a job function is usually submitted many times. */
const checked = new WeakMap<Function, string>();

/**
 * The source text a worker thread compiles to run `fn`, or a TypeError saying why `fn`
 * cannot be shipped. Only the text crosses the thread boundary, so `fn` must be
 * self-contained: no closure variables, no `this`, no imports from the enclosing module.
 */
export function jobSource(method: string, fn: unknown): string {
  if (typeof fn !== 'function') {
    throw new TypeError(`${method}() expects a function to run in a worker thread, got ${describe(fn)}`);
  }
  const known = checked.get(fn);
  if (known !== undefined) return known;
  const source = Function.prototype.toString.call(fn);
  if (NATIVE.test(source)) {
    throw new TypeError(
      `${method}() cannot run ${describe(fn)} in a worker thread: its source is [native code] (a built-in or ` +
        'bound function). Pass a self-contained function literal instead, e.g. (x) => Math.sqrt(x), with the arguments after it',
    );
  }
  if (CLASS.test(source)) {
    throw new TypeError(
      `${method}() cannot run a class constructor (${describe(fn)}) as a job: pass a plain function, with any class it needs defined inside it`,
    );
  }
  if (isGeneratorFunction(fn)) {
    throw new TypeError(
      `${method}() cannot run a generator function (${describe(fn)}) in a worker thread: it is an aio coroutine, and the ` +
        'generator it returns cannot be sent back. Pass a plain or async function; run a coroutine with createTask()',
    );
  }
  checked.set(fn, source);
  return source;
}
