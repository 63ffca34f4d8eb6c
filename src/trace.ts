/**
 * `run(main, { trace: 'trace.json' })` / `AIO_TRACE=trace.json`: a Chrome trace-event file
 * (the JSON format Perfetto and chrome://tracing open) of one run. One track per task (a `tid`
 * named by `thread_name` metadata), holding the task's lifetime, each step as a complete event
 * ('X'), and between steps what it awaited; cancels, timeouts and TaskGroup aborts are instant
 * events on the track of the task they hit, executor jobs are async events. Timestamps are the
 * loop's clock (`loop.time()`, virtual time on a virtual loop) in µs. Events are kept in memory
 * and written when the run's loop closes.
 */
import { writeFileSync } from 'node:fs';
import { cancelMessageOf } from './errors.js';
import { CANCELLED, FINISHED, PENDING, type Future } from './futures.js';
import { GatheringFuture } from './gather.js';
import { Task, currentTask } from './tasks.js';
import type { AbstractEventLoop } from './loop/events.js';
import {
  addObserver,
  describeError,
  jobId,
  jobName,
  removeObserver,
  type JobOutcome,
  type ObservedJob,
  type ObservedTask,
  type TaskObserver,
} from './debug-events.js';

/** One event of the trace-event format (`ph`: X complete, i instant, b/e async, M metadata). */
interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'b' | 'e' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 't' | 'p' | 'g';
  id?: number;
  args?: Record<string, unknown>;
}

/** What the recorder keeps per task while it lives. */
interface Track {
  readonly tid: number;
  readonly created: number;
  readonly parent: string | null;
  /** Set when the task is done. */
  outcome: string | null;
  inStep: boolean;
  steps: number;
  stepStart: number;
  /** When the current await began, or -1 while the task runs (or before its first step). */
  awaitStart: number;
  awaits: string;
  awaitArgs: string;
}

const pid = process.pid;

/** @internal Records the task events of one loop; `finish()` writes the file. */
export class TraceRecorder implements TaskObserver {
  readonly #loop: AbstractEventLoop;
  readonly #file: string;
  readonly #events: TraceEvent[] = [];
  readonly #tracks = new Map<ObservedTask, Track>();
  /** The lifetimes of done tasks (their tracks leave the map then: no task is kept). */
  readonly #lifetimes: TraceEvent[] = [];
  readonly #jobTids = new WeakMap<ObservedJob, number>();
  readonly #startedJobs = new WeakSet<ObservedJob>();
  #nextTid = 1;

  constructor(loop: AbstractEventLoop, file: string) {
    this.#loop = loop;
    this.#file = file;
    addObserver(this);
  }

  /** Loop time in µs. */
  #now(): number {
    return Math.round(this.#loop.time() * 1e6) / 1e3;
  }

