/**
 * aio-ts/pipeline: ordering, concurrency, backpressure with an endless source, errors with
 * their item, cancellation and `break` stopping every stage (their `finally` blocks run, no
 * task left), batch and throttle on virtual time. Both coroutine styles.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allTasks, CancelledError, createTask, currentTask, forAwait, getRunningLoop, sleep, type Coro } from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { pipeline, PipelineError } from '../../src/pipeline/index.ts';

const now = (): number => getRunningLoop().time();
/** Only the calling task is left: every stage's task has finished. */
const onlyMe = (): void => assert.deepEqual([...allTasks()], [currentTask()]);

/** An endless source that counts what it produced and notes that it was closed. */
function counter(): { items: Iterable<number>; produced: () => number; closed: () => boolean } {
  let produced = 0;
  let closed = false;
  function* items(): Generator<number> {
    try {
      for (;;) yield produced++;
    } finally {
      closed = true;
    }
  }
  return { items: items(), produced: () => produced, closed: () => closed };
}

describe('map', () => {
  // Item n takes (5 - n) * 10 ms: later items finish first.
  function* slowFirst(n: number): Coro<string> {
    yield* sleep((5 - n) * 10);
    return `r${n}`;
  }
  async function slowFirstAsync(n: number): Promise<string> {
    await sleep((5 - n) * 10);
    return `r${n}`;
  }

  test('ordered: input order, whatever the finishing order (generator and async fn)', async () => {
    await runVirtual(function* () {
      const a = yield* pipeline([1, 2, 3, 4]).map(slowFirst, { concurrency: 4, ordered: true }).collect();
      const b = yield* pipeline([1, 2, 3, 4]).map(slowFirstAsync, { concurrency: 4, ordered: true }).collect();
      assert.deepEqual(a, ['r1', 'r2', 'r3', 'r4']);
      assert.deepEqual(b, ['r1', 'r2', 'r3', 'r4']);
      assert.equal(now(), 80); // both ran their 4 items at once: 40 ms each
    });
  });

  test('unordered: results as they are ready', async () => {
    await runVirtual(async () => {
      const out: string[] = [];
      for await (const r of pipeline([1, 2, 3, 4]).map(slowFirstAsync, { concurrency: 4 })) out.push(r);
      assert.deepEqual(out, ['r4', 'r3', 'r2', 'r1']);
      onlyMe();
    });
  });

  test('concurrency: never more than n items at once, and exactly n when there is work', async () => {
    for (const ordered of [false, true]) {
      await runVirtual(async () => {
        let running = 0;
        let most = 0;
        const out = await pipeline(Array.from({ length: 30 }, (_, i) => i))
          .map(
            async (i) => {
              running++;
              most = Math.max(most, running);
              await sleep(1 + (i % 3));
              running--;
              return i;
            },
            { concurrency: 5, ordered },
          )
          .collect();
        assert.equal(most, 5);
        assert.equal(out.length, 30);
        if (ordered) assert.deepEqual(out, Array.from({ length: 30 }, (_, i) => i));
        else assert.deepEqual([...out].sort((x, y) => x - y), Array.from({ length: 30 }, (_, i) => i));
      });
    }
  });

  test('a plain function works too, and a pipeline runs again from its source each time', async () => {
    await runVirtual(async () => {
      const p = pipeline(new Set([1, 2, 3])).map((n) => n * 10);
      assert.deepEqual(await p.collect(), [10, 20, 30]);
      assert.deepEqual(await p.collect(), [10, 20, 30]);
      // A plain function returning a coroutine (or an operation) has it run, as createTask would.
      function* later(n: number): Coro<number> {
        yield* sleep(n);
        return -n;
      }
      assert.deepEqual(await pipeline([3, 1, 2]).map((n) => later(n), { concurrency: 3 }).collect(), [-1, -2, -3]);
    });
  });
});

