import { allTasks, currentTask, describeWait, type Task } from './tasks.js';
import { sourceOf } from './debug-info.js';
import { checkLoop } from './validate.js';
import type { AbstractEventLoop } from './loop/events.js';

/**
 * Describes every pending task of the running loop (or of `loop`), one entry each: its name,
 * what it waits on (a future, another task, foreign async code, or "ready to run") and pending
 * cancellation requests; in debug mode also where the task and what it waits on were created.
 * What a hung program is waiting for, without a debugger.
 *
 * @example
 * import { run, createTask, sleep, Event, formatTasks } from 'aio-ts';
 *
 * await run(function* () {
 *   const started = new Event();
 *   createTask(function* () { yield* started.wait(); }, { name: 'waiter' });
 *   yield* sleep(0);
 *   console.log(formatTasks());
 *   // 2 pending tasks:
 *   // - Task "main" running (the caller)
 *   // - Task "waiter" waiting on <WaiterFuture pending>
 *   started.set();
 * });
 */
export function formatTasks(loop?: AbstractEventLoop): string {
  if (loop !== undefined) checkLoop('formatTasks', 'loop', loop);
  const tasks = [...allTasks(loop)];
  const lines = [`${tasks.length} pending task${tasks.length === 1 ? '' : 's'}:`];
  const running = currentTask(loop);
  for (const task of tasks) lines.push(...describeTask(task, task === running));
  return lines.join('\n');
}

/** Prints `formatTasks(loop)` to stderr (see `formatTasks`). */
export function printTasks(loop?: AbstractEventLoop): void {
  if (loop !== undefined) checkLoop('printTasks', 'loop', loop);
  console.error(formatTasks(loop));
}

function describeTask(task: Task<unknown>, running: boolean): string[] {
  const cancels = task.cancelling();
  const state = running ? `Task ${JSON.stringify(task.getName())} running (the caller)` : describeWait(task);
  const lines = [`- ${state}${cancels > 0 ? ` (cancellation requested ${cancels}×)` : ''}`];
  const created = firstFrame(sourceOf(task));
  if (created !== undefined) lines.push(`    task created ${created}`);
  const waited = firstFrame(sourceOf(task._futWaiter));
  if (waited !== undefined) lines.push(`    awaited object created ${waited}`);
  return lines;
}

/** `at file:line:col` of a recorded creation place (debug mode), or undefined. */
function firstFrame(source: string | undefined): string | undefined {
  return source?.split('\n')[0]?.trim();
}
