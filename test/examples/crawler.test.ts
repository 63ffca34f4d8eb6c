/**
 * The demo crawler (`npm run demo`) against its local site, over real loopback sockets:
 * every reachable page fetched, every failure counted by kind (as the site's own rules
 * predict), the concurrency limit reached and kept, nothing left running; and, as a child
 * process, `npm run demo`'s script with Ctrl-C: a clean stop with the partial report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTasks, currentTask, run, sleep } from '../../src/index.ts';
import { main } from '../../examples/crawler.ts';
import { expected } from '../../examples/crawler/site.ts';
import { runChild, ROOT } from '../helpers/child.ts';
import { join } from 'node:path';

test('the crawler reaches every page of its site and counts every failure', async () => {
  const pages = 150;
  const lines: string[] = [];
  const report = await run(function* () {
    // A generous timeout: a loaded machine must not turn a slow page into a timeout.
    const r = yield* main({ pages, crawl: { concurrency: 8, timeoutMs: 1500, attempts: 2 }, print: (l) => lines.push(l), tty: false });
    yield* sleep(0); // the server's keeper task, cancelled by close(), ends on the next iteration
    assert.deepEqual([...allTasks()].filter((t) => t !== currentTask()).map(String), [], 'nothing left running');
    return r;
  });
  const want = expected(pages);
  assert.ok(want.ok > 100 && want.notFound > 0 && want.serverErrors > 0 && want.timeouts > 0 && want.flaky > 0, JSON.stringify(want));
  assert.equal(report.complete, true);
  assert.equal(report.ok, want.ok);
  assert.equal(report.retried, want.flaky, 'every flaky page worked on its second try');
  assert.deepEqual(
    Object.fromEntries(report.errors),
    { 'HTTP 404': want.notFound, 'HTTP 500': want.serverErrors, timeout: want.timeouts },
  );
  // Each page once, plus a second try for the flaky, failing and hanging ones (404s are not retried).
  assert.equal(report.requests, want.ok + want.flaky + want.notFound + 2 * (want.serverErrors + want.timeouts));
  assert.equal(report.maxInFlight, 8);
  assert.equal(report.inFlight, 0);
  assert.equal(lines[0], `aio demo: crawling a local site of ${pages} pages at ${lines[0]!.split(' at ')[1]}`);
  const summary = lines.slice(lines.indexOf('crawl complete'));
  assert.equal(summary[1], `  pages fetched:   ${want.ok} (${want.flaky} of them after a retry)`);
  assert.equal(
    summary[2],
    `  pages failed:    ${want.notFound + want.serverErrors + want.timeouts} (HTTP 404: ${want.notFound}, HTTP 500: ${want.serverErrors}, timeout: ${want.timeouts})`,
  );
  assert.equal(summary[4], '  concurrency:     at most 8 requests in flight');
  assert.equal(summary[6], '  left running:    0 requests');
});

test('npm run demo: Ctrl-C cancels the crawl cleanly and prints the partial report', async () => {
  let signalled = false;
  const result = await runChild(join(ROOT, 'examples', 'demo.ts'), {
    onStdout: (chunk, child) => {
      // The first progress line (after a second of crawling): requests are in flight.
      if (!signalled && /pages, \d+ in flight/.test(chunk)) {
        signalled = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.equal(result.timedOut, false, result.stderr);
  assert.ok(signalled, result.stdout);
  assert.match(result.stdout, /crawl cancelled: partial report/);
  assert.match(result.stdout, /left running: {4}0 requests/);
  assert.equal(result.code, 130, result.stderr);
  assert.equal(result.stderr, '');
});

test('npm run examples still runs the tutorial examples', { timeout: 60_000 }, async () => {
  const result = await runChild(join(ROOT, 'examples', 'demo.ts'), { args: ['--examples'] });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^aio demo: the examples \(generator style/);
  assert.match(result.stdout, /Hello, Alice!/);
  assert.match(result.stdout, /all examples: /);
});