describe('filter, flatMap', () => {
  test('filter with a generator predicate; flatMap of arrays, generators and async iterables', async () => {
    await runVirtual(function* () {
      const evens = yield* pipeline([1, 2, 3, 4, 5, 6])
        .filter(function* (n) {
          yield* sleep(1);
          return n % 2 === 0;
        }, { concurrency: 3, ordered: true })
        .collect();
      assert.deepEqual(evens, [2, 4, 6]);
      const flat = yield* pipeline([1, 2, 3])
        .flatMap(async (n) => Array.from({ length: n }, () => n), { ordered: true, concurrency: 2 })
        .flatMap((n) => (async function* () {
          yield n;
          await sleep(1);
          yield -n;
        })())
        .collect();
      assert.deepEqual(flat, [1, -1, 2, -2, 2, -2, 3, -3, 3, -3, 3, -3]);
    });
  });

  test('flatMap refuses a result that is not iterable, as a PipelineError with the item', async () => {
    await runVirtual(async () => {
      const error = await pipeline([7]).flatMap(() => 42 as unknown as number[]).collect().catch((e: unknown) => e);
      assert.ok(error instanceof PipelineError);
      assert.equal(error.item, 7);
      assert.ok(error.cause instanceof TypeError);
    });
  });
});

describe('backpressure', () => {
  test('an endless source with a slow consumer: the items in flight stay bounded', async () => {
    await runVirtual(async () => {
      const source = counter();
      const p = pipeline(source.items, { buffer: 4 })
        .map(async (n) => n, { concurrency: 3 }) // in flight: 3 + queue of 3
        .filter(() => true, { concurrency: 2, buffer: 2 }); // 2 + 2
      let consumed = 0;
      let worst = 0;
      for await (const n of p) {
        assert.equal(typeof n, 'number');
        consumed++;
        await sleep(10);
        worst = Math.max(worst, source.produced() - consumed);
        if (consumed === 200) break;
      }
      // source queue 4 + map (3 working + 3 queued) + filter (2 + 2) + 1 in the source's hand
      assert.ok(worst <= 4 + 6 + 4 + 1, `at most 15 items ahead of the consumer, saw ${worst}`);
      assert.ok(source.closed(), 'the source was closed');
      onlyMe();
    });
  });

  test('ordered: one slow item holds back at most 2 * concurrency items, not the whole source', async () => {
    await runVirtual(async () => {
      const source = counter();
      let producedWhileStuck = 0;
      const p = pipeline(source.items, { buffer: 1 }).map(
        async (n) => {
          if (n === 0) {
            await sleep(1000);
            producedWhileStuck = source.produced();
          }
          return n;
        },
        { concurrency: 4, ordered: true, buffer: 1 },
      );
      const out: number[] = [];
      for await (const n of p) if (out.push(n) === 50) break;
      assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i));
      // 8 taken (the window), 1 queued, 1 in the source's hand
      assert.ok(producedWhileStuck <= 10, `produced ${producedWhileStuck} while item 0 was stuck`);
      onlyMe();
    });
  });
});

