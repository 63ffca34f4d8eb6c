import { KeyboardInterrupt, CancelledError, DeadlockError } from './errors.js';
import { gatherFrom } from './gather.js';
import { allTasks, type Task, type TaskTarget } from './tasks.js';
import { EventLoop } from './loop/event-loop.js';
import { reportUnretrieved } from './futures.js';
import { runningLoopOrNull } from './loop/running.js';
import { hasOpenAsyncIterators, shutdownAsyncIterators } from './async-iter.js';
import { hasDefaultExecutor } from './executors/loop-executors.js';
import { anchorMaps } from './loop/map-anchors.js';
import { argumentError } from './validate.js';
import './introspect.js'; // registers what `aio ps` calls in this process
import { addSignalHandler, signalHandle } from './loop/signals.js';
import { hasResources, takeResources } from './loop/resources.js';
import type { Suspend } from './futures.js';
import type { Handle } from './loop/handles.js';
import { TraceRecorder, traceFile } from './trace.js';

/**
 * One event loop runs at a time in a process (asyncio: one per thread; JavaScript code has one
 * thread): while a loop runs, it is the running loop for every callback, in or out of its tasks.
 */
const ANOTHER_LOOP_RUNS =
  'cannot start while an event loop is running in this process (one runs at a time, as asyncio runs one per thread): ' +
  'inside that loop, await the coroutine or use createTask(); from outside it, start after that run() settles';

/** How long closing a runner waits for the default executor's jobs (ms; asyncio's THREAD_JOIN_TIMEOUT). */
const EXECUTOR_JOIN_TIMEOUT_MS = 300_000;

/** Options of `run(main, options)` and `new Runner(options)`. */
export interface RunOptions {
  /** Run the loop in debug mode (see `EventLoop.setDebug`). Default: the loop's own setting. */
  debug?: boolean;
  /** Creates the loop. Default: `() => new EventLoop()`; `aio-ts/testing` offers a virtual-time loop. */
  loopFactory?: () => EventLoop;
  /**
   * Writes a trace of the run to this file when it ends (even if `main` throws): Chrome's
   * trace-event JSON, which Perfetto (ui.perfetto.dev) and chrome://tracing show as a timeline,
   * one track per task with its steps and what it awaited between them. Default: the
   * `AIO_TRACE` environment variable, else no trace.
   */
  trace?: string;
}

/**
 * Runs coroutines on one loop that it creates lazily and closes in `close()`
 * (asyncio.Runner). Each `run()` call runs its main as a Task to completion.
 *
 * @example
 * const runner = new Runner();
 * try {
 *   await runner.run(main());
 *   await runner.run(other());
 * } finally {
 *   await runner.close();
 * }
 *
 * // The same with `await using` (asyncio: `with asyncio.Runner() as runner:`):
 * {
 *   await using runner = new Runner();
 *   await runner.run(main());
 *   await runner.run(other());
 * } // closed here, even if a run failed
 */
export class Runner {
  readonly #options: RunOptions;
  #loop: EventLoop | null = null;
  #closed = false;
  #interrupts = 0;
  #trace: TraceRecorder | null = null;

  /** @param options `debug`, `loopFactory` and `trace`, used when the loop is created. */
  constructor(options: RunOptions = {}) {
    checkRunOptions('Runner', options);
    this.#options = options;
  }

