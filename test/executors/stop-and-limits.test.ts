import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CancelledError, QueueFull, TimeoutError, createTask, getRunningLoop, run, sleep, timeout, waitFor } from '../../src/index.ts';
import { ResourceLimitError, ThreadPoolExecutor, WorkerCrashError } from '../../src/executors/index.ts';
import { ROOT, runChild } from '../helpers/child.ts';
import { barrier, cells, increment, open, waitOpen } from '../helpers/shared-memory.ts';

/** Job: adds 1 to cell 0 for ever (60 s at most, so that a bug cannot leave a thread spinning). */
const spinForever = (counter: Int32Array): void => {
  const end = Date.now() + 60_000;
  while (Date.now() < end) Atomics.add(counter, 0, 1);
};

/** Real time (setTimeout), for waits on worker threads: the test's loop may be virtual. */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (no deadline: the test's timeout turns a hang into a failure) until `ready()`. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await pause(2);
}

/**
 * The proof that a job stopped: once its pool is shut down (so every worker has exited) the
 * counter it kept incrementing no longer moves. A worker still spinning would keep `shutdown()`
 * from resolving, and move the counter between the two reads.
 */
async function assertStopped(pool: ThreadPoolExecutor, ...counters: Int32Array[]): Promise<void> {
  await pool.shutdown();
  assert.equal(pool.workerCount, 0);
  const before = counters.map((counter) => Atomics.load(counter, 0));
  assert.ok(before.every((count) => count > 0)); // each job did run
  await pause(50);
  assert.deepEqual(
    counters.map((counter) => Atomics.load(counter, 0)),
    before,
    'a job kept running after its worker was stopped',
  );
}

describe('stopping a running job (cancelRunning: "terminate", the default)', { timeout: 60_000 }, () => {
  test('job.cancel() terminates its worker; it rejects with CancelledError; a new worker takes the next job', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const counter = cells();
    const running = pool.submit(spinForever, counter);
    const next = pool.submit((x: number) => x + 1, 41); // queued behind it
    await until(() => Atomics.load(counter, 0) > 0);
    assert.equal(running.running(), true);
    assert.equal(running.cancel(), true);
    assert.equal(running.cancelled(), true);
    assert.equal(running.cancel(), true); // idempotent
    await assert.rejects(running.promise, (error: Error) => {
      assert.ok(error instanceof CancelledError);
      assert.match(error.message, /cancelled while it ran: its worker was stopped/);
      return true;
    });
    assert.equal(await next, 42);
    const stats = pool.stats();
    assert.equal(stats.cancelled, 1);
    assert.equal(stats.completed, 1);
    await assertStopped(pool, counter);
  });

  test('cancelling the task that awaits runInExecutor stops the job (both styles)', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const counters = [cells(), cells()];
    await run(function* () {
      const loop = getRunningLoop();
      const waiter = createTask(function* () {
        return yield* loop.runInExecutor(pool, spinForever, counters[0]!);
      });
      const asyncWaiter = createTask(async () => loop.runInExecutor(pool, spinForever, counters[1]!));
      // The pool has one worker: the second job can only start once the first was stopped.
      while (Atomics.load(counters[0]!, 0) === 0) yield* sleep(1);
      waiter.cancel();
      while (Atomics.load(counters[1]!, 0) === 0) yield* sleep(1);
      asyncWaiter.cancel();
      for (const task of [waiter, asyncWaiter]) {
        try {
          yield* task;
          assert.fail('expected the task to end cancelled');
        } catch (error) {
          assert.ok(error instanceof CancelledError);
        }
      }
      assert.equal(yield* loop.runInExecutor(pool, (s: string) => s.repeat(2), 'ok'), 'okok');
    });
    assert.equal(pool.stats().cancelled, 2);
    await assertStopped(pool, ...counters);
  });

  test('waitFor() and timeout() around runInExecutor stop the work, not only the wait', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const [a, b] = [cells(), cells()];
    await run(function* () {
      const loop = getRunningLoop();
      const job = loop.runInExecutor(pool, spinForever, a);
      while (Atomics.load(a, 0) === 0) yield* sleep(1); // running: the deadline must stop it, not a queued job
      try {
        yield* waitFor(job, 1);
        assert.fail('expected a TimeoutError');
      } catch (error) {
        assert.ok(error instanceof TimeoutError);
      }
    });
    await run(async () => {
      const loop = getRunningLoop();
      await assert.rejects(
        async () =>
          timeout(null, async (cm) => {
            const job = loop.runInExecutor(pool, spinForever, b);
            while (Atomics.load(b, 0) === 0) await sleep(1);
            cm.reschedule(loop.time() + 1);
            await job;
          }),
        TimeoutError,
      );
    });
    assert.equal(pool.stats().cancelled, 2);
    await assertStopped(pool, a, b);
  });

  test('shutdown({ cancelFutures: true }) stops running jobs and cancels queued ones', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const counter = cells();
    const queuedCounter = cells();
    const running = [pool.submit(spinForever, counter), pool.submit(spinForever, counter)];
    const queued = pool.submit(increment, queuedCounter);
    await until(() => pool.stats().busy === 2 && Atomics.load(counter, 0) > 0);
    await pool.shutdown({ cancelFutures: true }); // resolves: the workers were terminated
    for (const job of [...running, queued]) {
      assert.equal(job.cancelled(), true);
      await assert.rejects(job.promise, CancelledError);
    }
    assert.equal(Atomics.load(queuedCounter, 0), 0);
    await assertStopped(pool, counter);
  });

  test('after shutdown({ wait: false }) a spinning job does not keep the process alive', async () => {
    const child = await runChild(path.join(ROOT, 'test', 'executors', 'fixtures', 'shutdown-nowait-exits.ts'), { timeoutMs: 30_000 });
    assert.equal(child.timedOut, false, 'the child did not exit by itself');
    assert.equal(child.stderr, '');
    assert.equal(child.code, 0);
    assert.equal(child.stdout.trim(), 'shut down without waiting; job started: true');
  });
});

