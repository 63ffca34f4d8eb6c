import { promiseHooks } from 'node:v8';
import type { LoopTask } from './loop/events.js';
import { anchorMaps } from './loop/map-anchors.js';

/**
 * Finds the Task an async function runs in, the way AsyncLocalStorage would, but with
 * less machinery: V8 promise hooks tag each promise created while a task's code runs
 * with that task, and restore it around every promise reaction (an `await` resuming).
 * On Node 20 this costs about half of what AsyncLocalStorage does per `await`.
 *
 * The hooks are installed only when the first async-function task starts: programs made
 * of generator coroutines never pay for them (the scheduler itself knows which
 * generator task is running).
 */
const TASK: unique symbol = Symbol('aio.task');

interface Tagged {
  [TASK]?: LoopTask;
}

// A tagged promise keeps the map of tagged promises, and the hooks' optimized code, alive (see loop/map-anchors.ts).
anchorMaps(() => {
  const promise = Promise.resolve() as Tagged;
  promise[TASK] = undefined;
  return promise;
});

let current: LoopTask | null = null;
/** True while a promise job (a reaction, or a thenable's `then` call) runs: see `inPromiseJob`. */
let inJob = false;
/** False while the runtime makes a promise nothing reacts to through the task (see `untagged`). */
let tagging = true;
/**
 * True while `current` is the task whose generator step runs (set by `taskStep` with it):
 * one variable says both which task runs and, with this flag, that it is a step. A second
 * store of the task (a loop field) cost each step a write barrier into a long-lived object.
 */
let stepping = false;
let installed = false;

function install(): void {
  installed = true;
  promiseHooks.createHook({
    init(promise) {
      if (current !== null && tagging) (promise as Tagged)[TASK] = current;
    },
    before(promise) {
      current = (promise as Tagged)[TASK] ?? null;
      inJob = true;
    },
    after() {
      current = null;
      inJob = false;
    },
  });
}

/**
 * Turns context tracking on. It switches on by itself with the first async-function task;
 * the virtual-time loop turns it on at once, so that async helpers called from coroutines
 * are attributed to their task from the start.
 */
export function enableTaskContext(): void {
  if (!installed) install();
}

/**
 * @internal Makes `task` the current context (for a generator step); returns the previous one to
 * restore. Promises created meanwhile (async helpers the coroutine calls) carry the task.
 */
export function swapTaskContext(task: LoopTask | null): LoopTask | null {
  const previous = current;
  current = task;
  return previous;
}

/**
 * @internal Promises created until `untagged(false)` get no task tag (a property each) even in a
 * task's context. A flag rather than clearing `current` and restoring it: `current` lives in
 * this module's context, an old object, and storing a young task there costs a write barrier.
 */
export function untagged(on: boolean): void {
  tagging = !on;
}

/**
 * @internal Makes `task` the current task, as the one whose generator step runs; returns the
 * previous current task, to hand back to `leaveStep` with what `inStep()` said before.
 */
export function enterStep(task: LoopTask): LoopTask | null {
  const previous = current;
  current = task;
  stepping = true;
  return previous;
}

/** @internal Ends a step: restores what `enterStep` replaced. */
export function leaveStep(previous: LoopTask | null, outerStep: boolean): void {
  current = previous;
  stepping = outerStep;
}

/** @internal True while a generator step runs (an eager step nests inside another). */
export function inStep(): boolean {
  return stepping;
}

/** @internal The task whose generator step is running, or null. */
export function steppingTask<T extends LoopTask = LoopTask>(): T | null {
  return stepping ? (current as T | null) : null;
}

/** @internal Runs `fn` synchronously as code of `task`: promises it creates carry the task. */
export function runInTaskContext<R>(task: LoopTask, fn: () => R): R {
  if (!installed) install();
  const previous = current;
  current = task;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/**
 * @internal Whether the code running is a promise job (async code resumed by a microtask) rather
 * than a Node callback. Known once the hooks are on (the first async-function task); false before.
 */
export function inPromiseJob(): boolean {
  return inJob;
}

/** @internal The async-function task whose code is running, or null. */
export function asyncContextTask<T extends LoopTask = LoopTask>(): T | null {
  // Typed by the caller: this module sits below tasks.ts and cannot name Task.
  return current as T | null;
}
