/**
 * Debug mode: swallowed cancellation. In JavaScript every `catch` catches CancelledError (in
 * Python `except Exception` does not), so a `try { … } catch {}` around an await can eat a
 * cancel and let the task go on as if nothing happened. The task and `timeout()` call these
 * hooks only when the loop is in debug mode; the places are kept outside the task (no field).
 */
import { callerStack, sourceOf } from './debug-info.js';
import type { AbstractEventLoop } from './loop/events.js';

/** @internal A Task as these reports see it. */
export interface CancelledTask {
  /** @internal */ readonly _loop: AbstractEventLoop;
  /** @internal */ readonly _mustCancel: boolean;
  /** @internal */ _futWaiter: object | null;
  getName(): string;
  cancelling(): number;
}

interface CancelRecord {
  /** Where `cancel()` was called. */
  requestedAt: string | undefined;
  /** Creation place of what the task was awaiting when the cancel reached it. */
  deliveredAt: string | undefined;
  /** What the task did first after the CancelledError was thrown in and caught (generator tasks). */
  resumedAt: string | undefined;
  /**
   * The task awaited another task: cancel() cancelled that one, and what the await gives is up
   * to it. If that task swallows the cancel and returns, its own report says so: this task got
   * a value, not a CancelledError, and swallowed nothing.
   */
  forwardedTo: { cancelled(): boolean } | null;
}

const records = new WeakMap<object, CancelRecord>();

/** @internal `task.cancel()` was called: remember where (the first request of an episode counts). */
export function noteCancelRequest(task: CancelledTask): void {
  if (records.has(task)) return;
  const waited = task._futWaiter;
  records.set(task, {
    requestedAt: callerStack(),
    deliveredAt: waited === null ? undefined : sourceOf(waited),
    resumedAt: undefined,
    forwardedTo: waited !== null && typeof (waited as { uncancel?: unknown }).uncancel === 'function' ? (waited as { cancelled(): boolean }) : null,
  });
}

/**
 * @internal A generator task's step ended normally while a cancel was requested: the first such step
 * after the request is the one the CancelledError reached, so the coroutine caught it.
 * `awaited` is what it awaits next (null: a bare yield; undefined: it returned).
 */
export function noteCancelCaught(task: CancelledTask, awaited: object | null | undefined): void {
  const record = records.get(task);
  // Still to be thrown in (e.g. the task cancelled itself in this step): not reached yet.
  if (record === undefined || record.resumedAt !== undefined || task._mustCancel || swallowedElsewhere(record)) return;
  record.resumedAt =
    awaited === undefined
      ? 'it returned right after catching it'
      : awaited === null
        ? 'its next await was a bare hop (sleep(0))'
        : (sourceOf(awaited) ?? `its next await was ${String(awaited)}`);
}

/** @internal `uncancel()` left no request: the cancel was handled on purpose. */
export function forgetCancel(task: CancelledTask): void {
  if (task.cancelling() === 0) records.delete(task);
}

const ADVICE =
  'a catch around an await caught the CancelledError and did not re-throw it. Re-throw it ' +
  '(if (error instanceof CancelledError) throw error), or call currentTask().uncancel() if ignoring the cancel is intended';

/** @internal The task finished normally while cancellation requests were pending (`cancelling() > 0`). */
export function reportSwallowedCancel(task: CancelledTask): void {
  const record = records.get(task);
  records.delete(task);
  if (record !== undefined && swallowedElsewhere(record)) return;
  task._loop.callExceptionHandler({
    message: `Task ${JSON.stringify(task.getName())} was cancelled but finished normally: ${ADVICE}`,
    task,
    ...places(record),
  });
}

/**
 * @internal A `timeout()` block expired (its cancel was delivered) but the block ended without the
 * CancelledError: no TimeoutError, and the block ran past its deadline.
 */
export function reportSwallowedTimeout(task: CancelledTask, deadline: number): void {
  const record = records.get(task);
  records.delete(task);
  if (record !== undefined && swallowedElsewhere(record)) return;
  task._loop.callExceptionHandler({
    message:
      `timeout() expired in Task ${JSON.stringify(task.getName())} (deadline: loop time ${deadline} ms) but its block ` +
      `finished normally, ${task._loop.time() - deadline} ms late and without TimeoutError: ${ADVICE}`,
    task,
    ...places(record),
  });
}

/** The cancel went to an awaited task that did not end cancelled: that task kept it. */
function swallowedElsewhere(record: CancelRecord): boolean {
  return record.forwardedTo !== null && !record.forwardedTo.cancelled();
}

function places(record: CancelRecord | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (record === undefined) return out;
  if (record.requestedAt !== undefined) out['cancelRequestedAt'] = `\n${record.requestedAt}`;
  if (record.deliveredAt !== undefined) out['cancelDeliveredAt'] = `\n${record.deliveredAt}`;
  if (record.resumedAt !== undefined) out['resumedAt'] = `\n${record.resumedAt}`;
  return out;
}
