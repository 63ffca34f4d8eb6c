import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadyQueue } from '../../src/loop/ready-queue.ts';

describe('ReadyQueue', () => {
  test('runs entries first-in, first-out, calling fn(arg)', () => {
    const q = new ReadyQueue();
    const seen: unknown[] = [];
    const record = (arg: unknown): void => {
      seen.push(arg);
    };
    q.push(record, 'a');
    q.push(record, 'b');
    q.push((arg: number) => seen.push(arg * 10), 3);
    assert.equal(q.length, 3);
    assert.equal(q.firstArg(), 'a');
    while (q.length > 0) q.runFirst();
    assert.deepEqual(seen, ['a', 'b', 30]);
    assert.equal(q.length, 0);
  });

  test('keeps FIFO order across chunk boundaries while pushes and runs interleave', () => {
    const q = new ReadyQueue();
    const seen: number[] = [];
    const record = (n: number): void => {
      seen.push(n);
    };
    let next = 0;
    let expected = 0;
    // Interleave pushes and runs so that reads and writes cross many chunk boundaries, with
    // drained chunks reused for later writes.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < round * 3; i++) q.push(record, next++);
      for (let i = 0; i < round * 2 && q.length > 0; i++) q.runFirst();
    }
    while (q.length > 0) q.runFirst();
    for (const n of seen) assert.equal(n, expected++);
    assert.equal(expected, next);
  });

  test('an entry pushed while running is queued after the existing ones', () => {
    const q = new ReadyQueue();
    const seen: string[] = [];
    q.push(() => {
      seen.push('first');
      q.push(() => seen.push('pushed by first'), null);
    }, null);
    q.push(() => seen.push('second'), null);
    while (q.length > 0) q.runFirst();
    assert.deepEqual(seen, ['first', 'second', 'pushed by first']);
  });

  test('holds many entries (length is exact past the initial capacity)', () => {
    const q = new ReadyQueue();
    let sum = 0;
    for (let i = 0; i < 10_000; i++) q.push((n: number) => (sum += n), i);
    assert.equal(q.length, 10_000);
    while (q.length > 0) q.runFirst();
    assert.equal(sum, (10_000 * 9_999) / 2);
  });

  test('clear() drops every entry', () => {
    const q = new ReadyQueue();
    let ran = false;
    for (let i = 0; i < 100; i++) q.push(() => (ran = true), i);
    q.clear();
    assert.equal(q.length, 0);
    q.push(() => {}, 'x');
    assert.equal(q.length, 1);
    q.runFirst();
    assert.equal(ran, false);
  });

  test('releases references to run entries', () => {
    const q = new ReadyQueue();
    q.push(() => {}, { big: true });
    q.runFirst();
    assert.equal(q.firstArg(), undefined);
  });
});
