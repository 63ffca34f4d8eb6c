/**
 * `aio-ts/pool`: `ResourcePool`, a bounded, FIFO-fair, cancellation-safe pool of reusable
 * resources (connections, handles), borrowed with `using lease = yield* pool.acquire()` or
 * `using lease = await pool.acquire()`.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { ResourcePool } from 'aio-ts/pool';
 *
 * const pool = new ResourcePool({ create: () => ({ opened: Date.now() }), max: 4 });
 * const kept = await run(async () => {
 *   const first = await pool.use(async (r) => r);
 *   const second = await pool.use(async (r) => r);
 *   await pool.close();
 *   return first === second;
 * });
 * console.log(kept); // true: the resource was reused
 */
export { ResourcePool, Lease, PoolClosedError, type ResourcePoolOptions } from './resource-pool.js';
