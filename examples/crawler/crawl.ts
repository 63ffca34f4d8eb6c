/**
 * A concurrent crawler built from aio's parts: a `ClientSession` (connection limit per host,
 * a timeout on every request), `retry()` with backoff for transient failures, and a
 * pipeline: the frontier queue → fetch (n at once) → parse links → store and dedupe, which
 * feeds new links back into the frontier. The crawl runs in the caller's task: cancelling it
 * (Ctrl-C) stops every stage and closes every connection, and the report so far is kept.
 */
import { CancelledError, Queue, TimeoutError, getRunningLoop, type Coro } from '../../src/index.ts';
import { ClientResponseError, ClientSession, isTransientError, retry } from '../../src/http/index.ts';
import { pipeline } from '../../src/pipeline/index.ts';

export interface CrawlOptions {
  /** Requests at once (the fetch stage's concurrency and the session's per-host limit). */
  concurrency: number;
  /** The timeout of each request (ms). */
  timeoutMs: number;
  /** Tries per page, the first included. */
  attempts: number;
  /** Stop after this many pages (for real sites). Default: no limit. */
  maxPages?: number;
  /** At most this many requests a second (for real sites). Default: no limit. */
  perSecond?: number;
}

/** What the crawl found. */
export interface CrawlReport {
  /** Pages fetched and parsed. */
  ok: number;
  /** Failed pages by reason: `HTTP 404`, `HTTP 500`, `timeout`, … */
  errors: Map<string, number>;
  /** Pages that needed more than one try and then worked. */
  retried: number;
  /** Requests sent, retries included. */
  requests: number;
  /** Links found (before dedupe). */
  links: number;
  /** The most requests in flight at once. */
  maxInFlight: number;
  /** Requests in flight right now. */
  inFlight: number;
  /** Whether the crawl ran to the end (false: cancelled, the report is partial). */
  complete: boolean;
  /** Loop time (ms) the crawl started at. */
  startedAt: number;
}

interface Fetched {
  url: string;
  body: string | null;
  error: string | null;
  attempts: number;
}

/** Crawls from `start`, following links on the same origin; `report` is filled in as it goes. */
export function* crawl(start: string, options: CrawlOptions, report: CrawlReport = newReport()): Coro<CrawlReport> {
  const origin = new URL(start).origin;
  report.startedAt = getRunningLoop().time();
  // Unbounded on purpose: the store stage feeds it, and a bounded frontier could fill up while
  // the stages before the store wait on it (a cycle). Dedupe bounds it by the site's size.
  const frontier = new Queue<string>();
  const seen = new Set<string>([start]);
  let pending = 1; // pages queued or in the pipeline; at 0 the crawl is over
  frontier.putNowait(start);

  const session = new ClientSession({ limitPerHost: options.concurrency, raiseForStatus: true });

  function* fetchPage(url: string): Coro<Fetched> {
    let attempts = 0;
    report.inFlight++;
    report.maxInFlight = Math.max(report.maxInFlight, report.inFlight);
    try {
      const body = yield* retry(
        function* () {
          attempts++;
          report.requests++;
          const response = yield* session.get(url, { timeout: { total: options.timeoutMs } });
          return yield* response.text();
        },
        // The request's own timeout (a TimeoutError) is worth another try too.
        { attempts: options.attempts, backoff: 50, retryOn: (e) => isTransientError(e) || e instanceof TimeoutError },
      );
      return { url, body, error: null, attempts };
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return { url, body: null, error: reason(error), attempts };
    } finally {
      report.inFlight--;
    }
  }

  function parseLinks(page: Fetched): { page: Fetched; links: string[] } {
    const links: string[] = [];
    for (const match of (page.body ?? '').matchAll(/href="([^"#]+)/g)) {
      const url = new URL(match[1]!, page.url);
      if (url.origin === origin) links.push(url.href);
    }
    return { page, links };
  }

  function store({ page, links }: { page: Fetched; links: string[] }): void {
    if (page.error === null) {
      report.ok++;
      if (page.attempts > 1) report.retried++;
    } else report.errors.set(page.error, (report.errors.get(page.error) ?? 0) + 1);
    report.links += links.length;
    for (const link of links) {
      if (seen.has(link) || (options.maxPages !== undefined && seen.size >= options.maxPages)) continue;
      seen.add(link);
      pending++;
      frontier.putNowait(link);
    }
    if (--pending === 0) frontier.shutdown(); // nothing left to find: the pipeline ends
  }

  const source = options.perSecond === undefined ? pipeline(frontier) : pipeline(frontier).throttle(options.perSecond);
  try {
    yield* source
      .map(fetchPage, { concurrency: options.concurrency })
      .map(parseLinks)
      .forEach(store);
    report.complete = true;
  } finally {
    yield* session.close();
  }
  return report;
}

export function newReport(): CrawlReport {
  return { ok: 0, errors: new Map(), retried: 0, requests: 0, links: 0, maxInFlight: 0, inFlight: 0, complete: false, startedAt: 0 };
}

function reason(error: unknown): string {
  if (error instanceof ClientResponseError) return `HTTP ${error.status}`;
  if (error instanceof TimeoutError) return 'timeout'; // ServerTimeoutError is one too
  return error instanceof Error ? error.name : String(error);
}
