/**
 * An asynchronous context manager: async setup and cleanup around a body.
 * Async functions use `await using` with `Symbol.asyncDispose`; generator coroutines
 * use `asyncWith` (enter/exit, like `__aenter__`/`__aexit__`).
 */
import { asyncWith, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

export class AsyncContextManager {
  enter(): AsyncContextManager {
    console.log('Entering context');
    return this;
  }

  *exit(): Coro<void> {
    yield* sleep(0); // cleanup may await
    console.log('Exiting context');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await sleep(0);
    console.log('Exiting context');
  }
}

export function* main(): Coro<void> {
  yield* asyncWith(new AsyncContextManager(), function* (_manager) {
    console.log('Inside context');
  });
}

export async function mainAsync(): Promise<void> {
  console.log('Entering context');
  await using _manager = new AsyncContextManager();
  console.log('Inside context');
}

if (isMain(import.meta.url)) await run(main);
