import type { ResourceLimits } from './executor.js';
import type { Serialized } from './worker-script.js';

/**
 * The worker thread running a job died before the job finished: the job called
 * `process.exit()`, or something it started threw where nothing caught it (an error in a
 * timer callback, an unhandled rejection). `exitCode` is the worker's exit code; `cause` is
 * the uncaught error, if there was one. The pool replaces the worker.
 *
 * @example
 * import { ThreadPoolExecutor, WorkerCrashError } from 'aio-ts/executors';
 *
 * const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * try {
 *   await pool.submit(() => process.exit(3));
 * } catch (error) {
 *   console.log(error instanceof WorkerCrashError, (error as WorkerCrashError).exitCode); // true 3
 * }
 * console.log(await pool.submit(() => 'still works')); // a new worker runs it
 * await pool.shutdown();
 */
export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
  /** The worker's exit code. */
  readonly exitCode: number;

  /**
   * @param exitCode The worker's exit code.
   * @param cause The worker's uncaught error, if there was one (becomes `error.cause`).
   * @param worker What crashed, for the message: 'worker thread' (default) or 'worker process'.
   */
  constructor(exitCode: number, cause?: unknown, worker = 'worker thread') {
    const why = cause === undefined ? `exited with code ${exitCode}` : `crashed with an uncaught error (${String(cause)})`;
    super(`the ${worker} running the job ${why} before the job finished`, cause === undefined ? undefined : { cause });
    this.exitCode = exitCode;
  }
}

/**
 * The job went over the pool's `resourceLimits` (its worker ran out of the heap it was
 * allowed): the worker is replaced, the pool goes on. `resourceLimits` are the pool's limits.
 *
 * @example
 * import { ThreadPoolExecutor, ResourceLimitError } from 'aio-ts/executors';
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
 * try {
 *   await pool.submit(() => {
 *     const hoard: number[][] = [];
 *     for (;;) hoard.push(new Array(100_000).fill(1.5));
 *   });
 * } catch (error) {
 *   console.log(error instanceof ResourceLimitError); // true, well before the process's own heap limit
 * }
 */
export class ResourceLimitError extends WorkerCrashError {
  override name = 'ResourceLimitError';
  /** The limits of the pool whose worker ran out. */
  readonly resourceLimits: Readonly<ResourceLimits>;

  /** @internal */
  constructor(exitCode: number, resourceLimits: Readonly<ResourceLimits>, cause?: unknown, worker = 'worker thread') {
    super(exitCode, cause, worker);
    this.resourceLimits = resourceLimits;
    const limits = Object.entries(resourceLimits)
      .map(([key, value]) => `${key}: ${value}`)
      .join(', ');
    this.message =
      `the job ran out of the memory its ${worker} may use (resourceLimits: { ${limits} }) and was stopped: ` +
      'use less memory per job, or raise resourceLimits';
  }
}

const STANDARD: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * @internal Rebuilds what a job threw in its worker: standard error classes come back as themselves
 * (a TypeError is a TypeError), others as an Error with their name; message, stack, `cause`
 * and cloneable own properties (`code`, …) are kept.
 */
export function reviveError(data: Serialized): unknown {
  if ('thrown' in data) return data.thrown;
  const error =
    data.name === 'DataCloneError' ? new DOMException(data.message, 'DataCloneError') : new (STANDARD[data.name] ?? Error)(data.message);
  if (error.name !== data.name) {
    Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
  }
  Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true, enumerable: false });
  if (data.cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: reviveError(data.cause), writable: true, configurable: true, enumerable: false });
  }
  if (data.props !== undefined) Object.assign(error, data.props);
  return error;
}

const NOT_DEFINED = /^([\w$]+) is not defined$/;

/**
 * @internal A job that uses a variable from around it fails with "x is not defined" (only its source
 * crossed): say so, in the message and in the stack's first line (what Node prints if uncaught).
 */
export function explainNotDefined(error: unknown): unknown {
  if (!(error instanceof ReferenceError)) return error;
  const name = NOT_DEFINED.exec(error.message)?.[1];
  if (name === undefined) return error;
  const before = `${error.name}: ${error.message}`;
  error.message +=
    `: the job runs in a worker thread, which gets only the function's source, not the variables around it; ` +
    `define or require() ${name} inside the function, or pass its value as an argument`;
  if (typeof error.stack === 'string' && error.stack.startsWith(before)) {
    error.stack = `${error.name}: ${error.message}${error.stack.slice(before.length)}`;
  }
  return error;
}

/** @internal The error for arguments that structured clone rejects, at dispatch time. */
export function argumentCloneError(error: unknown, worker = 'worker thread'): DOMException {
  const reason = error instanceof Error ? error.message : String(error);
  return new DOMException(
    `an argument of the job cannot be sent to a ${worker} (${reason}): pass data that structured clone accepts (primitives, plain objects, arrays, Map, Set, Date, typed arrays${worker === 'worker thread' ? ', SharedArrayBuffer' : ''})`,
    'DataCloneError',
  );
}
