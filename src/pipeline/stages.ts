/**
 * The stages of a pipeline. Each stage reads its bounded input queue and writes its bounded
 * output queue from tasks of the pipeline's one task group; when its input is exhausted (shut
 * down and empty) and its work is done, it shuts its output down, so the end of the source
 * travels down the pipeline like an item. A failure is thrown from the stage's task as a
 * `PipelineError`, and the task group cancels every other stage.
 */
import type { Coro } from '../futures.js';
import { CancelledError, TimeoutError } from '../errors.js';
import { Queue } from '../queues/queue.js';
import { Semaphore } from '../locks/semaphore.js';
import { runBody, TASK_MODE } from '../body-runner.js';
import { GeneratorFunction, isThenable } from '../values.js';
import { sleep } from '../sleep.js';
import { timeout } from '../timeouts.js';
import { forAwait } from '../async-iter.js';
import { requireRunningLoop } from '../loop/running.js';
import type { TaskGroup } from '../taskgroup.js';
import { PipelineError } from './errors.js';

/** What a stage needs to run: the group for its tasks, and the queues on either side. */
export interface StageContext {
  tg: TaskGroup;
  input: Queue<unknown>;
  output: Queue<unknown>;
}

/** One stage, as a pipeline keeps it until it runs. */
export interface Stage {
  /** `map #1`, or the stage's `name` option: how errors name it. */
  readonly label: string;
  /** The size of the queue after this stage. */
  readonly buffer: number;
  start(ctx: StageContext): void;
}

/** A function of the pipeline's user: a generator function, an async function or a plain one. */
export type StageFn<A, R> = (item: A) => Coro<R> | PromiseLike<R> | R;

/** An async iterable a plain function returned, kept from being taken for a coroutine. */
class Boxed {
  constructor(readonly value: unknown) {}
}

/**
 * Prepares a user function for `call()`. A function that is not a generator function runs
 * as async code of the task (runBody), which runs a coroutine or operation it returns (so
 * `(n) => fetch(n)` works) and follows a Promise; an async iterable it returns (an async
 * generator, for flatMap) has a `next()` too, and is boxed so that it is passed on as a value.
 */
export function prepare<A, R>(fn: StageFn<A, R>): StageFn<A, R> {
  if (fn instanceof GeneratorFunction) return fn;
  return (item: A) => {
    const out = fn(item) as unknown;
    if (out !== null && typeof out === 'object' && Symbol.asyncIterator in out && !isThenable(out)) return new Boxed(out) as R;
    return out as R;
  };
}

/** Calls a function made by `prepare()` in the calling task, so that cancelling the task reaches its awaits. */
export function* call<A, R>(fn: StageFn<A, R>, item: A): Coro<R> {
  // A generator function is stepped inline: no task context needed (see runBody).
  if (fn instanceof GeneratorFunction) return yield* (fn(item) as Coro<R>);
  const out = yield* runBody<A, R>(fn, item, TASK_MODE);
  return out instanceof Boxed ? (out.value as R) : out;
}

/** Wraps a stage's error with the item that caused it; a cancellation passes as it is. */
export function failure(label: string, item: unknown, error: unknown): unknown {
  if (error instanceof CancelledError || error instanceof PipelineError) return error;
  return new PipelineError(label, item, error);
}

/** How a worker stage turns one item into what it emits. */
export const Emit = {
  /** The result is the one item emitted (map). */
  One: 0,
  /** The result is a boolean: emit the input item or not (filter). */
  Keep: 1,
  /** The result is an iterable or async iterable of items to emit (flatMap). */
  Many: 2,
} as const;
/** See `Emit`. */
export type Emit = (typeof Emit)[keyof typeof Emit];

/** Nothing to emit (a filtered-out item), in the reorder buffer of an ordered stage. */
const NOTHING: unique symbol = Symbol('nothing');

/**
 * map, filter and flatMap: `concurrency` worker tasks taking items from the input queue.
 * Unordered, each worker emits its results as soon as they are ready. Ordered, results wait
 * in a reorder buffer until the items before them have been emitted; a worker takes a new
 * item only while fewer than `2 * concurrency` items are taken and not yet emitted, so the
 * buffer stays bounded even behind one slow item.
 */
export class WorkerStage implements Stage {
  constructor(
    readonly label: string,
    readonly buffer: number,
    fn: StageFn<any, unknown>,
    readonly emit: Emit,
    readonly concurrency: number,
    readonly ordered: boolean,
  ) {
    this.fn = prepare(fn);
  }

  readonly fn: StageFn<any, unknown>;

