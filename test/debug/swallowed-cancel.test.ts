/**
 * Debug mode reports a cancellation that a `catch` swallowed: the task finished normally with
 * cancel requests pending, or a timeout() block expired and finished without TimeoutError.
 * (asyncio has no such report: `except Exception` does not catch CancelledError there.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTask, sleep, timeout, getRunningLoop, currentTask, CancelledError, type ExceptionContext } from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';

function record(): ExceptionContext[] {
  const reports: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_loop, context) => reports.push(context));
  return reports;
}

describe('debug mode: swallowed cancellation', () => {
  test('generator task: catch {} around the await, then returns: reported with the places', async () => {
    const reports = await runVirtual(
      function* () {
        const reports = record();
        const task = createTask(
          function* () {
            try {
              yield* sleep(1000);
            } catch {
              // swallowed
            }
            yield* sleep(5);
            return 'normally';
          },
          { name: 'swallower' },
        );
        yield* sleep(10);
        task.cancel();
        assert.equal(yield* task, 'normally');
        return reports;
      },
      { debug: true },
    );
    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.match(report!.message, /^Task "swallower" was cancelled but finished normally: a catch around an await caught the CancelledError/);
    assert.equal((report!.task as { getName(): string }).getName(), 'swallower');
    assert.match(String(report!['cancelRequestedAt']), /swallowed-cancel\.test\.ts/);
    assert.match(String(report!['cancelDeliveredAt']), /swallowed-cancel\.test\.ts/);
    assert.match(String(report!['resumedAt']), /swallowed-cancel\.test\.ts/);
  });

  test('async-function task: swallowed at an await, reported with where the cancel came from', async () => {
    const reports = await runVirtual(
      function* () {
        const reports = record();
        const task = createTask(
          async () => {
            try {
              await sleep(1000);
            } catch {
              // swallowed
            }
            await sleep(5);
            return 'normally';
          },
          { name: 'async swallower' },
        );
        yield* sleep(10);
        task.cancel();
        assert.equal(yield* task, 'normally');
        return reports;
      },
      { debug: true },
    );
    assert.equal(reports.length, 1);
    assert.match(reports[0]!.message, /^Task "async swallower" was cancelled but finished normally/);
    assert.match(String(reports[0]!['cancelRequestedAt']), /swallowed-cancel\.test\.ts/);
    assert.match(String(reports[0]!['cancelDeliveredAt']), /swallowed-cancel\.test\.ts/);
  });

  test('a task whose cancel went on to the task it awaits, which swallowed it: one report, for the swallower', async () => {
    const reports = await runVirtual(
      function* () {
        const reports = record();
        const inner = createTask(async () => {
          try {
            await sleep(1000);
          } catch {
            // swallowed
          }
          return 'inner value';
        }, { name: 'inner' });
        const outer = createTask(function* () { return yield* inner; }, { name: 'outer' });
        // The other way round: the awaited task ends cancelled, the awaiting one eats the error.
        const plain = createTask(function* () { yield* sleep(1000); }, { name: 'plain' });
        const eater = createTask(function* () {
          try {
            yield* plain;
          } catch {
            // swallowed
          }
        }, { name: 'eater' });
        yield* sleep(10);
        outer.cancel(); // cancels inner, which outer awaits
        eater.cancel(); // cancels plain, which eater awaits
        assert.equal(yield* outer, 'inner value');
        yield* eater;
        return reports;
      },
      { debug: true },
    );
    assert.deepEqual(reports.map((r) => (r.task as { getName(): string }).getName()).sort(), ['eater', 'inner']);
  });

  for (const style of ['generator', 'async'] as const) {
    test(`${style}: timeout() around a retry loop that swallows the cancel is reported (no TimeoutError)`, async () => {
      const reports = await runVirtual(
        function* () {
          const reports = record();
          const retries = style === 'generator'
            ? timeout(150, function* () {
                for (let attempt = 0; attempt < 3; attempt++) {
                  try {
                    yield* sleep(100);
                  } catch {
                    // retry
                  }
                }
              })
            : timeout(150, async () => {
                for (let attempt = 0; attempt < 3; attempt++) {
                  try {
                    await sleep(100);
                  } catch {
                    // retry
                  }
                }
              });
          yield* createTask(function* () { yield* retries; }, { name: 'retrier' });
          assert.equal(getRunningLoop().time(), 250); // ran past its deadline: the bug reported
          return reports;
        },
        { debug: true },
      );
      assert.equal(reports.length, 1);
      assert.match(reports[0]!.message, /^timeout\(\) expired in Task "retrier" \(deadline: loop time 150 ms\) but its block finished normally, 100 ms late/);
      assert.match(String(reports[0]!['cancelDeliveredAt']), /swallowed-cancel\.test\.ts/);
    });

    test(`${style}: nothing is reported when the cancel is re-thrown, uncancelled, or debug mode is off`, async () => {
      for (const debug of [true, false]) {
        const reports = await runVirtual(
          function* () {
            const reports = record();
            const rethrows = createTask(style === 'generator'
              ? function* () {
                  try { yield* sleep(1000); } catch (error) { if (error instanceof CancelledError) throw error; }
                }
              : async () => {
                  try { await sleep(1000); } catch (error) { if (error instanceof CancelledError) throw error; }
                });
            const uncancels = createTask(style === 'generator'
              ? function* () {
                  try { yield* sleep(1000); } catch { currentTask()!.uncancel(); }
                  return 'kept going';
                }
              : async () => {
                  try { await sleep(1000); } catch { currentTask()!.uncancel(); }
                  return 'kept going';
                });
            // Debug mode off: a swallowed cancel goes unreported (and costs nothing).
            const swallows = debug
              ? null
              : createTask(style === 'generator'
                  ? function* () { try { yield* sleep(1000); } catch { /* swallowed */ } }
                  : async () => { try { await sleep(1000); } catch { /* swallowed */ } });
            yield* sleep(1);
            rethrows.cancel();
            uncancels.cancel();
            swallows?.cancel();
            yield* sleep(1);
            assert.equal(rethrows.cancelled(), true);
            assert.equal(yield* uncancels, 'kept going');
            try {
              yield* timeout(10, function* () { yield* sleep(100); });
              assert.fail('expected TimeoutError');
            } catch (error) {
              assert.equal((error as Error).name, 'TimeoutError');
            }
            return reports;
          },
          { debug },
        );
        assert.deepEqual(reports.map((r) => r.message), []);
      }
    });
  }
});
