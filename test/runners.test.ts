import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  Runner,
  gather,
  sleep,
  createTask,
  currentTask,
  getRunningLoop,
  newEventLoop,
  CancelledError,
  KeyboardInterrupt,
  EventLoop,
  type ExceptionContext,
  type Coro,
} from '../src/index.ts';
import { fixture, runChild } from './helpers/child.ts';
import { captureConsole } from './helpers/capture.ts';

describe('run()', () => {
  test('returns the result of main: a coroutine, a coroutine function or an async function', async () => {
    function* main(): Coro<string> {
      yield* sleep(0);
      return 'coroutine';
    }
    assert.equal(await run(main()), 'coroutine');
    assert.equal(await run(main), 'coroutine');
    assert.equal(
      await run(async () => {
        await sleep(0);
        return 'async function';
      }),
      'async function',
    );
  });

  test('rejects with the exception of main', async () => {
    const error = new TypeError('main failed');
    await assert.rejects(
      run(function* () {
        yield* sleep(0);
        throw error;
      }),
      (e) => e === error,
    );
    await assert.rejects(
      run(async () => {
        throw error;
      }),
      (e) => e === error,
    );
  });

  test('main runs as a Task named "main" on a running loop that is closed afterwards', async () => {
    let loop: EventLoop | null = null;
    const name = await run(function* () {
      loop = getRunningLoop();
      assert.equal(loop.isRunning(), true);
      return currentTask()!.getName();
    });
    assert.equal(name, 'main');
    assert.equal(loop!.isClosed(), true);
    assert.throws(() => getRunningLoop(), { message: 'no running event loop' });
  });

  test('cancels the tasks left pending and waits for them to finish', async () => {
    const events: string[] = [];
    let leftovers: ReturnType<typeof createTask>[] = [];
    const result = await run(function* () {
      leftovers = [
        createTask(function* () {
          try {
            yield* sleep(60_000);
          } finally {
            events.push('generator leftover: finally');
            yield* sleep(1); // cleanup may still await
            events.push('generator leftover: cleanup done');
          }
        }),
        createTask(async () => {
          try {
            await sleep(60_000);
          } finally {
            await sleep(0);
            events.push('async leftover: cleanup done');
          }
        }),
      ];
      yield* sleep(0);
      return 'main result';
    });
    assert.equal(result, 'main result');
    assert.deepEqual(events.sort(), [
      'async leftover: cleanup done',
      'generator leftover: cleanup done',
      'generator leftover: finally',
    ]);
    for (const t of leftovers) assert.equal(t.cancelled(), true);
  });

  test('cancels more pending tasks than a call can take as arguments (200k)', async () => {
    let cancelled = 0;
    function* pending(): Coro<void> {
      try {
        yield* getRunningLoop().createFuture();
      } catch (error) {
        if (error instanceof CancelledError) cancelled++;
        throw error;
      }
    }
    await run(function* () {
      for (let i = 0; i < 200_000; i++) createTask(pending);
      yield* sleep(0);
    });
    assert.equal(cancelled, 200_000);
  });

  test('errors raised by tasks during shutdown go to the exception handler', async () => {
    const contexts: ExceptionContext[] = [];
    let failing: ReturnType<typeof createTask> | null = null;
    await run(function* () {
      getRunningLoop().setExceptionHandler((_loop, context) => contexts.push(context));
      failing = createTask(function* () {
        try {
          yield* sleep(60_000);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new Error('boom during shutdown');
        }
      });
      // A task that swallows the cancellation and returns is fine.
      createTask(function* () {
        try {
          yield* sleep(60_000);
        } catch {
          return 'swallowed';
        }
      });
      yield* sleep(0);
    });
    assert.equal(contexts.length, 1);
    assert.match(contexts[0]!.message, /unhandled exception during run\(\) shutdown/);
    assert.equal((contexts[0]!.exception as Error).message, 'boom during shutdown');
    assert.equal(contexts[0]!.task, failing);
  });

  test('cannot be called while a loop runs (generator or async task, or a Node callback meanwhile)', async () => {
    // One loop runs at a time in a process; the message says so and what to do instead.
    const message = /run\(\) cannot start while an event loop is running in this process .*use createTask\(\).*after that run\(\) settles$/;
    await run(function* () {
      assert.throws(() => run(function* () {}), message);
    });
    await run(async () => {
      assert.throws(() => run(async () => {}), message);
      // A plain Node callback while the loop runs: the same rule, the same message.
      const fromTimer = await new Promise<unknown>((resolve) => setTimeout(() => {
        try {
          resolve(run(function* () {}));
        } catch (error) {
          resolve(error);
        }
      }, 1));
      assert.match((fromTimer as Error).message, message);
    });
  });

  test('bad options and a bad loopFactory fail at once with the usual message; nothing is left running', async () => {
    assert.throws(() => run(function* () {}, 5 as never), { name: 'TypeError', message: 'run() expects options to be an object like { debug: true }, got number 5' });
    assert.throws(() => run(function* () {}, { loopFactory: 5 as never }), /run\(\) expects options.loopFactory to be a function returning an EventLoop, got number 5/);
    assert.throws(() => run(function* () {}, { debug: 'yes' as never }), /run\(\) expects options.debug to be a boolean, got string "yes"/);
    assert.throws(() => new Runner({ loopFactory: 'x' as never }), /Runner\(\) expects options.loopFactory to be a function/);
    assert.throws(() => run(function* () {}, { loopFactory: () => ({}) as never }), /Runner\(\) expects what options.loopFactory\(\) returned to be an EventLoop/);
    // The process goes on: no unhandled rejection from closing a loop that was never made.
    assert.equal(await run(function* () { return 'still fine'; }), 'still fine');
  });

  test('a main task cancelled by the program rejects with CancelledError (not KeyboardInterrupt)', async () => {
    await assert.rejects(
      run(function* () {
        currentTask()!.cancel();
        yield* sleep(0);
      }),
      (e) => e instanceof CancelledError && !(e instanceof KeyboardInterrupt),
    );
  });

  test('options: debug and loopFactory', async () => {
    const made: EventLoop[] = [];
    const debug = await run(
      function* () {
        return getRunningLoop().getDebug();
      },
      {
        debug: true,
        loopFactory: () => {
          const loop = newEventLoop();
          made.push(loop);
          return loop;
        },
      },
    );
    assert.equal(debug, true);
    assert.equal(made.length, 1);
    assert.equal(made[0]!.isClosed(), true);
  });

  test('removes its SIGINT listener afterwards', async () => {
    const before = process.listenerCount('SIGINT');
    await run(function* () {
      yield* sleep(0);
    });
    assert.equal(process.listenerCount('SIGINT'), before);
  });

  test('KeyboardInterrupt is a CancelledError named KeyboardInterrupt', () => {
    const k = new KeyboardInterrupt();
    assert.ok(k instanceof CancelledError);
    assert.equal(k.name, 'KeyboardInterrupt');
  });
});