  start({ tg, input, output }: StageContext): void {
    let running = this.concurrency;
    const finished = (): void => {
      if (--running === 0) output.shutdown();
    };
    const worker = this.ordered && this.concurrency > 1 ? this.#orderedWorker(input, output) : null;
    for (let i = 0; i < this.concurrency; i++) {
      tg.createTask(worker ? worker(finished) : this.#worker(input, output, finished), { name: `${this.label} worker ${i}` });
    }
  }

  /** Runs the stage's function on one item: what to emit (an array for flatMap). */
  *#apply(item: unknown): Coro<unknown> {
    try {
      const result = yield* call(this.fn, item);
      if (this.emit === Emit.One) return result;
      if (this.emit === Emit.Keep) return result ? item : NOTHING;
      return yield* drain(result);
    } catch (error) {
      throw failure(this.label, item, error);
    }
  }

  *#put(output: Queue<unknown>, out: unknown): Coro<void> {
    if (this.emit === Emit.One) yield* output.put(out);
    else if (this.emit === Emit.Keep) {
      if (out !== NOTHING) yield* output.put(out);
    } else for (const each of out as unknown[]) yield* output.put(each);
  }

  *#worker(input: Queue<unknown>, output: Queue<unknown>, finished: () => void): Coro<void> {
    for (let r = yield* input.next(); !r.done; r = yield* input.next()) {
      yield* this.#put(output, yield* this.#apply(r.value));
    }
    finished();
  }

  #orderedWorker(input: Queue<unknown>, output: Queue<unknown>): (finished: () => void) => Coro<void> {
    const window = new Semaphore(2 * this.concurrency);
    const results = new Map<number, unknown>();
    let taken = 0;
    let nextOut = 0;
    let emitting = false;
    const stage = this;
    return function* (finished) {
      for (;;) {
        yield* window.acquire();
        const r = yield* input.next();
        if (r.done) {
          window.release();
          break;
        }
        const seq = taken++;
        results.set(seq, yield* stage.#apply(r.value));
        if (emitting || seq !== nextOut) continue; // the worker emitting now will reach it
        emitting = true;
        try {
          while (results.has(nextOut)) {
            const out = results.get(nextOut);
            results.delete(nextOut++);
            yield* stage.#put(output, out);
            window.release();
          }
        } finally {
          emitting = false;
        }
      }
      finished();
    };
  }
}

/** The items of what a flatMap function returned: an iterable, or an async iterable. */
function* drain(result: unknown): Coro<unknown[]> {
  if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
    const items: unknown[] = [];
    yield* forAwait(result as AsyncIterable<unknown>, (item) => {
      items.push(item);
    });
    return items;
  }
  if (result !== null && typeof result === 'object' && Symbol.iterator in result) return [...(result as Iterable<unknown>)];
  throw new TypeError(`flatMap() expects its function to return an iterable or async iterable, got ${String(result)}`);
}

/** batch(n, { maxWaitMs }): one task grouping items into arrays of at most `size`. */
export class BatchStage implements Stage {
  constructor(
    readonly label: string,
    readonly buffer: number,
    readonly size: number,
    readonly maxWaitMs: number | null,
  ) {}

  start({ tg, input, output }: StageContext): void {
    tg.createTask(this.#run(input, output), { name: this.label });
  }

  *#run(input: Queue<unknown>, output: Queue<unknown>): Coro<void> {
    const loop = requireRunningLoop();
    const maxWait = this.maxWaitMs;
    for (;;) {
      const first = yield* input.next();
      if (first.done) break;
      const batch = [first.value];
      const deadline = maxWait === null ? Infinity : loop.time() + maxWait;
      let ended = false;
      while (batch.length < this.size) {
        let r: IteratorResult<unknown, undefined>;
        if (maxWait === null) r = yield* input.next();
        else {
          const left = deadline - loop.time();
          if (left <= 0) break;
          try {
            // A get cancelled by the timeout never loses an item (Queue's guarantee).
            r = yield* timeout(left, function* () {
              return yield* input.next();
            });
          } catch (error) {
            if (error instanceof TimeoutError) break;
            throw error;
          }
        }
        if (r.done) {
          ended = true;
          break;
        }
        batch.push(r.value);
      }
      yield* output.put(batch);
      if (ended) break;
    }
    output.shutdown();
  }
}

/** throttle(perSecond): one task passing items on, at most `perSecond` a second, evenly spaced. */
export class ThrottleStage implements Stage {
  constructor(
    readonly label: string,
    readonly buffer: number,
    readonly perSecond: number,
  ) {}

  start({ tg, input, output }: StageContext): void {
    tg.createTask(this.#run(input, output), { name: this.label });
  }

  *#run(input: Queue<unknown>, output: Queue<unknown>): Coro<void> {
    const loop = requireRunningLoop();
    const interval = 1000 / this.perSecond;
    let due = -Infinity;
    for (let r = yield* input.next(); !r.done; r = yield* input.next()) {
      const now = loop.time();
      if (due > now) yield* sleep(due - now);
      // The next one is due an interval after this one was due (or after now, after a lull):
      // timer lateness does not lower the rate, and a lull earns no burst.
      due = Math.max(due, now) + interval;
      yield* output.put(r.value);
    }
    output.shutdown();
  }
}
