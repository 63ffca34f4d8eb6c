// spawn-gather: N tasks, each awaits one sleep(0) and returns its index; all gathered.
// With `--batch B` (the spawn-gather-1k/-10k rows): the same N tasks as N/B spawn+gathers of
// B tasks one after another, in one run: the cost curve, fixed costs per gather included.
// With `--iterable` (the spawn-gather-1m row) aio gathers with gatherFrom(tasks): spreading a
// million arguments overflows the stack.
// Verified: the sum of the gathered results is N(N-1)/2.
import * as effection from 'effection';
import { loadAio } from '../lib/aio.js';
import { intArg, runChild, verify } from '../lib/child.js';
import {
  anchors as taskFloorAnchors,
  currentTask,
  drain,
  enterTask,
  generatorNext,
  ReadyQueue,
  settledThenable,
  SLICE_MS,
  TaskState,
  trackTasks,
} from '../lib/task-floor.js';

const BATCH = intArg('--batch', Number.MAX_SAFE_INTEGER);
const ITERABLE = process.argv.includes('--iterable');

/** The batches [start, count) that make up n tasks. */
function batches(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += BATCH) out.push([start, Math.min(BATCH, n - start)]);
  return out;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

async function rawTask(i: number): Promise<number> {
  await null;
  return i;
}

function* bareTask(i: number): Generator<void, number, void> {
  yield;
  return i;
}

type BareCoro = Generator<void, number, void>;

/**
 * The floor for any generator runtime: a scheduler with no Task objects, no futures and no
 * callbacks, stepping each generator from a queue it drains synchronously (a bare `yield` is
 * one hop), and collecting the results in order. `coroOf` finds the generator of an item.
 */
function bareScheduler<I>(items: I[], coroOf: (item: I) => BareCoro): number[] {
  let queue = items;
  const results: number[] = new Array(items.length);
  let index: number[] = queue.map((_, i) => i);
  while (queue.length > 0) {
    const nextQueue: I[] = [];
    const nextIndex: number[] = [];
    for (let k = 0; k < queue.length; k++) {
      const step = coroOf(queue[k]!).next();
      if (step.done) results[index[k]!] = step.value;
      else {
        nextQueue.push(queue[k]!);
        nextIndex.push(index[k]!);
      }
    }
    queue = nextQueue;
    index = nextIndex;
  }
  return results;
}

function bareCoros(start: number, count: number): BareCoro[] {
  const coros: BareCoro[] = [];
  for (let i = start; i < start + count; i++) coros.push(bareTask(i));
  return coros;
}

/** Kept alive, as aio keeps one of each of its classes (src/loop/map-anchors.ts): see there why. */
const anchors: unknown[] = [...taskFloorAnchors];

/**
 * The bare scheduler plus one TaskState per task: what the Task's state alone costs (the
 * young-generation GC copies it with the suspended generator), without callbacks, a ready
 * queue or a gather.
 */
function taskStateScheduler(start: number, count: number): number[] {
  const tasks = bareCoros(start, count).map((coro, i) => new TaskState(coro, null, start + i));
  return bareScheduler(tasks, (task) => task.coro as BareCoro);
}

async function thenableTask(i: number): Promise<number> {
  await settledThenable;
  return i;
}

/**
 * raw async functions run as aio runs an async-function task, with the promise hooks it
 * installs (each promise made while a task's code runs is tagged with the task; each reaction
 * restores it) and the Task object it would make: what finding the current task costs.
 */
async function rawAsyncWithHooks(start: number, count: number, body: (i: number) => Promise<number>): Promise<number> {
  trackTasks();
  const promises: Promise<number>[] = [];
  for (let i = start; i < start + count; i++) {
    enterTask(new TaskState(body, null, i));
    promises.push(body(i));
  }
  enterTask(null);
  return sum(await Promise.all(promises));
}

