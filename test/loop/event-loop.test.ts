import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  newEventLoop,
  getRunningLoop,
  sleep,
  createTask,
  ensureFuture,
  CancelledError,
  Handle,
  TimerHandle,
  EventLoop,
  type Coro,
} from '../../src/index.ts';
import { busyWait, captureConsole, nodeDelay, recordExceptions } from '../helpers/capture.ts';
import { fixture, runChild } from '../helpers/child.ts';

/** Runs `loop` until `stop()` is called by one of its callbacks. */
async function runLoop(loop: EventLoop): Promise<void> {
  await loop.runForever();
}

describe('EventLoop: ordering (as asyncio)', () => {
  test('callSoon runs callbacks first-in, first-out, with their arguments', async () => {
    const loop = newEventLoop();
    const seen: unknown[] = [];
    for (let i = 0; i < 10; i++) loop.callSoon((a: number, b: string) => seen.push(`${a}${b}`), i, 'x');
    loop.callSoon(() => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['0x', '1x', '2x', '3x', '4x', '5x', '6x', '7x', '8x', '9x']);
    loop.close();
  });

  test('callbacks scheduled during an iteration run in the next one', async () => {
    // asyncio: stop() lets the current iteration finish; callbacks that it scheduled run
    // the next time the loop runs.
    const loop = newEventLoop();
    const seen: string[] = [];
    loop.callSoon(() => {
      seen.push('a');
      loop.callSoon(() => seen.push('scheduled by a'));
      loop.stop();
    });
    loop.callSoon(() => seen.push('b'));
    await runLoop(loop);
    assert.deepEqual(seen, ['a', 'b']);
    loop.callSoon(() => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['a', 'b', 'scheduled by a']);
    loop.close();
  });

  test('tasks start in creation order, after callbacks scheduled before them', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    loop.callSoon(() => seen.push('soon 1'));
    const tasks = ['t1', 't2', 't3'].map((name) =>
      loop.createTask(function* () {
        seen.push(name);
      }),
    );
    loop.callSoon(() => seen.push('soon 2'));
    await loop.runUntilComplete(tasks[2]!);
    assert.deepEqual(seen, ['soon 1', 't1', 't2', 't3', 'soon 2']);
    loop.close();
  });

  test('timers fire in `when` order; equal `when` first-in, first-out', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const base = loop.time() + 5;
    loop.callAt(base + 4, () => seen.push('+4'));
    loop.callAt(base + 1, () => seen.push('+1 a'));
    loop.callAt(base + 3, () => seen.push('+3'));
    loop.callAt(base + 1, () => seen.push('+1 b'));
    loop.callAt(base + 1, () => seen.push('+1 c'));
    loop.callAt(base + 2, () => seen.push('+2'));
    loop.callAt(base + 10, () => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['+1 a', '+1 b', '+1 c', '+2', '+3', '+4']);
    loop.close();
  });

  test('negative delays are due at once, still in `when` order', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    // (Gaps of a second: the order must not depend on how fast these lines run.)
    loop.callLater(0, () => seen.push('0'));
    loop.callLater(-2000, () => seen.push('-2000'));
    loop.callLater(-1000, () => seen.push('-1000'));
    loop.callAt(loop.time() - 10_000, () => seen.push('long ago'));
    loop.callLater(1, () => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['long ago', '-2000', '-1000', '0']);
    loop.close();
  });

  test('a timer due now runs in the next iteration, after what was already ready', async () => {
    // Same order as asyncio (checked with CPython): timers that are due are appended to the
    // ready queue at the start of an iteration, after the callbacks already there.
    const loop = newEventLoop();
    const seen: string[] = [];
    const cb = (x: string): void => {
      seen.push(x);
      if (x === 'soon1') {
        loop.callSoon(cb, 'soon-nested');
        loop.callLater(0, cb, 'later0-nested');
      }
    };
    loop.callLater(0, cb, 'later0');
    loop.callLater(-1000, cb, 'later-neg'); // (-1 in the asyncio program; far enough to be robust here)
    loop.callSoon(cb, 'soon1');
    loop.callSoon(cb, 'soon2');
    loop.callLater(5, () => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['soon1', 'soon2', 'later-neg', 'later0', 'soon-nested', 'later0-nested']);
    loop.close();
  });

  test('a timer never runs before its `when`', async () => {
    const loop = newEventLoop();
    let ranAt = -1;
    const handle = loop.callLater(15, () => {
      ranAt = loop.time();
      loop.stop();
    });
    assert.ok(handle instanceof TimerHandle);
    await runLoop(loop);
    assert.ok(ranAt >= handle.when(), `ran at ${ranAt}, due at ${handle.when()}`);
    loop.close();
  });
});

