/**
 * `npm run demo`: what aio is for, in one run. It starts a local website (a few hundred
 * generated pages: some slow, some failing, some failing once, some never answering, some
 * redirecting, some links dead) and crawls it: 16 requests at once, a timeout on each,
 * retries with backoff, a live progress line, and a report at the end. Ctrl-C cancels the
 * crawl cleanly (every request, every stage) and prints the partial report.
 *
 * `npm run demo -- <url>` crawls a real site instead, politely: 4 requests at once, at most
 * 5 a second, 100 pages.
 */
import { createTask, getRunningLoop, sleep, wait, type Coro } from '../src/index.ts';
import { crawl, newReport, type CrawlOptions, type CrawlReport } from './crawler/crawl.ts';
import { startSite } from './crawler/site.ts';

/** The demo's settings (the test runs it smaller). */
export interface DemoOptions {
  pages: number;
  crawl: CrawlOptions;
  /** A real site to crawl instead of the local one. */
  url?: string;
  /** Where progress and the report go. Default: console.log. */
  print?: (line: string) => void;
  /** A live `\r` progress line (a terminal), or a plain line a second. Default: stdout is a TTY. */
  tty?: boolean;
}

export const defaults: DemoOptions = {
  pages: 600,
  crawl: { concurrency: 16, timeoutMs: 500, attempts: 2 },
};

export function* main(options: DemoOptions = defaults): Coro<CrawlReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const tty = options.tty ?? process.stdout.isTTY === true;
  const site = options.url === undefined ? yield* startSite(options.pages) : null;
  const start = options.url ?? `${site!.url}/page/0`;
  print(site !== null ? `aio demo: crawling a local site of ${options.pages} pages at ${site.url}` : `aio demo: crawling ${start}`);
  print(
    `  ${options.crawl.concurrency} requests at once, ${options.crawl.timeoutMs} ms timeout, ` +
      `${options.crawl.attempts} tries per page; Ctrl-C stops cleanly (npm run examples: the tutorial examples)`,
  );
  const report = newReport();
  const progress = createTask(showProgress(report, print, tty));
  try {
    yield* crawl(start, options.crawl, report);
  } finally {
    progress.cancel();
    yield* wait([progress]); // until it has stopped (wait() does not throw its CancelledError)
    if (tty) process.stdout.write('\r\x1b[K');
    for (const line of summary(report)) print(line);
    if (site !== null) yield* site.close();
  }
  return report;
}

function* showProgress(report: CrawlReport, print: (line: string) => void, tty: boolean): Coro<void> {
  const loop = getRunningLoop();
  for (;;) {
    yield* sleep(tty ? 100 : 1000);
    const seconds = (loop.time() - report.startedAt) / 1000;
    const errors = [...report.errors.values()].reduce((a, b) => a + b, 0);
    const line = `  ${report.ok} pages, ${report.inFlight} in flight, ${errors} errors, ${(report.ok / seconds).toFixed(0)} pages/s`;
    if (tty) process.stdout.write(`\r\x1b[K${line}`);
    else print(line);
  }
}

/** The report's lines. */
export function summary(report: CrawlReport): string[] {
  const seconds = (getRunningLoop().time() - report.startedAt) / 1000;
  const errors = [...report.errors].sort(([a], [b]) => a.localeCompare(b));
  const failed = errors.reduce((sum, [, n]) => sum + n, 0);
  return [
    report.complete ? 'crawl complete' : 'crawl cancelled: partial report',
    `  pages fetched:   ${report.ok} (${report.retried} of them after a retry)`,
    `  pages failed:    ${failed}${errors.length > 0 ? ` (${errors.map(([why, n]) => `${why}: ${n}`).join(', ')})` : ''}`,
    `  requests:        ${report.requests}, links followed: ${report.links}`,
    `  concurrency:     at most ${report.maxInFlight} requests in flight`,
    `  time:            ${seconds.toFixed(2)} s, ${(report.ok / seconds).toFixed(0)} pages/s`,
    `  left running:    ${report.inFlight} requests`,
  ];
}
