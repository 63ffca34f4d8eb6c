/**
 * `npm run demo`: the crawler (examples/crawler.ts) against a local site it starts itself.
 * `npm run demo -- <url>` crawls a real site, politely. `npm run examples` (or
 * `npm run demo -- --examples`) runs the tutorial examples instead, in real time, printing
 * what each prints with how long it took (`--async`: their async-function style).
 * `--trace <file>` writes a trace of the crawl (Chrome trace-event JSON: Perfetto, chrome://tracing).
 */
import { run, KeyboardInterrupt } from '../src/index.ts';
import { examples } from './index.ts';
import { defaults, main as crawler } from './crawler.ts';

const args = process.argv.slice(2);
const traceAt = args.indexOf('--trace');
const trace = traceAt === -1 ? undefined : args[traceAt + 1];
if (traceAt !== -1 && (trace === undefined || trace.startsWith('--'))) throw new Error('--trace needs a file name: --trace trace.json');
if (traceAt !== -1) args.splice(traceAt, 2);

if (args.includes('--examples')) {
  const style = args.includes('--async') ? 'async' : 'generator';
  console.log(`aio demo: the examples (${style} style; pass --async for the async-function style)\n`);
  const started = performance.now();
  for (const example of examples) {
    console.log(`== ${example.title}`);
    const t0 = performance.now();
    await run(style === 'async' ? example.mainAsync : example.main);
    const took = (performance.now() - t0) / 1000;
    console.log(`-- took ${took.toFixed(2)} s (the longest sleep: ${(example.duration / 1000).toFixed(0)} s)\n`);
  }
  console.log(`all examples: ${((performance.now() - started) / 1000).toFixed(2)} s`);
} else {
  const url = args.find((a) => !a.startsWith('--'));
  const options =
    url === undefined
      ? defaults
      : { ...defaults, url, crawl: { concurrency: 4, timeoutMs: 10_000, attempts: 3, maxPages: 100, perSecond: 5 } };
  try {
    await run(() => crawler(options), trace === undefined ? {} : { trace });
  } catch (error) {
    // Ctrl-C: run() cancelled the crawl, which printed its partial report.
    if (!(error instanceof KeyboardInterrupt)) throw error;
    process.exitCode = 130;
  }
}