describe('EventLoop: handles', () => {
  test('a cancelled Handle does not run', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const h = loop.callSoon(() => seen.push('cancelled'));
    assert.ok(h instanceof Handle);
    loop.callSoon(() => seen.push('kept'));
    assert.equal(h.cancelled(), false);
    h.cancel();
    h.cancel(); // idempotent
    assert.equal(h.cancelled(), true);
    loop.callSoon(() => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['kept']);
    loop.close();
  });

  test('a cancelled timer does not run', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    const now = loop.time();
    const t = loop.callAt(now + 1, () => seen.push('cancelled'));
    loop.callAt(now + 2, () => seen.push('kept'));
    t.cancel();
    assert.equal(t.cancelled(), true);
    loop.callAt(now + 5, () => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['kept']);
    loop.close();
  });

  test('a timer cancelled after it became due but before it ran does not run', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    let t: TimerHandle;
    // Both timers are due in the same iteration; the first cancels the second.
    const when = loop.time() + 2;
    loop.callAt(when, () => {
      seen.push('first');
      t.cancel();
    });
    t = loop.callAt(when, () => seen.push('second'));
    loop.callAt(when + 3, () => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['first']);
    loop.close();
  });

  test('cancelled timers are dropped from the heap (it compacts)', async () => {
    const loop = newEventLoop();
    const handles: TimerHandle[] = [];
    // A live timer due before the cancelled ones sits at the top of the heap, so they
    // cannot simply be dropped when they reach the top.
    const live = loop.callLater(30_000, () => {});
    await loop.runUntilComplete(function* () {
      // Many long timers, all cancelled, created over several iterations.
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 500; i++) handles.push(loop.callLater(60_000 + i, () => {}));
        for (const h of handles.slice(-500)) h.cancel();
        yield* sleep(0);
      }
      yield* sleep(0);
    });
    // `_scheduled` is true while a handle sits in the heap: none of the 10 000 is left.
    const stillInHeap = handles.filter((h) => h._scheduled).length;
    assert.ok(stillInHeap < 100, `${stillInHeap} cancelled timers still in the heap`);
    assert.equal(live._scheduled, true);
    live.cancel();
    // And a timer set afterwards still works.
    let ran = false;
    loop.callLater(1, () => {
      ran = true;
      loop.stop();
    });
    await runLoop(loop);
    assert.equal(ran, true);
    loop.close();
  });

  test('the heap stays bounded when timers are set and cancelled over and over', async () => {
    // A timeout that is set and cancelled in every iteration (the common case of
    // waitFor/timeout around fast operations) must not make the heap grow.
    const loop = newEventLoop();
    const handles: TimerHandle[] = [];
    let maxInHeap = 0;
    const live = loop.callLater(30_000, () => {}); // keeps the cancelled ones off the top
    await loop.runUntilComplete(function* () {
      for (let i = 0; i < 5000; i++) {
        const h = loop.callLater(60_000, () => {});
        handles.push(h);
        h.cancel();
        yield* sleep(0);
        if (i % 100 === 99) maxInHeap = Math.max(maxInHeap, handles.filter((x) => x._scheduled).length);
      }
    });
    assert.ok(maxInHeap < 200, `up to ${maxInHeap} cancelled timers kept in the heap`);
    live.cancel();
    loop.close();
  });

  test('callSoon, callLater and callAt check their arguments', () => {
    const loop = newEventLoop();
    assert.throws(() => loop.callSoon(42 as never), TypeError);
    assert.throws(() => loop.callLater(Number.NaN, () => {}), TypeError);
    assert.throws(() => loop.callLater('10' as never, () => {}), TypeError);
    assert.throws(() => loop.callAt(0, null as never), TypeError);
    loop.close();
  });
});

