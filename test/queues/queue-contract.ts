// The behaviour every queue class shares (asyncio's _QueueJoinTestMixin and
// _QueueShutdownTestMixin, and the cancellation rules), run for Queue, LifoQueue and
// PriorityQueue by their test files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  createTask,
  forAwait,
  gather,
  getRunningLoop,
  run,
  sleep,
  type Coro,
  type Queue,
  type Task,
} from '../../src/index.js';
import { asyncSettle, asyncUntil, expectRejects, expectThrows, hops, settle, until } from '../helpers/primitives.js';

export type QueueClass = new (maxsize?: number) => Queue<any>;

export function queueContract(Q: QueueClass): void {
  const name = Q.name;

  describe(`${name}: sizes`, () => {
    test('maxsize, qsize(), empty(), full()', async () => {
      await run(function* () {
        const q = new Q();
        assert.equal(q.maxsize, 0);
        assert.ok(q.empty());
        assert.equal(q.full(), false);
        yield* q.put(1);
        assert.equal(q.qsize(), 1);
        assert.equal(q.empty(), false);
        assert.equal(yield* q.get(), 1);
        assert.ok(q.empty());
        const one = new Q(1);
        assert.equal(one.maxsize, 1);
        yield* one.put(1);
        assert.ok(one.full());
        const unlimited = new Q(-1);
        for (let i = 0; i < 100; i++) unlimited.putNowait(i);
        assert.equal(unlimited.full(), false);
      });
    });

    test('maxsize must be a number', () => {
      assert.throws(() => new Q('2' as unknown as number), {
        name: 'TypeError',
        message: `${name}() expects maxsize to be a number, got string "2"`,
      });
    });

    test('a fractional maxsize rounds up, as in asyncio (test_float_maxsize)', async () => {
      await run(function* () {
        const q = new Q(1.3);
        q.putNowait(1);
        q.putNowait(2);
        assert.ok(q.full());
        assert.throws(() => q.putNowait(3), QueueFull);
      });
    });

    test('getNowait() on an empty queue throws QueueEmpty; putNowait() on a full one QueueFull', () => {
      const q = new Q(1);
      assert.throws(() => q.getNowait(), (e: unknown) => e instanceof QueueEmpty && e.name === 'QueueEmpty');
      q.putNowait(1);
      assert.throws(() => q.putNowait(2), (e: unknown) => e instanceof QueueFull && e.name === 'QueueFull');
      assert.equal(q.getNowait(), 1);
    });
  });

  describe(`${name}: blocking and cancellation`, () => {
    test('put() blocks while full and resumes when a get() makes room (asyncio test_maxsize)', async () => {
      await run(function* () {
        const q = new Q(2);
        const haveBeenPut: number[] = [];
        const t = createTask(function* () {
          for (let i = 0; i < 3; i++) {
            yield* q.put(i);
            haveBeenPut.push(i);
          }
          return true;
        });
        yield* hops(2);
        assert.deepEqual(haveBeenPut, [0, 1]);
        yield* q.get();
        yield* sleep(0);
        assert.deepEqual(haveBeenPut, [0, 1, 2]);
        yield* q.get();
        yield* q.get();
        assert.equal(t.result(), true);
      });
    });

    test('get() waits for a put(); put() hands the item to the waiting getter', async () => {
      await run(function* () {
        const q = new Q();
        const t = createTask(q.get());
        yield* sleep(0);
        assert.equal(String(q), `<${name} maxsize=0 getters=1>`);
        yield* q.put('a');
        assert.equal(yield* t, 'a');
      });
    });

    test('putters that started first are served first (asyncio test_get_with_waiting_putters)', async () => {
      await run(function* () {
        const q = new Q(1);
        createTask(q.put('a'));
        createTask(q.put('b'));
        assert.equal(yield* q.get(), 'a');
        assert.equal(yield* q.get(), 'b');
      });
    });

    test('a cancelled getter does not take the next item (asyncio test_get_cancelled_race)', async () => {
      await run(function* () {
        const q = new Q();
        const t1 = createTask(q.get());
        const t2 = createTask(q.get());
        yield* sleep(0);
        t1.cancel();
        yield* sleep(0);
        assert.ok(t1.done());
        yield* q.put('a');
        yield* sleep(0);
        assert.equal(yield* t2, 'a');
      });
    });

    test('a getter woken by a put, then cancelled, leaves the item (asyncio test_get_cancel_drop_one_pending_reader)', async () => {
      await run(function* () {
        const q = new Q();
        let reader: Task<number> = createTask(q.get());
        yield* sleep(0);
        q.putNowait(1);
        q.putNowait(2);
        reader.cancel();
        try {
          yield* reader;
        } catch (error) {
          assert.ok(error instanceof CancelledError);
          reader = createTask(q.get());
          yield* reader;
        }
        const expected = name === 'LifoQueue' ? 2 : 1;
        assert.equal(reader.result(), expected); // nothing was dropped
        assert.equal(q.qsize(), 1);
      });
    });

    test('a woken getter cancelled passes the item to the next getter (asyncio test_get_cancel_drop_many_pending_readers)', async () => {
      await run(function* () {
        const q = new Q();
        const readers = [createTask(q.get()), createTask(q.get()), createTask(q.get())];
        yield* sleep(0);
        q.putNowait(1);
        q.putNowait(2);
        readers[0]!.cancel();
        yield* expectThrows(readers[0]!, CancelledError);
        yield* readers[2]!;
        yield* readers[1]!;
        assert.deepEqual(new Set([readers[1]!.result(), readers[2]!.result()]), new Set([1, 2]));
        assert.ok(q.empty());
      });
    });

    test('a putter woken by a get, then cancelled, puts nothing (asyncio test_put_cancel_drop)', async () => {
      await run(function* () {
        const q = new Q(1);
        q.putNowait(1);
        let writer: Task<void> = createTask(q.put(2));
        yield* sleep(0);
        assert.equal(q.getNowait(), 1);
        writer.cancel();
        try {
          yield* writer;
        } catch (error) {
          assert.ok(error instanceof CancelledError);
          writer = createTask(q.put(2));
          yield* writer;
        }
        assert.equal(q.getNowait(), 2);
        assert.equal(q.qsize(), 0);
      });
    });

    test('a cancelled putter is skipped (asyncio test_put_cancelled_race)', async () => {
      await run(function* () {
        const q = new Q(1);
        const putA = createTask(q.put('a'));
        const putB = createTask(q.put('b'));
        const putC = createTask(q.put('X'));
        yield* sleep(0);
        assert.ok(putA.done());
        assert.equal(putB.done(), false);
        putC.cancel();
        yield* sleep(0);
        assert.ok(putC.done());
        assert.equal(q.getNowait(), 'a');
        yield* sleep(0);
        assert.equal(q.getNowait(), 'b');
        yield* putB;
      });
    });

    test('cancelled getters and putters are not kept in the queue (asyncio test_cancelled_*_not_being_held)', async () => {
      await run(function* () {
        const q = new Q(1);
        const getter = createTask(q.get());
        yield* sleep(0);
        getter.cancel();
        yield* settle(getter);
        assert.equal(String(q), `<${name} maxsize=1>`);
        q.putNowait(1);
        const putter = createTask(q.put(2));
        yield* sleep(0);
        assert.equal(q._putters.size, 1);
        putter.cancel();
        yield* expectThrows(putter, CancelledError);
        assert.equal(q._putters.size, 0);
        // cancelled after get() already woke it (asyncio test_cancelled_put_silence_value_error_exception)
        const putter2 = createTask(q.put(3));
        yield* sleep(0);
        q.getNowait();
        putter2.cancel();
        yield* expectThrows(putter2, CancelledError);
        assert.ok(q.empty());
      });
    });

    test('producer and consumer through a queue of one (asyncio test_why_are_getters_waiting, _putters_waiting)', async () => {
      await run(function* () {
        const q = new Q(1);
        const got: number[] = [];
        yield* gather(
          createTask(function* () {
            for (let i = 0; i < 5; i++) yield* q.put(i);
          }),
          createTask(function* () {
            for (let i = 0; i < 5; i++) got.push(yield* q.get());
          }),
        );
        assert.equal(got.length, 5);
        const q2 = new Q(2);
        const tasks = [
          createTask(function* () {
            yield* sleep(0);
            const n = q2.qsize();
            for (let i = 0; i < n; i++) q2.getNowait();
          }),
          ...[0, 1, 2, 3].map((i) => createTask(q2.put(i))),
        ];
        yield* settle(...tasks);
        for (const t of tasks) assert.equal(t.exception(), null);
      });
    });
  });

  describe(`${name}: taskDone() and join()`, () => {
    test('taskDone() more often than items were put throws RangeError (asyncio test_task_done_underflow)', () => {
      const q = new Q();
      assert.throws(() => q.taskDone(), { name: 'RangeError', message: 'taskDone() called too many times' });
    });

    test('join() returns once every item is marked done (asyncio test_task_done)', async () => {
      await run(function* () {
        const q = new Q();
        for (let i = 0; i < 100; i++) q.putNowait(i);
        let accumulator = 0;
        let running = true;
        const worker = function* (): Coro<void> {
          while (running) {
            const item: number = yield* q.get();
            accumulator += item;
            q.taskDone();
          }
        };
        const workers = [createTask(worker()), createTask(worker())];
        yield* q.join();
        assert.equal(accumulator, 4950);
        running = false;
        for (let i = 0; i < workers.length; i++) q.putNowait(0);
        yield* gather(...workers);
        yield* q.join();
      });
    });

    test('join() on an empty queue returns at once, twice (asyncio test_join_empty_queue)', async () => {
      await run(function* () {
        const q = new Q();
        yield* q.join();
        yield* q.join();
      });
    });

    test('a join() woken by the last taskDone() returns even if an item is put before it resumes', async () => {
      await run(function* () {
        const q = new Q();
        q.putNowait(1);
        const joiner = createTask(q.join());
        yield* sleep(0);
        q.getNowait();
        q.taskDone();
        q.putNowait(2);
        yield* until(() => joiner.done(), 'join() to return', 3);
        assert.equal(String(q).includes('tasks=1'), true);
      });
    });
  });

  describe(`${name}: shutdown()`, () => {
    test('an empty queue: put() and get() throw QueueShutDown (asyncio test_shutdown_empty)', async () => {
      await run(function* () {
        const q = new Q();
        q.shutdown();
        yield* expectThrows(q.put('data'), QueueShutDown);
        yield* expectThrows(q.get(), QueueShutDown);
        assert.throws(() => q.putNowait('data'), QueueShutDown);
        assert.throws(() => q.getNowait(), QueueShutDown);
      });
    });

    test('a non-empty queue still gives its items, then throws (asyncio test_shutdown_nonempty)', async () => {
      await run(function* () {
        const q = new Q();
        q.putNowait('data');
        q.shutdown();
        assert.equal(yield* q.get(), 'data');
        yield* expectThrows(q.get(), QueueShutDown);
      });
    });

    test('shutdown(true) drops the items: get() throws at once (asyncio test_shutdown_immediate)', async () => {
      await run(function* () {
        const q = new Q();
        q.putNowait('data');
        q.shutdown(true);
        yield* expectThrows(q.get(), QueueShutDown);
        assert.equal(q.qsize(), 0);
        assert.ok(String(q).endsWith(' shutdown>'));
      });
    });

    for (const immediate of [false, true]) {
      test(`all methods in one task, shutdown(${immediate}) (asyncio test_shutdown_*all_methods_in_one_task)`, async () => {
        await run(function* () {
          const q = new Q();
          yield* q.put('L');
          q.putNowait('O');
          q.shutdown(immediate);
          yield* expectThrows(q.put('E'), QueueShutDown);
          assert.throws(() => q.putNowait('W'), QueueShutDown);
          if (immediate) {
            yield* expectThrows(q.get(), QueueShutDown);
            assert.throws(() => q.getNowait(), QueueShutDown);
            // the dropped items were counted as done
            assert.throws(() => q.taskDone(), RangeError);
            yield* q.join();
          } else {
            assert.ok('LO'.includes(yield* q.get()));
            q.taskDone();
            assert.ok('LO'.includes(q.getNowait()));
            q.taskDone();
            yield* q.join();
            yield* expectThrows(q.get(), QueueShutDown);
            assert.throws(() => q.getNowait(), QueueShutDown);
          }
        });
      });

      test(`blocked putters are woken and throw QueueShutDown, shutdown(${immediate}) (asyncio _shutdown_putters)`, async () => {
        await run(function* () {
          const q = new Q(2);
          yield* q.put('E');
          yield* q.put('W');
          const t = createTask(q.put('Y'));
          yield* sleep(0);
          assert.equal(q._putters.size, 1);
          q.shutdown(immediate);
          yield* expectThrows(t, QueueShutDown);
          assert.equal(q._putters.size, 0);
          assert.equal(q.qsize(), immediate ? 0 : 2);
        });
      });

      test(`blocked getters are woken: items first, then QueueShutDown, shutdown(${immediate})`, async () => {
        await run(function* () {
          const q = new Q();
          const getters = [createTask(q.get()), createTask(q.get()), createTask(q.get())];
          yield* sleep(0);
          assert.equal(q._getters.size, 3);
          q.putNowait('x'); // wakes the first getter, which has not taken it yet
          q.shutdown(immediate);
          assert.equal(q._getters.size, 0);
          yield* settle(...getters);
          if (immediate) {
            for (const g of getters) assert.ok(g.exception() instanceof QueueShutDown);
          } else {
            assert.equal(getters[0]!.result(), 'x');
            assert.ok(getters[1]!.exception() instanceof QueueShutDown);
            assert.ok(getters[2]!.exception() instanceof QueueShutDown);
          }
        });
      });
    }

    test('shutdown() then draining with taskDone() releases join() (asyncio test_shutdown_get_task_done_join)', async () => {
      await run(function* () {
        const q = new Q(2);
        yield* q.put('Y');
        yield* q.put('D');
        const results: boolean[] = [];
        const getTaskDone = function* (): Coro<string> {
          const msg: string = yield* q.get();
          q.taskDone();
          results.push(true);
          return msg;
        };
        const joiner = function* (): Coro<void> {
          yield* q.join();
          results.push(true);
        };
        const t = [createTask(getTaskDone()), createTask(getTaskDone()), createTask(joiner()), createTask(joiner())];
        q.shutdown();
        yield* gather(...t);
        assert.deepEqual(results, [true, true, true, true]);
        assert.notEqual(t[0]!.result(), t[1]!.result());
        assert.ok('YD'.includes(t[0]!.result() as string));
        assert.equal(q._unfinished, 0);
      });
    });

    test('shutdown(true) releases join() even though no item was processed', async () => {
      await run(function* () {
        const q = new Q(2);
        q.putNowait('a');
        q.putNowait('b');
        const joiner = createTask(q.join());
        const putter = createTask(q.put('c'));
        yield* sleep(0);
        q.shutdown(false);
        yield* expectThrows(putter, QueueShutDown);
        yield* sleep(0);
        assert.equal(joiner.done(), false); // two items still unfinished
        q.shutdown(true);
        yield* until(() => joiner.done(), 'join() to return', 3);
        assert.equal(joiner.result(), undefined);
      });
    });
  });

  describe(`${name}: iteration`, () => {
    test('for await ends when the queue is shut down and empty', async () => {
      await run(async () => {
        const q = new Q(2);
        const producer = createTask(async () => {
          for (let i = 0; i < 5; i++) await q.put(i);
          q.shutdown();
        });
        const got: number[] = [];
        for await (const item of q) got.push(item);
        await producer;
        assert.deepEqual([...got].sort(), [0, 1, 2, 3, 4]);
      });
    });

    test('`yield* q.next()` loops in generator coroutines end on shutdown', async () => {
      await run(function* () {
        const q = new Q(2);
        createTask(function* () {
          for (let i = 0; i < 5; i++) yield* q.put(i);
          q.shutdown();
        });
        const got: number[] = [];
        for (let r = yield* q.next(); !r.done; r = yield* q.next()) got.push(r.value);
        assert.deepEqual([...got].sort(), [0, 1, 2, 3, 4]);
        assert.deepEqual(yield* q.next(), { done: true, value: undefined });
      });
    });
  });

  describe(`${name} with async functions`, () => {
    test('await put()/get() between async tasks, with join()', async () => {
      await run(async () => {
        const q = new Q(3);
        let total = 0;
        const consumers = [0, 1].map(() =>
          createTask(async () => {
            for (;;) {
              const item: number = await q.get();
              total += item;
              q.taskDone();
            }
          }),
        );
        for (let i = 1; i <= 20; i++) await q.put(i);
        await q.join();
        assert.equal(total, 210);
        for (const c of consumers) c.cancel();
        await gather(...consumers, { returnExceptions: true });
        assert.equal(q._getters.size, 0);
      });
    });

    test('cancelled async get()/put(), pending or woken, lose and duplicate nothing', async () => {
      await run(async () => {
        const q = new Q(1);
        const readers = [0, 1, 2].map(() => createTask(async () => q.get()));
        await asyncUntil(() => q._getters.size === 3, 'three getters');
        readers[1]!.cancel(); // pending
        q.putNowait(7); // wakes readers[0] ...
        readers[0]!.cancel(); // ... who is cancelled before it resumes: 7 goes to readers[2]
        await asyncSettle(...readers);
        assert.ok(readers[0]!.cancelled() && readers[1]!.cancelled());
        assert.equal(readers[2]!.result(), 7);
        q.putNowait(8);
        const writer = createTask(async () => q.put(9));
        await asyncUntil(() => q._putters.size === 1, 'the putter');
        assert.equal(q.getNowait(), 8); // wakes the writer ...
        writer.cancel(); // ... cancelled before it resumes: 9 is not put
        await expectRejects(writer, CancelledError);
        assert.ok(q.empty());
        q.shutdown();
        await expectRejects(q.get(), QueueShutDown);
      });
    });

    test('a cancel while awaiting get() inside for await ends the loop with CancelledError', async () => {
      await run(async () => {
        const q = new Q();
        const got: number[] = [];
        const task = createTask(async () => {
          for await (const item of q) got.push(item);
        });
        q.putNowait(1);
        await asyncUntil(() => got.length === 1 && q._getters.size === 1, 'the first item');
        task.cancel();
        await expectRejects(task, CancelledError);
        q.putNowait(2);
        assert.equal(q.getNowait(), 2);
      });
    });
  });

  describe(`${name}: shutdown() as in asyncio 3.13 (review)`, () => {
    test('empty queue: a blocked get() throws after one iteration, join() returns at once (test_shutdown_empty)', async () => {
      await run(function* () {
        const q = new Q();
        const getter = createTask(q.get());
        yield* sleep(0);
        q.shutdown(false);
        assert.equal(q.qsize(), 0);
        yield* q.join();
        yield* sleep(0);
        assert.ok(getter.done());
        yield* expectThrows(getter, QueueShutDown);
        yield* expectThrows(q.put('data'), QueueShutDown);
        assert.throws(() => q.putNowait('data'), QueueShutDown);
        yield* expectThrows(q.get(), QueueShutDown);
        assert.throws(() => q.getNowait(), QueueShutDown);
      });
    });

    test('non-empty queue: the blocked put() throws, items remain, join() waits for taskDone() (test_shutdown_nonempty)', async () => {
      await run(function* () {
        const q = new Q(1);
        q.putNowait('data');
        const joiner = createTask(q.join());
        const putter = createTask(q.put('data2'));
        yield* sleep(0);
        assert.equal(putter.done(), false);
        q.shutdown(false);
        assert.equal(q.qsize(), 1);
        yield* sleep(0);
        assert.ok(putter.done());
        yield* expectThrows(putter, QueueShutDown);
        assert.equal(yield* q.get(), 'data');
        yield* sleep(0);
        assert.equal(joiner.done(), false);
        yield* expectThrows(q.put('data'), QueueShutDown);
        yield* expectThrows(q.get(), QueueShutDown);
        q.taskDone();
        yield* sleep(0);
        assert.ok(joiner.done());
        yield* joiner;
        assert.throws(() => q.taskDone(), { name: 'RangeError', message: 'taskDone() called too many times' });
      });
    });

    test('shutdown(true): items dropped and counted done, a blocked join() returns (test_shutdown_immediate)', async () => {
      await run(function* () {
        const q = new Q();
        q.putNowait('data');
        const joiner = createTask(q.join());
        yield* sleep(0);
        q.shutdown(true);
        assert.equal(q.qsize(), 0);
        yield* sleep(0);
        assert.ok(joiner.done());
        yield* joiner;
        yield* expectThrows(q.get(), QueueShutDown);
        assert.throws(() => q.taskDone(), RangeError);
      });
    });

    test('shutdown(true) with an item got but not done: join() waits for that one (test_shutdown_immediate_with_unfinished)', async () => {
      await run(function* () {
        const q = new Q();
        q.putNowait('data');
        q.putNowait('data');
        const joiner = createTask(q.join());
        assert.equal(yield* q.get(), 'data');
        q.shutdown(true); // unfinished: 2 -> 1
        assert.equal(q.qsize(), 0);
        yield* sleep(0);
        assert.equal(joiner.done(), false);
        yield* expectThrows(q.put('data'), QueueShutDown);
        yield* expectThrows(q.get(), QueueShutDown);
        q.taskDone();
        assert.throws(() => q.taskDone(), RangeError);
        yield* sleep(0);
        assert.ok(joiner.done());
      });
    });

    test('shutdown(true) after shutdown(): drops what is left; shutdown() after shutdown(true) changes nothing', async () => {
      await run(function* () {
        const q = new Q();
        q.putNowait('a');
        q.putNowait('b');
        q.shutdown();
        assert.ok(['a', 'b'].includes(yield* q.get()));
        const joiner = createTask(q.join());
        yield* sleep(0);
        q.shutdown(true); // drops the other item: 2 unfinished -> 1 (the one got)
        assert.equal(q.qsize(), 0);
        q.taskDone();
        yield* until(() => joiner.done(), 'join() to return', 2);
        q.shutdown(false);
        assert.ok(String(q).endsWith(' shutdown>'));
        yield* expectThrows(q.get(), QueueShutDown);
      });
    });

    for (const style of ['generator', 'async'] as const) {
      test(`shutdown() wakes blocked getters, putters and joiners in one go (${style})`, async () => {
        await run(function* () {
          const q = new Q(1);
          const outcome = (t: Task<unknown>): string =>
            t.cancelled() ? 'cancelled' : t.exception() !== null ? (t.exception() as Error).name : `ok:${String(t.result())}`;
          const op = <T>(make: () => PromiseLike<T> & Iterable<unknown>): Task<T> =>
            style === 'generator' ? createTask(make() as never) : createTask(async () => make());
          const g = op(() => q.get());
          yield* until(() => q._getters.size === 1, 'the getter');
          // In this order in the next iteration: p and j start and block (the queue is full),
          // then the queue shuts down, then g, woken by the put, resumes and finds nothing.
          const p = op(() => q.put('y'));
          const j = op(() => q.join());
          getRunningLoop().callSoon(() => {
            if (style === 'generator') assert.ok(q._putters.size === 1 && q._joiners.size === 1);
            q.shutdown(true);
          });
          q.putNowait('x'); // wakes g
          yield* settle(g, p, j);
          // g was woken by the put but the item was dropped before it resumed.
          assert.deepEqual([outcome(g), outcome(p), outcome(j)], ['QueueShutDown', 'QueueShutDown', 'ok:undefined']);
          assert.equal(String(q), `<${name} maxsize=1 shutdown>`);
        });
      });
    }
  });

  describe(`${name}: iteration and cancellation (review)`, () => {
    test('forAwait() cancelled just as an item is handed over delivers it or leaves it in the queue, never drops it', async () => {
      for (let k = 0; k <= 4; k++) {
        await run(function* () {
          const q = new Q();
          const got: number[] = [];
          const consumer = createTask(function* () {
            yield* forAwait(q, (item: number) => {
              got.push(item);
            });
          });
          yield* until(() => q._getters.size === 1, 'the consumer');
          q.putNowait(1);
          for (let i = 0; i < k; i++) yield* sleep(0);
          consumer.cancel();
          yield* settle(consumer);
          assert.ok(consumer.cancelled(), `k=${k}`);
          assert.equal(got.length + q.qsize(), 1, `k=${k}: got ${got}, left ${q.qsize()}`);
        });
      }
    });
  });

  test(`${name}: is bound to the loop it first waits on`, async () => {
    const q = new Q();
    await run(function* () {
      const t = createTask(q.get());
      yield* sleep(0);
      q.putNowait(1);
      yield* t;
    });
    await run(function* () {
      q.putNowait(2);
      assert.equal(yield* q.get(), 2); // no waiting: fine
      const error = yield* expectThrows(q.get(), Error);
      assert.match(error.message, /is bound to a different event loop$/);
    });
  });
}