  #track(task: ObservedTask): Track | undefined {
    return task._loop === this.#loop ? this.#tracks.get(task) : undefined;
  }

  taskCreated(task: ObservedTask): void {
    if (task._loop !== this.#loop) return;
    const tid = this.#nextTid++;
    const by = currentTask(this.#loop);
    const now = this.#now();
    this.#tracks.set(task, { tid, created: now, parent: by === null ? null : by.getName(), outcome: null, inStep: false, steps: 0, stepStart: now, awaitStart: -1, awaits: '', awaitArgs: '' });
    this.#events.push(
      { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: task.getName() } },
      { name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: tid } },
    );
  }

  stepStart(task: ObservedTask): void {
    const track = this.#track(task);
    if (track === undefined) return;
    const now = this.#now();
    this.#endAwait(track, now);
    track.stepStart = now;
    track.inStep = true;
  }

  stepEnd(task: ObservedTask): void {
    const track = this.#track(task);
    if (track === undefined) return;
    const now = this.#now();
    const args: Record<string, unknown> = { step: ++track.steps };
    if (task._state === PENDING) {
      track.awaitStart = now;
      [track.awaits, track.awaitArgs] = describeAwait(task as Task<unknown>, now);
      args['awaits'] = track.awaitArgs;
    } else {
      args['outcome'] = outcome(task);
    }
    this.#events.push({ name: track.steps === 1 ? 'start' : 'step', cat: 'step', ph: 'X', ts: track.stepStart, dur: now - track.stepStart, pid, tid: track.tid, args });
    track.inStep = false;
    if (track.outcome !== null) this.#close(task, track, now); // it ended in this step
  }

  taskDone(task: ObservedTask): void {
    const track = this.#track(task);
    if (track === undefined) return;
    const now = this.#now();
    this.#endAwait(track, now); // an async function's last await
    track.outcome = outcome(task);
    if (!track.inStep) this.#close(task, track, now);
  }

  /** The task's track ends: its lifetime slice. */
  #close(task: ObservedTask, track: Track, now: number): void {
    this.#tracks.delete(task);
    const args = { outcome: track.outcome ?? outcome(task), createdBy: track.parent, steps: track.steps };
    this.#lifetimes.push({ name: task.getName(), cat: 'task', ph: 'X', ts: track.created, dur: now - track.created, pid, tid: track.tid, args });
  }

  taskCancel(task: ObservedTask, message: string | undefined): void {
    const track = this.#track(task);
    if (track === undefined) return;
    const by = currentTask(this.#loop);
    this.#instant('cancel', 'cancel', track.tid, { message: message ?? null, requestedBy: by === null ? null : by.getName() });
  }

  timeoutFired(task: ObservedTask, when: number | null): void {
    const track = this.#track(task);
    if (track !== undefined) this.#instant('timeout', 'timeout', track.tid, { deadlineMs: when });
  }

  groupAborted(parent: ObservedTask, tasks: readonly ObservedTask[], cause: unknown, child: ObservedTask | null): void {
    const track = this.#track(parent);
    if (track === undefined) return;
    const cancelling = tasks.filter((t) => t._state === PENDING).map((t) => t.getName());
    this.#instant('TaskGroup aborted', 'taskgroup', track.tid, { cause: describeError(cause), failedTask: child?.getName() ?? null, cancelling });
  }

  jobSubmitted(job: ObservedJob): void {
    const task = currentTask(this.#loop);
    const track = task === null ? undefined : this.#track(task);
    const tid = track?.tid ?? 0;
    this.#jobTids.set(job, tid);
    this.#instant(`submit ${jobLabel(job)}`, 'executor', tid, { job: jobId(job) });
  }

  jobStarted(job: ObservedJob): void {
    this.#startedJobs.add(job);
    this.#events.push({ name: jobLabel(job), cat: 'executor', ph: 'b', id: jobId(job), ts: this.#now(), pid, tid: this.#jobTids.get(job) ?? 0 });
  }

  jobFinished(job: ObservedJob, how: JobOutcome): void {
    const tid = this.#jobTids.get(job) ?? 0;
    if (!this.#startedJobs.has(job)) {
      this.#instant(`cancelled ${jobLabel(job)}`, 'executor', tid, { job: jobId(job) });
      return;
    }
    this.#events.push({ name: jobLabel(job), cat: 'executor', ph: 'e', id: jobId(job), ts: this.#now(), pid, tid, args: { outcome: how } });
  }

  /** Stops recording and writes the file; a write error is a warning (the run's own outcome stands). */
  finish(): void {
    removeObserver(this);
    const end = this.#now();
    for (const [task, track] of [...this.#tracks]) {
      this.#endAwait(track, end);
      this.#close(task, track, end);
    }
    const lifetimes = this.#lifetimes.sort((a, b) => a.tid - b.tid);
    const meta: TraceEvent = { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: `aio run (pid ${pid})` } };
    // Lifetimes before what they enclose: viewers order slices that start together by file order.
    const traceEvents = [meta, ...lifetimes, ...this.#events];
    try {
      writeFileSync(this.#file, JSON.stringify({ traceEvents, displayTimeUnit: 'ms', otherData: { producer: 'aio-ts' } }));
    } catch (error) {
      process.emitWarning(`aio: could not write the trace to ${this.#file}: ${describeError(error)}`);
    }
  }

  #endAwait(track: Track, now: number): void {
    if (track.awaitStart < 0) return;
    this.#events.push({ name: track.awaits, cat: 'await', ph: 'X', ts: track.awaitStart, dur: now - track.awaitStart, pid, tid: track.tid, args: { awaits: track.awaitArgs } });
    track.awaitStart = -1;
  }

  #instant(name: string, cat: string, tid: number, args: Record<string, unknown>): void {
    this.#events.push({ name, cat, ph: 'i', s: 't', ts: this.#now(), pid, tid, args });
  }
}

function jobLabel(job: ObservedJob): string {
  return `job ${jobId(job)} (${jobName(job)})`;
}

function outcome(task: ObservedTask): string {
  switch (task._state) {
    case PENDING:
      return 'pending';
    case FINISHED:
      return 'finished';
    case CANCELLED: {
      const message = cancelMessageOf(task._result);
      return message === undefined ? 'cancelled' : `cancelled: ${message}`;
    }
    default:
      return `failed: ${describeError(task._result)}`;
  }
}

/** What a task waits on after a step: a short slice name, and the longer text for its args. */
function describeAwait(task: Task<unknown>, now: number): [string, string] {
  const waited = task._futWaiter as Future<unknown> | null;
  if (waited === null) {
    return task._async > 0 ? ['async code', 'its async function runs (awaits outside aio are not seen)'] : ['sleep(0)', 'one hop through the ready queue'];
  }
  if (waited instanceof Task) return [`await ${JSON.stringify(waited.getName())}`, String(waited)];
  if (waited instanceof GatheringFuture) {
    const names = waited._children.map((c) => (c instanceof Task ? c.getName() : String(c)));
    return [`gather(${names.length})`, `gather of ${names.join(', ')}`];
  }
  const when = (waited as { _when?: unknown })._when;
  if (typeof when === 'number') {
    const left = when - now / 1e3;
    const ms = left >= 10 ? Math.round(left) : Math.round(left * 1000) / 1000; // real clocks: 999.976 ms reads as 1000
    return [`sleep ${ms} ms`, `${String(waited)} due at loop time ${when} ms`];
  }
  return [`await ${waited.constructor.name}`, String(waited)];
}

/** @internal The trace file a run writes: `options.trace`, else `AIO_TRACE`, else none. */
export function traceFile(option: string | undefined): string | undefined {
  if (option !== undefined) return option;
  const env = process.env['AIO_TRACE'];
  return env === undefined || env === '' ? undefined : env;
}
