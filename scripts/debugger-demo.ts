/**
 * The program shown in docs/images/debugger.png (made by scripts/debugger-screenshot.ts):
 * a crawler task starts one task per page, and the parser pauses at a `debugger;` statement.
 */
import { run, createTask, gather, sleep, type Coro } from '../src/index.ts';

function* parsePage(url: string, html: string): Coro<string[]> {
  yield* sleep(5);
  const links = html.match(/href="[^"]+"/g) ?? [];
  debugger; // the debugger stops here
  return links.map((link) => new URL(link.slice(6, -1), url).href);
}

function* fetchPage(url: string): Coro<string[]> {
  yield* sleep(10); // stands for the request
  return yield* parsePage(url, '<a href="/docs">docs</a>');
}

function* crawl(urls: string[]): Coro<string[][]> {
  const tasks = urls.map((url) => createTask(fetchPage(url), { name: `fetch ${url}` }));
  return yield* gather(...tasks);
}

/** Runs the crawler in debug mode (tasks tagged for the debugger). */
export function demo(): Promise<string[][]> {
  return run(
    function* main() {
      return yield* createTask(crawl(['https://example.com/']), { name: 'crawler' });
    },
    { debug: true },
  );
}
