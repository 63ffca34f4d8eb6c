import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type http from 'node:http';
import { run, createTask, sleep, timeout, waitFor, TimeoutError } from '../../src/index.ts';
import {
  ClientSession,
  ClientConnectionError,
  ClientConnectorError,
  ConnectionTimeoutError,
  ServerDisconnectedError,
  ServerTimeoutError,
  SocketTimeoutError,
} from '../../src/http/index.ts';
import { eventually, startServer, type TestServer } from './helpers.ts';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ClientSession: connection errors and timeouts', () => {
  let server: TestServer;
  /** Requests to /hang that the server holds (never answered). */
  const held: http.ServerResponse[] = [];
  before(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/hang') {
        held.push(res);
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('abc');
        setTimeout(() => res.socket?.destroy(), 10);
      } else if (req.url === '/drop') {
        req.socket.destroy();
      } else {
        res.end('ok');
      }
    });
  });
  after(() => server.close());

  test('connection refused: ClientConnectorError, a ClientConnectionError', async () => {
    const port = await closedPort();
    await run(function* () {
      const session = new ClientSession();
      try {
        yield* session.get(`http://127.0.0.1:${port}/`);
        assert.fail('expected an error');
      } catch (error) {
        assert.ok(error instanceof ClientConnectorError, String(error));
        assert.ok(error instanceof ClientConnectionError);
        assert.match(error.message, new RegExp(`Cannot connect to host 127.0.0.1:${port}`));
      } finally {
        yield* session.close();
      }
    });
  });

  test('the server closes the connection before answering, or mid-body: ServerDisconnectedError', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      await assert.rejects(async () => session.get('/drop'), (e: unknown) => e instanceof ServerDisconnectedError && e instanceof ClientConnectionError);
      const response = await session.get('/cut');
      assert.equal(response.status, 200);
      await assert.rejects(async () => response.text(), ServerDisconnectedError);
    });
  });

  test('close() fails the requests in flight with ClientConnectionError', async () => {
    await run(async () => {
      const session = new ClientSession({ baseUrl: server.url });
      const seen = held.length;
      const pending = createTask(async () => session.get('/hang'));
      while (held.length === seen) await sleep(1);
      await session.close();
      await assert.rejects(async () => pending, ClientConnectionError);
    });
  });

  test('timeout.total: a server that never answers gives aio TimeoutError (both styles)', async () => {
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url, timeout: { total: 50 } });
      try {
        yield* session.get('/hang');
        assert.fail('expected TimeoutError');
      } catch (error) {
        assert.ok(error instanceof TimeoutError, String(error));
        assert.match((error as Error).message, /ClientSession.get\(\): timeout.total of 50 ms passed/);
      } finally {
        yield* session.close();
      }
    });
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      await assert.rejects(async () => session.get('/hang', { timeout: { total: 50 } }), TimeoutError);
    });
  });

  test('timeout.sockRead: SocketTimeoutError, a TimeoutError', async () => {
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url, timeout: { sockRead: 50 } });
      await assert.rejects(
        async () => session.get('/hang'),
        (e: unknown) => e instanceof SocketTimeoutError && e instanceof ServerTimeoutError && e instanceof TimeoutError,
      );
    });
  });

  test('timeout.connect: ConnectionTimeoutError (TLS to a server that accepts and never answers)', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      await run(async () => {
        await using session = new ClientSession({ timeout: { connect: 50 } });
        await assert.rejects(
          async () => session.get(`https://127.0.0.1:${port}/`),
          (e: unknown) => e instanceof ConnectionTimeoutError && e instanceof TimeoutError,
        );
      });
    } finally {
      silent.close();
    }
  });

  test('timeout() and waitFor() around a request: TimeoutError, and the request is aborted (both styles)', async () => {
    const seen = held.length;
    await run(function* () {
      const session = new ClientSession({ baseUrl: server.url });
      try {
        yield* timeout(200, function* () {
          yield* session.get('/hang');
        });
        assert.fail('expected TimeoutError');
      } catch (error) {
        assert.ok(error instanceof TimeoutError, String(error));
      } finally {
        yield* session.close();
      }
    });
    await run(async () => {
      await using session = new ClientSession({ baseUrl: server.url });
      await assert.rejects(async () => timeout(200, async () => session.get('/hang')), TimeoutError);
      await assert.rejects(async () => waitFor(session.get('/hang'), 200), TimeoutError);
    });
    // Whatever reached the server (on a loaded machine a request may not have, in 200 ms) was aborted:
    // its response is closed, and no socket is left.
    assert.ok(await eventually(() => held.slice(seen).every((res) => res.destroyed)), 'aborted requests still open on the server');
    assert.ok(await eventually(() => server.sockets.open === 0), `sockets still open: ${server.sockets.open}`);
  });
});
