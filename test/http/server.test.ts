import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { tmpdir } from 'node:os';
import {
  run,
  gather,
  sleep,
  currentTask,
  getRunningLoop,
  CancelledError,
  Event,
  type Coro,
  type Task,
  type ExceptionContext,
} from '../../src/index.ts';
import { ClientSession, Response, serve, ClientConnectorError, type ServerRequest } from '../../src/http/index.ts';

/** A raw node:http GET that the test can abort (to play a client that goes away). */
function rawGet(url: string): { done: Promise<{ status: number; body: string }>; abort(): void } {
  const req = http.get(url);
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { done, abort: () => req.destroy() };
}

describe('serve(): every request is a Task', () => {
  test('JSON round trip, generator handler and generator client', async () => {
    const result = await run(function* () {
      const server = yield* serve(
        function* (request: ServerRequest): Coro<Response> {
          const body = yield* request.json<{ n: number }>();
          return Response.json({ doubled: body.n * 2, path: request.path, q: request.query.get('q') }, { status: 201 });
        },
        { port: 0 },
      );
      const session = new ClientSession();
      try {
        const response = yield* session.post(`${server.url}/calc?q=x`, { json: { n: 21 } });
        return { status: response.status, type: response.contentType, body: yield* response.json() };
      } finally {
        yield* session.close();
        yield* server.close();
      }
    });
    assert.deepEqual(result, { status: 201, type: 'application/json', body: { doubled: 42, path: '/calc', q: 'x' } });
  });

  test('async handler and async client; each request runs in its own Task', async () => {
    await run(async () => {
      const tasks = new Set<Task<unknown>>();
      await using server = await serve(
        async (request) => {
          tasks.add(currentTask()!);
          await sleep(5);
          return `hello ${request.query.get('n')} ${request.method}`;
        },
        { port: 0 },
      );
      await using session = new ClientSession({ baseUrl: server.url });
      const texts = await gather(...[1, 2, 3].map((n) => async () => (await session.get('/', { params: { n } })).text()));
      assert.deepEqual(texts, ['hello 1 GET', 'hello 2 GET', 'hello 3 GET']);
      assert.equal(tasks.size, 3);
      for (const task of tasks) assert.match(task.getName(), /^GET \/$/);
    });
  });

  test('a client that disconnects cancels the handler: CancelledError, finally runs, request.signal aborts (both handler styles)', async () => {
    await run(async () => {
      const seen: string[] = [];
      const started = new Event();
      let signalAborted = 0;
      await using server = await serve(
        (request) => {
          if (request.path === '/gen') {
            return (function* (): Coro<string> {
              try {
                started.set();
                yield* sleep(60_000);
                return 'never';
              } catch (error) {
                seen.push(`gen:${(error as Error).name}`);
                throw error;
              } finally {
                if (request.signal.aborted) signalAborted++;
                seen.push('gen:finally');
              }
            })();
          }
          return (async () => {
            try {
              started.set();
              await sleep(60_000);
              return 'never';
            } catch (error) {
              seen.push(`async:${(error as Error).name}`);
              throw error;
            } finally {
              if (request.signal.aborted) signalAborted++;
              seen.push('async:finally');
            }
          })();
        },
        { port: 0 },
      );
      for (const path of ['/gen', '/async']) {
        started.clear();
        const client = rawGet(`${server.url}${path}`);
        client.done.catch(() => {});
        await started.wait();
        client.abort();
        await sleep(1);
        while (server.inFlight > 0) await sleep(5);
      }
      assert.deepEqual(seen, ['gen:CancelledError', 'gen:finally', 'async:CancelledError', 'async:finally']);
      assert.equal(signalAborted, 2);
    });
  });

  test('a handler that throws answers 500, is reported to the loop exception handler, and the server keeps serving', async () => {
    const reported: ExceptionContext[] = [];
    await run(async () => {
      getRunningLoop().setExceptionHandler((_loop, context) => reported.push(context));
      await using server = await serve(
        function* (request: ServerRequest): Coro<string> {
          yield* sleep(0);
          if (request.path === '/boom') throw new RangeError('bad thing');
          return 'fine';
        },
        { port: 0 },
      );
      await using session = new ClientSession({ baseUrl: server.url });
      const boom = await session.get('/boom');
      assert.equal(boom.status, 500);
      assert.equal(await boom.text(), 'Internal Server Error');
      assert.equal(await (await session.get('/ok')).text(), 'fine');
    });
    assert.equal(reported.length, 1);
    assert.match(reported[0]!.message, /HTTP handler failed: GET \/boom/);
    assert.ok(reported[0]!.exception instanceof RangeError);
    assert.match(String(reported[0]!.task), /GET \/boom/);
  });

  test('maxConcurrency queues requests; a queued request whose client left never runs its handler', async () => {
    await run(async () => {
      let running = 0;
      let most = 0;
      const calls: string[] = [];
      const gate = new Event();
      await using server = await serve(
        async (request) => {
          calls.push(request.path);
          running++;
          most = Math.max(most, running);
          try {
            if (request.path === '/gate') await gate.wait();
            else await sleep(5);
            return request.path;
          } finally {
            running--;
          }
        },
        { port: 0, maxConcurrency: 2 },
      );
      await using session = new ClientSession({ baseUrl: server.url });
      const paths = Array.from({ length: 8 }, (_, i) => `/p${i}`);
      const texts = await gather(...paths.map((path) => async () => (await session.get(path)).text()));
      assert.deepEqual(texts, paths);
      assert.equal(most, 2);

      // Both slots held; a third request queues, and its client leaves before its turn.
      calls.length = 0;
      const holders = [rawGet(`${server.url}/gate`), rawGet(`${server.url}/gate`)];
      while (calls.length < 2) await sleep(1);
      const leaver = rawGet(`${server.url}/left`);
      leaver.done.catch(() => {});
      while (server.inFlight < 3) await sleep(1);
      leaver.abort();
      while (server.inFlight > 2) await sleep(1);
      gate.set();
      assert.deepEqual((await Promise.all(holders.map((h) => h.done))).map((r) => r.body), ['/gate', '/gate']);
      assert.deepEqual(calls, ['/gate', '/gate']);
    });
  });

  test('requestTimeout cancels the handler and answers 503', async () => {
    await run(async () => {
      let cancelled = false;
      await using server = await serve(
        async () => {
          try {
            await sleep(60_000);
          } catch (error) {
            cancelled = error instanceof CancelledError;
            throw error;
          }
          return 'never';
        },
        { port: 0, requestTimeout: 30 },
      );
      await using session = new ClientSession();
      const response = await session.get(server.url);
      assert.equal(response.status, 503);
      assert.match(await response.text(), /requestTimeout \(30 ms\)/);
      assert.equal(cancelled, true);
    });
  });

  test('Response.stream writes chunks as they come; HEAD gets no body', async () => {
    await run(async () => {
      await using server = await serve(
        async () =>
          Response.stream(
            (async function* () {
              for (let i = 0; i < 5; i++) {
                await sleep(1);
                yield `chunk${i}\n`;
              }
            })(),
            { headers: { 'content-type': 'text/plain', 'x-kind': 'stream' } },
          ),
        { port: 0 },
      );
      await using session = new ClientSession();
      const response = await session.get(server.url);
      assert.equal(response.headers.get('x-kind'), 'stream');
      assert.equal(response.headers.get('transfer-encoding'), 'chunked');
      let text = '';
      for await (const chunk of response.content) text += Buffer.from(chunk).toString();
      assert.equal(text, 'chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n');
    });
  });

  test('close({ gracePeriod }): in-flight requests finish within it, later ones are cancelled; new connections refused', async () => {
    await run(async () => {
      const outcomes: string[] = [];
      const server = await serve(
        async (request) => {
          try {
            await sleep(request.path === '/quick' ? 20 : 60_000);
            outcomes.push(`${request.path}:done`);
            return 'done';
          } catch (error) {
            outcomes.push(`${request.path}:${(error as Error).name}`);
            throw error;
          }
        },
        { port: 0 },
      );
      const url = server.url;
      const quick = rawGet(`${url}/quick`);
      const slow = rawGet(`${url}/slow`);
      slow.done.catch(() => {});
      while (server.inFlight < 2) await sleep(1);
      await server.close({ gracePeriod: 1000 });
      assert.deepEqual((await quick.done).body, 'done');
      assert.deepEqual(outcomes.sort(), ['/quick:done', '/slow:CancelledError']);
      await server.waitClosed();
      await using session = new ClientSession();
      await assert.rejects(async () => session.get(url), ClientConnectorError);
    });
  });

  test('run() ending closes the servers started in it', async () => {
    let url = '';
    await run(function* () {
      const server = yield* serve(() => 'hi', { port: 0 });
      url = server.url;
    });
    await run(async () => {
      await using session = new ClientSession();
      await assert.rejects(async () => session.get(url), ClientConnectorError);
    });
  });

  test('path: listens on a Unix socket', async () => {
    const socketPath = `${tmpdir()}/aio-http-${process.pid}-${Date.now()}.sock`;
    await run(async () => {
      await using server = await serve((request) => `unix ${request.path}`, { path: socketPath });
      assert.equal(server.address(), socketPath);
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ socketPath, path: '/here' }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      assert.equal(body, 'unix /here');
    });
  });

  test('options are validated', async () => {
    assert.throws(() => serve(null as never), /serve\(\) expects handler to be a generator function or an async function, got null/);
    assert.throws(() => serve(() => '', { port: -1 }), /expects port to be an integer from 0 to 65535/);
    assert.throws(() => serve(() => '', { maxConcurrency: 1.5 }), /expects maxConcurrency to be an integer >= 0/);
    assert.throws(() => Response.json(undefined), /to be JSON-serializable/);
    assert.throws(() => new Response(42 as never), /expects body to be a string, Uint8Array, async iterable or null, got number 42/);
  });
});