  /** The runner's loop, created on first use. */
  getLoop(): EventLoop {
    if (this.#closed) throw new Error('Runner is closed');
    if (this.#loop === null) {
      const loop = this.#options.loopFactory ? this.#options.loopFactory() : new EventLoop();
      if (!(loop instanceof EventLoop)) {
        throw argumentError('Runner', 'what options.loopFactory() returned', 'an EventLoop (e.g. new VirtualEventLoop())', loop);
      }
      if (this.#options.debug !== undefined) loop.setDebug(this.#options.debug);
      this.#loop = loop;
      const file = traceFile(this.#options.trace);
      if (file !== undefined) this.#trace = new TraceRecorder(loop, file);
    }
    return this.#loop;
  }

  /**
   * Runs `main` (a coroutine, coroutine function or async function) as a Task until it
   * is done and resolves to its result. The first SIGINT cancels it and the run rejects
   * with KeyboardInterrupt; a second SIGINT ends the process at once.
   */
  run<T>(main: TaskTarget<T>): Promise<T> {
    if (runningLoopOrNull() !== null) throw new Error(`Runner.run() ${ANOTHER_LOOP_RUNS}`);
    const loop = this.getLoop();
    const task = loop.createTask(main, { name: 'main' });
    this.#interrupts = 0;
    // Through the loop's signal handlers (as a loop callback), only if nobody else handles SIGINT.
    let sigint: Handle | null = null;
    if (process.listenerCount('SIGINT') === 0) {
      // It does not keep the process alive: a main that can never finish is still reported (DeadlockError).
      addSignalHandler(loop, 'SIGINT', (main: Task<unknown>) => this.#onSigint(loop, main), [task], false);
      sigint = signalHandle(loop, 'SIGINT');
    }
    return loop
      .runUntilComplete(task)
      .catch((error: unknown) => {
        if (error instanceof CancelledError && this.#interrupts > 0 && task.uncancel() === 0) {
          throw new KeyboardInterrupt('interrupted by SIGINT');
        }
        throw error;
      })
      .finally(() => {
        if (sigint !== null && signalHandle(loop, 'SIGINT') === sigint) loop.removeSignalHandler('SIGINT');
      });
  }

  /**
   * Cancels and awaits every task still pending, closes unfinished async iterators, closes
   * the servers, connections and child processes still open (of `aio-ts/streams`,
   * `aio-ts/subprocess`: a child is sent SIGTERM, then SIGKILL after 1 s, and reaped), shuts
   * the default executor down (waiting up to 5 minutes for its jobs), then closes the loop.
   * Errors raised by tasks while shutting down go to the loop's exception handler, and so do
   * exceptions of tasks and futures nobody retrieved (`Task exception was never retrieved`).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const loop = this.#loop;
    this.#closed = true;
    if (loop === null) return;
    try {
      // With nothing to shut down the loop closes at once, without running: `run()` relies on
      // it when `main` is rejected, so that the next `run()` does not find this loop running.
      if (loop._firstTask !== null) await unlessStuck(loop, cancelAllTasks(loop));
      if (hasOpenAsyncIterators(loop)) await unlessStuck(loop, loop.runUntilComplete(shutdownAsyncIterators(loop)));
      // Servers, connections and children still open (src/loop/resources.ts): nothing outlives run().
      if (hasResources(loop)) await unlessStuck(loop, closeResources(loop));
      // Only if one was made: no workers started just to be stopped.
      if (hasDefaultExecutor(loop)) await loop.runUntilComplete(loop.shutdownDefaultExecutor(EXECUTOR_JOIN_TIMEOUT_MS));
    } finally {
      this.#trace?.finish(); // every task is done here
      loop.close();
      reportUnretrieved(loop);
    }
  }

  /** `await using runner = new Runner()`: closes the runner (`close()`) when the block ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #onSigint(loop: EventLoop, task: Task<unknown>): void {
    this.#interrupts++;
    if (this.#interrupts === 1 && !task.done()) {
      task.cancel();
      return;
    }
    // Second interrupt: give SIGINT back to Node's default behaviour and re-raise it.
    loop.removeSignalHandler('SIGINT');
    process.kill(process.pid, 'SIGINT');
  }
}

anchorMaps(() => new Runner());

/**
 * A shutdown step that Node.js would end first (tasks that cannot finish even when cancelled:
 * an async function awaiting a Promise that never settles) is reported, and closing goes on.
 */
async function unlessStuck(loop: EventLoop, step: Promise<void>): Promise<void> {
  try {
    await step;
  } catch (error) {
    if (!(error instanceof DeadlockError)) throw error;
    loop.callExceptionHandler({ message: 'tasks still pending when the event loop closed', exception: error });
  }
}

/** Closes the resources still open, all at once; a resource opened meanwhile is closed in the next round. */
async function closeResources(loop: EventLoop): Promise<void> {
  for (let round = 0; round < 10 && hasResources(loop); round++) {
    const resources = takeResources(loop);
    await loop.runUntilComplete(function* () {
      const closing: Task<unknown>[] = [];
      for (const resource of resources) {
        try {
          const coro = resource._closeAtRunEnd();
          if (coro !== undefined) closing.push(loop.createTask(coro as Iterator<Suspend, unknown, unknown>, { name: `closing ${String(resource)}` }));
        } catch (error) {
          loop.callExceptionHandler({ message: 'error closing a resource at the end of run()', exception: error, resource });
        }
      }
      yield* gatherFrom(closing, { returnExceptions: true });
      for (const task of closing) {
        if (!task.cancelled() && task.exception() !== null) {
          loop.callExceptionHandler({ message: 'error closing a resource at the end of run()', exception: task.exception(), task });
        }
      }
    });
  }
}

async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const tasks = [...allTasks(loop)];
  if (tasks.length === 0) return;
  for (const task of tasks) task.cancel();
  // asyncio's gather(*to_cancel, return_exceptions=True), in its iterable form: spreading
  // 100k+ tasks into gather() would overflow the stack.
  await loop.runUntilComplete(function* () {
    yield* gatherFrom(tasks, { returnExceptions: true });
  });
  for (const task of tasks) {
    if (!task.cancelled() && task.exception() !== null) {
      loop.callExceptionHandler({
        message: 'unhandled exception during run() shutdown',
        exception: task.exception(),
        task,
      });
    }
  }
}

/**
 * Runs `main` on a new event loop and resolves to its result (asyncio.run): then cancels
 * and awaits every task still pending, shuts the default executor down and closes the loop.
 * Rejects with `main`'s error.
 *
 * @example
 * import { run, gather, sleep, type Coro } from 'aio-ts';
 *
 * function* greet(name: string): Coro<void> {
 *   console.log(`Hello, ${name}!`);
 *   yield* sleep(1000);
 *   console.log(`Goodbye, ${name}!`);
 * }
 *
 * await run(function* () {
 *   yield* gather(greet('Alice'), greet('Bob'), greet('Charlie'));
 * });
 */
export function run<T>(main: TaskTarget<T>, options: RunOptions = {}): Promise<T> {
  if (runningLoopOrNull() !== null) throw new Error(`run() ${ANOTHER_LOOP_RUNS}`);
  checkRunOptions('run', options);
  const runner = new Runner(options);
  let outcome: Promise<T>;
  try {
    outcome = runner.run(main);
  } catch (error) {
    void runner.close();
    throw error;
  }
  return outcome.finally(() => runner.close());
}

function checkRunOptions(call: string, options: unknown): asserts options is RunOptions {
  if (typeof options !== 'object' || options === null) {
    throw argumentError(call, 'options', 'an object like { debug: true }', options);
  }
  const { debug, loopFactory, trace } = options as RunOptions;
  if (trace !== undefined && (typeof trace !== 'string' || trace === '')) throw argumentError(call, 'options.trace', 'a file name (string)', trace);
  if (debug !== undefined && typeof debug !== 'boolean') throw argumentError(call, 'options.debug', 'a boolean', debug);
  if (loopFactory !== undefined && typeof loopFactory !== 'function') {
    throw argumentError(call, 'options.loopFactory', 'a function returning an EventLoop', loopFactory);
  }
}
