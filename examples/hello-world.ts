/** Hello world: a coroutine that prints, sleeps one second, prints. */
import { run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

export function* main(): Coro<void> {
  console.log('Hello');
  yield* sleep(1000); // simulates a non-blocking I/O operation
  console.log('World');
}

export async function mainAsync(): Promise<void> {
  console.log('Hello');
  await sleep(1000);
  console.log('World');
}

if (isMain(import.meta.url)) await run(main);