describe('EventLoop: exception handler', () => {
  test('a callback that throws goes to the handler as handler(loop, context); the loop keeps running', async () => {
    const loop = newEventLoop();
    const contexts = recordExceptions(loop);
    const seen: string[] = [];
    const error = new Error('callback failed');
    const h = loop.callSoon(function failing() {
      throw error;
    });
    loop.callSoon(() => seen.push('after'));
    const now = loop.time();
    loop.callAt(now + 1, () => {
      seen.push('timer');
      throw new RangeError('timer failed');
    });
    loop.callAt(now + 3, () => loop.stop());
    await runLoop(loop);
    assert.deepEqual(seen, ['after', 'timer']);
    assert.equal(contexts.length, 2);
    assert.match(contexts[0]!.message, /Exception in callback/);
    assert.equal(contexts[0]!.exception, error);
    assert.equal(contexts[0]!.handle, h);
    assert.ok(contexts[1]!.exception instanceof RangeError);
    loop.close();
  });

  test('an async callback that rejects goes to the handler too, not to Node (which would end the process)', async () => {
    const loop = newEventLoop();
    const contexts = recordExceptions(loop);
    const error = new Error('async callback failed');
    const h = loop.callSoon(async function asyncFailing() {
      await null;
      throw error;
    });
    const t = loop.callLater(1, async () => {
      throw new RangeError('at once');
    });
    loop.callLater(5, () => loop.stop());
    await runLoop(loop);
    await nodeDelay(0); // rejections are reported from a microtask
    assert.equal(contexts.length, 2);
    // Under load both may run in one iteration: their rejections then arrive in either order.
    const ofH = contexts.find((c) => c.handle === h)!;
    assert.equal(ofH.message, 'Exception in callback asyncFailing()');
    assert.equal(ofH.exception, error);
    assert.ok(contexts.find((c) => c.handle === t)!.exception instanceof RangeError);
    loop.close();
  });

  test('a done callback that throws goes to the handler; the other callbacks still run', async () => {
    const loop = newEventLoop();
    const contexts = recordExceptions(loop);
    const seen: string[] = [];
    const fut = loop.createFuture<number>();
    fut.addDoneCallback(() => {
      throw new Error('done callback failed');
    });
    fut.addDoneCallback(() => seen.push('second'));
    fut.setResult(1);
    await loop.runUntilComplete(sleep(0));
    assert.deepEqual(seen, ['second']);
    assert.equal(contexts.length, 1);
    assert.equal((contexts[0]!.exception as Error).message, 'done callback failed');
    assert.equal(contexts[0]!.future, fut);
    loop.close();
  });

  test('get/setExceptionHandler; null restores the default handler (logs to console.error)', async () => {
    const loop = newEventLoop();
    assert.equal(loop.getExceptionHandler(), null);
    const handler = (): void => {};
    loop.setExceptionHandler(handler);
    assert.equal(loop.getExceptionHandler(), handler);
    assert.throws(() => loop.setExceptionHandler(42 as never), TypeError);
    loop.setExceptionHandler(null);
    const { calls } = await captureConsole('error', () => {
      loop.callExceptionHandler({ message: 'something broke', exception: new Error('the cause') });
    });
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]![0]), /something broke/);
    assert.match(String(calls[0]![0]), /the cause/);
    loop.close();
  });

  test('a handler that throws falls back to the default handler', async () => {
    const loop = newEventLoop();
    loop.setExceptionHandler(() => {
      throw new Error('handler failed');
    });
    const { calls } = await captureConsole('error', () => {
      loop.callExceptionHandler({ message: 'original problem' });
    });
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]![0]), /Unhandled error in exception handler/);
    assert.match(String(calls[0]![0]), /handler failed/);
    loop.close();
  });
});

