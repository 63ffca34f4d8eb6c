import { fileURLToPath } from 'node:url';
import { setSuspendHook } from './futures.js';
import type { LoopTask } from './loop/events.js';
import { runningLoopOrNull } from './loop/running.js';
import { steppingTask } from './task-tracking.js';

/**
 * Where generator tasks are suspended, for `task.getStack()`. V8 shows no frame of a suspended
 * generator, but at the moment a coroutine suspends, the whole `yield*` chain from the task's
 * coroutine down to the awaited future is on the stack. So in debug mode (`AIO_DEBUG=1`,
 * `loop.setDebug(true)`) each suspension records it — a stack capture per await, which is why
 * it is debug-only. Async-function tasks suspend in V8's own machinery: no frames for them.
 */

/** One frame of a task's stack: a coroutine function and where it is suspended. */
export interface StackFrame {
  /** The function's name (`<anonymous>` if it has none). */
  functionName: string;
  /** Its file (a path, or a URL for code not on disk); empty if unknown. */
  file: string;
  /** 1-based line, 0 if unknown. */
  line: number;
  /** 1-based column, 0 if unknown. */
  column: number;
}

/** The stacks recorded at the latest suspension of each task (debug mode only). */
const stacks = new WeakMap<LoopTask, string>();
let installed = false;

/** @internal Turns recording on (once a loop is in debug mode); it stays on, and checks the loop's flag. */
export function enableSuspendStacks(): void {
  if (installed) return;
  installed = true;
  setSuspendHook(recordSuspension);
}

function recordSuspension(): void {
  const loop = runningLoopOrNull();
  if (loop === null || !loop._debug) return;
  const task = steppingTask();
  if (task === null) return;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  if (stack !== undefined) stacks.set(task, stack);
}

const OWN_DIR_URL = new URL('.', import.meta.url).href;
const OWN_DIR = fileURLToPath(OWN_DIR_URL);
const FRAME = /^\s*at (?:async )?(.*?) \((.*):(\d+):(\d+)\)$|^\s*at (?:async )?(.*):(\d+):(\d+)$/;

/**
 * @internal The frames `task` was suspended in at its latest suspension, outermost first:
 * the coroutines between the task's step and the awaiter (the runtime's own stepping frames
 * and V8's `Generator.next` left out).
 */
export function suspendedStack(task: LoopTask, limit?: number): StackFrame[] {
  const stack = stacks.get(task);
  if (stack === undefined) return [];
  const lines = stack.split('\n').slice(1);
  // From the frame below the awaiter's constructor up to the task step that ran the coroutine.
  const start = lines.findIndex((line) => /\bnew FutureAwaiter\b/.test(line)) + 1;
  const frames = framesUpToStep(lines.slice(start));
  frames.reverse(); // outermost (the task's coroutine) first, as asyncio orders them
  return limit === undefined ? frames : limit >= 0 ? frames.slice(-limit || frames.length) : frames.slice(0, -limit);
}

/**
 * @internal The frames of the running code, innermost first, from `depth` frames above the
 * caller (0: the caller itself) down to the task step that runs it (asyncio's
 * `sys._getframe(depth)` walk in `capture_call_graph`).
 */
export function liveStack(depth: number): StackFrame[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return framesUpToStep(stack.split('\n').slice(2 + depth));
}

/** Parsed frames of stack lines (innermost first) up to the task step, the runtime's own stepping frames left out. */
function framesUpToStep(lines: string[]): StackFrame[] {
  let end = lines.findIndex((line) => /\bat taskStep\b/.test(line));
  if (end < 0) end = lines.length;
  const frames: StackFrame[] = [];
  for (const line of lines.slice(0, end)) {
    if (line.includes('(<anonymous>)') || line.includes('node:internal') || isOwnFile(line, 'futures.') || isOwnFile(line, 'contextvars.') || isOwnFile(line, 'debug-console-task.')) continue;
    const m = FRAME.exec(line);
    if (m === null) continue;
    const name = m[1] ?? '<anonymous>';
    if (/^(?:Generator|Object)\.(?:next|throw)$/.test(name) || name.startsWith('stepIn') || name === 'callOf' || name === 'nextOf' || name === 'throwInto') continue;
    frames.push({
      functionName: name.replace(/^Generator\./, '') || '<anonymous>',
      file: m[2] ?? m[5] ?? '',
      line: Number(m[3] ?? m[6] ?? 0),
      column: Number(m[4] ?? m[7] ?? 0),
    });
  }
  return frames;
}

function isOwnFile(line: string, prefix: string): boolean {
  return line.includes(OWN_DIR + prefix) || line.includes(OWN_DIR_URL + prefix);
}

/** @internal The text `printStack` writes. */
export function formatStack(taskDescription: string, frames: StackFrame[]): string {
  if (frames.length === 0) return `No stack for ${taskDescription}\n`;
  const lines = [`Stack for ${taskDescription} (most recent call last):`];
  for (const f of frames) lines.push(`  File "${f.file}", line ${f.line}, in ${f.functionName}`);
  return lines.join('\n') + '\n';
}
