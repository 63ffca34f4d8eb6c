import { InlineAwaitable } from '../body-runner.js';
import type { Coro } from '../futures.js';
import { ClientResponseError, ContentTypeError, type RequestInfo } from './errors.js';
import type { Exchange, Hop } from './exchange.js';
import { headersFrom, type RawHeaders } from './raw-headers.js';
import { BodyReader } from './body-reader.js';

type Body = Hop;

/** Options of `response.json()`. */
export interface JsonOptions {
  /**
   * The Content-Type the body must have (`+json` suffixes match too), or null to parse any
   * body. Default `'application/json'`, as in aiohttp.
   */
  contentType?: string | null;
}

/**
 * The response of a `ClientSession` request (aiohttp.ClientResponse). Status and headers are
 * there at once; the body is read with `text()`, `json()`, `bytes()` (each an awaitable for
 * both styles) or streamed with `content`. A body once read stays available: `text()` then
 * `json()` works. Reading the body, or `release()`, gives the connection back to the session;
 * a response is disposable (`using`, `await using`), which releases it.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { ClientSession } from 'aio-ts/http';
 *
 * await run(async () => {
 *   await using session = new ClientSession();
 *   using response = await session.get('http://127.0.0.1:8080/items');
 *   if (response.ok) console.log(await response.json());
 * });
 */
export class ClientResponse implements Disposable, AsyncDisposable {
  /** The HTTP method of the request, upper case. */
  readonly method: string;
  /** The status code (200, 404, …). */
  readonly status: number;
  /** The reason phrase sent by the server (`OK`, `Not Found`, …). */
  readonly reason: string;
  /** The URL of this response: the last one, after redirects. */
  readonly url: URL;
  /** The redirect responses that led here, oldest first (their bodies were discarded). */
  readonly history: readonly ClientResponse[];
  /** The request that got this response. */
  readonly requestInfo: RequestInfo;
  readonly #rawHeaders: RawHeaders;
  #headers: Headers | null = null;
  #body: Body | null;
  #bytes: Uint8Array | null = null;
  #streaming = false;
  /** True once `bytes()`/`text()`/`json()` started reading the whole body. */
  #reading = false;
  /** The hop whose body `#startRead` reads (kept when `release()` forgets `#body`). */
  #hop: Hop | null = null;
  #content: BodyReader | null = null;
  readonly #exchange: Exchange | null;

  /** @internal Made by `ClientSession`. */
  constructor(init: {
    requestInfo: RequestInfo;
    status: number;
    reason: string;
    headers: RawHeaders;
    url: URL;
    history: readonly ClientResponse[];
    body: Body | null;
    exchange: Exchange | null;
  }) {
    this.requestInfo = init.requestInfo;
    this.method = init.requestInfo.method;
    this.status = init.status;
    this.reason = init.reason;
    this.#rawHeaders = init.headers;
    this.url = init.url;
    this.history = init.history;
    this.#body = init.body;
    this.#exchange = init.exchange;
    if (init.body === null) this.#bytes = new Uint8Array(0);
  }

