/**
 * Actors: ask/tell in both coroutine styles, one message at a time, the mailbox limit
 * (tell waits, tellNowait throws QueueFull), ask timeouts and withdrawals (virtual time),
 * stop() draining or dropping, ActorStoppedError after stop, restarts with fresh state, the
 * restart limit within a window (the task group gets the failure), backoff, cancellation of
 * the owner (finally blocks and onStop clean-ups run), which task group an actor joins, and
 * no task left behind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  ExceptionGroup,
  QueueFull,
  Task,
  TaskGroup,
  TimeoutError,
  allTasks,
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  sleep,
  taskGroup,
  type Coro,
} from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { ActorStoppedError, spawnActor, type Actor, type ActorContext } from '../../src/actors/index.ts';

type Msg = { add: number } | 'total';

/** A counter behavior whose handler is a generator function (it takes `ms` per message). */
function genCounter(ms = 0) {
  return () => {
    let total = 0;
    return function* (msg: Msg): Coro<number> {
      if (ms > 0) yield* sleep(ms);
      if (msg === 'total') return total;
      return (total += msg.add);
    };
  };
}

/** The same with an async handler. */
function asyncCounter(ms = 0) {
  return () => {
    let total = 0;
    return async (msg: Msg): Promise<number> => {
      if (ms > 0) await sleep(ms);
      if (msg === 'total') return total;
      return (total += msg.add);
    };
  };
}

const now = () => getRunningLoop().time();

/** Only the main task is left. */
function assertNoTasks(): void {
  assert.deepEqual([...allTasks()].filter((t) => t !== currentTask()).map(String), []);
}

async function rejectsWith(aw: PromiseLike<unknown>, check: (e: unknown) => boolean): Promise<void> {
  await assert.rejects(Promise.resolve(aw), (e) => {
    assert.ok(check(e), `unexpected error: ${String(e)}`);
    return true;
  });
}

