/**
 * ResourcePool: reuse and the limit, FIFO order, both styles with `using`, timeouts,
 * cancellation at every wait (while waiting, as a resource is handed over, while one is
 * made), broken and invalid resources replaced, create failures, close(), `min` (made up
 * front, made again) and `idleTimeoutMs` (virtual time); and a property test with random
 * holds, cancels, timeouts, failures, min and idle timeouts: no resource lost or shared.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CancelledError, Task, allTasks, createTask, gather, getRunningLoop, sleep, timeout, TimeoutError, type Coro } from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { PoolClosedError, ResourcePool } from '../../src/pool/index.ts';

interface Conn {
  id: number;
}

function counting(max: number, extra: { acquireTimeoutMs?: number; validate?: (c: Conn) => boolean; createMs?: number; min?: number; idleTimeoutMs?: number } = {}) {
  const log = { created: 0, destroyed: [] as number[] };
  const pool = new ResourcePool<Conn>({
    create: async () => {
      if (extra.createMs) await sleep(extra.createMs);
      return { id: ++log.created };
    },
    destroy: (c) => {
      log.destroyed.push(c.id);
    },
    max,
    ...(extra.acquireTimeoutMs !== undefined ? { acquireTimeoutMs: extra.acquireTimeoutMs } : {}),
    ...(extra.validate ? { validate: extra.validate } : {}),
    ...(extra.min !== undefined ? { min: extra.min } : {}),
    ...(extra.idleTimeoutMs !== undefined ? { idleTimeoutMs: extra.idleTimeoutMs } : {}),
  });
  return { pool, log };
}

describe('ResourcePool', () => {
  test('at most max alive, reused, handed out first come first served (generator style)', async () => {
    await runVirtual(function* () {
      const { pool, log } = counting(2);
      const order: string[] = [];
      function* job(name: string, ms: number): Coro<number> {
        using lease = yield* pool.acquire();
        order.push(`${name}@${getRunningLoop().time()}`);
        yield* sleep(ms);
        return lease.resource.id;
      }
      const ids = yield* gather(job('a', 10), job('b', 30), job('c', 10), job('d', 10), job('e', 10));
      assert.deepEqual(ids, [1, 2, 1, 1, 2]);
      assert.deepEqual(order, ['a@0', 'b@0', 'c@10', 'd@20', 'e@30']);
      assert.equal(log.created, 2);
      assert.equal(pool.idle, 2);
      yield* pool.close();
      assert.deepEqual(log.destroyed.sort(), [1, 2]);
      assert.equal(pool.size, 0);
    });
  });

  test('async-function style: await using lease, use()', async () => {
    await runVirtual(async () => {
      const { pool, log } = counting(1);
      async function job(): Promise<number> {
        using lease = await pool.acquire();
        await sleep(5);
        return lease.resource.id;
      }
      assert.deepEqual(await gather(job(), job(), pool.use(async (c) => c.id * 10)), [1, 1, 10]);
      assert.equal(log.created, 1);
      await pool.close();
    });
  });

  test('acquireTimeoutMs: TimeoutError, and the place in line is given up', async () => {
    await runVirtual(async () => {
      const { pool } = counting(1, { acquireTimeoutMs: 50 });
      const held = await pool.acquire();
      await assert.rejects(pool.acquire(), (e) => e instanceof TimeoutError && /waited 50 ms/.test(e.message));
      assert.equal(getRunningLoop().time(), 50);
      assert.equal(pool.waiting, 0);
      held.release();
      const again = await pool.acquire();
      assert.equal(again.resource, held.resource);
      again.release();
      await pool.close();
    });
  });

  test('a cancelled waiter leaves the line; one cancelled as it is handed a resource passes it on', async () => {
    await runVirtual(function* () {
      const { pool, log } = counting(1);
      const held = yield* pool.acquire();
      const got: string[] = [];
      const waiter = (name: string) =>
        createTask(function* () {
          using lease = yield* pool.acquire();
          got.push(`${name}:${lease.resource.id}`);
        });
      const a = waiter('a');
      const b = waiter('b');
      const c = waiter('c');
      yield* sleep(1);
      assert.equal(pool.waiting, 3);
      a.cancel(); // still waiting
      yield* sleep(1);
      assert.equal(pool.waiting, 2);
      held.release(); // hands the resource to b…
      b.cancel(); // …which is cancelled before it resumes: c gets it
      yield* gather(b, c, { returnExceptions: true });
      assert.ok(a.cancelled() && b.cancelled());
      assert.deepEqual(got, ['c:1']);
      assert.equal(log.created, 1);
      assert.equal(pool.idle, 1);
      yield* pool.close();
    });
  });

  test('cancelled while its resource is made: the making stops, the place is freed', async () => {
    await runVirtual(function* () {
      const { pool, log } = counting(1, { createMs: 100 });
      const t = createTask(pool.acquire());
      yield* sleep(10);
      t.cancel();
      yield* gather(t, { returnExceptions: true });
      assert.equal(pool.size, 0);
      assert.equal(log.created, 0);
      const lease = yield* pool.acquire();
      assert.equal(lease.resource.id, 1);
      lease.release();
      yield* pool.close();
    });
  });

  test('a resource made just as its acquirer is cancelled is kept, not lost', async () => {
    await runVirtual(function* () {
      let made = 0;
      let acquirer: Task<unknown> | null = null;
      const pool = new ResourcePool<number>({
        create: function* () {
          yield* sleep(100);
          // Runs before the acquirer is woken with the result: the create has finished, the
          // acquirer has not resumed yet when it is cancelled.
          getRunningLoop().callSoon(() => acquirer!.cancel());
          return ++made;
        },
        max: 1,
      });
      acquirer = createTask(pool.acquire());
      yield* gather(acquirer, { returnExceptions: true });
      assert.ok(acquirer.cancelled());
      assert.equal(made, 1);
      assert.equal(pool.idle, 1);
      assert.equal(pool.size, 1);
      const lease = yield* pool.acquire();
      assert.equal(lease.resource, 1);
      lease.release();
      yield* pool.close();
    });
  });

  test('a create that absorbs the cancellation hands its resource to the acquirer (as asyncio does)', async () => {
    await runVirtual(function* () {
      const pool = new ResourcePool<string>({
        create: function* () {
          try {
            yield* sleep(100);
          } catch (error) {
            if (!(error instanceof CancelledError)) throw error;
            yield* sleep(5); // finishes its handshake anyway
          }
          return 'conn';
        },
        max: 1,
      });
      const t = createTask(pool.acquire());
      yield* sleep(10);
      t.cancel();
      const lease = yield* t;
      assert.equal(lease.resource, 'conn');
      lease.release();
      assert.equal(pool.idle, 1);
      yield* pool.close();
    });
  });

  test('broken (lease.destroy()) and invalid resources are destroyed and replaced', async () => {
    await runVirtual(async () => {
      const { pool, log } = counting(2, { validate: (c) => c.id !== 2 });
      const a = await pool.acquire();
      a.destroy();
      await sleep(1); // destroy() runs in a task of its own
      assert.deepEqual(log.destroyed, [1]);
      const b = await pool.acquire(); // id 2: goes idle, then fails validation
      b.release();
      const c = await pool.acquire();
      await sleep(1);
      assert.deepEqual(log.destroyed, [1, 2]);
      assert.equal(c.resource.id, 3);
      assert.throws(() => a.release(), /already given back/);
      c.release();
      await pool.close();
    });
  });

  test('a failing create throws to its acquirer and frees the place for the next', async () => {
    await runVirtual(async () => {
      let calls = 0;
      const pool = new ResourcePool<number>({
        create: async () => {
          await sleep(1);
          if (++calls === 1) throw new Error('connection refused');
          return calls;
        },
        max: 1,
      });
      const [first, second] = await gather(pool.use((n) => n), pool.use((n) => n), { returnExceptions: true });
      assert.ok(first instanceof Error && first.message === 'connection refused');
      assert.equal(second, 2);
      await pool.close();
    });
  });

  test('close(): waiters get PoolClosedError, borrowed resources are waited for, all destroyed', async () => {
    await runVirtual(function* () {
      const { pool, log } = counting(1);
      const held = yield* pool.acquire();
      const waiter = createTask(pool.acquire());
      yield* sleep(1);
      const closing = createTask(pool.close());
      yield* sleep(1);
      assert.ok(waiter.done() && waiter.exception() instanceof PoolClosedError);
      assert.equal(closing.done(), false, 'close() waits for the borrowed resource');
      yield* sleep(10);
      held.release();
      yield* closing;
      assert.deepEqual(log.destroyed, [1]);
      assert.ok(pool.closed);
      let error: unknown = null;
      try {
        yield* pool.acquire();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof PoolClosedError);
    });
  });

  test('min: made up front when constructed in a loop, kept warm, made again after a destroy', async () => {
    await runVirtual(function* () {
      const { pool, log } = counting(4, { min: 2, createMs: 5 });
      yield* sleep(6); // the fillers started one turn after this task
      assert.equal(log.created, 2);
      assert.equal(pool.idle, 2);
      const lease = yield* pool.acquire();
      assert.equal(lease.resource.id, 1, 'a warm one, no wait');
      assert.equal(getRunningLoop().time(), 6);
      lease.destroy(); // 1 left: a replacement is made at once
      assert.equal(pool.size, 2);
      yield* sleep(6);
      assert.equal(log.created, 3);
      assert.equal(pool.idle, 2);
      yield* pool.close();
      assert.deepEqual(log.destroyed.sort(), [1, 2, 3]);
      assert.equal(allTasks().size, 1, 'no task left behind');
    });
  });

  test('min: a pool made outside a loop fills at its first acquire(); close() cancels a filling', async () => {
    const { pool, log } = counting(3, { min: 3, createMs: 10 });
    await runVirtual(async () => {
      const lease = await pool.acquire();
      assert.equal(getRunningLoop().time(), 10);
      assert.equal(pool.size, 3);
      lease.release();
      await sleep(10);
      assert.equal(log.created, 3);
      assert.equal(pool.idle, 3);
      await pool.close();
    });
    const second = counting(2, { min: 2, createMs: 10 });
    await runVirtual(async () => {
      await sleep(1); // the fillers are making resources
      await second.pool.close();
      assert.equal(getRunningLoop().time(), 1);
      assert.equal(second.pool.size, 0);
      assert.equal(second.log.created, 0);
    });
  });

  test('min: a failed filling goes to the exception handler and is tried again at the next acquire()', async () => {
    await runVirtual(async () => {
      const reported: unknown[] = [];
      getRunningLoop().setExceptionHandler((_loop, context) => {
        reported.push(context.exception);
      });
      let calls = 0;
      const pool = new ResourcePool<number>({
        create: async () => {
          await sleep(1);
          if (++calls === 1) throw new Error('down');
          return calls;
        },
        max: 2,
        min: 1,
      });
      await sleep(5);
      assert.equal(pool.size, 0);
      assert.deepEqual(reported.map((e) => (e as Error).message), ['down']);
      const lease = await pool.acquire(); // made for it, while the filler makes another
      await sleep(5);
      assert.equal(pool.size, 2);
      assert.equal(calls, 3);
      lease.release();
      await pool.close();
    });
  });

  test('idleTimeoutMs: idle resources above min are destroyed when their idle time is up (loop clock)', async () => {
    await runVirtual(function* () {
      const { pool, log } = counting(4, { min: 1, idleTimeoutMs: 100 });
      const loop = getRunningLoop();
      yield* sleep(1); // the min one: idle from 0
      const leases = [yield* pool.acquire(), yield* pool.acquire(), yield* pool.acquire()];
      assert.equal(pool.size, 3);
      leases[0]!.release(); // idle from 1
      yield* sleep(20);
      leases[1]!.release(); // idle from 21
      yield* sleep(20);
      leases[2]!.release(); // idle from 41
      const sizes: string[] = [];
      for (const t of [100, 110, 130, 500]) {
        yield* sleep(t - loop.time());
        sizes.push(`${t}: ${pool.size} alive, destroyed ${log.destroyed.join(',')}`);
      }
      assert.deepEqual(sizes, ['100: 3 alive, destroyed ', '110: 2 alive, destroyed 1', '130: 1 alive, destroyed 1,2', '500: 1 alive, destroyed 1,2']);
      // A resource taken before its time is up is not destroyed.
      const again = yield* pool.acquire();
      assert.equal(again.resource.id, 3);
      yield* sleep(200);
      again.release();
      assert.equal(pool.size, 1);
      yield* pool.close();
      assert.equal(allTasks().size, 1);
    });
  });

  test('min and idleTimeoutMs are checked', () => {
    const create = () => 1;
    assert.throws(() => new ResourcePool({ create, max: 2, min: 3 }), /ResourcePool\(\) expects options.min to be an integer from 0 to max \(2\), got number 3/);
    assert.throws(() => new ResourcePool({ create, max: 2, min: -1 }), /options.min/);
    assert.throws(() => new ResourcePool({ create, max: 2, idleTimeoutMs: -1 }), RangeError);
  });

  test('property: random holds, cancels, timeouts and create failures never lose or share a resource', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.option(fc.integer({ min: 0, max: 40 })),
        fc.array(fc.record({ start: fc.nat(50), hold: fc.nat(30), cancelAt: fc.option(fc.nat(80)), broken: fc.boolean(), timeout: fc.option(fc.integer({ min: 1, max: 40 })) }), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        async (max, wantMin, idleTimeoutMs, jobs, createFails) => {
          const min = Math.min(wantMin, max);
          await runVirtual(function* () {
            let made = 0;
            const alive = new Set<number>();
            const holders = new Set<number>();
            const destroyed: number[] = [];
            const pool = new ResourcePool<number>({
              create: function* () {
                yield* sleep(3);
                const id = ++made;
                if (createFails[id % createFails.length]) throw new Error('create failed');
                alive.add(id);
                return id;
              },
              destroy: function* (id) {
                yield* sleep(2);
                assert.ok(alive.delete(id), `resource ${id} destroyed twice or never made`);
                destroyed.push(id);
              },
              max,
              min,
              idleTimeoutMs,
            });
            getRunningLoop().setExceptionHandler(() => {}); // failed fillings are reported
            const tasks = jobs.map((job) => {
              const t = createTask(function* () {
                yield* sleep(job.start);
                const lease = yield* (job.timeout === null ? pool.acquire() : timeoutAcquire(pool, job.timeout));
                assert.ok(!holders.has(lease.resource), `resource ${lease.resource} handed out twice`);
                assert.ok(alive.has(lease.resource));
                holders.add(lease.resource);
                try {
                  yield* sleep(job.hold);
                } finally {
                  holders.delete(lease.resource);
                  if (job.broken) lease.destroy();
                  else lease.release();
                }
              });
              if (job.cancelAt !== null) getRunningLoop().callLater(job.cancelAt, () => t.cancel());
              return t;
            });
            yield* gather(...tasks, { returnExceptions: true });
            assert.ok(pool.size <= max);
            yield* sleep(10); // fillings under way end
            assert.equal(pool.size, pool.idle, 'every resource alive is idle: none lost');
            if (idleTimeoutMs !== null) {
              yield* sleep(idleTimeoutMs + 1);
              assert.ok(pool.size <= min, `idle resources above min were destroyed (${pool.size} alive, min ${min})`);
            }
            assert.equal(pool.waiting, 0);
            yield* pool.close();
            assert.equal(pool.size, 0);
            assert.deepEqual([...alive], [], 'every resource made was destroyed');
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** A timeout around acquire() from outside the pool (the pool's own is acquireTimeoutMs). */
function timeoutAcquire(pool: ResourcePool<number>, ms: number) {
  return timeout(ms, () => pool.acquire());
}