describe("cancelRunning: 'wait' (Python's behaviour)", { timeout: 60_000 }, () => {
  test('a running job cannot be cancelled; its Future can, and the result is discarded', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, cancelRunning: 'wait' });
    const gate = cells();
    const counter = cells();
    const running = pool.submit(waitOpen, gate);
    const queued = pool.submit(increment, counter);
    await until(() => running.running());
    assert.equal(running.cancel(), false);
    assert.equal(queued.cancel(), true); // a queued job still can
    await run(async () => {
      const future = getRunningLoop().runInExecutor(pool, increment, counter);
      assert.equal(future.cancel(), true);
      open(gate);
      assert.equal(await running, true);
      assert.equal(await getRunningLoop().runInExecutor(pool, increment, counter), 1); // the cancelled ones never ran
    });
    // shutdown({ cancelFutures: true }) leaves a running job alone too.
    const gate2 = cells();
    const second = pool.submit(waitOpen, gate2);
    await until(() => second.running());
    const shut = pool.shutdown({ cancelFutures: true });
    assert.equal(second.cancelled(), false);
    open(gate2);
    await shut;
    assert.equal(await second, true);
  });

  test('options are checked with one message template', () => {
    const make = (options: object) => () => new ThreadPoolExecutor(options as never);
    assert.throws(make({ cancelRunning: 'kill' }), { name: 'TypeError', message: /^new ThreadPoolExecutor\(\) expects cancelRunning to be 'terminate' or 'wait', got string "kill"$/ });
    assert.throws(make({ minWorkers: -1 }), { name: 'RangeError', message: /^new ThreadPoolExecutor\(\) expects minWorkers to be an integer >= 0, got -1$/ });
    assert.throws(make({ maxWorkers: 2, minWorkers: 3 }), { name: 'RangeError', message: /expects minWorkers to be at most maxWorkers \(2\), got 3/ });
    assert.throws(make({ idleTimeoutMs: '5' }), { name: 'TypeError', message: /expects idleTimeoutMs to be an integer >= 0 or Infinity, got string "5"/ });
    assert.throws(make({ maxQueue: 1.5 }), { name: 'RangeError', message: /expects maxQueue to be an integer >= 0 or Infinity, got 1.5/ });
    assert.throws(make({ resourceLimits: 64 }), { name: 'TypeError', message: /expects resourceLimits to be an object such as \{ maxOldGenerationSizeMb: 256 \}, got number 64/ });
    assert.throws(make({ resourceLimits: { maxHeapMb: 64 } }), { name: 'TypeError', message: /resourceLimits.maxHeapMb is not a limit; the limits are maxOldGenerationSizeMb, / });
    assert.throws(make({ resourceLimits: { stackSizeMb: 0 } }), { name: 'RangeError', message: /expects resourceLimits.stackSizeMb to be a number of megabytes > 0, got 0/ });
  });
});

