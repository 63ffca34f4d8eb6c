// timers: N tasks, each sleeping a seeded random delay of 0–50 ms (real time).
// ns per task = wall time / N, so it is dominated by the longest delay; the notes give
// the wall time and the longest delay. Verified: the sum of the delays the tasks return.
import { loadAio } from '../lib/aio.js';
import { type Round, runChild } from '../lib/child.js';
import { mulberry32 } from '../lib/prng.js';

const SEED = 5;
const MAX_DELAY_MS = 50;

function delays(n: number): number[] {
  const rand = mulberry32(SEED);
  return Array.from({ length: n }, () => Math.floor(rand() * (MAX_DELAY_MS + 1)));
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Starts the clock once the delays are drawn; notes the wall time in ms. */
async function timed(round: Round, ds: number[], body: () => Promise<number>): Promise<number> {
  round.start();
  const t0 = performance.now();
  const total = await body();
  round.note('wall ms', Math.round((performance.now() - t0) * 10) / 10);
  round.note('max delay ms', Math.max(...ds));
  return total;
}

await runChild({
  expected: (n) => sum(delays(n)),
  systems: {
    aio: async (round) => {
      const { run, createTask, sleep, gather } = await loadAio('run', 'createTask', 'sleep', 'gather');
      const ds = delays(round.n);
      function* sleeper(d: number) {
        yield* sleep(d);
        return d;
      }
      return timed(round, ds, () =>
        run(function* () {
          const tasks = ds.map((d) => createTask(sleeper(d)));
          return sum(yield* gather(...tasks));
        }),
      );
    },

    'raw-timeout': async (round) => {
      const ds = delays(round.n);
      return timed(round, ds, async () => {
        const promises = ds.map((d) => new Promise<number>((resolve) => setTimeout(resolve, d, d)));
        return sum(await Promise.all(promises));
      });
    },
  },
});
