import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CancelledError, TimeoutError, getRunningLoop, run, waitFor, sleep } from '../../src/index.ts';
import { ProcessPoolExecutor, ResourceLimitError, WorkerCrashError, moduleTask } from '../../src/executors/index.ts';
import type * as jobs from './fixtures/jobs.ts';
import { ROOT, runChild } from '../helpers/child.ts';
import { prng } from '../helpers/prng.ts';

// Processes share no memory: these tests observe jobs through files in a temporary directory.
const dir = mkdtempSync(path.join(tmpdir(), 'aio-process-pool-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempFile = (): string => path.join(dir, `f${files++}`);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await pause(5);
}
const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** Job: appends a byte to `file` for ever (60 s at most): the file's size counts its steps. */
const countForever = (file: string): void => {
  const fs = require('node:fs') as typeof import('node:fs');
  const end = Date.now() + 60_000;
  while (Date.now() < end) fs.appendFileSync(file, '.');
};
const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/** After shutdown() (every worker process has exited), the file a stopped job wrote no longer changes. */
async function assertStopped(pool: ProcessPoolExecutor, file: string): Promise<void> {
  await pool.shutdown();
  assert.equal(pool.workerCount, 0);
  const before = size(file);
  assert.ok(before > 0); // the job did run
  await pause(50);
  assert.equal(size(file), before, 'the job kept running after its process was killed');
}

describe('ProcessPoolExecutor', { timeout: 120_000 }, () => {
  test('jobs run in other processes; data crosses by structured clone; errors keep their class', async () => {
    await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    const pids = await Promise.all([1, 2].map(() => pool.submit(() => process.pid)));
    assert.ok(pids.every((pid) => pid !== process.pid));
    const data = { when: new Date(0), map: new Map([['k', [1, 2]]]), bytes: new Uint8Array([1, 2]) };
    assert.deepEqual(await pool.submit((value: typeof data) => ({ ...value, seen: true }), data), { ...data, seen: true });
    await assert.rejects(pool.submit(() => JSON.parse('{')).promise, SyntaxError);
    await assert.rejects(pool.submit((f: unknown) => f, () => 1).promise, { name: 'DataCloneError', message: /cannot be sent to a worker process/ });
    await assert.rejects(pool.submit(() => () => 1).promise, { name: 'DataCloneError', message: /sent back from the worker process/ });
    // A module task with its own imports, and map in order.
    const loud = moduleTask<typeof jobs.loud>(new URL('./fixtures/jobs.ts', import.meta.url), 'loud');
    assert.deepEqual(await pool.submit(loud, 'hey'), { text: 'HEY!', mainThread: true }); // a process's main thread
    const out: number[] = [];
    for await (const n of pool.map((x: number) => x * 3, [1, 2, 3, 4, 5], { chunksize: 2 })) out.push(n);
    assert.deepEqual(out, [3, 6, 9, 12, 15]);
    assert.deepEqual([pool.stats().completed, pool.stats().failed], [7, 3]);
  });

  test('a process that exits, aborts or throws later fails its job with WorkerCrashError; the pool recovers', async () => {
    await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    await assert.rejects(pool.submit(() => process.exit(3)).promise, (error: WorkerCrashError) => {
      assert.ok(error instanceof WorkerCrashError);
      assert.equal(error.exitCode, 3);
      assert.match(error.message, /^the worker process running the job exited with code 3/);
      return true;
    });
    const thrownLater = pool.submit(async () => {
      setTimeout(() => {
        throw new RangeError('thrown in a timer');
      });
      await new Promise(() => {});
    });
    await assert.rejects(thrownLater.promise, (error: WorkerCrashError) => {
      assert.match(error.message, /crashed with an uncaught error \(RangeError: thrown in a timer\)/);
      assert.ok(error.cause instanceof RangeError);
      return true;
    });
    assert.equal(await pool.submit(() => 'recovered'), 'recovered');
  });

  test('cancelling a queued job withdraws it; cancelling a running one kills its process', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const file = tempFile();
    const never = tempFile();
    const running = pool.submit(countForever, file);
    const queued = pool.submit(countForever, never);
    assert.equal(queued.cancel(), true);
    await until(() => size(file) > 0);
    assert.equal(running.cancel(), true);
    await assert.rejects(running.promise, CancelledError);
    assert.equal(await pool.submit((s: string) => s + '!', 'next'), 'next!'); // a fresh process
    assert.equal(existsSync(never), false);
    await assertStopped(pool, file);
  });

  test('waitFor() around runInExecutor kills the process of the job', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const file = tempFile();
    await run(function* () {
      const job = getRunningLoop().runInExecutor(pool, countForever, file);
      while (size(file) === 0) yield* sleep(5);
      try {
        yield* waitFor(job, 1);
        assert.fail('expected a TimeoutError');
      } catch (error) {
        assert.ok(error instanceof TimeoutError);
      }
    });
    await assertStopped(pool, file);
  });

  test('shutdown() waits for running and queued jobs; cancelFutures stops them', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const first = pool.submit((ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return 'first';
    }, 30);
    const second = pool.submit(() => 'second');
    await pool.shutdown();
    assert.deepEqual([await first, await second], ['first', 'second']);
    assert.throws(() => pool.submit(() => 1), { message: 'cannot schedule new futures after shutdown' });

    const other = new ProcessPoolExecutor({ maxWorkers: 1 });
    const file = tempFile();
    const running = other.submit(countForever, file);
    const queued = other.submit(() => 'never');
    await until(() => size(file) > 0);
    await other.shutdown({ cancelFutures: true });
    assert.deepEqual([running.cancelled(), queued.cancelled()], [true, true]);
    const before = size(file);
    await pause(50);
    assert.equal(size(file), before);
  });

  test('after shutdown({ wait: false }) a spinning job lets the process exit, and its worker process dies with it', async () => {
    const child = await runChild(path.join(ROOT, 'test', 'executors', 'fixtures', 'process-nowait-exits.ts'), { timeoutMs: 30_000 });
    assert.equal(child.timedOut, false, 'the child did not exit by itself');
    assert.equal(child.code, 0, child.stderr);
    const pid = Number(/^worker (\d+)$/.exec(child.stdout.trim())?.[1]);
    assert.ok(pid > 0, child.stdout);
    await until(() => {
      try {
        process.kill(pid, 0);
        return false; // still alive
      } catch {
        return true;
      }
    });
  });

  test('resourceLimits: a runaway allocation fails with ResourceLimitError; the pool goes on', async () => {
    await using pool = new ProcessPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    await assert.rejects(
      pool.submit(() => {
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array(100_000).fill(1.5));
      }).promise,
      (error: ResourceLimitError) => {
        assert.ok(error instanceof ResourceLimitError);
        assert.match(error.message, /memory its worker process may use \(resourceLimits: \{ maxOldGenerationSizeMb: 32 \}\)/);
        return true;
      },
    );
    assert.equal(await pool.submit(() => 'fine'), 'fine');
    assert.throws(() => new ProcessPoolExecutor({ resourceLimits: { codeRangeSizeMb: 8 } }), { name: 'TypeError', message: /codeRangeSizeMb applies to worker threads only/ });
    assert.throws(() => new ProcessPoolExecutor({ maxWorkers: 0 }), { name: 'RangeError', message: /^new ProcessPoolExecutor\(\) expects maxWorkers to be a positive integer, got 0$/ });
  });

  test('2,000 jobs through 2 processes with random cancels, queued and running: none lost, none run twice', async () => {
    const random = prng(16);
    const N = 2_000;
    const log = tempFile();
    await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
    const job = (file: string, i: number): number => {
      require('node:fs').appendFileSync(file, `${i}\n`); // one small O_APPEND write: never interleaved
      return i;
    };
    const all: ReturnType<typeof pool.submit<[string, number], number>>[] = [];
    let stoppedRunning = 0;
    for (let i = 0; i < N; i++) {
      all.push(pool.submit(job, log, i));
      if (i % 100 === 99) {
        await pause(1);
        for (let k = 0; k < 10; k++) all[Math.floor(random() * all.length)]!.cancel();
        if (stoppedRunning < 5) {
          const busy = all.find((j) => j.running());
          if (busy?.cancel()) stoppedRunning++;
        }
      }
    }
    const outcomes = await Promise.allSettled(all.map((j) => j.promise));
    const runs = new Map<number, number>();
    for (const line of read(log).split('\n').filter(Boolean)) runs.set(Number(line), (runs.get(Number(line)) ?? 0) + 1);
    let fulfilled = 0;
    outcomes.forEach((outcome, i) => {
      assert.ok((runs.get(i) ?? 0) <= 1, `job ${i} ran ${runs.get(i)} times`);
      if (outcome.status === 'fulfilled') {
        fulfilled++;
        assert.equal(outcome.value, i);
        assert.equal(runs.get(i), 1);
      } else {
        assert.ok(outcome.reason instanceof CancelledError, `job ${i}: ${String(outcome.reason)}`);
      }
    });
    assert.ok(stoppedRunning > 0 && fulfilled > 0 && fulfilled < N);
    const stats = pool.stats();
    assert.deepEqual([stats.completed, stats.cancelled, stats.failed], [fulfilled, N - fulfilled, 0]);
  });
});
