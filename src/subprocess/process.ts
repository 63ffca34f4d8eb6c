import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import {
  type AsyncContextManager,
  type Coro,
  type EventLoop,
  Future,
  gather,
  getRunningLoop,
  InlineAwaitable,
  type Operation,
  trackResource,
  untrackResource,
} from '../streams/core.js';
import type { StreamReader } from '../streams/stream-reader.js';
import type { StreamWriter } from '../streams/stream-writer.js';
import { describe, ioFuture, RUN_END_GRACE_MS, toBuffer } from '../streams/util.js';

const EMPTY = Buffer.alloc(0);

/**
 * A running (or finished) child process (asyncio.subprocess.Process), made by
 * `createSubprocessExec` or `createSubprocessShell`. Its pipes are a StreamWriter
 * (`stdin`) and StreamReaders (`stdout`, `stderr`), or `null` when not piped.
 *
 * Async-disposable: `await using proc = await createSubprocessExec(…)` kills the child if
 * it still runs when the block exits, and waits for it (no process left behind).
 */
export class Process implements AsyncDisposable, AsyncContextManager<Process> {
  readonly #child: ChildProcess;
  /** The child's standard input, if it was `PIPE`. */
  readonly stdin: StreamWriter | null;
  /** The child's standard output, if it was `PIPE`. */
  readonly stdout: StreamReader | null;
  /** The child's standard error, if it was `PIPE` (with `STDOUT`, it is merged into `stdout`). */
  readonly stderr: StreamReader | null;
  #returncode: number | null = null;
  readonly #exitWaiters = new Set<Future<number>>();

  /**
   * @internal Made by `createSubprocessExec`/`createSubprocessShell` once the child has
   * started. A child still running when `run()` ends on `loop` is terminated then.
   */
  constructor(child: ChildProcess, stdin: StreamWriter | null, stdout: StreamReader | null, stderr: StreamReader | null, loop?: EventLoop) {
    this.#child = child;
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    if (child.exitCode !== null || child.signalCode !== null) this.#exited(child.exitCode, child.signalCode);
    else {
      if (loop !== undefined) trackResource(loop, this);
      child.once('exit', (code, signal) => {
        if (loop !== undefined) untrackResource(loop, this);
        this.#exited(code, signal);
      });
    }
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid!;
  }

  /**
   * The exit code once the child has exited, else `null`. Killed by a signal: minus the
   * signal's number (`-9` for SIGKILL), as in asyncio.
   */
  get returncode(): number | null {
    return this.#returncode;
  }

  /**
   * Waits for the child to exit and resolves to its `returncode`. With `stdout`/`stderr`
   * piped, read them meanwhile (or use `communicate()`): a child blocked writing to a full
   * pipe never exits.
   */
  wait(): Operation<number> {
    return new InlineAwaitable(() => this.#wait());
  }

  /**
   * Sends `input` (if given) to stdin and closes it, reads stdout and stderr to their end,
   * all at once (no deadlock, however large each side), then waits for the child to exit.
   * Resolves to `[stdout, stderr]` (`null` for a stream that was not piped). A child that
   * stops reading its input early (EPIPE) is not an error, as in asyncio.
   */
  communicate(input?: Uint8Array | string | null): Operation<[Buffer | null, Buffer | null]> {
    const data = input === undefined || input === null ? null : toBuffer(input, 'communicate()');
    if (data !== null && this.stdin === null) {
      throw new Error('communicate() got input, but the child has no stdin pipe: create it with stdin: PIPE');
    }
    return new InlineAwaitable(() => this.#communicate(data));
  }

  /**
   * Sends a signal (`'SIGTERM'`, `'SIGINT'`, a number…) to the child. Does nothing once it
   * has exited (asyncio's ProcessLookupError is not raised for a child already reaped).
   */
  sendSignal(signal: NodeJS.Signals | number): void {
    if (typeof signal !== 'number' && (typeof signal !== 'string' || !(signal in constants.signals))) {
      throw new TypeError(`sendSignal() expects a signal name such as 'SIGTERM' or a number, got ${describe(signal)}`);
    }
    if (this.#returncode !== null) return;
    this.#child.kill(signal);
  }

  /** Asks the child to stop: SIGTERM. */
  terminate(): void {
    this.sendSignal('SIGTERM');
  }

  /** Stops the child at once: SIGKILL. */
  kill(): void {
    this.sendSignal('SIGKILL');
  }

  /** Kills the child if it still runs, then waits for it to exit (`await using`). */
  [Symbol.asyncDispose](): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#dispose());
  }

  /** `asyncWith()`'s enter: the process itself. */
  enter(): Process {
    return this;
  }

  /** `asyncWith()`'s exit: kills the child if it still runs, then waits for it; never swallows the body's error. */
  exit(): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#dispose());
  }

  /** A short description, for logs and error messages. */
  toString(): string {
    return `<Process ${this.#child.pid} ${this.#returncode === null ? 'running' : `returncode=${this.#returncode}`}>`;
  }

  *#wait(): Coro<number> {
    if (this.#returncode !== null) return this.#returncode;
    const waiter = new Future<number>(getRunningLoop());
    this.#exitWaiters.add(waiter);
    try {
      return yield* waiter;
    } finally {
      this.#exitWaiters.delete(waiter);
    }
  }

  /**
   * @internal At the end of `run()`, a child still running is sent SIGTERM, then SIGKILL if it
   * has not exited after `RUN_END_GRACE_MS` (real time), and reaped; its pipes are closed.
   */
  *_closeAtRunEnd(): Coro<void> {
    if (this.#returncode === null) {
      const exited = ioFuture<number>(getRunningLoop()); // the child exits by itself: hold a virtual clock
      this.#exitWaiters.add(exited);
      this.terminate();
      const timer = setTimeout(() => this.kill(), RUN_END_GRACE_MS);
      try {
        yield* exited;
      } finally {
        clearTimeout(timer);
        this.#exitWaiters.delete(exited);
      }
    }
    // A grandchild may still hold the other ends: do not let the pipes keep the process alive.
    this.stdin?._abort();
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
  }

  *#dispose(): Coro<void> {
    if (this.#returncode === null) this.kill();
    this.stdin?.close();
    yield* this.#wait();
  }

  *#communicate(input: Buffer | null): Coro<[Buffer | null, Buffer | null]> {
    const [, out, err] = yield* gather(this.#feed(input), readAll(this.stdout), readAll(this.stderr));
    yield* this.#wait();
    return [out, err];
  }

  *#feed(input: Buffer | null): Coro<void> {
    const stdin = this.stdin;
    if (stdin === null) return;
    try {
      if (input !== null && input.length > 0) {
        stdin.write(input);
        yield* stdin.drain();
      }
    } catch (error) {
      if (!isBrokenPipe(error)) throw error;
    }
    stdin.close();
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#returncode = code ?? (signal !== null ? -(constants.signals[signal] ?? 0) : 0);
    for (const waiter of this.#exitWaiters) if (!waiter.done()) waiter._resolve(this.#returncode);
    this.#exitWaiters.clear();
  }
}

function* readAll(reader: StreamReader | null): Coro<Buffer | null> {
  if (reader === null) return null;
  const data = yield* reader.read();
  return data.length === 0 ? EMPTY : data;
}

function isBrokenPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED' || (error as Error)?.name === 'ConnectionResetError';
}
