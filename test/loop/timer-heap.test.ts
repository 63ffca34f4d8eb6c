import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newEventLoop, TimerHandle } from '../../src/index.ts';
import { TimerHeap } from '../../src/loop/timer-queue.ts';
import { prng } from '../helpers/prng.ts';

const loop = newEventLoop();
const noop = (): void => {};

function timer(when: number, seq: number): TimerHandle {
  const handle = new TimerHandle(when, noop, [], loop);
  handle._seq = seq;
  handle._scheduled = true;
  return handle;
}

function drain(heap: TimerHeap): TimerHandle[] {
  const out: TimerHandle[] = [];
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) out.push(t as TimerHandle);
  return out;
}

const byWhenThenSeq = (a: TimerHandle, b: TimerHandle): number => a._when - b._when || a._seq - b._seq;

describe('TimerHeap', () => {
  test('pops timers in `when` order', () => {
    const heap = new TimerHeap();
    const whens = [50, 10, 40, -5, 30, 20, 0];
    whens.forEach((w, i) => heap.push(timer(w, i)));
    assert.equal(heap.size, whens.length);
    assert.equal(heap.peek()!._when, -5);
    assert.deepEqual(
      drain(heap).map((t) => t._when),
      [-5, 0, 10, 20, 30, 40, 50],
    );
    assert.equal(heap.size, 0);
    assert.equal(heap.pop(), undefined);
    assert.equal(heap.peek(), undefined);
  });

  test('timers due at the same time come out first-in, first-out (by seq)', () => {
    const heap = new TimerHeap();
    for (let seq = 1; seq <= 20; seq++) heap.push(timer(seq % 2 === 0 ? 5 : 7, seq));
    const out = drain(heap);
    assert.deepEqual(
      out.map((t) => t._seq),
      [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19],
    );
  });

  test('matches a sort by (when, seq) on random input, with interleaved pops', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed);
      const heap = new TimerHeap();
      const reference: TimerHandle[] = [];
      let seq = 0;
      const popped: TimerHandle[] = [];
      const expected: TimerHandle[] = [];
      for (let step = 0; step < 500; step++) {
        if (rand() < 0.65 || reference.length === 0) {
          const t = timer(Math.floor(rand() * 50), ++seq); // many equal `when`s
          heap.push(t);
          reference.push(t);
        } else {
          reference.sort(byWhenThenSeq);
          expected.push(reference.shift()!);
          popped.push(heap.pop() as TimerHandle);
        }
      }
      reference.sort(byWhenThenSeq);
      expected.push(...reference);
      popped.push(...drain(heap));
      assert.deepEqual(
        popped.map((t) => t._seq),
        expected.map((t) => t._seq),
        `seed ${seed}`,
      );
    }
  });

  test('compact() drops cancelled timers, keeps the order, and marks them unscheduled', () => {
    const rand = prng(42);
    const heap = new TimerHeap();
    const all: TimerHandle[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = timer(Math.floor(rand() * 100), i);
      all.push(t);
      heap.push(t);
    }
    const cancelled = all.filter((_, i) => i % 3 !== 0);
    for (const t of cancelled) t.cancel();
    heap.compact();
    const live = all.filter((t) => !t.cancelled());
    assert.equal(heap.size, live.length);
    for (const t of cancelled) assert.equal(t._scheduled, false);
    assert.deepEqual(
      drain(heap).map((t) => t._seq),
      [...live].sort(byWhenThenSeq).map((t) => t._seq),
    );
  });

  test('clear() empties the heap and marks every timer unscheduled', () => {
    const heap = new TimerHeap();
    const ts = [timer(1, 1), timer(2, 2)];
    ts.forEach((t) => heap.push(t));
    heap.clear();
    assert.equal(heap.size, 0);
    for (const t of ts) assert.equal(t._scheduled, false);
  });
});
