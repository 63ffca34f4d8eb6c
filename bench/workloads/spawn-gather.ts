// spawn-gather: N tasks, each awaits one sleep(0) and returns its index; all gathered.
// Verified: the sum of the gathered results is N(N-1)/2.
import * as effection from 'effection';
import { loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

async function rawTask(i: number): Promise<number> {
  await null;
  return i;
}

function* bareTask(i: number): Generator<void, number, void> {
  yield;
  return i;
}

/**
 * The floor for any generator runtime: a scheduler with no Task objects, no futures and no
 * callbacks, stepping each generator from a queue it drains synchronously (a bare `yield` is
 * one hop), and collecting the results in order.
 */
function bareScheduler(n: number): number[] {
  let queue: Generator<void, number, void>[] = [];
  for (let i = 0; i < n; i++) queue.push(bareTask(i));
  const results: number[] = new Array(n);
  let index: number[] = queue.map((_, i) => i);
  while (queue.length > 0) {
    const nextQueue: Generator<void, number, void>[] = [];
    const nextIndex: number[] = [];
    for (let k = 0; k < queue.length; k++) {
      const step = queue[k]!.next();
      if (step.done) results[index[k]!] = step.value;
      else {
        nextQueue.push(queue[k]!);
        nextIndex.push(index[k]!);
      }
    }
    queue = nextQueue;
    index = nextIndex;
  }
  return results;
}

await runChild({
  expected: (n) => (n * (n - 1)) / 2,
  systems: {
    'aio-gen': async ({ n }) => {
      const { run, createTask, sleep, gather } = await loadAio('run', 'createTask', 'sleep', 'gather');
      // One generator function, like rawTask below (a generator *closure* per task costs V8
      // a new prototype and map each: about 2 µs, whoever runs it).
      function* job(i: number) {
        yield* sleep(0);
        return i;
      }
      return run(function* () {
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(createTask(job(i)));
        const results = yield* gather(...tasks);
        verify(results.length === n, `gathered ${results.length} results`);
        return sum(results);
      });
    },

    'aio-async': async ({ n }) => {
      const { run, createTask, sleep, gather } = await loadAio('run', 'createTask', 'sleep', 'gather');
      return run(function* () {
        const tasks = [];
        for (let i = 0; i < n; i++) {
          tasks.push(
            createTask(async () => {
              await sleep(0);
              return i;
            }),
          );
        }
        const results = yield* gather(...tasks);
        verify(results.length === n, `gathered ${results.length} results`);
        return sum(results);
      });
    },

    'raw-async': async ({ n }) => {
      const promises: Promise<number>[] = [];
      for (let i = 0; i < n; i++) promises.push(rawTask(i));
      return sum(await Promise.all(promises));
    },

    'bare-gen': ({ n }) => sum(bareScheduler(n)),

    effection: ({ n }) =>
      effection.run(function* () {
        const tasks: effection.Task<number>[] = [];
        for (let i = 0; i < n; i++) {
          tasks.push(
            yield* effection.spawn(function* () {
              yield* effection.sleep(0);
              return i;
            }),
          );
        }
        let total = 0;
        for (const task of tasks) total += yield* task;
        return total;
      }),
  },
});
