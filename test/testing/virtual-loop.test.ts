import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  EventLoop,
  Runner,
  createTask,
  ensureFuture,
  forAwait,
  gather,
  getRunningLoop,
  run,
  sleep,
  taskGroup,
  timeout,
  type Coro,
} from '../../src/index.js';
import {
  VirtualEventLoop,
  advance,
  newVirtualEventLoop,
  runUntilIdle,
  runVirtual,
} from '../../src/testing/index.js';

const now = (): number => getRunningLoop().time();

describe('VirtualEventLoop: automatic time', () => {
  test('an hour of sleep takes no time and ends at exactly 3600000', async () => {
    const t = await runVirtual(function* () {
      assert.equal(now(), 0);
      yield* sleep(3_600_000);
      return now();
    });
    assert.equal(t, 3_600_000);
  });

  test('async functions too', async () => {
    const t = await runVirtual(async () => {
      await sleep(1000);
      await sleep(500);
      return now();
    });
    assert.equal(t, 1500);
  });

  test('timers run in order, each at its own time; time stands still while code runs', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const log: string[] = [];
      loop.callLater(30, () => log.push(`c@${loop.time()}`));
      loop.callAt(10, () => log.push(`a@${loop.time()}`));
      loop.callLater(10, () => log.push(`b@${loop.time()}`)); // same time: first in, first out
      loop.callLater(20, () => {
        log.push(`chain@${loop.time()}`);
        loop.callLater(5, () => log.push(`chained@${loop.time()}`));
      });
      const t0 = now();
      for (let i = 0; i < 1e5; i++); // busy
      assert.equal(now(), t0);
      yield* sleep(100);
      assert.deepEqual(log, ['a@10', 'b@10', 'chain@20', 'chained@25', 'c@30']);
    });
  });

  test('generator and async tasks interleave deterministically', async () => {
    const log = await runVirtual(function* () {
      const events: string[] = [];
      function* gen(name: string, ms: number): Coro<void> {
        for (let i = 0; i < 3; i++) {
          yield* sleep(ms);
          events.push(`${name}@${now()}`);
        }
      }
      async function asyncFn(name: string, ms: number): Promise<void> {
        for (let i = 0; i < 3; i++) {
          await sleep(ms);
          events.push(`${name}@${now()}`);
        }
      }
      yield* gather(gen('g', 30), createTask(() => asyncFn('a', 45)));
      return events;
    });
    assert.deepEqual(log, ['g@30', 'a@45', 'g@60', 'g@90', 'a@90', 'a@135']);
  });

  test('the start time can be chosen', async () => {
    const times = await runVirtual(
      function* () {
        const t0 = now();
        yield* sleep(5);
        return [t0, now()];
      },
      { start: 1_000_000 },
    );
    assert.deepEqual(times, [1_000_000, 1_000_005]);
  });

  test('the clock does not jump while a foreign promise is pending (ensureFuture)', async () => {
    await runVirtual(function* () {
      const seen: number[] = [];
      const sleeper = createTask(function* () {
        yield* sleep(1000);
        seen.push(now());
      });
      // A real 20 ms timer, outside the loop: virtual time must wait for it.
      yield* ensureFuture(new Promise((resolve) => setTimeout(resolve, 20)));
      seen.push(now());
      yield* sleeper;
      assert.deepEqual(seen, [0, 1000]);
    });
  });

  test('the clock does not jump while an async task awaits a foreign promise or real I/O', async () => {
    await runVirtual(async () => {
      const seen: string[] = [];
      const sleeper = createTask(async () => {
        await sleep(1000);
        seen.push(`sleeper@${now()}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push(`timer@${now()}`);
      const text = await readFile(fileURLToPath(import.meta.url), 'utf8');
      assert.ok(text.length > 0);
      seen.push(`io@${now()}`);
      await sleeper;
      assert.deepEqual(seen, ['timer@0', 'io@0', 'sleeper@1000']);
    });
  });

  test('async iteration and async bodies in virtual time', async () => {
    await runVirtual(function* () {
      async function* ticks(): AsyncGenerator<number> {
        for (let i = 0; i < 3; i++) {
          await sleep(100);
          yield now();
        }
      }
      const seen: number[] = [];
      yield* forAwait(ticks(), function* (t) {
        seen.push(t);
        yield* sleep(1);
      });
      assert.deepEqual(seen, [100, 201, 302]);
    });
  });

  test('runVirtual() rejects with the error of main', async () => {
    await assert.rejects(
      runVirtual(function* () {
        yield* sleep(10);
        throw new RangeError('main failed');
      }),
      RangeError,
    );
  });

  test('newVirtualEventLoop works as a loop factory for run() and Runner', async () => {
    assert.equal(
      await run(
        function* () {
          yield* sleep(250);
          return now();
        },
        { loopFactory: newVirtualEventLoop },
      ),
      250,
    );
    const runner = new Runner({ loopFactory: () => newVirtualEventLoop({ start: 10 }) });
    try {
      assert.equal(await runner.run(async () => sleep(5).then(() => now())), 15);
      assert.equal(await runner.run(sleep(5, 'again')), 'again');
      assert.equal(runner.getLoop().time(), 20);
    } finally {
      await runner.close();
    }
  });
});

describe('VirtualEventLoop: stepping by hand', () => {
  test('from a test: runUntilIdle() and advance() drive a stopped loop', async () => {
    const loop = new VirtualEventLoop();
    const task = loop.createTask(function* () {
      yield* sleep(1000);
      return 'done';
    });
    await loop.runUntilIdle();
    assert.equal(loop.time(), 0);
    assert.equal(task.done(), false);
    await loop.advance(999);
    assert.equal(loop.time(), 999);
    assert.equal(task.done(), false);
    await loop.advance(1);
    assert.equal(loop.time(), 1000);
    assert.equal(task.result(), 'done');
    assert.equal(loop.isRunning(), false);
    loop.close();
  });

  test('advance() runs every timer due on the way, each at its own time, then stops at the target', async () => {
    const loop = new VirtualEventLoop({ autojump: false });
    const log: string[] = [];
    loop.callLater(50, () => log.push(`a@${loop.time()}`));
    loop.callLater(10, () => {
      log.push(`b@${loop.time()}`);
      loop.callLater(10, () => log.push(`c@${loop.time()}`));
    });
    loop.callLater(150, () => log.push(`late@${loop.time()}`));
    await loop.advance(100);
    assert.deepEqual(log, ['b@10', 'c@20', 'a@50']);
    assert.equal(loop.time(), 100);
    await loop.advance(0);
    assert.equal(loop.time(), 100);
    await loop.advance(50);
    assert.deepEqual(log, ['b@10', 'c@20', 'a@50', 'late@150']);
    loop.close();
  });

  test('runUntilIdle() runs chains of ready work to the end without moving the clock', async () => {
    const loop = new VirtualEventLoop();
    let hops = 0;
    let sleptUntil = -1;
    loop.createTask(async () => {
      for (let i = 0; i < 100; i++) {
        await sleep(0);
        hops++;
      }
      await sleep(10);
      sleptUntil = loop.time();
    });
    await loop.runUntilIdle();
    assert.equal(hops, 100);
    assert.equal(sleptUntil, -1);
    assert.equal(loop.time(), 0);
    await loop.advance(10);
    assert.equal(sleptUntil, 10);
    loop.close();
  });

  test('from a task: advance() moves a manual clock; nothing moves it otherwise', async () => {
    await runVirtual(
      function* () {
        const done: number[] = [];
        createTask(function* () {
          yield* sleep(100);
          done.push(now());
        });
        yield* runUntilIdle();
        assert.equal(now(), 0);
        yield* advance(60);
        assert.equal(now(), 60);
        assert.deepEqual(done, []);
        yield* advance(40);
        assert.equal(now(), 100);
        assert.deepEqual(done, [100]);
      },
      { autojump: false },
    );
  });

  test('from an async task: await advance() / runUntilIdle()', async () => {
    await runVirtual(
      async () => {
        let ticks = 0;
        createTask(async () => {
          for (;;) {
            await sleep(10);
            ticks++;
          }
        });
        await runUntilIdle();
        assert.equal(ticks, 0);
        await advance(35);
        assert.equal(ticks, 3);
        assert.equal(now(), 35);
        await (getRunningLoop() as VirtualEventLoop).advance(5);
        assert.equal(ticks, 4);
      },
      { autojump: false },
    );
  });

  test('with automatic time, runUntilIdle() resumes before the clock jumps', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const started: string[] = [];
      const f = loop.createFuture<void>();
      createTask(function* () {
        started.push('a');
        yield* f;
      });
      createTask(function* () {
        started.push('b');
        yield* sleep(50);
      });
      yield* runUntilIdle();
      assert.deepEqual(started, ['a', 'b']);
      assert.equal(now(), 0);
      yield* advance(20);
      assert.equal(now(), 20);
      f.setResult(undefined);
    });
  });

  test('a test can step a loop that another caller runs', async () => {
    const loop = new VirtualEventLoop({ autojump: false });
    const main = loop.runUntilComplete(function* () {
      yield* sleep(30);
      return now();
    });
    await loop.advance(20);
    assert.equal(loop.time(), 20);
    await loop.advance(10);
    assert.equal(await main, 30);
    loop.close();
  });

  test('errors: bad durations, loops that are not virtual, closed loops', async () => {
    const loop = new VirtualEventLoop();
    assert.throws(() => loop.advance(-1), RangeError);
    assert.throws(() => loop.advance(Number.NaN), TypeError);
    assert.throws(() => loop.advance(Infinity), RangeError);
    assert.throws(() => new VirtualEventLoop({ start: Number.NaN }), TypeError);
    assert.throws(() => [...loop.advance(1)], /only in a task/);
    loop.close();
    await assert.rejects(Promise.resolve(loop.advance(1)), /closed/);
    await run(function* () {
      assert.throws(() => advance(10), /VirtualEventLoop/);
      assert.throws(() => runUntilIdle(), /VirtualEventLoop/);
    });
    assert.throws(() => advance(10), /no running event loop/);
    assert.ok(new VirtualEventLoop() instanceof EventLoop);
    assert.equal(new VirtualEventLoop({ autojump: false }).autojump, false);
  });
});

describe('VirtualEventLoop: more checks', () => {
  test('advance() runs a timer due exactly at the target, not one just after it', async () => {
    const loop = new VirtualEventLoop({ autojump: false });
    const seen: number[] = [];
    loop.callLater(100, () => seen.push(loop.time()));
    loop.callLater(100.5, () => seen.push(loop.time()));
    await loop.advance(100);
    assert.deepEqual(seen, [100]);
    assert.equal(loop.time(), 100);
    await loop.advance(0.5);
    assert.deepEqual(seen, [100, 100.5]);
    loop.close();
  });

  test('several tasks advancing a manual clock each resume at their own target', async () => {
    await runVirtual(
      function* () {
        const log: string[] = [];
        const a = createTask(function* () {
          yield* advance(300);
          log.push(`a@${now()}`);
        });
        const b = createTask(function* () {
          yield* advance(100);
          log.push(`b@${now()}`);
        });
        yield* gather(a, b);
        assert.deepEqual(log, ['b@100', 'a@300']);
        assert.equal(now(), 300);
      },
      { autojump: false },
    );
  });

  test('with automatic time, advance() from a task lets timers due at the target run first', async () => {
    await runVirtual(function* () {
      const log: string[] = [];
      createTask(function* () {
        yield* sleep(1000);
        log.push(`sleeper@${now()}`);
      });
      yield* advance(500);
      log.push(`advanced@${now()}`);
      yield* advance(500);
      log.push(`advanced@${now()}`);
      assert.deepEqual(log, ['advanced@500', 'sleeper@1000', 'advanced@1000']);
    });
  });

  test('the clock does not jump while an async timeout() or taskGroup() body of a generator task awaits a foreign promise', async () => {
    await runVirtual(function* () {
      const seen: string[] = [];
      const sleeper = createTask(function* () {
        yield* sleep(1000);
        seen.push(`sleeper@${now()}`);
      });
      yield* timeout(5000, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push(`timeout body@${now()}`);
      });
      yield* taskGroup(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push(`group body@${now()}`);
      });
      yield* sleeper;
      assert.deepEqual(seen, ['timeout body@0', 'group body@0', 'sleeper@1000']);
    });
  });
});
