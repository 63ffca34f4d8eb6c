/**
 * The code of a pool worker thread. It is shipped as source text (`new Worker(code, { eval:
 * true })`), so it runs the same from src/ under tsx and from dist/, with no file to find.
 */

import type { JobSource, ModuleRef } from './job.js';

/**
 * A job for a worker: the id of its function, the function's source (or module export) the
 * first time that worker sees it (else null), the arguments, and whether they are a list of
 * argument lists (a chunk of `map()`, whose result is the list of results). A worker runs one
 * job at a time, so replies need no id.
 *
 * @internal
 */
export type JobMessage = [fnId: number, source: JobSource | null, args: unknown[], many: boolean];

/** @internal Status of a job's reply. */
export const OK = 0;
/** @internal */
export const FAILED = 1;
/** @internal Sent by a worker process (not a thread) about to die of an uncaught error: the error, as data. */
export const CRASHED = 2;

/** @internal An error thrown in a worker, as data: any cloneable own properties (`code`, …) go in `props`. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string;
  cause?: Serialized;
  props?: Record<string, unknown>;
}
/** @internal What a job threw: an error as data, or any other value (cloned, or as a string if it cannot be). */
export type Serialized = SerializedError | { thrown: unknown };

/** @internal A worker's reply: OK and the value, or FAILED and what it threw (CRASHED: see there). */
export type ResultMessage = [status: typeof OK, value: unknown] | [status: typeof FAILED | typeof CRASHED, error: Serialized];

/**
 * Runs in the worker. Self-contained: it sees only its parameters and the globals of the
 * worker script (`require`, and `__name`, which tsx inserts into transpiled functions).
 */