describe('Runner', () => {
  test('run() can be called repeatedly on the same loop; close() closes it', async () => {
    const runner = new Runner();
    const loop = runner.getLoop();
    assert.equal(runner.getLoop(), loop);
    const a = await runner.run(function* () {
      assert.equal(getRunningLoop(), loop);
      yield* sleep(1);
      return 'first';
    });
    const b = await runner.run(async () => {
      assert.equal(getRunningLoop(), loop);
      return 'second';
    });
    const c = await runner.run(
      (function* () {
        return 'third';
      })(),
    );
    assert.deepEqual([a, b, c], ['first', 'second', 'third']);
    assert.equal(loop.isClosed(), false);
    await runner.close();
    assert.equal(loop.isClosed(), true);
    await runner.close(); // idempotent
    assert.throws(() => runner.getLoop(), { message: 'Runner is closed' });
    assert.throws(() => runner.run(function* () {}), { message: 'Runner is closed' });
  });

  test('tasks created in one run() keep running in the next; close() cancels what is left', async () => {
    const runner = new Runner();
    const seen: string[] = [];
    // (Wrapped in an object: a Promise resolved with a Task would adopt the Task's result.)
    const { background } = await runner.run(function* () {
      const background = createTask(function* () {
        try {
          for (;;) {
            yield* sleep(0);
            seen.push('tick');
          }
        } finally {
          seen.push('background finally');
        }
      });
      return { background };
    });
    await runner.run(function* () {
      yield* sleep(0);
      yield* sleep(0);
    });
    assert.ok(seen.includes('tick'));
    assert.equal(background.done(), false);
    await runner.close();
    assert.equal(background.cancelled(), true);
    assert.equal(seen.at(-1), 'background finally');
  });

  test('a failing run() does not break the runner', async () => {
    const runner = new Runner();
    await assert.rejects(
      runner.run(function* () {
        throw new RangeError('once');
      }),
      RangeError,
    );
    assert.equal(
      await runner.run(function* () {
        return 'still works';
      }),
      'still works',
    );
    await runner.close();
  });

  test('run() cannot be called from a running loop', async () => {
    const runner = new Runner();
    await run(function* () {
      assert.throws(() => runner.run(function* () {}), /Runner.run\(\) cannot start while an event loop is running/);
    });
    await runner.close();
  });

  test('close() without any run() is fine', async () => {
    const runner = new Runner();
    await runner.close();
    assert.throws(() => runner.getLoop(), { message: 'Runner is closed' });
  });
});

