import {
  anchorMaps,
  type Blocked,
  type Coro,
  drive,
  InlineAwaitable,
  NEXT_OPERATION,
  type Operation,
  WaitOp,
} from './core.js';
import { IncompleteReadError, LimitOverrunError } from './errors.js';
import { describe, finished, toBuffer } from './util.js';
import { Wakeup } from './wakeup.js';

/** The default buffer limit of a StreamReader (64 KiB, as asyncio's `_DEFAULT_LIMIT`). */
export const DEFAULT_LIMIT = 64 * 1024;

const EMPTY = Buffer.alloc(0);
const NEWLINE = Buffer.from('\n');
const NL = 0x0a;

/** What feeds a StreamReader and can be told to stop and go on (a socket, a Node Readable). */
export interface ReaderSource {
  /** Stop delivering data (the reader's buffer is above twice its limit). */
  pause(): void;
  /** Deliver data again (the buffer is back to its limit). */
  resume(): void;
}

/** Options of `new StreamReader()`. */
export interface StreamReaderOptions {
  /**
   * The buffer limit in bytes (default 64 KiB): `readline()`/`readuntil()` fail past it, and
   * the source is paused while more than twice as much is buffered.
   */
  limit?: number;
}

/** A separator for `readuntil()`: bytes, or a string (UTF-8). */
export type Separator = Uint8Array | string;

/**
 * The read side of a connection (asyncio.StreamReader). Data arrives with `feedData()` (the
 * connection does it) and is kept as a list of the chunks received: a read concatenates only
 * what it returns. While more than twice `limit` bytes are buffered the source (socket) is
 * paused, and it is resumed once the buffer is down to `limit`, so a fast peer cannot fill
 * memory faster than the task reads.
 *
 * Every read returns an `Operation`: `yield* reader.readline()` in a generator coroutine,
 * `await reader.readline()` in an async function. A read cancelled while it waits leaves the
 * buffer as it was: the reader stays usable. Only one task may wait for data at a time (a
 * second one throws, as in asyncio).
 *
 * Returned Buffers may share memory with the chunks received (no copy when a read falls
 * within one chunk); they are never reused by the reader.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { openConnection } from 'aio-ts/streams';
 *
 * await run(function* () {
 *   const [reader, writer] = yield* openConnection({ host: 'example.com', port: 80 });
 *   writer.write('HEAD / HTTP/1.0\r\n\r\n');
 *   const status = yield* reader.readline(); // <Buffer 48 54 54 50 ...>
 *   for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) console.log(r.value.toString());
 *   writer.close();
 * });
 */
export class StreamReader implements AsyncIterable<Buffer> {
  readonly #limit: number;
  // The buffer: live chunks are #chunks[#head..], the first one from #offset on (a read inside
  // one chunk moves the offset: no Buffer is made for what is left of it).
  #chunks: Buffer[] = [];
  #head = 0;
  #offset = 0;
  #size = 0;
  #eof = false;
  #exception: unknown = null;
  readonly #data = new Wakeup();
  #source: ReaderSource | null = null;
  #paused = false;

  /** @param options `limit`: the buffer limit in bytes (default 64 KiB). */
  constructor(options: StreamReaderOptions = {}) {
    this.#limit = checkLimit(options?.limit, 'StreamReader()');
  }

  /** The buffer limit in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /** The number of bytes received and not read yet. */
  get bufferedSize(): number {
    return this.#size;
  }

  /** True while the source is paused because the buffer holds more than twice `limit`. */
  get paused(): boolean {
    return this.#paused;
  }

  /** @internal True once `feedEof()` was called (bytes may still be buffered). */
  get _eofReceived(): boolean {
    return this.#eof;
  }

  /** The error the connection failed with, or `null`. */
  exception(): unknown {
    return this.#exception;
  }

  /** True once the stream has ended and every byte was read. */
  atEof(): boolean {
    return this.#eof && this.#size === 0;
  }