/**
 * The floor of aio's design: a minimal but complete generator runtime, no more than the
 * workload needs. A task is an object holding a future's state, result, callback and loop and
 * its coroutine; a FIFO ready queue of (fn, arg) pairs in chunks (a task's step in one slot, a
 * drained chunk reused); `sleep(0)` is a shared iterator that `yield*` delegates to (one hop
 * through the queue); a finished task queues its callback as an entry, as asyncio's
 * `call_soon`; gather counts its children; the queue is drained as aio's, with Node's turn
 * every 4 ms (`drain()`). No cancellation, no errors, no task list, no names, no contexts.
 */
namespace minLoop {
  export const RESUMED = Symbol('resumed');
  const HOP: IteratorResult<null, undefined> = Object.freeze({ done: false, value: null });
  const DONE: IteratorResult<null, undefined> = Object.freeze({ done: true, value: undefined });
  const zeroSleep = {
    [Symbol.iterator]() {
      return this;
    },
    next: (sent?: unknown): IteratorResult<null, undefined> => (sent === RESUMED ? DONE : HOP),
  };
  interface Waiter {
    wakeup(future: Future): void;
  }
  export class Future {
    state = 0;
    result: unknown = undefined;
    callback: Waiter | null = null;
    constructor(readonly loop: ReadyQueue) {}
    resolve(value: unknown): void {
      this.result = value;
      this.state = 1;
      if (this.callback !== null) this.loop.push(runCallback, this);
    }
  }
  export function runCallback(future: Future): void {
    const callback = future.callback!;
    future.callback = null;
    callback.wakeup(future);
  }
  export class Task extends Future implements Waiter {
    constructor(
      readonly coro: Generator,
      loop: ReadyQueue,
    ) {
      super(loop);
      loop.push(step, this);
    }
    wakeup(): void {
      step(this);
    }
  }
  function step(task: Task): void {
    const result = generatorNext.call(task.coro, RESUMED);
    if (result.done) task.resolve(result.value);
    else if (result.value === null) task.loop.push(step, task);
    else (result.value as Future).callback = task; // suspended on a future: its callback resumes it
  }
  class Gather implements Waiter {
    finished = 0;
    constructor(
      readonly outer: Future,
      readonly children: Future[],
    ) {
      for (const child of children) child.callback = this;
    }
    wakeup(): void {
      const children = this.children;
      if (++this.finished < children.length) return;
      const results: unknown[] = new Array(children.length);
      for (let i = 0; i < children.length; i++) results[i] = children[i]!.result;
      this.outer.resolve(results);
    }
  }
  export function* gather(loop: ReadyQueue, tasks: Future[]): Generator<unknown, number[], unknown> {
    const outer = new Future(loop);
    new Gather(outer, tasks);
    yield outer;
    return outer.result as number[];
  }
  export function* job(i: number): Generator<unknown, number, unknown> {
    yield* zeroSleep as unknown as Iterable<null>;
    return i;
  }
  // Kept alive, as aio keeps one instance of each of its classes (src/loop/map-anchors.ts).
  const dormant = new ReadyQueue();
  anchors.push(dormant, new Gather(new Future(dormant), [new Task(job(0), dormant)]));

  export async function run(n: number): Promise<number> {
    const loop = new ReadyQueue(step);
    const main = new Task(
      (function* (): Generator<unknown, number, unknown> {
        let total = 0;
        for (const [start, count] of batches(n)) {
          const tasks: Task[] = [];
          for (let i = start; i < start + count; i++) tasks.push(new Task(job(i), loop));
          total += sum(yield* gather(loop, tasks));
        }
        return total;
      })(),
      loop,
    );
    await drain(loop);
    return main.result as number;
  }
}

