import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { InlineAwaitable, runBody, TASK_MODE } from '../body-runner.js';
import { fromPromise } from '../ensure-future.js';
import { CancelledError, TimeoutError } from '../errors.js';
import { Future, type Coro } from '../futures.js';
import { Semaphore } from '../locks/semaphore.js';
import type { EventLoop } from '../loop/event-loop.js';
import { getRunningLoop } from '../loop/event-loop.js';
import { currentTask, type Task } from '../tasks.js';
import { describe } from '../values.js';
import { Timeout, timeout } from '../timeouts.js';
import { wait } from '../wait.js';
import { shield } from '../shield.js';
import { Response } from './response.js';
import { ServerRequest } from './server-request.js';

/** What a handler may return: a `Response`, or a string (200, text/plain). */
export type HandlerResult = Response | string;

/**
 * A request handler: a generator function or an async function given the request. Each
 * request runs it in a Task of its own, cancelled if the client disconnects.
 */
export type Handler = (request: ServerRequest) => Coro<HandlerResult> | PromiseLike<HandlerResult> | HandlerResult;

/** Options of `serve()`. */
export interface ServeOptions {
  /** The address to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** The port; 0 picks a free one (see `server.address()`). Default 8080. */
  port?: number;
  /** A Unix socket path to listen on instead of host/port. */
  path?: string;
  /** TLS options (key, cert, …) of `node:https`: serve HTTPS. */
  tls?: https.ServerOptions;
  /** The most handlers running at once; other requests wait their turn. 0: no limit. Default 0. */
  maxConcurrency?: number;
  /** A handler still running after this many ms is cancelled and the client gets 503. Default null (none). */
  requestTimeout?: number | null;
  /** How long a client may take to send the request headers (node:http's `headersTimeout`). */
  headersTimeout?: number;
  /** How long an idle keep-alive connection stays open (node:http's `keepAliveTimeout`). */
  keepAliveTimeout?: number;
}

/** @internal ServeOptions with defaults applied. */
type CheckedOptions = Required<Pick<ServeOptions, 'host' | 'port' | 'maxConcurrency'>> & ServeOptions;

/** Options of `server.close()`. */
export interface CloseOptions {
  /** How long requests in flight may take to finish before they are cancelled, in ms. Default 10,000. */
  gracePeriod?: number;
}

/**
 * Starts an HTTP server (on `node:http`) and resolves to it once it listens. Every request
 * runs `handler(request)` as its own aio Task: if the client disconnects the task is
 * cancelled (the handler's `finally` blocks run, `request.signal` aborts); a handler that
 * throws answers 500 and is reported to the loop's exception handler, and the server keeps
 * serving. The server is closed by `close()`, by disposal, or when `run()` ends.
 *
 * @example
 * import { run, sleep } from 'aio-ts';
 * import { serve, Response, ClientSession } from 'aio-ts/http';
 *
 * await run(async () => {
 *   await using server = await serve(async (request) => {
 *     await sleep(10);
 *     return Response.json({ path: request.path });
 *   }, { port: 0 });
 *   await using session = new ClientSession();
 *   const response = await session.get(`${server.url}/hello`);
 *   console.log(await response.json()); // { path: '/hello' }
 * });
 */
export function serve(handler: Handler, options: ServeOptions = {}): InlineAwaitable<HttpServer> {
  if (typeof handler !== 'function') {
    throw new TypeError(`serve() expects handler to be a generator function or an async function, got ${describe(handler)}`);
  }
  const server = new HttpServer(handler, checkOptions(options));
  return new InlineAwaitable(() => server._listen());
}

/**
 * A running HTTP server, made by `serve()`. `close()` stops it gracefully; it is
 * async-disposable (`await using`, `asyncWith`).
 */
export class HttpServer implements AsyncDisposable {
  readonly #handler: Handler;
  readonly #options: CheckedOptions;
  readonly #server: http.Server;
  readonly #secure: boolean;
  readonly #inflight = new Set<Task<void>>();
  #loop: EventLoop | null = null;
  #limit: Semaphore | null = null;
  #closing = false;
  #closed: Future<void> | null = null;
  #keeper: Task<void> | null = null;

  /** @internal Use `serve()`. */
  constructor(handler: Handler, options: CheckedOptions) {
    this.#handler = handler;
    this.#options = options;
    this.#secure = options.tls !== undefined;
    const serverOptions: http.ServerOptions = {};
    if (options.headersTimeout !== undefined) serverOptions.headersTimeout = options.headersTimeout;
    if (options.keepAliveTimeout !== undefined) serverOptions.keepAliveTimeout = options.keepAliveTimeout;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => this.#onRequest(req, res);
    this.#server = this.#secure
      ? https.createServer({ ...options.tls, ...serverOptions }, listener)
      : http.createServer(serverOptions, listener);
    if (options.maxConcurrency > 0) this.#limit = new Semaphore(options.maxConcurrency);
  }

