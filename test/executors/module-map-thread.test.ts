import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CancelledError, TimeoutError, forAwait, getRunningLoop, run, toThread } from '../../src/index.ts';
import { ThreadPoolExecutor, moduleTask } from '../../src/executors/index.ts';
import type * as jobs from './fixtures/jobs.ts';
import { cells, open, waitOpen } from '../helpers/shared-memory.ts';
import { prng } from '../helpers/prng.ts';

const JOBS = new URL('./fixtures/jobs.ts', import.meta.url);

/** Runs `body` with a pool, shut down afterwards even if the body fails. */
async function withPool<T>(maxWorkers: number, body: (pool: ThreadPoolExecutor) => Promise<T>): Promise<T> {
  const pool = new ThreadPoolExecutor({ maxWorkers });
  try {
    return await body(pool);
  } finally {
    await pool.shutdown({ cancelFutures: true });
  }
}

describe('moduleTask: a module export run in a worker, with its imports', { timeout: 60_000 }, () => {
  test('a TypeScript module that imports a Node module and a sibling module runs in the worker', async () => {
    const digest = moduleTask<typeof jobs.digest>(JOBS, 'digest');
    const loud = moduleTask<typeof jobs.loud>(fileURLToPath(JOBS), 'loud'); // an absolute path works too
    assert.equal(digest.module, JOBS.href);
    assert.equal(digest.exportName, 'digest');
    await withPool(2, async (pool) => {
      const expected = await digest('abc'); // called directly: on this thread
      assert.match(expected, /^[0-9a-f]{16}$/);
      assert.equal(await pool.submit(digest, 'abc'), expected);
      assert.deepEqual(await pool.submit(loud, 'hi'), { text: 'HI!', mainThread: false });
      assert.equal(await pool.submit(moduleTask<typeof jobs.later>(JOBS, 'later'), 21), 42);
      assert.equal(await pool.submit(moduleTask<typeof jobs.default>(JOBS), 7), 49); // the default export
      // In both styles through runInExecutor, and as a map.
      await run(function* () {
        assert.equal(yield* getRunningLoop().runInExecutor(pool, digest, 'abc'), expected);
      });
      const squares: number[] = [];
      for await (const n of pool.map(moduleTask<typeof jobs.default>(JOBS), [1, 2, 3], { chunksize: 2 })) squares.push(n);
      assert.deepEqual(squares, [1, 4, 9]);
    });
  });

  test('a JavaScript module (a .mjs file, a data: URL) needs no loader', async () => {
    const source = 'export const twice = (x) => 2 * x;';
    const twice = moduleTask<(x: number) => number>(new URL(`data:text/javascript,${encodeURIComponent(source)}`), 'twice');
    const joined = moduleTask<(parts: string[]) => string>(new URL('./fixtures/plain.mjs', import.meta.url), 'joinPath');
    await withPool(1, async (pool) => {
      assert.equal(await pool.submit(twice, 4), 8);
      assert.equal(await pool.submit(joined, ['a', 'b', 'c.txt']), 'a/b/c.txt');
    });
  });

  test('errors: thrown errors keep their class and code; a missing export or module says what exists', async () => {
    await withPool(1, async (pool) => {
      await assert.rejects(pool.submit(moduleTask<typeof jobs.fail>(JOBS, 'fail'), 'E_X').promise, (error: RangeError & { code?: string }) => {
        assert.ok(error instanceof RangeError);
        assert.equal(error.message, 'bad input E_X');
        assert.equal(error.code, 'E_X');
        return true;
      });
      await assert.rejects(pool.submit(moduleTask(JOBS, 'notAFunction')).promise, (error: TypeError) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /jobs\.ts has no exported function named "notAFunction" \(got number\); its exported functions: .*digest.*loud/);
        return true;
      });
      await assert.rejects(pool.submit(moduleTask(new URL('./fixtures/missing.ts', import.meta.url), 'x')).promise, (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_MODULE_NOT_FOUND');
        return true;
      });
      assert.equal(await pool.submit(moduleTask<typeof jobs.default>(JOBS), 3), 9); // the worker is fine
    });
    assert.throws(() => moduleTask('./fixtures/jobs.ts', 'digest'), {
      name: 'TypeError',
      message: /^moduleTask\(\) expects a file: URL or an absolute path of the module, got string ".\/fixtures\/jobs.ts": .*new URL\('.\/jobs.js', import.meta.url\)/,
    });
    assert.throws(() => moduleTask(JOBS, ''), { name: 'TypeError', message: /expects the name of an exported function.*got string ""/ });
  });
});