/**
 * minLoop plus what asyncio's semantics make each task pay, each in the least code: the floor
 * under aio for any runtime that keeps them. A task holds an aio Task's 11 fields, its name
 * (`Task-<n>`, from a counter) among them. It marks its coroutine, so that no second task steps
 * it (asyncio: "cannot reuse already awaited coroutine"), with a generic store as aio does (see
 * src/tasks.ts, markRunBy; here an inline store measured the same). It sits in its loop's list
 * of pending tasks (asyncio's all_tasks(), and what run() cancels at the end): doubly linked
 * through the tasks, from a loop made per run. Each step checks for a cancellation to throw in,
 * clears the future the task waited on, makes the task the current one (current_task()) and
 * restores the previous, and catches what the coroutine throws; a task blocked on a future
 * records it (what cancel() cancels). Gather, queue and sleep(0) are minLoop's.
 */
namespace asyncioLoop {
  const RUN_BY = Symbol('runBy');
  let runByKey: symbol = RUN_BY;
  const mark = (coro: object, task: Task | null): void => {
    (coro as Record<symbol, unknown>)[runByKey] = task;
  };
  for (let i = 0; i < 24; i++) mark({ [`shape${i % 12}`]: i }, null); // its store generic from the start, as aio's

  class Loop extends ReadyQueue {
    first: Task | null = null;
    last: Task | null = null;
    constructor() {
      super(step);
    }
  }
  let taskCounter = 0;
  let current: Task | null = null;
  const NO_ERROR = Symbol('no error');
  const MUST_CANCEL = 1;

  class Task extends minLoop.Future {
    futWaiter: minLoop.Future | null = null;
    cancels = 0;
    name: number | string;
    prev: Task | null;
    next: Task | null = null;
    async = 0;
    declare readonly loop: Loop;
    constructor(
      readonly coro: Generator,
      loop: Loop,
    ) {
      super(loop);
      if ((coro as { [RUN_BY]?: Task })[RUN_BY] !== undefined) throw new Error('cannot reuse already awaited coroutine');
      mark(coro, this);
      this.name = ++taskCounter;
      const last = loop.last;
      this.prev = last;
      if (last !== null) last.next = this;
      else loop.first = this;
      loop.last = this;
      loop.push(step, this);
    }
    wakeup(): void {
      step(this);
    }
    finish(outcome: unknown, state: number): void {
      const { prev, next, loop } = this;
      if (prev !== null) prev.next = next;
      else if (loop.first === this) loop.first = next;
      if (next !== null) next.prev = prev;
      else if (loop.last === this) loop.last = prev;
      this.prev = this.next = null;
      if (state === 1) this.resolve(outcome);
      else {
        this.result = outcome;
        this.state = state;
        if (this.callback !== null) this.loop.push(minLoop.runCallback, this);
      }
    }
  }
  function step(task: Task): void {
    if (task.state !== 0) return;
    let error: unknown = NO_ERROR;
    if ((task.cancels & MUST_CANCEL) !== 0) {
      task.cancels -= MUST_CANCEL;
      error = new Error('cancelled');
    }
    task.futWaiter = null;
    const previous = current;
    current = task;
    let result: IteratorResult<unknown>;
    try {
      result = error === NO_ERROR ? generatorNext.call(task.coro, minLoop.RESUMED) : task.coro.throw(error);
    } catch (thrown) {
      current = previous;
      task.finish(thrown, 2);
      return;
    }
    current = previous;
    if (result.done) task.finish(result.value, 1);
    else if (result.value === null) task.loop.push(step, task);
    else {
      const future = result.value as minLoop.Future;
      future.callback = task;
      task.futWaiter = future;
    }
  }
  // Kept alive, as aio keeps one instance of each of its classes (src/loop/map-anchors.ts).
  anchors.push(new Task(minLoop.job(0), new Loop()));

  /** minLoop.run's driver, repeated on purpose: a shared one would call `new Task` through a closure, and time that too. */
  export async function run(n: number): Promise<number> {
    const loop = new Loop();
    const main = new Task(
      (function* (): Generator<unknown, number, unknown> {
        let total = 0;
        for (const [start, count] of batches(n)) {
          const tasks: Task[] = [];
          for (let i = start; i < start + count; i++) tasks.push(new Task(minLoop.job(i), loop));
          total += sum(yield* minLoop.gather(loop, tasks));
        }
        return total;
      })(),
      loop,
    );
    await drain(loop);
    if (current !== null || loop.first !== null) throw new Error('asyncio-loop: a task is still current or pending');
    return main.result as number;
  }
}

