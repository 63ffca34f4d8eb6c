/** formatTasks()/printTasks(): every pending task with what it waits on (and, in debug mode, where). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, Event, Lock, formatTasks, printTasks, newEventLoop } from '../../src/index.ts';
import { captureConsole } from '../helpers/capture.ts';

describe('formatTasks / printTasks', () => {
  for (const debug of [false, true]) {
    test(`lists each pending task, generator and async, with what it waits on${debug ? ', and where (debug mode)' : ''}`, async () => {
      let release = (): void => {};
      const text = await run(
        function* () {
          const event = new Event();
          const lock = new Lock();
          yield* lock.acquire();
          const waiter = createTask(function* () { yield* event.wait(); }, { name: 'gen waiter' });
          createTask(async () => { await lock.acquire(); }, { name: 'async locker' });
          createTask(function* () { yield* waiter; }, { name: 'awaits a task' });
          createTask(async () => { await new Promise<void>((resolve) => (release = resolve)); }, { name: 'foreign' });
          yield* sleep(0);
          yield* sleep(0);
          waiter.cancel(); // one request, not yet seen by it (its next step runs after this one)
          const text = formatTasks();
          lock.release();
          event.set();
          release();
          return text;
        },
        { debug },
      );
      const lines = text.split('\n');
      const entries = lines.filter((l) => !l.startsWith('    '));
      assert.deepEqual(entries, [
        '5 pending tasks:',
        '- Task "main" running (the caller)',
        '- Task "gen waiter" waiting on <WaiterFuture cancelled> (cancellation requested 1×)',
        '- Task "async locker" waiting on <WaiterFuture pending>',
        '- Task "awaits a task" waiting on <Task pending name="gen waiter">',
        '- Task "foreign" running async code that awaits something outside aio (a Promise that never settles?)',
      ]);
      const places = lines.filter((l) => l.startsWith('    '));
      if (!debug) assert.deepEqual(places, []);
      else {
        assert.ok(places.length >= 5, text);
        for (const place of places) assert.match(place, /^    (task|awaited object) created at .*task-dump\.test\.ts:\d+:\d+\)?$/);
      }
    });
  }

  test('printTasks() writes the same to stderr; a loop argument is checked', async () => {
    const { calls } = await captureConsole('error', () =>
      run(function* () {
        printTasks();
        yield* sleep(0);
      }),
    );
    assert.equal(calls.length, 1);
    assert.match(String(calls[0]![0]), /^1 pending task:\n- Task "main" running \(the caller\)$/);
    assert.throws(() => formatTasks({} as never), /^TypeError: formatTasks\(\) expects loop to be/);
    const loop = newEventLoop();
    assert.equal(formatTasks(loop), '0 pending tasks:');
    loop.close();
  });
});
