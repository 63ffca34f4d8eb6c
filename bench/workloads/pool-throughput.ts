// pool-throughput: N trivial jobs (x + 1) through a pool of 2 worker threads, 64 in flight:
// what the pool costs per job when it is kept busy. Pools are started and warmed before the
// clock starts; their shutdown is not timed. Verified: the sum of the results is N(N+1)/2.
import { runChild } from '../lib/child.js';
import { IN_FLIGHT, aioPool, inFlight, piscinaPool, tinypoolPool, warm, type Pool } from '../lib/pools.js';

const system = (make: () => Pool | Promise<Pool>) => async (round: { n: number; start(): void; stop(): void }) => {
  const pool = await make();
  await warm(pool);
  round.start();
  const total = await inFlight(round.n, IN_FLIGHT, (i) => pool.run('inc', i));
  round.stop();
  await pool.close();
  return total;
};

await runChild({
  expected: (n) => (n * (n + 1)) / 2,
  systems: {
    aio: system(() => aioPool('source')),
    'aio-module': system(() => aioPool('module')),
    piscina: system(piscinaPool),
    tinypool: system(tinypoolPool),
  },
});
