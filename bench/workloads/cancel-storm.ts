// cancel-storm: N tasks blocked on an Event, all cancelled at once. The clock runs from
// the failure (or halt, or first throw) until every task has finished, after a full GC: the
// collections that making 100k tasks owes fell inside the window in some rounds and not in
// others, by chance (Node 22: a scavenge or the end of a marking that the set-up started).
// Verified: each of the N tasks saw its cancellation.
import * as effection from 'effection';
import { has, isCancelled, loadAio } from '../lib/aio.js';
import { runChild, verify, type Round } from '../lib/child.js';
import { anchors, drain, generatorNext, ReadyQueue } from '../lib/task-floor.js';

class Boom extends Error {
  override name = 'Boom';
}

/**
 * The floor of aio's design for this workload: the least a generator runtime built like aio
 * does to cancel a group of tasks blocked on an event. A task holds its state, coroutine,
 * loop, what it waits on and its group; `ev.wait()` is an iterator that is its own waiter, in a
 * doubly linked list of the event's waiters; cancelling a task unlinks its waiter, marks it
 * cancelled and queues the task's step (the ready queue of the other floor loops); the step
 * resumes the coroutine, whose `yield*` gets a new error from the waiter (one per task, without
 * a stack, as aio's) and whose catch re-throws it; the group counts its tasks down; the queue
 * is drained with Node's turn every 4 ms, as aio's (`drain()`). No task list, names, contexts,
 * debug checks, messages or exception groups.
 */
namespace minCancel {
  const NEW = 0;
  const WAITING = 1;
  const CANCELLED = 2;
  const DONE = 3;
  const SUSPEND: IteratorResult<null, true> = Object.freeze({ done: false, value: null });
  const DONE_TRUE: IteratorResult<null, true> = Object.freeze({ done: true, value: true });

  export class Cancelled {
    constructor(readonly message: string) {}
  }

  export class Event {
    head: Wait | null = null;
    tail: Wait | null = null;
    constructor(readonly loop: ReadyQueue) {}
    wait(): Wait {
      return new Wait(this);
    }
  }

  /** The waiter a coroutine just queued: its task's step takes it (no iterator result made per wait). */
  let suspended: Wait | null = null;

  class Wait {
    state = NEW;
    task: Task | null = null;
    before: Wait | null = null;
    after: Wait | null = null;
    constructor(readonly event: Event) {}
    [Symbol.iterator](): this {
      return this;
    }
    next(): IteratorResult<null, true> {
      if (this.state === NEW) {
        this.state = WAITING;
        suspended = this;
        const event = this.event;
        this.before = event.tail;
        if (event.tail === null) event.head = this;
        else event.tail.after = this;
        event.tail = this;
        return SUSPEND;
      }
      if (this.state === CANCELLED) {
        this.state = DONE;
        throw new Cancelled('');
      }
      this.state = DONE;
      return DONE_TRUE;
    }
    cancel(): void {
      const event = this.event;
      if (this.before === null) event.head = this.after;
      else this.before.after = this.after;
      if (this.after === null) event.tail = this.before;
      else this.after.before = this.before;
      this.before = this.after = null;
      this.state = CANCELLED;
      event.loop.push(step, this.task!);
    }
  }

  export class Task {
    state = WAITING;
    result: unknown = undefined;
    waiter: Wait | null = null;
    constructor(
      readonly coro: Generator<null, number, unknown>,
      readonly loop: ReadyQueue,
      readonly group: Group,
    ) {
      loop.push(step, this);
    }
    cancel(): void {
      this.waiter?.cancel();
    }
  }

  function step(task: Task): void {
    task.waiter = null;
    let result: IteratorResult<unknown>;
    try {
      result = generatorNext.call(task.coro);
    } catch (error) {
      task.state = error instanceof Cancelled ? CANCELLED : DONE;
      task.result = error;
      task.group.finished();
      return;
    }
    if (result.done) {
      task.state = DONE;
      task.result = result.value;
      task.group.finished();
    } else {
      const waiter = suspended!; // the waiter its `yield*` queued: the only way this workload suspends
      suspended = null;
      waiter.task = task;
      task.waiter = waiter;
    }
  }