/**
 * The floor of aio's design for async-function tasks: minLoop's queue, futures and gather, each
 * task a Task-sized object running an async function started in its task's context (the
 * promise hooks of the raw-async-hooks row find the task), a `then()` on its promise to learn
 * that it finished (as any runtime running async functions as tasks must), and `await sleep(0)`
 * as the least runtime awaitable: a thenable whose `then()` queues one hop and returns a
 * promise settled by it. No cancellation, errors, names or task list; while any task is
 * pending the loop lets async functions run their continuations in a microtask between
 * iterations, as aio does.
 */
namespace minAsyncLoop {
  const RESOLVED = Promise.resolve();
  let running: ReadyQueue | null = null;
  let pending = 0;

  /** Task-sized, as in the other async floors: the future's 4 fields, its function and 6 more (11, as TaskState and an aio Task). */
  class AsyncTask extends minLoop.Future {
    futWaiter: unknown = null;
    cancels = 0;
    prev: unknown = null;
    next: unknown = null;
    async = 0;
    name = 0;
    constructor(
      readonly fn: () => Promise<number>,
      loop: ReadyQueue,
    ) {
      super(loop);
      loop.push(start, this);
    }
  }
  function start(task: AsyncTask): void {
    pending++;
    enterTask(task);
    task.fn().then(finished); // made in the task's context: the hooks find the task in finished()
    enterTask(null);
  }
  function finished(value: number): void {
    pending--;
    (currentTask() as AsyncTask).resolve(value);
  }

  /** An awaiting function's `onFulfilled` and the resolving function of the promise `then()` returned. */
  class Hop {
    constructor(
      readonly onFulfilled: (value: undefined) => unknown,
      readonly resolve: (value: unknown) => void,
    ) {}
  }
  let captured: (value: unknown) => void = () => {};
  const capture = (resolve: (value: unknown) => void): void => {
    captured = resolve;
  };
  function resumeHop(hop: Hop): void {
    hop.resolve(hop.onFulfilled(undefined));
  }
  const zeroSleep = {
    then(onFulfilled: (value: undefined) => unknown): Promise<unknown> {
      const task = currentTask();
      enterTask(null); // nothing reacts to this promise through the task: no tag
      const promise = new Promise(capture);
      enterTask(task);
      running!.push(resumeHop, new Hop(onFulfilled, captured));
      return promise;
    },
  };

  // Kept alive, as aio keeps one instance of each of its classes (src/loop/map-anchors.ts).
  anchors.push(new AsyncTask(async () => 0, new ReadyQueue()), new Hop(() => {}, () => {}));

  export function run(n: number): Promise<number> {
    const loop = (running = new ReadyQueue(start));
    const main = new minLoop.Task(
      (function* (): Generator<unknown, number, unknown> {
        let total = 0;
        for (const [start, count] of batches(n)) {
          const tasks: AsyncTask[] = [];
          for (let i = start; i < start + count; i++) {
            tasks.push(
              new AsyncTask(async () => {
                await zeroSleep;
                return i;
              }, loop),
            );
          }
          total += sum(yield* minLoop.gather(loop, tasks));
        }
        return total;
      })(),
      loop,
    );
    return new Promise((resolve, reject) => {
      let sliceEnd = performance.now() + SLICE_MS;
      const afterNode = (): void => {
        sliceEnd = performance.now() + SLICE_MS;
        void RESOLVED.then(iterate); // back from Node in a microtask, as aio
      };
      const iterate = (): void => {
        for (let k = loop.length; k > 0; k--) loop.runFirst();
        if (main.state !== 0) {
          running = null;
          resolve(main.result as number);
        } else if (loop.length > 0 || pending > 0) {
          if (performance.now() >= sliceEnd) setImmediate(afterNode); // Node's turn, as aio gives it
          else void RESOLVED.then(iterate); // continuations resumed by this iteration run first
        } else {
          reject(new Error('min-async-loop: nothing left to run, but the main task is not done'));
        }
      };
      iterate();
    });
  }
}