  /** The address listened on: `{ host, port }`, or the Unix socket path. */
  address(): { host: string; port: number } | string {
    const address = this.#server.address();
    if (address === null) throw new Error('HttpServer.address(): the server is not listening');
    if (typeof address === 'string') return address;
    return { host: (address as AddressInfo).address, port: (address as AddressInfo).port };
  }

  /** The base URL of the server (`http://127.0.0.1:8080`), for host/port servers. */
  get url(): string {
    const address = this.address();
    if (typeof address === 'string') throw new Error('HttpServer.url: the server listens on a Unix socket; use address()');
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    return `${this.#secure ? 'https' : 'http'}://${host}:${address.port}`;
  }

  /** The number of requests being handled (or waiting for `maxConcurrency`) now. */
  get inFlight(): number {
    return this.#inflight.size;
  }

  /** True once `close()` was called (or `run()` ended). */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * Stops the server gracefully: no new connections, idle keep-alive connections closed at
   * once, requests in flight given `gracePeriod` ms to finish, then cancelled. Resolves once
   * everything is closed. Idempotent; awaitable from both styles.
   */
  close(options: CloseOptions = {}): InlineAwaitable<void> {
    const grace = options?.gracePeriod ?? 10_000;
    if (typeof grace !== 'number' || !(grace >= 0)) {
      throw new RangeError(`HttpServer.close() expects gracePeriod to be a number of milliseconds >= 0, got ${describe(grace)}`);
    }
    return new InlineAwaitable(() => this.#close(grace));
  }

  /** Resolves once the server is closed (by `close()` or the end of `run()`). */
  waitClosed(): InlineAwaitable<void> {
    return new InlineAwaitable(
      function* (this: HttpServer): Coro<void> {
        if (this.#closed === null) throw new Error('HttpServer.waitClosed(): the server was never started');
        // Shielded: cancelling a waiter must not cancel the shared future every other waiter is on.
        yield* shield(this.#closed);
      }.bind(this),
    );
  }

  /** Same as `close()` (for `await using` and `asyncWith`). */
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve(this.close());
  }

  /** `<HttpServer url>`. */
  toString(): string {
    return `<HttpServer ${this.#server.listening ? this.url : 'not listening'}>`;
  }

  /** @internal Starts listening (the awaitable `serve()` returns). */
  *_listen(): Coro<HttpServer> {
    const loop = getRunningLoop();
    this.#loop = loop;
    this.#closed = loop.createFuture<void>();
    const { host, port, path } = this.#options;
    const listening = new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      const done = (): void => {
        this.#server.off('error', reject);
        resolve();
      };
      if (path !== undefined) this.#server.listen(path, done);
      else this.#server.listen(port, host, done);
    });
    try {
      yield* fromPromise(listening, loop);
    } catch (error) {
      this.#server.close();
      this.#closed.setResult(undefined);
      throw error;
    }
    this.#server.on('error', (error) => loop.callExceptionHandler({ message: `HttpServer error (${this})`, exception: error }));
    // Lives as long as the server: run() cancels it when it ends, which closes the server.
    this.#keeper = loop.createTask(this.#keep(), { name: `HttpServer ${this.#describeAddress()}` });
    return this;
  }