describe('actors: ask and tell', () => {
  test('generator style: tell then ask, messages handled one at a time in arrival order', async () => {
    await runVirtual(function* () {
      yield* taskGroup(function* () {
        let inside = 0;
        const seen: number[] = [];
        const actor = spawnActor(() => function* (n: number): Coro<number> {
          assert.equal(++inside, 1, 'one message at a time');
          yield* sleep(10);
          seen.push(n);
          inside--;
          return n * 2;
        });
        yield* actor.tell(1);
        yield* actor.tell(2);
        const replies = yield* gather(actor.ask(3), actor.ask(4));
        assert.deepEqual(replies, [6, 8]);
        assert.deepEqual(seen, [1, 2, 3, 4]);
        assert.equal(now(), 40);
        yield* actor.stop();
      });
      assertNoTasks();
    });
  });

  test('async style: an async behavior (set-up awaited first) and an async handler', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const actor = spawnActor(async () => {
          await sleep(5); // e.g. opening a connection
          return asyncCounter(1)();
        });
        await actor.tell({ add: 2 });
        actor.tellNowait({ add: 5 });
        assert.equal(await actor.ask('total'), 7);
        assert.equal(now(), 8);
        await actor.stop();
      });
      assertNoTasks();
    });
  });

  test('a plain handler; the types of messages and replies are inferred', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const actor = spawnActor(() => {
          let total = 0;
          return (msg: Msg) => (msg === 'total' ? total : (total += msg.add));
        });
        const typed: Actor<Msg, number> = actor;
        // @ts-expect-error: the message type is checked
        const wrong = () => typed.tellNowait({ sub: 1 });
        assert.equal(typeof wrong, 'function');
        await typed.tell({ add: 4 });
        const total: number = await typed.ask('total');
        assert.equal(total, 4);
        await actor.stop();
      });
    });
  });

  test('mailboxSize: tell() waits while the mailbox is full, tellNowait() throws QueueFull', async () => {
    await runVirtual(function* () {
      yield* taskGroup(function* () {
        const actor = spawnActor(genCounter(10), { mailboxSize: 2 });
        actor.tellNowait({ add: 1 }); // taken at once by the actor: the mailbox is empty again
        yield* sleep(0);
        actor.tellNowait({ add: 1 });
        actor.tellNowait({ add: 1 });
        assert.equal(actor.pending, 2);
        assert.throws(() => actor.tellNowait({ add: 1 }), QueueFull);
        yield* actor.tell({ add: 1 }); // waits for room: the first message ends at 10
        assert.equal(now(), 10);
        assert.equal(yield* actor.ask('total'), 4);
        yield* actor.stop();
      });
    });
  });

  test('ask() on a full mailbox waits for room, then for the reply', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const actor = spawnActor(asyncCounter(10), { mailboxSize: 1 });
        actor.tellNowait({ add: 1 });
        await sleep(0);
        actor.tellNowait({ add: 1 });
        const reply = actor.ask('total');
        assert.equal(actor.pending, 2, 'one in the mailbox, one waiting for room');
        assert.equal(await reply, 2);
        assert.equal(now(), 30);
        await actor.stop();
      });
      assertNoTasks();
    });
  });

  test('messages waiting for room enter the mailbox in the order sent (asks, tells, and tellNowait refused meanwhile)', async () => {
    await runVirtual(function* () {
      yield* taskGroup(function* () {
        const seen: string[] = [];
        const actor = spawnActor(() => function* (msg: string): Coro<string> {
          yield* sleep(10);
          seen.push(msg);
          return msg;
        }, { mailboxSize: 1 });
        actor.tellNowait('a'); // taken at once
        yield* sleep(0);
        actor.tellNowait('b'); // fills the mailbox
        const c = actor.ask('c'); // waits for room
        const d = createTask(actor.tell('d')); // waits for room, behind c
        yield* sleep(0);
        assert.throws(() => actor.tellNowait('x'), (e) => e instanceof QueueFull && /use tell\(\), which waits for room/.test(e.message));
        const e = actor.ask('e');
        yield* sleep(5);
        const f = actor.ask('f'); // a slot opened at 10 is c's, not f's
        yield* gather(c, d, e, f);
        assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e', 'f']);
        yield* actor.stop();
      });
      assertNoTasks();
    });
  });

  test('stop() lets messages waiting for room in (handled); stop({ drop: true }) fails them, tell() included', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const seen: string[] = [];
        const actor = spawnActor(() => async (msg: string) => {
          await sleep(10);
          seen.push(msg);
        }, { mailboxSize: 1 });
        actor.tellNowait('a');
        await sleep(0);
        actor.tellNowait('b');
        const told = createTask(actor.tell('c'));
        await sleep(0);
        await actor.stop();
        await told;
        assert.deepEqual(seen, ['a', 'b', 'c']);

        const second = spawnActor(() => async (msg: string) => {
          await sleep(10);
          seen.push(msg);
        }, { mailboxSize: 1 });
        second.tellNowait('d');
        await sleep(0);
        second.tellNowait('e');
        const dropped = createTask(second.tell('f'));
        const asked = second.ask('g');
        await sleep(0);
        await second.stop({ drop: true });
        await rejectsWith(dropped, (e) => e instanceof ActorStoppedError && /^tell\(\)/.test(e.message));
        await rejectsWith(asked, (e) => e instanceof ActorStoppedError);
        assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
      });
      assertNoTasks();
    });
  });
});

describe('actors: ask timeouts and withdrawals', () => {
  test('ask(msg, { timeout }) fails with TimeoutError at the deadline; a message not yet started is withdrawn', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const handled: string[] = [];
        const actor = spawnActor(() => async (msg: string) => {
          await sleep(100);
          handled.push(msg);
          return msg;
        });
        const first = actor.ask('first', { timeout: 30 }); // being handled when it times out
        const second = actor.ask('second', { timeout: 50 }); // still in the mailbox then
        await rejectsWith(first, (e) => e instanceof TimeoutError && /no reply within 30 ms/.test(e.message));
        assert.equal(now(), 30);
        await rejectsWith(second, (e) => e instanceof TimeoutError);
        assert.equal(now(), 50);
        assert.equal(await actor.ask('third'), 'third');
        assert.deepEqual(handled, ['first', 'third'], 'the second was withdrawn; the first ran to its end');
        assert.equal(now(), 200);
        await actor.stop();
      });
      assertNoTasks();
    });
  });

  test('a cancelled asker withdraws its message; a timeout in time leaves the reply alone', async () => {
    await runVirtual(function* () {
      yield* taskGroup(function* () {
        const handled: number[] = [];
        const actor = spawnActor(() => function* (n: number): Coro<number> {
          yield* sleep(10);
          handled.push(n);
          return n;
        });
        const asker = createTask(function* () {
          yield* actor.ask(1);
          yield* actor.ask(2);
        });
        const other = createTask(function* () {
          return yield* actor.ask(3, { timeout: 1000 });
        });
        yield* sleep(5);
        asker.cancel();
        yield* gather(asker, { returnExceptions: true });
        assert.equal(yield* other, 3);
        assert.deepEqual(handled, [1, 3]);
        yield* actor.stop();
      });
      assertNoTasks();
    });
  });
});

