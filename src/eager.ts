import { Task, type TaskFactory, type TaskOptions, type TaskTarget } from './tasks.js';
import type { AbstractEventLoop } from './loop/events.js';
import { argumentError } from './validate.js';

/** A constructor of tasks, as `createEagerTaskFactory` takes it: `Task` or a subclass. */
export type TaskConstructor = new <T>(target: TaskTarget<T>, options?: TaskOptions, loop?: AbstractEventLoop) => Task<T>;

/**
 * A task factory whose tasks start eagerly (asyncio's `create_eager_task_factory`): each
 * `createTask` runs the coroutine synchronously until it first suspends; a task that finishes
 * so is never scheduled. `{ eagerStart: false }` in the options still asks for a lazy one.
 */
export function createEagerTaskFactory(taskConstructor: TaskConstructor): TaskFactory {
  if (typeof taskConstructor !== 'function') {
    throw argumentError('createEagerTaskFactory', 'taskConstructor', 'a Task class', taskConstructor);
  }
  return <T>(loop: AbstractEventLoop, target: TaskTarget<T>, options: TaskOptions | undefined): Task<T> =>
    new taskConstructor(target, { ...options, eagerStart: options?.eagerStart ?? true }, loop);
}

/**
 * The task factory that starts every task eagerly (asyncio's `eager_task_factory`, 3.12+):
 * set it with `loop.setTaskFactory(eagerTaskFactory)`. Work that often finishes without
 * suspending (a cache hit) then costs no trip through the loop.
 *
 * @example
 * import { run, createTask, getRunningLoop, eagerTaskFactory } from 'aio-ts';
 *
 * await run(function* () {
 *   getRunningLoop().setTaskFactory(eagerTaskFactory);
 *   const order: string[] = [];
 *   const task = createTask(function* () { order.push('task ran'); return 42; });
 *   order.push('createTask returned');
 *   console.log(order, task.done(), task.result()); // [ 'task ran', 'createTask returned' ] true 42
 * });
 */
export const eagerTaskFactory: TaskFactory = createEagerTaskFactory(Task as TaskConstructor);
