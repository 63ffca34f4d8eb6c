// readline-file: N short lines (about 20 bytes each: 5M lines ≈ 100 MB) read from a file, one
// line at a time: aio's `readline()` on `fromReadable(fs.createReadStream(file))` against
// node:readline's async iterator over the same stream. The file is written once per process,
// before the clock starts. Verified: the lines counted add up to N, and the last one is as
// written.
import { createReadStream, createWriteStream, rmSync, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import { Unavailable, loadAio, type Coro } from '../lib/aio.js';
import { runChild, verify, type Round } from '../lib/child.js';

type Op<T> = PromiseLike<T> & { [Symbol.iterator](): Iterator<unknown, T> };
interface Reader extends AsyncIterable<Buffer> {
  readline(): Op<Buffer>;
}
interface Streams {
  fromReadable(r: NodeJS.ReadableStream): Reader;
}

async function loadStreams(): Promise<Streams> {
  try {
    return (await import(new URL('../../src/streams/index.ts', import.meta.url).href)) as Streams;
  } catch (err) {
    throw new Unavailable(`cannot import src/streams/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

const lineOf = (i: number): string => `line ${String(i).padStart(9, '0')} ok\n`; // 20 bytes
const files = new Map<number, string>();

/** The file of `n` lines, written on first use (removed when the process exits). */
async function fileOf(n: number): Promise<string> {
  const cached = files.get(n);
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'aio-bench-readline-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'lines.txt');
  const out = createWriteStream(path);
  let batch = '';
  for (let i = 0; i < n; i++) {
    batch += lineOf(i);
    if (batch.length >= 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  files.set(n, path);
  return path;
}

void runChild({
  expected: (n) => n,
  systems: {
    'aio-gen': async ({ n, start }: Round) => {
      const { run } = await loadAio('run');
      const { fromReadable } = await loadStreams();
      const path = await fileOf(n);
      start();
      return run(function* (): Coro<number> {
        const reader = fromReadable(createReadStream(path));
        let count = 0;
        let last: Buffer | null = null;
        for (let line = yield* reader.readline(); line.length > 0; line = yield* reader.readline()) {
          count++;
          last = line;
        }
        verify(last !== null && last.toString() === lineOf(n - 1), 'last line differs');
        return count;
      });
    },
    'aio-async': async ({ n, start }: Round) => {
      const { run } = await loadAio('run');
      const { fromReadable } = await loadStreams();
      const path = await fileOf(n);
      start();
      return run(async () => {
        let count = 0;
        let last: Buffer | null = null;
        for await (const line of fromReadable(createReadStream(path))) {
          count++;
          last = line;
        }
        verify(last !== null && last.toString() === lineOf(n - 1), 'last line differs');
        return count;
      });
    },
    'node-readline': async ({ n, start }: Round) => {
      const path = await fileOf(n);
      start();
      const lines = readline.createInterface({ input: createReadStream(path), crlfDelay: Infinity });
      let count = 0;
      let last = '';
      for await (const line of lines) {
        count++;
        last = line;
      }
      verify(`${last}\n` === lineOf(n - 1), 'last line differs');
      return count;
    },
  },
});
