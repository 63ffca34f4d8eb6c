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

  describe('single-slot entries (the loop\'s task steps)', () => {
    test('keep FIFO order with pairs when pushes fill every slot of many chunks', () => {
      const seen: unknown[] = [];
      const step = (task: { id: number }): void => {
        seen.push(task.id);
      };
      const q = new ReadyQueue(step);
      const pair = (n: number): void => {
        seen.push(n);
      };
      let next = 0;
      // One pair after every 1, 2 or 3 single entries: pairs meet a chunk's last slot, where
      // they do not fit and the slot stays empty, and runs drain chunks while pushes go on.
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 100; i++) {
          if (i % (1 + (round % 3)) === 0) q.push(pair, next++);
          else q.push(step, { id: next++ });
        }
        for (let i = 0; i < 60 && q.length > 0; i++) q.runFirst();
      }
      while (q.length > 0) q.runFirst();
      assert.deepEqual(seen, Array.from({ length: next }, (_, i) => i));
    });

    test('a pair that does not fit in a chunk\'s last slot goes to the next chunk, in order', () => {
      const seen: number[] = [];
      const step = (task: { id: number }): void => {
        seen.push(task.id);
      };
      const q = new ReadyQueue(step);
      for (let i = 0; i < 1023; i++) q.push(step, { id: i }); // a chunk holds 1024 slots
      q.push((n: number) => seen.push(n), 1023); // needs two: the last slot stays empty
      q.push(step, { id: 1024 });
      assert.equal(q.length, 1025);
      for (let i = 0; i < 1023; i++) q.runFirst();
      assert.equal(q.firstArg(), 1023);
      while (q.length > 0) q.runFirst();
      assert.deepEqual(seen, Array.from({ length: 1025 }, (_, i) => i));
    });

    test('are reported by firstFn() and firstArg() as (single, argument)', () => {
      const step = (_task: object): void => {};
      const other = (_n: number): void => {};
      const q = new ReadyQueue(step);
      const task = { name: 't' };
      q.push(step, task);
      q.push(other, 7);
      assert.equal(q.firstFn(), step);
      assert.equal(q.firstArg(), task);
      q.runFirst();
      assert.equal(q.firstFn(), other);
      assert.equal(q.firstArg(), 7);
    });

    test('release their argument once run', () => {
      const step = (_task: object): void => {};
      const q = new ReadyQueue(step);
      q.push(step, { big: true });
      q.runFirst();
      assert.equal(q.firstArg(), undefined);
    });
  });
});