describe('executor.map', { timeout: 60_000 }, () => {
  test('results come in item order, whichever job finishes first', async () => {
    await withPool(3, async (pool) => {
      const shared = cells();
      // Item 0 waits until items 1 and 2 are done: it finishes last, and is still yielded first.
      const job = (args: [Int32Array, number]): number => {
        const [done, item] = args;
        if (item === 0) {
          const end = Date.now() + 10_000;
          while (Atomics.load(done, 0) < 2 && Date.now() < end) Atomics.wait(done, 0, Atomics.load(done, 0), 50);
          return Atomics.load(done, 0) * 100;
        }
        Atomics.add(done, 0, 1);
        Atomics.notify(done, 0);
        return item;
      };
      const results: number[] = [];
      for await (const value of pool.map(job, [0, 1, 2].map((i) => [shared, i] as [Int32Array, number]))) results.push(value);
      assert.deepEqual(results, [200, 1, 2]);
    });
  });

  test('chunksize groups items into fewer jobs; generator style with forAwait', async () => {
    await withPool(2, async (pool) => {
      const items = Array.from({ length: 10 }, (_, i) => i);
      const seen: number[] = [];
      await run(function* () {
        yield* forAwait(pool.map((n: number) => n * 10, items, { chunksize: 3 }), (value) => {
          seen.push(value);
        });
      });
      assert.deepEqual(seen, items.map((n) => n * 10));
      assert.equal(pool.stats().completed, 4); // ceil(10 / 3) jobs
      const empty: unknown[] = [];
      for await (const value of pool.map((n: number) => n, [])) empty.push(value);
      assert.deepEqual(empty, []);
    });
  });

  test('the first error is thrown at its turn, after the results before it; the rest is cancelled', async () => {
    await withPool(1, async (pool) => {
      const gate = cells();
      const before = pool.submit(waitOpen, gate); // holds the only worker: the map's jobs queue behind it
      const results = pool.map((n: number) => {
        if (n === 2) throw new RangeError(`item ${n}`);
        return n;
      }, [0, 1, 2, 3, 4]);
      open(gate);
      await before;
      const seen: number[] = [];
      await assert.rejects(
        async () => {
          for await (const value of results) seen.push(value);
        },
        { name: 'RangeError', message: 'item 2' },
      );
      assert.deepEqual(seen, [0, 1]);
      const stats = pool.stats();
      assert.equal(stats.completed + stats.failed + stats.cancelled, 6); // every job accounted for
      assert.equal(stats.failed, 1);
    });
  });

  test('break stops early and cancels the jobs not done; timeout throws TimeoutError', async () => {
    await withPool(1, async (pool) => {
      const gate = cells();
      const first: number[] = [];
      for await (const value of pool.map((args: [Int32Array, number]) => (args[1] === 0 ? args[1] : (Atomics.wait(args[0], 0, 0, 10_000), args[1])), [0, 1, 2].map((i) => [gate, i] as [Int32Array, number]))) {
        first.push(value);
        break; // item 1 is running (waiting at the gate), item 2 queued
      }
      assert.deepEqual(first, [0]);
      assert.equal(pool.stats().cancelled, 2); // the running one was stopped, the queued one withdrawn
      const slow = pool.map(waitOpen, [gate], { timeout: 20 });
      await assert.rejects(slow.next(), (error: Error) => {
        assert.ok(error instanceof TimeoutError);
        assert.match(error.message, /^map\(\): a result was not ready within the timeout of 20 ms$/);
        return true;
      });
      assert.equal(pool.stats().cancelled, 3);
    });
  });

  test('bad arguments are errors at the call', async () => {
    await withPool(1, async (pool) => {
      const map = pool.map.bind(pool) as (fn: unknown, items: unknown, options?: unknown) => unknown;
      assert.throws(() => map((x: number) => x, 5), { name: 'TypeError', message: /^map\(\) expects an iterable of items, got number 5/ });
      assert.throws(() => map((x: number) => x, [1], { chunksize: 0 }), { name: 'RangeError', message: /^map\(\) expects chunksize to be a positive integer, got 0$/ });
      assert.throws(() => map((x: number) => x, [1], { chunksize: '2' }), { name: 'TypeError', message: /^map\(\) expects chunksize to be a positive integer, got string "2"$/ });
      assert.throws(() => map((x: number) => x, [1], { timeout: -1 }), { name: 'RangeError', message: /expects timeout to be null or a number of milliseconds >= 0, got -1$/ });
      assert.throws(() => map(Math.abs, [1]), { name: 'TypeError', message: /\[native code\]/ });
      assert.equal(pool.stats().queued + pool.stats().completed, 0);
    });
  });
});

