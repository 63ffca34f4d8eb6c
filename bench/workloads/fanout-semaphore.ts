// fanout-semaphore: N jobs, at most 64 running at once, each awaiting one tick.
// Verified: the sum of the jobs' results is N(N-1)/2, and no more than 64 ran at once.
import { Semaphore as MutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

const LIMIT = 64;

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Counts jobs running at once; verification fails if the limit is ever exceeded. */
class Gauge {
  private running = 0;
  peak = 0;
  enter(): void {
    if (++this.running > this.peak) this.peak = this.running;
  }
  leave(): void {
    this.running--;
  }
  check(): void {
    verify(this.peak <= LIMIT, `${this.peak} jobs ran at once (limit ${LIMIT})`);
  }
}

/** One job of the promise-based systems. */
async function job(i: number, gauge: Gauge): Promise<number> {
  gauge.enter();
  await null;
  gauge.leave();
  return i;
}

async function promiseFanout(n: number, schedule: (fn: () => Promise<number>) => Promise<number>): Promise<number> {
  const gauge = new Gauge();
  const results: Promise<number>[] = [];
  for (let i = 0; i < n; i++) results.push(schedule(() => job(i, gauge)));
  const total = sum(await Promise.all(results));
  gauge.check();
  return total;
}

await runChild({
  expected: (n) => (n * (n - 1)) / 2,
  systems: {
    aio: async ({ n }) => {
      const { run, createTask, sleep, gather, Semaphore } = await loadAio(
        'run',
        'createTask',
        'sleep',
        'gather',
        'Semaphore',
      );
      // One generator function for every job (as rawJob for the peers): see spawn-gather.
      function* job(i: number, sem: InstanceType<typeof Semaphore>, gauge: Gauge) {
        yield* sem.acquire();
        try {
          gauge.enter();
          yield* sleep(0);
          gauge.leave();
          return i;
        } finally {
          sem.release();
        }
      }
      return run(function* () {
        const sem = new Semaphore(LIMIT);
        const gauge = new Gauge();
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(createTask(job(i, sem, gauge)));
        const total = sum(yield* gather(...tasks));
        gauge.check();
        return total;
      });
    },

    'p-limit': ({ n }) => {
      const limit = pLimit(LIMIT);
      return promiseFanout(n, (fn) => limit(fn));
    },

    'p-queue': ({ n }) => {
      const queue = new PQueue({ concurrency: LIMIT });
      return promiseFanout(n, (fn) => queue.add(fn));
    },

    'async-mutex': ({ n }) => {
      const sem = new MutexSemaphore(LIMIT);
      return promiseFanout(n, (fn) => sem.runExclusive(fn));
    },
  },
});
