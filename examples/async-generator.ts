/**
 * Asynchronous iteration: an async generator that sleeps
 * before each value. `for await` consumes it in async functions; `forAwait` (or
 * `aiter`) consumes it from generator coroutines.
 */
import { forAwait, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

export async function* asyncGenerator(): AsyncGenerator<number> {
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    yield i;
  }
}

export function* main(): Coro<void> {
  yield* forAwait(asyncGenerator(), (value) => {
    console.log(value);
  });
}

export async function mainAsync(): Promise<void> {
  for await (const value of asyncGenerator()) console.log(value);
}

if (isMain(import.meta.url)) await run(main);