describe('toThread', { timeout: 60_000 }, () => {
  test("runs in the loop's default executor, in both styles; errors keep their class", async () => {
    const [a, b] = await run(function* () {
      const first = yield* toThread((x: number, y: number) => x * y, 6, 7);
      const second = yield* toThread(() => require('node:worker_threads').isMainThread as boolean);
      return [first, second];
    });
    assert.deepEqual([a, b], [42, false]);
    await run(async () => {
      assert.equal(await toThread((s: string) => s.split('').reverse().join(''), 'abc'), 'cba');
      await assert.rejects(async () => toThread(() => JSON.parse('{')), SyntaxError);
    });
    assert.throws(() => toThread(() => 1), { name: 'Error', message: 'no running event loop' });
  });

  test('cancelling it stops the job', async () => {
    const counter = cells();
    await run(async () => {
      const job = toThread((c: Int32Array) => {
        for (const end = Date.now() + 60_000; Date.now() < end; ) Atomics.add(c, 0, 1);
      }, counter);
      while (Atomics.load(counter, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      job.cancel();
      await assert.rejects(async () => job, CancelledError);
    }); // run() shuts the default executor down, waiting for its workers: it would hang on a spinning one
    const after = Atomics.load(counter, 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(Atomics.load(counter, 0), after);
  });
});

describe('stress', { timeout: 120_000 }, () => {
  test('10,000 jobs through 2 workers with random cancels, queued and running: none lost, none run twice', async () => {
    const random = prng(15);
    const N = 10_000;
    const runs = cells(N);
    await withPool(2, async (pool) => {
      const job = (counts: Int32Array, i: number): number => {
        Atomics.add(counts, i, 1);
        if (i % 1000 === 999) for (const end = Date.now() + 5; Date.now() < end; ); // a few slow ones, to be cancelled running
        return i;
      };
      const all: ReturnType<typeof pool.submit<[Int32Array, number], number>>[] = [];
      let stoppedRunning = 0;
      for (let i = 0; i < N; i++) {
        all.push(pool.submit(job, runs, i));
        if (i % 250 === 249) {
          await new Promise((resolve) => setImmediate(resolve)); // let jobs start, so some cancels hit running jobs
          for (let k = 0; k < 20; k++) all[Math.floor(random() * all.length)]!.cancel();
          for (let k = 0; k < all.length; k++) {
            if (all[k]!.running() && random() < 0.5 && all[k]!.cancel()) stoppedRunning++;
          }
        }
      }
      assert.ok(stoppedRunning > 0, 'no running job was cancelled');
      const outcomes = await Promise.allSettled(all.map((j) => j.promise));
      let fulfilled = 0;
      let cancelled = 0;
      outcomes.forEach((outcome, i) => {
        const count = Atomics.load(runs, i);
        assert.ok(count <= 1, `job ${i} ran ${count} times`);
        if (outcome.status === 'fulfilled') {
          fulfilled++;
          assert.equal(outcome.value, i);
          assert.equal(count, 1);
        } else {
          cancelled++;
          assert.ok(outcome.reason instanceof CancelledError, `job ${i}: ${String(outcome.reason)}`);
          assert.equal(all[i]!.cancelled(), true);
        }
      });
      assert.equal(fulfilled + cancelled, N);
      assert.ok(cancelled > 0 && fulfilled > 0);
      const stats = pool.stats();
      assert.deepEqual([stats.completed, stats.cancelled, stats.failed, stats.queued], [fulfilled, cancelled, 0, 0]);
    });
  });
});
