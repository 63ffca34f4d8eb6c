/**
 * Task events for the observers of a run: the `NODE_DEBUG=aio` log (debug-log.ts) and the
 * trace writer (trace.ts). The core calls an `emit…` function at each hook point behind one
 * test of `observing`, false unless an observer is registered: off, a hook costs that test.
 * A leaf: tasks, jobs and loops are seen through the small interfaces below.
 */
import { isAnchorLoop } from './loop/map-anchors.js';

/** A task as an observer sees it (a `Task`). */
export interface ObservedTask {
  /** @internal */ readonly _loop: ObservedLoop;
  /** @internal */ _futWaiter: unknown;
  /** @internal Future states (futures.ts); read directly: `exception()` would mark an error as retrieved. */
  _state: number;
  /** @internal Its result; its error when failed; when cancelled, its CancelledError or the cancel message. */
  _result: unknown;
  getName(): string;
}

/** The loop of an observed task. */
export interface ObservedLoop {
  time(): number;
}

/** An executor job as an observer sees it (a `Job` of `aio-ts/executors`). */
export interface ObservedJob {
  /** @internal */ readonly _source: string | { readonly name: string };
  cancelled(): boolean;
}

/** How a job ended, for `jobFinished`. */
export type JobOutcome = 'fulfilled' | 'rejected' | 'cancelled';

/** What an observer may listen to; every method is optional. */
export interface TaskObserver {
  taskCreated?(task: ObservedTask): void;
  /** The task is done (finished, failed or cancelled): called once, when it leaves its loop's list. */
  taskDone?(task: ObservedTask): void;
  /** `task.cancel(message)` was called on a pending task (by the loop's current task, if any). */
  taskCancel?(task: ObservedTask, message: string | undefined): void;
  stepStart?(task: ObservedTask): void;
  /** After the step: the task is done, or waits on `task._futWaiter` (null: a bare hop, or async code). */
  stepEnd?(task: ObservedTask): void;
  /** The deadline `when` (loop time, ms) of a `timeout()` block in `task` passed: the task is cancelled next. */
  timeoutFired?(task: ObservedTask, when: number | null): void;
  /** A TaskGroup of `parent` cancels its tasks: `cause` is the error or CancelledError that made it, `child` the failed task if one did. */
  groupAborted?(parent: ObservedTask, tasks: readonly ObservedTask[], cause: unknown, child: ObservedTask | null): void;
  jobSubmitted?(job: ObservedJob): void;
  jobStarted?(job: ObservedJob): void;
  jobFinished?(job: ObservedJob, outcome: JobOutcome): void;
}

const observers: TaskObserver[] = [];

/** True while any observer is registered: the core's hook points test it. */
export let observing = false;

/** Starts delivering events to `observer`. */
export function addObserver(observer: TaskObserver): void {
  observers.push(observer);
  observing = true;
}

/** Stops delivering events to `observer`. */
export function removeObserver(observer: TaskObserver): void {
  const at = observers.indexOf(observer);
  if (at !== -1) observers.splice(at, 1);
  observing = observers.length > 0;
}

// An observer's error must not break the task that hit the hook: it is reported and dropped.
function each(call: (observer: TaskObserver) => void): void {
  for (const observer of observers.slice()) {
    try {
      call(observer);
    } catch (error) {
      process.emitWarning(`aio: a task observer threw: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
}

export function emitTaskCreated(task: ObservedTask): void {
  if (isAnchorLoop(task._loop)) return; // the dormant loop's tasks (map-anchors.ts) never run
  each((o) => o.taskCreated?.(task));
}

export function emitTaskDone(task: ObservedTask): void {
  each((o) => o.taskDone?.(task));
}

export function emitTaskCancel(task: ObservedTask, message: string | undefined): void {
  each((o) => o.taskCancel?.(task, message));
}

export function emitStepStart(task: ObservedTask): void {
  each((o) => o.stepStart?.(task));
}

export function emitStepEnd(task: ObservedTask): void {
  each((o) => o.stepEnd?.(task));
}

export function emitTimeoutFired(task: ObservedTask, when: number | null): void {
  each((o) => o.timeoutFired?.(task, when));
}

export function emitGroupAborted(parent: ObservedTask, tasks: readonly ObservedTask[], cause: unknown, child: ObservedTask | null): void {
  each((o) => o.groupAborted?.(parent, tasks, cause, child));
}

export function emitJobSubmitted(job: ObservedJob): void {
  each((o) => o.jobSubmitted?.(job));
}

export function emitJobStarted(job: ObservedJob): void {
  each((o) => o.jobStarted?.(job));
}

export function emitJobFinished(job: ObservedJob, outcome: JobOutcome): void {
  each((o) => o.jobFinished?.(job, outcome));
}

const jobIds = new WeakMap<ObservedJob, number>();
let jobCounter = 0;

/** A job's number (1, 2, … in the order observers first see them). */
export function jobId(job: ObservedJob): number {
  let id = jobIds.get(job);
  if (id === undefined) jobIds.set(job, (id = ++jobCounter));
  return id;
}

const FUNCTION_NAME = /^\s*(?:async\s+)?(?:function\b\s*\*?\s*([\w$]+)|([\w$]+)\s*\()/;

/** The name of a job's function: a module task's export, or the name in the function's source ('anonymous' for an arrow). */
export function jobName(job: ObservedJob): string {
  const source = job._source;
  if (typeof source !== 'string') return source.name;
  const match = FUNCTION_NAME.exec(source);
  const name = match === null ? undefined : (match[1] ?? match[2]);
  return name === undefined || name === 'function' ? 'anonymous' : name;
}

/** An error in one line: `Error: boom`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return typeof error;
  }
}
