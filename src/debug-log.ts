/**
 * `NODE_DEBUG=aio`: the flow of tasks, one line each on stderr through Node's
 * `util.debuglog('aio')` (`AIO <pid>: task "fetch" created by task "main"`). The section is
 * read once, when this module loads; off, no observer is registered and the core's hooks
 * cost their one test of `observing`.
 */
import { debuglog } from 'node:util';
import { CANCELLED, FINISHED, PENDING } from './futures.js';
import { currentTask, type Task } from './tasks.js';
import { addObserver, describeError, jobId, jobName, type JobOutcome, type ObservedJob, type ObservedTask, type TaskObserver } from './debug-events.js';
import { cancelMessageOf } from './errors.js';

const log = debuglog('aio');

/** `task "name"`. */
function named(task: ObservedTask): string {
  return `task ${JSON.stringify(task.getName())}`;
}

/** Who is running now: `task "main"`, or `a callback` outside any task. */
function requester(): string {
  const task = currentTask();
  return task === null ? 'a callback (no task)' : named(task);
}

/** Who submitted each job, for its later lines. */
const submitters = new WeakMap<ObservedJob, string>();

function job(j: ObservedJob): string {
  const by = submitters.get(j);
  return `executor job ${jobId(j)} (${jobName(j)})${by === undefined ? '' : ` of ${by}`}`;
}

function outcome(task: ObservedTask): string {
  if (task._state === FINISHED) return 'finished';
  if (task._state === CANCELLED) {
    const message = cancelMessageOf(task._result);
    return message === undefined ? 'cancelled' : `cancelled: ${JSON.stringify(message)}`;
  }
  return `failed: ${describeError(task._result)}`;
}

const JOB_ENDS: Record<JobOutcome, string> = { fulfilled: 'finished', rejected: 'failed', cancelled: 'cancelled' };

/**
 * Cancels about to be made by a timeout or a TaskGroup (their hooks run just before they call
 * `cancel()`): the task → who asks. Forgotten at the next step, when they have all been made.
 */
const expected = new Map<ObservedTask, string>();

const logger: TaskObserver = {
  stepStart() {
    if (expected.size > 0) expected.clear();
  },
  taskCreated(task) {
    const by = currentTask((task as Task<unknown>)._loop);
    log('%s created%s', named(task), by === null || by === task ? '' : ` by ${named(by)}`);
  },
  taskDone(task) {
    log('%s %s', named(task), outcome(task));
  },
  taskCancel(task, message) {
    const by = expected.get(task);
    if (by !== undefined) expected.delete(task);
    log('%s cancel requested by %s%s', named(task), by ?? requester(), message === undefined ? '' : `: ${JSON.stringify(message)}`);
  },
  timeoutFired(task, when) {
    expected.set(task, `the timeout() of ${named(task)}`);
    log('timeout fired in %s (deadline: loop time %s ms): cancelling it', named(task), when === null ? null : Math.round(when * 1000) / 1000);
  },
  groupAborted(parent, tasks, cause, child) {
    const why = child !== null ? `${named(child)} failed: ${describeError(cause)}` : describeError(cause);
    const pending = tasks.filter((t) => t._state === PENDING).length;
    const by = `the TaskGroup of ${named(parent)}`;
    for (const t of tasks) expected.set(t, by);
    if (child !== null) expected.set(parent, by);
    log('TaskGroup of %s aborted (%s): cancelling %d task%s', named(parent), why, pending, pending === 1 ? '' : 's');
  },
  jobSubmitted(j) {
    const by = requester();
    log('%s submitted by %s', job(j), by);
    submitters.set(j, by);
  },
  jobStarted(j) {
    log('%s started', job(j));
  },
  jobFinished(j, how) {
    log('%s %s', job(j), JOB_ENDS[how]);
  },
};

if (log.enabled) addObserver(logger);
