import { errors as undiciErrors, util as undiciUtil, type Dispatcher } from 'undici';
import { CancelledError, TimeoutError } from '../errors.js';
import { Future, PENDING, type Coro } from '../futures.js';
import type { EventLoop } from '../loop/event-loop.js';
import type { Timer } from '../loop/timer-queue.js';
import type { Semaphore } from '../locks/semaphore.js';
import { currentTask, type Task } from '../tasks.js';
import type { RawHeaders } from './raw-headers.js';
import { translateError } from './errors.js';

/** The reason the total timer aborts with: recognised when the request fails with it. */
const TOTAL_TIMEOUT: unique symbol = Symbol('timeout.total');
/** A body not read (released, a redirect's, a HEAD's) is drained up to this many bytes, as undici's `dump()`; above, the connection is closed. */
const DUMP_LIMIT = 128 * 1024;
/** An unread body is buffered up to this many bytes, then the socket is paused (undici's body stream's highWaterMark). */
const UNREAD_LIMIT = 64 * 1024;

/** Where a hop's body goes: kept until a reader says how it wants it, read whole, streamed, or dropped. */
const KEEP = 0;
const WHOLE = 1;
const STREAM = 2;
const DUMP = 3;

/** @internal What a `BodyReader` gets from the hop feeding it (its source for flow control). */
export interface BodySink {
  feedData(chunk: Buffer): void;
  feedEof(): void;
  /** The body failed (`error` is undici's, untranslated). */
  _bodyFailed(error: unknown): void;
}

/** The total-timeout timer: one object on the loop's timer queue, forgetting its exchange once cancelled. */
class TotalTimer implements Timer {
  readonly _when: number;
  _seq = 0;
  _scheduled = false;
  _cancelled = false;

  constructor(
    loop: EventLoop,
    delay: number,
    public exchange: Exchange | null,
  ) {
    this._when = loop.time() + delay;
  }

  _run(): void {
    this.exchange?._timeOut();
  }
}

/**
 * @internal One request from start to the end of its body: the hop in flight (the request, or
 * the redirect being followed), the total-timeout timer, and the session's connection permit.
 * `finish()` gives everything back, once.
 */
