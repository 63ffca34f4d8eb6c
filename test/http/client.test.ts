import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, gather, createTask, sleep, asyncWith, forAwait, type Coro } from '../../src/index.ts';
import {
  ClientSession,
  ClientResponseError,
  ContentTypeError,
  InvalidURL,
  TooManyRedirects,
  type ClientResponse,
} from '../../src/http/index.ts';
import { echo, startServer, type TestServer } from './helpers.ts';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('ClientSession: requests and responses', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/status/404') {
        res.statusCode = 404;
        res.statusMessage = 'Nope';
        res.end('missing');
      } else if (path === '/text') {
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('héllo');
      } else if (path === '/latin1') {
        res.setHeader('content-type', 'text/plain; charset=latin1');
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      } else if (path === '/json-text') {
        res.setHeader('content-type', 'text/plain');
        res.end('{"a":1}');
      } else if (path.startsWith('/redirect/')) {
        const n = Number(path.split('/')[2]);
        res.statusCode = 302;
        res.setHeader('location', n > 1 ? `/redirect/${n - 1}` : '/echo');
        res.end('moved');
      } else if (path === '/see-other') {
        res.statusCode = 303;
        res.setHeader('location', '/echo');
        res.end();
      } else if (path === '/keep-method') {
        res.statusCode = 307;
        res.setHeader('location', '/echo');
        res.end();
      } else {
        void echo(req, res);
      }
    });
  });
  after(() => server.close());

  test('generator style: GET with params and headers; text() then json() (the body stays available)', async () => {
    const result = await run(function* () {
      const session = new ClientSession({ baseUrl: server.url, headers: { 'x-session': 's' } });
      return yield* asyncWith(session, function* () {
        const response = yield* session.get('/echo', { params: { q: 'a b', n: [1, 2] }, headers: { 'x-req': 'r' } });
        const text = yield* response.text();
        const json = yield* response.json<Echo>();
        return { status: response.status, ok: response.ok, reason: response.reason, text, json };
      });
    });
    assert.equal(result.status, 200);
    assert.equal(result.ok, true);
    assert.equal(result.reason, 'OK');
    assert.equal(result.json.method, 'GET');
    assert.equal(result.json.url, '/echo?q=a+b&n=1&n=2');
    assert.equal(result.json.headers['x-session'], 's');
    assert.equal(result.json.headers['x-req'], 'r');
    assert.deepEqual(JSON.parse(result.text), result.json);
  });

  test('async style: every method, json and data bodies', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      const post = await (await session.post('/echo', { json: { a: [1, 2] } })).json<Echo>();
      assert.equal(post.method, 'POST');
      assert.equal(post.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(post.body), { a: [1, 2] });

      const put = await (await session.put('/echo', { data: 'plain' })).json<Echo>();
      assert.deepEqual([put.method, put.body, put.headers['content-type']], ['PUT', 'plain', 'text/plain; charset=utf-8']);

      const patch = await (await session.patch('/echo', { data: new TextEncoder().encode('bytes') })).json<Echo>();
      assert.deepEqual([patch.method, patch.body, patch.headers['content-type']], ['PATCH', 'bytes', 'application/octet-stream']);

      const form = await (await session.post('/echo', { data: { a: 1, b: 'x y' } })).json<Echo>();
      assert.deepEqual([form.body, form.headers['content-type']], ['a=1&b=x+y', 'application/x-www-form-urlencoded']);

      const fd = new FormData();
      fd.append('field', 'value');
      const multipart = await (await session.post('/echo', { data: fd })).json<Echo>();
      assert.match(multipart.headers['content-type']!, /^multipart\/form-data; boundary=/);
      assert.match(multipart.body, /name="field"\r\n\r\nvalue/);

      const del = await (await session.delete('/echo')).json<Echo>();
      assert.equal(del.method, 'DELETE');
      const options = await (await session.options('/echo')).json<Echo>();
      assert.equal(options.method, 'OPTIONS');

      const head = await session.head('/echo');
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-type'), 'application/json');
      assert.equal(await head.text(), '');
    });
  });

  test('streaming upload from an async iterable (generator style)', async () => {
    const body = await run(function* () {
      const session = new ClientSession();
      try {
        async function* parts(): AsyncGenerator<string | Uint8Array> {
          for (let i = 0; i < 5; i++) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            yield i % 2 === 0 ? `part${i};` : new TextEncoder().encode(`part${i};`);
          }
        }
        const response = yield* session.post(`${server.url}/echo`, { data: parts() });
        const echoed = yield* response.json<Echo>();
        assert.equal(echoed.headers['transfer-encoding'], 'chunked');
        return echoed.body;
      } finally {
        yield* session.close();
      }
    });
    assert.equal(body, 'part0;part1;part2;part3;part4;');
  });

  test('text() uses the charset of the Content-Type; bytes() gives the raw body', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      const utf8 = await session.get('/text');
      assert.equal(await utf8.text(), 'héllo');
      assert.equal((await utf8.bytes()).length, 6);
      const latin = await session.get('/latin1');
      assert.equal(await latin.text(), 'café');
    });
  });

  test('content streams the body as chunks', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      const response = await session.get('/text');
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.content) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString('utf8'), 'héllo');
      await assert.rejects(async () => response.text(), /being read through content/);
    });
  });

  test('content from a coroutine, with forAwait', async () => {
    const text = await run(function* () {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        const response = yield* session.get('/text');
        const chunks: Uint8Array[] = [];
        yield* forAwait(response.content, (chunk) => {
          chunks.push(chunk);
        });
        return Buffer.concat(chunks).toString('utf8');
      } finally {
        yield* session.close();
      }
    });
    assert.equal(text, 'héllo');
  });

  test('json() checks the Content-Type (ContentTypeError), unless contentType: null', async () => {
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        const r1 = yield* session.get('/json-text');
        let caught: unknown;
        try {
          yield* r1.json();
        } catch (error) {
          caught = error;
        }
        assert.ok(caught instanceof ContentTypeError);
        assert.ok(caught instanceof ClientResponseError);
        assert.match((caught as Error).message, /unexpected mimetype: text\/plain/);
        const r2 = yield* session.get('/json-text');
        assert.deepEqual(yield* r2.json({ contentType: null }), { a: 1 });
      } finally {
        yield* session.close();
      }
    });
  });

  test('redirects: followed, with history; 303 turns POST into GET; 307 keeps the method and body', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      const response = await session.get('/redirect/3');
      assert.equal(response.status, 200);
      assert.equal(response.url.pathname, '/echo');
      assert.deepEqual(
        response.history.map((r) => [r.status, r.url.pathname]),
        [
          [302, '/redirect/3'],
          [302, '/redirect/2'],
          [302, '/redirect/1'],
        ],
      );
      const seeOther = await (await session.post('/see-other', { json: { x: 1 } })).json<Echo>();
      assert.deepEqual([seeOther.method, seeOther.body, seeOther.headers['content-type']], ['GET', '', undefined]);
      const kept = await (await session.post('/keep-method', { json: { x: 1 } })).json<Echo>();
      assert.deepEqual([kept.method, kept.body], ['POST', '{"x":1}']);

      const manual = await session.get('/redirect/1', { allowRedirects: false });
      assert.equal(manual.status, 302);
      assert.equal(manual.headers.get('location'), '/echo');
      assert.equal(await manual.text(), 'moved');
    });
  });

  test('more than maxRedirects throws TooManyRedirects (a ClientResponseError) with the history', async () => {
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        yield* session.get('/redirect/5', { maxRedirects: 2 });
        assert.fail('expected TooManyRedirects');
      } catch (error) {
        assert.ok(error instanceof TooManyRedirects, String(error));
        assert.ok(error instanceof ClientResponseError);
        assert.equal(error.status, 302);
        assert.equal(error.history.length, 2);
        assert.equal(error.requestInfo.url.pathname, '/redirect/3');
      } finally {
        yield* session.close();
      }
    });
  });

  test('raiseForStatus: per session and per request; response.raiseForStatus()', async () => {
    await run(async () => {
      await using strict = new ClientSession({ baseUrl: server.url, raiseForStatus: true });
      await assert.rejects(
        async () => strict.get('/status/404'),
        (error: unknown) => {
          assert.ok(error instanceof ClientResponseError);
          assert.equal(error.status, 404);
          assert.equal(error.requestInfo.method, 'GET');
          assert.equal(error.requestInfo.url.href, `${server.url}/status/404`);
          assert.match(error.message, /^404, message="Nope"/);
          return true;
        },
      );
      const lenient = await strict.get('/status/404', { raiseForStatus: false });
      assert.equal(lenient.ok, false);
      assert.equal(await lenient.text(), 'missing');
      assert.throws(() => lenient.raiseForStatus(), ClientResponseError);

      await using plain = new ClientSession({ baseUrl: server.url });
      const r = await plain.get('/status/404');
      assert.equal(r.status, 404);
      r.release();
      await assert.rejects(async () => plain.get('/status/404', { raiseForStatus: true }), ClientResponseError);
    });
  });

  test('options are validated with messages that name the call and the value', async () => {
    assert.throws(() => new ClientSession({ limit: -1 }), /new ClientSession\(\) expects limit to be an integer >= 0, got number -1/);
    assert.throws(() => new ClientSession({ timeout: { total: '5' as unknown as number } }), /expects timeout.total to be a number of milliseconds/);
    const session = new ClientSession();
    assert.throws(() => session.get('nope'), InvalidURL);
    assert.throws(() => session.get('ftp://x/'), /is not http: or https:/);
    assert.throws(() => session.post('http://x/', { json: 1, data: 'a' }), /pass either json or data, not both/);
    assert.throws(() => session.get('http://x/', { params: { a: {} as unknown as string } }), /expects params.a to be a string/);
    assert.throws(() => session.get('http://x/', { timeout: { connect: 1 } as never }), /timeout.connect is a session setting/);
    await run(() => session.close());
  });

  test('a closed session refuses requests', async () => {
    await run(async () => {
      const session = new ClientSession();
      await session.close();
      assert.equal(session.closed, true);
      await assert.rejects(async () => session.get(`${server.url}/echo`), /the session is closed/);
    });
  });

  test('many URLs fetched concurrently with gather, both styles', async () => {
    const urls = Array.from({ length: 20 }, (_, i) => `${server.url}/echo?i=${i}`);
    const [fromGenerators, fromAsync] = await run(function* () {
      const session = new ClientSession();
      function* fetchUrl(url: string): Coro<string> {
        const response = yield* session.get(url);
        return (yield* response.json<Echo>()).url;
      }
      async function fetchAsync(url: string): Promise<string> {
        const response = await session.get(url);
        return (await response.json<Echo>()).url;
      }
      const a = yield* gather(...urls.map(fetchUrl));
      const b = yield* gather(...urls.map((url) => () => fetchAsync(url)));
      yield* session.close();
      return [a, b];
    });
    const expected = urls.map((u) => new URL(u).pathname + new URL(u).search);
    assert.deepEqual(fromGenerators, expected);
    assert.deepEqual(fromAsync, expected);
  });

  test('a response is disposable: using releases it without reading the body', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url, limit: 1 });
      for (let i = 0; i < 3; i++) {
        using response: ClientResponse = await session.get('/text');
        assert.equal(response.status, 200);
      }
      // With limit 1, a response never released would block this one forever.
      const task = createTask(async () => (await session.get('/text')).text());
      await sleep(0);
      assert.equal(await task, 'héllo');
    });
  });
});
