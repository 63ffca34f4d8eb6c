/**
 * A lock shared by three tasks: each holds it for a second,
 * so they take turns, in the order they asked (FIFO), and the run takes three seconds.
 */
import { gather, Lock, run, sleep, type Coro } from '../src/index.ts';
import { isMain } from './is-main.ts';

function* myCoroutine(name: string, lock: Lock): Coro<void> {
  using _ = yield* lock.hold(); // `async with lock:` — released on leaving the block
  console.log(`Task ${name}: acquiring lock`);
  yield* sleep(1000);
  console.log(`Task ${name}: releasing lock`);
}

export function* main(): Coro<void> {
  const lock = new Lock();
  const tasks = [0, 1, 2].map((i) => myCoroutine(`Task ${i}`, lock));
  yield* gather(...tasks);
}

async function myCoroutineAsync(name: string, lock: Lock): Promise<void> {
  using _ = await lock.hold();
  console.log(`Task ${name}: acquiring lock`);
  await sleep(1000);
  console.log(`Task ${name}: releasing lock`);
}

export async function mainAsync(): Promise<void> {
  const lock = new Lock();
  await gather(...[0, 1, 2].map((i) => myCoroutineAsync(`Task ${i}`, lock)));
}

if (isMain(import.meta.url)) await run(main);