function workerMain(ok: typeof OK, failed: typeof FAILED, crashed: typeof CRASHED, nameHelper: unknown): void {
  type Port = { postMessage(message: unknown, transfer?: any[]): void; on(event: 'message', listener: (message: JobMessage) => void): unknown };
  // A worker thread talks through parentPort; a worker process (ProcessPoolExecutor) through its IPC channel.
  const parentPort = (require('node:worker_threads') as typeof import('node:worker_threads')).parentPort;
  const inProcess = parentPort === null;
  const port: Port = parentPort ?? {
    postMessage: (message) => process.send!(message),
    on: (event, listener) => process.on(event, listener),
  };
  /** Compiled once per distinct source (by id), for the life of the worker. */
  const compiled = new Map<number, (...args: unknown[]) => unknown>();

  // move() of move.ts, in the worker: the same registered symbol marks what to transfer.
  const MOVE = Symbol.for('aio-ts.executors.move');
  type Moved = { [MOVE]: true; value: unknown; transfer: unknown[] };
  const move = (value: unknown): Moved => ({
    [MOVE]: true,
    value,
    transfer: [ArrayBuffer.isView(value) ? value.buffer : value],
  });

  const evaluate = (code: string): unknown =>
    // Strict, like the ES module the function came from; `require` lets a job load Node's modules.
    new Function('require', '__name', 'move', `"use strict"; return ${code};`)(require, nameHelper, move);

  /** tsx's ESM API modules already registered in this worker. */
  const registered = new Set<string>();

  /** A function that loads the module on first use (then keeps its export), and calls the export. */
  const fromModule = (ref: ModuleRef): ((...args: unknown[]) => unknown) => {
    let loaded: ((...args: unknown[]) => unknown) | null = null;
    const load = async (): Promise<(...args: unknown[]) => unknown> => {
      if (ref.tsx !== null && !registered.has(ref.tsx)) {
        // Node 20 runs the process's `--import tsx` in the main thread only: register it here.
        ((await import(ref.tsx)) as { register(): unknown }).register();
        registered.add(ref.tsx);
      }
      let namespace: Record<string, unknown>;
      try {
        namespace = (await import(ref.module)) as Record<string, unknown>;
      } catch (error) {
        const fields = error as Error & { code?: unknown };
        if (fields.code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(ref.module)) {
          fields.message +=
            ': a TypeScript module can run in a worker when tsx is installed where the module is (npm install --save-dev tsx) ' +
            'or on a Node that strips types; in production, point moduleTask() at the compiled .js file';
        }
        throw error;
      }
      const fn = namespace[ref.name];
      if (typeof fn !== 'function') {
        const names = Object.keys(namespace).filter((key) => typeof namespace[key] === 'function');
        throw new TypeError(
          `moduleTask(): ${ref.module} has no exported function named ${JSON.stringify(ref.name)} (got ${typeof fn}); ` +
            `its exported functions: ${names.length === 0 ? 'none' : names.join(', ')}`,
        );
      }
      return fn as (...args: unknown[]) => unknown;
    };
    return async (...args: unknown[]) => {
      loaded ??= await load(); // a failed load is tried again by the next job
      return loaded(...args);
    };
  };

  const compile = (source: JobSource): ((...args: unknown[]) => unknown) => {
    if (typeof source !== 'string') return fromModule(source);
    let fn: unknown;
    try {
      fn = evaluate(`(${source}\n)`);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // A method written in shorthand (`name(x) { … }`) is not an expression: read it as an object literal's method.
      let holder: object;
      try {
        holder = evaluate(`{${source}\n}`) as object;
      } catch {
        throw error;
      }
      const [only] = Object.values(Object.getOwnPropertyDescriptors(holder));
      fn = only?.value ?? only?.get ?? only?.set;
    }
    if (typeof fn !== 'function') throw new TypeError(`the job's source is not a function: ${source.slice(0, 80)}`);
    return fn as (...args: unknown[]) => unknown;
  };

  const cloneable = (value: unknown): boolean => {
    try {
      structuredClone(value);
      return true;
    } catch {
      return false;
    }
  };

  const serialize = (error: unknown, depth: number): Serialized => {
    if (!(error instanceof Error)) return { thrown: cloneable(error) ? error : String(error) };
    const fields = error as Error & Record<string, unknown>;
    const out: SerializedError = { name: String(error.name), message: String(error.message), stack: String(error.stack) };
    if ('cause' in error && depth < 8) out.cause = serialize(error.cause, depth + 1);
    for (const key of Object.keys(error)) {
      if (key !== 'cause' && key !== 'name' && key !== 'message' && key !== 'stack' && cloneable(fields[key])) {
        (out.props ??= {})[key] = fields[key];
      }
    }
    return out;
  };

  const runJob = async ([fnId, source, args, many]: JobMessage): Promise<void> => {
    let value: unknown;
    try {
      let fn = compiled.get(fnId);
      if (fn === undefined) {
        try {
          fn = compile(source!);
        } catch (error) {
          fn = () => {
            throw error; // later jobs of this source fail the same way (the source is sent once)
          };
        }
        compiled.set(fnId, fn);
      }
      if (many) {
        const results: unknown[] = [];
        for (const each of args as unknown[][]) results.push(await fn(...each));
        value = results;
      } else {
        value = await fn(...args);
      }
    } catch (error) {
      port.postMessage([failed, serialize(error, 0)]);
      return;
    }
    try {
      const moved = typeof value === 'object' && value !== null && (value as Partial<Moved>)[MOVE] === true ? (value as Moved) : null;
      if (moved === null) port.postMessage([ok, value]);
      else port.postMessage([ok, moved.value], moved.transfer);
    } catch (error) {
      port.postMessage([
        failed,
        {
          name: 'DataCloneError',
          message: `the result of the job cannot be sent back from the worker ${inProcess ? 'process' : 'thread'} (${(error as Error).message}): return data that structured clone accepts (primitives, plain objects, arrays, Map, Set, Date, typed arrays, errors)`,
          stack: String((error as Error).stack),
        },
      ]);
    }
  };

  port.on('message', (message: JobMessage) => void runJob(message));

  if (inProcess) {
    // A process: end with the pool's process (its channel closes), and report what kills it,
    // as a thread's 'error' event would.
    process.on('disconnect', () => process.exit(0));
    process.on('uncaughtException', (error) => {
      process.send!([crashed, serialize(error, 0)], undefined, undefined, () => process.exit(1));
    });
  }
}

/** @internal The source of the worker script. */
export const WORKER_SCRIPT = `"use strict";
const __name = (target, value) => Object.defineProperty(target, "name", { value, configurable: true });
(${workerMain.toString()})(${OK}, ${FAILED}, ${CRASHED}, __name);
`;
