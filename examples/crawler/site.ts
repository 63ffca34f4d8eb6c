/**
 * The demo's website: `pages` generated pages served by `serve()` on 127.0.0.1, linking to
 * one another. Most answer at once; some are slow, some fail every time (500), some fail
 * once and then work (503, for retries), some never answer (for timeouts), some links
 * redirect (301) and some lead nowhere (404). `expected()` works out, from the same rules,
 * what a correct crawl finds, so a test can check the crawler against it.
 */
import { sleep, type Coro } from '../../src/index.ts';
import { Response, serve, type HttpServer, type ServerRequest } from '../../src/http/index.ts';

export type PageKind = 'ok' | 'slow' | 'flaky' | 'error' | 'hang';

/** What page `n` of the site does (page 0, the home page, always answers). */
export function kindOf(n: number): PageKind {
  if (n === 0) return 'ok';
  if (n % 43 === 21) return 'hang';
  if (n % 29 === 10) return 'error';
  if (n % 23 === 7) return 'flaky';
  if (n % 11 === 3) return 'slow';
  return 'ok';
}

/** The links of page `n`: a tree that reaches every page (2n+1, 2n+2), plus cross links. */
export function linksOf(n: number, pages: number): string[] {
  const links: string[] = [];
  for (const child of [2 * n + 1, 2 * n + 2, (n * 7 + 3) % pages, (n * 11 + 1) % pages]) {
    if (child >= pages) continue;
    // Some links go through a redirect to the page.
    links.push(child % 19 === 4 ? `/r/${child}` : `/page/${child}`);
  }
  if (n % 37 === 5) links.push(`/missing/${n}`);
  return links;
}

/** What a correct crawl from the home page finds: pages fetched, and failures by kind. */
export function expected(pages: number): { ok: number; notFound: number; serverErrors: number; timeouts: number; flaky: number } {
  const seen = new Set<string>(['/page/0']);
  const todo = ['/page/0'];
  const counts = { ok: 0, notFound: 0, serverErrors: 0, timeouts: 0, flaky: 0 };
  while (todo.length > 0) {
    const path = todo.pop()!;
    const match = /^\/(page|r)\/(\d+)$/.exec(path);
    if (match === null) {
      counts.notFound++;
      continue;
    }
    const n = Number(match[2]);
    const kind = kindOf(n);
    if (kind === 'error') counts.serverErrors++;
    else if (kind === 'hang') counts.timeouts++;
    else {
      counts.ok++;
      if (kind === 'flaky') counts.flaky++;
      for (const link of linksOf(n, pages)) {
        if (!seen.has(link)) {
          seen.add(link);
          todo.push(link);
        }
      }
    }
  }
  return counts;
}

function html(n: number, pages: number): string {
  const links = linksOf(n, pages).map((href) => `  <li><a href="${href}">${href}</a></li>`);
  return `<!doctype html>\n<title>Page ${n}</title>\n<h1>Page ${n}</h1>\n<ul>\n${links.join('\n')}\n</ul>\n`;
}

/** Starts the site on a free port of 127.0.0.1. */
export function* startSite(pages: number): Coro<HttpServer> {
  const hits = new Map<number, number>();
  function* handler(request: ServerRequest): Coro<Response> {
    const match = /^\/(page|r)\/(\d+)$/.exec(request.path);
    const n = match === null ? NaN : Number(match[2]);
    if (match === null || !(n < pages)) return Response.text('no such page', { status: 404 });
    if (match[1] === 'r') return new Response(null, { status: 301, headers: { location: `/page/${n}` } });
    const hit = (hits.get(n) ?? 0) + 1;
    hits.set(n, hit);
    switch (kindOf(n)) {
      case 'hang':
        yield* sleep(3_600_000); // cancelled when the client gives up or the server closes
        break;
      case 'error':
        return Response.text('internal error', { status: 500 });
      case 'flaky':
        if (hit === 1) return Response.text('try again', { status: 503 });
        break;
      case 'slow':
        yield* sleep(100 + (n % 5) * 25);
        break;
      case 'ok':
        break;
    }
    return Response.text(html(n, pages), { headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
  return yield* serve(handler, { host: '127.0.0.1', port: 0 });
}
