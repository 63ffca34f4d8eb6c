import { errors as undiciErrors } from 'undici';
import { InlineAwaitable } from '../body-runner.js';
import { drive } from '../driver.js';
import { CancelledError } from '../errors.js';
import type { Coro } from '../futures.js';
import { NEXT_OPERATION, type Operation } from '../operation.js';
import { StreamReader, type Separator } from '../streams/stream-reader.js';
import { ClientPayloadError } from './errors.js';
import type { Exchange, Hop } from './exchange.js';

/**
 * A response body as a `StreamReader` (`response.content`, aiohttp's `StreamReader` of
 * `response.content`): `read(n)`, `readline()`, `readuntil()`, `readexactly()` work as on any
 * stream, with its flow control (the socket is paused while more than twice `limit` bytes wait
 * to be read). Iterating it (`for await`, `forAwait`, `next()`) gives the body's chunks as they
 * arrive, at most `limit` bytes each (aiohttp's `iter_any()`); read lines with `readline()`.
 *
 * Cancelling a task while it waits in a read aborts the request (its connection is closed, not
 * reused), as cancelling `text()` does; the reader then throws `ClientPayloadError`. The
 * connection is given back when the body has been read to its end, or on `response.release()`.
 */
export class BodyReader extends StreamReader {
  readonly #exchange: Exchange | null;
  readonly #body: Hop | null;

  /** @internal Made by `ClientResponse.content`: fed from `body`, or already holding `bytes` (then `body` is null). */
  constructor(exchange: Exchange | null, body: Hop | null, bytes: Uint8Array | null) {
    super();
    this.#exchange = exchange;
    this.#body = body;
    if (body === null) {
      if (bytes !== null && bytes.length > 0) this.feedData(bytes);
      this.feedEof();
      return;
    }
    this._setSource(body);
    body.stream(this);
  }

  /** @internal The body failed (undici's error): the reads throw it, translated, unless its end was received. */
  _bodyFailed(error: unknown): void {
    const exchange = this.#exchange!;
    if (this.exception() === null && !this._eofReceived) this.setException(exchange.translate(error));
    exchange.finish();
  }

  override read(n = -1): Operation<Buffer> {
    const op = super.read(n);
    return new InlineAwaitable(() => this.#guard(op));
  }

  override readline(): Operation<Buffer> {
    const op = super.readline();
    return new InlineAwaitable(() => this.#guard(op));
  }

  override readuntil(separator?: Separator | readonly Separator[]): Operation<Buffer> {
    const op = super.readuntil(separator);
    return new InlineAwaitable(() => this.#guard(op));
  }

  override readexactly(n: number): Operation<Buffer> {
    const op = super.readexactly(n);
    return new InlineAwaitable(() => this.#guard(op));
  }

  /** The next chunk of the body as an IteratorResult (`{ done: true }` at its end). */
  override next(): Operation<IteratorResult<Buffer, undefined>> {
    return new InlineAwaitable(() => this.#nextChunk());
  }

  /** @internal What `forAwait()` awaits in a generator task: the next chunk. */
  override [NEXT_OPERATION](): Operation<IteratorResult<Buffer, undefined>> {
    return this.next();
  }

  /** Iterates the body's chunks until its end: `for await (const chunk of response.content)`. Leaving early releases the body. */
  override [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    const iterator: AsyncIterableIterator<Buffer> = {
      next: () => drive(this.#nextChunk()),
      return: () => {
        this.#release();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** A short description, for logs and error messages. */
  override toString(): string {
    return super.toString().replace('<StreamReader', '<BodyReader');
  }

  /** @internal Stops reading: the rest of the body is not wanted (`release()`, a loop left early). */
  _release(): void {
    this.#release();
  }

  #release(): void {
    const body = this.#body;
    // As destroying undici's body stream did: the request is aborted (its connection closed).
    if (body !== null && !body.over) body.abort(new undiciErrors.RequestAbortedError());
    this.#exchange?.finish();
  }

  *#nextChunk(): Coro<IteratorResult<Buffer, undefined>> {
    const chunk = yield* this.#guard(super.read(this.limit));
    return chunk.length === 0 ? { done: true, value: undefined } : { done: false, value: chunk };
  }

  *#guard<T>(op: Operation<T>): Coro<T> {
    try {
      return yield* op;
    } catch (error) {
      if (error instanceof CancelledError && this.#exchange !== null && !this._eofReceived) {
        this.setException(new ClientPayloadError(`the request for ${this.#exchange.url.href} was aborted: a read of its body was cancelled`));
        this.#exchange.abort(error);
      }
      throw error;
    }
  }
}
