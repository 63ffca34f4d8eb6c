// Property-based test of Queue, LifoQueue and PriorityQueue: random schedules of put,
// putNowait, get, getNowait, next (iteration), taskDone, join, shutdown and cancel across
// generator and async-function tasks, including getters cancelled right after a put woke
// them and putters cancelled right after a get woke them.
//
// Checked after every run: every item put is delivered exactly once (none lost, none
// duplicated, none made up); each get returns the item the queue's order says (oldest,
// newest or smallest among those in the queue at that moment); no lost wake-up (once
// nothing moves, no getter waits while items are left); join() returns once all work is
// done; no deadlock.
//
// CI runs a fixed seed and a modest number of runs. To run longer or with another seed:
//   AIO_PROPERTY_RUNS=20000 node --import tsx --test test/properties/queues.test.ts
//   AIO_PROPERTY_RUNS=5000 AIO_PROPERTY_SEED=123 node --import tsx --test test/properties/queues.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  createTask,
  run,
  sleep,
  type Coro,
  type Operation,
  type Task,
} from '../../src/index.js';
import { DEADLOCK_ITERATIONS, Recorded, fcParams } from './harness.js';

type Style = 'gen' | 'async';

interface Put {
  mode: 'put' | 'nowait';
  hops: number;
  /** Cancel this consumer right after the put (a getter it woke may not have run yet). */
  cancelConsumer: number | null;
}

interface Get {
  mode: 'get' | 'next' | 'nowait';
  work: number;
  /** Cancel this producer right after the get (a putter it woke may not have run yet). */
  cancelProducer: number | null;
}

interface Schedule {
  kind: 'fifo' | 'lifo' | 'priority';
  maxsize: number;
  producers: { style: Style; puts: Put[] }[];
  consumers: { style: Style; gets: Get[] }[];
  joiners: Style[];
  cancels: { at: number; who: 'producer' | 'consumer'; index: number }[];
}

