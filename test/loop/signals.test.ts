import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { run, newEventLoop, getRunningLoop, currentTask, Event, sleep, type Coro } from '../../src/index.ts';
import { recordExceptions } from '../helpers/capture.ts';
import { runChild } from '../helpers/child.ts';

// Sending SIGUSR2 to this process is safe only while a listener is installed (otherwise its
// default action ends the process): every test below sends it with the loop's handler in place.
// Node 24's test runner starts test files with diagnostic reports on SIGUSR2 turned on, which
// would write a report.*.json file into the working directory at each send.
process.report.reportOnSignal = false;

describe('loop.addSignalHandler (asyncio add_signal_handler)', () => {
  test('a handler fires on process.kill(pid, SIGUSR2), as a loop callback after Node\'s signal event (generator style)', async () => {
    const seen: string[] = [];
    const nodeListener = (): void => {
      seen.push('node signal event');
    };
    await run(function* (): Coro<void> {
      const loop = getRunningLoop();
      const fired = new Event();
      loop.addSignalHandler('SIGUSR2', (a: number, b: string) => {
        seen.push(`handler ${a} ${b}`);
        assert.equal(getRunningLoop(), loop);
        assert.equal(currentTask(), null); // a plain loop callback, not a task step
        fired.set();
      }, 1, 'x');
      process.on('SIGUSR2', nodeListener); // registered after the loop's listener: Node calls it after
      process.kill(process.pid, 'SIGUSR2');
      yield* fired.wait();
      process.removeListener('SIGUSR2', nodeListener);
      assert.equal(loop.removeSignalHandler('SIGUSR2'), true);
    });
    // The handler did not run inside Node's event (it would have come before the later listener).
    assert.deepEqual(seen, ['node signal event', 'handler 1 x']);
  });

  test('each signal runs the handler once, also in async-function style', async () => {
    await run(async () => {
      const loop = getRunningLoop();
      let count = 0;
      const twice = new Event();
      loop.addSignalHandler(constants.signals.SIGUSR2, () => {
        if (++count === 2) twice.set();
      });
      process.kill(process.pid, 'SIGUSR2');
      while (count === 0) await sleep(1);
      process.kill(process.pid, 'SIGUSR2');
      await twice.wait();
      assert.equal(count, 2);
      assert.equal(loop.removeSignalHandler('SIGUSR2'), true);
    });
  });

  test('adding again replaces the handler (one Node listener); remove returns true once, then false', async () => {
    const before = process.listenerCount('SIGUSR2');
    await run(function* (): Coro<void> {
      const loop = getRunningLoop();
      const seen: string[] = [];
      const fired = new Event();
      loop.addSignalHandler('SIGUSR2', () => seen.push('first'));
      loop.addSignalHandler('SIGUSR2', () => {
        seen.push('second');
        fired.set();
      });
      assert.equal(process.listenerCount('SIGUSR2'), before + 1);
      process.kill(process.pid, 'SIGUSR2');
      yield* fired.wait();
      assert.deepEqual(seen, ['second']);
      assert.equal(loop.removeSignalHandler('SIGUSR2'), true);
      assert.equal(loop.removeSignalHandler('SIGUSR2'), false);
      assert.equal(loop.removeSignalHandler('SIGUSR1'), false);
      assert.equal(process.listenerCount('SIGUSR2'), before);
    });
  });

  test('a handler removed after its signal arrived but before its turn does not run', async () => {
    await run(function* (): Coro<void> {
      const loop = getRunningLoop();
      let ran = false;
      const arrived = new Event();
      loop.addSignalHandler('SIGUSR2', () => {
        ran = true;
      });
      // Called after the loop's listener: the handler is queued, and removed before its turn.
      const after = (): void => {
        assert.equal(loop.removeSignalHandler('SIGUSR2'), true);
        arrived.set();
      };
      process.on('SIGUSR2', after);
      process.kill(process.pid, 'SIGUSR2');
      yield* arrived.wait();
      process.removeListener('SIGUSR2', after);
      yield* sleep(0);
      assert.equal(ran, false);
    });
  });

  test('an error thrown by a handler goes to the exception handler; the loop goes on', async () => {
    await run(function* (): Coro<void> {
      const loop = getRunningLoop();
      const contexts = recordExceptions(loop);
      const after = new Event();
      loop.addSignalHandler('SIGUSR2', () => {
        loop.callSoon(() => after.set());
        throw new Error('handler failed');
      });
      process.kill(process.pid, 'SIGUSR2');
      yield* after.wait();
      loop.removeSignalHandler('SIGUSR2');
      assert.equal(contexts.length, 1);
      assert.match(contexts[0]!.message, /Exception in callback/);
      assert.equal((contexts[0]!.exception as Error).message, 'handler failed');
    });
  });

  test('invalid signals and callbacks throw, in the shared message template', () => {
    const loop = newEventLoop();
    const f = (): void => {};
    assert.throws(() => loop.addSignalHandler('SIGFOO' as NodeJS.Signals, f), {
      name: 'RangeError',
      message: /^addSignalHandler\(\) expects signal to be a signal this platform knows .*, got string "SIGFOO"$/,
    });
    assert.throws(() => loop.addSignalHandler(12345, f), RangeError);
    assert.throws(() => loop.addSignalHandler({} as never, f), {
      name: 'TypeError',
      message: /^addSignalHandler\(\) expects signal to be a signal name such as 'SIGUSR2' or a signal number, got /,
    });
    assert.throws(() => loop.addSignalHandler(1.5, f), TypeError);
    assert.throws(() => loop.addSignalHandler('SIGKILL', f), { name: 'RangeError', message: /SIGKILL cannot be/ });
    assert.throws(() => loop.addSignalHandler(constants.signals.SIGSTOP, f), { name: 'RangeError', message: /SIGSTOP cannot be/ });
    assert.throws(() => loop.addSignalHandler('SIGUSR2', 'nope' as never), {
      name: 'TypeError',
      message: 'addSignalHandler() expects callback to be a function, got string "nope"',
    });
    assert.throws(() => loop.removeSignalHandler('SIGNOPE' as NodeJS.Signals), /^RangeError: removeSignalHandler\(\) expects signal/);
    loop.close();
    assert.throws(() => loop.addSignalHandler('SIGUSR2', f), /Event loop is closed/);
  });

  test('closing the loop removes its handlers', () => {
    const before = process.listenerCount('SIGUSR2');
    const beforeHup = process.listenerCount('SIGHUP');
    const loop = newEventLoop();
    loop.addSignalHandler('SIGUSR2', () => {});
    loop.addSignalHandler('SIGHUP', () => {});
    assert.equal(process.listenerCount('SIGUSR2'), before + 1);
    loop.close();
    assert.equal(process.listenerCount('SIGUSR2'), before);
    assert.equal(process.listenerCount('SIGHUP'), beforeHup);
    assert.equal(loop.removeSignalHandler('SIGUSR2'), false);
  });

  test('run() ends with its SIGINT handler removed, and leaves a handler of the program alone until the loop closes', async () => {
    const before = process.listenerCount('SIGINT');
    await run(function* (): Coro<void> {
      assert.equal(process.listenerCount('SIGINT'), before + 1); // run()'s own, through the loop
      getRunningLoop().addSignalHandler('SIGINT', () => {}); // replaces it
      yield* sleep(0);
    });
    assert.equal(process.listenerCount('SIGINT'), before);
  });

  test("run()'s SIGINT handling, now through the loop: a second SIGINT ends a process whose main ignored the first", async () => {
    let sent = 0;
    let output = '';
    const result = await runChild(fileURLToPath(new URL('./fixtures/sigint-twice.ts', import.meta.url)), {
      onStdout: (chunk, child) => {
        output += chunk;
        if (sent === 0 && output.includes('ready')) {
          sent = 1;
          child.kill('SIGINT');
        } else if (sent === 1 && output.includes('going on')) {
          sent = 2;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(result.timedOut, false, result.stderr);
    assert.equal(sent, 2, result.stdout + result.stderr);
    assert.equal(result.signal, 'SIGINT', `exit code ${result.code}: ${result.stderr}`);
    assert.deepEqual(result.stdout.trim().split('\n'), ['ready', 'first SIGINT: cancelled, going on']);
  });

  for (const style of ['generator', 'async']) {
    test(`a process stops gracefully on SIGTERM through a handler, and exits by itself (${style})`, async () => {
      let sent = false;
      const result = await runChild(fileURLToPath(new URL('./fixtures/signal-shutdown.ts', import.meta.url)), {
        args: [style],
        onStdout: (chunk, child) => {
          if (!sent && chunk.includes('ready')) {
            sent = true;
            child.kill('SIGTERM');
          }
        },
      });
      assert.equal(result.timedOut, false, result.stderr);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.trim().split('\n'), ['ready', 'stopping after SIGTERM', 'listeners left: 0']);
    });
  }
});
