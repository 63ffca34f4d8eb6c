// What the pool-throughput and pool-transfer workloads share: the same pools, started and
// warmed the same way, and the same 64 jobs in flight.
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { Unavailable } from './aio.js';

type Executors = typeof import('../../src/executors/index.ts');

/** aio/executors, or `Unavailable` if it lacks what these workloads use. */
async function loadAioExecutors(): Promise<Executors> {
  let mod: Executors;
  try {
    mod = await import(new URL('../../src/executors/index.ts', import.meta.url).href);
  } catch (err) {
    throw new Unavailable(`cannot import src/executors/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  if (typeof mod.moduleTask !== 'function' || typeof mod.move !== 'function') throw new Unavailable('aio/executors has no moduleTask or move yet');
  return mod;
}

export const THREADS = 2;
export const IN_FLIGHT = 64;
export const JOBS_FILE = new URL('./pool-jobs.mjs', import.meta.url);

/** Runs jobs 0..n-1 with `limit` in flight (lanes that each submit the next job); sums the results. */
export async function inFlight(n: number, limit: number, submit: (i: number) => PromiseLike<number>): Promise<number> {
  let next = 0;
  let total = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const value = await submit(next++); // not `total += await …`: that reads total before the await
      total += value;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  return total;
}

/** A pool under test: `run(exportName, arg, transfer?)` and `close()`. */
export interface Pool {
  run(name: 'inc' | 'size', arg: unknown, transfer?: ArrayBuffer[]): PromiseLike<number>;
  close(): Promise<unknown>;
}

export async function aioPool(style: 'source' | 'module'): Promise<Pool> {
  const { ThreadPoolExecutor, moduleTask, move } = await loadAioExecutors();
  const pool = new ThreadPoolExecutor({ maxWorkers: THREADS, minWorkers: THREADS });
  const module = style === 'module';
  const fns = {
    inc: (module ? moduleTask(JOBS_FILE, 'inc') : (x: number): number => x + 1) as (x: number) => number | Promise<number>,
    size: (module ? moduleTask(JOBS_FILE, 'size') : (b: ArrayBuffer): number => b.byteLength) as (b: ArrayBuffer) => number | Promise<number>,
  };
  return {
    run: (name, arg, transfer) =>
      name === 'inc' ? pool.submit(fns.inc, arg as number) : pool.submit(fns.size, transfer ? move(arg as ArrayBuffer) : (arg as ArrayBuffer)),
    close: () => pool.shutdown(),
  };
}

export function piscinaPool(): Pool {
  const pool = new Piscina({ filename: JOBS_FILE.href, minThreads: THREADS, maxThreads: THREADS, execArgv: [] });
  return {
    run: (name, arg, transfer) => pool.run(arg, { name, transferList: transfer }),
    close: () => pool.destroy(),
  };
}

export function tinypoolPool(): Pool {
  const pool = new Tinypool({ filename: JOBS_FILE.href, minThreads: THREADS, maxThreads: THREADS, execArgv: [] });
  return {
    run: (name, arg, transfer) => pool.run(arg, { name, transferList: transfer }),
    close: () => pool.destroy(),
  };
}

/** Every worker has started and run a job of each kind (startup and first compile are not timed). */
export async function warm(pool: Pool): Promise<void> {
  await inFlight(THREADS * 8, THREADS * 4, (i) => pool.run('inc', i));
  await inFlight(THREADS * 4, THREADS * 2, () => {
    const buffer = new ArrayBuffer(16);
    return pool.run('size', buffer, [buffer]);
  });
}
