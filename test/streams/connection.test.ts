// openConnection / StreamReader / StreamWriter over real loopback sockets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { CancelledError, createTask, gather, run, sleep, type Coro } from '../../src/index.js';
import {
  ConnectionResetError,
  IncompleteReadError,
  openConnection,
  openUnixConnection,
  startServer,
  type StreamReader,
  type StreamWriter,
} from '../../src/streams/index.js';
import { expectRejects, expectThrows } from '../helpers/primitives.js';
import { RawPeer, fillUntilBlocked, portOf } from './helpers.js';
import { runChild } from '../helpers/child.js';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function* echoLines(reader: StreamReader, writer: StreamWriter): Coro<void> {
  for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) {
    writer.write(r.value);
    yield* writer.drain();
  }
}

const RSS_FIXTURE = fileURLToPath(new URL('./fixtures/rss-backpressure.ts', import.meta.url));

describe('connections over loopback', () => {
  test('echo round trip, generator coroutines', async () => {
    await run(function* () {
      const server = yield* startServer(echoLines, { host: '127.0.0.1', port: 0 });
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      for (const word of ['alpha', 'beta', 'gamma']) {
        writer.write(`${word}\n`);
        yield* writer.drain();
        assert.equal((yield* reader.readline()).toString(), `${word}\n`);
      }
      assert.deepEqual(writer.getExtraInfo('peername'), ['127.0.0.1', portOf(server)]);
      assert.equal((writer.getExtraInfo('sockname') as [string, number])[0], '127.0.0.1');
      assert.equal(writer.getExtraInfo('peercert'), null);
      writer.close();
      assert.equal(writer.isClosing(), true);
      yield* writer.waitClosed();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('echo round trip, async functions', async () => {
    await run(async () => {
      const server = await startServer(
        async (reader, writer) => {
          for await (const line of reader) {
            writer.write(line);
            await writer.drain();
          }
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = await openConnection({ host: '127.0.0.1', port: portOf(server) });
      writer.writelines(['one\n', Buffer.from('two\n')]);
      await writer.drain();
      assert.equal((await reader.readexactly(8)).toString(), 'one\ntwo\n');
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    });
  });

  test('readuntil across TCP segments: the peer writes the separator a byte at a time', async () => {
    await run(function* () {
      const peer = new RawPeer((socket) => {
        // Each write waits for the client's go-ahead byte, so each arrives as its own chunk.
        const parts = ['head', '<', '<', 'E', 'N', 'D', '>', '>', 'tail'];
        socket.on('data', () => {
          const part = parts.shift();
          if (part !== undefined) socket.write(part);
        });
      });
      yield* peer.listen();
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      const task = createTask(reader.readuntil(['<<END>>', '\n']));
      while (!task.done()) {
        writer.write('.');
        yield* sleep(1); // let the byte travel; correctness does not depend on how they are grouped
      }
      assert.equal((yield* task).toString(), 'head<<END>>');
      const tail = createTask(reader.readexactly(4));
      while (!tail.done()) {
        writer.write('.');
        yield* sleep(1);
      }
      assert.equal((yield* tail).toString(), 'tail');
      writer.close();
      yield* peer.close();
    });
  });

  test('readexactly at EOF: IncompleteReadError with the bytes sent', async () => {
    await run(function* () {
      const peer = new RawPeer((socket) => socket.end('short'));
      yield* peer.listen();
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      const error = yield* expectThrows(reader.readexactly(100), IncompleteReadError);
      assert.equal(error.partial.toString(), 'short');
      assert.equal(error.expected, 100);
      assert.equal(reader.atEof(), true);
      writer.close();
      yield* peer.close();
    });
  });

  test('half-close: writeEof() makes the peer read EOF, and this side still reads the reply', async () => {
    await run(function* () {
      const server = yield* startServer(
        function* (reader, writer) {
          const all = yield* reader.read(); // until the client's EOF
          writer.write(`got ${all.length} bytes`);
          yield* writer.drain();
        },
        { host: '127.0.0.1', port: 0 },
      );
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: portOf(server) });
      assert.equal(writer.canWriteEof(), true);
      writer.write('x'.repeat(1000));
      writer.writeEof();
      assert.throws(() => writer.write('more'), /write\(\) called after writeEof\(\)/);
      assert.equal((yield* reader.read()).toString(), 'got 1000 bytes');
      assert.equal(reader.atEof(), true);
      writer.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('peer reset mid-read: the waiting read throws the connection error, drain too', async () => {
    await run(function* () {
      const peer = new RawPeer((socket) => {
        socket.write('partial');
        socket.once('data', () => socket.resetAndDestroy());
      });
      yield* peer.listen();
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      const read = createTask(reader.readexactly(100));
      yield* sleep(0);
      writer.write('go');
      const error = (yield* expectThrows(read, Error)) as NodeJS.ErrnoException;
      assert.equal(error.code, 'ECONNRESET');
      assert.equal(reader.exception(), error);
      assert.equal((yield* expectThrows(writer.drain(), Error)), error);
      assert.equal((yield* expectThrows(writer.waitClosed(), Error)), error);
      yield* peer.close();
    });
  });

  test('drain() waits while the peer does not read, all concurrent drains resume, a cancelled drain leaves the writer usable', async () => {
    await run(function* () {
      let received = 0;
      let serverSocket: net.Socket | null = null;
      const peer = new RawPeer((socket) => {
        serverSocket = socket;
        socket.pause(); // not reading: the client's buffers fill up
        socket.on('data', (chunk: Buffer) => (received += chunk.length));
      });
      yield* peer.listen();
      const [, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      yield* peer.waitAccepted(1);
      const chunk = Buffer.alloc(64 * 1024, 1);
      let written = yield* fillUntilBlocked(writer);
      const cancelled = createTask(writer.drain());
      const drains = [createTask(writer.drain()), createTask(writer.drain())];
      yield* sleep(0);
      assert.equal(cancelled.done(), false);
      cancelled.cancel();
      yield* expectThrows(cancelled, CancelledError);
      assert.equal(drains.some((d) => d.done()), false);
      writer.write(chunk); // still usable after the cancelled drain
      written += chunk.length;
      serverSocket!.resume();
      yield* gather(...drains);
      writer.close();
      yield* writer.waitClosed();
      yield* peer.waitAllClosed();
      assert.equal(received, written);
      yield* peer.close();
    });
  });

  test('drain() on a connection reset while it waits throws the connection error', async () => {
    await run(async () => {
      let serverSocket: net.Socket | null = null;
      const peer = new RawPeer((socket) => {
        serverSocket = socket;
        socket.pause();
      });
      await peer.listen();
      const [, writer] = await openConnection({ host: '127.0.0.1', port: peer.port });
      await peer.waitAccepted(1);
      await fillUntilBlocked(writer);
      const drain = createTask(async () => await writer.drain());
      await sleep(0);
      serverSocket!.resetAndDestroy();
      const error = (await expectRejects(drain, Error)) as NodeJS.ErrnoException;
      assert.ok(['ECONNRESET', 'EPIPE'].includes(error.code ?? ''), `unexpected ${String(error)}`);
      writer.write('dropped'); // a lost connection drops writes, as asyncio does
      await expectRejects(writer.drain(), Error);
      await peer.close();
    });
  });

  test('drain() after the peer closed cleanly throws ConnectionResetError once the connection is lost', async () => {
    await run(function* () {
      const peer = new RawPeer((socket) => socket.destroy());
      yield* peer.listen();
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      assert.equal((yield* reader.read()).length, 0); // EOF
      writer.close();
      yield* writer.waitClosed();
      const error = yield* expectThrows(writer.drain(), Error);
      assert.ok(error instanceof ConnectionResetError || (error as NodeJS.ErrnoException).code !== undefined);
      yield* peer.close();
    });
  });

  test('backpressure: a fast sender against a slow reader keeps the reader buffer bounded', async () => {
    await run(function* () {
      const total = 8 * 1024 * 1024;
      let senderWaited = 0;
      const peer = new RawPeer((socket) => {
        let sent = 0;
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = (): void => {
          while (sent < total) {
            sent += chunk.length;
            if (!socket.write(chunk)) {
              senderWaited++;
              socket.once('drain', pump);
              return;
            }
          }
          socket.end();
        };
        pump();
      });
      yield* peer.listen();
      const limit = 16 * 1024;
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port, limit });
      let got = 0;
      let maxBuffered = 0;
      let sawPaused = false;
      for (;;) {
        maxBuffered = Math.max(maxBuffered, reader.bufferedSize);
        sawPaused ||= reader.paused;
        const data = yield* reader.read(4096); // small reads, a loop hop each: slower than the sender
        if (data.length === 0) break;
        got += data.length;
        yield* sleep(0);
      }
      assert.equal(got, total);
      // Paused above 2 × limit; one more socket read (at most 64 KiB) may land before the pause.
      assert.ok(maxBuffered <= 2 * limit + 64 * 1024, `buffered up to ${maxBuffered} bytes`);
      assert.ok(sawPaused, 'the reader paused the socket');
      assert.ok(senderWaited > 0, 'the sender had to wait for drain: backpressure reached it');
      writer.close();
      yield* peer.close();
    });
  });

  test('backpressure bounds memory: 256 MB sent to a slow reader grow its process RSS by less than 64 MB', async () => {
    const result = await runChild(RSS_FIXTURE, { args: ['256'], nodeArgs: ['--max-semi-space-size=4'], timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const { got, growth } = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { got: number; growth: number };
    assert.equal(got, 256 * 1024 * 1024);
    // Without the pause the reader's buffer would hold most of what was sent.
    assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MB`);
  });

  test('cancelled mid-connect (TLS handshake never answered): the socket is destroyed, nothing left open', async () => {
    await run(function* () {
      const peer = new RawPeer(); // plain TCP: accepts, never answers the ClientHello
      yield* peer.listen();
      const connecting = createTask(openConnection({ host: '127.0.0.1', port: peer.port, tls: true }));
      yield* peer.waitAccepted(1);
      assert.equal(connecting.done(), false);
      connecting.cancel();
      yield* expectThrows(connecting, CancelledError);
      yield* peer.waitAllClosed(); // the client side went away: its socket was destroyed
      assert.equal(peer.closes, 1);
      yield* peer.close();
    });
  });

  test('aborting the signal mid-connect throws its reason and leaves no socket (async function)', async () => {
    await run(async () => {
      const peer = new RawPeer();
      await peer.listen();
      const controller = new AbortController();
      const connecting = openConnection({ host: '127.0.0.1', port: peer.port, tls: true, signal: controller.signal });
      const task = createTask(async () => await connecting);
      await peer.waitAccepted(1);
      controller.abort(new Error('changed my mind'));
      const error = await expectRejects(task, Error);
      assert.equal(error.message, 'changed my mind');
      await peer.waitAllClosed();
      const early = await expectRejects(openConnection({ host: '127.0.0.1', port: peer.port, signal: AbortSignal.abort() }), Error);
      assert.equal(early.name, 'AbortError');
      assert.equal(peer.accepts, 1); // an aborted signal does not even start connecting
      await peer.close();
    });
  });

  test('connection refused is thrown with its Node error', async () => {
    await run(function* () {
      const peer = new RawPeer();
      yield* peer.listen();
      const port = peer.port;
      yield* peer.close();
      const error = (yield* expectThrows(openConnection({ host: '127.0.0.1', port }), Error)) as NodeJS.ErrnoException;
      assert.equal(error.code, 'ECONNREFUSED');
    });
  });

  test('bad options are rejected at the call, naming the option', () => {
    assert.throws(() => openConnection({ host: '127.0.0.1', port: 70000 }), /openConnection\(\) expects port to be an integer from 0 to 65535, got number 70000/);
    assert.throws(() => openConnection(null as never), /expects an options object/);
    assert.throws(() => openConnection({ port: 1, limit: -1 }), /limit to be a positive integer/);
    assert.throws(() => openUnixConnection({ path: '' }), /expects path/);
  });

  test('Unix socket server and connection', async () => {
    await run(function* () {
      const path = join(tmpdir(), `aio-streams-${process.pid}-${Date.now()}.sock`);
      const server = yield* startServer(echoLines, { path });
      assert.equal(server.address(), path);
      const [reader, writer] = yield* openUnixConnection({ path });
      writer.write('over unix\n');
      assert.equal((yield* reader.readline()).toString(), 'over unix\n');
      writer.close();
      server.close();
      yield* server.waitClosed();
    });
  });

  test('cancelled mid-read over a socket: the bytes already received stay, the connection stays usable (both styles)', async () => {
    await run(function* () {
      const peer = new RawPeer((socket) => socket.write('hel'));
      yield* peer.listen();
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      const read = createTask(reader.readline());
      while (reader.bufferedSize < 3) yield* sleep(1); // 'hel' arrived, no newline yet
      read.cancel();
      yield* expectThrows(read, CancelledError);
      for (const socket of peer.sockets) socket.write('lo\n');
      assert.equal((yield* reader.readline()).toString(), 'hello\n');
      assert.equal(peer.sockets.size, 1);
      writer.close();
      yield* peer.waitAllClosed(); // closing it leaves nothing open on the other side
      yield* peer.close();
    });
    await run(async () => {
      const peer = new RawPeer();
      await peer.listen();
      const [reader, writer] = await openConnection({ host: '127.0.0.1', port: peer.port });
      await peer.waitAccepted(1);
      const read = createTask(async () => await reader.readexactly(4));
      await sleep(0);
      read.cancel();
      await expectRejects(read, CancelledError);
      for (const socket of peer.sockets) socket.write('data');
      assert.equal((await reader.readexactly(4)).toString(), 'data');
      writer.close();
      await peer.waitAllClosed();
      await peer.close();
    });
  });

  test('two tasks reading the same connection: the second throws', async () => {
    await run(function* () {
      const peer = new RawPeer();
      yield* peer.listen();
      const [reader, writer] = yield* openConnection({ host: '127.0.0.1', port: peer.port });
      const first = createTask(reader.readline());
      const second = createTask(reader.readline());
      const error = yield* expectThrows(second, Error);
      assert.match(error.message, /readuntil\(\) called while another task is already waiting/);
      yield* peer.waitAccepted(1);
      for (const socket of peer.sockets) socket.write('line\n');
      assert.equal((yield* first).toString(), 'line\n');
      writer.close();
      yield* peer.close();
    });
  });
});