describe('run(): process-level behaviour (child processes)', () => {
  test('the first SIGINT cancels the main task; run() rejects with KeyboardInterrupt', async () => {
    let sent = false;
    let output = '';
    const result = await runChild(fixture('sigint-main.ts'), {
      onStdout: (chunk, child) => {
        output += chunk;
        if (!sent && output.includes('ready')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(sent, true, `the child never got ready: ${result.stderr}`);
    assert.equal(result.timedOut, false, 'the child did not exit after SIGINT');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      'ready',
      'main caught CancelledError',
      'main finally',
      'run rejected with KeyboardInterrupt',
    ]);
  });

  test('an exception nobody retrieved is reported through the exception handler when its Task is collected', async () => {
    const result = await runChild(fixture('unretrieved-gc.ts'), { nodeArgs: ['--expose-gc'] });
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0, result.stderr);
    const reports = JSON.parse(result.stdout.trim()) as { message: string; exception: string }[];
    assert.equal(reports.length, 1, result.stdout);
    assert.match(reports[0]!.message, /Task exception was never retrieved/);
    assert.equal(reports[0]!.exception, 'never retrieved');
  });
});

describe('run(): review regressions', () => {
  test('a Task that fails after an await and is never retrieved is still reported when collected', async () => {
    const result = await runChild(fixture('unretrieved-gc-after-await.ts'), { nodeArgs: ['--expose-gc'] });
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0, result.stderr);
    const reports = JSON.parse(result.stdout.trim()) as { message: string; exception: string }[];
    assert.deepEqual(
      reports.map((r) => r.exception),
      ['after await', 'after future', 'after sleep'],
      result.stdout,
    );
    for (const r of reports) assert.match(r.message, /Task exception was never retrieved/);
  });

  test('a main run() rejects leaves no loop running: the next run() works', async () => {
    assert.throws(() => run(42 as never), TypeError);
    assert.equal(await run(function* () {
      yield* sleep(1);
      return 'next run';
    }), 'next run');
  });

  test('passing the Promise of an async function instead of the function says what to do', async () => {
    const pending = (async () => 1)();
    assert.throws(() => run(pending as never), {
      name: 'TypeError',
      message: /got Promise object: pass the async function itself \(createTask\(fn\), run\(fn\)\)/,
    });
  });

  test('run(main()) with main using the loop: the clear error, and no crash from the orphaned promise', async () => {
    // main() ran outside any loop and rejects ("no running event loop"): part of the same mistake.
    const result = await runChild(fixture('run-promise-of-main.ts'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /refused: .*pass the async function itself/);
    assert.match(result.stdout, /still alive/);
  });

  test('a deadlock: when Node.js is about to exit, run() rejects with DeadlockError listing the pending tasks', async () => {
    const result = await runChild(fixture('run-stuck.ts'), { args: ['deadlock'] });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /rejected: DeadlockError: the event loop cannot finish: .*\n  - Task "main" waiting on <WaiterFuture pending>\n/);
    assert.doesNotMatch(result.stdout, /finishes/); // a task that finished is not listed
    assert.match(result.stdout, /the program goes on/);
  });

  test('a deadlock after a wait woken early while a far timer was pending: still found at once', async () => {
    const started = Date.now();
    const result = await runChild(fixture('run-stuck.ts'), { args: ['far-timer'] });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /rejected: DeadlockError/);
    assert.ok(Date.now() - started < 30_000, 'the cancelled 60 s timer did not keep Node alive');
  });

  test('a Promise that never settles: DeadlockError names the task; closing reports what cannot be cancelled', async () => {
    const result = await runChild(fixture('run-stuck.ts'), { args: ['promise'] });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Task "main" running async code that awaits something outside aio/);
    assert.match(result.stdout, /Task "waiter" waiting on <WaiterFuture pending>/);
    // Shutdown cancels the tasks; main's await can never receive its cancellation.
    assert.match(result.stdout, /reported: tasks still pending when the event loop closed/);
    assert.match(result.stdout, /the program goes on/);
  });

  test('debug mode: a Promise handed to gather() works, with a warning that cancelling cannot stop it', async () => {
    const { calls } = await captureConsole('warn', () =>
      run(async () => {
        assert.deepEqual(await gather(Promise.resolve(1)), [1]);
      }, { debug: true }),
    );
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]![0]), /cancelling cannot stop the work behind a Promise\. Pass the async function itself \(gather\(fn\) rather than gather\(fn\(\)\)\)/);
  });

  test('an async generator is rejected, not run as a coroutine (it used to spin forever)', async () => {
    async function* numbers(): AsyncGenerator<number> {
      yield 1;
    }
    await assert.rejects(run(numbers as never), { name: 'TypeError', message: /cannot run an async generator/ });
    await run(function* () {
      assert.throws(() => createTask(numbers() as never), { name: 'TypeError', message: /cannot run an async generator/ });
    });
  });
});

describe('run(): exceptions nobody retrieved', () => {
  test('are reported through the exception handler when run() ends, once, with the task', async () => {
    const contexts: ExceptionContext[] = [];
    const loopFactory = (): EventLoop => {
      const loop = newEventLoop();
      loop.setExceptionHandler((_loop, context) => contexts.push(context));
      return loop;
    };
    await run(function* () {
      createTask(function* lost() {
        yield* sleep(0);
        throw new RangeError('nobody looks at me');
      }, { name: 'forgotten' });
      const seen = createTask(function* () {
        throw new Error('retrieved');
      });
      yield* sleep(1);
      assert.equal((seen.exception() as Error).message, 'retrieved');
    }, { loopFactory });
    assert.equal(contexts.length, 1, JSON.stringify(contexts.map((c) => c.message)));
    assert.match(contexts[0]!.message, /^Task exception was never retrieved: <Task finished name="forgotten">/);
    assert.equal((contexts[0]!.exception as Error).message, 'nobody looks at me');
  });
});