describe('EventLoop: waking up', () => {
  test('a timer added from outside wakes a loop idling until a later deadline', { timeout: 30_000 }, async () => {
    const loop = newEventLoop();
    const far = loop.callLater(60_000, () => {});
    const running = loop.runForever();
    await nodeDelay(2);
    let ranAt = -1;
    loop.callLater(1, () => {
      ranAt = loop.time();
      loop.stop();
    });
    await running; // would take a minute if the loop slept until `far`
    assert.ok(ranAt > 0);
    far.cancel();
    loop.close();
  });

  test('callSoon from outside wakes an idle loop', { timeout: 30_000 }, async () => {
    const loop = newEventLoop();
    const running = loop.runForever();
    await nodeDelay(2);
    const seen: string[] = [];
    loop.callSoon(() => {
      seen.push('woken');
      loop.stop();
    });
    await running;
    assert.deepEqual(seen, ['woken']);
    loop.close();
  });
});

describe('EventLoop: running, stopping, closing', () => {
  test('runUntilComplete returns the result, or throws the exception', async () => {
    const loop = newEventLoop();
    assert.equal(
      await loop.runUntilComplete(function* () {
        yield* sleep(0);
        return 42;
      }),
      42,
    );
    const fut = loop.createFuture<string>();
    loop.callSoon(() => fut.setResult('from future'));
    assert.equal(await loop.runUntilComplete(fut), 'from future');
    assert.equal(await loop.runUntilComplete(async () => 'from async function'), 'from async function');
    assert.equal(await loop.runUntilComplete(Promise.resolve('from promise')), 'from promise');
    const error = new TypeError('failed');
    await assert.rejects(
      loop.runUntilComplete(function* () {
        yield* sleep(0);
        throw error;
      }),
      (e) => e === error,
    );
    loop.close();
  });

  test('runUntilComplete fails if the loop is stopped before the future is done', async () => {
    const loop = newEventLoop();
    const fut = loop.createFuture();
    loop.callSoon(() => loop.stop());
    await assert.rejects(loop.runUntilComplete(fut), { message: 'Event loop stopped before Future completed.' });
    loop.close();
  });

  test('stop() before runForever: runs one iteration, then stops', async () => {
    const loop = newEventLoop();
    const seen: string[] = [];
    loop.callSoon(() => {
      seen.push('a');
      loop.callSoon(() => seen.push('b'));
    });
    loop.stop();
    await loop.runForever();
    assert.deepEqual(seen, ['a']);
    assert.equal(loop.isRunning(), false);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    assert.deepEqual(seen, ['a', 'b']);
    loop.close();
  });

  test('stop() from outside wakes an idle loop', async () => {
    const loop = newEventLoop();
    const running = loop.runForever();
    await nodeDelay(2);
    assert.equal(loop.isRunning(), true);
    loop.stop();
    await running;
    assert.equal(loop.isRunning(), false);
    loop.close();
  });

  test('isRunning / getRunningLoop: the loop is the running loop only while it runs', async () => {
    assert.throws(() => getRunningLoop(), { message: 'no running event loop' });
    const loop = newEventLoop();
    let inside: EventLoop | null = null;
    let runningInside = false;
    loop.callSoon(() => {
      inside = getRunningLoop();
      runningInside = loop.isRunning();
      loop.stop();
    });
    assert.equal(loop.isRunning(), false);
    await runLoop(loop);
    assert.equal(inside, loop);
    assert.equal(runningInside, true);
    assert.throws(() => getRunningLoop(), { message: 'no running event loop' });
    loop.close();
  });

  test('a running loop cannot be run again, and another loop cannot run meanwhile', async () => {
    const loop = newEventLoop();
    const other = newEventLoop();
    const errors: string[] = [];
    loop.callSoon(() => {
      for (const attempt of [() => loop.runForever(), () => loop.runUntilComplete(sleep(0)), () => other.runForever()]) {
        try {
          void attempt();
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      loop.stop();
    });
    await runLoop(loop);
    assert.deepEqual(errors, [
      'This event loop is already running',
      'This event loop is already running',
      'Cannot run the event loop while another loop is running',
    ]);
    loop.close();
    other.close();
  });

  test("a closed loop throws Error('Event loop is closed')", () => {
    const loop = newEventLoop();
    loop.callSoon(() => {});
    loop.close();
    loop.close(); // idempotent
    assert.equal(loop.isClosed(), true);
    const closed = { name: 'Error', message: 'Event loop is closed' };
    assert.throws(() => loop.callSoon(() => {}), closed);
    assert.throws(() => loop.callLater(1, () => {}), closed);
    assert.throws(() => loop.callAt(1, () => {}), closed);
    assert.throws(() => loop.runForever(), closed);
    assert.throws(() => loop.runUntilComplete(Promise.resolve()), closed);
    assert.throws(() => loop.createTask(function* () {}), closed);
  });

  test('a running loop cannot be closed', async () => {
    const loop = newEventLoop();
    let error: unknown = null;
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (e) {
        error = e;
      }
      loop.stop();
    });
    await runLoop(loop);
    assert.match((error as Error).message, /Cannot close a running event loop/);
    assert.equal(loop.isClosed(), false);
    loop.close();
  });

  test('time() is monotonic, in milliseconds', async () => {
    const loop = newEventLoop();
    const t0 = loop.time();
    await nodeDelay(5);
    const t1 = loop.time();
    assert.equal(typeof t0, 'number');
    assert.ok(t1 > t0);
    // Milliseconds, as performance.now() (not seconds, not Date.now()).
    const before = performance.now();
    const now = loop.time();
    const after = performance.now();
    assert.ok(before <= now && now <= after);
    loop.close();
  });

  test('createFuture / createTask belong to the loop', async () => {
    const loop = newEventLoop();
    const fut = loop.createFuture<number>();
    assert.equal(fut.getLoop(), loop);
    const task = loop.createTask(function* () {
      return 1;
    }, { name: 'named' });
    assert.equal(task.getLoop(), loop);
    assert.equal(task.getName(), 'named');
    assert.equal(await loop.runUntilComplete(task), 1);
    loop.close();
  });
});

