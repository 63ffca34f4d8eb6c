// response.content is a StreamReader of aio-ts/streams (a BodyReader): framing reads on a body,
// chunk iteration kept, cancellation aborting the request; a StreamReader as upload data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { run, createTask, sleep, gather, CancelledError, forAwait, IncompleteReadError, type Coro } from '../../src/index.ts';
import { ClientSession, ClientPayloadError } from '../../src/http/index.ts';
import { StreamReader, fromReadable } from '../../src/streams/index.ts';
import { createSubprocessExec, PIPE } from '../../src/subprocess/index.ts';
import { startServer, readBody, eventually, type TestServer } from './helpers.ts';
import { Readable } from 'node:stream';

let server: TestServer;
let held: http.ServerResponse[] = [];

before(async () => {
  server = await startServer(async (req, res) => {
    if (req.url === '/lines') {
      // Lines split across writes, so reads straddle chunk boundaries.
      res.write('first li');
      await new Promise((r) => setTimeout(r, 5));
      res.write('ne\nsecond line\nHEAD');
      await new Promise((r) => setTimeout(r, 5));
      res.end('ER:12345678');
    } else if (req.url === '/hang') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial\n');
      held.push(res); // never finished
    } else if (req.url === '/upload') {
      const body = await readBody(req);
      res.end(`${body.length}:${body.slice(0, 12)}:${body.slice(-6)}`);
    } else if (req.url === '/large') {
      res.end('y'.repeat(300_000));
    } else {
      res.end('x'.repeat(100_000));
    }
  });
});

after(async () => {
  for (const res of held) res.destroy();
  await server.close();
});

describe('ClientResponse.content is a StreamReader', () => {
  test('a body larger than what is buffered unread (64 KiB) is read whole through content after a wait', async () => {
    const got = await run(function* (): Coro<number> {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        const response = yield* session.get('/large');
        yield* sleep(100); // the body arrives meanwhile, and stops at the unread limit
        return (yield* response.content.read()).length;
      } finally {
        yield* session.close();
      }
    });
    assert.equal(got, 300_000);
  });

  test('readline, readuntil, readexactly and read on a body, in a coroutine', async () => {
    const got = await run(function* (): Coro<unknown[]> {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        const response = yield* session.get('/lines');
        const content = response.content;
        assert.ok(content instanceof StreamReader);
        assert.equal(response.content, content); // one reader per response
        const out: unknown[] = [];
        out.push((yield* content.readline()).toString());
        out.push((yield* content.readuntil('\n')).toString());
        out.push((yield* content.readuntil([':', '!'])).toString());
        out.push((yield* content.readexactly(4)).toString());
        out.push((yield* content.read()).toString());
        out.push(content.atEof());
        return out;
      } finally {
        yield* session.close();
      }
    });
    assert.deepEqual(got, ['first line\n', 'second line\n', 'HEADER:', '1234', '5678', true]);
  });

  test('readexactly past the end throws IncompleteReadError with what was left (async function)', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      const response = await session.get('/lines');
      await response.content.readuntil('HEADER:');
      const error = await response.content.readexactly(100).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof IncompleteReadError);
      assert.equal(error.partial.toString(), '12345678');
      // The connection came back: the session still works under limit 1.
    });
  });

  test('for await still gives the chunks; forAwait in a coroutine too; after text() content holds the body', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url, limit: 1 });
      let total = 0;
      for await (const chunk of (await session.get('/big')).content) total += chunk.length;
      assert.equal(total, 100_000);
      const read = await session.get('/big');
      assert.equal((await read.text()).length, 100_000);
      assert.equal((await read.content.read()).length, 100_000);
      assert.equal(read.content.atEof(), true);
    });
    await run(function* (): Coro<void> {
      const session = new ClientSession({ baseUrl: server.url, limit: 1 });
      let total = 0;
      yield* forAwait((yield* session.get('/big')).content, (chunk) => {
        total += chunk.length;
      });
      assert.equal(total, 100_000);
      yield* session.close();
    });
  });

  test('leaving for await early releases the connection (limit 1 still serves the next request)', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url, limit: 1 });
      for await (const chunk of (await session.get('/big')).content) {
        assert.ok(chunk.length > 0);
        break;
      }
      assert.equal((await (await session.get('/lines')).text()).length, 'first line\nsecond line\nHEADER:12345678'.length);
    });
  });

  test('cancelling a task blocked in readline() aborts the request and frees its connection (both styles)', async () => {
    held = [];
    await run(function* (): Coro<void> {
      const session = new ClientSession({ baseUrl: server.url, limit: 2 });
      const generator = createTask(function* (): Coro<void> {
        const response = yield* session.get('/hang');
        assert.equal((yield* response.content.readline()).toString(), 'partial\n');
        yield* response.content.readline(); // waits for the rest, forever
      });
      let reader: StreamReader | null = null;
      const asyncTask = createTask(async () => {
        const response = await session.get('/hang');
        reader = response.content;
        await response.content.readline();
        await response.content.readexactly(900);
      });
      while (held.length < 2) yield* sleep(1);
      yield* sleep(20);
      generator.cancel();
      asyncTask.cancel();
      const outcomes = yield* gather(generator, asyncTask, { returnExceptions: true });
      assert.ok(outcomes.every((o) => o instanceof CancelledError), String(outcomes));
      // The reader tells what happened to the body from now on.
      let error: unknown = null;
      try {
        yield* (reader as unknown as StreamReader).read();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof ClientPayloadError, String(error));
      // Both permits came back: two more requests under limit 2.
      const texts = yield* gather(session.get('/lines'), session.get('/lines'));
      for (const r of texts) r.release();
      yield* session.close();
    });
    assert.ok(await eventually(() => held.every((res) => res.destroyed)), 'the server still has the requests open');
  });
});

describe('a StreamReader as upload data', () => {
  test('a reader from a Node stream is sent to its end (async function)', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      const reader = fromReadable(Readable.from([Buffer.from('hello, '), Buffer.alloc(200_000, 'b'), Buffer.from('world!')]));
      const response = await session.post('/upload', { data: reader });
      assert.equal(await response.text(), `${7 + 200_000 + 6}:hello, bbbbb:world!`);
    });
  });

  test("a child's stdout streamed as the body of a request (coroutine)", async () => {
    const text = await run(function* (): Coro<string> {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        const proc = yield* createSubprocessExec(process.execPath, ['-e', "process.stdout.write('line\\n'.repeat(50000) + 'done!!')"], { stdout: PIPE });
        const response = yield* session.post('/upload', { data: proc.stdout! });
        yield* proc.wait();
        return yield* response.text();
      } finally {
        yield* session.close();
      }
    });
    assert.equal(text, `${5 * 50_000 + 6}:line\nline\nli:done!!`);
  });
});
