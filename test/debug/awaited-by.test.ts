/**
 * Debug mode: an error's stack shows the coroutine chain it was raised through, the task it
 * ended, and each task it was re-raised in (awaited task, gather, TaskGroup), with the frames
 * that awaited it. The error stays the same object, of the same class.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, gather, sleep, TaskGroup, ExceptionGroup, type Coro } from '../../src/index.ts';

class BoomError extends Error {}

function* inner(): Coro<void> {
  yield* sleep(1);
  throw new BoomError('boom');
}
function* middle(): Coro<void> {
  yield* inner();
}
function* outer(): Coro<void> {
  yield* middle();
}
function* parent(): Coro<void> {
  yield* createTask(outer(), { name: 'worker' });
}

/** Runs `main` and returns what it threw. */
async function thrown(main: () => Coro<void> | Promise<void>, debug = true): Promise<Error> {
  try {
    await run(main, { debug });
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected an error');
}

/** The stack's lines without the file positions: `at inner`, `in Task "worker"`, … */
function shape(stack: string | undefined): string[] {
  return String(stack)
    .split('\n')
    .map((line) => line.trim().replace(/ \([^()]*:\d+:\d+\)$/, ''));
}

describe('debug mode: the path of an error across tasks', () => {
  test('an error re-raised through two awaiting tasks: the generator chain, then each task up to the main task', async () => {
    let original: unknown;
    const error = await thrown(function* main() {
      try {
        yield* createTask(parent(), { name: 'parent' });
      } catch (e) {
        original = e;
        throw e;
      }
    });
    assert.equal(error, original, 'the same object is re-raised');
    assert.ok(error instanceof BoomError);
    assert.deepEqual(shape(error.stack), [
      'Error: boom',
      'at inner',
      'at middle',
      'at outer',
      'in Task "worker"',
      'awaited by Task "parent"',
      'at parent',
      'awaited by Task "main"',
      'at main',
    ]);
    assert.match(error.stack!, /at parent \(.*awaited-by\.test\.ts:23:\d+\)/, 'the line of the yield*');
  });

  test('an async-function awaiter is named by its function (its frames are not on the stack when the await throws)', async () => {
    const error = await thrown(function* main() {
      yield* createTask(
        async function handler() {
          await createTask(outer(), { name: 'worker' });
        },
        { name: 'request' },
      );
    });
    assert.deepEqual(shape(error.stack).slice(4), ['in Task "worker"', 'awaited by Task "request" (async function handler)', 'awaited by Task "main"', 'at main']);
  });

  test('through gather: the child task, then the task that awaited the gather', async () => {
    const error = await thrown(async function main() {
      await gather(createTask(outer(), { name: 'fetch' }), sleep(5));
    });
    assert.deepEqual(shape(error.stack).slice(4), ['in Task "fetch"', 'awaited by Task "main" (async function main)']);
  });

  test("a TaskGroup's ExceptionGroup: each error names the child task it ended", async () => {
    const error = await thrown(function* main() {
      const tg = new TaskGroup();
      yield* tg.run(function* () {
        tg.createTask(outer(), { name: 'child' });
        yield* sleep(10);
      });
    });
    assert.ok(error instanceof ExceptionGroup);
    assert.ok(error.stack!.includes('\n  in Task "main"'));
    const [boom] = error.errors as Error[];
    assert.deepEqual(shape(boom!.stack), ['Error: boom', 'at inner', 'at middle', 'at outer', 'in Task "child"']);
  });

  test('an awaiter that catches and re-awaits the same failed task adds its section once', async () => {
    const error = await thrown(function* main() {
      const task = createTask(outer(), { name: 'worker' });
      for (let i = 0; i < 3; i++) {
        try {
          yield* task;
        } catch {
          // again
        }
      }
      yield* task;
    });
    assert.equal(error.stack!.split('awaited by').length, 2);
  });

  test('one error object raised by many tasks (a shared sentinel): its stack stops growing', async () => {
    const sentinel = new Error('shared');
    const error = await thrown(function* main() {
      const awaiters = [];
      for (let i = 0; i < 50; i++) {
        const failing = createTask(function* () {
          yield* sleep(1);
          throw sentinel;
        });
        awaiters.push(createTask(function* () {
          yield* failing;
        }));
      }
      yield* gather(...awaiters, { returnExceptions: true });
      throw sentinel;
    });
    assert.equal(error, sentinel);
    assert.ok(error.stack!.split('awaited by').length - 1 <= 33);
  });

  test('off by default: the stack is left as V8 made it', async () => {
    let stackAtRaise: string | undefined;
    const error = await thrown(function* main() {
      const task = createTask(outer(), { name: 'worker' });
      yield* sleep(5);
      stackAtRaise = (task.exception() as Error).stack;
      yield* task;
    }, false);
    assert.equal(error.stack, stackAtRaise);
    assert.doesNotMatch(error.stack!, /in Task|awaited by/);
  });
});
