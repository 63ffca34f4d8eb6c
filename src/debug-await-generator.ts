/**
 * Debug mode: `await genCoro()` in an async function. A generator object is not thenable, so
 * `await` hands back the generator itself, unrun: the coroutine silently never happens. To
 * see it, debug mode gives generator objects a `then` getter (on the prototype all generator
 * objects share) that returns `undefined`, as before, and reports the `await` when the code
 * that looked `then` up is the program's own (an `await`, or an async function returning the
 * generator), not the runtime's checks nor a builtin such as `Promise.resolve`.
 */
import { callerStack, isOwnFrame } from './debug-info.js';
import { runningLoopOrNull } from './loop/running.js';
import { currentTask } from './tasks.js';
import { GeneratorFunction } from './values.js';

let installed = false;
let reporting = false;
/** Generators already reported: one mistake, one report (it may be passed on and awaited again). */
const reported = new WeakSet<object>();

/** Installs the check, once per process (from the first loop put in debug mode). */
export function installAwaitGeneratorCheck(): void {
  if (installed) return;
  installed = true;
  const generatorPrototype = GeneratorFunction.prototype.prototype as object;
  if (Object.getOwnPropertyDescriptor(generatorPrototype, 'then') !== undefined) return;
  Object.defineProperty(generatorPrototype, 'then', {
    configurable: true,
    enumerable: false,
    get(this: object): undefined {
      const loop = runningLoopOrNull();
      if (loop !== null && loop._debug && !reporting && !reported.has(this)) check(this);
      return undefined;
    },
  });
}

function check(generator: object): void {
  // Frames: this function, the getter, then the code that looked `then` up.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 3;
  const frames = new Error().stack?.split('\n').slice(1) ?? [];
  Error.stackTraceLimit = limit;
  const caller = frames[2];
  if (caller === undefined || isOwnFrame(caller) || caller.includes('(<anonymous>)') || caller.includes('node:')) return;
  reported.add(generator);
  reporting = true;
  try {
    const task = currentTask();
    const context: { message: string; task?: object; sourceTraceback?: string } = {
      message:
        `await of a generator coroutine (${String(generator)}) in an async function: await does not run a generator, ` +
        'it gives back the generator object itself, unrun. Run it as a task: await createTask(coro) ' +
        '(or write the caller as a generator function and use yield*)',
    };
    if (task !== null) context.task = task;
    const source = callerStack();
    if (source !== undefined) context.sourceTraceback = source;
    runningLoopOrNull()!.callExceptionHandler(context);
  } finally {
    reporting = false;
  }
}
