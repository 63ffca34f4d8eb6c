// StreamReader/StreamWriter over plain Node streams, and UDP endpoints.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { CancelledError, createTask, run, sleep } from '../../src/index.js';
import { fromDuplex, fromReadable, fromWritable, openDatagramEndpoint } from '../../src/streams/index.js';
import { expectRejects, expectThrows } from '../helpers/primitives.js';

describe('Node streams', () => {
  test('fromReadable reads a Readable line by line; its end is EOF', async () => {
    await run(function* () {
      const reader = fromReadable(Readable.from([Buffer.from('a\nb'), Buffer.from('c\n'), Buffer.from('tail')]));
      const lines: string[] = [];
      for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) lines.push(r.value.toString());
      assert.deepEqual(lines, ['a\n', 'bc\n', 'tail']);
      assert.equal(reader.atEof(), true);
    });
  });

  test("a child's stdout, read line by line with for await (the stdin use case)", async () => {
    await run(async () => {
      const child = spawn(process.execPath, ['-e', 'for (let i = 0; i < 3; i++) console.log("line " + i)'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines: string[] = [];
      for await (const line of fromReadable(child.stdout)) lines.push(line.toString().trimEnd());
      assert.deepEqual(lines, ['line 0', 'line 1', 'line 2']);
    });
  });

  test('flow control: the Readable is paused above 2 × limit and resumed once read', async () => {
    await run(function* () {
      const source = new PassThrough();
      const reader = fromReadable(source, { limit: 10 });
      source.write('x'.repeat(25));
      yield* reader.readexactly(1); // data flows in
      assert.equal(reader.paused, true);
      assert.equal(source.isPaused(), true);
      yield* reader.readexactly(14); // 10 left: down to the limit
      assert.equal(source.isPaused(), false);
      source.end();
      assert.equal((yield* reader.read()).length, 10);
    });
  });

  test('a Readable error fails the reader', async () => {
    await run(function* () {
      const source = new PassThrough();
      const reader = fromReadable(source);
      const read = createTask(reader.readline());
      yield* sleep(0);
      source.destroy(new Error('disk on fire'));
      const error = yield* expectThrows(read, Error);
      assert.equal(error.message, 'disk on fire');
    });
  });

  test('fromWritable: drain() waits for a slow Writable; close() ends it and waitClosed() returns', async () => {
    await run(async () => {
      const chunks: string[] = [];
      let release: (() => void) | null = null;
      const slow = new Writable({
        highWaterMark: 4,
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk.toString());
          release = callback;
        },
      });
      const writer = fromWritable(slow);
      writer.write('12345678');
      const drain = createTask(async () => await writer.drain());
      await sleep(0);
      assert.equal(drain.done(), false);
      release!();
      await drain;
      writer.close();
      await writer.waitClosed();
      assert.deepEqual(chunks, ['12345678']);
      assert.throws(() => writer.write('x'), /write\(\) called after close\(\)/);
    });
  });

  test('fromDuplex over a PassThrough loops back what is written', async () => {
    await run(function* () {
      const [reader, writer] = fromDuplex(new PassThrough());
      writer.write('round\n');
      assert.equal((yield* reader.readline()).toString(), 'round\n');
      writer.writeEof();
      assert.equal((yield* reader.read()).length, 0);
    });
  });

  test('bad arguments name the call', () => {
    assert.throws(() => fromReadable({} as never), /fromReadable\(\) expects a Node Readable stream, got Object object/);
    assert.throws(() => fromWritable(null as never), /fromWritable\(\) expects a Node Writable stream, got null/);
    const text = new PassThrough();
    text.setEncoding('utf8');
    assert.throws(() => fromReadable(text), /byte stream/);
  });
});

describe('datagrams', () => {
  test('send/recv both ways between a bound and a connected endpoint (generator)', async () => {
    await run(function* () {
      const server = yield* openDatagramEndpoint({ local: { host: '127.0.0.1', port: 0 } });
      const client = yield* openDatagramEndpoint({ remote: server.address() });
      client.send('ping');
      const [data, from] = yield* server.recv();
      assert.equal(data.toString(), 'ping');
      assert.equal(from.port, client.address().port);
      server.send(Buffer.from('pong'), from);
      const [reply, replyFrom] = yield* client.recv();
      assert.equal(reply.toString(), 'pong');
      assert.deepEqual(replyFrom, server.address());
      assert.throws(() => client.send('x', from), /endpoint is connected/);
      assert.throws(() => server.send('x'), /needs an address/);
      client.close();
      server.close();
    });
  });

  test('recv cancelled and recv after close (async function)', async () => {
    await run(async () => {
      const endpoint = await openDatagramEndpoint({ local: { host: '127.0.0.1', port: 0 } });
      const waiting = createTask(async () => await endpoint.recv());
      await sleep(0);
      waiting.cancel();
      await expectRejects(waiting, CancelledError);
      const sender = await openDatagramEndpoint({ remote: endpoint.address() });
      sender.send('still works');
      assert.equal((await endpoint.recv())[0].toString(), 'still works');
      const blocked = createTask(async () => await endpoint.recv());
      await sleep(0);
      endpoint.close();
      const error = await expectRejects(blocked, Error);
      assert.match(error.message, /closed datagram endpoint/);
      sender.close();
    });
  });
});
