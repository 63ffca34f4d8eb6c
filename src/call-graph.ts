import { Future, PENDING, type Waiter } from './futures.js';
import { Task, currentTask } from './tasks.js';
import { liveStack, suspendedStack, type StackFrame } from './task-stack.js';
import { runningLoopOrNull } from './loop/running.js';
import { argumentError } from './validate.js';

/**
 * The call graph of a future (asyncio's `asyncio.graph`, Python 3.14): where a task is
 * suspended and, recursively, what awaits it. A task is awaited by the tasks suspended on it,
 * and through the futures that wait for it: a gather's future (for its children), a shield's
 * future, `wait()`'s, and the task that entered a TaskGroup (for the group's tasks). Read from
 * the futures' callbacks, where each waiter knows what it waits for: nothing is recorded for
 * it, so it costs nothing until asked.
 */
export interface FutureCallGraph {
  /** The future (usually a Task) this node describes. */
  future: Future<unknown>;
  /**
   * Where it is suspended, innermost frame first. The current task: the live stack from the
   * caller of `captureCallGraph` down to its task. Another generator task: the chain of
   * coroutine functions recorded at its latest suspension in debug mode only (`AIO_DEBUG=1`,
   * `loop.setDebug(true)`; see `task.getStack()`), empty otherwise and for async functions.
   */
  callStack: StackFrame[];
  /** What awaits it: one graph each (tasks, or futures that tasks await in turn). */
  awaitedBy: FutureCallGraph[];
}

/** Options of `captureCallGraph`, `formatCallGraph` and `printCallGraph`. */
export interface CallGraphOptions {
  /** For the current task: frames of the live stack to skip above the caller's (default 0 here; asyncio's `depth=1` is the caller). */
  depth?: number;
  /** Keep at most this many frames of each call stack, the innermost; negative: the outermost. Default: all. */
  limit?: number;
}

/**
 * The call graph of `future` (default: the current task): where it is suspended and what
 * awaits it, recursively (asyncio's `capture_call_graph`). Null when called with no future
 * outside a task. Throws outside a running loop when no future is given.
 *
 * @example
 * import { run, createTask, gather, sleep, Event, captureCallGraph } from 'aio-ts';
 *
 * await run(function* () {
 *   const go = new Event();
 *   const worker = createTask(function* () { yield* go.wait(); }, { name: 'worker' });
 *   const waiting = createTask(function* () { yield* gather(worker); }, { name: 'waiting' });
 *   yield* sleep(0);
 *   const graph = captureCallGraph(worker)!;
 *   const gathering = graph.awaitedBy[0]!; // the gather's future …
 *   console.log(gathering.awaitedBy[0]!.future === waiting); // … awaited by "waiting": true
 *   go.set();
 * });
 */
export function captureCallGraph(future?: Future<unknown> | null, options?: CallGraphOptions): FutureCallGraph | null {
  const { depth, limit } = checkOptions('captureCallGraph', options);
  if (future !== undefined && future !== null && !(future instanceof Future)) {
    throw argumentError('captureCallGraph', 'future', 'a Future or Task (or nothing, for the current task)', future);
  }
  const loop = runningLoopOrNull();
  if (future === undefined || future === null) {
    if (loop === null) {
      throw new Error('captureCallGraph() was called outside of a running event loop and no future to introspect was given');
    }
    const current = currentTask(loop);
    if (current === null) return null;
    return graphOf(current, limit, new Set(), clip(liveStack(depth + 1), limit));
  }
  const live = loop !== null && future === currentTask(loop) ? clip(liveStack(depth + 1), limit) : null;
  return graphOf(future, limit, new Set(), live);
}

/**
 * `captureCallGraph(future, options)` as text, one line per task or future, what awaits each
 * indented below it (asyncio's `format_call_graph`). Empty when there is nothing to describe.
 *
 * @example
 * import { run, createTask, taskGroup, sleep, formatCallGraph } from 'aio-ts';
 *
 * await run(function* main() {
 *   yield* taskGroup(function* (tg) {
 *     const child = tg.createTask(function* () { yield* sleep(10); }, { name: 'child' });
 *     yield* sleep(0);
 *     console.log(formatCallGraph(child));
 *     // * Task(name="child")
 *     //   + Awaited by:
 *     //     * Task(name="main")
 *   });
 * });
 */
