// memory: heap bytes per pending task. N tasks are blocked on an Event; the sample is
// (heapUsed after gc() − heapUsed before) / N, taken while all N are pending. Each figure
// includes the task's slot in the array that holds them (8 B).
// Verified: once released, the N tasks return N ones.
import { loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';
import { enterTask, PendingThenable, TaskState, trackTasks } from '../lib/task-floor.js';

/** heapUsed once full GCs stop freeing anything (one gc() can leave a few MB of garbage
 * from the previous round counted, which made the baseline too high now and then). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  verify(gc !== undefined, 'run node with --expose-gc');
  gc!();
  let used = process.memoryUsage().heapUsed;
  for (let i = 0; i < 8; i++) {
    gc!();
    const now = process.memoryUsage().heapUsed;
    if (now >= used - 64 * 1024) return Math.min(used, now);
    used = now;
  }
  return used;
}

const identity = (x: number): number => x;
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

await runChild({
  expected: (n) => n,
  systems: {
    aio: async (round) => {
      const { run, createTask, sleep, gather, Event } = await loadAio('run', 'createTask', 'sleep', 'gather', 'Event');
      const counter = { started: 0 };
      function* waiter(ev: InstanceType<typeof Event>) {
        counter.started++;
        yield* ev.wait();
        return 1;
      }
      return run(function* () {
        const n = round.n;
        const ev = new Event();
        const before = heapAfterGc();
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(createTask(waiter(ev)));
        while (counter.started < n) yield* sleep(0);
        round.sample((heapAfterGc() - before) / n);
        ev.set();
        return sum(yield* gather(...tasks));
      });
    },

    'aio-async': async (round) => {
      const { run, createTask, sleep, gather, Event } = await loadAio('run', 'createTask', 'sleep', 'gather', 'Event');
      let started = 0;
      const waiter = async (ev: InstanceType<typeof Event>): Promise<number> => {
        started++;
        await ev.wait();
        return 1;
      };
      return run(function* () {
        const n = round.n;
        const ev = new Event();
        const before = heapAfterGc();
        const tasks = [];
        for (let i = 0; i < n; i++) tasks.push(createTask(() => waiter(ev)));
        while (started < n) yield* sleep(0);
        // `await ev.wait()` reaches the operation's then() in a microtask (V8 adopts a thenable in a
        // job): a timer lets every await get there, so that the sample is of N tasks all blocked.
        yield* sleep(1);
        round.sample((heapAfterGc() - before) / n);
        ev.set();
        return sum(yield* gather(...tasks));
      });
    },

    // The floor of an async-function task on a thenable: raw-async run as aio runs one (its
    // promise hooks, a Task-sized object, a reaction on the function's promise to learn that it
    // ended), blocked at `await` of the least thenable that can stay pending.
    'raw-async-thenable': async (round) => {
      trackTasks();
      const gate = new PendingThenable();
      let started = 0;
      const blocked = async (): Promise<number> => {
        started++;
        return (await gate) as number;
      };
      const before = heapAfterGc();
      const ends: Promise<number>[] = [];
      for (let i = 0; i < round.n; i++) {
        enterTask(new TaskState(blocked, null, i));
        ends.push(blocked().then(identity));
      }
      enterTask(null);
      verify(started === round.n, `${started} of ${round.n} started`);
      // V8 calls each thenable's then() in a job: let them all run before the sample.
      await new Promise((resolve) => setTimeout(resolve, 1));
      round.sample((heapAfterGc() - before) / round.n);
      gate.release(1);
      return sum(await Promise.all(ends));
    },

    'raw-async': async (round) => {
      let release: (v: number) => void = () => {};
      const pending = new Promise<number>((resolve) => {
        release = resolve;
      });
      let started = 0;
      const blocked = async (): Promise<number> => {
        started++;
        return await pending;
      };
      const before = heapAfterGc();
      const promises: Promise<number>[] = [];
      for (let i = 0; i < round.n; i++) promises.push(blocked());
      verify(started === round.n, `${started} of ${round.n} started`);
      round.sample((heapAfterGc() - before) / round.n);
      release(1);
      return sum(await Promise.all(promises));
    },
  },
});
