import type { ConnectionOptions } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { InlineAwaitable } from '../body-runner.js';
import { fromPromise } from '../ensure-future.js';
import type { Coro } from '../futures.js';
import { Semaphore } from '../locks/semaphore.js';
import { getRunningLoop, type EventLoop } from '../loop/event-loop.js';
import { trackResource, untrackResource } from '../loop/resources.js';
import { describe } from '../values.js';
import { ClientError, InvalidURL, TooManyRedirects, type RequestInfo } from './errors.js';
import { headersFrom, type RawHeaders } from './raw-headers.js';
import { ClientResponse } from './client-response.js';
import type { CookieJar } from './cookie-jar.js';
import { Exchange } from './exchange.js';
import { encodeBody, type EncodedBody, type RequestData } from './request-body.js';

/** Timeouts in milliseconds; `null` means no limit (aiohttp.ClientTimeout). */
export interface ClientTimeout {
  /** The whole operation: queueing for a connection, connecting, sending, and reading the body. Default 300,000 (5 min). */
  total?: number | null;
  /** Establishing a connection (per session only). Default 30,000. */
  connect?: number | null;
  /** The longest wait for the next piece of the response (headers or a body chunk). Default null. */
  sockRead?: number | null;
}

/** Headers as an object, a `Headers`, or name/value pairs. */
export type HeadersInit = Record<string, string> | Headers | Iterable<readonly [string, string]>;

/** Query parameters appended to the URL. */
export type Params =
  | Record<string, string | number | boolean | readonly (string | number | boolean)[]>
  | URLSearchParams
  | Iterable<readonly [string, string | number | boolean]>;

/** Options of `new ClientSession()`. */
export interface ClientSessionOptions {
  /** Relative request URLs are resolved against it (`new URL(url, baseUrl)`). */
  baseUrl?: string | URL;
  /** Headers sent with every request (a request's own headers win). */
  headers?: HeadersInit;
  /** Default timeouts, see `ClientTimeout`. */
  timeout?: ClientTimeout;
  /** The most connections open at once, over all hosts; requests beyond it wait their turn. 0: no limit. Default 100. */
  limit?: number;
  /** The most connections open at once to one host (scheme, host and port). 0: no per-host limit. Default 0. */
  limitPerHost?: number;
  /** Throw `ClientResponseError` for any response with status >= 400. Default false. */
  raiseForStatus?: boolean;
  /** Keeps cookies the servers set and sends them back; none are kept without one. */
  cookieJar?: CookieJar | null;
  /**
   * TLS options for https: URLs (`node:tls` connect options: `ca` to trust a private CA or a
   * self-signed certificate, `cert`/`key` for client certificates, `rejectUnauthorized`).
   */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'pfx' | 'rejectUnauthorized' | 'servername' | 'minVersion'>;
}

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters appended to the URL. */
  params?: Params;
  /** Headers of this request, on top of the session's. */
  headers?: HeadersInit;
  /** A value sent as JSON (`Content-Type: application/json`). */
  json?: unknown;
  /** The body: text, bytes, a form, or an async iterable of chunks to stream. */
  data?: RequestData;
  /** Timeouts of this request (`total`, `sockRead`), on top of the session's. */
  timeout?: Omit<ClientTimeout, 'connect'>;
  /** Overrides the session's `raiseForStatus`. */
  raiseForStatus?: boolean;
  /** Follow redirects (301, 302, 303, 307, 308 with a Location). Default true, false for HEAD (as aiohttp). */
  allowRedirects?: boolean;
  /** The most redirects followed before `TooManyRedirects`. Default 10. */
  maxRedirects?: number;
}

const DEFAULT_TOTAL = 300_000;
const DEFAULT_CONNECT = 30_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Prepared {
  call: string;
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: EncodedBody;
  total: number | null;
  sockRead: number | null;
  raiseForStatus: boolean;
  allowRedirects: boolean;
  maxRedirects: number;
}

/**
 * A set of connections shared by requests (aiohttp.ClientSession), built on undici's `Agent`:
 * connections are kept alive and reused, at most `limit` are open at once (requests beyond
 * it queue), and every request is an awaitable for both styles — `yield* session.get(url)`
 * in a coroutine, `await session.get(url)` in an async function. Cancelling the task that
 * awaits a request (or a `timeout()` around it) aborts it and frees its connection.
 *
 * Close the session when done: `close()`, `await using`, or `asyncWith`.
 *
 * @example
 * import { run, gather } from 'aio-ts';
 * import { ClientSession } from 'aio-ts/http';
 *
 * await run(async () => {
 *   await using session = new ClientSession({ baseUrl: 'http://127.0.0.1:8080', timeout: { total: 10_000 } });
 *   const fetchText = async (path: string) => {
 *     using response = await session.get(path, { raiseForStatus: true });
 *     return response.text();
 *   };
 *   const pages = await gather(fetchText('/a'), fetchText('/b'));
 *   console.log(pages);
 * });
 */
