import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, ThreadPoolExecutor } from '../../src/index.ts';
import { WorkerCrashError, isExecutor } from '../../src/executors/index.ts';
import { append, barrier, cells, increment, logOf, open, waitOpen } from '../helpers/shared-memory.ts';

/** Runs `body` with a pool, shut down afterwards even if the body fails. */
async function withPool<T>(maxWorkers: number, body: (pool: ThreadPoolExecutor) => Promise<T>): Promise<T> {
  const pool = new ThreadPoolExecutor({ maxWorkers });
  try {
    return await body(pool);
  } finally {
    await pool.shutdown({ cancelFutures: true });
  }
}

describe('ThreadPoolExecutor: jobs', () => {
  test('arguments and results cross by structured clone', async () => {
    await withPool(2, async (pool) => {
      assert.equal(await pool.submit((a: number, b: number) => a + b, 2, 3), 5);
      const data = { list: [1, 'two', null], when: new Date(0), map: new Map([['k', 1]]), bytes: new Uint8Array([1, 2]) };
      const echoed = await pool.submit((value: typeof data) => ({ ...value, seen: true }), data);
      assert.deepEqual(echoed, { ...data, seen: true });
      assert.ok(isExecutor(pool));
    });
  });

  test('async functions, inner functions and methods written in shorthand run too', async () => {
    const shapes = {
      area(r: number): number {
        function square(x: number): number {
          return x * x;
        }
        return Math.round(Math.PI * square(r));
      },
      async later(s: string): Promise<string> {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return s.toUpperCase();
      },
    };
    await withPool(1, async (pool) => {
      assert.equal(await pool.submit(shapes.area, 10), 314);
      assert.equal(await pool.submit(shapes.later, 'late'), 'LATE');
      assert.equal(await pool.submit(async () => (await import('node:path')).basename('/a/b.txt')), 'b.txt');
      assert.equal(await pool.submit(() => typeof require('node:os').cpus), 'function');
      assert.equal(await pool.submit(function (this: unknown) { return this; }), undefined); // no `this`
    });
  });

  test('up to maxWorkers jobs run at once, and no more workers start', async () => {
    await withPool(3, async (pool) => {
      const shared = cells();
      // Each job waits until all three have arrived: they can only pass if they run in parallel.
      const jobs = [1, 2, 3].map(() => pool.submit(barrier, shared, 3));
      assert.deepEqual(await Promise.all(jobs), [true, true, true]);
      assert.equal(pool.workerCount, 3);
      await Promise.all([1, 2, 3, 4, 5, 6].map(() => pool.submit(increment, shared)));
      assert.equal(pool.workerCount, 3);
    });
  });

  test('workers start on demand: one job, one worker', async () => {
    await withPool(4, async (pool) => {
      assert.equal(pool.workerCount, 0);
      for (let i = 0; i < 3; i++) await pool.submit(() => 1);
      assert.equal(pool.workerCount, 1);
    });
  });

  test('jobs beyond maxWorkers wait, and start in submission order', async () => {
    await withPool(1, async (pool) => {
      const gate = cells();
      const log = cells(16);
      const blocker = pool.submit(waitOpen, gate);
      const queued = [0, 1, 2, 3, 4, 5].map((i) => pool.submit(append, log, i));
      assert.deepEqual(logOf(log), []); // the only worker is busy
      open(gate);
      await Promise.all([blocker, ...queued]);
      assert.deepEqual(logOf(log), [0, 1, 2, 3, 4, 5]);
    });
  });
});

