import { fileURLToPath } from 'node:url';
import type { LoopTask } from './loop/events.js';

/**
 * Debug mode: the path of an error across tasks, in its `stack` text. V8 shows the generator
 * chain an error was raised through (the coroutines are on the stack while their task steps),
 * but a task's exception re-raised in the task that awaits it (`yield* task`, `await task`,
 * through `gather`) is the same object, thrown again: its stack still ends in the loop. So the
 * task an error ended is noted (`in Task "worker"`), and each time the error is re-raised in
 * another task, that task and the frames it awaited from are appended (`awaited by Task
 * "parent"`), as a Python traceback grows while an exception propagates through awaits. The
 * error keeps its identity and class; only its `stack` text grows, once per task crossed.
 */

/** What this module needs of a Task. */
interface NamedTask extends LoopTask {
  getName(): string;
  getCoro(): unknown;
}

/** Per error: the task it was last raised in, and the tasks already named in its stack. */
interface Trail {
  owner: LoopTask;
  named: LoopTask[];
}

const trails = new WeakMap<object, Trail>();
/** One error object thrown by many tasks (a shared sentinel) must not grow without end. */
const MAX_TASKS_NAMED = 32;
const OWN_DIR = fileURLToPath(new URL('.', import.meta.url));
const OWN_DIR_URL = new URL('.', import.meta.url).href;

/** @internal A task ended with `error` (debug mode): note the task, in the stack the first time. */
export function noteTaskFailed(task: NamedTask, error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  const trail = trails.get(error);
  if (trail !== undefined) {
    trail.owner = task;
    return;
  }
  trails.set(error, { owner: task, named: [task] });
  appendToStack(error, `\n  in Task ${JSON.stringify(task.getName())}`, true);
}

/**
 * @internal `error`, raised by another task, is thrown again in `task` (debug mode): append
 * `awaited by Task "…"` and the frames of `task` that awaited it (a generator task's chain of
 * coroutines is on the stack now; an async function's frames are not: its name stands for them).
 */
export function noteReraised(error: unknown, task: LoopTask | null): void {
  if (task === null || typeof error !== 'object' || error === null) return;
  const trail = trails.get(error);
  if (trail === undefined || trail.owner === task || trail.named.includes(task) || trail.named.length > MAX_TASKS_NAMED) return;
  trail.owner = task;
  trail.named.push(task);
  const named = task as NamedTask;
  const frames = userFrames();
  const fn = named.getCoro();
  const asyncName = frames.length === 0 && typeof fn === 'function' ? ` (async function ${fn.name || '<anonymous>'})` : '';
  appendToStack(error, `\n  awaited by Task ${JSON.stringify(named.getName())}${asyncName}` + frames.map((f) => `\n${f}`).join(''));
}

/**
 * The frames of the code running now that awaited the error: the frames above the task's step
 * (or above the callback that settles an async function's await: none), the runtime's own and
 * V8's `Generator.next` frames left out.
 */
function userFrames(): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const lines = stack.split('\n').slice(1);
  const end = lines.findIndex((line) => STEP_BOUNDARY.test(line));
  return lines.slice(0, end < 0 ? lines.length : end).filter((line) => !isRuntimeFrame(line));
}

/** Where a task's step (or the wake-up of an async function's await) starts: the loop is below. */
const STEP_BOUNDARY = /^\s*at (?:taskStep|Driver\._step|invokeCallback|runCallbacks) /;
const FRAME = /^\s+at /;

function isRuntimeFrame(line: string): boolean {
  return line.includes('(<anonymous>)') || line.includes(OWN_DIR) || line.includes(OWN_DIR_URL) || /\(node:|at node:/.test(line);
}

/**
 * The error's own stack without the noise between its coroutines (`Generator.next` frames) and
 * without the loop's frames below the task's step: the generator chain it was raised through.
 */
function tidyStack(stack: string): string {
  const lines = stack.split('\n');
  let end = lines.length;
  while (end > 0 && FRAME.test(lines[end - 1]!) && isRuntimeFrame(lines[end - 1]!)) end--;
  if (!lines.slice(0, end).some((line) => FRAME.test(line))) end = lines.length; // all the runtime's: keep them
  return lines
    .slice(0, end)
    .filter((line) => !/^\s+at \S+\.(?:next|throw|return) \(<anonymous>\)$/.test(line))
    .join('\n');
}

function appendToStack(error: object, text: string, tidy = false): void {
  const stack = (error as { stack?: unknown }).stack;
  if (typeof stack !== 'string') return;
  try {
    (error as { stack: string }).stack = (tidy ? tidyStack(stack) : stack) + text;
  } catch {
    // A frozen error keeps its stack as it is.
  }
}
