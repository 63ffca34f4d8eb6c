import { Socket } from 'node:net';
import * as tls from 'node:tls';
import { type Duplex, Writable } from 'node:stream';
import {
  anchorMaps,
  type Blocked,
  type Coro,
  type EventLoop,
  Future,
  getRunningLoop,
  InlineAwaitable,
  type Operation,
  trackResource,
  untrackResource,
  WaiterQueue,
  WaitOp,
} from './core.js';
import { ConnectionResetError } from './errors.js';
import type { StreamReader } from './stream-reader.js';
import { describe, ioFuture, RUN_END_GRACE_MS, toBuffer } from './util.js';

/** Names `getExtraInfo()` knows. */
export type ExtraInfoName = 'peername' | 'sockname' | 'socket' | 'peercert' | 'cipher';

/** Options of `writer.startTls()`: Node's TLS options, plus which side of the handshake this is. */
export type StartTlsOptions = tls.ConnectionOptions &
  tls.SecureContextOptions & {
    /** Act as the TLS server (default: true for connections accepted by `startServer`). */
    isServer?: boolean;
  };

type Listener = (...args: any[]) => void;

/**
 * The write side of a connection (asyncio.StreamWriter), over a Node socket or any Node
 * Writable. `write()` never blocks: it hands the bytes to Node, and `drain()` waits while
 * Node's buffer is above its high-water mark (`writableNeedDrain`), which is how a writer
 * keeps pace with the peer. Several tasks may `drain()` at once; all resume together.
 *
 * A connection made by `openConnection`/`startServer` is owned by its writer: the writer
 * also feeds the StreamReader of the same socket and knows when the connection is lost.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { openConnection } from 'aio-ts/streams';
 *
 * await run(async () => {
 *   const [reader, writer] = await openConnection({ host: '127.0.0.1', port: 8888 });
 *   writer.write('hello\n');
 *   await writer.drain();
 *   console.log((await reader.readline()).toString());
 *   writer.close();
 *   await writer.waitClosed();
 * });
 */
export class StreamWriter {
  #stream: Writable;
  readonly #reader: StreamReader | null;
  readonly #serverSide: boolean;
  #listeners: [string, Listener][] = [];
  #error: unknown = null;
  #lost = false;
  #closing = false;
  #eofWritten = false;
  /** Drains waiting for Node's 'drain' (or the connection's loss): `DrainOp`s. */
  readonly #drainWaiters = new WaiterQueue();
  #closeWaiters = new Set<Future<void>>();
  /** The loop whose `run()` end closes this connection, while it is open (see `_trackIn`). */
  #trackedBy: EventLoop | null = null;

  /**
   * @internal Made by `openConnection`, `startServer` and `fromWritable`/`fromDuplex`.
   * @param stream What to write to (a socket, or any Writable).
   * @param reader The reader fed from the same stream, if it is also read from.
   * @param serverSide Accepted by a server (the TLS server side in `startTls`).
   */
  constructor(stream: Writable, reader: StreamReader | null, serverSide = false) {
    this.#stream = stream;
    this.#reader = reader;
    this.#serverSide = serverSide;
    this.#attach(stream);
  }

  /** The underlying stream (socket) currently written to. */
  get transport(): Writable {
    return this.#stream;
  }

  /** The reader of the same connection, or `null`. */
  get reader(): StreamReader | null {
    return this.#reader;
  }

