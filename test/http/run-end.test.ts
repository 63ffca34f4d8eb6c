// The end of run() closes the HTTP sessions and servers main left open, so nothing keeps the
// process alive after it (serve() did it already through its keeper task; sessions through
// the loop's resource registry, src/loop/resources.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, Runner, type Coro } from '../../src/index.ts';
import { ClientSession, serve, Response, type HttpServer } from '../../src/http/index.ts';
import { startServer } from './helpers.ts';

for (const style of ['generator', 'async'] as const) {
  test(`a ClientSession left open is closed when run() ends, and its kept-alive connection with it (${style})`, async () => {
    const server = await startServer((_req, res) => res.end('ok'));
    let session: ClientSession | null = null;
    try {
      if (style === 'generator') {
        await run(function* (): Coro<void> {
          session = new ClientSession();
          const response = yield* session.get(server.url);
          assert.equal(yield* response.text(), 'ok');
        });
      } else {
        await run(async () => {
          session = new ClientSession();
          assert.equal(await (await session.get(server.url)).text(), 'ok');
        });
      }
      assert.equal((session as unknown as ClientSession).closed, true);
      for (let i = 0; i < 100 && server.sockets.open > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(server.sockets.open, 0);
      assert.equal(server.sockets.total, 1);
    } finally {
      await server.close();
    }
  });
}

test('a session closed by the program is not closed again; one used over two run()s of a Runner is closed by close()', async () => {
  const server = await startServer((_req, res) => res.end('ok'));
  try {
    const runner = new Runner();
    const session = new ClientSession();
    await runner.run(async () => {
      await (await session.get(server.url)).text();
    });
    assert.equal(session.closed, false);
    await runner.run(async () => {
      await (await session.get(server.url)).text();
    });
    await runner.close();
    assert.equal(session.closed, true);
    await run(async () => {
      const closedByHand = new ClientSession();
      await (await closedByHand.get(server.url)).text();
      await closedByHand.close();
    });
  } finally {
    await server.close();
  }
});

test('an HttpServer left open is closed when run() ends', async () => {
  let server: HttpServer | null = null;
  await run(async () => {
    server = await serve(async () => Response.text('hi'), { port: 0 });
  });
  assert.equal((server as unknown as HttpServer).closing, true);
});
