/** Shared helpers of aio-ts/streams and aio-ts/subprocess. */
import { type Coro, describe, type EventLoop, Future, isIterator, isThenable, type Suspend } from './core.js';

export { describe, isIterator, isThenable };

/**
 * A Future that real I/O will complete by itself (a connect, a listen, a TLS handshake, a
 * spawn). The loop counts it as foreign work until it is done, so a virtual-time loop waits
 * for the I/O instead of jumping its clock. Waits that depend on the peer's code (reads,
 * drain, a process's exit) are plain Futures: counted, they would stop a virtual clock for
 * as long as the peer sleeps on it (a deadlock).
 */
export function ioFuture<T>(loop: EventLoop): Future<T> {
  const future = new Future<T>(loop);
  loop._foreignStarted();
  future.addDoneCallback(settled);
  return future;
}

function settled(future: Future<unknown>): void {
  future._loop._foreignSettled();
}

/** Turns `data` (Buffer, Uint8Array or string, UTF-8) into a Buffer without copying bytes. */
export function toBuffer(data: Uint8Array | string, where: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`${where} expects a Buffer, Uint8Array or string, got ${describe(data)}`);
}

/**
 * At the end of `run()`, how long (real time, ms) a connection still open may take to send
 * what is buffered and close, and a child to exit after SIGTERM, before it is dropped
 * (destroyed) or killed (SIGKILL).
 */
export const RUN_END_GRACE_MS = 1000;

/** A coroutine that has already finished with `value`: an operation done without waiting (a read the buffer satisfies), with no generator made. */
class Finished<T> {
  constructor(readonly value: T) {}
  next(): IteratorResult<Suspend, T> {
    return { done: true, value: this.value };
  }
  throw(error: unknown): never {
    throw error;
  }
  return(value: T): IteratorResult<Suspend, T> {
    return { done: true, value };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

export function finished<T>(value: T): Coro<T> {
  return new Finished(value) as unknown as Coro<T>;
}
