// cancel-storm: N tasks blocked on an Event, all cancelled at once. The clock runs from
// the failure (or halt, or first throw) until every task has finished.
// Verified: each of the N tasks saw its cancellation.
import * as effection from 'effection';
import { has, isCancelled, loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

class Boom extends Error {
  override name = 'Boom';
}

await runChild({
  expected: (n) => n,
  systems: {
    aio: async (round) => {
      const aio = await loadAio('run', 'createTask', 'sleep', 'gather', 'Event');
      const { run, createTask, sleep, gather, Event } = aio;
      const useGroup = has(aio, 'taskGroup');
      round.note('aio method', useGroup ? 'taskGroup' : 'task.cancel() each');
      return run(function* () {
        const n = round.n;
        const ev = new Event();
        let started = 0;
        let cancelled = 0;
        function* blocked() {
          started++;
          try {
            yield* ev.wait();
          } catch (err) {
            if (isCancelled(err)) cancelled++;
            throw err;
          }
          return 0;
        }
        if (useGroup) {
          const boom = new Boom();
          let caught: unknown = null;
          try {
            yield* aio.taskGroup(function* (tg) {
              for (let i = 0; i < n; i++) tg.createTask(blocked);
              while (started < n) yield* sleep(0);
              round.start();
              throw boom;
            });
          } catch (err) {
            caught = err;
          }
          round.stop();
          const errors = caught instanceof AggregateError ? (caught.errors as unknown[]) : [];
          verify(errors.includes(boom), `taskGroup threw ${String(caught)}, not a group holding the body's error`);
        } else {
          const tasks = [];
          for (let i = 0; i < n; i++) tasks.push(createTask(blocked));
          while (started < n) yield* sleep(0);
          round.start();
          for (const task of tasks) task.cancel();
          const outcomes = yield* gather(...tasks, { returnExceptions: true });
          round.stop();
          verify(outcomes.every(isCancelled), 'a cancelled task did not end with CancelledError');
        }
        return cancelled;
      });
    },

    effection: (round) =>
      effection.run(function* () {
        const n = round.n;
        let started = 0;
        let cancelled = 0;
        const parent = yield* effection.spawn(function* () {
          for (let i = 0; i < n; i++) {
            yield* effection.spawn(function* () {
              started++;
              try {
                yield* effection.suspend();
              } finally {
                cancelled++;
              }
            });
          }
          yield* effection.suspend();
        });
        while (started < n) yield* effection.sleep(0);
        round.start();
        yield* parent.halt();
        round.stop();
        return cancelled;
      }),

    'gen-throw': (round) => {
      const cancel = new Error('cancelled');
      let cancelled = 0;
      function* blocked(): Generator<void, number, void> {
        try {
          yield;
        } catch (err) {
          if (err === cancel) cancelled++;
          throw err;
        }
        return 0;
      }
      const gens: Generator<void, number, void>[] = [];
      for (let i = 0; i < round.n; i++) {
        const gen = blocked();
        gen.next();
        gens.push(gen);
      }
      round.start();
      for (const gen of gens) {
        try {
          gen.throw(cancel);
        } catch (err) {
          if (err !== cancel) throw err;
        }
      }
      round.stop();
      return cancelled;
    },
  },
});
