/**
 * The aio-ts/http examples, in both styles, print what they should. They run on a real loop:
 * their server and client talk over real loopback sockets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { format } from 'node:util';
import { run, type Coro } from '../../src/index.ts';
import * as fetchUrls from '../../examples/fetch-urls.ts';
import * as fetcher from '../../examples/concurrent-fetcher.ts';

async function capture(main: () => Coro<void> | PromiseLike<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(format(...args));
  try {
    await run(main);
  } finally {
    console.log = original;
  }
  return lines;
}

const examples = [
  {
    title: 'fetch-urls: the seed fetch_url example, with gather',
    module: fetchUrls,
    expected: ['/python: <h1>python</h1>', '/asyncio: <h1>asyncio</h1>', '/aiohttp: <h1>aiohttp</h1>', '/typescript: <h1>typescript</h1>'],
  },
  {
    title: 'concurrent-fetcher: a Semaphore of 5 and a progress line',
    module: fetcher,
    expected: ['[10/40] 1000 bytes', '[20/40] 2000 bytes', '[30/40] 3000 bytes', '[40/40] 4000 bytes', 'fetched 40 pages, 4000 bytes, never more than 5 at once: true'],
  },
];

for (const example of examples) {
  describe(example.title, () => {
    test('generator style', async () => {
      assert.deepEqual(await capture(example.module.main), example.expected);
    });
    test('async-function style', async () => {
      assert.deepEqual(await capture(example.module.mainAsync), example.expected);
    });
  });
}
