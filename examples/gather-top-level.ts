/**
 * Gathering at the top level: two one-second coroutines gathered by `run` finish
 * in about one second, not two. (Python's `asyncio.run(asyncio.gather(...))` is rejected
 * because run() wants a coroutine; here `run` takes a function that returns the gather.)
 */
import { gather, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

function* sayHello(): Coro<void> {
  yield* sleep(1000);
  console.log('Hello');
}

function* sayWorld(): Coro<void> {
  yield* sleep(1000);
  console.log('World');
}

export function* main(): Coro<void> {
  yield* gather(sayHello(), sayWorld());
}

export const mainAsync = (): PromiseLike<unknown> => gather(sayHello(), sayWorld());

if (isMain(import.meta.url)) await run(main);
