import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { run, gather, createTask, sleep, CancelledError, type Task, type Coro } from '../../src/index.ts';
import { ClientSession, CookieJar } from '../../src/http/index.ts';
import { eventually, startServer, type TestServer } from './helpers.ts';

describe('ClientSession: connections, limits and cancellation', () => {
  let server: TestServer;
  let held: http.ServerResponse[] = [];
  let requests = 0;
  before(async () => {
    server = await startServer((req, res) => {
      requests++;
      if (req.url === '/hang') {
        held.push(res);
      } else if (req.url === '/half') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('x'.repeat(100)); // then nothing more
        held.push(res);
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('slow'), 2);
      } else if (req.url === '/login') {
        res.setHeader('set-cookie', ['sid=abc; Path=/', 'theme=dark; Path=/prefs', 'gone=1; Max-Age=0']);
        res.end('welcome');
      } else if (req.url?.startsWith('/prefs') || req.url === '/whoami') {
        res.end(req.headers.cookie ?? '');
      } else {
        res.end('ok');
      }
    });
  });
  after(() => server.close());

  test('keep-alive: sequential requests reuse connections', async () => {
    const before = server.sockets.total;
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      for (let i = 0; i < 50; i++) assert.equal(await (await session.get('/')).text(), 'ok');
    });
    // undici may open a second one: the body ends a moment before its connection is free again.
    assert.ok(server.sockets.total - before <= 2, `${server.sockets.total - before} connections for 50 requests`);
  });

  test('limit bounds open connections: 10,000 gathered requests queue (limit 100), 1,000 with limit 10', async () => {
    for (const [count, limit] of [
      [10_000, 100],
      [1_000, 10],
    ] as const) {
      await eventually(() => server.sockets.open === 0);
      server.sockets.max = 0;
      const bodies = await run(function* () {
        const session = new ClientSession({ baseUrl: server.url, limit });
        function* fetchOne(): Coro<string> {
          const response = yield* session.get('/');
          return yield* response.text();
        }
        try {
          return yield* gather(...Array.from({ length: count }, fetchOne));
        } finally {
          yield* session.close();
        }
      });
      assert.equal(bodies.length, count);
      assert.ok(bodies.every((b) => b === 'ok'));
      assert.ok(server.sockets.max <= limit, `the server saw ${server.sockets.max} sockets at once, limit ${limit}`);
      assert.ok(server.sockets.max >= Math.min(limit, 2), 'requests ran concurrently');
    }
  });

  test('limitPerHost bounds each host; limit bounds the total (async style)', async () => {
    const other = await startServer((_req, res) => setTimeout(() => res.end('other'), 2));
    try {
      await eventually(() => server.sockets.open === 0);
      server.sockets.max = 0;
      await run(async () => {
        await using session = new ClientSession({ limitPerHost: 3 });
        const urls = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `${server.url}/slow` : `${other.url}/`));
        const texts = await gather(...urls.map((url) => async () => (await session.get(url)).text()));
        assert.equal(texts.filter((t) => t === 'slow').length, 100);
        assert.equal(texts.filter((t) => t === 'other').length, 100);
      });
      assert.ok(server.sockets.max <= 3, `host 1 saw ${server.sockets.max} sockets at once`);
      assert.ok(other.sockets.max <= 3, `host 2 saw ${other.sockets.max} sockets at once`);
    } finally {
      await other.close();
    }
  });

  test('cancelling the task aborts the in-flight request (generator and async tasks)', async () => {
    held = [];
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url });
      let finallyRan = 0;
      const generatorTask = createTask(function* () {
        try {
          yield* session.get('/hang');
        } finally {
          finallyRan++;
        }
      });
      const asyncTask = createTask(async () => {
        try {
          await session.get('/hang');
        } finally {
          finallyRan++;
        }
      });
      while (held.length < 2) yield* sleep(1);
      generatorTask.cancel();
      asyncTask.cancel();
      const outcomes = yield* gather(generatorTask, asyncTask, { returnExceptions: true });
      assert.ok(outcomes.every((o) => o instanceof CancelledError));
      assert.equal(finallyRan, 2);
      assert.ok(generatorTask.cancelled() && asyncTask.cancelled());
      yield* session.close();
    });
    assert.ok(await eventually(() => held.every((res) => res.destroyed)), 'the server still has the requests open');
  });

  test('cancellation mid-body aborts the request: text() in a generator task, content in an async task', async () => {
    held = [];
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url, limit: 2 });
      const reading = createTask(function* () {
        const response = yield* session.get('/half');
        return yield* response.text();
      });
      const streaming = createTask(async () => {
        const response = await session.get('/half');
        let got = 0;
        for await (const chunk of response.content) got += chunk.length;
        return got;
      });
      while (held.length < 2) yield* sleep(1);
      yield* sleep(20); // both are waiting for the rest of the body now
      reading.cancel();
      streaming.cancel();
      const outcomes = yield* gather(reading, streaming, { returnExceptions: true });
      assert.ok(outcomes[0] instanceof CancelledError, String(outcomes[0]));
      assert.ok(outcomes[1] instanceof CancelledError, String(outcomes[1]));
      // Both connections came back: two more requests run under limit 2.
      const texts = yield* gather(
        ...[1, 2].map(() => function* () {
          return yield* (yield* session.get('/')).text();
        }),
      );
      assert.deepEqual(texts, ['ok', 'ok']);
      yield* session.close();
    });
    assert.ok(await eventually(() => held.every((res) => res.destroyed)), 'the server still has the half-sent responses open');
  });

  test('10,000 cancelled requests leak no connection: in-flight ones are aborted, queued ones never sent', async () => {
    held = [];
    await eventually(() => server.sockets.open === 0);
    const limit = 50;
    const before = requests;
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url, limit });
      let cancelled = 0;
      // 20 rounds of 500 requests: the first 50 of each are in flight when cancelled, the others queued behind limit.
      for (let round = 0; round < 20; round++) {
        const sent = held.length;
        const tasks: Task<unknown>[] = [];
        for (let i = 0; i < 500; i++) tasks.push(createTask(function* () { return yield* session.get('/hang'); }));
        while (held.length < sent + limit) yield* sleep(1);
        for (const task of tasks) task.cancel();
        const outcomes = yield* gather(...tasks, { returnExceptions: true });
        cancelled += outcomes.filter((o) => o instanceof CancelledError).length;
        assert.ok(server.sockets.open <= 2 * limit, `round ${round}: ${server.sockets.open} sockets open`);
      }
      assert.equal(cancelled, 10_000);
      // Every permit came back: a full batch of requests still runs.
      const texts = yield* gather(...Array.from({ length: limit }, () => function* () {
        return yield* (yield* session.get('/')).text();
      }));
      assert.ok(texts.every((t) => t === 'ok'));
      yield* session.close();
    });
    assert.equal(held.length, 20 * limit, 'only the requests within the limit were sent');
    assert.equal(requests - before, 20 * limit + limit);
    assert.ok(await eventually(() => held.every((res) => res.destroyed)), 'aborted requests still open on the server');
    assert.ok(await eventually(() => server.sockets.open === 0), `${server.sockets.open} sockets open after close()`);
  });

  test('cookieJar: cookies set by a response are sent back, by path; expired ones are dropped', async () => {
    await run(async () => {
      const jar = new CookieJar();
      await using session = new ClientSession({ baseUrl: server.url, cookieJar: jar });
      assert.equal(await (await session.get('/login')).text(), 'welcome');
      assert.equal(jar.size, 2);
      assert.equal(await (await session.get('/whoami')).text(), 'sid=abc');
      assert.equal(await (await session.get('/prefs/x')).text(), 'theme=dark; sid=abc');
      assert.equal(jar.get(`${server.url}/`, 'sid'), 'abc');
      assert.equal(jar.get(`${server.url}/`, 'gone'), null);
      await using plain = new ClientSession({ baseUrl: server.url });
      await (await plain.get('/login')).text();
      assert.equal(await (await plain.get('/whoami')).text(), '', 'no jar: no cookies kept');
    });
  });
});
