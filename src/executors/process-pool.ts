import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { WorkerPool, type PoolWorker, type WorkerPoolOptions } from './pool.js';
import { reviveError } from './remote-error.js';
import { CRASHED, WORKER_SCRIPT, type ResultMessage, type Serialized } from './worker-script.js';

/**
 * Options of `new ProcessPoolExecutor()`: those of ThreadPoolExecutor. `resourceLimits` become
 * the workers' V8 flags (`maxOldGenerationSizeMb` → `--max-old-space-size`,
 * `maxYoungGenerationSizeMb` → `--max-semi-space-size` (a third of it), `stackSizeMb` →
 * `--stack-size`, which must stay below the system's stack limit); `codeRangeSizeMb` is for
 * threads only.
 */
export interface ProcessPoolExecutorOptions extends WorkerPoolOptions {}

/** Worker processes alive, killed if this process exits first (a busy child would not notice). */
const children = new Set<ChildProcess>();
let exitHook = false;

/** A child process that looks like a worker thread to the pool. */
class ChildWorker extends EventEmitter implements PoolWorker {
  readonly #child: ChildProcess;

  constructor(execArgv: string[]) {
    super();
    // The worker script goes on the command line: no file to find, the same from src/ and dist/.
    const child = spawn(process.execPath, [...execArgv, '-e', WORKER_SCRIPT], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced', // structured clone, as between threads (but no shared memory)
      windowsHide: true,
    });
    this.#child = child;
    children.add(child);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const each of children) each.kill('SIGKILL');
      });
    }
    child.on('message', (message: ResultMessage) => {
      if (message[0] === CRASHED) this.emit('error', reviveError(message[1] as Serialized));
      else this.emit('message', message);
    });
    child.on('error', (error) => this.emit('error', error));
    // 'close', not 'exit': it comes after the last message of the IPC channel (a result, or
    // the uncaught error the process reported before dying), 'exit' may come before them.
    child.on('close', (code, signal) => {
      children.delete(child);
      // Like a thread's exit code; a signal counts as 128 + its number, as in a shell.
      this.emit('exit', code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  }

  postMessage(message: unknown): void {
    this.#child.send(message as never);
  }

  terminate(): void {
    this.#child.kill('SIGKILL');
  }

  ref(): void {
    this.#child.ref();
    (this.#child.channel as { ref?(): void } | null | undefined)?.ref?.();
  }

  unref(): void {
    this.#child.unref();
    (this.#child.channel as { unref?(): void } | null | undefined)?.unref?.();
  }
}

/**
 * Runs functions in a pool of child processes (concurrent.futures' ProcessPoolExecutor), with
 * ThreadPoolExecutor's interface and behaviour: self-contained functions or `moduleTask()`s,
 * arguments and results by structured clone (no SharedArrayBuffer: processes share no memory),
 * `map`, `stats`, the same options, and a running job stopped by killing its process when
 * cancelled. A process costs more to start and each message more to send than a thread; use
 * it for isolation: native code that is not thread-safe, a crash (`abort()`, a segfault) that
 * would take a thread's whole process down, or a job that changes process-wide state
 * (`process.chdir`, environment). A job that dies fails with `WorkerCrashError` (its
 * `exitCode` is 128 + the signal's number if a signal killed it). Worker processes are killed
 * if this process exits first.
 *
 * @example
 * import { ProcessPoolExecutor } from 'aio-ts/executors';
 *
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * const pids = await Promise.all([1, 2].map(() => pool.submit(() => process.pid)));
 * console.log(pids.every((pid) => pid !== process.pid)); // true: each job ran in a child process
 * console.log(await pool.submit(() => process.abort()).then(() => 'ok', (error: Error) => error.name)); // 'WorkerCrashError'
 */
export class ProcessPoolExecutor extends WorkerPool {
  readonly #execArgv: string[];

  /** A pool with no process yet (unless `minWorkers`): they start on demand. See the options for the defaults. */
  constructor(options: ProcessPoolExecutorOptions = {}) {
    super('ProcessPoolExecutor', options);
    const limits = options.resourceLimits;
    if (limits?.codeRangeSizeMb !== undefined) {
      throw new TypeError(
        'ProcessPoolExecutor: resourceLimits.codeRangeSizeMb applies to worker threads only; a process takes maxOldGenerationSizeMb, maxYoungGenerationSizeMb and stackSizeMb',
      );
    }
    this.#execArgv = [];
    if (limits?.maxOldGenerationSizeMb !== undefined) this.#execArgv.push(`--max-old-space-size=${Math.ceil(limits.maxOldGenerationSizeMb)}`);
    if (limits?.maxYoungGenerationSizeMb !== undefined) {
      this.#execArgv.push(`--max-semi-space-size=${Math.max(1, Math.ceil(limits.maxYoungGenerationSizeMb / 3))}`);
    }
    if (limits?.stackSizeMb !== undefined) this.#execArgv.push(`--stack-size=${Math.ceil(limits.stackSizeMb * 1024)}`);
    this._startMinWorkers();
  }

  /** @internal */
  protected _startWorker(): PoolWorker {
    return new ChildWorker(this.#execArgv);
  }

  /** @internal V8 aborts a process that runs out of heap: SIGABRT, or exit code 134. */
  protected _outOfMemory(_crash: unknown, code: number): boolean {
    return code === 128 + constants.signals.SIGABRT;
  }
}