describe('EventLoop: debug mode', () => {
  test('logs slow callbacks with console.warn', async () => {
    const loop = newEventLoop();
    assert.equal(loop.getDebug(), false);
    loop.setDebug(true);
    assert.equal(loop.getDebug(), true);
    assert.equal(loop.slowCallbackDuration, 100);
    loop.slowCallbackDuration = 5;
    const { calls } = await captureConsole('warn', async () => {
      loop.callSoon(function slowCallback() {
        busyWait(15);
      });
      await loop.runUntilComplete(sleep(0));
    });
    // Only the slow callback's report counts: on a loaded machine another step may be
    // descheduled past 5 ms and be reported too.
    const reports = calls.map((args) => String(args[0])).filter((m) => /slowCallback/.test(m));
    assert.equal(reports.length, 1, JSON.stringify(calls));
    assert.match(reports[0]!, /took \d+\.\d+ seconds/);
    loop.close();
  });

  /** The slow-callback reports of a debug-mode loop (limit 5 ms) running `coro` as a task named `name`. */
  async function slowStepReports(name: string, coro: () => Generator<any, void, unknown>): Promise<string[]> {
    const loop = newEventLoop();
    loop.setDebug(true);
    loop.slowCallbackDuration = 5;
    const { calls } = await captureConsole('warn', () => loop.runUntilComplete(loop.createTask(coro, { name })));
    loop.close();
    return calls.map((args) => String(args[0]));
  }

  test('logs slow task steps too', async () => {
    const reports = await slowStepReports('slow-task', function* () {
      yield* sleep(0);
      busyWait(15);
    });
    assert.ok(reports.some((report) => /slow-task/.test(report)), JSON.stringify(reports));
  });

  test('a slow step that a bad await threw into names its task', async () => {
    const reports = await slowStepReports('bad-await', function* () {
      try {
        yield 42 as never; // a bad yield: its error is thrown in at the next step
      } catch {
        busyWait(15);
      }
    });
    assert.ok(reports.some((report) => /^aio: executing <Task finished name="bad-await"> took /.test(report)), JSON.stringify(reports));
  });

  test('does not log fast callbacks, nor slow ones when debug is off', async () => {
    const loop = newEventLoop();
    loop.slowCallbackDuration = 5;
    const { calls } = await captureConsole('warn', async () => {
      loop.callSoon(() => busyWait(15)); // debug off
      await loop.runUntilComplete(sleep(0));
      loop.setDebug(true);
      loop.slowCallbackDuration = 60_000;
      loop.callSoon(() => {});
      await loop.runUntilComplete(sleep(0));
    });
    assert.deepEqual(calls, []);
    loop.close();
  });

  test('the default handler shows where a failing handle was created (debug mode)', async () => {
    const loop = newEventLoop();
    loop.setDebug(true);
    const { calls } = await captureConsole('error', async () => {
      loop.callSoon(function failingCallback() {
        throw new Error('failed in debug');
      });
      await loop.runUntilComplete(sleep(0));
    });
    assert.equal(calls.length, 1);
    const text = String(calls[0]![0]);
    assert.match(text, /failingCallback/);
    assert.match(text, /Object created at/);
    assert.match(text, /event-loop\.test\.ts/);
    loop.close();
  });

  test('AIO_DEBUG=1 turns debug mode on for new loops', () => {
    const saved = process.env['AIO_DEBUG'];
    try {
      process.env['AIO_DEBUG'] = '1';
      const loop = newEventLoop();
      assert.equal(loop.getDebug(), true);
      loop.close();
      process.env['AIO_DEBUG'] = '0';
      const quiet = newEventLoop();
      assert.equal(quiet.getDebug(), false);
      quiet.close();
    } finally {
      if (saved === undefined) delete process.env['AIO_DEBUG'];
      else process.env['AIO_DEBUG'] = saved;
    }
  });
});