  /** The response headers (case-insensitive `get()`; `getSetCookie()` for cookies). */
  get headers(): Headers {
    return (this.#headers ??= headersFrom(this.#rawHeaders));
  }

  /** True if the status is below 400 (as aiohttp's `ok`). */
  get ok(): boolean {
    return this.status < 400;
  }

  /** The media type of the Content-Type header, lower case, without parameters (`application/json`). */
  get contentType(): string {
    const raw = this.#rawHeaders['content-type'];
    const value = typeof raw === 'string' ? raw : null;
    return value === null ? 'application/octet-stream' : value.split(';')[0]!.trim().toLowerCase();
  }

  /** The charset parameter of the Content-Type header, or null. */
  get charset(): string | null {
    const raw = this.#rawHeaders['content-type'];
    const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(typeof raw === 'string' ? raw : '');
    return match === null ? null : match[1]!.toLowerCase();
  }

  /** The whole body as bytes; read once, then kept. */
  bytes(): InlineAwaitable<Uint8Array> {
    this.#startRead();
    return new InlineAwaitable(() => this.#readBytes());
  }

  /** The whole body decoded as text: with `encoding`, else the Content-Type's charset, else UTF-8. */
  text(encoding?: string): InlineAwaitable<string> {
    this.#startRead();
    return new InlineAwaitable(() => this.#readText(encoding));
  }

  /**
   * The body parsed as JSON. Throws `ContentTypeError` if the Content-Type is not
   * `options.contentType` (default `application/json`; pass `{ contentType: null }` to skip
   * the check), and `SyntaxError` if the body is not JSON.
   */
  json<T = unknown>(options: JsonOptions = {}): InlineAwaitable<T> {
    this.#startRead();
    return new InlineAwaitable(() => this.#readJson<T>(options));
  }

  /**
   * The body as a `StreamReader` of `aio-ts/streams` (a `BodyReader`): `readline()`,
   * `readuntil()`, `readexactly()`, `read(n)`, each awaitable from both styles; iterating it
   * (`for await` in an async function, `forAwait` in a coroutine) gives the chunks as they
   * arrive. Read the body this way or with `bytes()`/`text()`/`json()`, not both (after those,
   * `content` holds the whole body). The connection is given back at the body's end or on
   * `release()`; cancelling a task waiting in a read aborts the request.
   */
  get content(): BodyReader {
    if (this.#content !== null) return this.#content;
    const bytes = this.#known();
    if (bytes !== null) return (this.#content = new BodyReader(null, null, bytes));
    if (this.#reading) {
      throw new Error(`ClientResponse.content: the body of ${this.url.href} is being read by bytes()/text()/json(); read it one way only`);
    }
    const body = this.#body;
    if (body === null) throw new Error(`ClientResponse.content: ${this.url.href} was released before its body was read`);
    this.#streaming = true;
    return (this.#content = new BodyReader(this.#exchange, body, null));
  }

  /**
   * Throws `ClientResponseError` if the status is 400 or more (aiohttp's `raise_for_status()`),
   * after releasing the response.
   */
  raiseForStatus(): void {
    if (this.ok) return;
    this.release();
    throw new ClientResponseError(this.requestInfo, {
      status: this.status,
      message: this.reason,
      headers: this.headers,
      history: this.history,
    });
  }

  /**
   * Gives the connection back without reading the rest of the body (it is drained if small,
   * so the connection can be reused, else closed). The body read so far stays available.
   */
  release(): void {
    const body = this.#body;
    this.#body = null;
    if (this.#reading) return; // a read under way gives the connection back when it ends
    if (this.#streaming) {
      this.#content!._release(); // the rest of a streamed body is not wanted: the connection is closed
      return;
    }
    if (body !== null && this.#bytes === null) {
      // Drained in the background: the caller has no use for it, and a small rest keeps the socket reusable.
      body.dump();
    }
    this.#exchange?.finish();
  }

  /** Same as `release()` (for `using`). */
  [Symbol.dispose](): void {
    this.release();
  }

  /** Same as `release()` (for `await using` and `asyncWith`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  /** `<ClientResponse(url) [status reason]>`, as aiohttp prints it. */
  toString(): string {
    return `<ClientResponse(${this.url.href}) [${this.status} ${this.reason}]>`;
  }

  *#readBytes(): Coro<Uint8Array> {
    const known = this.#known();
    if (known !== null) return known;
    if (this.#reading) {
      const bytes = yield* this.#hop!.wholeBody();
      return this.#known() ?? bytes;
    }
    // Not started when bytes()/text()/json() was called, and it cannot be any more.
    if (this.#streaming) throw new Error(`ClientResponse.bytes(): the body of ${this.url.href} is being read through content; read it one way only`);
    throw new Error(`ClientResponse.bytes(): ${this.url.href} was released before its body was read`);
  }

  /**
   * Starts reading the whole body (once) when `bytes()`/`text()`/`json()` is called rather than
   * when it is awaited, so that `using r = …; return r.text()` reads the body before the
   * disposal at the return, which then sees a read under way and leaves it alone. Does
   * nothing if the body is read already, streamed through `content` or released: the read
   * throws then, where it is awaited.
   */
  #startRead(): void {
    const body = this.#body;
    if (this.#bytes !== null || this.#reading || this.#streaming || body === null) return;
    this.#reading = true;
    this.#hop = body;
    body.readAll();
  }

  /** The whole body if it was read: kept once a read started by `#startRead` has it. */
  #known(): Uint8Array | null {
    if (this.#bytes === null && this.#reading && this.#hop!.whole !== null) {
      this.#bytes = this.#hop!.whole;
      this.#body = null;
    }
    return this.#bytes;
  }

  *#readText(encoding: string | undefined): Coro<string> {
    const bytes = yield* this.#readBytes();
    const label = encoding ?? this.charset ?? 'utf-8';
    if (label === 'utf-8' || label === 'utf8') return decodeUtf8(bytes);
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      decoder = new TextDecoder(label);
    } catch {
      throw new RangeError(`ClientResponse.text(): unknown encoding ${JSON.stringify(label)} (use a WHATWG label such as 'utf-8' or 'latin1')`);
    }
    return decoder.decode(bytes);
  }

  *#readJson<T>(options: JsonOptions): Coro<T> {
    const expected = options.contentType === undefined ? 'application/json' : options.contentType;
    if (expected !== null && !isExpectedType(this.contentType, expected)) {
      this.release();
      throw new ContentTypeError(this.requestInfo, {
        status: this.status,
        message: `Attempt to decode JSON with unexpected mimetype: ${this.contentType} (pass { contentType: null } to json() to parse it anyway)`,
        headers: this.headers,
        history: this.history,
      });
    }
    const text = yield* this.#readText(undefined);
    return JSON.parse(text) as T;
  }
}

/** Shared: a TextDecoder keeps no state between calls of `decode()` without `stream`, and making one costs more than a small body's decoding. */
const UTF8 = new TextDecoder();

/**
 * UTF-8 text as `TextDecoder` gives it (invalid sequences replaced), through Buffer's decoder:
 * TextDecoder's fixed cost per call is several times a short body's decoding. A BOM, which
 * TextDecoder drops, goes to TextDecoder.
 */
function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return UTF8.decode(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** aiohttp's check: the same media type, or a `+json`-style suffix of it (`application/problem+json`). */
function isExpectedType(actual: string, expected: string): boolean {
  const want = expected.toLowerCase();
  if (actual === want) return true;
  if (want === 'application/json') return /^application\/[^;]*\+json$/.test(actual);
  return false;
}
