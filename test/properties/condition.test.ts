// Property-based test of Condition: producers add items and notify (one or all), consumers
// wait for items under the lock and take them; random cancellations, including a consumer
// cancelled right after a notify woke it, in generator and async-function tasks.
//
// Checked after every run: the lock is held by one task at a time around every change; no
// item is lost or taken twice; no lost notify (once nothing moves, no consumer waits while
// items are left); no deadlock; every wait() ends holding the lock.
//
// CI runs a fixed seed and a modest number of runs. To run longer or with another seed:
//   AIO_PROPERTY_RUNS=20000 node --import tsx --test test/properties/condition.test.ts
//   AIO_PROPERTY_RUNS=5000 AIO_PROPERTY_SEED=123 node --import tsx --test test/properties/condition.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CancelledError, Condition, createTask, run, sleep, type Coro, type Task } from '../../src/index.js';
import { DEADLOCK_ITERATIONS, fcParams } from './harness.js';

interface Producer {
  style: 'gen' | 'async';
  items: { hops: number; notifyAll: boolean; cancelConsumer: number | null }[];
}

interface Consumer {
  style: 'gen' | 'async';
  hops: number;
}

interface Schedule {
  producers: Producer[];
  consumers: Consumer[];
  cancels: { at: number; consumer: number }[];
}

const MAX_CONSUMERS = 4;
const styleArb = fc.constantFrom('gen' as const, 'async' as const);

const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  producers: fc.array(
    fc.record({
      style: styleArb,
      items: fc.array(
        fc.record({
          hops: fc.integer({ min: 0, max: 3 }),
          notifyAll: fc.boolean(),
          cancelConsumer: fc.option(fc.nat(MAX_CONSUMERS - 1), { nil: null, freq: 4 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  consumers: fc.array(fc.record({ style: styleArb, hops: fc.integer({ min: 0, max: 2 }) }), {
    minLength: 1,
    maxLength: MAX_CONSUMERS,
  }),
  cancels: fc.array(fc.record({ at: fc.nat(30), consumer: fc.nat(MAX_CONSUMERS - 1) }), { maxLength: 3 }),
});

async function runSchedule(s: Schedule): Promise<void> {
  const cond = new Condition();
  let items = 0;
  let produced = 0;
  let consumed = 0;
  let closed = false;
  const consumers: Task<void>[] = [];
  const producers: Task<void>[] = [];
  const cancelConsumer = (i: number | null): void => {
    if (i !== null && i < consumers.length) consumers[i]!.cancel();
  };
  const produce = (item: Producer['items'][number]): void => {
    assert.ok(cond.locked());
    items++;
    produced++;
    if (item.notifyAll) cond.notifyAll();
    else cond.notify(1);
    cancelConsumer(item.cancelConsumer);
  };
  const take = (): boolean => {
    assert.ok(cond.locked(), 'wait() returned without the lock');
    if (items === 0) return false; // closed
    items--;
    consumed++;
    return true;
  };

  function* genProducer(p: Producer): Coro<void> {
    for (const item of p.items) {
      for (let i = 0; i < item.hops; i++) yield* sleep(0);
      using _ = yield* cond.hold();
      produce(item);
    }
  }
  async function asyncProducer(p: Producer): Promise<void> {
    for (const item of p.items) {
      for (let i = 0; i < item.hops; i++) await sleep(0);
      using _ = await cond.hold();
      produce(item);
    }
  }
  function* genConsumer(c: Consumer): Coro<void> {
    for (;;) {
      {
        using _ = yield* cond.hold();
        try {
          yield* cond.waitFor(() => items > 0 || closed);
        } catch (error) {
          assert.ok(error instanceof CancelledError);
          assert.ok(cond.locked(), 'a cancelled wait() must hold the lock again');
          throw error;
        }
        if (!take()) return;
      }
      for (let i = 0; i < c.hops; i++) yield* sleep(0);
    }
  }
  async function asyncConsumer(c: Consumer): Promise<void> {
    for (;;) {
      {
        using _ = await cond.hold();
        try {
          await cond.waitFor(() => items > 0 || closed);
        } catch (error) {
          assert.ok(error instanceof CancelledError);
          assert.ok(cond.locked(), 'a cancelled wait() must hold the lock again');
          throw error;
        }
        if (!take()) return;
      }
      for (let i = 0; i < c.hops; i++) await sleep(0);
    }
  }

  await run(function* () {
    for (const c of s.consumers) consumers.push(c.style === 'gen' ? createTask(genConsumer(c)) : createTask(() => asyncConsumer(c)));
    for (const p of s.producers) producers.push(p.style === 'gen' ? createTask(genProducer(p)) : createTask(() => asyncProducer(p)));
    const cancels = [...s.cancels].sort((a, b) => a.at - b.at);
    let iteration = 0;
    const step = function* (): Coro<void> {
      while (cancels.length > 0 && cancels[0]!.at <= iteration) cancelConsumer(cancels.shift()!.consumer);
      assert.ok(iteration++ < DEADLOCK_ITERATIONS, `deadlock: ${cond} items=${items}`);
      yield* sleep(0);
    };
    while (!producers.every((t) => t.done())) yield* step();
    // Quiescence: nothing moves for a while.
    let stable = 0;
    let last = '';
    while (stable < 20) {
      const now = `${consumed}/${items}/${cond._waiters.size}/${cond.locked()}`;
      stable = now === last ? stable + 1 : 0;
      last = now;
      yield* step();
    }
    const waiting = cond._waiters.size;
    assert.ok(!(items > 0 && waiting > 0 && !cond.locked()), `lost notify: ${items} items left, ${waiting} consumers waiting`);
    // Close: every consumer still there takes what is left and leaves.
    {
      using _ = yield* cond.hold();
      closed = true;
      cond.notifyAll();
    }
    while (!consumers.every((t) => t.done())) yield* step();
  });

  for (const t of [...producers, ...consumers]) if (!t.cancelled()) assert.equal(t.exception(), null);
  const live = consumers.filter((t) => !t.cancelled()).length;
  assert.equal(produced, consumed + items);
  if (live > 0) assert.equal(items, 0, 'live consumers left items behind');
  assert.equal(cond.locked(), false);
  assert.equal(cond._waiters.size, 0);
}

test('Condition under random schedules of notify, notifyAll, wait and cancel', async () => {
  await fc.assert(fc.asyncProperty(scheduleArb, runSchedule), fcParams<[Schedule]>());
});
