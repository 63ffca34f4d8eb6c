// lock-contention: N/100 tasks, each acquiring one lock 100 times and awaiting one tick
// while holding it. Verified: N critical sections ran, never two at once.
import { Mutex } from 'async-mutex';
import { loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

const PER_TASK = 100;

/** Counts critical sections and fails verification if two ever overlap. */
class Exclusive {
  private inside = false;
  count = 0;
  enter(): void {
    verify(!this.inside, 'two tasks held the lock at once');
    this.inside = true;
  }
  leave(): void {
    this.inside = false;
    this.count++;
  }
}

const tasksFor = (n: number): number => {
  verify(n % PER_TASK === 0, `n must be a multiple of ${PER_TASK}`);
  return n / PER_TASK;
};

await runChild({
  expected: (n) => n,
  systems: {
    aio: async ({ n }) => {
      const { run, createTask, sleep, gather, Lock } = await loadAio('run', 'createTask', 'sleep', 'gather', 'Lock');
      function* contender(lock: InstanceType<typeof Lock>, ex: Exclusive) {
        for (let j = 0; j < PER_TASK; j++) {
          yield* lock.acquire();
          try {
            ex.enter();
            yield* sleep(0);
            ex.leave();
          } finally {
            lock.release();
          }
        }
        return 0;
      }
      return run(function* () {
        const lock = new Lock();
        const ex = new Exclusive();
        const tasks = [];
        for (let t = 0; t < tasksFor(n); t++) tasks.push(createTask(contender(lock, ex)));
        yield* gather(...tasks);
        verify(!lock.locked(), 'lock still held at the end');
        return ex.count;
      });
    },

    'async-mutex': async ({ n }) => {
      const mutex = new Mutex();
      const ex = new Exclusive();
      const section = async (): Promise<void> => {
        ex.enter();
        await null;
        ex.leave();
      };
      const worker = async (): Promise<void> => {
        for (let j = 0; j < PER_TASK; j++) await mutex.runExclusive(section);
      };
      const workers: Promise<void>[] = [];
      for (let t = 0; t < tasksFor(n); t++) workers.push(worker());
      await Promise.all(workers);
      verify(!mutex.isLocked(), 'mutex still held at the end');
      return ex.count;
    },
  },
});
