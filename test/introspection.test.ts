/**
 * isCoroutine, isCoroutineFunction, task.getCoro(), task.getStack()/printStack(): asyncio's
 * iscoroutine/iscoroutinefunction (test_tasks.py test_iscoroutinefunction, test_get_coro,
 * test_get_stack / test_task_print_stack).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import {
  run,
  sleep,
  createTask,
  getRunningLoop,
  Event,
  isCoroutine,
  isCoroutineFunction,
  type Coro,
} from '../src/index.ts';

describe('isCoroutine / isCoroutineFunction', () => {
  test('generator objects are coroutines; functions, promises and async iterators are not', () => {
    function* gen(): Coro<void> {}
    async function* agen(): AsyncGenerator<number> {}
    const promise = (async () => {})();
    assert.equal(isCoroutine(gen()), true);
    assert.equal(isCoroutine(gen), false);
    assert.equal(isCoroutine(promise), false);
    assert.equal(isCoroutine(agen()), false);
    assert.equal(isCoroutine([][Symbol.iterator]()), false);
    assert.equal(isCoroutine(null), false);
    assert.equal(isCoroutine({ next() {} }), false);
  });

  test('generator and async functions are coroutine functions (test_iscoroutinefunction)', () => {
    assert.equal(isCoroutineFunction(function* () {}), true);
    assert.equal(isCoroutineFunction(async () => {}), true);
    assert.equal(isCoroutineFunction(async function named() {}), true);
    assert.equal(isCoroutineFunction(() => 1), false);
    assert.equal(isCoroutineFunction(async function* () {}), false);
    assert.equal(isCoroutineFunction({}), false);
  });
});

describe('task.getCoro()', () => {
  test('returns the coroutine, or the function of an async task (test_get_coro)', async () => {
    await run(function* () {
      function* work(): Coro<number> {
        yield* sleep(0);
        return 1;
      }
      const coro = work();
      const task = createTask(coro);
      assert.equal(task.getCoro(), coro);
      const fn = async (): Promise<number> => 2;
      const asyncTask = createTask(fn);
      assert.equal(asyncTask.getCoro(), fn);
      yield* task;
      yield* asyncTask;
    });
  });
});

describe('task.getStack() / printStack()', () => {
  function* innermost(event: Event): Coro<void> {
    yield* event.wait();
  }
  function* middle(event: Event): Coro<void> {
    yield* innermost(event);
  }
  function* outer(event: Event): Coro<void> {
    yield* middle(event);
  }

  test('in debug mode: the yield* chain a suspended generator task waits in, outermost first, with file:line', async () => {
    await run(function* () {
      getRunningLoop().setDebug(true);
      const event = new Event();
      const task = createTask(outer(event), { name: 'deep' });
      yield* sleep(0);
      const frames = task.getStack();
      const names = frames.map((f) => f.functionName);
      const ours = names.filter((n) => ['outer', 'middle', 'innermost'].includes(n));
      assert.deepEqual(ours, ['outer', 'middle', 'innermost'], names.join(', '));
      const first = frames.find((f) => f.functionName === 'outer')!;
      assert.equal(basename(first.file.replace(/^file:\/\//, '')), 'introspection.test.ts');
      assert.ok(first.line > 0 && first.column > 0);
      assert.deepEqual(task.getStack({ limit: 1 }).map((f) => f.functionName), [names.at(-1)], 'limit keeps the innermost');
      assert.deepEqual(task.getStack({ limit: -1 }).map((f) => f.functionName), ['outer'], 'a negative limit keeps the outermost');

      let printed = '';
      task.printStack({ file: { write: (text: string) => (printed += text) } });
      assert.match(printed, /^Stack for <Task pending name="deep"> \(most recent call last\):\n/);
      assert.match(printed, /File ".*introspection\.test\.ts", line \d+, in outer\n/);

      event.set();
      yield* task;
      assert.deepEqual(task.getStack(), [], 'a done task has no stack');
      printed = '';
      task.printStack({ file: { write: (text: string) => (printed += text) } });
      assert.match(printed, /^No stack for <Task finished name="deep">/);
    });
  });

  test('outside debug mode nothing is recorded: the stack is empty', async () => {
    await run(function* () {
      getRunningLoop().setDebug(false);
      const event = new Event();
      const task = createTask(outer(event));
      yield* sleep(0);
      assert.deepEqual(task.getStack(), []);
      event.set();
      yield* task;
    });
  });
});