export class Exchange {
  #timer: TotalTimer | null = null;
  #permit: Semaphore | null = null;
  #finished = false;
  #timedOut = false;
  #hop: Hop | null = null;

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
      const timer = (this.#timer = new TotalTimer(this.loop, this.total, this));
      this.loop._addTimer(timer, this.total);
    }
  }

  /** True once `finish()` ran: the body is read, released or failed. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Sends one request (the first, or a redirect) through `dispatcher`: its response comes to the returned hop. */
  dispatch(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions): Hop {
    const hop = (this.#hop = new Hop(this));
    if (this.#timedOut) hop.abort(TOTAL_TIMEOUT);
    dispatcher.dispatch(options, hop);
    return hop;
  }

  /** Waits for `future` (a hop's): cancellation aborts the request; its errors get aiohttp's classes. */
  *wait<T>(future: Future<T>): Coro<T> {
    try {
      return yield* future;
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

  /** The error to throw for `error`, which the request failed with. */
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
    this.#hop?.abort(reason);
    this.finish();
  }

  /** @internal The total timer is due. */
  _timeOut(): void {
    this.#timer = null;
    this.#timedOut = true;
    this.#hop?.abort(TOTAL_TIMEOUT);
  }

  /** Gives the connection permit back and stops the total timer; idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const timer = this.#timer;
    if (timer !== null) {
      this.#timer = null;
      timer.exchange = null;
      timer._cancelled = true;
      if (timer._scheduled) this.loop._timerHandleCancelled();
    }
    const permit = this.#permit;
    this.#permit = null;
    if (permit !== null && !this.loop.isClosed()) permit.release();
  }
}

/**
 * @internal One request sent to undici and its response: undici's dispatch handler (called
 * synchronously as the socket's data is parsed), which settles `head` when the status and
 * headers arrive and then holds the body for whoever reads it. No promise, no stream in
 * between: a small response is usually complete by the time its task resumes.
 */
export class Hop implements Dispatcher.DispatchHandler {
  /** Settled when the status and headers arrive (or with the request's error). */
  readonly head: Future<void>;
  status = 0;
  statusText = '';
  headers: RawHeaders = {};
  readonly #exchange: Exchange;
  /** The task the head wait counts as foreign work of (see `settleFromPromise`), or null: the loop. */
  readonly #owner: Task<unknown> | null;
  #abort: ((reason?: Error) => void) | null = null;
  #aborted = false;
  #abortReason: unknown = undefined;
  #resume: (() => void) | null = null;
  #paused = false;
  #mode = KEEP;
  #chunks: Buffer[] = [];
  #size = 0;
  #contentLength = -1;
  #complete = false;
  /** The error the body failed with (undici's), or null. */
  #error: unknown = null;
  #failed = false;
  /** The whole body, once read in WHOLE mode. */
  whole: Uint8Array | null = null;
  #waiters: BodyWait[] | null = null;
  #sink: BodySink | null = null;
  #dumped: Future<void> | null = null;

  constructor(exchange: Exchange) {
    this.#exchange = exchange;
    const loop = exchange.loop;
    this.head = new Future<void>(loop);
    const owner = (this.#owner = currentTask(loop));
    if (owner !== null) owner._asyncEnter();
    else loop._foreignStarted();
  }

  /** Stops the request: undici fails it (with `reason`) and destroys its socket. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    if (this.#complete || this.#failed) return;
    // Not yet on a connection: undici calls onConnect when its turn comes, and it is aborted there.
    this.#abort?.(reason as Error);
  }

  // undici's handler interface (the one its request() uses) ----------------------------------

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#aborted) abort(this.#abortReason as Error);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // informational (100 Continue): the real response follows
    this.status = statusCode;
    this.statusText = statusText;
    const headers = (this.headers = undiciUtil.parseHeaders(rawHeaders) as RawHeaders);
    const length = headers['content-length'];
    if (typeof length === 'string') this.#contentLength = Number(length);
    this.#resume = resume;
    this.#settleHead(true, undefined);
    return true;
  }

  onData(chunk: Buffer): boolean {
    switch (this.#mode) {
      case STREAM:
        this.#sink!.feedData(chunk);
        return !this.#paused;
      case DUMP:
        this.#size += chunk.length;
        if (this.#size > DUMP_LIMIT) this.abort(new undiciErrors.RequestAbortedError());
        return true;
      default:
        this.#chunks.push(chunk);
        this.#size += chunk.length;
        if (this.#mode === KEEP && this.#size >= UNREAD_LIMIT) this.#paused = true;
        return !this.#paused;
    }
  }

  onComplete(): void {
    this.#complete = true;
    this.#resume = null;
    this.#abort = null;
    switch (this.#mode) {
      case WHOLE:
        this.#readWhole();
        break;
      case STREAM:
        this.#sink!.feedEof();
        this.#exchange.finish();
        break;
      case DUMP:
        this.#dumpDone();
        break;
    }
  }

  onError(error: unknown): void {
    this.#failed = true;
    this.#error = error;
    this.#resume = null;
    this.#abort = null;
    if (this.head._state === PENDING) {
      this.#settleHead(false, error);
      return;
    }
    this.#chunks = [];
    switch (this.#mode) {
      case WHOLE:
        this.#exchange.finish();
        this.#wakeWaiters();
        break;
      case STREAM:
        this.#sink!._bodyFailed(error);
        break;
      case DUMP:
        this.#dumpDone();
        break;
    }
  }

  // The body's readers ------------------------------------------------------------------------

  /** Reads the whole body (`bytes()`/`text()`/`json()`); the exchange finishes at its end. */
  readAll(): void {
    if (this.#mode !== KEEP) return;
    this.#mode = WHOLE;
    if (this.#complete) this.#readWhole();
    else if (this.#failed) this.#exchange.finish();
    else this.#unpause();
  }

  /** The whole body, once `readAll()` was called: at once if it is complete, else when it is. */
  *wholeBody(): Coro<Uint8Array> {
    const whole = this.whole;
    if (whole !== null) return whole;
    if (this.#failed) throw this.#exchange.translate(this.#error);
    const wait = new BodyWait(this.#exchange.loop);
    (this.#waiters ??= []).push(wait);
    return yield* this.#exchange.wait(wait.future);
  }

  /** Streams the body into `sink` (`response.content`), starting with what arrived already. */
  stream(sink: BodySink): void {
    this.#mode = STREAM;
    this.#sink = sink;
    const chunks = this.#chunks;
    this.#chunks = [];
    // Paused above the unread limit: from now on the reader's flow control decides (it may pause again as it is fed).
    const wasPaused = this.#paused;
    this.#paused = false;
    for (const chunk of chunks) sink.feedData(chunk);
    if (this.#complete) {
      sink.feedEof();
      this.#exchange.finish();
    } else if (this.#failed) sink._bodyFailed(this.#error);
    else if (wasPaused && !this.#paused) this.#resume?.();
  }

  /** Flow control of a streamed body (the reader's source). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#unpause();
  }

  /** True once the body ended or failed. */
  get over(): boolean {
    return this.#complete || this.#failed;
  }

  /**
   * Drops the body, draining it (up to 128 KiB, so that the connection can be reused, as
   * undici's `dump()`) or closing the connection. The future is done when it is over.
   */
  dump(): Future<void> {
    const dumped = (this.#dumped ??= new Future<void>(this.#exchange.loop));
    if (this.#mode === DUMP) return dumped;
    this.#mode = DUMP;
    this.#chunks = [];
    if (this.over) this.#dumpDone();
    else if (this.#size > DUMP_LIMIT || this.#contentLength > DUMP_LIMIT) this.abort(new undiciErrors.RequestAbortedError());
    else this.#unpause();
    return dumped;
  }

  #unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#resume?.();
  }

  #settleHead(ok: boolean, value: unknown): void {
    const loop = this.#exchange.loop;
    const owner = this.#owner;
    if (owner !== null) owner._asyncExit();
    else loop._foreignSettled();
    const head = this.head;
    if (head._state !== PENDING || loop.isClosed()) return;
    if (ok) head._resolve(undefined);
    else head._reject(value);
  }

  #readWhole(): void {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.whole = concat(chunks, this.#size);
    this.#exchange.finish();
    this.#wakeWaiters();
  }

  #wakeWaiters(): void {
    const waiters = this.#waiters;
    if (waiters === null) return;
    this.#waiters = null;
    for (const wait of waiters) wait.settle(this.whole, this.#error);
  }

  #dumpDone(): void {
    const dumped = this.#dumped!;
    if (dumped._state === PENDING && !this.#exchange.loop.isClosed()) dumped._resolve(undefined);
  }
}

/** A task waiting for a whole body: counted as foreign work meanwhile, as a Promise awaited through `ensureFuture`. */
class BodyWait {
  readonly future: Future<Uint8Array>;
  readonly #owner: Task<unknown> | null;

  constructor(loop: EventLoop) {
    this.future = new Future<Uint8Array>(loop);
    const owner = (this.#owner = currentTask(loop));
    if (owner !== null) owner._asyncEnter();
    else loop._foreignStarted();
  }

  settle(whole: Uint8Array | null, error: unknown): void {
    const future = this.future;
    const loop = future._loop;
    const owner = this.#owner;
    if (owner !== null) owner._asyncExit();
    else loop._foreignSettled();
    if (future._state !== PENDING || loop.isClosed()) return;
    if (whole !== null) future._resolve(whole);
    else future._reject(error);
  }
}

/** The chunks as one Uint8Array (a view of the only chunk when there is one: no copy). */
function concat(chunks: Buffer[], size: number): Uint8Array {
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return new Uint8Array(only.buffer, only.byteOffset, only.length);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