  export class Group {
    pending = 0;
    readonly tasks: Task[] = [];
    constructor(readonly loop: ReadyQueue) {}
    spawn(coro: Generator<null, number, unknown>): void {
      this.tasks.push(new Task(coro, this.loop, this));
      this.pending++;
    }
    abort(): void {
      for (const task of this.tasks) if (task.state === WAITING) task.cancel();
    }
    finished(): void {
      this.pending--;
    }
  }

  // Kept alive, as aio keeps one instance of each of its classes (src/loop/map-anchors.ts):
  // once a round's objects are collected, their maps would die and take the optimized code with them.
  function* idle(): Generator<null, number, unknown> {
    return 0;
  }
  const dormant = new ReadyQueue();
  const dormantEvent = new Event(dormant);
  anchors.push(dormantEvent, dormantEvent.wait(), new Task(idle(), dormant, new Group(dormant)), new Cancelled(''));

  export function run(round: Round): Promise<number> {
    const loop = new ReadyQueue(step);
    return floorStorm(round, loop, new Event(loop), new Group(loop));
  }
}

/**
 * minCancel plus what asyncio's semantics make each cancelled task pay, each in the least code
 * (as asyncio-loop is to min-loop in spawn-gather): a Task-sized object (11 fields, as aio's)
 * with a name; the loop's list of pending tasks, which a finished task leaves (`allTasks()`);
 * `cancel()` counting the request and keeping its message, and reaching a blocked task through
 * the wait it is blocked on; the step checking that the task is pending and whether a cancel
 * must be thrown in, and setting the current task around the coroutine; the error the wait
 * throws carrying that message; the step telling a cancellation from a failure and keeping it
 * as the task's result; the group skipping tasks already done. No contexts, debug checks
 * or exception groups.
 */
namespace asyncioCancel {
  const PENDING = 0;
  const CANCELLED = 1;
  const FINISHED = 2;
  const FAILED = 3;
  const MUST_CANCEL = 1;
  const CANCEL_REQUEST = 2;
  /** A wait's states. */
  const NEW = 0;
  const WAITING = 1;
  const WAIT_CANCELLED = 2;
  const DONE = 3;
  const SUSPEND: IteratorResult<null, true> = Object.freeze({ done: false, value: null });
  const DONE_TRUE: IteratorResult<null, true> = Object.freeze({ done: true, value: true });
  const NO_ERROR = Symbol('no error');
  const generatorThrow = Object.getPrototypeOf(function* () {}).prototype.throw as (this: Generator, error: unknown) => IteratorResult<unknown>;

  class Loop extends ReadyQueue {
    first: Task | null = null;
    last: Task | null = null;
    constructor() {
      super(step);
    }
  }

  class Event {
    head: Wait | null = null;
    tail: Wait | null = null;
    constructor(readonly loop: Loop) {}
    wait(): Wait {
      return new Wait(this);
    }
  }

  let suspended: Wait | null = null;
  let current: Task | null = null;
  let taskCounter = 0;

  /** minCancel's wait, plus the message its error carries and a `cancel()` that says whether it was waiting (asyncio's `Future.cancel`). */
  class Wait {
    state = NEW;
    task: Task | null = null;
    before: Wait | null = null;
    after: Wait | null = null;
    message: string | undefined = undefined;
    constructor(readonly event: Event) {}
    [Symbol.iterator](): this {
      return this;
    }
    next(): IteratorResult<null, true> {
      if (this.state === NEW) {
        this.state = WAITING;
        suspended = this;
        const event = this.event;
        this.before = event.tail;
        if (event.tail === null) event.head = this;
        else event.tail.after = this;
        event.tail = this;
        return SUSPEND;
      }
      if (this.state === WAIT_CANCELLED) {
        this.state = DONE;
        throw new minCancel.Cancelled(this.message ?? '');
      }
      this.state = DONE;
      return DONE_TRUE;
    }
    cancel(message: string | undefined): boolean {
      if (this.state !== WAITING) return false;
      const event = this.event;
      if (this.before === null) event.head = this.after;
      else this.before.after = this.after;
      if (this.after === null) event.tail = this.before;
      else this.after.before = this.before;
      this.before = this.after = null;
      this.state = WAIT_CANCELLED;
      this.message = message;
      event.loop.push(step, this.task!);
      return true;
    }
  }

