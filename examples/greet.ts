/**
 * Three greetings gathered concurrently.
 * Each sleeps one second, so the whole run takes about one second, not three.
 */
import { gather, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

// Generator style: `function*` + `yield*` is `async def` + `await`.
export function* greet(name: string): Coro<void> {
  console.log(`Hello, ${name}!`);
  yield* sleep(1000);
  console.log(`Goodbye, ${name}!`);
}

export function* main(): Coro<void> {
  yield* gather(greet('Alice'), greet('Bob'), greet('Charlie'));
}

// Async-function style: the same program with async/await.
export async function greetAsync(name: string): Promise<void> {
  console.log(`Hello, ${name}!`);
  await sleep(1000);
  console.log(`Goodbye, ${name}!`);
}

export async function mainAsync(): Promise<void> {
  // The functions, not their Promises: gather runs each as a Task that cancelling can stop.
  await gather(() => greetAsync('Alice'), () => greetAsync('Bob'), () => greetAsync('Charlie'));
}

if (isMain(import.meta.url)) await run(main);
