// Loads aio for a workload, at run time, so that the suite runs at every stage of
// the project: a missing src/index.ts or a missing export makes the aio system
// "unavailable" instead of breaking the peers' runs (and the type check).
//
// The types below are the subset of the public API (docs/api/index.md) that the
// benchmarks use, written by hand because src/ may not exist yet.

/** A coroutine: `function*` + `yield*` is `async def` + `await`. */
export type Coro<T> = Generator<unknown, T, unknown>;

/** Every runtime awaitable is both `yield*`-able and thenable. */
export interface Awaitable<T> extends PromiseLike<T> {
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
}

export interface AioFuture<T> extends Awaitable<T> {
  done(): boolean;
  cancelled(): boolean;
  cancel(msg?: string): boolean;
  result(): T;
}

export type AioTask<T> = AioFuture<T>;

export type CoroFn<T> = () => Coro<T> | Promise<T>;

export interface AioQueue<T> {
  put(item: T): Awaitable<void>;
  get(): Awaitable<T>;
  qsize(): number;
}

export interface AioSemaphore {
  acquire(): Awaitable<boolean>;
  release(): void;
  locked(): boolean;
}

export type AioLock = AioSemaphore;

export interface AioEvent {
  wait(): Awaitable<boolean>;
  set(): void;
  isSet(): boolean;
}

export interface AioTaskGroup {
  createTask<T>(coro: Coro<T> | CoroFn<T>, opts?: { name?: string }): AioTask<T>;
}

export interface AioLoop {
  createFuture<T>(): AioFuture<T> & { setResult(value: T): void };
  runInExecutor<A extends unknown[], R>(executor: null, fn: (...args: A) => R, ...args: A): AioFuture<Awaited<R>>;
}

export interface Aio {
  run<T>(main: CoroFn<T>): Promise<T>;
  getRunningLoop(): AioLoop;
  createTask<T>(coro: Coro<T> | CoroFn<T>, opts?: { name?: string }): AioTask<T>;
  sleep(ms: number): AioFuture<void>;
  gather<T>(...aws: Awaitable<T>[]): AioFuture<T[]>;
  gather<T>(...args: [...Awaitable<T>[], { returnExceptions: true }]): AioFuture<(T | Error)[]>;
  /** gather over an iterable: no spread, so no limit on the count. */
  gatherFrom<T>(aws: Iterable<Awaitable<T>>): AioFuture<T[]>;
  taskGroup<T>(body: (tg: AioTaskGroup) => Coro<T> | Promise<T>): Awaitable<T>;
  Queue: new <T>(maxsize?: number) => AioQueue<T>;
  Semaphore: new (value?: number) => AioSemaphore;
  Lock: new () => AioLock;
  Event: new () => AioEvent;
}

/** Thrown when aio, or one of the exports a workload needs, is not there yet. */
export class Unavailable extends Error {
  override name = 'Unavailable';
}

const ENTRY = new URL('../../src/index.ts', import.meta.url).href;

/**
 * Imports src/index.ts and checks that every export in `needs` exists.
 * Throws `Unavailable` (never anything else) when it cannot.
 */
export async function loadAio(...needs: (keyof Aio)[]): Promise<Aio> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ENTRY)) as Record<string, unknown>;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Unavailable(`cannot import src/index.ts (${msg})`);
  }
  const missing = needs.filter((name) => mod[name] === undefined);
  if (missing.length > 0) throw new Unavailable(`src/index.ts does not export ${missing.join(', ')} yet`);
  return mod as unknown as Aio;
}

/** Whether aio exports `name` (for workloads with a fallback path). */
export function has(aio: Aio, name: string): boolean {
  return (aio as unknown as Record<string, unknown>)[name] !== undefined;
}

export function isCancelled(err: unknown): boolean {
  return err instanceof Error && err.name === 'CancelledError';
}
