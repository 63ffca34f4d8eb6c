import { describe } from '../values.js';

/** A response body: text, bytes, or an async iterable of chunks streamed with backpressure. */
export type ResponseBody = string | Uint8Array | AsyncIterable<Uint8Array | string> | null;

/** Status and headers of a `Response`. */
export interface ResponseInit {
  /** The status code. Default 200. */
  status?: number;
  /** The reason phrase. Default: the standard one for the status. */
  reason?: string;
  /** Response headers. */
  headers?: Record<string, string | readonly string[]> | Headers;
}

/**
 * What a `serve()` handler returns (aiohttp.web.Response): a status, headers and a body.
 * Build it with `Response.text()`, `Response.json()`, `Response.bytes()` or
 * `Response.stream()`; a handler may also return a plain string (200, text/plain).
 *
 * @example
 * import { Response } from 'aio-ts/http';
 *
 * Response.json({ ok: true });
 * Response.text('not here', { status: 404 });
 * Response.stream((async function* () { yield 'a'; yield 'b'; })(), { headers: { 'content-type': 'text/plain' } });
 */
export class Response {
  /** The status code. */
  readonly status: number;
  /** The reason phrase, or undefined for the standard one. */
  readonly reason: string | undefined;
  /** The headers to send. */
  readonly headers: Headers;
  /** The body. */
  readonly body: ResponseBody;

  /** A response with `body` as is; Content-Type defaults by body kind (text/plain; charset=utf-8, application/octet-stream). */
  constructor(body: ResponseBody = null, init: ResponseInit = {}) {
    if (typeof init !== 'object' || init === null) throw new TypeError(`new Response() expects init to be an object, got ${describe(init)}`);
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new RangeError(`new Response() expects status to be an integer from 100 to 999, got ${describe(init.status)}`);
    }
    if (
      body !== null &&
      typeof body !== 'string' &&
      !(body instanceof Uint8Array) &&
      typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function'
    ) {
      throw new TypeError(
        `new Response() expects body to be a string, Uint8Array, async iterable or null, got ${describe(body)} (for JSON use Response.json())`,
      );
    }
    this.status = status;
    this.reason = init.reason;
    this.headers = new Headers();
    const headers = init.headers;
    if (headers instanceof Headers) {
      for (const [name, value] of headers) this.headers.append(name, value);
    } else if (headers !== undefined) {
      for (const [name, value] of Object.entries(headers)) {
        if (typeof value === 'string') this.headers.append(name, value);
        else for (const item of value) this.headers.append(name, item);
      }
    }
    this.body = body;
    if (!this.headers.has('content-type') && body !== null) {
      this.headers.set('content-type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    }
  }

  /** A text response (`text/plain; charset=utf-8` unless the headers say otherwise). */
  static text(text: string, init?: ResponseInit): Response {
    if (typeof text !== 'string') throw new TypeError(`Response.text() expects text to be a string, got ${describe(text)}`);
    return new Response(text, init);
  }

  /** A JSON response (`application/json`). */
  static json(value: unknown, init: ResponseInit = {}): Response {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`Response.json() expects the value to be JSON-serializable, got ${describe(value)}`);
    const response = new Response(text, init);
    if (!hasHeader(init, 'content-type')) response.headers.set('content-type', 'application/json');
    return response;
  }

  /** A binary response (`application/octet-stream` unless the headers say otherwise). */
  static bytes(bytes: Uint8Array, init?: ResponseInit): Response {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`Response.bytes() expects bytes to be a Uint8Array, got ${describe(bytes)}`);
    return new Response(bytes, init);
  }

  /**
   * A streamed response (chunked): each chunk of `source` is written as it comes, waiting
   * while the client is slower (backpressure). If the client goes away the handler's task is
   * cancelled, which stops the iteration.
   */
  static stream(source: AsyncIterable<Uint8Array | string>, init?: ResponseInit): Response {
    if (typeof (source as Partial<AsyncIterable<unknown>>)?.[Symbol.asyncIterator] !== 'function') {
      throw new TypeError(`Response.stream() expects source to be an async iterable, got ${describe(source)}`);
    }
    return new Response(source, init);
  }

  /** `<Response status>`. */
  toString(): string {
    return `<Response ${this.status}>`;
  }
}

function hasHeader(init: ResponseInit, name: string): boolean {
  const headers = init.headers;
  if (headers === undefined) return false;
  if (headers instanceof Headers) return headers.has(name);
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
