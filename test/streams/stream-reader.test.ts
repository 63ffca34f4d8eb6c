// StreamReader framing and buffer rules, fed by hand (deterministic chunk boundaries).
// The same rules over real sockets are in connection.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, createTask, forAwait, run, sleep, type Coro } from '../../src/index.js';
import { IncompleteReadError, LimitOverrunError, StreamReader } from '../../src/streams/index.js';
import { expectRejects, expectThrows } from '../helpers/primitives.js';

function fed(chunks: string[], eof = true, limit?: number): StreamReader {
  const reader = new StreamReader(limit === undefined ? {} : { limit });
  for (const chunk of chunks) reader.feedData(chunk);
  if (eof) reader.feedEof();
  return reader;
}

describe('StreamReader framing (generator coroutines)', () => {
  test('readuntil finds a separator split across chunk boundaries, several chunks long', async () => {
    await run(function* () {
      const reader = fed(['ab', 'c\r', '\n', 'de', '=', '=', '=x'], false);
      assert.equal((yield* reader.readuntil('\r\n')).toString(), 'abc\r\n');
      assert.equal((yield* reader.readuntil('===')).toString(), 'de===');
      assert.equal(reader.bufferedSize, 1);
    });
  });

  test('readuntil waits for data across feeds and returns once the separator arrives', async () => {
    await run(function* () {
      const reader = new StreamReader();
      const task = createTask(reader.readuntil('END'));
      yield* sleep(0);
      reader.feedData('hello E');
      yield* sleep(0);
      assert.equal(task.done(), false);
      reader.feedData('N');
      yield* sleep(0);
      assert.equal(task.done(), false);
      reader.feedData('Drest');
      assert.equal((yield* task).toString(), 'hello END');
      reader.feedEof();
      assert.equal((yield* reader.read()).toString(), 'rest');
    });
  });

  test('several separators: the match that ends first wins', async () => {
    await run(function* () {
      const reader = fed(['a;b|c;;'], true);
      assert.equal((yield* reader.readuntil([';;', '|'])).toString(), 'a;b|');
      assert.equal((yield* reader.readuntil([';', ';;'])).toString(), 'c;');
      assert.equal((yield* reader.readuntil(['x', ';'])).toString(), ';');
      assert.equal(reader.atEof(), true);
    });
  });

  test('readuntil at EOF: IncompleteReadError with the rest as partial; the buffer is empty after', async () => {
    await run(function* () {
      const reader = fed(['no sep', 'arator']);
      const error = yield* expectThrows(reader.readuntil('\n'), IncompleteReadError);
      assert.equal(error.partial.toString(), 'no separator');
      assert.equal(error.expected, null);
      assert.equal(reader.bufferedSize, 0);
      assert.equal(reader.atEof(), true);
    });
  });

  test('readuntil past the limit without a separator: LimitOverrunError, the buffer is left as it was', async () => {
    await run(function* () {
      const reader = fed(['0123456789', 'abcdef'], false, 8);
      const error = yield* expectThrows(reader.readuntil('\n'), LimitOverrunError);
      assert.equal(error.consumed, 16); // everything examined (maxlen 1: offset = buflen + 1 - 1)
      assert.equal(reader.bufferedSize, 16);
      assert.equal((yield* reader.read(error.consumed)).toString(), '0123456789abcdef');
    });
  });

  test('separator found past the limit: LimitOverrunError with consumed = where it starts; buffer intact', async () => {
    await run(function* () {
      const reader = fed(['0123456789\nrest'], true, 5);
      const error = yield* expectThrows(reader.readuntil('\n'), LimitOverrunError);
      assert.equal(error.consumed, 10);
      assert.equal(reader.bufferedSize, 15);
      assert.equal((yield* reader.readexactly(11)).toString(), '0123456789\n');
      assert.equal((yield* reader.read()).toString(), 'rest');
    });
  });

  test('readline drops an overlong line (with its newline) and throws RangeError; the next line reads fine', async () => {
    await run(function* () {
      const reader = fed(['0123456789\nok\n'], true, 5);
      yield* expectThrows(reader.readline(), RangeError);
      assert.equal((yield* reader.readline()).toString(), 'ok\n');
      assert.equal((yield* reader.readline()).length, 0);
    });
  });

  test('readline within one chunk (its fast path) keeps the limit rule: a newline at index limit is fine, past it is not', async () => {
    await run(function* () {
      const reader = fed(['01234\n012345\nok\n'], true, 5);
      assert.equal((yield* reader.readline()).toString(), '01234\n'); // newline at index 5 = limit: accepted, as asyncio
      yield* expectThrows(reader.readline(), RangeError); // newline at index 6 > limit
      assert.equal((yield* reader.readline()).toString(), 'ok\n');
      assert.equal(reader.atEof(), true);
    });
  });

  test('readline without newline past the limit clears the buffer', async () => {
    await run(function* () {
      const reader = fed(['0123456789abc'], false, 5);
      yield* expectThrows(reader.readline(), RangeError);
      assert.equal(reader.bufferedSize, 0);
    });
  });

  test('readline returns the partial last line at EOF, then empty', async () => {
    await run(function* () {
      const reader = fed(['one\ntw', 'o']);
      assert.equal((yield* reader.readline()).toString(), 'one\n');
      assert.equal((yield* reader.readline()).toString(), 'two');
      assert.equal((yield* reader.readline()).length, 0);
    });
  });

  test('readexactly across chunks, and at EOF: IncompleteReadError with partial and expected', async () => {
    await run(function* () {
      const reader = fed(['abc', 'de', 'fgh']);
      assert.equal((yield* reader.readexactly(4)).toString(), 'abcd');
      assert.equal((yield* reader.readexactly(0)).length, 0);
      const error = yield* expectThrows(reader.readexactly(10), IncompleteReadError);
      assert.equal(error.partial.toString(), 'efgh');
      assert.equal(error.expected, 10);
      assert.equal(reader.atEof(), true);
    });
  });

  test('read(n) returns what is buffered up to n; read() reads to EOF', async () => {
    await run(function* () {
      const reader = fed(['abc', 'def'], false);
      assert.equal((yield* reader.read(2)).toString(), 'ab');
      assert.equal((yield* reader.read(100)).toString(), 'cdef');
      const all = createTask(reader.read());
      yield* sleep(0);
      reader.feedData('x');
      reader.feedData('y');
      yield* sleep(0);
      assert.equal(all.done(), false);
      reader.feedEof();
      assert.equal((yield* all).toString(), 'xy');
      assert.equal((yield* reader.read(5)).length, 0);
    });
  });

  test('bad arguments are rejected with a message naming the call', async () => {
    await run(function* () {
      const reader = new StreamReader();
      assert.throws(() => reader.readexactly(-1), /readexactly\(n\) expects a size of 0 or more, got -1/);
      assert.throws(() => reader.read(1.5), /read\(n\) expects an integer/);
      assert.throws(() => reader.readuntil(''), /empty separator/);
      assert.throws(() => reader.readuntil([]), /at least one separator/);
      assert.throws(() => new StreamReader({ limit: 0 }), /limit to be a positive integer/);
      yield* sleep(0);
    });
  });

  test('a second task waiting for data throws; the first one is unaffected', async () => {
    await run(function* () {
      const reader = new StreamReader();
      const first = createTask(reader.readline());
      yield* sleep(0);
      const error = yield* expectThrows(reader.read(1), Error);
      assert.match(error.message, /read\(\) called while another task is already waiting for incoming data/);
      reader.feedData('line\n');
      assert.equal((yield* first).toString(), 'line\n');
    });
  });

  test('cancelled mid-read: the buffer is kept and the reader stays usable', async () => {
    await run(function* () {
      const reader = new StreamReader();
      const task = createTask(reader.readexactly(6));
      yield* sleep(0);
      reader.feedData('abc');
      yield* sleep(0);
      task.cancel();
      yield* expectThrows(task, CancelledError);
      assert.equal(reader.bufferedSize, 3);
      reader.feedData('def');
      assert.equal((yield* reader.readexactly(6)).toString(), 'abcdef');
    });
  });

  test('readexactly waiting for data: one chunk of exactly n is returned as is, a split one is joined, EOF and errors reach the wait', async () => {
    await run(function* () {
      const reader = new StreamReader();
      const whole = createTask(reader.readexactly(4));
      yield* sleep(0);
      const chunk = Buffer.from('abcd');
      reader.feedData(chunk);
      assert.equal(yield* whole, chunk); // no copy, no view: the chunk itself
      const split = createTask(reader.readexactly(5));
      yield* sleep(0);
      reader.feedData('ab');
      yield* sleep(0);
      assert.equal(split.done(), false);
      reader.feedData('cdefg'); // more than asked: the rest stays buffered
      assert.equal((yield* split).toString(), 'abcde');
      assert.equal(reader.bufferedSize, 2);
      const short = createTask(reader.readexactly(3));
      yield* sleep(0);
      reader.feedEof();
      const incomplete = yield* expectThrows(short, IncompleteReadError);
      assert.equal(incomplete.partial.toString(), 'fg');
      const failing = new StreamReader();
      const waiting = createTask(failing.readexactly(1));
      yield* sleep(0);
      const boom = new Error('boom');
      failing.setException(boom);
      assert.equal(yield* expectThrows(waiting, Error), boom);
    });
  });

  test('readexactly woken and cancelled before it resumes: nothing is taken, the next read gets the bytes', async () => {
    await run(function* () {
      const reader = new StreamReader();
      const task = createTask(reader.readexactly(2));
      yield* sleep(0);
      reader.feedData('xy');
      task.cancel(); // woken (its step queued), then cancelled before that step runs
      yield* expectThrows(task, CancelledError);
      assert.equal(reader.bufferedSize, 2);
      assert.equal((yield* reader.readexactly(2)).toString(), 'xy');
      const twice = reader.readexactly(0);
      yield* twice;
      assert.throws(() => twice.next(), /already (been )?awaited/); // awaited once, as a coroutine
    });
  });

  test('setException: a waiting read and later reads throw it', async () => {
    await run(function* () {
      const reader = new StreamReader();
      const task = createTask(reader.readline());
      yield* sleep(0);
      const boom = new Error('boom');
      reader.setException(boom);
      assert.equal(yield* expectThrows(task, Error), boom);
      assert.equal(yield* expectThrows(reader.read(1), Error), boom);
      assert.equal(reader.exception(), boom);
    });
  });

  test('pauses its source above 2 × limit and resumes it once down to the limit', async () => {
    await run(function* () {
      const calls: string[] = [];
      const reader = new StreamReader({ limit: 4 });
      reader._setSource({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
      reader.feedData('12345678');
      assert.deepEqual(calls, []);
      reader.feedData('9');
      assert.deepEqual(calls, ['pause']);
      assert.equal(reader.paused, true);
      yield* reader.read(4); // 5 left: still above the limit
      assert.deepEqual(calls, ['pause']);
      yield* reader.read(1);
      assert.deepEqual(calls, ['pause', 'resume']);
    });
  });

  test('line iteration from a generator: reader.next() and forAwait', async () => {
    await run(function* () {
      const lines: string[] = [];
      const reader = fed(['a\nb', '\nc']);
      for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) lines.push(r.value.toString());
      const again = fed(['x\ny\n']);
      yield* forAwait(again, (line) => {
        lines.push(line.toString());
      });
      assert.deepEqual(lines, ['a\n', 'b\n', 'c', 'x\n', 'y\n']);
    });
  });
});

describe('StreamReader framing (async functions)', () => {
  test('readuntil, readexactly and errors with await', async () => {
    await run(async () => {
      const reader = fed(['hel', 'lo|wor', 'ld']);
      assert.equal((await reader.readuntil('|')).toString(), 'hello|');
      assert.equal((await reader.readexactly(3)).toString(), 'wor');
      const error = await expectRejects(reader.readexactly(5), IncompleteReadError);
      assert.equal(error.partial.toString(), 'ld');
    });
  });

  test('for await iterates lines until EOF', async () => {
    await run(async () => {
      const reader = new StreamReader();
      const lines: string[] = [];
      const consumer = (async () => {
        for await (const line of reader) lines.push(line.toString());
      })();
      await sleep(0);
      reader.feedData('one\ntwo');
      await sleep(0);
      reader.feedData('\nthree\n');
      reader.feedEof();
      await consumer;
      assert.deepEqual(lines, ['one\n', 'two\n', 'three\n']);
    });
  });

  test('cancelled await of a read leaves the buffer', async () => {
    await run(async () => {
      const reader = fed(['ab'], false);
      const task = createTask(async () => await reader.readexactly(4));
      await sleep(0);
      task.cancel();
      await expectRejects(task, CancelledError);
      reader.feedData('cd');
      assert.equal((await reader.readexactly(4)).toString(), 'abcd');
    });
  });
});

// Keep the Coro type import used (documentation of the style under test).
export type _ = Coro<void>;
