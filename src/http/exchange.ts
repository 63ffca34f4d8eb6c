import { CancelledError, TimeoutError } from '../errors.js';
import { fromPromise } from '../ensure-future.js';
import type { Coro } from '../futures.js';
import type { EventLoop } from '../loop/event-loop.js';
import type { TimerHandle } from '../loop/handles.js';
import type { Semaphore } from '../locks/semaphore.js';
import { translateError } from './errors.js';

/** The reason the total timer aborts with: recognised when the request rejects with it. */
const TOTAL_TIMEOUT: unique symbol = Symbol('timeout.total');

/**
 * @internal The `signal` undici's `request()` gets: the part of an AbortSignal it uses
 * (`aborted`, `reason`, abort listeners). An AbortController per request cost more than the
 * rest of the request's own objects together.
 */
export class RequestSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at !== -1) this.#listeners.splice(at, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}

/**
 * @internal One request from start to the end of its body: the signal that stops it
 * (cancellation, `timeout.total`), the total-timeout timer, and the session's connection
 * permit. `finish()` gives everything back, once.
 */
export class Exchange {
  readonly signal = new RequestSignal();
  #timer: TimerHandle | null = null;
  #permit: Semaphore | null = null;
  #finished = false;
  #timedOut = false;

  constructor(
    readonly loop: EventLoop,
    /** For messages: `ClientSession.get()`. */
    readonly call: string,
    public url: URL,
    readonly total: number | null,
  ) {}

  /** Starts the `timeout.total` clock (after the permit was taken: queueing for a connection counts, as in aiohttp). */
  start(permit: Semaphore | null): void {
    this.#permit = permit;
    if (this.total !== null) {
      this.#timer = this.loop.callLater(this.total, () => {
        this.#timedOut = true;
        this.signal.abort(TOTAL_TIMEOUT);
      });
    }
  }

  /** True once `finish()` ran: the body is read, released or failed. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Awaits an undici promise: cancellation aborts the request; its errors get aiohttp's classes. */
  *wait<T>(promise: Promise<T>): Coro<T> {
    try {
      return yield* fromPromise(promise, this.loop);
    } catch (error) {
      if (error instanceof CancelledError) {
        this.abort(error);
        throw error;
      }
      const translated = this.translate(error);
      this.finish();
      throw translated;
    }
  }

  /** The error to throw for `error`, which the request was rejected with. */
  translate(error: unknown): unknown {
    if (this.#timedOut || error === TOTAL_TIMEOUT) {
      return new TimeoutError(
        `${this.call}: timeout.total of ${this.total} ms passed for ${this.url.href} (raise it with the timeout option, or null for no limit)`,
      );
    }
    return translateError(error, this.url);
  }

  /** Stops the request (its socket is destroyed, so it cannot be reused) and gives everything back. */
  abort(reason: unknown): void {
    this.signal.abort(reason);
    this.finish();
  }

  /** Gives the connection permit back and stops the total timer; idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#timer?.cancel();
    this.#timer = null;
    const permit = this.#permit;
    this.#permit = null;
    if (permit !== null && !this.loop.isClosed()) permit.release();
  }
}
