import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PriorityQueue, compareItems, createTask, run, sleep } from '../../src/index.js';
import { settle } from '../helpers/primitives.js';
import { queueContract } from './queue-contract.js';

queueContract(PriorityQueue);

describe('PriorityQueue: order', () => {
  test('the smallest item comes out first (asyncio test_order)', async () => {
    await run(function* () {
      const q = new PriorityQueue<number>();
      for (const i of [1, 3, 2]) yield* q.put(i);
      const items = [yield* q.get(), yield* q.get(), yield* q.get()];
      assert.deepEqual(items, [1, 2, 3]);
    });
  });

  test('a heap: random items come out sorted', () => {
    const q = new PriorityQueue<number>();
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const items = Array.from({ length: 1000 }, () => Math.floor(random() * 500));
    for (const i of items) q.putNowait(i);
    const out: number[] = [];
    while (!q.empty()) out.push(q.getNowait());
    assert.deepEqual(out, [...items].sort((a, b) => a - b));
  });

  test('[priority, item] tuples order by priority, then by item, like Python tuples', () => {
    const q = new PriorityQueue<[number, string]>();
    q.putNowait([2, 'write report']);
    q.putNowait([1, 'fix the build']);
    q.putNowait([2, 'answer mail']);
    q.putNowait([0, 'coffee']);
    assert.deepEqual(
      [q.getNowait(), q.getNowait(), q.getNowait(), q.getNowait()],
      [
        [0, 'coffee'],
        [1, 'fix the build'],
        [2, 'answer mail'],
        [2, 'write report'],
      ],
    );
  });

  test('strings, bigints, dates, booleans and nested tuples', () => {
    const sorted = <T>(items: T[]): T[] => {
      const q = new PriorityQueue<T>();
      for (const i of items) q.putNowait(i);
      const out: T[] = [];
      while (!q.empty()) out.push(q.getNowait());
      return out;
    };
    assert.deepEqual(sorted(['pear', 'apple', 'fig']), ['apple', 'fig', 'pear']);
    assert.deepEqual(sorted([3n, 1, 2n]), [1, 2n, 3n]);
    assert.deepEqual(sorted([new Date(3), new Date(1)]).map((d) => d.getTime()), [1, 3]);
    assert.deepEqual(sorted([true, false]), [false, true]);
    assert.deepEqual(sorted([[1, [2, 'b']], [1, [2, 'a']], [1]]), [[1], [1, [2, 'a']], [1, [2, 'b']]]);
  });

  test('items that cannot be ordered throw TypeError saying what to do', () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait({ a: 1 });
    assert.throws(() => q.putNowait({ b: 2 }), {
      name: 'TypeError',
      message: /^PriorityQueue cannot order Object .* and Object .*: use numbers, strings or \[priority, item\] tuples, or pass a compare option$/,
    });
    assert.throws(() => compareItems(1, 'one'), TypeError);
    const same = { id: 1 };
    assert.equal(compareItems([1, same], [1, same]), 0); // equal tuples need no item order
  });

  test('a compare option orders anything; options may come first or second', async () => {
    interface Job {
      name: string;
      deadline: number;
    }
    const byDeadline = (a: Job, b: Job): number => a.deadline - b.deadline;
    const q1 = new PriorityQueue<Job>({ compare: byDeadline, maxsize: 2 });
    const q2 = new PriorityQueue<Job>(2, { compare: byDeadline });
    for (const q of [q1, q2]) {
      assert.equal(q.maxsize, 2);
      q.putNowait({ name: 'late', deadline: 9 });
      q.putNowait({ name: 'soon', deadline: 1 });
      assert.ok(q.full());
      assert.equal(q.getNowait().name, 'soon');
    }
    assert.throws(() => new PriorityQueue<number>({ compare: 'desc' as unknown as () => number }), TypeError);
    await run(function* () {
      const q = new PriorityQueue<number>({ compare: (a, b) => b - a });
      const got: number[] = [];
      const consumer = createTask(function* () {
        for (let i = 0; i < 3; i++) got.push(yield* q.get());
      });
      yield* sleep(0);
      q.putNowait(1); // the waiting consumer gets whatever is smallest when it runs
      q.putNowait(5);
      q.putNowait(3);
      yield* settle(consumer);
      assert.deepEqual(got, [5, 3, 1]);
    });
  });
});