describe('EventLoop: living with Node', () => {
  test('a task spinning on sleep(0) does not starve Node timers, immediates and sockets', async () => {
    const loop = newEventLoop();
    let spins = 0;
    const spinner = loop.createTask(function* (): Coro<never> {
      for (;;) {
        spins++;
        yield* sleep(0);
      }
    });
    const server = net.createServer((socket) => socket.end('hello from the server'));
    const outside = (async () => {
      await nodeDelay(1);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      const received = await new Promise<string>((resolve, reject) => {
        const client = net.connect(port, '127.0.0.1');
        let data = '';
        client.setEncoding('utf8');
        client.on('data', (chunk: string) => (data += chunk));
        client.on('end', () => resolve(data));
        client.on('error', reject);
      });
      const spinsSoFar = spins;
      spinner.cancel();
      return { received, spinsSoFar };
    })();
    await assert.rejects(loop.runUntilComplete(spinner), CancelledError);
    const { received, spinsSoFar } = await outside;
    server.close();
    assert.equal(received, 'hello from the server');
    assert.ok(spinsSoFar > 0);
    loop.close();
  });

  test('an async-function task spinning on await sleep(0) does not starve Node timers either', async () => {
    // Each of its iterations ends idle and is woken by the task's code in a microtask, so the
    // loop must still give Node its turn once a time slice is used up.
    const loop = newEventLoop();
    let timerFired = false;
    const spinner = loop.createTask(async () => {
      setTimeout(() => (timerFired = true), 1);
      const started = performance.now();
      let spins = 0;
      while (!timerFired && performance.now() - started < 5000) {
        await sleep(0);
        spins++;
      }
      return spins;
    });
    const spins = await loop.runUntilComplete(spinner);
    assert.ok(timerFired, 'the Node timer fired while the task spun');
    assert.ok(spins > 0);
    loop.close();
  });

  test('a long iteration hands control to Node in its middle, keeping asyncio order', async () => {
    const loop = newEventLoop();
    const N = 5000;
    const seen: (number | string)[] = [];
    let nodeRanAfter = -1;
    for (let i = 0; i < N; i++) {
      loop.callSoon(() => {
        if (i === 0) {
          setImmediate(() => (nodeRanAfter = seen.length)); // Node's turn
          loop.callSoon(() => {
            seen.push('next iteration');
            loop.stop();
          });
          busyWait(10); // uses up the 4 ms slice
        }
        seen.push(i);
      });
    }
    await runLoop(loop);
    // Node ran in the middle of the iteration, not after it (nor after 4 ms more of it).
    assert.ok(nodeRanAfter > 0 && nodeRanAfter < N, `Node ran after ${nodeRanAfter} of ${N} callbacks`);
    // The rest of the iteration ran before what was scheduled during it.
    assert.deepEqual(seen.slice(0, N), Array.from({ length: N }, (_, i) => i));
    assert.equal(seen[N], 'next iteration');
    loop.close();
  });

  test('foreign promises make progress while the loop is busy', async () => {
    const loop = newEventLoop();
    const value = await loop.runUntilComplete(function* () {
      const foreign = ensureFuture(nodeDelay(2).then(() => 'foreign done'));
      const busy = createTask(function* () {
        while (!foreign.done()) yield* sleep(0);
      });
      yield* busy;
      return yield* foreign;
    });
    assert.equal(value, 'foreign done');
    loop.close();
  });

  test('the process exits by itself when nothing is pending', async () => {
    const result = await runChild(fixture('exits-by-itself.ts'));
    assert.equal(result.timedOut, false, 'the child process did not exit by itself');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'main done');
  });
});

