// The servers the http-server workload measures, each in a process of its own (the load
// generator must not share their thread): `--system node-http` is a bare node:http handler,
// `aio-gen`/`aio-async` are aio's serve() with a generator or an async handler. All answer
// every request with 200 "ok". Prints `PORT <n>` once listening; exits when stdin closes.
import http from 'node:http';

const system = process.argv[process.argv.indexOf('--system') + 1];
const body = Buffer.from('ok');

function ready(port: number): void {
  process.stdout.write(`PORT ${port}\n`);
}

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

if (system === 'node-http') {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
} else {
  const { run } = await import('../../src/index.ts');
  const { serve, Response } = await import('../../src/http/index.ts');
  const ok = (): InstanceType<typeof Response> => Response.bytes(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  await run(function* () {
    const handler =
      system === 'aio-gen'
        ? function* () {
            return ok();
          }
        : async () => ok();
    const server = yield* serve(handler, { port: 0, keepAliveTimeout: 60_000 });
    ready((server.address() as { port: number }).port);
    yield* server.waitClosed();
  });
}