const MAX = 3;
const styleArb = fc.constantFrom('gen' as const, 'async' as const);
const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  kind: fc.constantFrom('fifo' as const, 'lifo' as const, 'priority' as const),
  maxsize: fc.integer({ min: 0, max: 3 }),
  producers: fc.array(
    fc.record({
      style: styleArb,
      puts: fc.array(
        fc.record({
          mode: fc.constantFrom('put' as const, 'put' as const, 'nowait' as const),
          hops: fc.integer({ min: 0, max: 2 }),
          cancelConsumer: fc.option(fc.nat(MAX - 1), { nil: null, freq: 5 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
    { minLength: 1, maxLength: MAX },
  ),
  consumers: fc.array(
    fc.record({
      style: styleArb,
      gets: fc.array(
        fc.record({
          mode: fc.constantFrom('get' as const, 'next' as const, 'nowait' as const),
          work: fc.integer({ min: 0, max: 2 }),
          cancelProducer: fc.option(fc.nat(MAX - 1), { nil: null, freq: 5 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    { minLength: 1, maxLength: MAX },
  ),
  joiners: fc.array(styleArb, { maxLength: 2 }),
  cancels: fc.array(
    fc.record({ at: fc.nat(30), who: fc.constantFrom('producer' as const, 'consumer' as const), index: fc.nat(MAX - 1) }),
    { maxLength: 3 },
  ),
});

async function runSchedule(s: Schedule): Promise<void> {
  const q: Queue<number> =
    s.kind === 'fifo' ? new Queue(s.maxsize) : s.kind === 'lifo' ? new LifoQueue(s.maxsize) : new PriorityQueue(s.maxsize);
  /** The items in the queue, in the order they were put. */
  const model: number[] = [];
  const putItems = new Set<number>();
  const delivered = new Set<number>();
  let processed = 0;
  const producers: Task<void>[] = [];
  const consumers: Task<void>[] = [];

  const onPut = (item: number): void => {
    model.push(item);
    putItems.add(item);
    assert.equal(q.qsize(), model.length);
  };
  const onGet = (item: number): void => {
    assert.ok(putItems.has(item), `got ${item}, which was never put`);
    assert.ok(!delivered.has(item), `got ${item} twice`);
    const expected = s.kind === 'fifo' ? model[0] : s.kind === 'lifo' ? model[model.length - 1] : Math.min(...model);
    assert.equal(item, expected, `${s.kind} order: got ${item}, expected ${expected} of [${model}]`);
    model.splice(model.indexOf(item), 1);
    delivered.add(item);
    assert.equal(q.qsize(), model.length);
  };
  const cancel = (tasks: Task<void>[], i: number | null): void => {
    if (i !== null && i < tasks.length) tasks[i]!.cancel();
  };
  const recordedPut = (item: number): Operation<void> =>
    new Recorded(
      q.put(item),
      () => {},
      () => onPut(item),
    );
  const recordedGet = (): Operation<number> =>
    new Recorded(
      q.get(),
      () => {},
      (item) => onGet(item),
    );
  const recordedNext = (): Operation<IteratorResult<number, undefined>> =>
    new Recorded(
      q.next(),
      () => {},
      (r) => {
        if (!r.done) onGet(r.value);
      },
    );
  /** putNowait, retried while the queue is full; false once it is shut down. */
  const tryPutNowait = (item: number): boolean | 'full' => {
    try {
      q.putNowait(item);
    } catch (error) {
      if (error instanceof QueueFull) return 'full';
      if (error instanceof QueueShutDown) return false;
      throw error;
    }
    onPut(item);
    return true;
  };
  /** getNowait: the item, 'empty', or 'shutdown'. */
  const tryGetNowait = (): number | 'empty' | 'shutdown' => {
    try {
      const item = q.getNowait();
      onGet(item);
      return item;
    } catch (error) {
      if (error instanceof QueueEmpty) return 'empty';
      if (error instanceof QueueShutDown) return 'shutdown';
      throw error;
    }
  };

  function* genProducer(p: Schedule['producers'][number], base: number): Coro<void> {
    for (const [j, put] of p.puts.entries()) {
      for (let i = 0; i < put.hops; i++) yield* sleep(0);
      const item = base + j;
      if (put.mode === 'put') yield* recordedPut(item);
      else for (let r = tryPutNowait(item); r === 'full'; r = tryPutNowait(item)) yield* sleep(0);
      cancel(consumers, put.cancelConsumer);
    }
  }
  async function asyncProducer(p: Schedule['producers'][number], base: number): Promise<void> {
    for (const [j, put] of p.puts.entries()) {
      for (let i = 0; i < put.hops; i++) await sleep(0);
      const item = base + j;
      if (put.mode === 'put') await recordedPut(item);
      else for (let r = tryPutNowait(item); r === 'full'; r = tryPutNowait(item)) await sleep(0);
      cancel(consumers, put.cancelConsumer);
    }
  }
  /** Consumers loop over their list of gets until the queue is shut down and empty. */
  function* genConsumer(c: Schedule['consumers'][number]): Coro<void> {
    for (let k = 0; ; k++) {
      const get = c.gets[k % c.gets.length]!;
      let got: number | null = null;
      if (get.mode === 'get') {
        try {
          got = yield* recordedGet();
        } catch (error) {
          if (error instanceof QueueShutDown) return;
          throw error;
        }
      } else if (get.mode === 'next') {
        const r = yield* recordedNext();
        if (r.done) return;
        got = r.value;
      } else {
        const r = tryGetNowait();
        if (r === 'shutdown') return;
        if (r === 'empty') yield* sleep(0);
        else got = r;
      }
      if (got === null) continue;
      cancel(producers, get.cancelProducer);
      try {
        for (let i = 0; i < get.work; i++) yield* sleep(0);
      } finally {
        processed++;
        q.taskDone();
      }
    }
  }
  async function asyncConsumer(c: Schedule['consumers'][number]): Promise<void> {
    for (let k = 0; ; k++) {
      const get = c.gets[k % c.gets.length]!;
      let got: number | null = null;
      if (get.mode === 'get') {
        try {
          got = await recordedGet();
        } catch (error) {
          if (error instanceof QueueShutDown) return;
          throw error;
        }
      } else if (get.mode === 'next') {
        const r = await recordedNext();
        if (r.done) return;
        got = r.value;
      } else {
        const r = tryGetNowait();
        if (r === 'shutdown') return;
        if (r === 'empty') await sleep(0);
        else got = r;
      }
      if (got === null) continue;
      cancel(producers, get.cancelProducer);
      try {
        for (let i = 0; i < get.work; i++) await sleep(0);
      } finally {
        processed++;
        q.taskDone();
      }
    }
  }

  let joined = 0;
  const joiners: Task<void>[] = [];
  await run(function* () {
    s.consumers.forEach((c) => consumers.push(c.style === 'gen' ? createTask(genConsumer(c)) : createTask(() => asyncConsumer(c))));
    s.producers.forEach((p, i) =>
      producers.push(p.style === 'gen' ? createTask(genProducer(p, (i + 1) * 100)) : createTask(() => asyncProducer(p, (i + 1) * 100))),
    );
    for (const style of s.joiners) {
      joiners.push(
        style === 'gen'
          ? createTask(function* () {
              yield* q.join();
              joined++;
            })
          : createTask(async () => {
              await q.join();
              joined++;
            }),
      );
    }
    const cancels = [...s.cancels].sort((a, b) => a.at - b.at);
    let iteration = 0;
    const step = function* (): Coro<void> {
      while (cancels.length > 0 && cancels[0]!.at <= iteration) {
        const c = cancels.shift()!;
        cancel(c.who === 'producer' ? producers : consumers, c.index);
      }
      assert.ok(iteration++ < DEADLOCK_ITERATIONS, `deadlock: ${q}`);
      yield* sleep(0);
    };
    while (!producers.every((t) => t.done())) {
      // Producers would wait forever on a full queue whose consumers were all cancelled.
      if (consumers.every((t) => t.done()) && q.full()) {
        const r = tryGetNowait();
        if (typeof r === 'number') {
          processed++;
          q.taskDone();
        }
      }
      yield* step();
    }
    // Quiescence: nothing moves for a while; then no getter may wait while items are left.
    let stable = 0;
    let last = '';
    while (stable < 20) {
      const now = `${delivered.size}/${q.qsize()}/${q._getters.size}/${processed}`;
      stable = now === last ? stable + 1 : 0;
      last = now;
      yield* step();
    }
    assert.ok(!(q.qsize() > 0 && q._getters.size > 0), `lost wake-up: ${q}`);
    assert.equal(q._putters.size, 0);
    q.shutdown();
    while (!consumers.every((t) => t.done())) yield* step();
    // Whatever the (cancelled) consumers left behind.
    for (let r = tryGetNowait(); typeof r === 'number'; r = tryGetNowait()) {
      processed++;
      q.taskDone();
    }
    while (!joiners.every((t) => t.done())) yield* step();
  });

  for (const t of [...producers, ...consumers, ...joiners]) if (!t.cancelled()) assert.equal(t.exception(), null);
  assert.deepEqual(model, []);
  assert.deepEqual([...delivered].sort(), [...putItems].sort(), 'every item put delivered exactly once');
  assert.equal(processed, delivered.size);
  assert.equal(q._unfinished, 0);
  assert.equal(joined, joiners.length);
  assert.equal(q._getters.size + q._putters.size + q._joiners.size, 0);
}

test('Queue / LifoQueue / PriorityQueue under random schedules of put, get, cancel and shutdown', async () => {
  await fc.assert(fc.asyncProperty(scheduleArb, runSchedule), fcParams<[Schedule]>());
});
