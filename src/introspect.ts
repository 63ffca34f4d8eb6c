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

/** Stable ids of tasks across calls (names need not be unique). */
const ids = new WeakMap<Task<unknown>, number>();
let nextId = 0;

function idOf(task: Task<unknown>): number {
  let id = ids.get(task);
  if (id === undefined) ids.set(task, (id = ++nextId));
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

/**
 * The registered function: the snapshot as JSON. `close`: close the inspector afterwards,
 * once the command has had the answer (SIGUSR1 opened it; it would stay open otherwise).
 */
function introspect(options?: { close?: boolean }): string {
  const text = JSON.stringify(snapshot());
  if (options?.close === true) closeInspectorSoon();
  return text;
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
  const holder = globalThis as { [INTROSPECT_KEY]?: (options?: { close?: boolean }) => string };
  const previous = holder[INTROSPECT_KEY];
  if (previous === introspect) return;
  const own = previous === undefined ? introspect : merged(previous);
  Object.defineProperty(globalThis, INTROSPECT_KEY, { value: own, configurable: true, writable: true, enumerable: false });
}

function merged(previous: (options?: { close?: boolean }) => string): (options?: { close?: boolean }) => string {
  return (options) => {
    const mine = snapshot();
    const theirs = JSON.parse(previous({})) as Snapshot;
    mine.loops.push(...theirs.loops);
    if (options?.close === true) closeInspectorSoon();
    return JSON.stringify(mine);
  };
}

register();
