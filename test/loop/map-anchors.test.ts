import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allTasks, createTask, newEventLoop, run, sleep } from '../../src/index.ts';
import type { AbstractEventLoop } from '../../src/loop/events.ts';
import { anchorMaps } from '../../src/loop/map-anchors.ts';
import { fixture, runChild } from '../helpers/child.ts';

describe('map anchors', () => {
  // First in this file (a process of its own): the first loop built here builds the anchors.
  test('the dormant instances take no task number: the first task is still Task-1', async () => {
    const loop = newEventLoop();
    const task = loop.createTask(function* () {});
    assert.equal(task.getName(), 'Task-1');
    await loop.runUntilComplete(task);
    loop.close();
  });

  test('they live on a loop of their own that never runs, invisible to allTasks()', async () => {
    let dormant: AbstractEventLoop | null = null;
    anchorMaps((loop: AbstractEventLoop) => (dormant = loop)); // a loop exists already: made at once
    assert.ok(dormant !== null);
    const d = dormant as AbstractEventLoop;
    assert.equal(d.isRunning(), false);
    await run(function* () {
      const mine = createTask(sleep(1));
      assert.equal(mine.getName(), 'Task-2');
      assert.deepEqual([...allTasks()].map((t) => t.getName()), ['main', 'Task-2']);
      yield* mine;
    });
    assert.equal(d.isRunning(), false);
    assert.equal(d.isClosed(), false);
  });

  test('optimized code of the hot paths survives a run whose objects are all collected (child process)', async () => {
    // Without the anchors V8 drops the maps of the runtime's classes once a run's objects are
    // gone, and deoptimizes every function built for them (measured: 15–35 % slower batches).
    const result = await runChild(fixture('optimized-code-survives.ts'), {
      nodeArgs: ['--allow-natives-syntax', '--expose-gc', '--no-concurrent-recompilation', '--no-concurrent-osr'],
    });
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0, result.stderr);
    const states = JSON.parse(result.stdout.trim()) as Record<string, [boolean, boolean]>;
    assert.ok(Object.keys(states).length >= 4);
    for (const [name, [optimized, afterGc]] of Object.entries(states)) {
      assert.equal(optimized, true, `${name} was not optimized by the runs (the check would prove nothing)`);
      assert.equal(afterGc, true, `${name} was deoptimized once the run's objects were collected`);
    }
  });
});