  /**
   * @internal Sets what feeds the reader, to pause and resume it for flow control (done by
   * the connection; `null` to detach).
   */
  _setSource(source: ReaderSource | null): void {
    this.#source = source;
    if (source !== null && this.#paused) this.#paused = false;
  }

  /** Adds received bytes to the buffer and wakes the task waiting for data (the connection calls it). */
  feedData(data: Uint8Array | string): void {
    if (this.#eof) throw new Error('feedData() called after feedEof(): no data may follow the end of the stream');
    const chunk = toBuffer(data, 'feedData()');
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    this.#data.wake();
    const source = this.#source;
    if (source !== null && !this.#paused && this.#size > 2 * this.#limit) {
      this.#paused = true;
      source.pause();
    }
  }

  /** Marks the end of the stream and wakes the task waiting for data (the connection calls it). */
  feedEof(): void {
    this.#eof = true;
    this.#data.wake();
  }

  /** Fails the stream: reads throw `error` from now on (the connection calls it when the socket fails). */
  setException(error: unknown): void {
    this.#exception = error;
    this.#data.fail(error);
  }

  /**
   * Reads up to `n` bytes: waits until at least one byte is buffered (or EOF), then returns
   * what is there, up to `n`. With `n < 0` (the default) reads until EOF and returns it all.
   * Returns an empty Buffer at EOF (and for `n = 0`).
   */
  read(n = -1): Operation<Buffer> {
    checkSize(n, 'read(n)', true);
    return new InlineAwaitable(() => (n > 0 && this.#canTake(1) ? finished(this.#take(Math.min(n, this.#size))) : this.#read(n)));
  }

  /**
   * Reads one line, ending with `\n` (included). At EOF returns the partial last line, or an
   * empty Buffer. If the line is longer than `limit`, the line (or what was examined of it) is
   * dropped from the buffer and a RangeError is thrown (asyncio's ValueError).
   */
  readline(): Operation<Buffer> {
    return new InlineAwaitable(this.#startReadline);
  }

  /**
   * Reads until a separator is found and returns the data with the separator. With several
   * separators, the one whose match ends first wins.
   *
   * - At EOF before a separator: `IncompleteReadError` with the bytes left (the buffer is emptied).
   * - More than `limit` bytes examined without a separator, or the separator found past
   *   `limit`: `LimitOverrunError`, and the buffer is left as it was (read `err.consumed` bytes
   *   to get past them).
   */
  readuntil(separator: Separator | readonly Separator[] = NEWLINE): Operation<Buffer> {
    const separators = normalizeSeparators(separator);
    return new InlineAwaitable(() => this.#readuntil(separators));
  }

  /**
   * Reads exactly `n` bytes. At EOF before that: `IncompleteReadError` whose `partial` holds
   * the bytes left (taken out of the buffer).
   */
  readexactly(n: number): Operation<Buffer> {
    checkSize(n, 'readexactly(n)', false);
    return new ReadExactly(this, n);
  }

  /**
   * @internal `readexactly(n)`'s step, for `op` (first try, and after each wake-up): the bytes,
   * or BLOCKED with `op` queued as the waiter for data.
   */
  _readexactly(n: number, op: WaitOp<Buffer>): Buffer | Blocked {
    if (this.#exception !== null) throw this.#exception;
    if (this.#size >= n) return this.#take(n);
    if (this.#eof) throw new IncompleteReadError(this.#take(this.#size), n);
    this.#readyToWait('readexactly');
    return this.#data._block(op);
  }

  /**
   * The next line as an IteratorResult (`{ done: true }` at EOF): line iteration for
   * generator coroutines, `for (let r = yield* reader.next(); !r.done; r = yield* reader.next())`,
   * or `forAwait(reader, …)`.
   */
  next(): Operation<IteratorResult<Buffer, undefined>> {
    return new InlineAwaitable(this.#startNext);
  }

  /** @internal What `forAwait()` awaits in a generator task. */
  [NEXT_OPERATION](): Operation<IteratorResult<Buffer, undefined>> {
    return this.next();
  }

  /** Iterates lines (`readline()` after `readline()`) until EOF: `for await (const line of reader)`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    const iterator: AsyncIterableIterator<Buffer> = {
      next: () => {
        const end = this.#lineEnd();
        return end > 0 ? Promise.resolve({ done: false, value: this.#take(end) }) : drive(this.#nextLine());
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** A short description, for logs and error messages. */
  toString(): string {
    const info = [`${this.#size} bytes`];
    if (this.#eof) info.push('eof');
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#data.waiting) info.push('waiter');
    if (this.#exception !== null) info.push(`exception=${String(this.#exception)}`);
    if (this.#paused) info.push('paused');
    return `<StreamReader ${info.join(' ')}>`;
  }

  *#read(n: number): Coro<Buffer> {
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return EMPTY;
    if (n < 0) {
      // Block by block, as asyncio does: the buffer stays under the limit, so the source is
      // never paused and resumed over and over.
      const blocks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const block = yield* this.#read(this.#limit);
        if (block.length === 0) break;
        blocks.push(block);
        total += block.length;
      }
      return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, total);
    }
    if (this.#size === 0 && !this.#eof) yield* this.#waitForData('read');
    return this.#take(Math.min(n, this.#size));
  }

  // A read that the buffer satisfies at once (the usual case when data comes faster than it is
  // read) runs no generator: most reads of a file or a busy connection.
  readonly #startReadline = (): Coro<Buffer> => {
    const end = this.#lineEnd();
    return end > 0 ? finished(this.#take(end)) : this.#readline();
  };

  readonly #startNext = (): Coro<IteratorResult<Buffer, undefined>> => {
    const end = this.#lineEnd();
    return end > 0 ? finished({ done: false, value: this.#take(end) }) : this.#nextLine();
  };

  /** True if `n` bytes can be taken now: buffered, and no error to throw. */
  #canTake(n: number): boolean {
    return this.#exception === null && this.#size >= n;
  }

  /** The length of the first line if it is whole in the first chunk (most lines, when lines are short) and readable now; else 0. */
  #lineEnd(): number {
    if (this.#exception !== null || this.#size === 0) return 0;
    const at = this.#chunks[this.#head]!.indexOf(NL, this.#offset) - this.#offset;
    return at >= 0 && at <= this.#limit ? at + 1 : 0;
  }

  *#readline(): Coro<Buffer> {
    const end = this.#lineEnd();
    if (end > 0) return this.#take(end);
    try {
      return yield* this.#readuntil([NEWLINE]);
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      if (error instanceof LimitOverrunError) {
        // asyncio drops the overlong line (up to and with its separator if it is in the buffer).
        if (this.#find(NEWLINE, error.consumed) === error.consumed) this.#discard(error.consumed + NEWLINE.length);
        else this.#discard(this.#size);
        throw new RangeError(
          `readline() found a line longer than the limit (${this.#limit} bytes) and dropped it: ` +
            `pass a larger limit when opening the stream, or use readuntil() to handle it yourself`,
        );
      }
      throw error;
    }
  }

  *#readuntil(separators: Buffer[]): Coro<Buffer> {
    if (this.#exception !== null) throw this.#exception;
    const minLength = separators[0]!.length;
    const maxLength = separators[separators.length - 1]!.length;
    // Bytes before `offset` are known not to start a separator: each wait only searches what is new.
    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    for (;;) {
      const buffered = this.#size;
      if (buffered - offset >= minLength) {
        for (const sep of separators) {
          const at = this.#find(sep, offset);
          if (at !== -1 && (matchEnd === -1 || at + sep.length < matchEnd)) {
            matchStart = at;
            matchEnd = at + sep.length;
          }
        }
        if (matchEnd !== -1) break;
        offset = Math.max(0, buffered + 1 - maxLength);
        if (offset > this.#limit) {
          throw new LimitOverrunError(
            `readuntil(): separator is not found, and chunk exceed the limit (${offset} bytes examined, limit ` +
              `${this.#limit}): read(err.consumed) to get past them, or pass a larger limit`,
            offset,
          );
        }
      }
      if (this.#eof) throw new IncompleteReadError(this.#take(this.#size), null);
      yield* this.#waitForData('readuntil');
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError(
        `readuntil(): separator is found, but chunk is longer than limit (${matchStart} bytes before it, limit ` +
          `${this.#limit}): read(err.consumed) to get past them, or pass a larger limit`,
        matchStart,
      );
    }
    return this.#take(matchEnd);
  }

  *#nextLine(): Coro<IteratorResult<Buffer, undefined>> {
    const line = yield* this.#readline();
    return line.length === 0 ? { done: true, value: undefined } : { done: false, value: line };
  }

  /**
   * Waits until data is fed, the stream ends or fails. Throws if another task is already
   * waiting. A plain function returning the wait: one generator less per wait.
   */
  #waitForData(call: string): Coro<void> {
    this.#readyToWait(call);
    return this.#data.wait();
  }

  /** Before a wait: throws if another task waits already; resumes a paused source. */
  #readyToWait(call: string): void {
    if (this.#data.waiting) {
      throw new Error(
        `${call}() called while another task is already waiting for incoming data: ` +
          `only one task may read from a StreamReader at a time`,
      );
    }
    // Waiting means the buffer is not enough: let the source go on even above the limit.
    if (this.#paused) {
      this.#paused = false;
      this.#source?.resume();
    }
  }

  /** Removes the first `n` bytes (n <= size) and returns them; copies only across chunks. */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.#chunks[this.#head]!;
    const start = this.#offset;
    const end = start + n;
    let result: Buffer;
    if (end < first.length) {
      result = first.subarray(start, end);
      this.#offset = end;
      this.#consumed(n);
    } else if (end === first.length) {
      result = start === 0 ? first : first.subarray(start);
      this.#dropFirst();
      this.#consumed(n);
    } else {
      result = Buffer.allocUnsafe(n);
      this.#advance(n, result);
    }
    return result;
  }

  /** Removes the first `n` bytes without returning them. */
  #discard(n: number): void {
    this.#advance(n, null);
  }

  /** Removes the first `n` bytes (n <= size), copying them into `into` if given. */
  #advance(n: number, into: Buffer | null): void {
    let done = 0;
    while (done < n) {
      const chunk = this.#chunks[this.#head]!;
      const start = this.#offset;
      const step = Math.min(chunk.length - start, n - done);
      if (into !== null) chunk.copy(into, done, start, start + step);
      done += step;
      if (start + step === chunk.length) this.#dropFirst();
      else this.#offset = start + step;
    }
    this.#consumed(n);
  }

  #dropFirst(): void {
    const chunks = this.#chunks;
    this.#offset = 0;
    const head = ++this.#head;
    if (head === chunks.length) {
      // Empty: a pop() or a new array (`length = 0` is a slow path in V8).
      if (head === 1) chunks.pop();
      else this.#chunks = [];
      this.#head = 0;
    } else {
      chunks[head - 1] = EMPTY;
      if (head >= 1024 && head * 2 >= chunks.length) {
        // Compact now and then rather than shift() per chunk.
        this.#chunks = chunks.slice(head);
        this.#head = 0;
      }
    }
  }

  #consumed(n: number): void {
    this.#size -= n;
    if (this.#paused && this.#size <= this.#limit) {
      this.#paused = false;
      this.#source?.resume();
    }
  }

  /**
   * The position of the first occurrence of `sep` at or after `offset` in the buffer, or -1.
   * Chunk by chunk: `indexOf` inside each, then the few positions where `sep` would straddle
   * the end of a chunk (it may span several small chunks).
   */
  #find(sep: Buffer, offset: number): number {
    const chunks = this.#chunks;
    const seplen = sep.length;
    let start = -this.#offset; // position in the buffer of the current chunk's byte 0
    for (let i = this.#head; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      const length = chunk.length;
      const from = Math.max(offset - start, 0);
      if (from < length) {
        const inside = chunk.indexOf(sep, from);
        const straddleFrom = Math.max(from, length - seplen + 1);
        const straddleTo = inside === -1 ? length : Math.min(inside, length);
        for (let p = straddleFrom; p < straddleTo; p++) {
          if (matchesAcross(chunks, i, p, sep)) return start + p;
        }
        if (inside !== -1) return start + inside;
      }
      start += length;
    }
    return -1;
  }
}

/**
 * `readexactly(n)`: a blocked operation of its own (no generator, no Future per wait), woken
 * straight from `feedData()`; a read the buffer satisfies allocates only this object.
 */
class ReadExactly extends WaitOp<Buffer> {
  readonly #reader: StreamReader;
  readonly #n: number;

  constructor(reader: StreamReader, n: number) {
    super();
    this.#reader = reader;
    this.#n = n;
  }

  /** @internal */
  _try(): Buffer | Blocked {
    return this.#reader._readexactly(this.#n, this);
  }
}

anchorMaps(() => new ReadExactly(new StreamReader(), 0));

/** Whether `sep` occurs at position `p` of chunk `i`, continuing into the next chunks. */
function matchesAcross(chunks: Buffer[], i: number, p: number, sep: Buffer): boolean {
  let chunk = chunks[i]!;
  let pos = p;
  for (let k = 0; k < sep.length; k++) {
    while (pos >= chunk.length) {
      if (++i >= chunks.length) return false;
      chunk = chunks[i]!;
      pos = 0;
    }
    if (chunk[pos++] !== sep[k]) return false;
  }
  return true;
}

function normalizeSeparators(separator: Separator | readonly Separator[]): Buffer[] {
  const list = Array.isArray(separator) ? (separator as readonly Separator[]) : [separator as Separator];
  if (list.length === 0) {
    throw new RangeError('readuntil() expects at least one separator, got an empty array: pass e.g. "\\n" or ["\\r\\n", "\\n"]');
  }
  const buffers = list.map((sep) => {
    if (typeof sep !== 'string' && !(sep instanceof Uint8Array)) {
      throw new TypeError(`readuntil() expects a separator as a Buffer, Uint8Array or string, got ${describe(sep)}`);
    }
    const buffer = toBuffer(sep, 'readuntil()');
    if (buffer.length === 0) throw new RangeError('readuntil() got an empty separator: a separator must be at least one byte');
    return buffer;
  });
  return buffers.sort((a, b) => a.length - b.length);
}

function checkSize(n: unknown, call: string, negativeOk: boolean): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new TypeError(`${call} expects an integer number of bytes, got ${describe(n)}`);
  }
  if (!negativeOk && n < 0) throw new RangeError(`${call} expects a size of 0 or more, got ${n}`);
}

/** @internal Validates a `limit` option (a positive integer; undefined: the default). */
export function checkLimit(limit: unknown, call: string): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0) {
    throw new RangeError(`${call} expects limit to be a positive integer number of bytes, got ${describe(limit)}`);
  }
  return limit;
}
