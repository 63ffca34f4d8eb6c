// startServer / Server over real loopback sockets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Event, asyncWith, createTask, gather, getRunningLoop, run, sleep, type Coro } from '../../src/index.js';
import { openConnection, startServer, Server, type StreamReader, type StreamWriter } from '../../src/streams/index.js';
import { recordExceptions } from '../helpers/capture.js';
import { expectRejects, expectThrows } from '../helpers/primitives.js';
import { portOf } from './helpers.js';

function* echoLines(reader: StreamReader, writer: StreamWriter): Coro<void> {
  for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) {
    writer.write(r.value);
    yield* writer.drain();
  }
}

describe('startServer', () => {
  test('1,000 concurrent connections to one server, each with its own handler task', async () => {
    await run(function* () {
      let handlers = 0;
      const server = yield* startServer(
        function* (reader, writer) {
          handlers++;
          yield* echoLines(reader, writer);
        },
        { host: '127.0.0.1', port: 0, backlog: 1024 },
      );
      const port = portOf(server);
      const client = function* (i: number): Coro<string> {
        const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port });
        writer.write(`client ${i}\n`);
        yield* writer.drain();
        const line = (yield* reader.readline()).toString();
        writer.close();
        yield* writer.waitClosed();
        return line;
      };
      const lines = yield* gather(...Array.from({ length: 1000 }, (_, i) => client(i)));
      assert.deepEqual(lines, Array.from({ length: 1000 }, (_, i) => `client ${i}\n`));
      assert.equal(handlers, 1000);
      server.close();
      yield* server.waitClosed();
    });
  });

  test('a handler that throws is reported to the exception handler, its connection closed, the server keeps serving', async () => {
    await run(function* () {
      const reported = recordExceptions(getRunningLoop());
      const boom = new Error('handler failed');
      const server = yield* startServer(
        function* (reader, writer) {
          const line = (yield* reader.readline()).toString();
          if (line === 'fail\n') throw boom;
          writer.write(`ok ${line}`);
        },
        { host: '127.0.0.1', port: 0 },
      );
      const port = portOf(server);
      const [r1, w1] = yield* openConnection({ host: '127.0.0.1', port });
      w1.write('fail\n');
      assert.equal((yield* r1.read()).length, 0); // the server closed this connection: EOF
      assert.equal(reported.length, 1);
      assert.equal(reported[0]!.exception, boom);
      assert.match(reported[0]!.message, /Unhandled exception in a client connection handler/);
      const [r2, w2] = yield* openConnection({ host: '127.0.0.1', port });
      w2.write('again\n');
      assert.equal((yield* r2.read()).toString(), 'ok again\n'); // handler returned: connection closed after the reply
      w1.close();
      w2.close();
      server.close();
      yield* server.waitClosed();
      assert.equal(reported.length, 1);
    });
  });

  test('an async handler that throws is reported too (async functions throughout)', async () => {
    await run(async () => {
      const reported = recordExceptions(getRunningLoop());
      const server = await startServer(
        async (reader) => {
          await reader.readline();
          throw new TypeError('async handler failed');
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = await openConnection({ host: '127.0.0.1', port: portOf(server) });
      writer.write('x\n');
      assert.equal((await reader.read()).length, 0);
      assert.equal(reported.length, 1);
      assert.ok(reported[0]!.exception instanceof TypeError);
      writer.close();
      server.close();
      await server.waitClosed();
    });
  });

  test('close() stops accepting; waitClosed() waits for the connections; abortClients() cancels the handlers', async () => {
    await run(function* () {
      const inHandler = new Event();
      const outcomes: string[] = [];
      const server = yield* startServer(
        function* (reader) {
          inHandler.set();
          try {
            yield* reader.readline(); // the client sends nothing
            outcomes.push('read');
          } catch (error) {
            outcomes.push(error instanceof CancelledError ? 'cancelled' : String(error));
            throw error;
          }
        },
        { host: '127.0.0.1', port: 0 },
      );
      const port = portOf(server);
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port });
      yield* inHandler.wait();
      assert.equal(server.isServing(), true);
      assert.equal(server.sockets.length, 1);
      server.close();
      assert.equal(server.isServing(), false);
      assert.deepEqual(server.sockets, []);
      const closed = createTask(server.waitClosed());
      yield* sleep(0);
      assert.equal(closed.done(), false); // a connection is still open
      const refused = (yield* expectThrows(openConnection({ host: '127.0.0.1', port }), Error)) as NodeJS.ErrnoException;
      assert.equal(refused.code, 'ECONNREFUSED');
      server.abortClients();
      yield* closed;
      assert.deepEqual(outcomes, ['cancelled']);
      assert.equal((yield* reader.read()).length, 0); // the client sees the connection end
      writer.close();
    });
  });

  test('closeClients() closes the connections gracefully: the handler reads EOF', async () => {
    await run(async () => {
      const inHandler = new Event();
      const seen: string[] = [];
      const server = await startServer(
        async (reader) => {
          inHandler.set();
          seen.push(`eof after ${(await reader.read()).length} bytes`);
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = await openConnection({ host: '127.0.0.1', port: portOf(server) });
      await inHandler.wait();
      server.closeClients();
      assert.equal((await reader.read()).length, 0);
      writer.close();
      server.close();
      await server.waitClosed();
      assert.deepEqual(seen, ['eof after 0 bytes']);
    });
  });

  test('startServing: false holds connections until startServing(); serveForever() ends with CancelledError on close()', async () => {
    await run(function* () {
      const order: string[] = [];
      const server = yield* startServer(
        function* (reader, writer) {
          order.push('handler');
          yield* echoLines(reader, writer);
        },
        { host: '127.0.0.1', port: 0, startServing: false },
      );
      assert.equal(server.isServing(), false);
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      writer.write('held\n');
      const line = createTask(reader.readline());
      yield* sleep(5);
      assert.deepEqual(order, []);
      const forever = createTask(server.serveForever());
      assert.equal((yield* line).toString(), 'held\n');
      assert.deepEqual(order, ['handler']);
      assert.equal(server.isServing(), true);
      writer.close();
      server.close();
      yield* expectThrows(forever, CancelledError);
      yield* server.waitClosed();
    });
  });

  test('cancelling serveForever() closes the server and waits for it', async () => {
    await run(async () => {
      const server = await startServer(echoLines, { host: '127.0.0.1', port: 0 });
      const forever = createTask(async () => await server.serveForever());
      await sleep(0);
      forever.cancel();
      await expectRejects(forever, CancelledError);
      assert.equal(server.isServing(), false);
      await server.waitClosed();
    });
  });

  test('asyncWith and await using close the server and wait', async () => {
    await run(function* () {
      let server: Server | null = null;
      yield* asyncWith(yield* startServer(echoLines, { host: '127.0.0.1', port: 0 }), function* (s) {
        server = s;
        assert.equal(s.isServing(), true);
        yield* sleep(0);
      });
      assert.equal(server!.isServing(), false);
      yield* server!.waitClosed(); // already closed: returns at once
    });
    await run(async () => {
      let outer: Server;
      {
        await using server = await startServer(echoLines, { host: '127.0.0.1', port: 0 });
        outer = server;
        const [reader, writer] = await openConnection({ host: '127.0.0.1', port: portOf(server) });
        writer.write('hi\n');
        assert.equal((await reader.readline()).toString(), 'hi\n');
        writer.close();
      }
      assert.equal(outer.isServing(), false);
    });
  });

  test('a misbehaving peer sending a 1 MB line: readline throws RangeError, the server buffer stays bounded', async () => {
    await run(function* () {
      const limit = 16 * 1024;
      let maxBuffered = 0;
      const server = yield* startServer(
        function* (reader, writer) {
          try {
            yield* reader.readline();
            writer.write('unexpected\n');
          } catch (error) {
            writer.write(error instanceof RangeError ? 'line too long\n' : `other: ${String(error)}\n`);
          }
          maxBuffered = Math.max(maxBuffered, reader.bufferedSize);
          // Discard the rest, block by block, so the reply is not lost to a reset.
          for (let block = yield* reader.read(limit); block.length > 0; block = yield* reader.read(limit)) {
            maxBuffered = Math.max(maxBuffered, reader.bufferedSize);
          }
        },
        { host: '127.0.0.1', port: 0, limit },
      );
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      writer.write(Buffer.alloc(1024 * 1024, 'x'));
      writer.writeEof();
      assert.equal((yield* reader.readline()).toString(), 'line too long\n');
      assert.ok(maxBuffered <= 2 * limit + 64 * 1024, `the server buffered ${maxBuffered} bytes`);
      writer.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('a plain callback handler hands the connection on: it stays open after the callback returns', async () => {
    await run(function* () {
      const server = yield* startServer(
        (reader, writer) => {
          // asyncio's callback style: the task it starts owns the connection, and closes it.
          createTask(function* () {
            yield* echoLines(reader, writer);
            writer.close();
          });
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      for (const word of ['still', 'open']) {
        writer.write(`${word}\n`);
        assert.equal((yield* reader.readline()).toString(), `${word}\n`);
      }
      writer.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('bad arguments are rejected with a message naming the call', () => {
    assert.throws(() => startServer('nope' as never), /startServer\(\) expects a handler function/);
    assert.throws(() => startServer(echoLines, { port: -1 }), /port to be an integer/);
    assert.throws(() => startServer(echoLines, { path: '/tmp/x.sock', port: 1 }), /either path/);
    assert.throws(() => startServer(echoLines, { limit: 1.5 }), /limit to be a positive integer/);
  });

  test('listening on a port in use throws EADDRINUSE', async () => {
    await run(function* () {
      const first = yield* startServer(echoLines, { host: '127.0.0.1', port: 0 });
      const error = (yield* expectThrows(startServer(echoLines, { host: '127.0.0.1', port: portOf(first) }), Error)) as NodeJS.ErrnoException;
      assert.equal(error.code, 'EADDRINUSE');
      first.close();
      yield* first.waitClosed();
    });
  });
});
