/**
 * Error classes of aio-ts/streams. A leaf module (no Node networking imported), so that the
 * root `aio-ts` entry can re-export `IncompleteReadError` and `LimitOverrunError` as asyncio does.
 */

/**
 * The stream ended before the read could complete (asyncio.IncompleteReadError): thrown by
 * `readexactly(n)` at EOF before `n` bytes, and by `readuntil()` at EOF before a separator.
 * `partial` holds the bytes read before the end (they are taken out of the buffer).
 */
export class IncompleteReadError extends Error {
  override name = 'IncompleteReadError';
  /** The bytes read before the stream ended. */
  readonly partial: Buffer;
  /** The total number of bytes expected, or `null` for `readuntil()` (unknown). */
  readonly expected: number | null;

  /** @param partial What was read. @param expected How much was expected (`null`: up to a separator). */
  constructor(partial: Buffer, expected: number | null) {
    super(
      expected === null
        ? `the stream ended after ${partial.length} bytes, before the separator was found`
        : `${partial.length} bytes read on a total of ${expected} expected bytes: the stream ended first`,
    );
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * The buffer limit was reached while looking for a separator (asyncio.LimitOverrunError).
 * The buffer is left as it was; `consumed` is the number of bytes to consume to get past
 * what was examined (`reader.read(consumed)`), or past the separator if it was found.
 */
export class LimitOverrunError extends Error {
  override name = 'LimitOverrunError';
  /** The number of bytes that may be consumed to make progress. */
  readonly consumed: number;

  /** @param consumed How many bytes may be consumed to make progress (see `consumed`). */
  constructor(message: string, consumed: number) {
    super(message);
    this.consumed = consumed;
  }
}

/**
 * The connection was lost while a `drain()` waited (or before it), without an error of its own
 * (Python's ConnectionResetError('Connection lost')). When the socket failed with an error
 * (`ECONNRESET`, `EPIPE`, …), that error is thrown instead.
 */
export class ConnectionResetError extends Error {
  override name = 'ConnectionResetError';
}
