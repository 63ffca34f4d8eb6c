// resource-pool: N acquire/release cycles of a pool of `--max` resources (default 8) by
// `--workers` worker tasks (default 64): each takes the next index, acquires a resource,
// awaits one tick holding it, adds the index and releases it. The pool is made and its
// resources created before the clock starts. `--workers 1 --max 1` (the resource-pool-free
// row) is the uncontended path: a free resource every time. Verified: the sum is
// N(N-1)/2, and no resource is ever held twice at once nor more than `max` made.
import { Unavailable } from '../lib/aio.js';
import { intArg, runChild, verify } from '../lib/child.js';

const WORKERS = intArg('--workers', 64);
const MAX = intArg('--max', 8);

interface Res {
  busy: boolean;
}

/** Counts what was made, and checks that nothing is held twice. */
class Tracker {
  made = 0;
  create = (): Res => {
    this.made++;
    verify(this.made <= MAX, `more than ${MAX} resources made`);
    return { busy: false };
  };
  take(r: Res): void {
    verify(!r.busy, 'a resource was handed out twice at once');
    r.busy = true;
  }
  give(r: Res): void {
    r.busy = false;
  }
}

async function loadPool(): Promise<typeof import('../../src/pool/index.ts') & typeof import('../../src/index.ts')> {
  try {
    const core = await import('../../src/index.ts');
    const pool = await import('../../src/pool/index.ts');
    return { ...core, ...pool };
  } catch (err) {
    throw new Unavailable(`cannot import src/pool/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

/** Promise-style workers: `acquire` and `release` are the peer's own. */
async function promiseWorkers(n: number, acquire: () => Promise<Res>, release: (r: Res) => unknown, tracker: Tracker): Promise<number> {
  let next = 0;
  let total = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const r = await acquire();
      tracker.take(r);
      await null;
      total += i;
      tracker.give(r);
      release(r);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return total;
}

/** Acquires every resource once and gives them back: all made before the clock starts. */
async function warmPromise(acquire: () => Promise<Res>, release: (r: Res) => unknown): Promise<void> {
  const held = await Promise.all(Array.from({ length: MAX }, acquire));
  for (const r of held) release(r);
}

await runChild({
  expected: (n) => (n * (n - 1)) / 2,
  systems: {
    'aio-gen': async (round) => {
      const { run, gather, sleep, ResourcePool } = await loadPool();
      const tracker = new Tracker();
      return run(function* () {
        const pool = new ResourcePool<Res>({ create: tracker.create, max: MAX, min: MAX });
        for (let turns = 0; pool.idle < MAX && turns < 10; turns++) yield* sleep(0); // the min resources are made
        verify(pool.idle === MAX, 'pool warmed');
        round.start();
        let next = 0;
        let total = 0;
        function* worker(): Generator<any, void, any> {
          while (next < round.n) {
            const i = next++;
            using lease = yield* pool.acquire();
            tracker.take(lease.resource);
            yield* sleep(0);
            total += i;
            tracker.give(lease.resource);
          }
        }
        yield* gather(...Array.from({ length: WORKERS }, worker));
        round.stop();
        yield* pool.close();
        return total;
      });
    },

    'aio-async': async (round) => {
      const { run, sleep, ResourcePool } = await loadPool();
      const tracker = new Tracker();
      return run(async () => {
        const pool = new ResourcePool<Res>({ create: tracker.create, max: MAX, min: MAX });
        for (let turns = 0; pool.idle < MAX && turns < 10; turns++) await sleep(0);
        verify(pool.idle === MAX, 'pool warmed');
        round.start();
        let next = 0;
        let total = 0;
        const worker = async (): Promise<void> => {
          while (next < round.n) {
            const i = next++;
            using lease = await pool.acquire();
            tracker.take(lease.resource);
            await sleep(0);
            total += i;
            tracker.give(lease.resource);
          }
        };
        await Promise.all(Array.from({ length: WORKERS }, worker));
        round.stop();
        await pool.close();
        return total;
      });
    },

    tarn: async (round) => {
      const { Pool } = await import('tarn');
      const tracker = new Tracker();
      const pool = new Pool<Res>({ create: async () => tracker.create(), destroy: () => {}, min: 0, max: MAX });
      const acquire = () => pool.acquire().promise;
      const release = (r: Res) => pool.release(r);
      await warmPromise(acquire, release);
      round.start();
      const total = await promiseWorkers(round.n, acquire, release, tracker);
      round.stop();
      await pool.destroy();
      return total;
    },

    'generic-pool': async (round) => {
      const { createPool } = (await import('generic-pool')).default;
      const tracker = new Tracker();
      const pool = createPool<Res>({ create: async () => tracker.create(), destroy: async () => {} }, { max: MAX, min: 0 });
      const acquire = () => pool.acquire();
      const release = (r: Res) => pool.release(r);
      await warmPromise(acquire, release);
      round.start();
      const total = await promiseWorkers(round.n, acquire, release, tracker);
      round.stop();
      await pool.drain();
      await pool.clear();
      return total;
    },
  },
});
