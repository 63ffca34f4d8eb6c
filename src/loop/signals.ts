/**
 * Signal handlers of an event loop (asyncio's `add_signal_handler`, unix_events.py). Node
 * delivers a signal as a 'SIG…' event of `process`; the loop's listener only queues the
 * handler's Handle on the ready queue, so the callback runs as a loop callback (in order with
 * the rest, its errors reported through the exception handler), never inside Node's event.
 * Kept in a WeakMap keyed by the loop: no field added to the EventLoop class.
 */
import { constants } from 'node:os';
import { Handle } from './handles.js';
import type { AbstractEventLoop } from './events.js';
import { argumentError } from '../validate.js';

/** A signal: a name such as `'SIGUSR2'`, or its number. */
export type SignalName = NodeJS.Signals | number;

/** Signals no process can catch (asyncio: "sig … cannot be caught"). */
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP']);

interface Installed {
  handle: Handle;
  listener: () => void;
  keepAlive: boolean;
}

interface LoopSignals {
  handlers: Map<NodeJS.Signals, Installed>;
  /**
   * Node's signal listeners keep nothing alive: while the loop runs with a handler set, this
   * timer does, so a task may wait for a signal (as asyncio's loop would, blocked in select).
   */
  keepAlive: ReturnType<typeof setInterval> | null;
}

const signalsOf = new WeakMap<AbstractEventLoop, LoopSignals>();
const NEVER = 2 ** 31 - 1;
const noop = (): void => {};

function runSignalHandle(handle: Handle): void {
  if (!handle._cancelled) handle._run();
}

/**
 * @internal Checks a signal and returns its name: TypeError for anything but a name or an
 * integer, RangeError for an unknown signal or one that cannot be caught.
 */
export function signalName(call: string, signal: unknown): NodeJS.Signals {
  const known = constants.signals as Record<string, number>;
  let name: string | undefined;
  if (typeof signal === 'string') {
    name = Object.hasOwn(known, signal) ? signal : undefined;
  } else if (typeof signal === 'number' && Number.isInteger(signal)) {
    name = Object.keys(known).find((n) => known[n] === signal);
  } else {
    throw argumentError(call, 'signal', "a signal name such as 'SIGUSR2' or a signal number", signal);
  }
  if (name === undefined) {
    throw new RangeError(argumentError(call, 'signal', "a signal this platform knows (e.g. 'SIGTERM', 'SIGUSR2')", signal).message);
  }
  if (UNCATCHABLE.has(name)) {
    throw new RangeError(argumentError(call, 'signal', `a signal that can be caught (${name} cannot be)`, signal).message);
  }
  return name as NodeJS.Signals;
}

/**
 * @internal `loop.addSignalHandler()`: replaces a handler already set for the signal.
 * `keepAlive: false` (run()'s SIGINT handler): the handler does not keep the process alive.
 */
export function addSignalHandler(
  loop: AbstractEventLoop,
  signal: SignalName,
  callback: unknown,
  args: unknown[],
  keepAlive = true,
): void {
  const name = signalName('addSignalHandler', signal);
  if (typeof callback !== 'function') throw argumentError('addSignalHandler', 'callback', 'a function', callback);
  loop._checkClosed();
  const handle = new Handle(callback as (...args: unknown[]) => unknown, args, loop);
  let state = signalsOf.get(loop);
  if (state === undefined) signalsOf.set(loop, (state = { handlers: new Map(), keepAlive: null }));
  const previous = state.handlers.get(name);
  if (previous !== undefined) {
    // Same signal: swap the handle, keep Node's listener (no moment without one).
    previous.handle.cancel();
    previous.handle = handle;
    previous.keepAlive = keepAlive;
  } else {
    const installed: Installed = {
      handle,
      keepAlive,
      listener: () => {
        // A signal that arrives after close() finds nothing to run (the listener is gone then).
        if (!loop.isClosed()) loop._pushReady(runSignalHandle as (arg: unknown) => void, installed.handle);
      },
    };
    state.handlers.set(name, installed);
    process.on(name, installed.listener);
  }
  signalsRunning(loop);
}

/** @internal `loop.removeSignalHandler()`: true if a handler was set. */
export function removeSignalHandler(loop: AbstractEventLoop, signal: SignalName): boolean {
  const name = signalName('removeSignalHandler', signal);
  const state = signalsOf.get(loop);
  const installed = state?.handlers.get(name);
  if (installed === undefined) return false;
  state!.handlers.delete(name);
  installed.handle.cancel();
  process.removeListener(name, installed.listener);
  signalsRunning(loop);
  return true;
}

/**
 * @internal Called when the loop starts or stops running (and when handlers change): keeps
 * the process alive while the loop runs with a handler that wants it.
 */
export function signalsRunning(loop: AbstractEventLoop): void {
  const state = signalsOf.get(loop);
  if (state === undefined) return;
  let want = false;
  if (loop.isRunning()) for (const installed of state.handlers.values()) want ||= installed.keepAlive;
  if (want && state.keepAlive === null) state.keepAlive = setInterval(noop, NEVER);
  else if (!want && state.keepAlive !== null) {
    clearInterval(state.keepAlive);
    state.keepAlive = null;
  }
}

/** @internal The Handle run for `signal` on `loop`, or null (to tell whether a handler is still one's own). */
export function signalHandle(loop: AbstractEventLoop, signal: NodeJS.Signals): Handle | null {
  return signalsOf.get(loop)?.handlers.get(signal)?.handle ?? null;
}

/** @internal Removes every handler of `loop` (when it closes). */
export function removeAllSignalHandlers(loop: AbstractEventLoop): void {
  const state = signalsOf.get(loop);
  if (state === undefined) return;
  for (const name of [...state.handlers.keys()]) removeSignalHandler(loop, name);
  signalsOf.delete(loop);
}
