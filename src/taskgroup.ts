import { CancelledError } from './errors.js';
import { ExceptionGroup } from './exception-group.js';
import { CANCELLED, FINISHED, Future, PromptWaiter, type Coro } from './futures.js';
import { Task, currentTask, spawnTask, type TaskOptions, type TaskTarget } from './tasks.js';
import { describe, isIterator } from './values.js';
import { InlineAwaitable, runBody, type Mode } from './body-runner.js';
import type { AbstractEventLoop } from './loop/events.js';
import { anchorMaps } from './loop/map-anchors.js';
import { observing, emitGroupAborted } from './debug-events.js';

/** The body of a task group: a generator function or async function given the `TaskGroup`. */
export type TaskGroupBody<T> = (tg: TaskGroup) => Coro<T> | PromiseLike<T>;

/**
 * A group of tasks that finish together (asyncio.TaskGroup). Its body runs in the calling task
 * (like `async with`); the group ends once the body and every task created in it have
 * finished. The first task to fail cancels the others and the body; all the errors then come
 * out as one `ExceptionGroup('unhandled errors in a TaskGroup', errors)`, the body's own error
 * included. A cancellation of the calling task cancels every task of the group and comes out
 * as `CancelledError` (unless there were errors, which take precedence).
 *
 * Use `taskGroup(body)`, `new TaskGroup().run(body)`, or from a generator coroutine
 * `asyncWith(new TaskGroup(), function* (tg) { … })`.
 *
 * @example
 * import { run, sleep, TaskGroup, asyncWith, type Task } from 'aio-ts';
 *
 * await run(function* () {
 *   let a!: Task<string>;
 *   yield* asyncWith(new TaskGroup(), function* (tg) {
 *     a = tg.createTask(sleep(100, 'a'));
 *     tg.createTask(sleep(200, 'b'));
 *   });
 *   console.log(a.result()); // 'a': every task is done here
 * });
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: AbstractEventLoop | null = null;
  #parent: Task<unknown> | null = null;
  /** Set when a failing child cancelled the parent: the group owes it an `uncancel()`. */
  #parentCancelRequested = false;
  /**
   * The group's tasks, in creation order; finished ones are dropped in batches (once they are
   * half of the array), which costs less than removing each from a Set.
   */
  #tasks: Task<unknown>[] = [];
  /** How many of `#tasks` are not done. */
  #pending = 0;
  #errors: unknown[] = [];
  #onCompleted: Future<boolean> | null = null;
  /** The group whose body ran in the same task before this one was entered (nesting). */
  #outer: TaskGroup | null = null;
  /** The done callback of the group's tasks. */
  readonly #waiter = new GroupWaiter(this);

  /**
   * Creates a task in the group (asyncio's `TaskGroup.create_task`). Allowed while the body or
   * a task of the group runs; throws if the group has not been entered, is finished, or is
   * shutting down after a failure (then `coro` is closed and never starts).
   */
  createTask<T>(coro: TaskTarget<T>, options?: TaskOptions): Task<T> {
    if (!this.#entered) {
      close(coro);
      throw new Error('TaskGroup has not been entered: create tasks from the body of taskGroup() (or tg.run())');
    }
    if (this.#exiting && this.#pending === 0) {
      close(coro);
      throw new Error('TaskGroup is finished: create its tasks while its body or one of its tasks still runs');
    }
    if (this.#aborting) {
      close(coro);
      throw new Error('TaskGroup is shutting down after an error or a cancellation: it takes no new tasks');
    }
    const task = spawnTask<T>(coro, options, this.#loop!);
    this.#tasks.push(task as Task<unknown>);
    this.#pending++;
    task._addCallback(this.#waiter); // a Waiter: no closure a background compile job could pin (see gather)
    return task;
  }

  /**
   * Runs `body(this)` in the calling task and returns an awaitable of its result, done once
   * every task of the group has finished (see `taskGroup()`). A TaskGroup runs once.
   */
  run<T>(body: TaskGroupBody<T>): InlineAwaitable<T> {
    if (isIterator(body)) {
      throw new TypeError('taskGroup() expects a body function, got a coroutine object: pass the function itself (taskGroup(function* (tg) { … }))');
    }
    if (typeof body !== 'function') {
      throw new TypeError(`taskGroup() expects a body: a generator function or async function taking the TaskGroup, got ${describe(body)}`);
    }
    return new InlineAwaitable<T>((mode) => this.#run<T>(body, mode));
  }

  /** `asyncWith()` support: enters the group in the calling task and returns it. */
  enter(): TaskGroup {
    this._enter();
    return this;
  }

  /** `asyncWith()` support: waits for the group's tasks; throws the group's outcome. */
  exit(error: unknown): Coro<boolean> {
    return this._exit(error !== undefined, error);
  }

  toString(): string {
    const info: string[] = [];
    if (this.#pending > 0) info.push(`tasks=${this.#pending}`);
    if (this.#errors.length > 0) info.push(`errors=${this.#errors.length}`);
    if (this.#aborting) info.push('cancelling');
    else if (this.#entered) info.push('entered');
    return info.length > 0 ? `<TaskGroup ${info.join(' ')}>` : '<TaskGroup>';
  }

  *#run<T>(body: TaskGroupBody<T>, mode: Mode): Coro<T> {
    this._enter();
    let result: T;
    try {
      result = yield* runBody<TaskGroup, T>(body, this, mode);
    } catch (error) {
      yield* this._exit(true, error);
      return undefined as T; // the error was handled by the group (asyncio's __aexit__ returned True)
    }
    yield* this._exit(false, undefined);
    return result;
  }

  /** @internal */
  _enter(): void {
    if (this.#entered) throw new Error('TaskGroup has already been entered: use a new TaskGroup for each block');
    const parent = currentTask();
    if (parent === null) {
      throw new Error('TaskGroup cannot determine the parent task: await taskGroup() from a coroutine or async function run by run() or createTask()');
    }
    this.#loop = parent._loop;
    this.#parent = parent;
    this.#entered = true;
    this.#outer = bodyGroups.get(parent) ?? null;
    bodyGroups.set(parent, this);
  }

  /**
   * @internal asyncio's `__aexit__`: `failed` tells whether the body threw `error`. Waits for
   * every task, then throws the outcome (ExceptionGroup or CancelledError) or returns true.
   */
  *_exit(failed: boolean, error: unknown): Coro<boolean> {
    this.#exiting = true;
    const parent = this.#parent!;
    if (bodyGroups.get(parent) === this) {
      if (this.#outer !== null) bodyGroups.set(parent, this.#outer);
      else bodyGroups.delete(parent);
    }
    let propagateCancellation: CancelledError | null = failed && error instanceof CancelledError ? error : null;
    // The body failed or its task is being cancelled: cancel the children too.
    if (failed && !this.#aborting) this.#abort(error, null);
    let pendingCancellation: CancelledError | null = null;
    // A loop: the wait can be cancelled again and again while the children finish.
    while (this.#pending > 0) {
      this.#onCompleted ??= new Future<boolean>(this.#loop!);
      try {
        yield* this.#onCompleted;
      } catch (thrown) {
        if (!(thrown instanceof CancelledError)) throw thrown;
        pendingCancellation = thrown;
        if (!this.#aborting) {
          // The parent task is cancelled while the body is done and children still run.
          propagateCancellation = thrown;
          this.#abort(thrown, null);
        }
      }
      this.#onCompleted = null;
    }
    if (this.#parentCancelRequested) {
      // The group cancelled its parent itself: take that back.
      if (parent.uncancel() === 0) propagateCancellation = null;
      else propagateCancellation ??= pendingCancellation; // another cancellation is still due
    }
    const errors = this.#errors;
    this.#errors = [];
    // Errors take precedence over a cancellation.
    if (propagateCancellation !== null && errors.length === 0) throw propagateCancellation;
    if (failed && !(error instanceof CancelledError)) errors.push(error);
    if (errors.length > 0) {
      // A cancellation from outside is still owed to the parent: keep its count, re-arm it.
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      throw new ExceptionGroup('unhandled errors in a TaskGroup', errors);
    }
    return true;
  }

  /** Cancels the group's tasks because of `cause` (the body's error, a cancellation, or the error of the task `child`). */
  #abort(cause: unknown, child: Task<unknown> | null): void {
    this.#aborting = true;
    if (observing) emitGroupAborted(this.#parent!, this.#tasks, cause, child);
    for (const task of this.#tasks) if (!task.done()) task.cancel();
    // Never read again (an aborting group takes no new tasks): as its tasks finish, the list
    // is not filtered (a pass over every task still listed, in a cancel storm) nor kept.
    this.#tasks = [];
  }

  /** @internal The task that entered the group awaits its tasks (as in asyncio's call graph). */
  _awaiter(): Task<unknown> | null {
    return this.#parent;
  }

  /**
   * @internal A task of the group just completed (`GroupWaiter`): one that succeeded or was
   * cancelled and is not the last is counted now, with no ready-queue entry (asyncio's
   * `_on_task_done` only discards it); the last one, or a failure, goes through `_wakeup`.
   */
  _completed(task: Task<unknown>): boolean {
    const state = task._state;
    if ((state !== CANCELLED && state !== FINISHED) || this.#pending <= 1) return false;
    this.#count();
    return true;
  }

  /** One task fewer pending; done tasks are dropped from `#tasks` once they are half of it. */
  #count(): number {
    const pending = --this.#pending;
    if (pending === 0) this.#tasks = [];
    else if (pending * 2 < this.#tasks.length && this.#tasks.length > 64) this.#tasks = this.#tasks.filter(isPending);
    return pending;
  }

  /** @internal A task of the group is done (through `GroupWaiter`, an iteration later). */
  _wakeup(task: Task<unknown>): void {
    const pending = this.#count();
    if (this.#onCompleted !== null && pending === 0 && !this.#onCompleted.done()) this.#onCompleted.setResult(true);
    if (task.cancelled()) return;
    const error = task.exception();
    if (error === null) return;
    this.#errors.push(error);
    const parent = this.#parent!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: error,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Interrupt whatever the body awaits now; __aexit__ takes this cancellation back.
      this.#abort(error, task);
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  }
}

/**
 * The done callback of a group's tasks (a Waiter object, not a closure; a PromptWaiter, so
 * that most completions are counted at once, see `TaskGroup._completed`).
 */
class GroupWaiter extends PromptWaiter {
  constructor(readonly group: TaskGroup) {
    super();
  }

  _completed(task: Future<any>): boolean {
    return this.group._completed(task as Task<unknown>);
  }

  _wakeup(task: Future<any>): void {
    this.group._wakeup(task as Task<unknown>);
  }

  /** The task that entered the group awaits its tasks (as in asyncio's call graph). */
  _awaiter(): Task<unknown> | null {
    return this.group._awaiter();
  }
}

/** Each task's innermost group whose body runs in it (set from enter to exit). */
const bodyGroups = new WeakMap<Task<unknown>, TaskGroup>();

/**
 * @internal The current task's group, for layers that start tasks "in the current group"
 * (aio-ts/actors): the innermost group whose body runs in the task, else the group the task
 * belongs to (its GroupWaiter is the done callback of its tasks), else null.
 */
export function _currentTaskGroup(): TaskGroup | null {
  const task = currentTask();
  if (task === null) return null;
  const inBody = bodyGroups.get(task);
  if (inBody !== undefined) return inBody;
  const callbacks = task._callbacks;
  if (callbacks instanceof GroupWaiter) return callbacks.group;
  if (Array.isArray(callbacks)) for (const cb of callbacks) if (cb instanceof GroupWaiter) return cb.group;
  return null;
}

function isPending(task: Task<unknown>): boolean {
  return !task.done();
}

anchorMaps(() => new TaskGroup());

/** Closes a coroutine that will never run (a generator not started runs nothing). */
function close(coro: unknown): void {
  if (isIterator(coro) && typeof coro.return === 'function') {
    try {
      coro.return(undefined);
    } catch {
      // nothing ran; nothing to report
    }
  }
}

/**
 * Runs `body(tg)` in the calling task (like `async with asyncio.TaskGroup() as tg`) and returns
 * an awaitable of the body's result, done once every task created with `tg.createTask()` has
 * finished. If a task fails, the other tasks and the body are cancelled, and every error
 * (the body's included) is thrown as one `ExceptionGroup` with the message
 * `unhandled errors in a TaskGroup`. `body` is a generator function or an async function.
 *
 * @example
 * import { run, sleep, taskGroup, ExceptionGroup, type Coro } from 'aio-ts';
 *
 * function* fetchData(ms: number, data: string): Coro<string> {
 *   yield* sleep(ms);
 *   return data;
 * }
 *
 * // Generator coroutines:
 * await run(function* () {
 *   const tasks = yield* taskGroup(function* (tg) {
 *     return [tg.createTask(fetchData(100, 'a')), tg.createTask(fetchData(200, 'b'))];
 *   });
 *   console.log(tasks.map((t) => t.result())); // ['a', 'b'], after 200 ms
 * });
 *
 * // Async functions; a failing task cancels the others:
 * await run(async () => {
 *   try {
 *     await taskGroup(async (tg) => {
 *       tg.createTask(async () => { await sleep(50); throw new Error('boom'); });
 *       tg.createTask(async () => { await sleep(1000); }); // cancelled at 50 ms
 *     });
 *   } catch (error) {
 *     if (error instanceof ExceptionGroup) console.log(error.errors); // [Error: boom]
 *   }
 * });
 */
export function taskGroup<T>(body: TaskGroupBody<T>): InlineAwaitable<T> {
  return new TaskGroup().run(body);
}