  *#keep(): Coro<void> {
    try {
      yield* shield(this.#closed!);
    } finally {
      if (!this.#closing) yield* this.#close(0);
    }
  }

  *#close(grace: number): Coro<void> {
    if (this.#closed === null) throw new Error('HttpServer.close(): the server was never started (await serve(...) first)');
    if (this.#closing) {
      yield* shield(this.#closed);
      return;
    }
    this.#closing = true;
    const loop = this.#loop!;
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    try {
      if (this.#inflight.size > 0) {
        yield* wait(new Set(this.#inflight), { timeout: grace });
        const late = new Set(this.#inflight);
        for (const task of late) task.cancel('server closing');
        if (late.size > 0) yield* wait(late);
      }
    } finally {
      // Also when the close itself is cancelled (run() ending): no connection outlives it.
      for (const task of this.#inflight) task.cancel('server closing');
      this.#server.closeAllConnections();
      if (!this.#closed.done()) this.#closed.setResult(undefined);
    }
    yield* fromPromise(stopped, loop);
    const keeper = this.#keeper;
    if (keeper !== null && keeper !== currentTask(loop)) keeper.cancel();
  }

  #describeAddress(): string {
    const address = this.address();
    return typeof address === 'string' ? address : `${address.host}:${address.port}`;
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const loop = this.#loop;
    if (this.#closing || loop === null || loop.isClosed()) {
      res.writeHead(503, { connection: 'close', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Service Unavailable: the server is closing');
      return;
    }
    const controller = new AbortController();
    const request = new ServerRequest(req, this.#secure, controller.signal, loop);
    const task = loop.createTask(this.#handle(request, res), { name: `${request.method} ${request.path}` });
    this.#inflight.add(task);
    task.addDoneCallback(() => this.#inflight.delete(task));
    res.once('close', () => {
      // Closed before the whole response was written: the client went away.
      if (!res.writableFinished) {
        controller.abort(new CancelledError('client disconnected'));
        task.cancel('client disconnected');
      }
    });
  }

  *#handle(request: ServerRequest, res: http.ServerResponse): Coro<void> {
    const limit = this.#limit;
    if (limit !== null) yield* limit.acquire(); // a client that leaves while queued: cancelled here, the handler never runs
    try {
      let result: HandlerResult;
      let deadline: Timeout | null = null;
      try {
        const requestTimeout = this.#options.requestTimeout ?? null;
        if (requestTimeout === null) {
          result = yield* runBody<ServerRequest, HandlerResult>(this.#handler, request, TASK_MODE);
        } else {
          result = yield* timeout(requestTimeout, (cm) => {
            deadline = cm;
            return runBody<ServerRequest, HandlerResult>(this.#handler, request, TASK_MODE);
          });
        }
      } catch (error) {
        if (error instanceof TimeoutError && (deadline as Timeout | null)?.expired()) {
          sendError(res, 503, `Service Unavailable: the handler took longer than requestTimeout (${this.#options.requestTimeout} ms)`);
          return;
        }
        if (error instanceof CancelledError) throw error; // the client left, or the server is closing
        this.#report(request, error);
        sendError(res, 500, 'Internal Server Error');
        return;
      }
      let response: Response;
      if (result instanceof Response) response = result;
      else if (typeof result === 'string') response = Response.text(result);
      else {
        this.#report(request, new TypeError(`serve(): the handler must return a Response or a string, got ${describe(result)} (use Response.json() for JSON)`));
        sendError(res, 500, 'Internal Server Error');
        return;
      }
      yield* this.#send(request, res, response);
    } finally {
      limit?.release();
    }
  }

  *#send(request: ServerRequest, res: http.ServerResponse, response: Response): Coro<void> {
    if (res.destroyed) return;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of response.headers) {
      if (name === 'set-cookie') continue;
      headers[name] = value;
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    if (this.#closing) headers.connection = 'close';
    const body = response.body;
    if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
      res.writeHead(response.status, response.reason, headers);
      res.end(request.method === 'HEAD' ? undefined : body ?? undefined);
      return;
    }
    res.writeHead(response.status, response.reason, headers);
    // Written by an async function run as this task's code: the source's awaits of runtime
    // awaitables (sleep, queue.get…) are the task's, so a client that leaves cancels them.
    yield* runBody<undefined, void>(() => writeStream(res, body, this, request), undefined, TASK_MODE);
  }

  /** @internal Reports a failure of a streamed body (headers already sent: the connection is cut). */
  _streamFailed(request: ServerRequest, res: http.ServerResponse, error: unknown): void {
    this.#report(request, error);
    res.destroy();
  }

  #report(request: ServerRequest, error: unknown): void {
    const task = currentTask(this.#loop!);
    this.#loop!.callExceptionHandler({
      message: `HTTP handler failed: ${request.method} ${request.url.pathname}${request.url.search}`,
      exception: error,
      ...(task !== null ? { task } : {}),
    });
  }
}

async function writeStream(
  res: http.ServerResponse,
  source: AsyncIterable<Uint8Array | string>,
  server: HttpServer,
  request: ServerRequest,
): Promise<void> {
  try {
    for await (const chunk of source) {
      if (res.destroyed) return;
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        throw new TypeError(`Response.stream() expects chunks to be strings or Uint8Arrays, got ${describe(chunk)}`);
      }
      if (!res.write(chunk)) await drained(res);
    }
    res.end();
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    server._streamFailed(request, res, error);
  }
}

/** Waits until the socket takes more data, or is gone. */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) });
  res.end(message);
}

function checkOptions(options: ServeOptions): CheckedOptions {
  const call = 'serve()';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${call} expects options to be an object, got ${describe(options)}`);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string') throw new TypeError(`${call} expects host to be a string, got ${describe(host)}`);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${call} expects port to be an integer from 0 to 65535 (0 picks a free port), got ${describe(options.port)}`);
  }
  if (options.path !== undefined && typeof options.path !== 'string') {
    throw new TypeError(`${call} expects path to be a Unix socket path, got ${describe(options.path)}`);
  }
  const maxConcurrency = options.maxConcurrency ?? 0;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 0) {
    throw new RangeError(`${call} expects maxConcurrency to be an integer >= 0 (0: no limit), got ${describe(options.maxConcurrency)}`);
  }
  for (const name of ['requestTimeout', 'headersTimeout', 'keepAliveTimeout'] as const) {
    const value = options[name];
    if (value === undefined || (value === null && name === 'requestTimeout')) continue;
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
      throw new RangeError(`${call} expects ${name} to be a number of milliseconds >= 0, got ${describe(value)}`);
    }
  }
  return { ...options, host, port, maxConcurrency };
}