describe('EventLoop: debug mode (review regressions)', () => {
  test('a slow step of a task resumed by a future names the task, not the future that woke it', async () => {
    const loop = newEventLoop();
    loop.setDebug(true);
    loop.slowCallbackDuration = 5;
    const { calls } = await captureConsole('warn', () =>
      loop.runUntilComplete(
        loop.createTask(function* () {
          yield* sleep(1); // resumed by a timer's Future
          busyWait(15);
        }, { name: 'cruncher' }),
      ),
    );
    // On a loaded machine another step may also pass 5 ms: look for the busy one.
    const messages = calls.map((call) => String(call[0]));
    assert.ok(messages.some((m) => /executing <Task \w+ name="cruncher"> took/.test(m)), JSON.stringify(messages));
    assert.ok(!messages.some((m) => /Future/.test(m)), JSON.stringify(messages));
    loop.close();
  });

  test('"Object created at" starts at the code that created the object, most recent call first', async () => {
    const loop = newEventLoop();
    loop.setDebug(true);
    const { calls } = await captureConsole('error', async () => {
      loop.callSoon(function failingCallback() {
        throw new Error('failed in debug');
      });
      await loop.runUntilComplete(sleep(0));
    });
    const text = String(calls[0]![0]);
    const created = text.split('Object created at (most recent call first):\n')[1]!;
    assert.ok(created !== undefined, text);
    // The runtime's own frames (new Handle, callSoon) are left out: the first is the caller.
    assert.match(created.split('\n')[0]!, /event-loop\.test\.ts/);
    loop.close();
  });
});