describe('errors', () => {
  /** A map whose item 3 fails after 5 ms while the others take 100 ms, noting the finally blocks. */
  function failing() {
    const finished: number[] = [];
    const source = counter();
    const p = pipeline(source.items).map(
      function* (n): Coro<number> {
        try {
          yield* sleep(n === 3 ? 5 : 100);
          if (n === 3) throw new RangeError('no threes');
          return n;
        } finally {
          finished.push(n);
        }
      },
      { concurrency: 4, name: 'check' },
    );
    return { p, finished, source };
  }

  function checkError(error: unknown, finished: number[], closed: boolean): void {
    assert.ok(error instanceof PipelineError, String(error));
    assert.equal(error.item, 3);
    assert.equal(error.stage, 'check');
    assert.ok(error.cause instanceof RangeError);
    assert.match(error.message, /pipeline stage check failed on item number 3: no threes/);
    assert.deepEqual([...finished].sort(), [0, 1, 2, 3], 'every worker ran its finally');
    assert.ok(closed, 'the source was closed');
  }

  test('the first error cancels every stage and surfaces with its item: collect (generator)', async () => {
    await runVirtual(function* () {
      const { p, finished, source } = failing();
      let error: unknown;
      try {
        yield* p.collect();
      } catch (e) {
        error = e;
      }
      checkError(error, finished, source.closed());
      assert.equal(now(), 5);
      onlyMe();
    });
  });

  test('… for await (async function)', async () => {
    await runVirtual(async () => {
      const { p, finished, source } = failing();
      const error = await (async () => {
        for await (const _ of p) assert.fail('no item comes out before the error');
      })().catch((e: unknown) => e);
      checkError(error, finished, source.closed());
      onlyMe();
    });
  });

  test('… forAwait and forEach (generator)', async () => {
    await runVirtual(function* () {
      let f = failing();
      let error: unknown = null;
      try {
        yield* forAwait(f.p, () => {});
      } catch (e) {
        error = e;
      }
      checkError(error, f.finished, f.source.closed());
      f = failing();
      try {
        yield* f.p.forEach(function* () {});
      } catch (e) {
        error = e;
      }
      checkError(error, f.finished, f.source.closed());
      onlyMe();
    });
  });

  test('a failing source: stage "source", the stages cancelled', async () => {
    await runVirtual(async () => {
      async function* source(): AsyncGenerator<number> {
        yield 1;
        await sleep(10);
        throw new Error('disk gone');
      }
      let cancelled = 0;
      const error = await pipeline(source())
        .map(async (n) => {
          try {
            await sleep(1000);
          } catch (e) {
            if (e instanceof CancelledError) cancelled++;
            throw e;
          }
          return n;
        })
        .collect()
        .catch((e: unknown) => e);
      assert.ok(error instanceof PipelineError);
      assert.equal(error.stage, 'source');
      assert.equal(error.message, "the pipeline's source failed: disk gone");
      assert.equal(cancelled, 1);
      assert.equal(now(), 10);
      onlyMe();
    });
  });

  test("the consumer's own error is thrown as it is, and stops the stages", async () => {
    await runVirtual(async () => {
      const source = counter();
      const error = await pipeline(source.items)
        .map(async (n) => n, { concurrency: 2 })
        .forEach(async (n) => {
          if (n === 5) throw new SyntaxError('consumer');
        })
        .catch((e: unknown) => e);
      assert.ok(error instanceof SyntaxError);
      assert.ok(source.closed());
      onlyMe();
    });
  });
});

describe('stopping early', () => {
  test('break out of for await: every stage stopped, every finally run (async source too)', async () => {
    await runVirtual(async () => {
      let sourceClosed = false;
      let stageFinally = 0;
      async function* source(): AsyncGenerator<number> {
        try {
          for (let i = 0; ; i++) {
            await sleep(1);
            yield i;
          }
        } finally {
          await sleep(5); // an async cleanup is waited for
          sourceClosed = true;
        }
      }
      const seen: number[] = [];
      for await (const n of pipeline(source()).map(
        async (n) => {
          try {
            await sleep(3);
            return n;
          } finally {
            stageFinally++;
          }
        },
        { concurrency: 3, ordered: true },
      )) {
        seen.push(n);
        if (n === 4) break;
      }
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
      assert.ok(sourceClosed, 'the source ran its finally before the loop went on');
      assert.ok(stageFinally >= 5);
      onlyMe();
    });
  });

  test('forEach returning false, and forAwait whose body returns false (generator)', async () => {
    await runVirtual(function* () {
      const a = counter();
      const seen: number[] = [];
      yield* pipeline(a.items).map((n) => n * 2, { concurrency: 2, ordered: true }).forEach(function* (n) {
        seen.push(n);
        yield* sleep(1);
        return n < 6;
      });
      assert.deepEqual(seen, [0, 2, 4, 6]);
      assert.ok(a.closed());
      const b = counter();
      let count = 0;
      yield* forAwait(pipeline(b.items).batch(3), () => ++count < 2);
      assert.equal(count, 2);
      assert.ok(b.closed());
      onlyMe();
    });
  });

  for (const style of ['collect (generator)', 'for await (async function)'] as const) {
    test(`cancelling the consumer cancels every stage: ${style}`, async () => {
      await runVirtual(function* () {
        const source = counter();
        const cancelledAt: number[] = [];
        const p = pipeline(source.items).map(
          function* (n): Coro<number> {
            try {
              yield* sleep(100);
              return n;
            } catch (e) {
              if (e instanceof CancelledError) cancelledAt.push(now());
              throw e;
            }
          },
          { concurrency: 3 },
        );
        const consumer =
          style === 'collect (generator)'
            ? createTask(p.collect())
            : createTask(async () => {
                for await (const _ of p);
              });
        yield* sleep(250);
        consumer.cancel();
        try {
          yield* consumer;
          assert.fail('not cancelled');
        } catch (e) {
          assert.ok(e instanceof CancelledError);
        }
        assert.deepEqual(cancelledAt, [250, 250, 250]);
        assert.ok(source.closed());
        onlyMe();
      });
    });
  }
});