describe('limits and stats', { timeout: 60_000 }, () => {
  test('resourceLimits turn a runaway allocation into a ResourceLimitError; the pool goes on', async () => {
    const limits = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 };
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: limits });
    const hog = pool.submit(() => {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(100_000).fill(1.5));
    });
    const after = pool.submit((s: string) => `${s} after`, 'still works');
    await assert.rejects(hog.promise, (error: ResourceLimitError) => {
      assert.ok(error instanceof ResourceLimitError);
      assert.ok(error instanceof WorkerCrashError);
      assert.equal(error.name, 'ResourceLimitError');
      assert.deepEqual(error.resourceLimits, limits);
      assert.match(error.message, /ran out of the memory its worker thread may use \(resourceLimits: \{ maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 \}\).*raise resourceLimits/);
      return true;
    });
    assert.equal(await after, 'still works after');
    assert.equal(pool.stats().failed, 1);
    await pool.shutdown();
  });

  test('minWorkers start with the pool; idleTimeoutMs ends idle workers down to minWorkers', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 3, minWorkers: 1, idleTimeoutMs: 10 });
    assert.equal(pool.stats().workers, 1);
    const shared = cells();
    assert.deepEqual(await Promise.all([1, 2, 3].map(() => pool.submit(barrier, shared, 3))), [true, true, true]);
    assert.equal(pool.stats().busy, 0);
    await until(() => pool.stats().workers === 1); // the two extra workers expired
    await pause(100); // ten idle timeouts more: the last one stays
    assert.equal(pool.stats().workers, 1);
    assert.equal(await pool.submit(() => 'warm'), 'warm');
    await pool.shutdown();
    assert.equal(pool.workerCount, 0);
  });

  test('maxQueue: submit() beyond it throws QueueFull at once; room comes back as jobs leave the queue', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 2 });
    const gate = cells();
    const counter = cells();
    const running = pool.submit(waitOpen, gate); // takes the worker: not queued
    const queued = [pool.submit(increment, counter), pool.submit(increment, counter)];
    assert.throws(() => pool.submit(increment, counter), (error: Error) => {
      assert.ok(error instanceof QueueFull);
      assert.match(error.message, /^submit\(\): the queue of the ThreadPoolExecutor is full \(maxQueue: 2 jobs waiting, 1 workers busy\): wait for jobs to finish before submitting more, or raise maxQueue$/);
      return true;
    });
    assert.throws(() => pool.map((x: number) => x, [1]), QueueFull);
    assert.equal(pool.stats().queued, 2);
    queued[1]!.cancel();
    const third = pool.submit(increment, counter);
    open(gate);
    assert.equal(await running, true);
    assert.deepEqual([await queued[0], await third], [1, 2]);
    await pool.shutdown();
  });

  test('stats() counts workers, busy and queued now, and jobs completed, failed and cancelled', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    assert.deepEqual(pool.stats(), { workers: 0, busy: 0, queued: 0, completed: 0, failed: 0, cancelled: 0, utilization: 0 });
    const gate = cells();
    const blockers = [pool.submit(waitOpen, gate), pool.submit(waitOpen, gate)];
    const queued = [pool.submit(() => 1), pool.submit(() => 2), pool.submit(() => 3)];
    queued[2]!.cancel();
    let stats = pool.stats();
    assert.deepEqual([stats.workers, stats.busy, stats.queued, stats.cancelled], [2, 2, 2, 1]);
    open(gate);
    await Promise.all([...blockers, queued[0], queued[1]]);
    await assert.rejects(pool.submit(() => JSON.parse('{')).promise, SyntaxError);
    stats = pool.stats();
    assert.deepEqual([stats.workers, stats.busy, stats.queued, stats.completed, stats.failed, stats.cancelled], [2, 0, 0, 4, 1, 1]);
    assert.ok(stats.utilization > 0 && stats.utilization <= 1);
    await pool.shutdown();
  });
});
