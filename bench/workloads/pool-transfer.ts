// pool-transfer: N jobs each carrying a new 1 MB ArrayBuffer, transferred (not copied) to a
// pool of 2 worker threads, which answer its byteLength; 64 in flight. Pools are started and
// warmed before the clock starts. Verified: the sum of the answers is N MB.
import { runChild, verify } from '../lib/child.js';
import { IN_FLIGHT, aioPool, inFlight, piscinaPool, tinypoolPool, warm, type Pool } from '../lib/pools.js';

const MB = 1 << 20;

const system = (make: () => Pool | Promise<Pool>) => async (round: { n: number; start(): void; stop(): void }) => {
  const pool = await make();
  await warm(pool);
  let detached = true;
  round.start();
  const total = await inFlight(round.n, IN_FLIGHT, async () => {
    const buffer = new ArrayBuffer(MB);
    const answer = await pool.run('size', buffer, [buffer]);
    detached &&= buffer.byteLength === 0; // once sent (a queued job is sent later)
    return answer;
  });
  round.stop();
  verify(detached, 'every buffer was transferred (detached in the sender)');
  await pool.close();
  return total;
};

await runChild({
  expected: (n) => n * MB,
  systems: {
    aio: system(() => aioPool('source')),
    'aio-module': system(() => aioPool('module')),
    piscina: system(piscinaPool),
    tinypool: system(tinypoolPool),
  },
});
