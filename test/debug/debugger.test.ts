/**
 * Debug mode: a debugger paused in a task shows the chain of task creations above it (V8's
 * async stack tagging, `console.createTask`): the task's name and where it was created, then
 * the task that created it, up to the main task. Checked through the inspector protocol, as a
 * debugger sees it (test/helpers/inspector-pause.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, type Coro } from '../../src/index.ts';
import { recordPauses, type Pause } from '../helpers/inspector-pause.ts';

function* leaf(): Coro<void> {
  yield* sleep(1);
  debugger;
}
function* spawner(): Coro<void> {
  yield* createTask(leaf(), { name: 'leaf-task' });
}
async function asyncLeaf(): Promise<void> {
  await sleep(1);
  debugger;
}

/** The task segments of the async stack trace, and the user functions in each (where that task was created). */
function taskChain(pause: Pause): Array<[string, string[]]> {
  return pause.async
    .filter((segment) => segment.description.startsWith('Task '))
    .map((segment) => [segment.description, segment.frames.map((f) => f.functionName).filter((name) => ['main', 'spawner', 'leaf'].includes(name))]);
}

describe('debug mode: tasks in a debugger', () => {
  test('paused in a generator task made by another task: each task and the function that created it, up to the main task', async () => {
    const pauses = await recordPauses(() =>
      run(
        function* main() {
          yield* createTask(spawner(), { name: 'spawner-task' });
        },
        { debug: true },
      ),
    );
    assert.equal(pauses.length, 1);
    assert.equal(pauses[0]!.frames[0]!.functionName, 'leaf');
    assert.deepEqual(taskChain(pauses[0]!), [
      ['Task "leaf-task"', ['spawner']],
      ['Task "spawner-task"', ['main']],
      ['Task "main"', []],
    ]);
  });

  test('paused in an async-function task after an await: the task still heads the chain', async () => {
    const pauses = await recordPauses(() =>
      run(
        function* main() {
          yield* createTask(asyncLeaf, { name: 'async-leaf' });
        },
        { debug: true },
      ),
    );
    assert.equal(pauses.length, 1);
    assert.equal(pauses[0]!.frames[0]!.functionName, 'asyncLeaf');
    assert.deepEqual(
      taskChain(pauses[0]!).map(([name]) => name),
      ['Task "async-leaf"', 'Task "main"'],
    );
  });

  test('off by default: no task in the async stack trace (the code runs as it is)', async () => {
    const pauses = await recordPauses(() =>
      run(function* main() {
        yield* createTask(spawner(), { name: 'spawner-task' });
      }),
    );
    assert.equal(pauses.length, 1);
    assert.deepEqual(taskChain(pauses[0]!), []);
  });
});
