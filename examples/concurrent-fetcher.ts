/**
 * A concurrent fetcher: 40 pages, at most 5 downloads at once (a `Semaphore`), a progress
 * line as each one lands, and a total at the end. The pages are served locally by `serve()`.
 */
import { gather, run, sleep, Semaphore, type Coro } from '../src/index.ts';
import { ClientSession, Response, serve } from '../src/http/index.ts';
import { isMain } from './is-main.ts';

const COUNT = 40;
const AT_ONCE = 5;

export function* main(): Coro<void> {
  let running = 0;
  let most = 0;
  const server = yield* serve(
    function* (request): Coro<Response> {
      running++;
      most = Math.max(most, running);
      try {
        yield* sleep(20);
        return Response.text('x'.repeat(Number(request.query.get('size'))));
      } finally {
        running--;
      }
    },
    { port: 0 },
  );
  const session = new ClientSession({ baseUrl: server.url });
  const slots = new Semaphore(AT_ONCE);
  let done = 0;
  let bytes = 0;

  function* download(i: number): Coro<number> {
    yield* slots.acquire();
    try {
      const response = yield* session.get('/page', { params: { size: 100, page: i } });
      const body = yield* response.bytes();
      done++;
      bytes += body.length;
      if (done % 10 === 0) console.log(`[${done}/${COUNT}] ${bytes} bytes`);
      return body.length;
    } finally {
      slots.release();
    }
  }

  try {
    const sizes = yield* gather(...Array.from({ length: COUNT }, (_, i) => download(i)));
    console.log(`fetched ${sizes.length} pages, ${bytes} bytes, never more than ${AT_ONCE} at once: ${most <= AT_ONCE}`);
  } finally {
    yield* session.close();
    yield* server.close();
  }
}

export async function mainAsync(): Promise<void> {
  let running = 0;
  let most = 0;
  await using server = await serve(
    async (request) => {
      running++;
      most = Math.max(most, running);
      try {
        await sleep(20);
        return Response.text('x'.repeat(Number(request.query.get('size'))));
      } finally {
        running--;
      }
    },
    { port: 0 },
  );
  await using session = new ClientSession({ baseUrl: server.url });
  const slots = new Semaphore(AT_ONCE);
  let done = 0;
  let bytes = 0;

  async function download(i: number): Promise<number> {
    using _ = await slots.hold();
    const response = await session.get('/page', { params: { size: 100, page: i } });
    const body = await response.bytes();
    done++;
    bytes += body.length;
    if (done % 10 === 0) console.log(`[${done}/${COUNT}] ${bytes} bytes`);
    return body.length;
  }

  const sizes = await gather(...Array.from({ length: COUNT }, (_, i) => download(i)));
  console.log(`fetched ${sizes.length} pages, ${bytes} bytes, never more than ${AT_ONCE} at once: ${most <= AT_ONCE}`);
}

if (isMain(import.meta.url)) await run(process.argv.includes('--async') ? mainAsync : main);