describe('batch and throttle (virtual time)', () => {
  test('batch(n): full batches and the rest', async () => {
    await runVirtual(async () => {
      assert.deepEqual(await pipeline([1, 2, 3, 4, 5, 6, 7]).batch(3).collect(), [[1, 2, 3], [4, 5, 6], [7]]);
      assert.deepEqual(await pipeline([]).batch(3).collect(), []);
    });
  });

  test('batch(n, { maxWaitMs }): a partial batch once its first item has waited that long', async () => {
    await runVirtual(function* () {
      // Items at 0, 10, 20, … 90 ms; batches of up to 4, waiting at most 25 ms.
      async function* ticks(): AsyncGenerator<number> {
        for (let i = 0; i < 10; i++) {
          if (i > 0) await sleep(10);
          yield i;
        }
      }
      const out: [number, number[]][] = [];
      yield* pipeline(ticks()).batch(4, { maxWaitMs: 25 }).forEach((b) => {
        out.push([now(), b]);
      });
      assert.deepEqual(out, [
        [25, [0, 1, 2]],
        [55, [3, 4, 5]],
        [85, [6, 7, 8]],
        [90, [9]], // the source ended
      ]);
    });
  });

  test('throttle(perSecond): evenly spaced; a lull earns no burst', async () => {
    await runVirtual(async () => {
      async function* source(): AsyncGenerator<number> {
        for (let i = 0; i < 4; i++) yield i;
        await sleep(1000);
        for (let i = 4; i < 6; i++) yield i;
      }
      const times: number[] = [];
      await pipeline(source()).throttle(10).forEach(() => {
        times.push(now());
      });
      // Items 4 and 5 arrive together at 1000: still spaced, no catching up for the lull.
      assert.deepEqual(times, [0, 100, 200, 300, 1000, 1100]);
    });
  });
});

describe('arguments', () => {
  test('bad arguments throw TypeError in the shared template', () => {
    assert.throws(() => pipeline(42 as unknown as number[]), { message: 'pipeline() expects source to be an iterable or async iterable, got number 42' });
    assert.throws(() => pipeline([1]).map(() => 1, { concurrency: 0 }), { message: 'map() expects options.concurrency to be an integer >= 1, got number 0' });
    assert.throws(() => pipeline([1]).batch(0), { message: 'batch() expects size to be an integer >= 1, got number 0' });
    assert.throws(() => pipeline([1]).throttle(-1), { message: 'throttle() expects perSecond to be a finite number > 0, got number -1' });
    assert.throws(() => pipeline([1]).filter(null as unknown as () => boolean), { message: 'filter() expects fn to be a function, got null' });
  });
});
