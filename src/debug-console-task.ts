import { runEachStepIn } from './contextvars.js';

/**
 * Debug mode: V8's async stack tagging for tasks. Each task gets a `console.createTask(name)`
 * when it is made (which records the creation stack, and the tagged task running then as its
 * parent), and its code runs inside that task's `run()`. A debugger paused in a task then
 * shows, below the task's frames, the task's name and where it was created, then the task
 * that created it, and so on up to the main task, instead of the loop's internals. Where
 * `console.createTask` is missing (not a V8 runtime), tasks run as they are.
 *
 * What is covered: every step of a generator task (each runs in `run()`); for an async-function
 * task the call of the function, so its code up to the first `await`, and, through V8's own
 * async stack traces (`await` keeps the async parent of the code that started it), the code
 * after each `await` as well.
 */

/** V8's task handle for async stack tagging (Node ≥ 16.17 / 18.7 through its console). */
interface ConsoleTask {
  run<R>(fn: () => R): R;
}
const createConsoleTask = (console as { createTask?: (name: string) => ConsoleTask }).createTask?.bind(console);

/** What this module needs of a Task. */
interface TaggedTask {
  getName(): string;
  _coro: Iterator<unknown, unknown, unknown> | (() => unknown);
}

/** @internal Debug mode, at a task's creation: run its code inside a console task named like it. */
export function tagTask(task: TaggedTask): void {
  if (createConsoleTask === undefined) return;
  const consoleTask = createConsoleTask(`Task ${JSON.stringify(task.getName())}`);
  task._coro = runEachStepIn((fn, a, b) => consoleTask.run(() => fn(a, b)), task._coro);
}
