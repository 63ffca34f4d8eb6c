/**
 * Debug mode reports runtime awaitables made and dropped without being awaited, when they
 * are collected, with where they were made (asyncio: "coroutine … was never awaited",
 * test_coroutines' / test_tasks' never-awaited warnings). Run in a child with --expose-gc.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, runChild } from '../helpers/child.ts';

describe('debug mode: never awaited', () => {
  test('sleep(), sleep(0), a lock/queue operation and timeout() dropped in both styles are reported; awaited ones and debug off are not', async () => {
    const result = await runChild(fixture('never-awaited.ts'), { nodeArgs: ['--expose-gc'] });
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0, result.stderr);
    const reports = JSON.parse(result.stdout.trim()) as { message: string; at?: string }[];
    const off = reports.findIndex((r) => r.message === '--- debug off ---');
    assert.equal(off, reports.length - 1, 'nothing is reported with debug mode off');
    const found = reports
      .slice(0, off)
      .map((r) => `${r.at} ${r.message.slice(0, r.message.indexOf(' was never awaited'))}`)
      .sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1]));
    assert.deepEqual(found, [
      'never-awaited.ts:30:7 <sleep 100 ms>',
      'never-awaited.ts:31:7 <sleep 0 ms>',
      'never-awaited.ts:32:12 an operation (LockAcquire)',
      'never-awaited.ts:33:7 an awaitable (InlineAwaitable)',
      'never-awaited.ts:40:9 <sleep 200 ms>',
      'never-awaited.ts:41:15 an operation (QueueGet)',
    ]);
    for (const report of reports.slice(0, off)) {
      assert.match(report.message, / was never awaited: it was created and dropped, so it did nothing\. Await it \(yield\* in a generator coroutine, await in an async function\) or run it with createTask\(\)$/);
    }
  });
});
