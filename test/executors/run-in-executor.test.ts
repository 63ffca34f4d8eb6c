import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  ThreadPoolExecutor,
  createTask,
  getRunningLoop,
  newEventLoop,
  run,
  sleep,
  waitFor,
  type Executor,
  type ExecutorJob,
} from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { fixture, runChild } from '../helpers/child.ts';
import { cells, increment, open, spin, waitOpen } from '../helpers/shared-memory.ts';

describe('loop.runInExecutor', () => {
  test('generator style: yield* gives the result; the default executor is used for null', async () => {
    const result = await run(function* () {
      const loop = getRunningLoop();
      const future = loop.runInExecutor(null, (a: number, b: string) => `${b}${a * 2}`, 21, 'x');
      return yield* future;
    });
    assert.equal(result, 'x42');
  });

  test('async style: await gives the result, and errors keep their class and message', async () => {
    await run(async () => {
      const loop = getRunningLoop();
      assert.deepEqual(await loop.runInExecutor(null, async (n: number) => [n, n + 1], 1), [1, 2]);
      await assert.rejects(
        async () => {
          await loop.runInExecutor(null, () => {
            throw new TypeError('bad input');
          });
        },
        { name: 'TypeError', message: 'bad input' },
      );
    });
  });

  test('the loop keeps running tasks while a job keeps a worker busy', async () => {
    const shared = cells();
    const ticks = await run(function* () {
      const loop = getRunningLoop();
      // The job spins until the loop has ticked 5 times: it can only end if both run at once.
      const job = loop.runInExecutor(
        null,
        (ticked: Int32Array) => {
          const end = Date.now() + 10_000;
          while (Atomics.load(ticked, 0) < 5 && Date.now() < end) {
            // busy, in the worker
          }
          return Atomics.load(ticked, 0);
        },
        shared,
      );
      const ticker = createTask(function* () {
        for (;;) {
          yield* sleep(1);
          Atomics.add(shared, 0, 1);
        }
      });
      const seen = yield* job;
      ticker.cancel();
      return seen;
    });
    assert.ok(ticks >= 5, `the job saw ${ticks} ticks`);
    // And a job that spins ~100 ms while a task counts its own steps: they progress together.
    const steps = await run(async () => {
      let count = 0;
      const job = getRunningLoop().runInExecutor(null, spin, 100);
      const counter = createTask(function* () {
        for (;;) {
          yield* sleep(0);
          count++;
        }
      });
      await job;
      counter.cancel();
      return count;
    });
    assert.ok(steps > 0);
  });

  test('cancelling the Future of a job that has not started: it never runs', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = cells();
    const counter = cells();
    await run(function* () {
      const loop = getRunningLoop();
      const blocker = loop.runInExecutor(pool, waitOpen, gate);
      const queued = loop.runInExecutor(pool, increment, counter);
      assert.equal(queued.cancel('not needed'), true);
      assert.equal(queued.cancelled(), true);
      // A task awaiting a queued job: cancelling the task withdraws the job too.
      const waiter = createTask(function* () {
        return yield* loop.runInExecutor(pool, increment, counter);
      });
      yield* sleep(0);
      waiter.cancel();
      try {
        yield* waiter;
        assert.fail('expected the waiter to end cancelled');
      } catch (error) {
        assert.ok(error instanceof CancelledError);
      }
      open(gate);
      assert.equal(yield* blocker, true);
      assert.equal(yield* loop.runInExecutor(pool, increment, counter), 1); // the others never ran
    });
    await pool.shutdown();
  });

  test('cancelling the Future of a running job ends it (cancelRunning: "terminate"); the pool stays usable', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = cells();
    await run(async () => {
      const loop = getRunningLoop();
      const running = loop.runInExecutor(pool, waitOpen, gate);
      assert.equal(running.cancel(), true);
      await assert.rejects(async () => running, CancelledError);
      open(gate);
      assert.equal(await loop.runInExecutor(pool, (x: number) => x + 1, 1), 2); // after the running one
      assert.equal(running.cancelled(), true);
    });
    await pool.shutdown();
  });

  test('bad arguments are TypeErrors; a closed loop refuses', async () => {
    await run(function* () {
      const loop = getRunningLoop();
      const runIn = loop.runInExecutor.bind(loop) as (executor: unknown, fn: unknown, ...args: unknown[]) => unknown;
      assert.throws(() => runIn({ submit: 1 }, () => 1), { name: 'TypeError', message: /expects an executor.*got Object object/ });
      assert.throws(() => runIn(null, 42), { name: 'TypeError', message: /^runInExecutor\(\) expects a function.*got number 42/ });
      // Forgetting the executor: say how to get the default one.
      assert.throws(() => runIn((n: number) => n, 1), { name: 'TypeError', message: /expects an executor.*got function.*pass null.*runInExecutor\(null, fn, \.\.\.args\)/ });
      // A coroutine function, with any executor (asyncio refuses coroutines too).
      const inline: Executor = { submit: () => ({ then: () => undefined, cancel: () => false }) as never, shutdown: async () => {} };
      assert.throws(() => runIn(inline, function* () {}), { name: 'TypeError', message: /^runInExecutor\(\) cannot run a generator function/ });
      assert.throws(() => loop.setDefaultExecutor({} as Executor), { name: 'TypeError', message: /setDefaultExecutor\(\) expects an executor/ });
      yield* sleep(0);
    });
    const loop = newEventLoop();
    loop.close();
    assert.throws(() => loop.runInExecutor(null, () => 1), { name: 'Error', message: 'Event loop is closed' });
  });

  test('any object with submit() and shutdown() is an executor', async () => {
    const calls: string[] = [];
    const inline: Executor = {
      submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): ExecutorJob<Awaited<R>> {
        calls.push('submit');
        const promise = new Promise<Awaited<R>>((resolve) => setImmediate(() => resolve(fn(...args) as Awaited<R>)));
        return { then: (ok, err) => promise.then(ok, err), cancel: () => false };
      },
      async shutdown() {
        calls.push('shutdown');
      },
    };
    const captured = 'closures are fine here';
    const result = await run(function* () {
      getRunningLoop().setDefaultExecutor(inline);
      return yield* getRunningLoop().runInExecutor(null, () => captured);
    });
    assert.equal(result, captured);
    assert.deepEqual(calls, ['submit', 'shutdown']); // run() shut the default executor down
  });
});

