import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Event, createTask, gather, getRunningLoop, run, sleep, type Coro } from '../../src/index.js';
import { asyncUntil, expectRejects, expectThrows } from '../helpers/primitives.js';

describe('Event with generator coroutines', () => {
  test('set() wakes every waiter; waiters resume in the order they waited (asyncio test_wait)', async () => {
    await run(function* () {
      const ev = new Event();
      assert.equal(ev.isSet(), false);
      const result: number[] = [];
      const c = (n: number) =>
        function* (): Coro<boolean> {
          if (yield* ev.wait()) result.push(n);
          return true;
        };
      const t1 = createTask(c(1));
      const t2 = createTask(c(2));
      yield* sleep(0);
      assert.deepEqual(result, []);
      const t3 = createTask(c(3)); // starts next iteration, before the woken ones resume
      ev.set();
      yield* sleep(0);
      assert.deepEqual(result, [3, 1, 2]);
      for (const t of [t1, t2, t3]) assert.equal(t.result(), true);
    });
  });

  test('wait() on a set event resolves to true without suspending', async () => {
    await run(function* () {
      const ev = new Event();
      ev.set();
      const order: string[] = [];
      createTask(function* () {
        order.push('other');
      });
      assert.equal(yield* ev.wait(), true);
      order.push('main');
      yield* sleep(0);
      assert.deepEqual(order, ['main', 'other']);
    });
  });

  test('clear() right after set() does not un-wake the waiters; later waits block', async () => {
    await run(function* () {
      const ev = new Event();
      const result: string[] = [];
      const t = createTask(function* () {
        if (yield* ev.wait()) result.push('woken');
        return true;
      });
      yield* sleep(0);
      ev.set();
      ev.clear();
      assert.equal(ev.isSet(), false);
      ev.set();
      ev.set(); // no-op
      ev.clear();
      const late = createTask(ev.wait());
      yield* sleep(0);
      assert.deepEqual(result, ['woken']);
      assert.equal(t.result(), true);
      assert.equal(late.done(), false);
      ev.set();
      assert.equal(yield* late, true);
    });
  });

  test('cancelling a waiter removes it', async () => {
    await run(function* () {
      const ev = new Event();
      const wait = createTask(ev.wait());
      getRunningLoop().callSoon(() => wait.cancel());
      yield* expectThrows(wait, CancelledError);
      assert.equal(String(ev), '<Event [unset]>');
      ev.set();
      assert.equal(String(ev), '<Event [set]>');
    });
  });

  test('toString() shows the flag and the waiters', async () => {
    await run(function* () {
      const ev = new Event();
      const t = createTask(ev.wait());
      yield* sleep(0);
      assert.equal(String(ev), '<Event [unset, waiters:1]>');
      ev.set();
      yield* t;
      assert.equal(String(ev), '<Event [set]>');
    });
  });
});

describe('Event with async functions', () => {
  test('await wait() in async tasks; set() wakes them all', async () => {
    await run(async () => {
      const ev = new Event();
      const woken: number[] = [];
      const tasks = [1, 2, 3].map((n) =>
        createTask(async () => {
          assert.equal(await ev.wait(), true);
          woken.push(n);
        }),
      );
      await asyncUntil(() => String(ev) === '<Event [unset, waiters:3]>', 'three waiters');
      ev.set();
      ev.clear();
      await gather(...tasks);
      assert.deepEqual(woken, [1, 2, 3]);
    });
  });

  test('cancelling an async waiter throws CancelledError at its await', async () => {
    await run(async () => {
      const ev = new Event();
      const task = createTask(async () => {
        await ev.wait();
        return 'unreachable';
      });
      await asyncUntil(() => String(ev) === '<Event [unset, waiters:1]>', 'the waiter');
      task.cancel();
      await expectRejects(task, CancelledError);
      assert.equal(String(ev), '<Event [unset]>');
    });
  });
});

describe('Event: more asyncio behaviours (review)', () => {
  test('a waiter woken by set() and cancelled before it resumes throws CancelledError; the others still return true', async () => {
    await run(function* () {
      const ev = new Event();
      const order: string[] = [];
      const waiter = (name: string) =>
        createTask(function* () {
          try {
            yield* ev.wait();
            order.push(name);
          } catch (error) {
            order.push(`${name}:${(error as Error).name}`);
            throw error;
          }
        });
      const a = waiter('a');
      const b = waiter('b');
      const c = waiter('c');
      yield* sleep(0);
      ev.set();
      b.cancel(); // woken already: the cancellation is thrown where it waited
      yield* sleep(0);
      assert.deepEqual(order, ['a', 'b:CancelledError', 'c']);
      assert.ok(a.done() && b.cancelled() && c.done());
      assert.equal(String(ev), '<Event [set]>');
    });
    await run(async () => {
      const ev = new Event();
      const tasks = [0, 1, 2].map(() => createTask(async () => ev.wait()));
      await asyncUntil(() => String(ev) === '<Event [unset, waiters:3]>', 'three waiters');
      ev.set();
      tasks[1]!.cancel();
      await expectRejects(tasks[1]!, CancelledError);
      assert.equal(await tasks[0]!, true);
      assert.equal(await tasks[2]!, true);
    });
  });
});