export class ClientSession implements AsyncDisposable {
  readonly #agent: Agent;
  readonly #limit: Semaphore | null;
  readonly #baseUrl: URL | null;
  /** Lower-case names: plain objects cost far less per request than `Headers`. */
  readonly #headers: Record<string, string>;
  readonly #total: number | null;
  readonly #sockRead: number | null;
  readonly #raiseForStatus: boolean;
  readonly #cookieJar: CookieJar | null;
  #closed = false;
  /** The loop whose `run()` end closes the session if it is still open (the loop of its first request). */
  #trackedBy: EventLoop | null = null;

  /** Validates `options` (TypeError/RangeError naming the option and the bad value); opens no connection yet. */
  constructor(options: ClientSessionOptions = {}) {
    const call = 'new ClientSession()';
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${call} expects options to be an object, got ${describe(options)}`);
    }
    this.#baseUrl = options.baseUrl === undefined ? null : parseUrl(call, options.baseUrl, null, 'baseUrl');
    this.#headers = toHeaders(call, options.headers, {});
    const timeout = options.timeout ?? {};
    this.#total = checkMs(call, 'timeout.total', timeout.total, DEFAULT_TOTAL);
    const connect = checkMs(call, 'timeout.connect', timeout.connect, DEFAULT_CONNECT);
    this.#sockRead = checkMs(call, 'timeout.sockRead', timeout.sockRead, null);
    const limit = checkCount(call, 'limit', options.limit, 100);
    const perHost = checkCount(call, 'limitPerHost', options.limitPerHost, 0);
    this.#limit = limit === 0 ? null : new Semaphore(limit);
    this.#raiseForStatus = checkBool(call, 'raiseForStatus', options.raiseForStatus, false);
    this.#cookieJar = options.cookieJar ?? null;
    // The session's semaphore bounds connections over all hosts; the Agent's per-origin pool
    // bounds each host (and, without limitPerHost, is never the tighter bound).
    const perOrigin = perHost > 0 ? (limit > 0 ? Math.min(perHost, limit) : perHost) : limit > 0 ? limit : undefined;
    this.#agent = new Agent({
      connections: perOrigin ?? null,
      pipelining: 1,
      // 0 turns undici's own timers off: sockRead is set per request, total is ours.
      connect: { ...tlsOptions(call, options.tls), timeout: connect ?? 0 },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The cookie jar given to the constructor, or null. */
  get cookieJar(): CookieJar | null {
    return this.#cookieJar;
  }

  /**
   * Sends a request and resolves to its `ClientResponse` once the status and headers arrive
   * (the body is read afterwards). Awaitable from both styles; lazy like a coroutine.
   */
  request(method: string, url: string | URL, options: RequestOptions = {}): InlineAwaitable<ClientResponse> {
    if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
      throw new TypeError(`ClientSession.request() expects method to be an HTTP method name such as 'GET', got ${describe(method)}`);
    }
    const upper = method.toUpperCase();
    const prepared = this.#prepare(`ClientSession.${methodName(upper)}()`, upper, url, options);
    return new InlineAwaitable(() => this.#send(prepared));
  }

  /** A GET request: see `request()`. */
  get(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('GET', url, options);
  }

  /** A POST request: see `request()`. */
  post(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('POST', url, options);
  }

  /** A PUT request: see `request()`. */
  put(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('PUT', url, options);
  }

  /** A PATCH request: see `request()`. */
  patch(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('PATCH', url, options);
  }

  /** A DELETE request: see `request()`. */
  delete(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('DELETE', url, options);
  }

  /** A HEAD request: see `request()`. */
  head(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('HEAD', url, options);
  }

  /** An OPTIONS request: see `request()`. */
  options(url: string | URL, options?: RequestOptions): InlineAwaitable<ClientResponse> {
    return this.request('OPTIONS', url, options);
  }

  /**
   * Closes every connection; requests still in flight fail with `ClientConnectionError`.
   * Idempotent. Awaitable from both styles.
   */
  close(): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#close());
  }

  /** Same as `close()` (for `await using` and `asyncWith`). */
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve(this.close());
  }

  /** @internal At the end of `run()`: a session still open is closed (its kept-alive connections would keep Node alive). */
  _closeAtRunEnd(): Coro<void> {
    return this.#close();
  }

  *#close(): Coro<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#trackedBy !== null) untrackResource(this.#trackedBy, this);
    yield* fromPromise(this.#agent.destroy(), getRunningLoop());
  }

  #prepare(call: string, method: string, url: string | URL, options: RequestOptions): Prepared {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${call} expects options to be an object, got ${describe(options)}`);
    }
    const target = parseUrl(call, url, this.#baseUrl, 'url');
    if (options.params !== undefined) appendParams(call, target, options.params);
    const headers = toHeaders(call, options.headers, { ...this.#headers });
    const body = encodeBody(call, options);
    if (body.contentType !== null && headers['content-type'] === undefined) headers['content-type'] = body.contentType;
    const timeout = options.timeout ?? {};
    if (typeof timeout !== 'object' || timeout === null) {
      throw new TypeError(`${call} expects timeout to be an object such as { total: 5000 }, got ${describe(timeout)}`);
    }
    if ('connect' in timeout) {
      throw new TypeError(`${call}: timeout.connect is a session setting: pass it to new ClientSession({ timeout })`);
    }
    return {
      call,
      method,
      url: target,
      headers,
      body,
      total: checkMs(call, 'timeout.total', timeout.total, this.#total),
      sockRead: checkMs(call, 'timeout.sockRead', timeout.sockRead, this.#sockRead),
      raiseForStatus: checkBool(call, 'raiseForStatus', options.raiseForStatus, this.#raiseForStatus),
      allowRedirects: checkBool(call, 'allowRedirects', options.allowRedirects, method !== 'HEAD'),
      maxRedirects: checkCount(call, 'maxRedirects', options.maxRedirects, 10),
    };
  }

  *#send(p: Prepared): Coro<ClientResponse> {
    if (this.#closed) throw new ClientError(`${p.call}: the session is closed (make requests before close(), or use a new ClientSession)`);
    const loop = getRunningLoop();
    if (this.#trackedBy !== loop) {
      if (this.#trackedBy !== null) untrackResource(this.#trackedBy, this);
      this.#trackedBy = loop;
      trackResource(loop, this);
    }
    const exchange = new Exchange(loop, p.call, p.url, p.total);
    const limit = this.#limit;
    if (limit !== null) yield* limit.acquire(); // cancelled here: nothing taken, nothing sent
    exchange.start(limit);
    let { method, url, headers, body } = p;
    const history: ClientResponse[] = [];
    try {
      for (;;) {
        exchange.url = url;
        let sent = headers;
        const cookies = this.#cookieJar?.cookieHeader(url);
        if (cookies) sent = { ...headers, cookie: cookies };
        const requestInfo: RequestInfo = new SentRequest(method, url, sent);
        const hop = exchange.dispatch(this.#agent, {
          origin: url.origin,
          path: url.search ? `${url.pathname}${url.search}` : url.pathname,
          method: method as Dispatcher.HttpMethod,
          headers: sent,
          body: body.body as Dispatcher.DispatchOptions['body'],
          headersTimeout: p.sockRead ?? 0,
          bodyTimeout: p.sockRead ?? 0,
        });
        yield* exchange.wait(hop.head);
        const rawHeaders = hop.headers;
        if (this.#cookieJar !== null) {
          const setCookie = rawHeaders['set-cookie'];
          if (setCookie !== undefined) this.#cookieJar.update(url, typeof setCookie === 'string' ? [setCookie] : setCookie);
        }
        const status = hop.status;
        const location = typeof rawHeaders.location === 'string' ? rawHeaders.location : null;
        if (p.allowRedirects && REDIRECTS.has(status) && location !== null) {
          const redirect = new ClientResponse({
            requestInfo,
            status,
            reason: hop.statusText,
            headers: rawHeaders,
            url,
            history: history.slice(),
            body: null,
            exchange: null,
          });
          history.push(redirect);
          if (history.length > p.maxRedirects) {
            hop.dump();
            throw new TooManyRedirects(requestInfo, {
              status,
              message: `more than ${p.maxRedirects} redirects (raise maxRedirects, or pass allowRedirects: false)`,
              headers: headersFrom(rawHeaders),
              history: history.slice(0, -1),
            });
          }
          yield* exchange.wait(hop.dump());
          const next = parseUrl(p.call, location, url, 'Location header');
          if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
            // The body is dropped: the new request is a GET (HEAD stays HEAD), as browsers and aiohttp do.
            if (method !== 'HEAD') method = 'GET';
            body = encodeBody(p.call, {});
            headers = { ...headers };
            delete headers['content-type'];
            delete headers['content-length'];
          } else if (!body.replayable) {
            throw new ClientError(`${p.call}: cannot follow a ${status} redirect to ${next.href} with a streamed body (it cannot be sent twice): pass allowRedirects: false`);
          }
          if (next.origin !== url.origin) {
            headers = { ...headers };
            delete headers.authorization; // credentials are for the origin they were given to
          }
          url = next;
          continue;
        }
        const response = new ClientResponse({
          requestInfo,
          status,
          reason: hop.statusText,
          headers: rawHeaders,
          url,
          history,
          body: method === 'HEAD' ? null : hop,
          exchange,
        });
        if (method === 'HEAD') {
          hop.dump();
          exchange.finish();
        }
        if (p.raiseForStatus) response.raiseForStatus();
        return response;
      }
    } catch (error) {
      exchange.finish(); // a CancelledError aborted it already; anything else may have left the permit taken
      throw error;
    }
  }
}

const METHOD_NAMES = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function methodName(method: string): string {
  return METHOD_NAMES.has(method) ? method.toLowerCase() : 'request';
}

function parseUrl(call: string, url: unknown, base: URL | null, what: string): URL {
  if (!(typeof url === 'string' || url instanceof URL)) {
    throw new TypeError(`${call} expects ${what} to be a string or URL, got ${describe(url)}`);
  }
  let parsed: URL;
  try {
    parsed = base === null ? new URL(url) : new URL(url, base);
  } catch {
    const hint = base === null ? ' (pass an absolute URL such as "http://127.0.0.1:8080/path", or set baseUrl on the session)' : '';
    throw new InvalidURL(`${call}: invalid ${what} ${JSON.stringify(String(url))}${hint}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidURL(`${call}: ${what} ${JSON.stringify(parsed.href)} is not http: or https:`);
  }
  return parsed;
}

function appendParams(call: string, url: URL, params: Params): void {
  const add = (key: string, value: unknown): void => {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new TypeError(`${call} expects params.${key} to be a string, number or boolean (or an array of them), got ${describe(value)}`);
    }
    url.searchParams.append(key, String(value));
  };
  if (params instanceof URLSearchParams || (typeof params === 'object' && params !== null && Symbol.iterator in params)) {
    for (const [key, value] of params as Iterable<readonly [string, unknown]>) add(key, value);
    return;
  }
  if (typeof params !== 'object' || params === null) {
    throw new TypeError(`${call} expects params to be an object, URLSearchParams or [name, value] pairs, got ${describe(params)}`);
  }
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value) add(key, item);
    else add(key, value);
  }
}

function toHeaders(call: string, init: HeadersInit | undefined, into: Record<string, string>): Record<string, string> {
  if (init === undefined) return into;
  if (typeof init !== 'object' || init === null) {
    throw new TypeError(`${call} expects headers to be an object, Headers or [name, value] pairs, got ${describe(init)}`);
  }
  const entries = init instanceof Headers || Symbol.iterator in init ? (init as Iterable<readonly [string, string]>) : Object.entries(init);
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw new TypeError(`${call} expects header ${JSON.stringify(name)} to be a string, got ${describe(value)}`);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[\0\r\n]/.test(value)) {
      throw new TypeError(`${call}: invalid header ${JSON.stringify(name)}: ${JSON.stringify(value)} (names are tokens; values have no CR, LF or NUL)`);
    }
    into[name.toLowerCase()] = value;
  }
  return into;
}

/** What was sent, for errors and `response.requestInfo`; `headers` is built when first read. */
class SentRequest implements RequestInfo {
  #headers: Headers | null = null;
  constructor(
    readonly method: string,
    readonly url: URL,
    readonly _raw: Record<string, string>,
  ) {}

  /** The headers sent. */
  get headers(): Headers {
    return (this.#headers ??= new Headers(this._raw));
  }
}

function tlsOptions(call: string, tls: unknown): object {
  if (tls === undefined || tls === null) return {};
  if (typeof tls !== 'object') throw new TypeError(`${call} expects tls to be an object of node:tls options such as { ca }, got ${describe(tls)}`);
  return tls;
}

function checkMs(call: string, name: string, value: unknown, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
    throw new RangeError(`${call} expects ${name} to be a number of milliseconds >= 0, or null for no limit, got ${describe(value)}`);
  }
  return value;
}

function checkCount(call: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${call} expects ${name} to be an integer >= 0, got ${describe(value)}`);
  }
  return value;
}

function checkBool(call: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${call} expects ${name} to be true or false, got ${describe(value)}`);
  return value;
}
