/**
 * Property test of actors (virtual time): random senders tell (generator ones with `tell()`, which waits
 * for room; async ones with `tellNowait()`) and ask with random work,
 * failures, ask timeouts and cancelled askers, on a small mailbox, with restarts, then stop
 * (draining or dropping). Checked: one message at a time, in the order each sender sent them;
 * every ask settles once, with the reply of its own message, the handler's error, or
 * `TimeoutError`/`CancelledError`/`ActorStoppedError`; a message withdrawn (timed out or
 * cancelled before its turn) is never handled; nothing is handled after the actor ended; no
 * task is left behind.
 *
 *   AIO_PROPERTY_RUNS=5000 node --import tsx --test test/actors/properties.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CancelledError, TimeoutError, allTasks, createTask, currentTask, gather, getRunningLoop, sleep, taskGroup, type Coro, type Future } from '../../src/index.ts';
import { runVirtual } from '../../src/testing/index.ts';
import { ActorStoppedError, spawnActor } from '../../src/actors/index.ts';
import { fcParams } from '../properties/harness.ts';

interface Send {
  gap: number;
  ask: boolean;
  work: number;
  fail: boolean;
  timeout: number | null;
}

interface Msg {
  sender: number;
  index: number;
  work: number;
  fail: boolean;
}

const send = fc.record({
  gap: fc.nat(5),
  ask: fc.boolean(),
  work: fc.nat(4),
  fail: fc.nat(3).map((n) => n === 0),
  timeout: fc.option(fc.integer({ min: 0, max: 12 })),
});

const schedule = fc.record({
  senders: fc.array(fc.record({ sends: fc.array(send, { maxLength: 8 }), cancelAt: fc.option(fc.nat(40)), style: fc.constantFrom('gen', 'async') }), { minLength: 1, maxLength: 4 }),
  mailboxSize: fc.integer({ min: 1, max: 4 }),
  stopAt: fc.nat(60),
  drop: fc.boolean(),
});

test('property: actors handle messages one at a time, in order, and every ask settles once with its own outcome', async () => {
  await fc.assert(
    fc.asyncProperty(schedule, async ({ senders, mailboxSize, stopAt, drop }) => {
      await runVirtual(function* () {
        const loop = getRunningLoop();
        const started = new Map<string, number>(); // message → loop time its handling began
        const handled: Msg[] = [];
        let inside = 0;
        let ended = false;
        const asks: { msg: Msg; reply: Future<string>; withdrawnAt: () => number | null }[] = [];
        yield* taskGroup(function* () {
          const actor = spawnActor(
            () =>
              function* (msg: Msg): Coro<string> {
                assert.equal(++inside, 1, 'one message at a time');
                assert.ok(!ended, 'nothing handled after the end');
                started.set(`${msg.sender}.${msg.index}`, loop.time());
                try {
                  yield* sleep(msg.work);
                  handled.push(msg);
                  if (msg.fail) throw new Error(`fail ${msg.sender}.${msg.index}`);
                  return `reply ${msg.sender}.${msg.index}`;
                } finally {
                  inside--;
                }
              },
            { mailboxSize, restart: { maxRestarts: 1000, withinMs: 1 } },
          );
          const senderTasks = senders.map((sender, s) => {
            let cancelledAt: number | null = null;
            /** Sends one message; for an ask, returns its reply to await. */
            const sendOne = (index: number, spec: Send): Future<string> | null => {
              const msg: Msg = { sender: s, index, work: spec.work, fail: spec.fail };
              if (!spec.ask) {
                actor.tellNowait(msg); // a full mailbox: QueueFull, the sender goes on
                return null;
              }
              const reply = actor.ask(msg, spec.timeout === null ? {} : { timeout: spec.timeout });
              const sentAt = loop.time();
              asks.push({
                msg,
                reply,
                withdrawnAt: () => (reply.cancelled() ? cancelledAt : reply.exception() instanceof TimeoutError ? sentAt + spec.timeout! : null),
              });
              return reply;
            };
            const ignore = (error: unknown) => {
              if (error instanceof CancelledError) throw error; // the sender is cancelled
            };
            const task = createTask(
              sender.style === 'gen'
                ? function* (): Coro<void> {
                    for (const [index, spec] of sender.sends.entries()) {
                      yield* sleep(spec.gap);
                      try {
                        if (!spec.ask) {
                          yield* actor.tell({ sender: s, index, work: spec.work, fail: spec.fail }); // waits for room
                          continue;
                        }
                        const reply = sendOne(index, spec);
                        if (reply !== null) yield* reply;
                      } catch (error) {
                        ignore(error);
                      }
                    }
                  }
                : async () => {
                    for (const [index, spec] of sender.sends.entries()) {
                      await sleep(spec.gap);
                      try {
                        const reply = sendOne(index, spec);
                        if (reply !== null) await reply;
                      } catch (error) {
                        ignore(error);
                      }
                    }
                  },
            );
            if (sender.cancelAt !== null) {
              loop.callLater(sender.cancelAt, () => {
                if (!task.done()) {
                  cancelledAt = loop.time();
                  task.cancel();
                }
              });
            }
            return task;
          });
          yield* sleep(stopAt);
          yield* actor.stop({ drop });
          ended = true;
          yield* gather(...senderTasks, { returnExceptions: true });
        });
        // Order: per sender, handled in the order sent.
        for (let s = 0; s < senders.length; s++) {
          const order = handled.filter((m) => m.sender === s).map((m) => m.index);
          assert.deepEqual(order, [...order].sort((a, b) => a - b), `sender ${s} out of order: ${order}`);
        }
        // Every ask settled with its own outcome.
        for (const { msg, reply, withdrawnAt } of asks) {
          assert.ok(reply.done(), `ask ${msg.sender}.${msg.index} never settled`);
          const key = `${msg.sender}.${msg.index}`;
          const wasHandled = handled.includes(msg);
          if (reply.cancelled()) {
            if (started.has(key)) assert.ok(started.get(key)! <= withdrawnAt()!, `${key} handled after its asker was cancelled`);
            continue;
          }
          const error = reply.exception();
          if (error === null) {
            assert.equal(reply.result(), `reply ${key}`);
            assert.ok(wasHandled && !msg.fail);
          } else if (error instanceof TimeoutError) {
            if (started.has(key)) assert.ok(started.get(key)! <= withdrawnAt()!, `${key} started after its timeout`);
          } else if (error instanceof ActorStoppedError) {
            assert.ok(!wasHandled, `${key} was handled, yet its ask failed with ActorStoppedError`);
          } else {
            assert.equal((error as Error).message, `fail ${key}`);
          }
        }
        assert.deepEqual([...allTasks()].filter((t) => t !== currentTask()).map(String), []);
      });
    }),
    fcParams(),
  );
});