describe('actors: stop', () => {
  test('stop() drains: messages already sent are handled, then the actor ends; later sends fail', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const actor = spawnActor(asyncCounter(10));
        actor.tellNowait({ add: 1 });
        const reply = actor.ask({ add: 2 });
        const stopping = actor.stop();
        assert.ok(actor.stopped);
        await stopping;
        assert.equal(await reply, 3);
        assert.equal(now(), 20);
        assert.throws(() => actor.tellNowait({ add: 1 }), ActorStoppedError);
        await rejectsWith(actor.tell({ add: 1 }), (e) => e instanceof ActorStoppedError && /tell\(\).*stopped: send messages before stop\(\)/.test(e.message));
        await rejectsWith(actor.ask('total'), (e) => e instanceof ActorStoppedError && /^ask\(\): Actor actor-\d+ was stopped/.test(e.message));
        await actor.stop(); // again: nothing to do
      });
      assertNoTasks();
    });
  });

  test('stop({ drop: true }): the message being handled ends, the others are dropped and their asks fail', async () => {
    await runVirtual(function* () {
      yield* taskGroup(function* () {
        const actor = spawnActor(genCounter(10));
        const first = actor.ask({ add: 1 });
        const second = actor.ask({ add: 2 });
        actor.tellNowait({ add: 4 });
        yield* sleep(1);
        yield* actor.stop({ drop: true });
        assert.equal(now(), 10);
        assert.equal(yield* first, 1);
        let error: unknown = null;
        try {
          yield* second;
        } catch (e) {
          error = e;
        }
        assert.ok(error instanceof ActorStoppedError);
      });
      assertNoTasks();
    });
  });

  test('await using: the actor is stopped (drained) at the end of the block', async () => {
    await runVirtual(async () => {
      let seen = 0;
      await taskGroup(async () => {
        await using actor = spawnActor(() => async (n: number) => {
          await sleep(5);
          seen += n;
        });
        actor.tellNowait(1);
        actor.tellNowait(2);
      });
      assert.equal(seen, 3);
      assert.equal(now(), 10);
      assertNoTasks();
    });
  });

  test('stop() from the actor\'s own handler does not wait for itself', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const actor: Actor<string, string> = spawnActor((ctx) => async (msg: string) => {
          if (msg === 'quit') await ctx.self.stop();
          return msg;
        });
        assert.equal(await actor.ask('quit'), 'quit');
        assert.ok(actor.stopped);
      });
      assertNoTasks();
    });
  });
});

