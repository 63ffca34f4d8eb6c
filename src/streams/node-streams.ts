import type { Duplex, Readable, Writable } from 'node:stream';
import { StreamReader, checkLimit } from './stream-reader.js';
import { StreamWriter } from './stream-writer.js';
import { describe } from './util.js';

/** Options of `fromReadable` and `fromDuplex`. */
export interface FromStreamOptions {
  /** The reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
}

/**
 * A StreamReader over any Node Readable (asyncio's `connect_read_pipe`): `process.stdin`, a
 * file stream, a child's stdout. The readable is paused while the reader holds more than twice
 * its limit. Its 'end' is the reader's EOF; its 'error' fails the reader.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { fromReadable } from 'aio-ts/streams';
 *
 * // Reads stdin line by line from a generator coroutine.
 * await run(function* () {
 *   const stdin = fromReadable(process.stdin);
 *   for (let r = yield* stdin.next(); !r.done; r = yield* stdin.next()) console.log(r.value.toString().trimEnd());
 * });
 */
export function fromReadable(readable: Readable, options: FromStreamOptions = {}): StreamReader {
  checkStream(readable, 'fromReadable', 'on');
  if (readable.readableEncoding !== null && readable.readableEncoding !== undefined) {
    throw new TypeError(
      `fromReadable() needs a byte stream, but this Readable decodes to strings (${readable.readableEncoding}): do not call setEncoding() on it`,
    );
  }
  const reader = new StreamReader({ limit: checkLimit(options?.limit, 'fromReadable()') });
  reader._setSource({ pause: () => readable.pause(), resume: () => readable.resume() });
  readable.on('data', (chunk: Buffer | string) => reader.feedData(chunk));
  readable.on('end', () => reader.feedEof());
  readable.on('error', (error: unknown) => {
    if (reader.exception() === null && !reader._eofReceived) reader.setException(error);
  });
  // Destroyed without an 'end' (closed early): the reader sees EOF rather than waiting forever.
  readable.on('close', () => {
    if (reader.exception() === null && !reader._eofReceived) reader.feedEof();
  });
  return reader;
}

/**
 * A StreamWriter over any Node Writable (asyncio's `connect_write_pipe`): `process.stdout`, a
 * file stream, a child's stdin. `drain()` waits while the writable's buffer is above its
 * high-water mark; `close()` ends it.
 *
 * @example
 * const out = fromWritable(process.stdout);
 * out.write('hello\n');
 * yield* out.drain();
 */
export function fromWritable(writable: Writable): StreamWriter {
  checkStream(writable, 'fromWritable', 'write');
  return new StreamWriter(writable, null);
}

/**
 * A `[reader, writer]` pair over a Node Duplex (a socket made elsewhere, one end of a
 * `stream.duplexPair()`, …), as `openConnection` gives for a new socket.
 *
 * @example
 * const [reader, writer] = fromDuplex(existingSocket);
 */
export function fromDuplex(duplex: Duplex, options: FromStreamOptions = {}): [StreamReader, StreamWriter] {
  checkStream(duplex, 'fromDuplex', 'write');
  checkStream(duplex, 'fromDuplex', 'on');
  const reader = new StreamReader({ limit: checkLimit(options?.limit, 'fromDuplex()') });
  return [reader, new StreamWriter(duplex, reader)];
}

function checkStream(stream: unknown, call: string, method: 'on' | 'write'): void {
  const ok =
    typeof stream === 'object' &&
    stream !== null &&
    typeof (stream as Record<string, unknown>)[method] === 'function' &&
    typeof (stream as Record<string, unknown>)[method === 'on' ? 'pause' : 'end'] === 'function';
  if (!ok) {
    const wanted = call === 'fromReadable' ? 'a Node Readable' : call === 'fromWritable' ? 'a Node Writable' : 'a Node Duplex';
    throw new TypeError(`${call}() expects ${wanted} stream, got ${describe(stream)}`);
  }
}
