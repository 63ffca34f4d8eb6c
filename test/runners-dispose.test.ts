/** `await using runner = new Runner()` (asyncio: `with asyncio.Runner() as runner:`); run() unchanged. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Runner, createTask, getRunningLoop, run, sleep, CancelledError, type EventLoop, type Task } from '../src/index.ts';

describe('Runner with await using', () => {
  test('closes the runner at the end of the block: pending tasks are cancelled, the loop is closed', async () => {
    let loop: EventLoop | null = null;
    let leftover: Task<void> | null = null;
    {
      await using runner = new Runner();
      loop = runner.getLoop();
      const result = await runner.run(function* () {
        leftover = createTask(sleep(60_000));
        yield* sleep(1);
        return 'first';
      });
      assert.equal(result, 'first');
      assert.equal(await runner.run(async () => 'second'), 'second');
      assert.equal(loop.isClosed(), false);
    }
    assert.equal(loop.isClosed(), true);
    assert.equal((leftover as Task<void> | null)?.cancelled(), true);
  });

  test('closes the runner when a run fails, and the run’s error propagates', async () => {
    let runner: Runner | null = null;
    const error = new RangeError('main failed');
    await assert.rejects(
      (async () => {
        await using r = new Runner();
        runner = r;
        await r.run(function* () {
          yield* sleep(1);
          throw error;
        });
      })(),
      (e) => e === error,
    );
    assert.throws(() => runner!.getLoop(), { message: 'Runner is closed' });
  });

  test('run() keeps closing its own Runner (the loop is closed after, tasks left are cancelled)', async () => {
    let loop: EventLoop | null = null;
    let leftover: Task<void> | null = null;
    await run(async () => {
      loop = getRunningLoop();
      leftover = createTask(sleep(60_000));
    });
    assert.equal(loop!.isClosed(), true);
    assert.equal(leftover!.cancelled(), true);
    await assert.rejects(Promise.resolve(leftover!), CancelledError);
  });
});
