import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runChild } from './helpers/child.ts';

describe('run(): nothing of a finished run stays reachable (child process)', () => {
  test('after run() or Runner.close() resolves, its loop, main task and child tasks are collected', async () => {
    // --expose-gc for gc(). V8 optimizes hot functions on a background thread, and until it
    // installs the code the job holds the closures it inlined (and their contexts): for a few
    // milliseconds after a run, a closure of the run can keep it reachable, when the timing
    // falls that way. With the optimizing compiler on the main thread the outcome does not
    // depend on timing, and what is checked is the runtime's own references.
    const result = await runChild(fixture('run-releases-tasks.ts'), {
      nodeArgs: ['--expose-gc', '--no-concurrent-recompilation', '--no-concurrent-osr'],
    });
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0, result.stderr);
    const alive = JSON.parse(result.stdout.trim()) as Record<string, string[]>;
    assert.deepEqual(Object.keys(alive), [
      'generator tasks, gathered',
      'async-function tasks, gathered',
      'task group, async main',
      'main fails; a child pending at the end, one whose error nobody retrieves',
      'Runner: two runs, then close()',
      'virtual-time loop, async-function tasks',
    ]);
    for (const [scenario, names] of Object.entries(alive)) {
      assert.deepEqual(names, [], `${scenario}: still reachable after gc(): ${names.join(', ')}`);
    }
  });
});
