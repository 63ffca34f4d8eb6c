import { fileURLToPath } from 'node:url';
import { Future } from './futures.js';
import { Task } from './tasks.js';
import { awaitersOf } from './call-graph.js';
import { suspendedStack, type StackFrame } from './task-stack.js';
import { runningLoopOrNull } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';

/**
 * What `aio ps` and `aio pstree` read from a running process: a function registered on
 * `globalThis[Symbol.for('aio.introspect')]`, which the command calls through the inspector
 * (`Runtime.evaluate`) and which answers with JSON. Registered when this module loads (the
 * package entry point and `run()` load it); nothing runs until it is called.
 */

/** @internal The global key (a registered symbol: one name shared by every copy of aio in the process). */
export const INTROSPECT_KEY = Symbol.for('aio.introspect');

/** @internal The version of the snapshot's shape, checked by the command. */
export const SNAPSHOT_VERSION = 1;

/** One task, as `aio ps` shows it (the shape of the snapshot, read by the command; not part of the API). */
export interface TaskSnapshot {
  id: number;
  name: string;
  /** What it waits on (`<Future pending>`), or "ready", or "async code outside aio". */
  waitsOn: string;
  cancelling: number;
  /** Coroutine functions of the program it is suspended in, outermost first (debug mode only; aio's own left out). */
  stack: StackFrame[];
  /** The tasks that await it, each with the futures in between (`GatheringFuture`, …). */
  awaitedBy: { id: number; via: string[] }[];
}

/** What the registered function returns, as JSON (read by the command; not part of the API). */
export interface Snapshot {
  version: number;
  pid: number;
  argv: string[];
  loops: { debug: boolean; tasks: TaskSnapshot[] }[];
}

/** Stable ids of tasks across calls (names need not be unique); one counter for every copy of aio in the process. */
const ids = new WeakMap<Task<unknown>, number>();
const counter = ((globalThis as { [key: symbol]: { next: number } })[Symbol.for('aio.introspect.ids')] ??= { next: 0 });

function idOf(task: Task<unknown>): number {
  let id = ids.get(task);
  if (id === undefined) ids.set(task, (id = ++counter.next));
  return id;
}

/** @internal The snapshot of every running loop this copy of aio knows (one: loops run one at a time). */
export function snapshot(): Snapshot {
  const loop = runningLoopOrNull();
  return {
    version: SNAPSHOT_VERSION,
    pid: process.pid,
    argv: process.argv,
    loops: loop === null ? [] : [snapshotLoop(loop)],
  };
}

function snapshotLoop(loop: AbstractEventLoop): Snapshot['loops'][number] {
  const tasks: TaskSnapshot[] = [];
  for (let t = loop._firstTask as Task<unknown> | null; t !== null; t = t._nextTask) tasks.push(snapshotTask(t));
  return { debug: loop._debug, tasks };
}

function snapshotTask(task: Task<unknown>): TaskSnapshot {
  const waited = task._futWaiter;
  return {
    id: idOf(task),
    name: task.getName(),
    waitsOn: waited !== null ? String(waited) : task._async > 0 ? 'async code outside aio' : 'ready',
    cancelling: task.cancelling(),
    stack: suspendedStack(task).filter((frame) => !isOwnFrame(frame)),
    awaitedBy: awaitingTasks(task),
  };
}

/** aio's own directory (src/ or dist/), as a path and as a URL: its frames are the runtime's, not the program's. */
const OWN_DIR_URL = new URL('.', import.meta.url).href;
const OWN_DIR = fileURLToPath(OWN_DIR_URL);

function isOwnFrame(frame: StackFrame): boolean {
  return frame.file.startsWith(OWN_DIR) || frame.file.startsWith(OWN_DIR_URL);
}

/** The tasks awaiting `task`, through any futures in between (a gather's, a shield's, …). */
function awaitingTasks(task: Task<unknown>): { id: number; via: string[] }[] {
  const found: { id: number; via: string[] }[] = [];
  const seen = new Set<Future<unknown>>([task]);
  const visit = (future: Future<unknown>, via: string[]): void => {
    for (const awaiter of awaitersOf(future)) {
      if (seen.has(awaiter)) continue;
      seen.add(awaiter);
      if (awaiter instanceof Task) found.push({ id: idOf(awaiter), via });
      else visit(awaiter, [...via, awaiter.constructor.name]);
    }
  };
  visit(task, []);
  return found;
}

/** @internal Options of the registered function. */
interface IntrospectOptions {
  /** Close the inspector afterwards (the command opened it with SIGUSR1; it would stay open otherwise). */
  close?: boolean;
  /** Default true; false: answer '' (a call only to close). */
  snapshot?: boolean;
}

type Introspect = ((options?: IntrospectOptions) => string) & {
  /** The coroutine (or async function) of each pending task by id, for the command to look at through the inspector. */
  coroutines(): Record<number, unknown>;
};

/** The registered function: the snapshot as JSON. */
const introspect: Introspect = Object.assign(
  (options?: IntrospectOptions): string => {
    const text = options?.snapshot === false ? '' : JSON.stringify(snapshot());
    if (options?.close === true) closeInspectorSoon();
    return text;
  },
  { coroutines },
);

/**
 * The coroutines of the running loop's tasks by task id. Generator objects show their
 * function and where they are suspended only to a debugger (V8's internal properties
 * `[[GeneratorFunction]]`, `[[GeneratorLocation]]`): the command reads those through the
 * inspector, which gives it, without debug mode, the outermost coroutine of each task.
 */
function coroutines(): Record<number, unknown> {
  const found: Record<number, unknown> = {};
  const loop = runningLoopOrNull();
  if (loop === null) return found;
  for (let t = loop._firstTask as Task<unknown> | null; t !== null; t = t._nextTask) found[idOf(t)] = t.getCoro();
  return found;
}

/**
 * `inspector.close()` waits for the connected sessions to close (it closes them): called
 * from inside the session's own `Runtime.evaluate` it would wait for itself. A timer gives
 * the command the time to read the answer and disconnect first.
 */
function closeInspectorSoon(): void {
  const timer = setTimeout(() => {
    void import('node:inspector').then((inspector) => inspector.close(), () => {});
  }, 200);
  timer.unref();
}

/** Registers `introspect` once per copy; a later copy's function merges the earlier one's loops. */
function register(): void {
  const holder = globalThis as { [INTROSPECT_KEY]?: Introspect };
  const previous = holder[INTROSPECT_KEY];
  if (previous === introspect) return;
  const own = previous === undefined ? introspect : merged(previous);
  Object.defineProperty(globalThis, INTROSPECT_KEY, { value: own, configurable: true, writable: true, enumerable: false });
}

function merged(previous: Introspect): Introspect {
  const both = (options?: IntrospectOptions): string => {
    const text = introspect(options);
    if (text === '') return text;
    const mine = JSON.parse(text) as Snapshot;
    mine.loops.push(...(JSON.parse(previous({})) as Snapshot).loops);
    return JSON.stringify(mine);
  };
  return Object.assign(both, { coroutines: () => ({ ...previous.coroutines(), ...coroutines() }) });
}

register();
