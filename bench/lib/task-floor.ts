// What an aio Task costs at the least, as plain code for the floor rows: its state as one
// object, the promise hooks aio installs to find the task of async code (src/task-tracking.ts),
// a thenable as small as a runtime awaitable can be, and the ready queue of the floor loops.
import { promiseHooks } from 'node:v8';

/** As many fields as an aio Task holds (11: Future's 4, Task's 7); the floors only step `coro`. */
export class TaskState {
  state = 0;
  result: unknown = undefined;
  callbacks: unknown = null;
  futWaiter: unknown = null;
  cancels = 0;
  prev: unknown = null;
  next: unknown = null;
  async = 0;
  constructor(
    readonly coro: unknown,
    readonly loop: unknown,
    readonly name: number,
  ) {}
}

/** The native generators' `next`, called directly by the floor loops (as aio's taskStep does). */
export const generatorNext = Object.getPrototypeOf(function* () {}).prototype.next as (
  this: Generator,
  sent?: unknown,
) => IteratorResult<unknown>;

const CHUNK = 1024;
class Chunk {
  slots: unknown[] = new Array(CHUNK);
  next: Chunk | null = null;
}

/**
 * The floors' loop: a FIFO of (fn, arg) pairs in chunks, a drained chunk reused, and the entries
 * of one function (`single`, a task's step) in one slot each, as aio's ready queue
 * (src/loop/ready-queue.ts); `drain()` runs it with aio's hand-offs to Node.
 */
export class ReadyQueue {
  head = new Chunk();
  tail = this.head;
  read = 0;
  write = 0;
  length = 0;
  spare: Chunk | null = null;
  constructor(readonly single: ((arg: any) => void) | null = null) {}
  push<A>(fn: (arg: A) => void, arg: A): void {
    const single = fn === this.single;
    if (this.write > CHUNK - (single ? 1 : 2)) {
      const chunk = this.spare ?? new Chunk();
      this.spare = null;
      this.tail.next = chunk;
      this.tail = chunk;
      this.write = 0;
    }
    const slots = this.tail.slots;
    if (single) {
      slots[this.write++] = arg;
    } else {
      slots[this.write] = fn;
      slots[this.write + 1] = arg;
      this.write += 2;
    }
    this.length++;
  }
  runFirst(): void {
    let first = this.read < CHUNK ? this.head.slots[this.read] : undefined;
    if (first === undefined) {
      const drained = this.head;
      this.head = drained.next!;
      drained.next = null;
      this.spare = drained;
      this.read = 0;
      first = this.head.slots[0];
    }
    const slots = this.head.slots;
    slots[this.read] = undefined;
    this.length--;
    if (typeof first === 'function') {
      const arg = slots[this.read + 1];
      slots[this.read + 1] = undefined;
      this.read += 2;
      (first as (arg: unknown) => void)(arg);
    } else {
      this.read++;
      this.single!(first);
    }
  }
}

/** How long a floor loop runs before Node gets the thread: aio's time slice (src/loop/event-loop.ts). */
export const SLICE_MS = 4;
/** Entries run between two looks at the clock (aio's READY_BATCH). */
const CLOCK_EVERY = 1024;
const RESOLVED = Promise.resolve();

/**
 * Runs `loop` until it is empty, as aio's loop runs its ready queue: once it has run for
 * SLICE_MS with entries still queued, Node gets the thread (`setImmediate`) and the loop goes
 * on in a microtask. A loop on top of Node's must, or sockets and timers starve; V8 runs the
 * tasks it has queued at such a hand-off (a scavenge once the young generation is ~80 % full,
 * among others), which a loop that never lets go would not pay.
 */
export function drain(loop: ReadyQueue): Promise<void> {
  return new Promise((resolve) => {
    const resume = (): void => void RESOLVED.then(slice);
    const slice = (): void => {
      const end = performance.now() + SLICE_MS;
      while (loop.length > 0) {
        for (let k = CLOCK_EVERY; k > 0 && loop.length > 0; k--) loop.runFirst();
        if (loop.length > 0 && performance.now() >= end) {
          setImmediate(resume);
          return;
        }
      }
      resolve();
    };
    slice();
  });
}

const TAG = Symbol('task');
let current: object | null = null;
let hooksOn = false;

/**
 * Installs (once per process) promise hooks that do what aio's do: each promise made while a
 * task's code runs is tagged with the task, and each reaction restores it.
 */
export function trackTasks(): void {
  if (hooksOn) return;
  hooksOn = true;
  promiseHooks.createHook({
    init(promise) {
      if (current !== null) (promise as unknown as Record<symbol, unknown>)[TAG] = current;
    },
    before(promise) {
      current = ((promise as unknown as Record<symbol, unknown>)[TAG] as object | undefined) ?? null;
    },
    after() {
      current = null;
    },
  });
}

/** Makes `task` the one whose code runs (null: none), as aio's step does around a task's start. */
export function enterTask(task: object | null): void {
  current = task;
}

/** The task whose code runs (restored by the hooks around each reaction), or null. */
export function currentTask(): object | null {
  return current;
}

/**
 * A thenable as small as a runtime awaitable can be (every aio awaitable is one, so that
 * `yield*` and `await` both take it): `then()` settles at once and returns a promise, as a
 * `then()` must. `await` of it is V8's adoption: a promise, a job, two resolving functions.
 */
export const settledThenable = {
  then(onFulfilled: (value: undefined) => unknown): Promise<unknown> {
    return Promise.resolve(onFulfilled(undefined));
  },
};

/**
 * A thenable that stays pending until `release()`, storing each awaiter's handler and the
 * resolving function of the promise its `then()` returns: the least a blocked runtime
 * awaitable holds per waiter.
 */
export class PendingThenable {
  readonly #waiters: unknown[] = [];
  #resolve: (value: unknown) => void = () => {};
  readonly #capture = (resolve: (value: unknown) => void): void => {
    this.#resolve = resolve;
  };
  then(onFulfilled: (value: number) => unknown): Promise<unknown> {
    const promise = new Promise(this.#capture);
    this.#waiters.push(onFulfilled, this.#resolve);
    return promise;
  }
  release(value: number): void {
    const waiters = this.#waiters.splice(0);
    for (let i = 0; i < waiters.length; i += 2) {
      (waiters[i + 1] as (v: unknown) => void)((waiters[i] as (v: number) => unknown)(value));
    }
  }
}

/** Kept alive, as aio keeps one of each of its classes (src/loop/map-anchors.ts): see there why. */
export const anchors: unknown[] = [new TaskState(null, null, 0), new ReadyQueue(), Object.assign(Promise.resolve(), { [TAG]: null })];