/**
 * aio-gen's task body: one generator function for the whole process, like rawTask (made once,
 * when aio is loaded). A generator *closure* per task costs V8 a new prototype and map each
 * (about 2 µs, whoever runs it); one per round gives each round new maps, and code optimized
 * for the last round's is thrown away once a full GC drops them (the harness runs three
 * before each round), which raw-async's module-level function never pays.
 */
let aioJob: ((i: number) => Generator<unknown, number, unknown>) | undefined;
function makeAioJob(sleep: (ms: number) => Iterable<unknown>): (i: number) => Generator<unknown, number, unknown> {
  return function* job(i: number) {
    yield* sleep(0);
    return i;
  };
}

await runChild({
  expected: (n) => (n * (n - 1)) / 2,
  systems: {
    'aio-gen': async ({ n }) => {
      const { run, createTask, sleep, gather, gatherFrom } = await loadAio(
        'run',
        'createTask',
        'sleep',
        ITERABLE ? 'gatherFrom' : 'gather',
      );
      const job = (aioJob ??= makeAioJob(sleep));
      return run(function* () {
        let total = 0;
        for (const [start, count] of batches(n)) {
          const tasks = [];
          for (let i = start; i < start + count; i++) tasks.push(createTask(job(i)));
          const results = ITERABLE ? yield* gatherFrom(tasks) : yield* gather(...tasks);
          verify(results.length === count, `gathered ${results.length} results`);
          total += sum(results);
        }
        return total;
      });
    },

    'aio-async': async ({ n }) => {
      const { run, createTask, sleep, gather } = await loadAio('run', 'createTask', 'sleep', 'gather');
      return run(function* () {
        let total = 0;
        for (const [start, count] of batches(n)) {
          const tasks = [];
          for (let i = start; i < start + count; i++) {
            tasks.push(
              createTask(async () => {
                await sleep(0);
                return i;
              }),
            );
          }
          const results = yield* gather(...tasks);
          verify(results.length === count, `gathered ${results.length} results`);
          total += sum(results);
        }
        return total;
      });
    },

    'raw-async': async ({ n }) => {
      let total = 0;
      for (const [start, count] of batches(n)) {
        const promises: Promise<number>[] = [];
        for (let i = start; i < start + count; i++) promises.push(rawTask(i));
        total += sum(await Promise.all(promises));
      }
      return total;
    },

    'bare-gen': ({ n }) => sum(batches(n).map(([start, count]) => sum(bareScheduler(bareCoros(start, count), (c) => c)))),

    'task-state': ({ n }) => sum(batches(n).map(([start, count]) => sum(taskStateScheduler(start, count)))),

    'min-loop': ({ n }) => minLoop.run(n),

    'asyncio-loop': ({ n }) => asyncioLoop.run(n),

    'min-async-loop': ({ n }) => {
      trackTasks();
      return minAsyncLoop.run(n);
    },

    'raw-async-hooks': async ({ n }) => {
      let total = 0;
      for (const [start, count] of batches(n)) total += await rawAsyncWithHooks(start, count, rawTask);
      return total;
    },

    'raw-async-thenable': async ({ n }) => {
      let total = 0;
      for (const [start, count] of batches(n)) total += await rawAsyncWithHooks(start, count, thenableTask);
      return total;
    },

    // Not in the batched rows (run at full N only).
    effection: ({ n }) =>
      effection.run(function* () {
        const tasks: effection.Task<number>[] = [];
        for (let i = 0; i < n; i++) {
          tasks.push(
            yield* effection.spawn(function* () {
              yield* effection.sleep(0);
              return i;
            }),
          );
        }
        let total = 0;
        for (const task of tasks) total += yield* task;
        return total;
      }),
  },
});