describe('ThreadPoolExecutor: errors', () => {
  test('a thrown TypeError is a TypeError; a custom error keeps its name, message, cause and code', async () => {
    await withPool(1, async (pool) => {
      await assert.rejects(pool.submit((x: unknown) => (x as { y: { z: number } }).y.z, {}).promise, (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.equal(error.name, 'TypeError');
        assert.match(error.stack!, /TypeError: .*z/);
        return true;
      });
      const custom = (): never => {
        class QuotaError extends Error {
          code = 'E_QUOTA';
          constructor(message: string) {
            super(message, { cause: new RangeError('over by 3') });
            this.name = 'QuotaError';
          }
        }
        throw new QuotaError('quota exceeded');
      };
      await assert.rejects(pool.submit(custom).promise, (error: Error & { code?: string }) => {
        assert.equal(error.name, 'QuotaError');
        assert.equal(error.message, 'quota exceeded');
        assert.equal(error.code, 'E_QUOTA');
        assert.ok(error.cause instanceof RangeError);
        assert.equal(error.cause.message, 'over by 3');
        assert.match(error.stack!, /^QuotaError: quota exceeded/);
        return true;
      });
      await assert.rejects(pool.submit(() => Promise.reject('a string')).promise, (error) => error === 'a string');
    });
  });

  test('a value structured clone cannot copy fails the job with a DataCloneError, not a hang', async () => {
    await withPool(1, async (pool) => {
      await assert.rejects(pool.submit((f: unknown) => f, () => 1).promise, (error: Error) => {
        assert.equal(error.name, 'DataCloneError');
        assert.match(error.message, /argument of the job cannot be sent/);
        return true;
      });
      await assert.rejects(pool.submit(() => () => 1).promise, (error: Error) => {
        assert.equal(error.name, 'DataCloneError');
        assert.match(error.message, /result of the job cannot be sent back/);
        return true;
      });
      assert.equal(await pool.submit(() => 'still fine'), 'still fine');
    });
  });

  test('functions that cannot be shipped are a TypeError saying what to do', async () => {
    await withPool(1, async (pool) => {
      const submit = pool.submit.bind(pool) as (fn: unknown, ...args: unknown[]) => unknown;
      assert.throws(() => submit('x => x'), { name: 'TypeError', message: /expects a function to run in a worker thread, got string "x => x"/ });
      assert.throws(() => submit(Math.max, 1, 2), { name: 'TypeError', message: /\[native code\].*self-contained function literal/ });
      assert.throws(() => submit(((x: number) => x).bind(null), 1), { name: 'TypeError', message: /bound/ });
      assert.throws(() => submit(class Point {}), { name: 'TypeError', message: /class constructor/ });
      // A generator function is an aio coroutine: its generator could never be sent back.
      assert.throws(() => submit(function* () {}), { name: 'TypeError', message: /generator function.*plain or async function/ });
      assert.throws(() => submit(async function* () {}), { name: 'TypeError', message: /generator function/ });
      assert.equal(pool.workerCount, 0); // nothing was queued
    });
  });

  test('a variable from around the job is "not defined" in the worker, and the error says why', async () => {
    const factor = 3;
    await withPool(1, async (pool) => {
      await assert.rejects(pool.submit((x: number) => x * factor, 2).promise, (error: Error) => {
        assert.ok(error instanceof ReferenceError);
        assert.match(error.message, /^factor is not defined: .*worker thread.*define or require\(\) factor inside the function, or pass its value as an argument/);
        assert.match(error.stack!, /^ReferenceError: factor is not defined: /); // what Node prints if uncaught
        return true;
      });
    });
  });

  test('options that are not an object are a TypeError (Python passes max_workers and wait positionally)', async () => {
    const Pool = ThreadPoolExecutor as unknown as new (options: unknown) => ThreadPoolExecutor;
    assert.throws(() => new Pool(4), { name: 'TypeError', message: /expects an options object such as \{ maxWorkers: 4 \}, got number 4/ });
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const shutdown = pool.shutdown.bind(pool) as (options: unknown) => Promise<void>;
    assert.throws(() => shutdown(false), { name: 'TypeError', message: /shutdown\(\) expects an options object such as \{ wait: false \}, got boolean false/ });
    await pool.shutdown();
  });

  test('maxWorkers must be a positive integer', () => {
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 0 }), { name: 'RangeError', message: /positive integer, got 0/ });
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 1.5 }), { name: 'RangeError', message: /got 1.5/ });
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: '2' as unknown as number }), { name: 'TypeError', message: /got string "2"/ });
    assert.ok(new ThreadPoolExecutor().maxWorkers >= 1);
  });

  test('a worker that exits or crashes fails its job; a new worker takes the queued jobs', async () => {
    await withPool(1, async (pool) => {
      const exited = pool.submit(() => process.exit(3));
      const next = pool.submit(() => 'next');
      await assert.rejects(exited.promise, (error: WorkerCrashError) => {
        assert.ok(error instanceof WorkerCrashError);
        assert.equal(error.exitCode, 3);
        assert.match(error.message, /exited with code 3 before the job finished/);
        return true;
      });
      assert.equal(await next, 'next');
      const crashed = pool.submit(async () => {
        setTimeout(() => {
          throw new RangeError('thrown in a timer');
        });
        await new Promise(() => {}); // never settles: the worker dies first
      });
      await assert.rejects(crashed.promise, (error: WorkerCrashError) => {
        assert.match(error.message, /crashed with an uncaught error/);
        assert.ok(error.cause instanceof RangeError);
        return true;
      });
      assert.equal(await pool.submit(() => 'recovered'), 'recovered');
      assert.equal(pool.workerCount, 1);
    });
  });
});

