/**
 * The seed's aiohttp example, `fetch_url`: many URLs fetched concurrently with `gather`
 * through one `ClientSession`. There is no outside network here, so the example serves the
 * pages itself with `serve()` on a free local port.
 *
 * Python:
 *   async def fetch_url(session, url):
 *       async with session.get(url) as response:
 *           return await response.text()
 *
 *   async with aiohttp.ClientSession() as session:
 *       results = await asyncio.gather(*(fetch_url(session, url) for url in urls))
 */
import { gather, run, sleep, asyncWith, type Coro } from '../src/index.ts';
import { ClientSession, Response, serve, type HttpServer, type ServerRequest } from '../src/http/index.ts';
import { isMain } from './is-main.ts';

const PAGES = ['/python', '/asyncio', '/aiohttp', '/typescript'];

/** The local site: each page answers after a short wait, so the fetches overlap. */
function* page(request: ServerRequest): Coro<Response> {
  yield* sleep(50);
  return Response.text(`<h1>${request.path.slice(1)}</h1>`, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function* fetchUrl(session: ClientSession, url: string): Coro<string> {
  const response = yield* session.get(url, { raiseForStatus: true });
  return yield* response.text();
}

export function* main(): Coro<void> {
  const server: HttpServer = yield* serve(page, { port: 0 });
  const urls = PAGES.map((path) => `${server.url}${path}`);
  yield* asyncWith<ClientSession, void>(new ClientSession(), function* (session) {
    const results = yield* gather(...urls.map((url) => fetchUrl(session, url)));
    for (const [i, html] of results.entries()) console.log(`${PAGES[i]}: ${html}`);
  });
  yield* server.close();
}

export async function mainAsync(): Promise<void> {
  await using server = await serve(async (request) => {
    await sleep(50);
    return Response.text(`<h1>${request.path.slice(1)}</h1>`, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  }, { port: 0 });
  const urls = PAGES.map((path) => `${server.url}${path}`);

  async function fetchUrlAsync(session: ClientSession, url: string): Promise<string> {
    using response = await session.get(url, { raiseForStatus: true });
    return response.text();
  }

  await using session = new ClientSession();
  const results = await gather(...urls.map((url) => fetchUrlAsync(session, url)));
  for (const [i, html] of results.entries()) console.log(`${PAGES[i]}: ${html}`);
}

if (isMain(import.meta.url)) await run(process.argv.includes('--async') ? mainAsync : main);