describe('actors: supervision', () => {
  test('a failing ask gets the error, and the actor restarts with fresh state (mailbox kept)', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const runs: number[] = [];
        const actor = spawnActor(
          (ctx: ActorContext) => {
            runs.push(ctx.restarts);
            let total = 0;
            return (msg: Msg | 'fail') => {
              if (msg === 'fail') throw new Error('bad message');
              return msg === 'total' ? total : (total += msg.add);
            };
          },
          { restart: { maxRestarts: 2, withinMs: 1000 } },
        );
        actor.tellNowait({ add: 5 });
        const failed = actor.ask('fail');
        const after = actor.ask('total'); // queued behind the failure: kept
        await rejectsWith(failed, (e) => e instanceof Error && e.message === 'bad message');
        assert.equal(await after, 0, 'fresh state after the restart');
        assert.deepEqual(runs, [0, 1]);
        assert.equal(actor.restarts, 1);
        await actor.stop();
      });
      assertNoTasks();
    });
  });

  test('without a restart policy, the first failure stops the actor and goes to its task group', async () => {
    await runVirtual(async () => {
      let sibling: Promise<unknown> | null = null;
      let actor: Actor<string, string> | null = null;
      const error = await taskGroup(async (tg) => {
        actor = spawnActor(() => (msg: string): string => {
          throw new Error(`cannot handle ${msg}`);
        });
        sibling = tg.createTask(sleep(1000)).then(
          () => 'finished',
          (e) => (e instanceof CancelledError ? 'cancelled' : e),
        );
        await rejectsWith(actor.ask('x'), (e) => e instanceof Error && e.message === 'cannot handle x');
        await sleep(1000);
      }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ExceptionGroup);
      assert.deepEqual(
        error.errors.map((e) => (e as Error).message),
        ['cannot handle x'],
      );
      assert.equal(await sibling, 'cancelled');
      const failed = actor as Actor<string, string> | null;
      assert.ok(failed !== null && failed.stopped);
      await rejectsWith(failed.ask('y'), (e) => e instanceof ActorStoppedError && /failed \(no restart policy\)/.test(e.message) && (e.cause as Error).message === 'cannot handle x');
      assertNoTasks();
    });
  });

  test('beyond maxRestarts within withinMs the failure propagates to the task group; asks still queued fail', async () => {
    await runVirtual(function* () {
      const starts: number[] = [];
      let queued: Promise<unknown> | null = null;
      let caught: unknown = null;
      try {
        yield* taskGroup(function* () {
          const actor = spawnActor(
            () => {
              starts.push(now());
              return function* (msg: string): Coro<string> {
                yield* sleep(10);
                if (msg === 'boom') throw new Error('boom');
                return msg;
              };
            },
            { restart: { maxRestarts: 2, withinMs: 100 } },
          );
          for (let i = 0; i < 3; i++) actor.tellNowait('boom');
          queued = Promise.resolve(actor.ask('later')).then(
            () => 'answered',
            (e) => e,
          );
          yield* sleep(1000); // cancelled by the group when the actor fails
        });
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof ExceptionGroup);
      assert.deepEqual(caught.errors.map((e) => (e as Error).message), ['boom']);
      assert.deepEqual(starts, [0, 10, 20]);
      const late = yield* createTask(() => queued!);
      assert.ok(late instanceof ActorStoppedError && /restart limit reached: 2 restarts within 100 ms/.test(late.message));
      assertNoTasks();
    });
  });

  test('restarts are counted in a sliding window: failures spaced out keep restarting', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const actor = spawnActor(() => async (msg: string) => {
          if (msg === 'fail') throw new Error('fail');
          return msg;
        }, { restart: { maxRestarts: 1, withinMs: 50 } });
        for (let i = 0; i < 4; i++) {
          await rejectsWith(actor.ask('fail'), (e) => (e as Error).message === 'fail');
          await sleep(60); // the previous restart has left the window
        }
        assert.equal(actor.restarts, 4);
        assert.equal(await actor.ask('ok'), 'ok');
        await actor.stop();
      });
    });
  });

  test('backoff: a number, or a function of the restart rank, on the loop clock', async () => {
    await runVirtual(function* () {
      const starts: number[] = [];
      yield* taskGroup(function* () {
        const actor = spawnActor(
          () => {
            starts.push(now());
            return (msg: string) => {
              if (msg === 'fail') throw new Error('fail');
              return msg;
            };
          },
          { restart: { maxRestarts: 5, withinMs: 10_000, backoff: (n) => 100 * 2 ** (n - 1) } },
        );
        for (let i = 0; i < 3; i++) actor.tellNowait('fail');
        const reply = yield* actor.ask('ok');
        assert.equal(reply, 'ok');
        assert.deepEqual(starts, [0, 100, 300, 700]);
        yield* actor.stop();
      });
      starts.length = 0;
      yield* taskGroup(function* () {
        const actor = spawnActor(
          () => {
            starts.push(now());
            return (_: string) => {
              throw new Error('fail');
            };
          },
          { restart: { maxRestarts: 5, backoff: 25 } },
        );
        actor.tellNowait('a');
        actor.tellNowait('b');
        yield* sleep(60);
        yield* actor.stop();
      });
      assert.deepEqual(starts, [700, 725, 750]);
      assertNoTasks();
    });
  });

  test('a failing behavior (set-up) counts as a failure too', async () => {
    await runVirtual(async () => {
      let attempts = 0;
      await taskGroup(async () => {
        const actor = spawnActor(async () => {
          if (++attempts < 3) throw new Error('cannot connect');
          return (msg: string) => msg;
        }, { restart: { maxRestarts: 3, backoff: 10 } });
        assert.equal(await actor.ask('hi'), 'hi');
        assert.equal(actor.restarts, 2);
        await actor.stop();
      });
      assert.equal(now(), 20);
    });
  });

  test('a failure stops the actor for everyone: a tell() waiting for room and asks queued fail; a bad backoff counts as the limit', async () => {
    await runVirtual(async () => {
      let waitingTell: unknown = null;
      let queuedAsk: unknown = null;
      let actor: Actor<string, string> | null = null;
      let teller: Task<void> | null = null; // outside the group: the group would cancel it
      const error = await taskGroup(async () => {
        actor = spawnActor(() => async (msg: string): Promise<string> => {
          await sleep(10);
          if (msg === 'boom') throw new Error('boom');
          return msg;
        }, { mailboxSize: 1, restart: { backoff: () => -1 } });
        const a = actor;
        a.tellNowait('boom');
        await sleep(0); // taken: the mailbox is empty
        a.tellNowait('queued');
        const reply = a.ask('queued ask'); // waits for room in a task of its own
        teller = createTask(async () => {
          try {
            await a.tell('waiting');
          } catch (e) {
            waitingTell = e;
          }
        });
        reply.addDoneCallback(() => {
          queuedAsk = reply.exception(); // not awaited here: the group cancels its body
        });
        await sleep(100);
      }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ExceptionGroup);
      assert.deepEqual(error.errors.map((e) => (e as Error).message), ['boom']);
      await teller!;
      assert.ok(waitingTell instanceof ActorStoppedError, String(waitingTell));
      assert.ok(queuedAsk instanceof ActorStoppedError && /its restart backoff failed: RangeError/.test(queuedAsk.message), String(queuedAsk));
      assert.ok((actor as Actor<string, string> | null)!.stopped);
      assertNoTasks();
    });
  });

  test('invalid options are refused with the shared message template', async () => {
    await runVirtual(async () => {
      await taskGroup(async () => {
        const noop = () => (_: unknown) => undefined;
        assert.throws(() => spawnActor(noop, { mailboxSize: 0 }), /spawnActor\(\) expects options.mailboxSize to be an integer >= 1 or Infinity, got number 0/);
        assert.throws(() => spawnActor(noop, { mailboxSize: 1.5 }), RangeError);
        assert.throws(() => spawnActor(noop, { mailboxSize: '2' as never }), TypeError);
        assert.throws(() => spawnActor(noop, { restart: { maxRestarts: -1 } }), /options.restart.maxRestarts/);
        assert.throws(() => spawnActor(noop, { restart: { backoff: -5 } }), RangeError);
        assert.throws(() => spawnActor(42 as never), TypeError);
        const actor = spawnActor(noop);
        assert.throws(() => actor.ask(1, { timeout: -1 }), /ask\(\) expects options.timeout/);
        await actor.stop();
      });
      assertNoTasks();
    });
  });
});