/** A pool of one worker, busy with a job waiting at `gate`, and a job queued behind it that increments `counter`. */
function busyPool(options: { cancelRunning?: 'wait' | 'terminate' } = {}) {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1, ...options });
  const gate = cells();
  const counter = cells();
  return { pool, gate, counter, running: pool.submit(waitOpen, gate), queued: pool.submit(increment, counter) };
}

describe('ThreadPoolExecutor: cancel and shutdown', () => {
  test("a job cancelled before it starts never runs; with cancelRunning: 'wait' a running job cannot be cancelled", async () => {
    const { pool, gate, counter, running, queued } = busyPool({ cancelRunning: 'wait' });
    assert.equal(queued.cancel(), true);
    assert.equal(queued.cancelled(), true);
    assert.equal(queued.cancel(), true); // idempotent
    await assert.rejects(queued.promise, CancelledError);
    assert.equal(running.running(), true);
    assert.equal(running.cancel(), false);
    open(gate);
    assert.equal(await running, true);
    assert.equal(await pool.submit(increment, counter), 1); // the cancelled one never ran
    await pool.shutdown();
  });

  test('shutdown() waits for running and queued jobs, then ends every worker', async () => {
    const { pool, gate, running, queued } = busyPool();
    let done = false;
    const shutdown = pool.shutdown().then(() => (done = true));
    assert.throws(() => pool.submit(() => 1), { name: 'Error', message: 'cannot schedule new futures after shutdown' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(done, false); // the running job still waits at its gate
    open(gate);
    await shutdown;
    assert.equal(await running, true);
    assert.equal(await queued, 1);
    assert.equal(pool.workerCount, 0);
    await pool.shutdown(); // again: resolves at once
  });

  test("shutdown({ cancelFutures: true }) cancels queued jobs (and with cancelRunning: 'wait' lets running ones finish); { wait: false } does not wait", async () => {
    const { pool, gate, counter, running, queued } = busyPool({ cancelRunning: 'wait' });
    void running.promise; // awaited below: keeps the process alive even though shutdown does not wait
    await pool.shutdown({ wait: false, cancelFutures: true }); // returns while `running` still runs
    assert.equal(queued.cancelled(), true);
    assert.equal(running.done(), false);
    open(gate);
    assert.equal(await running, true);
    await pool.shutdown();
    assert.equal(Atomics.load(counter, 0), 0);
    assert.equal(pool.workerCount, 0);
  });

  // The timeout only turns a lost job (a hang) into a failure; no timing is asserted.
  test('skipping cancelled jobs while the queue compacts (past 1024 dequeued) loses no job', { timeout: 60_000 }, async () => {
    const { pool, gate, counter, running, queued } = busyPool();
    // Behind `queued`, 1100 more: all but the last cancelled, so the worker skips them in one go.
    const more = Array.from({ length: 1100 }, () => pool.submit(increment, counter));
    assert.equal(queued.cancel(), true);
    for (const job of more.slice(0, -1)) assert.equal(job.cancel(), true);
    open(gate);
    assert.equal(await running, true);
    assert.equal(await more.at(-1)!, 1); // the only one that ran
    assert.equal(await pool.submit(increment, counter), 2);
    await pool.shutdown();
  });

  test('await using shuts the pool down', async () => {
    let outer: ThreadPoolExecutor;
    {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      outer = pool;
      assert.equal(await pool.submit(() => 2), 2);
    }
    assert.equal(outer.workerCount, 0);
    assert.throws(() => outer.submit(() => 1), { message: 'cannot schedule new futures after shutdown' });
  });
});
