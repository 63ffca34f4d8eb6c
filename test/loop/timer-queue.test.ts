import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTask, gather, getRunningLoop, newEventLoop, sleep, TimerHandle, type Coro } from '../../src/index.ts';
import { TimerQueue } from '../../src/loop/timer-queue.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { prng } from '../helpers/prng.ts';

const loop = newEventLoop();
const noop = (): void => {};

const byWhenThenSeq = (a: TimerHandle, b: TimerHandle): number => a._when - b._when || a._seq - b._seq;

/**
 * A queue driven like the loop drives it: a clock that only moves forward, timers scheduled
 * `delay` ms ahead of it (whole, fractional, or none: an absolute deadline), and, checked
 * against a plain sort by (when, seq), every pop.
 */
class Model {
  readonly queue = new TimerQueue();
  readonly pending: TimerHandle[] = [];
  now = 0;
  #seq = 0;

  add(delay: number | undefined, when = this.now + (delay ?? 0)): TimerHandle {
    const timer = new TimerHandle(when, noop, [], loop);
    timer._seq = ++this.#seq;
    timer._scheduled = true;
    this.queue.push(timer, delay);
    this.pending.push(timer);
    return timer;
  }

  /** Pops one timer from both sides; returns [queue's, expected]. */
  popBoth(): [TimerHandle | undefined, TimerHandle | undefined] {
    this.pending.sort(byWhenThenSeq);
    const expected = this.pending.shift();
    assert.equal(this.queue.peek(), expected);
    return [this.queue.pop() as TimerHandle | undefined, expected];
  }
}

describe('TimerQueue', () => {
  test('timers with the same whole delay share a list and come out in (when, seq) order with the others', () => {
    const m = new Model();
    m.add(10); // when 10
    m.now = 1;
    m.add(10); // 11
    m.add(5); // 6
    m.add(undefined, 10); // callAt(10): after the first (same when, later seq)
    m.add(2.5); // 3.5: a fractional delay goes to the heap
    m.now = 2;
    m.add(5); // 7
    const order: number[] = [];
    while (m.queue.size > 0) {
      const [got, expected] = m.popBoth();
      assert.equal(got, expected);
      order.push(got!._when);
    }
    assert.deepEqual(order, [3.5, 6, 7, 10, 10, 11]);
    assert.equal(m.queue.pop(), undefined);
    assert.equal(m.queue.peek(), undefined);
  });

  test('matches a sort by (when, seq) on random schedules, with interleaved pops', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rand = prng(seed);
      const m = new Model();
      for (let step = 0; step < 2000; step++) {
        const r = rand();
        if (r < 0.55 || m.pending.length === 0) {
          const kind = rand();
          // Few distinct delays (long lists), negative ones, fractional ones, absolute deadlines.
          if (kind < 0.6) m.add(Math.floor(rand() * 8) - 1);
          else if (kind < 0.8) m.add(rand() * 10);
          else m.add(undefined, m.now + Math.floor(rand() * 10));
        } else if (r < 0.9) {
          const [got, expected] = m.popBoth();
          assert.equal(got?._seq, expected?._seq, `seed ${seed}, step ${step}`);
        } else {
          m.now += Math.floor(rand() * 3); // the clock moves (or not)
        }
      }
      while (m.pending.length > 0) {
        const [got, expected] = m.popBoth();
        assert.equal(got?._seq, expected?._seq, `seed ${seed}, draining`);
      }
      assert.equal(m.queue.size, 0);
    }
  });

  test('a long-lived list keeps working as it is popped from and appended to (its popped slots are dropped)', () => {
    const m = new Model();
    for (let i = 0; i < 5000; i++) {
      m.now = i;
      m.add(100);
      if (i >= 100) {
        const [got, expected] = m.popBoth();
        assert.equal(got, expected);
      }
    }
    assert.equal(m.queue.size, 100);
  });

  test('compact() drops cancelled timers from the heap and the lists, keeps the order, marks them unscheduled', () => {
    const rand = prng(7);
    const m = new Model();
    const all: { timer: TimerHandle; delay: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      m.now = i / 10;
      const delay = rand() < 0.7 ? Math.floor(rand() * 5) * 10 : rand() * 50;
      all.push({ timer: m.add(delay), delay });
    }
    // Every timer of the 20 ms list, and two thirds of the others.
    const cancelled = all.filter(({ delay }, i) => delay === 20 || i % 3 !== 0).map(({ timer }) => timer);
    for (const t of cancelled) t.cancel();
    m.queue.compact();
    const live = all.map(({ timer }) => timer).filter((t) => !t.cancelled());
    assert.equal(m.queue.size, live.length);
    for (const t of cancelled) assert.equal(t._scheduled, false);
    m.pending.length = 0;
    m.pending.push(...live);
    while (m.pending.length > 0) {
      const [got, expected] = m.popBoth();
      assert.equal(got, expected);
    }
    // The emptied 20 ms list is gone: a new 20 ms timer starts a new one.
    const t = m.add(20);
    assert.equal(m.queue.size, 1);
    assert.equal(m.queue.pop(), t);
  });

  test('clear() empties the lists and the heap and marks every timer unscheduled', () => {
    const m = new Model();
    const ts = [m.add(1), m.add(1), m.add(0.5), m.add(undefined, 3)];
    m.queue.clear();
    assert.equal(m.queue.size, 0);
    assert.equal(m.queue.peek(), undefined);
    for (const t of ts) assert.equal(t._scheduled, false);
    m.pending.length = 0;
    m.add(1);
    assert.equal(m.popBoth()[0]?._when, 1);
  });

  test('in a loop: sleeps of equal and different lengths, callLater and callAt wake in deadline order', async () => {
    await runVirtual(function* () {
      const woke: string[] = [];
      const l = getRunningLoop();
      function* sleeper(name: string, ms: number): Coro<void> {
        yield* sleep(ms);
        woke.push(`${name}@${l.time()}`);
      }
      l.callAt(15, () => woke.push(`callAt@${l.time()}`));
      l.callLater(20, () => woke.push(`callLater@${l.time()}`));
      const tasks = [
        createTask(sleeper('a', 20)),
        createTask(sleeper('b', 10)),
        createTask(sleeper('c', 20)),
        createTask(sleeper('d', 2.5)),
      ];
      yield* sleep(5);
      tasks.push(createTask(sleeper('e', 10)), createTask(sleeper('f', 20)));
      yield* gather(...tasks);
      // At equal deadlines a callback runs in the iteration the timer is due; a task wakes in the next.
      assert.deepEqual(woke, ['d@2.5', 'b@10', 'callAt@15', 'e@15', 'callLater@20', 'a@20', 'c@20', 'f@25']);
    });
  });
});
