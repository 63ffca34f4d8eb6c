import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  type AsyncContextManager,
  CancelledError,
  type Coro,
  type EventLoop,
  Future,
  getRunningLoop,
  InlineAwaitable,
  type Operation,
  type Suspend,
  Task,
  type TaskTarget,
  trackResource,
  untrackResource,
} from './core.js';
import { StreamReader, checkLimit } from './stream-reader.js';
import { StreamWriter } from './stream-writer.js';
import { checkPort } from './connection.js';
import { describe, ioFuture, isIterator, isThenable } from './util.js';

/**
 * Called for each connection a server accepts, in a Task of its own: a generator function
 * or an async function, and the connection is closed when it returns or throws. A plain
 * function (asyncio allows a callback) hands the connection on: it stays open when the
 * callback returns (close it with `writer.close()` when done).
 */
export type ClientConnectedHandler = (
  reader: StreamReader,
  writer: StreamWriter,
) => Iterator<Suspend, unknown, unknown> | PromiseLike<unknown> | void;

/** Options of `startServer`: either `port` (and `host`) or `path` (a Unix socket). */
export interface StartServerOptions {
  /** Address to listen on (default: all interfaces). */
  host?: string;
  /** TCP port; 0 picks a free one (see `server.address()`). */
  port?: number;
  /** Path of a Unix domain socket to listen on, instead of host/port. */
  path?: string;
  /** TLS: the options of `tls.createServer` (`key`, `cert`, …). */
  tls?: tls.TlsOptions;
  /** Each reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
  /** Length of the queue of pending connections (Node's default: 511). */
  backlog?: number;
  /** Let several servers bind the same port (Node 22.12 and later; ignored before). */
  reusePort?: boolean;
  /** Start accepting connections at once (default true); otherwise call `startServing()`. */
  startServing?: boolean;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;

/**
 * Starts a TCP (or TLS, or Unix socket) server and resolves to a `Server` once it listens
 * (asyncio.start_server). Each connection runs `handler(reader, writer)` as its own Task;
 * a handler that throws is reported to the loop's exception handler and its connection is
 * closed, and the server keeps serving.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { startServer, type StreamReader, type StreamWriter } from 'aio-ts/streams';
 *
 * function* echo(reader: StreamReader, writer: StreamWriter) {
 *   for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) {
 *     writer.write(r.value);
 *     yield* writer.drain();
 *   }
 * }
 *
 * await run(function* () {
 *   const server = yield* startServer(echo, { host: '127.0.0.1', port: 8888 });
 *   yield* server.serveForever();
 * });
 */
export function startServer(handler: ClientConnectedHandler, options: StartServerOptions = {}): Operation<Server> {
  if (typeof handler !== 'function') {
    throw new TypeError(
      `startServer() expects a handler function (reader, writer) => …, a generator or async function, got ${describe(handler)}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`startServer() expects an options object, e.g. { host: '127.0.0.1', port: 8888 }, got ${describe(options)}`);
  }
  const { host, port, path, backlog, reusePort } = options;
  const limit = checkLimit(options.limit, 'startServer()');
  if (path !== undefined) {
    if (typeof path !== 'string' || path === '') throw new TypeError(`startServer() expects path to be a socket path, got ${describe(path)}`);
    if (port !== undefined || host !== undefined) throw new TypeError('startServer() takes either path (a Unix socket) or host/port, not both');
  } else {
    checkPort(port ?? 0, 'startServer()');
    if (host !== undefined && typeof host !== 'string') throw new TypeError(`startServer() expects host to be a string, got ${describe(host)}`);
  }
  if (backlog !== undefined && (!Number.isInteger(backlog) || backlog < 0)) {
    throw new RangeError(`startServer() expects backlog to be a non-negative integer, got ${describe(backlog)}`);
  }
  const listen: net.ListenOptions & { reusePort?: boolean } =
    path !== undefined ? { path } : { port: port ?? 0, ...(host !== undefined && { host }) };
  if (backlog !== undefined) listen.backlog = backlog;
  if (reusePort !== undefined) listen.reusePort = reusePort;
  return new InlineAwaitable(() => starting(handler, options, listen, limit));
}

function* starting(
  handler: ClientConnectedHandler,
  options: StartServerOptions,
  listen: net.ListenOptions,
  limit: number,
): Coro<Server> {
  const loop = getRunningLoop();
  const secure = options.tls !== undefined;
  const netServer = secure ? tls.createServer({ ...options.tls, allowHalfOpen: false }) : net.createServer({ allowHalfOpen: true });
  const server = new Server(netServer, handler, limit, loop, secure, options.startServing ?? true);
  const ready = ioFuture<void>(loop);
  const onListening = (): void => {
    if (!ready.done()) ready.setResult(undefined);
  };
  const onError = (error: unknown): void => {
    if (!ready.done()) ready.setException(error);
  };
  netServer.once('listening', onListening);
  netServer.once('error', onError);
  netServer.listen(listen);
  let ok = false;
  try {
    yield* ready;
    ok = true;
  } finally {
    netServer.off('listening', onListening);
    netServer.off('error', onError);
    if (!ok) server.close();
  }
  if (!server._closed) trackResource(loop, server);
  return server;
}

/**
 * A listening server (asyncio.Server), made by `startServer`. `close()` stops accepting;
 * `waitClosed()` then waits until every connection is closed too (`closeClients()` closes
 * them, `abortClients()` drops them and cancels their handlers). Disposable:
 * `await using server = await startServer(…)` or `yield* asyncWith(server, function* () {…})`
 * closes it and waits.
 */
export class Server implements AsyncDisposable, AsyncContextManager<Server> {
  readonly #server: net.Server;
  readonly #handler: ClientConnectedHandler;
  readonly #limit: number;
  readonly #loop: EventLoop;
  readonly #secure: boolean;
  #serving: boolean;
  #closed = false;
  /** Node's server emitted 'close': closed and every connection gone. */
  #fullyClosed = false;
  /** Connections accepted before `startServing()`, held until then. */
  #held: net.Socket[] = [];
  readonly #clients = new Set<StreamWriter>();
  readonly #tasks = new Set<Task<unknown>>();
  readonly #closeWaiters = new Set<Future<void>>();
  #servingForever: Future<void> | null = null;

  /** @internal Made by `startServer`. */
  constructor(server: net.Server, handler: ClientConnectedHandler, limit: number, loop: EventLoop, secure: boolean, serving: boolean) {
    this.#server = server;
    this.#handler = handler;
    this.#limit = limit;
    this.#loop = loop;
    this.#secure = secure;
    this.#serving = serving;
    server.on(secure ? 'secureConnection' : 'connection', (socket: net.Socket) => this.#accepted(socket));
    server.on('close', () => this.#onClose());
    server.on('error', (error: unknown) => {
      if (this.#server.listening) loop.callExceptionHandler({ message: 'Server error', exception: error, server: this });
    });
    if (secure) server.on('tlsClientError', () => {}); // a failed handshake only concerns that client
  }

  /** The Node servers listening (one; asyncio lists one socket per address). Empty once closed. */
  get sockets(): readonly net.Server[] {
    return this.#closed ? [] : [this.#server];
  }

  /** The address listened on (`{ address, family, port }`, or the path of a Unix socket); null once closed. */
  address(): net.AddressInfo | string | null {
    return this.#server.address();
  }

  /** The event loop the server reports to and runs its handlers on. */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /** True while the server accepts connections. */
  isServing(): boolean {
    return this.#serving && !this.#closed;
  }

  /** Starts accepting connections (if `startServing: false` was given); connections that arrived meanwhile are served now. */
  startServing(): void {
    if (this.#closed) throw new Error('startServing() called on a closed server: start a new one with startServer()');
    if (this.#serving) return;
    this.#serving = true;
    const held = this.#held;
    this.#held = [];
    for (const socket of held) this.#serve(socket);
  }

  /**
   * Serves until the server is closed or the calling task is cancelled; then closes the
   * server and waits for it. Like asyncio, `close()` from elsewhere makes it throw
   * CancelledError.
   */
  serveForever(): Operation<void> {
    return new InlineAwaitable(() => this.#serveForever());
  }

  /** Stops listening (connections already made go on). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serving = false;
    for (const socket of this.#held) socket.destroy();
    this.#held = [];
    if (this.#server.listening) this.#server.close();
    else {
      // Closed while it was starting to listen (a cancelled startServer): close it if it gets there.
      this.#server.once('listening', () => this.#server.close());
      this.#onClose();
    }
    const forever = this.#servingForever;
    if (forever !== null && !forever.done()) forever.cancel();
  }

  /** Closes every client connection (after their buffered data). */
  closeClients(): void {
    for (const writer of this.#clients) writer.close();
  }

  /** Drops every client connection at once and cancels their handler tasks. */
  abortClients(): void {
    for (const task of this.#tasks) task.cancel();
    for (const writer of this.#clients) writer._abort();
  }

  /**
   * Waits until the server is closed (`close()`) and every connection is closed. Returns at
   * once if that is already so.
   */
  waitClosed(): Operation<void> {
    return new InlineAwaitable(() => this.#waitClosed());
  }

  /** `close()`, then `waitClosed()`: `await using server = await startServer(…)`. */
  [Symbol.asyncDispose](): InlineAwaitable<void> {
    return this.exit();
  }

  /** `asyncWith()`'s enter (asyncio's `__aenter__`): the server itself. */
  enter(): Server {
    return this;
  }

  /** `asyncWith()`'s exit (asyncio's `__aexit__`): `close()`, then `waitClosed()`; never swallows the body's error. */
  exit(): InlineAwaitable<void> {
    return new InlineAwaitable(() => {
      this.close();
      return this.#waitClosed();
    });
  }

  /** A short description, for logs and error messages. */
  toString(): string {
    const address = this.#server.address();
    const where = typeof address === 'string' ? address : address !== null ? `${address.address}:${address.port}` : 'unbound';
    const state = this.#closed ? 'closed' : this.#serving ? 'serving' : 'not serving';
    return `<Server ${where}${this.#secure ? ' tls' : ''} ${state} clients=${this.#clients.size}>`;
  }

  *#serveForever(): Coro<void> {
    if (this.#servingForever !== null) throw new Error('serveForever() called twice on the same server: await it only once');
    if (this.#closed) throw new Error('serveForever() called on a closed server');
    this.startServing();
    const forever = new Future<void>(this.#loop);
    this.#servingForever = forever;
    try {
      yield* forever;
    } finally {
      this.#servingForever = null;
      this.close();
      yield* this.#waitClosed();
    }
  }

  *#waitClosed(): Coro<void> {
    if (this.#fullyClosed) return;
    const waiter = new Future<void>(getRunningLoop());
    this.#closeWaiters.add(waiter);
    try {
      yield* waiter;
    } finally {
      this.#closeWaiters.delete(waiter);
    }
  }

  /** @internal True once `close()` was called. */
  get _closed(): boolean {
    return this.#closed;
  }

  /** @internal At the end of `run()`: stops listening and waits until its connections (closed by then as well) are gone. */
  *_closeAtRunEnd(): Coro<void> {
    this.close();
    if (this.#fullyClosed) return;
    const closed = ioFuture<void>(this.#loop); // completes by itself: hold a virtual clock
    this.#closeWaiters.add(closed);
    try {
      yield* closed;
    } finally {
      this.#closeWaiters.delete(closed);
    }
  }

  #onClose(): void {
    untrackResource(this.#loop, this);
    this.#fullyClosed = true;
    for (const waiter of this.#closeWaiters) if (!waiter.done()) waiter._resolve(undefined);
    this.#closeWaiters.clear();
  }

  #accepted(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    if (!this.#serving) {
      // Not accepted yet, as far as the program can tell: held like in the listen backlog.
      socket.pause();
      socket.on('error', () => {});
      this.#held.push(socket);
      return;
    }
    this.#serve(socket);
  }

  #serve(socket: net.Socket): void {
    const loop = this.#loop;
    if (loop.isClosed()) {
      socket.destroy();
      return;
    }
    const reader = new StreamReader({ limit: this.#limit });
    const writer = new StreamWriter(socket, reader, true);
    writer._trackIn(loop);
    socket.resume();
    this.#clients.add(writer);
    socket.once('close', () => this.#clients.delete(writer));
    const handler = this.#handler;
    // A plain callback (asyncio allows one) hands the connection on: it is not closed when it returns.
    let handedOff = false;
    // A generator function's coroutine is passed as is: calling it runs nothing, and a Task
    // made from a plain function would switch on the task context for the whole process.
    const target: TaskTarget<unknown> =
      handler instanceof GeneratorFunction
        ? (handler(reader, writer) as Iterator<Suspend, unknown, unknown>)
        : () => {
            const out = handler(reader, writer);
            if (!isIterator(out) && !isThenable(out)) handedOff = true;
            return out as Iterator<Suspend, unknown, unknown>;
          };
    const task = new Task(target, undefined, loop);
    this.#tasks.add(task);
    task.addDoneCallback(() => {
      this.#tasks.delete(task);
      if (!task.cancelled()) {
        const error = task.exception();
        if (error !== null && !(error instanceof CancelledError)) {
          loop.callExceptionHandler({
            message: 'Unhandled exception in a client connection handler (startServer)',
            exception: error,
            task,
            transport: socket,
          });
        }
      }
      if (!handedOff || task.cancelled() || task.exception() !== null) writer.close();
    });
  }
}