export function formatCallGraph(future?: Future<unknown> | null, options?: CallGraphOptions): string {
  const { depth, limit } = checkOptions('formatCallGraph', options);
  const graph = captureCallGraph(future, { depth: depth + 1, limit });
  if (graph === null) return '';
  const lines: string[] = [];
  render(graph, 0, lines);
  return lines.join('\n');
}

/** Writes `formatCallGraph(future, options)` and a newline to `options.file` (anything with `write(text)`; default: `process.stderr`). */
export function printCallGraph(
  future?: Future<unknown> | null,
  options?: CallGraphOptions & { file?: { write(text: string): unknown } },
): void {
  const { depth, limit } = checkOptions('printCallGraph', options);
  const text = formatCallGraph(future, { depth: depth + 1, limit });
  (options?.file ?? process.stderr).write(text + '\n');
}

/** @internal How a node's future is named in the text: its task name, or its kind. */
export function labelOf(future: Future<unknown>): string {
  return future instanceof Task ? `Task(name=${JSON.stringify(future.getName())})` : `${future.constructor.name}()`;
}

/**
 * @internal The futures that await `future` directly: the ones registered as its callbacks
 * (a Task suspended on it) or named by a waiter registered there (`Waiter._awaiter`).
 */
export function awaitersOf(future: Future<unknown>): Future<unknown>[] {
  const callbacks = future._callbacks;
  if (callbacks === null || future._state !== PENDING) return [];
  const found = new Set<Future<unknown>>();
  for (const callback of Array.isArray(callbacks) ? callbacks : [callbacks]) {
    if (callback instanceof Future) found.add(callback);
    else if (typeof (callback as Waiter)._awaiter === 'function') {
      const awaiter = (callback as Waiter)._awaiter!();
      if (awaiter !== null && awaiter !== future) found.add(awaiter);
    }
  }
  return [...found];
}

/** @internal The stack of a task as known without running it: recorded in debug mode, innermost first. */
export function storedStack(future: Future<unknown>, limit: number | undefined): StackFrame[] {
  if (!(future instanceof Task) || future._state !== PENDING) return [];
  return clip(suspendedStack(future).reverse(), limit);
}

function graphOf(
  future: Future<unknown>,
  limit: number | undefined,
  path: Set<Future<unknown>>,
  stack: StackFrame[] | null,
): FutureCallGraph {
  path.add(future);
  const awaitedBy: FutureCallGraph[] = [];
  // A future already on the path would loop (a task group's parent awaited by its own child).
  for (const awaiter of awaitersOf(future)) if (!path.has(awaiter)) awaitedBy.push(graphOf(awaiter, limit, path, null));
  path.delete(future);
  return { future, callStack: stack ?? storedStack(future, limit), awaitedBy };
}

function clip(frames: StackFrame[], limit: number | undefined): StackFrame[] {
  if (limit === undefined) return frames;
  return limit >= 0 ? frames.slice(0, limit) : frames.slice(limit);
}

function render(node: FutureCallGraph, level: number, lines: string[]): void {
  const indent = '    '.repeat(level);
  lines.push(`${indent}* ${labelOf(node.future)}`);
  if (node.callStack.length > 0) {
    lines.push(`${indent}  + Call stack:`);
    for (const f of node.callStack) lines.push(`${indent}  |   File "${f.file}", line ${f.line}, in ${f.functionName}()`);
  }
  if (node.awaitedBy.length > 0) {
    lines.push(`${indent}  + Awaited by:`);
    for (const parent of node.awaitedBy) render(parent, level + 1, lines);
  }
}

function checkOptions(name: string, options: CallGraphOptions | undefined): { depth: number; limit: number | undefined } {
  if (options === undefined || options === null) return { depth: 0, limit: undefined };
  if (typeof options !== 'object') throw argumentError(name, 'options', 'an object like { limit: 5 }', options);
  const { depth = 0, limit } = options;
  if (!Number.isInteger(depth) || depth < 0) throw argumentError(name, 'options.depth', 'a whole number >= 0', depth);
  if (limit !== undefined && !Number.isInteger(limit)) throw argumentError(name, 'options.limit', 'a whole number', limit);
  return { depth, limit };
}
