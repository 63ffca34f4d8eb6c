import type { IncomingMessage } from 'node:http';
import { InlineAwaitable } from '../body-runner.js';
import { fromPromise } from '../ensure-future.js';
import type { Coro } from '../futures.js';
import type { EventLoop } from '../loop/event-loop.js';

/**
 * An HTTP request received by `serve()` (aiohttp.web.Request), handed to the handler. The
 * body is read with `text()`, `json()`, `bytes()` (awaitables for both styles), or streamed
 * with `content`, which reads from the socket only as fast as it is consumed (bounded memory).
 */
export class ServerRequest {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The full URL (scheme, Host header, path and query). */
  readonly url: URL;
  /** The request headers. */
  readonly headers: Headers;
  /** The client's address, if known. */
  readonly remoteAddress: string | null;
  /** Aborts when the client disconnects (or the request is cancelled); pass it to foreign APIs. */
  readonly signal: AbortSignal;
  readonly #message: IncomingMessage;
  readonly #loop: EventLoop;
  #bytes: Uint8Array | null = null;
  #consumed = false;

  /** @internal Made by the server. */
  constructor(message: IncomingMessage, secure: boolean, signal: AbortSignal, loop: EventLoop) {
    this.#message = message;
    this.#loop = loop;
    this.method = (message.method ?? 'GET').toUpperCase();
    const host = message.headers.host ?? 'localhost';
    let url: URL;
    try {
      url = new URL(message.url ?? '/', `${secure ? 'https' : 'http'}://${host}`);
    } catch {
      url = new URL(message.url ?? '/', `${secure ? 'https' : 'http'}://localhost`);
    }
    this.url = url;
    this.headers = new Headers();
    const raw = message.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) this.headers.append(raw[i]!, raw[i + 1]!);
    this.remoteAddress = message.socket?.remoteAddress ?? null;
    this.signal = signal;
  }

  /** The path of the URL (`/items/3`). */
  get path(): string {
    return this.url.pathname;
  }

  /** The query parameters of the URL. */
  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  /** The whole body as bytes; read once, then kept. */
  bytes(): InlineAwaitable<Uint8Array> {
    return new InlineAwaitable(() => this.#readBytes());
  }

  /** The whole body as UTF-8 text. */
  text(): InlineAwaitable<string> {
    return new InlineAwaitable(
      function* (this: ServerRequest): Coro<string> {
        return new TextDecoder().decode(yield* this.#readBytes());
      }.bind(this),
    );
  }

  /** The body parsed as JSON (a `SyntaxError` if it is not). */
  json<T = unknown>(): InlineAwaitable<T> {
    return new InlineAwaitable(
      function* (this: ServerRequest): Coro<T> {
        return JSON.parse(new TextDecoder().decode(yield* this.#readBytes())) as T;
      }.bind(this),
    );
  }

  /**
   * The body as an async iterable of chunks, read from the socket as they are consumed
   * (backpressure: memory stays bounded whatever the body's size). Once, instead of `bytes()`.
   */
  get content(): AsyncIterable<Uint8Array> {
    this.#claim('content');
    return this.#message as AsyncIterable<Uint8Array>;
  }

  /** `<ServerRequest METHOD path>`. */
  toString(): string {
    return `<ServerRequest ${this.method} ${this.url.pathname}>`;
  }

  *#readBytes(): Coro<Uint8Array> {
    if (this.#bytes !== null) return this.#bytes;
    this.#claim('bytes()');
    const bytes = yield* fromPromise(collect(this.#message), this.#loop);
    this.#bytes = bytes;
    return bytes;
  }

  #claim(how: string): void {
    if (this.#consumed) {
      throw new Error(`ServerRequest.${how}: the body was already read${how === 'content' ? '' : ' through content'}; read it one way only`);
    }
    this.#consumed = true;
  }
}

async function collect(message: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