  /**
   * Writes `data` (a string is UTF-8). Never blocks: follow with `drain()` to wait while the
   * peer is slower. Throws after `close()` or `writeEof()`; on a lost connection the bytes are
   * dropped and the next `drain()` throws the connection's error (as in asyncio).
   */
  write(data: Uint8Array | string): void {
    const buffer = toBuffer(data, 'write()');
    this.#checkWritable('write()');
    if (this.#lost || buffer.length === 0) return;
    this.#stream.write(buffer);
  }

  /** Writes each item of `lines` (no separator added), in one batch. */
  writelines(lines: Iterable<Uint8Array | string>): void {
    if (lines === null || typeof (lines as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`writelines() expects an iterable of Buffers or strings, got ${describe(lines)}`);
    }
    const buffers = Array.from(lines, (line) => toBuffer(line, 'writelines()'));
    this.#checkWritable('writelines()');
    if (this.#lost) return;
    const stream = this.#stream;
    stream.cork();
    for (const buffer of buffers) if (buffer.length > 0) stream.write(buffer);
    stream.uncork();
  }

  /** Whether `writeEof()` is possible: not on TLS, which has no half-close. */
  canWriteEof(): boolean {
    return !(this.#stream instanceof tls.TLSSocket);
  }

  /**
   * Closes the write side after the buffered data (half-close): the peer reads EOF, and this
   * side can still read. Throws on TLS (see `canWriteEof()`).
   */
  writeEof(): void {
    if (!this.canWriteEof()) {
      throw new Error('writeEof() is not possible on a TLS connection (TLS has no half-close): use close() instead');
    }
    if (this.#eofWritten || this.#closing || this.#lost) return;
    this.#eofWritten = true;
    this.#stream.end();
  }

  /**
   * Waits until the buffered data is down to the high-water mark (returns at once if it is).
   * Throws the connection's error if it failed; called once the connection is lost, throws
   * ConnectionResetError (a drain already waiting when it closes cleanly just returns, as in asyncio).
   * Cancelling a drain leaves the writer usable.
   */
  drain(): Operation<void> {
    return new DrainOp(this);
  }

  /**
   * @internal `drain()`'s first step, for `op`: throws the connection's error, returns if
   * nothing is to wait for, else queues `op` until Node's 'drain' or the connection's loss.
   */
  _drain(op: WaitOp<void>): void | Blocked {
    const readerError = this.#reader?.exception() ?? null;
    if (readerError !== null) throw readerError;
    if (this.#lost) throw this.#lostError();
    if (!this.#stream.writableNeedDrain) return;
    return op._block(this.#drainWaiters, getRunningLoop());
  }

  /** Closes the connection once the buffered data is written. Idempotent. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    const stream = this.#stream as Writable & Partial<Duplex> & { destroySoon?: () => void };
    if (typeof stream.destroySoon === 'function') stream.destroySoon();
    else if (stream.writableFinished || stream.destroyed) stream.destroy();
    else {
      stream.end();
      // A Duplex keeps its read side: release it too once the writes are out.
      if (typeof stream.read === 'function') stream.once('finish', () => stream.destroy());
    }
  }

  /** @internal Closes at once, dropping buffered data (asyncio's `transport.abort()`). */
  _abort(): void {
    this.#closing = true;
    this.#stream.destroy();
  }

  /**
   * @internal A connection opened by `openConnection`/`startServer` on `loop`: if still open
   * when `run()` ends, it is closed then (see `_closeAtRunEnd`).
   */
  _trackIn(loop: EventLoop): void {
    if (this.#lost) return;
    this.#trackedBy = loop;
    trackResource(loop, this);
  }

  /**
   * @internal At the end of `run()`: closes the connection after what is buffered (which has
   * `RUN_END_GRACE_MS` of real time to leave), then drops it.
   */
  *_closeAtRunEnd(): Coro<void> {
    this.close();
    if (this.#lost) return;
    const closed = ioFuture<void>(getRunningLoop()); // the socket closes by itself: hold a virtual clock
    this.#closeWaiters.add(closed);
    const timer = setTimeout(() => this._abort(), RUN_END_GRACE_MS);
    try {
      yield* closed;
    } finally {
      clearTimeout(timer);
      this.#closeWaiters.delete(closed);
    }
  }

  /** True once `close()` was called or the connection is lost. */
  isClosing(): boolean {
    return this.#closing || this.#lost;
  }

  /**
   * Waits until the connection is closed (after `close()`, or when lost). Throws the error the
   * connection failed with, if any (as asyncio's `wait_closed()`).
   */
  waitClosed(): Operation<void> {
    return new InlineAwaitable(() => this.#waitClosed());
  }

  /**
   * Information about the connection (asyncio's `get_extra_info`): `'peername'` and
   * `'sockname'` as `[address, port]` (sockname of a Unix socket server side: its path),
   * `'socket'` the Node socket,
   * `'peercert'` the peer's certificate and `'cipher'` the cipher in use (TLS only).
   * Returns `defaultValue` (null) when the information does not apply.
   */
  getExtraInfo(name: ExtraInfoName, defaultValue: unknown = null): unknown {
    const stream = this.#stream;
    const socket = stream instanceof Socket ? stream : null;
    switch (name) {
      case 'socket':
        return stream;
      case 'peername':
        if (socket === null) return defaultValue;
        return socket.remoteAddress !== undefined ? [socket.remoteAddress, socket.remotePort] : defaultValue;
      case 'sockname': {
        if (socket === null) return defaultValue;
        const address = socket.address();
        if (typeof address === 'string') return address;
        if (address !== null && typeof address === 'object' && 'address' in address) return [address.address, address.port];
        return defaultValue;
      }
      case 'peercert':
        return stream instanceof tls.TLSSocket ? stream.getPeerCertificate() : defaultValue;
      case 'cipher':
        return stream instanceof tls.TLSSocket ? stream.getCipher() : defaultValue;
      default:
        throw new RangeError(
          `getExtraInfo() does not know ${describe(name)}: use 'peername', 'sockname', 'socket', 'peercert' or 'cipher'`,
        );
    }
  }

  /**
   * Upgrades the connection to TLS in place (STARTTLS), after draining what was written. The
   * reader and writer go on over the encrypted connection. The client side (default for
   * `openConnection`) verifies the server as `tls.connect` does; the server side (default for
   * connections accepted by `startServer`) needs `key`/`cert` (or `secureContext`).
   * Throws if unread bytes are buffered: they would belong to the handshake.
   */
  startTls(options: StartTlsOptions = {}): Operation<void> {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`startTls() expects an options object (tls.connect options), got ${describe(options)}`);
    }
    return new InlineAwaitable(() => this.#startTls(options));
  }

  /** A short description, for logs and error messages. */
  toString(): string {
    const state = this.#lost ? 'lost' : this.#closing ? 'closing' : this.#eofWritten ? 'eof written' : 'open';
    return `<StreamWriter ${state}${this.#reader !== null ? ` reader=${String(this.#reader)}` : ''}>`;
  }

  #checkWritable(call: string): void {
    if (this.#eofWritten) throw new Error(`${call} called after writeEof(): the write side is shut down`);
    if (this.#closing) throw new Error(`${call} called after close(): the writer is closed`);
  }

  *#waitClosed(): Coro<void> {
    if (!this.#lost) {
      const waiter = new Future<void>(getRunningLoop());
      this.#closeWaiters.add(waiter);
      try {
        yield* waiter;
      } finally {
        this.#closeWaiters.delete(waiter);
      }
    }
    if (this.#error !== null) throw this.#error;
  }

  *#startTls(options: StartTlsOptions): Coro<void> {
    const old = this.#stream;
    if (!(old instanceof Socket) || old instanceof tls.TLSSocket) {
      throw new Error(`startTls() needs a plain TCP connection, but this writer's transport is ${describe(old)}`);
    }
    const buffered = this.#reader?.bufferedSize ?? 0;
    if (buffered > 0) {
      throw new Error(
        `startTls() found ${buffered} unread bytes in the reader: read everything the peer sent before the upgrade first`,
      );
    }
    yield* new DrainOp(this);
    if (this.#lost || this.#closing) throw this.#lostError();
    const { isServer = this.#serverSide, ...tlsOptions } = options;
    this.#detach();
    let secure: tls.TLSSocket;
    if (isServer) {
      const secureContext = tlsOptions.secureContext ?? tls.createSecureContext(tlsOptions);
      secure = new tls.TLSSocket(old, { ...tlsOptions, isServer: true, secureContext });
    } else {
      secure = tls.connect({ ...tlsOptions, socket: old });
    }
    const ready = ioFuture<void>(getRunningLoop());
    const onReady = (): void => {
      if (!ready.done()) ready.setResult(undefined);
    };
    const onError = (error: unknown): void => {
      if (!ready.done()) ready.setException(error);
    };
    secure.once(isServer ? 'secure' : 'secureConnect', onReady);
    secure.once('error', onError);
    this.#stream = secure;
    this.#attach(secure);
    let ok = false;
    try {
      yield* ready;
      ok = true;
    } finally {
      secure.off('error', onError);
      secure.off(isServer ? 'secure' : 'secureConnect', onReady);
      if (!ok) secure.destroy();
    }
  }

  #lostError(): unknown {
    return this.#error ?? new ConnectionResetError('Connection lost');
  }

  /** Listens to the stream: feeds the reader, wakes drains, notes the connection lost. */
  #attach(stream: Writable): void {
    const reader = this.#reader;
    const listeners: [string, Listener][] = [
      ['drain', () => this.#drainWaiters.wakeAll(null)],
      ['error', (error: unknown) => this.#failed(error)],
      ['close', () => this.#connectionLost()],
    ];
    if (reader !== null) {
      const readable = stream as unknown as Duplex;
      reader._setSource({ pause: () => readable.pause(), resume: () => readable.resume() });
      listeners.push(['data', (chunk: Buffer) => reader.feedData(chunk)], ['end', () => reader.feedEof()]);
    }
    for (const [event, listener] of listeners) stream.on(event, listener);
    this.#listeners = listeners;
  }

  #detach(): void {
    for (const [event, listener] of this.#listeners) this.#stream.off(event, listener);
    this.#listeners = [];
    this.#reader?._setSource(null);
  }

  #failed(error: unknown): void {
    if (this.#error === null) this.#error = error;
    const reader = this.#reader;
    // After the peer's EOF the data read is complete: keep it readable (a reset after a FIN is common).
    if (reader !== null && reader.exception() === null && !reader._eofReceived) reader.setException(error);
  }

  #connectionLost(): void {
    this.#lost = true;
    if (this.#trackedBy !== null) {
      untrackResource(this.#trackedBy, this);
      this.#trackedBy = null;
    }
    const reader = this.#reader;
    // Lost without an error (closed here, or by the peer): readers see EOF.
    if (reader !== null && reader.exception() === null) reader.feedEof();
    // As asyncio: waiting drains resume (or throw the connection's error); later ones throw.
    this.#drainWaiters.wakeAll(this.#error);
    wakeAll(this.#closeWaiters);
  }
}

function wakeAll(waiters: Set<Future<void>>): void {
  for (const waiter of waiters) if (!waiter.done()) waiter._resolve(undefined);
  waiters.clear();
}

/**
 * `drain()`: an operation of its own (no generator, no Future), and most drains have
 * nothing to wait for. Woken with the error the connection was lost with (null: none).
 */
class DrainOp extends WaitOp<void> {
  readonly #writer: StreamWriter;
  #error: unknown = null;

  constructor(writer: StreamWriter) {
    super();
    this.#writer = writer;
  }

  /** @internal */
  _try(): void | Blocked {
    return this.#writer._drain(this);
  }

  /** @internal */
  override _wake(error: unknown): void {
    this.#error = error;
    super._wake(error);
  }

  /** @internal As asyncio: a drain woken returns, or throws the error the connection was lost with. */
  override _resume(): void {
    if (this.#error !== null) throw this.#error;
  }
}

anchorMaps(() => new DrainOp(new StreamWriter(new Writable(), null)));
