/**
 * Reads standard input line by line from a coroutine (asyncio's connect_read_pipe use case)
 * and numbers the lines. Run: `printf 'a\nb\n' | node --import tsx examples/read-stdin.ts`
 * (add `--async` for the async-function style).
 */
import type { Readable } from 'node:stream';
import { run, type Coro } from '../src/index.ts';
import { fromReadable } from '../src/streams/index.ts';
import { isMain } from './is-main.ts';

export function* main(input: Readable = process.stdin): Coro<void> {
  const reader = fromReadable(input);
  let n = 0;
  for (let r = yield* reader.next(); !r.done; r = yield* reader.next()) {
    console.log(`${++n}: ${r.value.toString().trimEnd()}`);
  }
  console.log(`${n} lines`);
}

export async function mainAsync(input: Readable = process.stdin): Promise<void> {
  let n = 0;
  for await (const line of fromReadable(input)) console.log(`${++n}: ${line.toString().trimEnd()}`);
  console.log(`${n} lines`);
}

if (isMain(import.meta.url)) await run(process.argv.includes('--async') ? () => mainAsync() : () => main());
