import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  ExceptionGroup,
  TaskGroup,
  TimeoutError,
  asyncWith,
  createTask,
  currentTask,
  getRunningLoop,
  sleep,
  taskGroup,
  timeout,
  type AsyncContextManager,
  type Coro,
  type Task,
} from '../src/index.js';
import { runVirtual } from '../src/testing/index.js';

const now = (): number => getRunningLoop().time();

class MyError extends Error {
  override name = 'MyError';
}

function* after<T>(ms: number, value: T): Coro<T> {
  yield* sleep(ms);
  return value;
}

function* failAfter(ms: number, error: () => unknown = () => new MyError(`after ${ms}`)): Coro<never> {
  yield* sleep(ms);
  throw error();
}

function errorTypes(eg: unknown): Set<unknown> {
  assert.ok(eg instanceof ExceptionGroup, `expected an ExceptionGroup, got ${String(eg)}`);
  return new Set(eg.errors.map((e) => (e as object).constructor));
}

/** Awaits `aw` in a coroutine and returns what it threw (fails if it did not throw). */
function* caught(aw: Iterable<unknown>): Coro<unknown> {
  try {
    yield* aw as Coro<unknown>;
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

describe('taskGroup() with generator coroutines', () => {
  test('waits for every child; the body result is returned', async () => {
    await runVirtual(function* () {
      let t1!: Task<number>;
      let t2!: Task<number>;
      const result = yield* taskGroup(function* (tg) {
        t1 = tg.createTask(after(100, 42));
        t2 = tg.createTask(after(200, 11));
        return 'body';
      });
      assert.equal(result, 'body');
      assert.equal(t1.result(), 42);
      assert.equal(t2.result(), 11);
      assert.equal(now(), 200);
    });
  });

  test('children can be created later in the body, and by other children', async () => {
    await runVirtual(function* () {
      const created: number[] = [];
      yield* taskGroup(function* (tg) {
        tg.createTask(after(100, 1));
        yield* sleep(150);
        tg.createTask(function* () {
          yield* sleep(100);
          tg.createTask(function* () {
            yield* sleep(100);
            created.push(now());
          });
        });
      });
      assert.deepEqual(created, [350]);
      assert.equal(now(), 350);
    });
  });

  test('a child cancelled explicitly does not affect the group', async () => {
    await runVirtual(function* () {
      let t1!: Task<number>;
      let t2!: Task<number>;
      yield* taskGroup(function* (tg) {
        t1 = tg.createTask(after(1000, 42));
        yield* sleep(150);
        t1.cancel();
        t2 = tg.createTask(after(200, 11));
      });
      assert.equal(t1.cancelled(), true);
      assert.equal(t2.result(), 11);
      assert.equal(now(), 350);
    });
  });

  test('many children, most finished when one fails: only the running ones are cancelled', async () => {
    // The group drops finished tasks in batches: it must still reach every running one.
    await runVirtual(function* () {
      const tasks: Task<number>[] = [];
      let outcome: unknown = 'returned';
      try {
        yield* taskGroup(function* (tg) {
          for (let i = 0; i < 300; i++) tasks.push(tg.createTask(after(i < 250 ? i : 10_000, i)));
          yield* sleep(260);
          assert.equal(String(tg), '<TaskGroup tasks=50 entered>');
          tg.createTask(failAfter(0));
          yield* sleep(10_000);
        });
      } catch (error) {
        outcome = error;
      }
      assert.deepEqual([...errorTypes(outcome)], [MyError]);
      assert.deepEqual(
        tasks.slice(0, 250).map((t) => t.result()),
        tasks.slice(0, 250).map((_, i) => i),
      );
      assert.ok(tasks.slice(250).every((t) => t.cancelled()));
      assert.equal(now(), 260);
    });
  });

  test('a failing child cancels a hanging sibling and the body; one ExceptionGroup comes out', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      let hangingCancelled = false;
      let bodyCancelled = false;
      let after_ = false;
      let hanging!: Task<void>;
      const error = yield* caught(
        taskGroup(function* (tg) {
          tg.createTask(failAfter(100));
          hanging = tg.createTask(function* () {
            try {
              yield* loop.createFuture<void>(); // never completes
            } catch (e) {
              hangingCancelled = e instanceof CancelledError;
              throw e;
            }
          });
          try {
            yield* sleep(10_000);
          } catch (e) {
            bodyCancelled = e instanceof CancelledError;
            throw e;
          }
          after_ = true;
        }),
      );
      assert.ok(error instanceof ExceptionGroup);
      assert.equal(error.message, 'unhandled errors in a TaskGroup');
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.equal(hangingCancelled, true);
      assert.equal(hanging.cancelled(), true);
      assert.equal(bodyCancelled, true);
      assert.equal(after_, false);
      assert.equal(now(), 100);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('several failing children: all their errors are in the group', async () => {
    await runVirtual(function* () {
      const error = yield* caught(
        taskGroup(function* (tg) {
          tg.createTask(failAfter(100, () => new MyError('a')));
          tg.createTask(failAfter(100, () => new RangeError('b')));
          tg.createTask(failAfter(100, () => new TypeError('c')));
          tg.createTask(after(5000, 'cancelled'));
        }),
      );
      assert.deepEqual(
        (error as ExceptionGroup).errors.map((e) => (e as Error).message),
        ['a', 'b', 'c'],
      );
    });
  });

  test('a failing body cancels the children; its error is in the group', async () => {
    await runVirtual(function* () {
      let t1!: Task<number>;
      let t2!: Task<number>;
      const error = yield* caught(
        taskGroup(function* (tg) {
          t1 = tg.createTask(after(1000, 42));
          t2 = tg.createTask(after(2000, 11));
          yield* sleep(100);
          throw new MyError('body failed');
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.equal(((error as ExceptionGroup).errors[0] as Error).message, 'body failed');
      assert.equal(t1.cancelled(), true);
      assert.equal(t2.cancelled(), true);
      assert.equal(now(), 100);
    });
  });

  test('a body that fails before awaiting anything cancels children that never started', async () => {
    await runVirtual(function* () {
      let started = false;
      let t1!: Task<void>;
      const error = yield* caught(
        taskGroup(function* (tg) {
          t1 = tg.createTask(function* () {
            started = true;
          });
          throw new MyError('at once');
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.equal(t1.cancelled(), true);
      assert.equal(started, false);
    });
  });

  test('the body error and the children errors come out together', async () => {
    await runVirtual(function* () {
      function* nested(): Coro<void> {
        try {
          yield* sleep(10_000);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new MyError('from the body');
        }
      }
      const error = yield* caught(
        taskGroup(function* (tg) {
          tg.createTask(failAfter(100, () => new RangeError('from a child')));
          yield* nested();
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([MyError, RangeError]));
      // Children's errors first, the body's last (as in asyncio).
      assert.ok((error as ExceptionGroup).errors[1] instanceof MyError);
    });
  });

  test('an external cancellation cancels every child and comes out as CancelledError', async () => {
    await runVirtual(function* () {
      let cancelledChildren = 0;
      let bodyCancelled = false;
      const runner = createTask(function* () {
        yield* taskGroup(function* (tg) {
          for (let i = 0; i < 5; i++) {
            tg.createTask(function* () {
              try {
                yield* sleep(5000);
              } catch (e) {
                cancelledChildren++;
                throw e;
              }
            });
          }
          try {
            yield* sleep(10_000);
          } catch (e) {
            bodyCancelled = true;
            throw e;
          }
        });
      });
      yield* sleep(100);
      assert.equal(runner.done(), false);
      runner.cancel('test');
      const error = yield* caught(runner);
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, 'test');
      assert.equal(cancelledChildren, 5);
      assert.equal(bodyCancelled, true);
      assert.equal(now(), 100);
    });
  });

  test('an external cancellation while the body is done and children run', async () => {
    await runVirtual(function* () {
      let cancelledChildren = 0;
      const runner = createTask(
        taskGroup(function* (tg) {
          for (let i = 0; i < 3; i++) {
            tg.createTask(function* () {
              try {
                yield* sleep(5000);
              } catch (e) {
                cancelledChildren++;
                throw e;
              }
            });
          }
        }),
      );
      yield* sleep(50);
      runner.cancel();
      assert.ok((yield* caught(runner)) instanceof CancelledError);
      assert.equal(cancelledChildren, 3);
    });
  });

  test('an external cancellation wins over children that fail while being cancelled... unless they fail', async () => {
    await runVirtual(function* () {
      // Children failing later than the cancellation: CancelledError.
      const r1 = createTask(
        taskGroup(function* (tg) {
          for (let i = 0; i < 3; i++) tg.createTask(failAfter(200));
          yield* sleep(10_000);
        }),
      );
      yield* sleep(100);
      r1.cancel('test');
      const e1 = yield* caught(r1);
      assert.ok(e1 instanceof CancelledError && e1.message === 'test');
      // The body turns the cancellation into an error: that error wins (ExceptionGroup).
      const r2 = createTask(
        taskGroup(function* () {
          try {
            yield* sleep(10_000);
          } catch {
            throw new MyError('instead of cancelling');
          }
        }),
      );
      yield* sleep(100);
      r2.cancel();
      assert.deepEqual(errorTypes(yield* caught(r2)), new Set([MyError]));
    });
  });

  test('a child failing while the body handles an external cancellation: errors take precedence (3.13+)', async () => {
    await runVirtual(function* () {
      const runner = createTask(
        taskGroup(function* (tg) {
          tg.createTask(failAfter(300, () => new RangeError('child')));
          try {
            yield* sleep(10_000);
          } catch (e) {
            yield* sleep(500);
            throw e;
          }
        }),
      );
      yield* sleep(100);
      runner.cancel();
      const error = yield* caught(runner);
      // The children are cancelled only when the body exits; the child fails at 300 and
      // cancels the body's cleanup sleep: its error wins over the external cancellation.
      assert.deepEqual(errorTypes(error), new Set([RangeError]));
      assert.equal(now(), 300);
      assert.equal(runner.cancelled(), false);
    });
  });

  test('nested groups cancelled from outside', async () => {
    await runVirtual(function* () {
      const runner = createTask(function* () {
        yield* taskGroup(function* (g1) {
          g1.createTask(sleep(10_000));
          yield* taskGroup(function* (g2) {
            for (let i = 0; i < 5; i++) g2.createTask(failAfter(1000));
            yield* sleep(10_000);
          });
        });
      });
      yield* sleep(100);
      runner.cancel();
      assert.ok((yield* caught(runner)) instanceof CancelledError);
      assert.equal(now(), 100);
    });
  });

  test('failing children in nested groups: outer child fails first', async () => {
    await runVirtual(function* () {
      const error = yield* caught(
        taskGroup(function* (g1) {
          g1.createTask(failAfter(100, () => new RangeError('outer child')));
          yield* taskGroup(function* (g2) {
            g2.createTask(failAfter(10_000, () => new RangeError('inner child')));
          });
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([RangeError]));
      assert.equal(((error as ExceptionGroup).errors[0] as Error).message, 'outer child');
      assert.equal(now(), 100);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('failing children in nested groups: inner child fails first, the inner group nests in the outer one', async () => {
    await runVirtual(function* () {
      const error = yield* caught(
        taskGroup(function* (g1) {
          g1.createTask(failAfter(10_000, () => new RangeError('outer child')));
          yield* taskGroup(function* (g2) {
            g2.createTask(failAfter(100, () => new RangeError('inner child')));
          });
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([ExceptionGroup]));
      const inner = (error as ExceptionGroup).errors[0] as ExceptionGroup;
      assert.deepEqual(errorTypes(inner), new Set([RangeError]));
      assert.equal((inner.errors[0] as Error).message, 'inner child');
      assert.equal(now(), 100);
    });
  });

  test('cancelling() levels: preserved after a failure; nested groups failing together (gh-116720)', async () => {
    await runVirtual(function* () {
      const task = currentTask()!;
      assert.ok((yield* caught(taskGroup(function* (tg) { tg.createTask(failAfter(0)); }))) instanceof ExceptionGroup);
      assert.equal(task.cancelling(), 0);

      let innerLevel = -1;
      const error = yield* caught(
        taskGroup(function* (outer) {
          const e = yield* caught(
            taskGroup(function* (inner) {
              inner.createTask(failAfter(0, () => new RangeError('inner')));
              outer.createTask(failAfter(0, () => new TypeError('outer')));
            }),
          );
          assert.deepEqual(errorTypes(e), new Set([RangeError]));
          innerLevel = task.cancelling();
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([TypeError]));
      assert.equal(innerLevel, 1); // the outer group's cancellation is still pending there
      assert.equal(task.cancelling(), 0);
      yield* sleep(1); // the cancellation does not leak out of the group
    });
  });

  test('an external cancellation during a failing group is not lost', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const started = loop.createFuture<void>();
      let levelInGroup = -1;
      let levelAfter = -1;
      let reachedEnd = false;
      const inner = createTask(function* () {
        const e = yield* caught(
          taskGroup(function* (tg) {
            tg.createTask(function* () {
              started.setResult(undefined);
              yield* sleep(0);
              throw new MyError('child');
            });
            yield* sleep(1000);
            assert.fail('the body should have been cancelled');
          }),
        );
        assert.ok(e instanceof ExceptionGroup);
        levelInGroup = currentTask()!.cancelling();
        levelAfter = levelInGroup;
        yield* sleep(1000); // the external cancellation arrives here
        reachedEnd = true;
      });
      yield* started;
      assert.equal(inner.cancelling(), 0);
      inner.cancel();
      assert.equal(inner.cancelling(), 1);
      assert.ok((yield* caught(inner)) instanceof CancelledError);
      assert.equal(inner.cancelled(), true);
      assert.equal(levelInGroup, 1);
      assert.equal(levelAfter, 1);
      assert.equal(reachedEnd, false);
    });
  });

  test('a task created by a child that fails at once cancels its creator (gh-128550)', async () => {
    await runVirtual(function* () {
      let ran = false;
      const error = yield* caught(
        taskGroup(function* (tg) {
          tg.createTask(function* () {
            tg.createTask(function* () {
              throw new MyError('third task failed');
            });
            try {
              yield* sleep(0);
              yield* sleep(0);
              assert.fail('not cancelled');
            } catch (e) {
              assert.ok(e instanceof CancelledError);
              ran = true;
            }
          });
        }),
      );
      assert.ok(ran);
      assert.deepEqual(errorTypes(error), new Set([MyError]));
    });
  });

  test('tasks that keep creating tasks until a sibling fails (the hydra)', async () => {
    await runVirtual(function* () {
      let hydras = 0;
      function* hydra(tg: TaskGroup): Coro<void> {
        hydras++;
        yield* sleep(10);
        tg.createTask(hydra(tg));
        tg.createTask(hydra(tg));
      }
      function* hercules(): Coro<void> {
        while (hydras < 10) yield* sleep(15);
        throw new MyError('1 / 0');
      }
      const error = yield* caught(
        taskGroup(function* (tg) {
          tg.createTask(hydra(tg));
          tg.createTask(hercules());
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.ok(hydras >= 10);
      assert.equal(now(), 45);
    });
  });

  test('createTask() refused while shutting down, after the end, or before entering; the coroutine never starts', async () => {
    await runVirtual(function* () {
      let refusedWhileShuttingDown = false;
      const error = yield* caught(
        taskGroup(function* (tg) {
          tg.createTask(failAfter(1));
          tg.createTask(function* () {
            try {
              yield* sleep(1000);
            } catch (e) {
              assert.throws(() => tg.createTask(failAfter(1)), /shutting down/);
              refusedWhileShuttingDown = true;
              throw e;
            }
          });
        }),
      );
      assert.ok(refusedWhileShuttingDown);
      assert.deepEqual(errorTypes(error), new Set([MyError]));

      let started = false;
      function* work(): Coro<void> {
        started = true;
      }
      const finished = yield* taskGroup(function* (tg) {
        return tg;
      });
      const coro = work();
      assert.throws(() => finished.createTask(coro), /is finished/);
      assert.deepEqual(coro.next(), { done: true, value: undefined }); // closed, never started
      assert.throws(
        () =>
          finished.createTask(async () => {
            started = true;
          }),
        /is finished/,
      );
      assert.throws(() => new TaskGroup().createTask(work()), /has not been entered/);
      yield* sleep(1);
      assert.equal(started, false);
    });
  });

  test('a TaskGroup runs once', async () => {
    await runVirtual(function* () {
      const tg = new TaskGroup();
      yield* tg.run(function* (g) {
        const error = yield* caught(g.run(function* () {}));
        assert.match((error as Error).message, /has already been entered/);
      });
      const error = yield* caught(tg.run(function* () {}));
      assert.match((error as Error).message, /has already been entered/);
      assert.throws(() => tg.run(null as unknown as () => Coro<void>), TypeError);
    });
  });

  test('needs a parent task', async () => {
    await runVirtual(function* () {
      const loop = getRunningLoop();
      const outcome = loop.createFuture<unknown>();
      loop.callSoon(() => {
        taskGroup(async () => 1).then(
          (v) => outcome.setResult(v),
          (e: unknown) => outcome.setResult(e),
        );
      });
      const error = yield* outcome;
      assert.match((error as Error).message, /parent task/);
    });
  });

  test('tasks get the names given', async () => {
    await runVirtual(function* () {
      let name = '';
      yield* taskGroup(function* (tg) {
        const t = tg.createTask(
          function* () {
            name = currentTask()!.getName();
          },
          { name: 'example name' },
        );
        assert.equal(t.getName(), 'example name');
      });
      assert.equal(name, 'example name');
    });
  });

  test('errors raised by an enclosing context manager: both in one group, no cancellation left', async () => {
    await runVirtual(function* () {
      const task = currentTask()!;
      class Database implements AsyncContextManager<void> {
        enter(): void {}
        exit(): never {
          throw new MyError('exit failed');
        }
      }
      const error = yield* caught(
        taskGroup(function* (tg) {
          yield* asyncWith(new Database(), function* () {
            tg.createTask(function* () {
              throw new MyError('child failed');
            });
            yield* sleep(1000);
          });
        }),
      );
      assert.equal(task.cancelling(), 0);
      assert.equal((error as ExceptionGroup).errors.length, 2);
    });
  });

  test('works with asyncWith(new TaskGroup(), ...)', async () => {
    await runVirtual(function* () {
      let t!: Task<number>;
      yield* asyncWith(new TaskGroup(), function* (tg) {
        t = tg.createTask(after(10, 7));
      });
      assert.equal(t.result(), 7);
      const error = yield* caught(
        asyncWith(new TaskGroup(), function* (tg) {
          tg.createTask(failAfter(10));
          yield* sleep(100);
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.equal(now(), 20);
    });
  });

  test('inside a timeout that expires: TimeoutError', async () => {
    await runVirtual(function* () {
      let cancelled = 0;
      const error = yield* caught(
        timeout(50, function* () {
          yield* taskGroup(function* (tg) {
            for (let i = 0; i < 3; i++) {
              tg.createTask(function* () {
                try {
                  yield* sleep(1000);
                } catch (e) {
                  cancelled++;
                  throw e;
                }
              });
            }
          });
        }),
      );
      assert.ok(error instanceof TimeoutError);
      assert.equal(cancelled, 3);
      assert.equal(now(), 50);
    });
  });

  test('toString()', async () => {
    await runVirtual(function* () {
      const tg = new TaskGroup();
      assert.equal(String(tg), '<TaskGroup>');
      yield* tg.run(function* (g) {
        g.createTask(sleep(1));
        assert.equal(String(g), '<TaskGroup tasks=1 entered>');
      });
    });
  });
});

describe('taskGroup() with async functions', () => {
  test('async body and async children', async () => {
    await runVirtual(async () => {
      const [a, b] = await taskGroup(async (tg) => {
        const ta = tg.createTask(async () => {
          await sleep(30);
          return 'a';
        });
        const tb = tg.createTask(after(40, 'b'));
        await sleep(10);
        return [ta, tb] as const;
      });
      assert.equal(a.result(), 'a');
      assert.equal(b.result(), 'b');
      assert.equal(now(), 40);
    });
  });

  test('a failing child cancels the async body and the siblings', async () => {
    await runVirtual(async () => {
      let bodyCancelled = false;
      let sibling!: Task<void>;
      await assert.rejects(
        taskGroup(async (tg) => {
          sibling = tg.createTask(async () => {
            await sleep(10_000);
          });
          tg.createTask(async () => {
            await sleep(100);
            throw new MyError('child');
          });
          try {
            await sleep(10_000);
          } catch (e) {
            bodyCancelled = e instanceof CancelledError;
            throw e;
          }
        }),
        (error: unknown) => {
          assert.deepEqual(errorTypes(error), new Set([MyError]));
          assert.equal((error as Error).message, 'unhandled errors in a TaskGroup');
          return true;
        },
      );
      assert.ok(bodyCancelled);
      assert.ok(sibling.cancelled());
      assert.equal(now(), 100);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('async body run from a generator task, and generator body from an async task', async () => {
    await runVirtual(function* () {
      const task = currentTask();
      const error = yield* caught(
        taskGroup(async (tg) => {
          assert.equal(currentTask(), task);
          tg.createTask(failAfter(10));
          await sleep(1000); // cancelled at 10
        }),
      );
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.equal(now(), 10);
      const inner = createTask(async () => {
        const self = currentTask();
        return taskGroup(function* (tg) {
          assert.equal(currentTask(), self);
          const t = tg.createTask(after(5, 'x'));
          yield* sleep(1);
          return { t }; // boxed: a Task is thenable, an async function would return its result
        });
      });
      const { t } = yield* inner;
      assert.equal(t.result(), 'x');
      assert.equal(now(), 15);
    });
  });

  test('an external cancellation of an async task', async () => {
    await runVirtual(async () => {
      let cancelledChildren = 0;
      const runner = createTask(async () => {
        await taskGroup(async (tg) => {
          for (let i = 0; i < 3; i++) {
            tg.createTask(async () => {
              try {
                await sleep(5000);
              } catch (e) {
                cancelledChildren++;
                throw e;
              }
            });
          }
        });
      });
      await sleep(10);
      runner.cancel();
      await assert.rejects(async () => {
        await runner;
      }, CancelledError);
      assert.equal(cancelledChildren, 3);
      assert.equal(now(), 10);
    });
  });
});

describe('taskGroup(): more behaviours from CPython test_taskgroups', () => {
  test('an external cancellation while children fail in their cleanup: the errors win (test_taskgroup_08)', async () => {
    await runVirtual(function* () {
      function* failsWhenCancelled(): Coro<void> {
        try {
          yield* sleep(10_000);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw new RangeError('1 / 0');
        }
      }
      const runner = createTask(
        taskGroup(function* (tg) {
          for (let i = 0; i < 5; i++) tg.createTask(failsWhenCancelled());
          yield* sleep(10_000);
        }),
      );
      yield* sleep(100);
      assert.equal(runner.done(), false);
      runner.cancel();
      const error = yield* caught(runner);
      assert.deepEqual(errorTypes(error), new Set([RangeError]));
      assert.equal((error as ExceptionGroup).errors.length, 5);
      assert.equal(runner.cancelled(), false);
      assert.equal(now(), 100);
    });
  });

  test('nested groups cancelled from outside while inner children fail in cleanup: a group in a group (test_taskgroup_11, _12)', async () => {
    for (const outerChild of [false, true]) {
      await runVirtual(function* () {
        let outerSleeper: Task<void> | null = null;
        const runner = createTask(function* () {
          yield* taskGroup(function* (g1) {
            if (outerChild) outerSleeper = g1.createTask(sleep(10_000));
            yield* taskGroup(function* (g2) {
              for (let i = 0; i < 5; i++) {
                g2.createTask(function* () {
                  try {
                    yield* sleep(10_000);
                  } finally {
                    // eslint-disable-next-line no-unsafe-finally
                    throw new RangeError('1 / 0');
                  }
                });
              }
              yield* sleep(10_000);
            });
          });
        });
        yield* sleep(100);
        runner.cancel();
        const error = yield* caught(runner);
        assert.deepEqual(errorTypes(error), new Set([ExceptionGroup]));
        assert.deepEqual(errorTypes((error as ExceptionGroup).errors[0]), new Set([RangeError]));
        if (outerChild) assert.equal(outerSleeper!.cancelled(), true);
        assert.equal(now(), 100);
      });
    }
  });

  test('a task awaiting a task that runs a group is cancelled; a child fails during the cleanup (test_taskgroup_16)', async () => {
    await runVirtual(function* () {
      function* nestedRunner(): Coro<void> {
        yield* taskGroup(function* (g1) {
          g1.createTask(failAfter(300, () => new RangeError('1 / 0')));
          try {
            yield* sleep(10_000);
          } catch (e) {
            yield* sleep(500);
            throw e;
          }
        });
      }
      const runner = createTask(function* () {
        const t = createTask(nestedRunner());
        yield* t;
      });
      yield* sleep(100);
      runner.cancel();
      const error = yield* caught(runner);
      assert.deepEqual(errorTypes(error), new Set([RangeError]));
      assert.equal(now(), 300);
    });
  });

  test('a group cancelled by an enclosing timeout: TimeoutError caused by the group\'s CancelledError', async () => {
    await runVirtual(function* () {
      const error = yield* caught(
        timeout(-1, function* () {
          yield* taskGroup(function* (tg) {
            tg.createTask(sleep(1000));
            yield* sleep(0);
          });
        }),
      );
      assert.ok(error instanceof TimeoutError);
      assert.ok(error.cause instanceof CancelledError);
      assert.equal(now(), 0);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  });

  test('tasks created while the body sleeps finish on their own schedule; the group ends with the last one (test_taskgroup_23)', async () => {
    await runVirtual(function* () {
      const finished: number[] = [];
      yield* taskGroup(function* (tg) {
        for (let i = 0; i < 10; i++) {
          yield* sleep(100);
          tg.createTask(function* () {
            yield* sleep(250);
            finished.push(now());
          });
        }
        assert.equal(finished.length, 7); // created at 100..1000: those done by 1000
      });
      assert.deepEqual(finished, [350, 450, 550, 650, 750, 850, 950, 1050, 1150, 1250]);
      assert.equal(now(), 1250);
    });
  });

  test('async style: the failing group runs in a task that the cancelled task awaits (test_taskgroup_16)', async () => {
    await runVirtual(async () => {
      const runner = createTask(async () => {
        const t = createTask(async () => {
          await taskGroup(async (g1) => {
            g1.createTask(async () => {
              await sleep(300);
              throw new RangeError('1 / 0');
            });
            try {
              await sleep(10_000);
            } catch (e) {
              await sleep(500);
              throw e;
            }
          });
        });
        await t;
      });
      await sleep(100);
      runner.cancel();
      const error = await Promise.resolve(runner).then(
        () => null,
        (e: unknown) => e,
      );
      assert.deepEqual(errorTypes(error), new Set([RangeError]));
      assert.equal(now(), 300);
    });
  });

  test('async style: a body that turns the cancellation into an error (test_taskgroup_18)', async () => {
    await runVirtual(async () => {
      let handled = 0;
      const runner = createTask(async () => {
        await taskGroup(async () => {
          try {
            await sleep(10_000);
          } catch {
            handled += 10;
            throw new MyError('instead of cancelling');
          }
        });
      });
      await sleep(100);
      runner.cancel();
      const error = await Promise.resolve(runner).then(
        () => null,
        (e: unknown) => e,
      );
      assert.deepEqual(errorTypes(error), new Set([MyError]));
      assert.equal(handled, 10);
      assert.equal(runner.cancelled(), false);
    });
  });

  test('async style: the cancellation of a failing group does not leak out of it', async () => {
    await runVirtual(async () => {
      await assert.rejects(
        taskGroup(async (tg) => {
          tg.createTask(async () => {
            throw new MyError('at once');
          });
        }),
        ExceptionGroup,
      );
      assert.equal(currentTask()!.cancelling(), 0);
      await sleep(10); // not cancelled here
      assert.equal(now(), 10);
    });
  });
});

describe('taskGroup(): error messages', () => {
  test('a coroutine object instead of a body function is refused with a hint', async () => {
    await runVirtual(function* () {
      function* body(): Coro<void> {}
      assert.throws(() => taskGroup(body() as unknown as () => Coro<void>), /coroutine object: pass the function itself/);
      yield* taskGroup(body); // the function itself works (it ignores tg)
    });
  });
});