describe('shutdownDefaultExecutor and run()', () => {
  test('waits for running jobs; afterwards runInExecutor(null) throws; it is idempotent', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const gate = cells();
    const counter = cells();
    await run(async () => {
      const loop = getRunningLoop();
      loop.setDefaultExecutor(pool);
      const job = loop.runInExecutor(null, waitOpen, gate);
      let shut = false;
      const shutdown = loop.shutdownDefaultExecutor().then(() => (shut = true));
      await sleep(10);
      assert.equal(shut, false); // the job still waits at its gate
      open(gate);
      await shutdown;
      assert.equal(job.done() && job.result(), true);
      assert.equal(pool.workerCount, 0);
      assert.throws(() => loop.runInExecutor(null, increment, counter), { name: 'Error', message: 'Executor shutdown has been called' });
      await loop.shutdownDefaultExecutor(); // again
      const other = new ThreadPoolExecutor({ maxWorkers: 1 });
      assert.equal(await loop.runInExecutor(other, increment, counter), 1); // explicit executors still work
      await other.shutdown();
    });
  });

  test('with a timeout, warns and stops waiting when it passes', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = cells();
    const warned = new Promise<Error>((resolve) => {
      const listener = (warning: Error): void => {
        if (warning.name !== 'RuntimeWarning') return;
        process.removeListener('warning', listener);
        resolve(warning);
      };
      process.on('warning', listener);
    });
    await run(async () => {
      const loop = getRunningLoop();
      loop.setDefaultExecutor(pool);
      const job = loop.runInExecutor(null, waitOpen, gate);
      await loop.shutdownDefaultExecutor(20);
      assert.equal(job.done(), false);
      const warning = await warned;
      assert.equal(warning.name, 'RuntimeWarning');
      assert.match(warning.message, /did not finish joining its workers within 20 ms/);
      open(gate);
      assert.equal(await job, true);
    });
    await pool.shutdown();
    await assert.rejects(run(() => getRunningLoop().shutdownDefaultExecutor(-1)), RangeError);
  });

  test('run() shuts the default executor down; with none created, no worker is started', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await run(function* () {
      getRunningLoop().setDefaultExecutor(pool);
      yield* getRunningLoop().runInExecutor(null, () => 1);
    });
    assert.equal(pool.workerCount, 0);
    assert.throws(() => pool.submit(() => 1), { message: 'cannot schedule new futures after shutdown' });
  });

  test('loop.close() shuts a default executor nobody shut down, without waiting', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const loop = newEventLoop();
    loop.setDefaultExecutor(pool);
    assert.equal(await loop.runUntilComplete(loop.runInExecutor(null, (x: number) => -x, 5)), -5);
    loop.close();
    assert.throws(() => pool.submit(() => 1), { message: 'cannot schedule new futures after shutdown' });
    await pool.shutdown();
    assert.equal(pool.workerCount, 0);
  });

  test('a process that used the default executor in run() exits by itself, after its jobs', async () => {
    const child = await runChild(fixture('executor-run-exits.ts'), { timeoutMs: 30_000 });
    assert.equal(child.timedOut, false, 'the child did not exit by itself');
    assert.equal(child.stderr, '');
    assert.equal(child.code, 0);
    assert.equal(child.stdout.trim(), 'result 42, leftover job finished before run() returned: true\nidle pool: 2 3');
  });
});

describe('executors under virtual time', () => {
  test('the clock does not jump past a job running in a worker', async () => {
    const job = (ms: number): string => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // real work, 50 ms of real time
      }
      return 'done';
    };
    const [result, at] = await runVirtual(function* () {
      const loop = getRunningLoop();
      const value = yield* waitFor(loop.runInExecutor(null, job, 50), 1000);
      return [value, loop.time()] as const;
    });
    assert.equal(result, 'done');
    assert.equal(at, 0); // the job's 50 real ms are no virtual time at all
    const asyncAt = await runVirtual(async () => {
      const loop = getRunningLoop();
      await waitFor(loop.runInExecutor(null, job, 50), 1000);
      return loop.time();
    });
    assert.equal(asyncAt, 0);
  });
});