  class Task {
    state = PENDING;
    result: unknown = undefined;
    waiter: Wait | null = null;
    cancels = 0;
    readonly name: number;
    prev: Task | null;
    next: Task | null = null;
    /** Unused here: aio's count of async code in flight, so that the task is as large as aio's. */
    async = 0;
    constructor(
      readonly coro: Generator<null, number, unknown>,
      readonly loop: Loop,
      readonly group: Group,
    ) {
      this.name = ++taskCounter;
      const last = loop.last;
      this.prev = last;
      if (last !== null) last.next = this;
      else loop.first = this;
      loop.last = this;
      loop.push(step, this);
    }
    done(): boolean {
      return this.state !== PENDING;
    }
    cancel(message?: string): boolean {
      if (this.state !== PENDING) return false;
      this.cancels += CANCEL_REQUEST;
      this.result = message;
      if (this.waiter !== null && this.waiter.cancel(message)) return true;
      this.cancels |= MUST_CANCEL;
      return true;
    }
    finish(outcome: unknown, state: number): void {
      const { prev, next, loop } = this;
      if (prev !== null) prev.next = next;
      else loop.first = next;
      if (next !== null) next.prev = prev;
      else loop.last = prev;
      this.prev = this.next = null;
      this.state = state;
      this.result = outcome;
      this.group.finished();
    }
  }

  function step(task: Task): void {
    if (task.state !== PENDING) return;
    let error: unknown = NO_ERROR;
    if ((task.cancels & MUST_CANCEL) !== 0) {
      task.cancels -= MUST_CANCEL;
      error = new minCancel.Cancelled(String(task.result ?? ''));
    }
    task.waiter = null;
    const previous = current;
    current = task;
    let result: IteratorResult<unknown>;
    try {
      result = error === NO_ERROR ? generatorNext.call(task.coro) : generatorThrow.call(task.coro, error);
    } catch (thrown) {
      current = previous;
      task.finish(thrown, thrown instanceof minCancel.Cancelled ? CANCELLED : FAILED);
      return;
    }
    current = previous;
    if (result.done) {
      task.finish(result.value, FINISHED);
    } else {
      const waiter = suspended!;
      suspended = null;
      waiter.task = task;
      task.waiter = waiter;
    }
  }

  class Group {
    pending = 0;
    readonly tasks: Task[] = [];
    constructor(readonly loop: Loop) {}
    spawn(coro: Generator<null, number, unknown>): void {
      this.tasks.push(new Task(coro, this.loop, this));
      this.pending++;
    }
    abort(): void {
      for (const task of this.tasks) if (!task.done()) task.cancel();
    }
    finished(): void {
      this.pending--;
    }
  }

  function* idle(): Generator<null, number, unknown> {
    return 0;
  }
  const dormant = new Loop();
  const dormantEvent = new Event(dormant);
  anchors.push(dormantEvent, dormantEvent.wait(), new Task(idle(), dormant, new Group(dormant)));

  export async function run(round: Round): Promise<number> {
    const loop = new Loop();
    const cancelled = await floorStorm(round, loop, new Event(loop), new Group(loop));
    verify(loop.first === null && current === null, 'a task is still listed or current');
    return cancelled;
  }
}

/**
 * The storm on a floor loop: N tasks blocked on `event`, the group aborted, the queue drained
 * (the clock runs from the abort to the last step). Returns how many tasks saw their cancellation.
 */
async function floorStorm(
  round: Round,
  loop: ReadyQueue,
  event: { wait(): Iterable<null, true> },
  group: { spawn(coro: Generator<null, number, unknown>): void; abort(): void; readonly pending: number },
): Promise<number> {
  let started = 0;
  let cancelled = 0;
  function* blocked(): Generator<null, number, unknown> {
    started++;
    try {
      yield* event.wait();
    } catch (err) {
      if (err instanceof minCancel.Cancelled) cancelled++;
      throw err;
    }
    return 0;
  }
  for (let i = 0; i < round.n; i++) group.spawn(blocked());
  while (loop.length > 0) loop.runFirst();
  verify(started === round.n, `${started} of ${round.n} tasks started`);
  round.collect();
  round.start();
  group.abort();
  await drain(loop);
  round.stop();
  verify(group.pending === 0, `${group.pending} tasks still pending`);
  return cancelled;
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
              round.collect();
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
          round.collect();
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
        round.collect();
        round.start();
        yield* parent.halt();
        round.stop();
        return cancelled;
      }),

    'min-cancel': (round) => minCancel.run(round),

    'asyncio-cancel': (round) => asyncioCancel.run(round),

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
      round.collect();
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