describe('actors: owner cancellation and scopes', () => {
  test('cancelling the owner cancels the actor: the handler\'s finally and the onStop clean-ups run (generator style)', async () => {
    await runVirtual(function* () {
      const log: string[] = [];
      const owner = createTask(function* () {
        yield* taskGroup(function* () {
          const actor = spawnActor((ctx) => {
            ctx.onStop(function* () {
              yield* sleep(5); // a clean-up may wait
              log.push(`onStop 1 at ${now()}`);
            });
            ctx.onStop(() => {
              log.push('onStop 2');
            });
            return function* (msg: string): Coro<void> {
              try {
                yield* sleep(1000);
              } finally {
                log.push(`finally ${msg}`);
              }
            };
          });
          actor.tellNowait('work');
          const queued = actor.ask('queued');
          try {
            yield* queued;
          } finally {
            log.push(`asker: ${queued.cancelled() ? 'cancelled' : String(queued.exception())}`);
          }
        });
      });
      yield* sleep(50);
      owner.cancel();
      yield* gather(owner, { returnExceptions: true });
      assert.ok(owner.cancelled());
      assert.deepEqual(log, ['asker: cancelled', 'finally work', 'onStop 2', 'onStop 1 at 55']);
      assertNoTasks();
    });
  });

  test('cancelling the owner (async style): asks still queued fail with ActorStoppedError', async () => {
    await runVirtual(async () => {
      const log: string[] = [];
      let pending: Promise<unknown> | null = null;
      const owner = createTask(async () => {
        await taskGroup(async () => {
          const actor = spawnActor((ctx) => {
            ctx.onStop(async () => {
              await sleep(1);
              log.push('onStop');
            });
            return async (msg: string) => {
              try {
                await sleep(1000);
              } finally {
                log.push(`finally ${msg}`);
              }
            };
          });
          actor.tellNowait('work');
          pending = Promise.resolve(actor.ask('queued')).then(
            () => 'answered',
            (e) => e,
          );
          await sleep(1000);
        });
      });
      await sleep(50);
      owner.cancel();
      await gather(owner, { returnExceptions: true });
      assert.deepEqual(log, ['finally work', 'onStop']);
      const late: unknown = await pending;
      assert.ok(late instanceof ActorStoppedError && /cancelled/.test(late.message));
      assertNoTasks();
    });
  });

  test('the current task group: the body running in the task, a task of the group, nesting; or options.scope', async () => {
    await runVirtual(async () => {
      /** An actor that fails at once: its failure shows which group it joined. */
      const failing = (label: string, scope?: TaskGroup) => spawnActor(() => {
        throw new Error(label);
      }, scope ? { scope } : {});
      const log: string[] = [];
      const caught = async (body: (tg: TaskGroup) => Promise<void>) => {
        try {
          await new TaskGroup().run(body);
          return [];
        } catch (e) {
          if (e instanceof CancelledError) {
            log.push('cancelled');
            throw e;
          }
          return (e as ExceptionGroup).errors.map((x) => (x as Error).message);
        }
      };
      let inner: string[] = [];
      const outer = await caught(async (tg) => {
        inner = await caught(async () => {
          failing('nested body');
          await sleep(1);
        });
        failing('outer body, after the nested group');
        await sleep(1);
      });
      assert.deepEqual(inner, ['nested body']);
      assert.deepEqual(outer, ['outer body, after the nested group']);

      let innerExplicit: string[] = [];
      const outerExplicit = await caught(async (tg) => {
        innerExplicit = await caught(async () => {
          failing('explicit scope', tg);
          await sleep(1);
        });
        await sleep(10);
      });
      assert.deepEqual(innerExplicit, [], 'the nested group was cancelled by the outer one');
      assert.deepEqual(log, ['cancelled']);
      assert.deepEqual(outerExplicit, ['explicit scope']);

      const fromTask = await caught(async (tg) => {
        tg.createTask(async () => {
          failing('in a task of the group');
          await sleep(10);
        });
      });
      assert.deepEqual(fromTask, ['in a task of the group']);

      assert.throws(() => failing('nowhere'), /spawnActor\(\) found no task group: call it inside taskGroup/);
      assertNoTasks();
    });
  });

  test('an actor runs in a task of its group: the group ends only once the actor has stopped', async () => {
    await runVirtual(function* () {
      const names: string[] = [];
      let stopper: Task<void> | null = null;
      yield* taskGroup(function* () {
        const actor = spawnActor(() => (_: null) => {}, { name: 'worker' });
        names.push(...[...allTasks()].map((t) => t.getName()));
        stopper = createTask(function* () {
          yield* sleep(100);
          yield* actor.stop();
        });
      });
      yield* stopper!;
      assert.ok(names.includes('Actor worker'));
      assert.equal(now(), 100);
      assertNoTasks();
    });
  });
});
