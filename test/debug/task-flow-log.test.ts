/** NODE_DEBUG=aio: one line per task event on stderr, through util.debuglog('aio'); nothing when off. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runChild } from '../helpers/child.ts';

/** The `AIO <pid>: ` lines of stderr, without the prefix. */
function aioLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => /^AIO \d+: /.test(line))
    .map((line) => line.replace(/^AIO \d+: /, ''));
}

describe('NODE_DEBUG=aio task-flow logging', () => {
  test('logs tasks created/finished/cancelled (message and requester), a timeout, a TaskGroup abort and an executor job', async () => {
    const { code, stdout, stderr } = await runChild(fixture('task-flow.ts'), { env: { NODE_DEBUG: 'aio' } });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /fib 610/);
    const lines = aioLines(stderr);
    const expected = [
      'task "main" created',
      'task "slow" created by task "main"',
      'task "slow" cancel requested by task "main": "no longer needed"',
      'task "slow" cancelled: "no longer needed"',
      'timeout fired in task "main" (deadline: loop time 60 ms): cancelling it',
      'task "main" cancel requested by the timeout() of task "main"',
      'task "failing" created by task "main"',
      'task "sibling" created by task "main"',
      'task "failing" failed: Error: boom',
      'TaskGroup of task "main" aborted (task "failing" failed: Error: boom): cancelling 1 task',
      'task "sibling" cancel requested by the TaskGroup of task "main"',
      'task "main" cancel requested by the TaskGroup of task "main"',
      'task "sibling" cancelled',
      'executor job 1 (fib) submitted by task "main"',
      'executor job 1 (fib) of task "main" started',
      'executor job 1 (fib) of task "main" finished',
      'task "main" finished',
    ];
    assert.deepEqual(lines, expected);
  });

  test('off (no NODE_DEBUG, or other sections): not one line', async () => {
    for (const env of [{ NODE_DEBUG: '' }, { NODE_DEBUG: 'net,http' }]) {
      const { code, stderr } = await runChild(fixture('task-flow.ts'), { env });
      assert.equal(code, 0, stderr);
      assert.deepEqual(aioLines(stderr), []);
    }
  });
});
