/**
 * Creating tasks: two tasks run concurrently; awaiting them in
 * turn takes two seconds in all (the longer one), not three.
 */
import { createTask, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

function* sayHello(): Coro<void> {
  yield* sleep(1000);
  console.log('Hello');
}

function* sayWorld(): Coro<void> {
  yield* sleep(2000);
  console.log('World');
}

export function* main(): Coro<void> {
  const task1 = createTask(sayHello());
  const task2 = createTask(sayWorld());
  yield* task1;
  yield* task2;
}

export async function mainAsync(): Promise<void> {
  const task1 = createTask(async () => {
    await sleep(1000);
    console.log('Hello');
  });
  const task2 = createTask(async () => {
    await sleep(2000);
    console.log('World');
  });
  await task1;
  await task2;
}

if (isMain(import.meta.url)) await run(main);
