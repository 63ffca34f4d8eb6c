/**
 * `pipeline(source)`: stages described lazily, run when consumed, in one task group.
 */
import type { Coro } from '../futures.js';
import { CancelledError } from '../errors.js';
import { ExceptionGroup } from '../exception-group.js';
import { Queue } from '../queues/queue.js';
import { Task } from '../tasks.js';
import { TaskGroup, taskGroup } from '../taskgroup.js';
import { forAwait } from '../async-iter.js';
import { InlineAwaitable, runBody, type Mode } from '../body-runner.js';
import { argumentError, checkMs } from '../validate.js';
import { BatchStage, Emit, ThrottleStage, WorkerStage, failure, type Stage } from './stages.js';

/**
 * What a stage function's result settles to: the return value of a generator function, the
 * fulfilment of an async function, or a plain value.
 */
export type StageResult<R> = R extends Iterator<unknown, infer U, any> ? U : Awaited<R>;

/** The items a flatMap function's result stands for. */
export type FlatItem<R> = StageResult<R> extends Iterable<infer U> | AsyncIterable<infer U> ? U : never;

/** Options of `pipeline(source, options)`. */
export interface PipelineOptions {
  /** The size of the queue the source fills (how far it may run ahead). Default 16. */
  buffer?: number;
}

/** Options of `map`, `filter` and `flatMap`. */
export interface MapOptions {
  /** How many items the stage works on at once, each in its own task of the group. Default 1. */
  concurrency?: number;
  /**
   * Emit results in input order (default false: as they are ready). Results that overtake a
   * slow item wait for it, and the stage takes at most `2 * concurrency` items ahead of the
   * oldest one not yet emitted, so the buffering stays bounded.
   */
  ordered?: boolean;
  /** The size of the queue after this stage. Default: `concurrency`. */
  buffer?: number;
  /** How errors name the stage. Default: its kind and position, such as `map #1`. */
  name?: string;
}

/** Options of `batch`. */
export interface BatchOptions {
  /**
   * Emit a partial batch once its first item has waited this long (ms). Default: no limit,
   * only full batches (and the last one).
   */
  maxWaitMs?: number | null;
  /** The size of the queue after this stage, in batches. Default 1. */
  buffer?: number;
  /** How errors name the stage. */
  name?: string;
}

/** Options of `throttle`. */
export interface ThrottleOptions {
  /** The size of the queue after this stage. Default 1. */
  buffer?: number;
  /** How errors name the stage. */
  name?: string;
}

/** A private signal: the consumer stopped early, and the task group must cancel the stages. */
const STOP = new Error('the pipeline consumer stopped');

/**
 * A pipeline of stages between an iterable source and a consumer (see `pipeline()`). Each
 * method returns a new pipeline with one more stage; nothing runs until the pipeline is
 * consumed (`for await`, `forAwait`, `collect()`, `forEach()`), and each consumption runs it
 * again from the source.
 */
export class Pipeline<T> implements AsyncIterable<T> {
  readonly #source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #buffer: number;
  readonly #stages: readonly Stage[];

  /** @internal Made by `pipeline()` and the stage methods. */
  constructor(source: Iterable<unknown> | AsyncIterable<unknown>, buffer: number, stages: readonly Stage[]) {
    this.#source = source;
    this.#buffer = buffer;
    this.#stages = stages;
  }

  /**
   * Applies `fn` to every item: a generator function, an async function or a plain
   * function. With `concurrency: n`, n items are worked on at once, each in a task of the
   * pipeline's group; results come out as they are ready unless `ordered: true`.
   */
  map<R>(fn: (item: T) => R, options: MapOptions = {}): Pipeline<StageResult<R>> {
    return this.#worker('map', fn, Emit.One, options);
  }

  /** Keeps the items for which `pred` returns (or settles to) a truthy value. */
  filter<R>(pred: (item: T) => R, options: MapOptions = {}): Pipeline<T> {
    return this.#worker('filter', pred, Emit.Keep, options);
  }

  /**
   * Applies `fn` to every item and emits each item of the iterable or async iterable it
   * returns (or settles to).
   */
  flatMap<R>(fn: (item: T) => R, options: MapOptions = {}): Pipeline<FlatItem<R>> {
    return this.#worker('flatMap', fn, Emit.Many, options);
  }

  /**
   * Groups items into arrays of `size` (the last one may be shorter). With `maxWaitMs`, a
   * partial batch is emitted once its first item has waited that long.
   */
  batch(size: number, options: BatchOptions = {}): Pipeline<T[]> {
    if (!Number.isInteger(size) || size < 1) throw argumentError('batch', 'size', 'an integer >= 1', size);
    const maxWaitMs = options.maxWaitMs ?? null;
    checkMs('batch', 'options.maxWaitMs', maxWaitMs, { nullable: true, nonNegative: true });
    const buffer = bufferOption('batch', options.buffer, 1);
    return this.#then(new BatchStage(options.name ?? this.#label('batch'), buffer, size, maxWaitMs));
  }

  /** Passes items on at most `perSecond` a second, evenly spaced (the loop's clock). */
  throttle(perSecond: number, options: ThrottleOptions = {}): Pipeline<T> {
    if (typeof perSecond !== 'number' || !(perSecond > 0) || perSecond === Infinity) {
      throw argumentError('throttle', 'perSecond', 'a finite number > 0', perSecond);
    }
    const buffer = bufferOption('throttle', options.buffer, 1);
    return this.#then(new ThrottleStage(options.name ?? this.#label('throttle'), buffer, perSecond));
  }

  /**
   * Runs the pipeline in the calling task and returns every item it produces, in an array.
   * Awaitable from both styles: `yield* p.collect()`, `await p.collect()`.
   */
  collect(): InlineAwaitable<T[]> {
    return new InlineAwaitable<T[]>((mode) => this.#collect(mode));
  }

  /**
   * Runs the pipeline in the calling task, calling `fn` (a generator function, an async
   * function or a plain one) for each item, one at a time; returning `false` stops the
   * pipeline early.
   */
  forEach(fn: (item: T) => unknown): InlineAwaitable<void> {
    if (typeof fn !== 'function') throw argumentError('forEach', 'fn', 'a function', fn);
    return new InlineAwaitable<void>((mode) => this.#consume(mode, (item) => runBody<T, unknown>(fn, item, mode)));
  }

  /**
   * `for await (const item of p)`: runs the pipeline in a Task of its own, started at the
   * first `next()`. Breaking out of the loop (or the consumer being cancelled) cancels
   * every stage and waits until they have finished, their `finally` blocks included.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new PipelineIterator<T>((tg, out) => this.#start(tg, out), this.#stages.at(-1)?.buffer ?? this.#buffer);
  }

  /** @internal Describes the pipeline in errors and debug output. */
  toString(): string {
    return `Pipeline(${['source', ...this.#stages.map((s) => s.label)].join(' → ')})`;
  }

  #label(kind: string): string {
    return `${kind} #${this.#stages.length + 1}`;
  }

  #then<U>(stage: Stage): Pipeline<U> {
    return new Pipeline<U>(this.#source, this.#buffer, [...this.#stages, stage]);
  }

  #worker<U>(kind: string, fn: (item: T) => unknown, emit: Emit, options: MapOptions): Pipeline<U> {
    if (typeof fn !== 'function') throw argumentError(kind, 'fn', 'a function', fn);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw argumentError(kind, 'options.concurrency', 'an integer >= 1', concurrency);
    }
    const buffer = bufferOption(kind, options.buffer, concurrency);
    const label = options.name ?? this.#label(kind);
    return this.#then(new WorkerStage(label, buffer, fn, emit, concurrency, options.ordered === true));
  }

  /** Starts the source and every stage in `tg`; the last stage writes `out`. */
  #start(tg: TaskGroup, out: Queue<unknown>): void {
    const stages = this.#stages;
    let input = stages.length === 0 ? out : new Queue<unknown>(this.#buffer);
    tg.createTask(feed(this.#source, input), { name: 'pipeline source' });
    stages.forEach((stage, i) => {
      const output = i === stages.length - 1 ? out : new Queue<unknown>(stage.buffer);
      stage.start({ tg, input, output });
      input = output;
    });
  }

  *#collect(mode: Mode): Coro<T[]> {
    const items: T[] = [];
    yield* this.#consume(mode, function* (item) {
      items.push(item);
    });
    return items;
  }

  /** Runs the stages in a task group in the calling task, `body` consuming their output. */
  *#consume(_mode: Mode, body: (item: T) => Coro<unknown>): Coro<void> {
    const self = this;
    try {
      yield* taskGroup(function* (tg) {
        const out = new Queue<T>(self.#stages.at(-1)?.buffer ?? self.#buffer);
        self.#start(tg, out as Queue<unknown>);
        for (let r = yield* out.next(); !r.done; r = yield* out.next()) {
          if ((yield* body(r.value)) === false) throw STOP; // the group cancels the stages
        }
      });
    } catch (error) {
      const first = firstError(error);
      if (first !== STOP) throw first;
    }
  }
}

/**
 * The iterator of `for await (const item of pipeline)`: the stages run in a task group in a
 * driver Task; `next()` takes items from the last stage's queue.
 */
class PipelineIterator<T> implements AsyncIterator<T> {
  readonly #start: (tg: TaskGroup, out: Queue<unknown>) => void;
  readonly #out: Queue<T>;
  #driver: Task<void> | null = null;

  constructor(start: (tg: TaskGroup, out: Queue<unknown>) => void, buffer: number) {
    this.#start = start;
    this.#out = new Queue<T>(buffer);
  }

  async next(): Promise<IteratorResult<T>> {
    const driver = (this.#driver ??= this.#run());
    let r: IteratorResult<T, undefined>;
    try {
      r = await this.#out.next();
    } catch (error) {
      // The consumer was cancelled while waiting: stop the stages before passing it on.
      await this.#stop();
      throw error;
    }
    if (!r.done) return r;
    try {
      await driver; // the stages are done (or failed: then this throws)
    } catch (error) {
      throw firstError(error);
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<T>> {
    await this.#stop();
    return { done: true, value: undefined };
  }

  #run(): Task<void> {
    const start = this.#start;
    const out = this.#out;
    return new Task<void>(
      function* (): Coro<void> {
        try {
          yield* taskGroup(function* (tg) {
            start(tg, out as Queue<unknown>);
          });
        } catch (error) {
          out.shutdown(true); // wake the consumer: it finds the error on the driver
          throw error;
        }
      },
      { name: 'pipeline' },
    );
  }

  /** Cancels the stages and waits until they have finished. */
  async #stop(): Promise<void> {
    const driver = this.#driver;
    try {
      if (driver === null || driver.done()) return;
      driver.cancel();
      await driver;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw firstError(error);
    } finally {
      // Later next() calls end at once. Only now: a stage still putting would see QueueShutDown.
      this.#out.shutdown(true);
    }
  }
}

/** The task that puts the source's items into the first queue. */
function* feed(source: Iterable<unknown> | AsyncIterable<unknown>, queue: Queue<unknown>): Coro<void> {
  try {
    if (Symbol.asyncIterator in source) {
      yield* forAwait(source as AsyncIterable<unknown>, (item) => queue.put(item) as unknown as Coro<void>);
    } else {
      for (const item of source as Iterable<unknown>) yield* queue.put(item);
    }
  } catch (error) {
    throw failure('source', undefined, error);
  }
  queue.shutdown();
}

/** The error a pipeline's consumer sees: the first of the group's errors. */
function firstError(error: unknown): unknown {
  if (!(error instanceof ExceptionGroup)) return error;
  const errors = error.errors.filter((e) => !(e instanceof CancelledError));
  return errors.find((e) => e !== STOP) ?? errors[0] ?? error;
}

function bufferOption(call: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1) throw argumentError(call, 'options.buffer', 'an integer >= 1', value);
  return value as number;
}

/**
 * A pipeline over `source` (any iterable or async iterable, even an endless one), with
 * stages added by `map`, `filter`, `flatMap`, `batch` and `throttle`. Stages are joined by
 * bounded queues, so a slow consumer slows the source down and memory stays bounded; each
 * stage's concurrency runs in the pipeline's one task group, so the first error (a
 * `PipelineError` with the item that caused it) cancels every stage, and stopping the
 * consumer (`break`, cancellation, `false` from `forEach`) cancels every stage and runs
 * every `finally`.
 *
 * @example
 * import { run, sleep, type Coro } from 'aio-ts';
 * import { pipeline } from 'aio-ts/pipeline';
 *
 * function* fetchPage(n: number): Coro<string> {
 *   yield* sleep(10); // stands for a download
 *   return `page ${n}`;
 * }
 *
 * // Generator coroutines: collect() (or forEach, or forAwait)
 * await run(function* () {
 *   const pages = yield* pipeline([1, 2, 3, 4, 5, 6])
 *     .filter((n) => n % 2 === 0)
 *     .map(fetchPage, { concurrency: 3, ordered: true })
 *     .collect();
 *   console.log(pages); // [ 'page 2', 'page 4', 'page 6' ]
 * });
 *
 * // Async functions: for await, batches
 * await run(async () => {
 *   const words = pipeline(['a', 'b', 'c', 'd', 'e']).map(async (w) => w.toUpperCase(), { concurrency: 2 }).batch(2);
 *   for await (const batch of words) console.log(batch); // three batches: two of 2 letters, then one
 * });
 */
export function pipeline<T>(source: Iterable<T> | AsyncIterable<T>, options: PipelineOptions = {}): Pipeline<T> {
  const iterable = source as Partial<Iterable<T> & AsyncIterable<T>> | null;
  if (
    iterable === null ||
    (typeof iterable !== 'object' && typeof iterable !== 'string') ||
    (typeof iterable[Symbol.iterator] !== 'function' && typeof iterable[Symbol.asyncIterator] !== 'function')
  ) {
    throw argumentError('pipeline', 'source', 'an iterable or async iterable', source);
  }
  return new Pipeline<T>(source, bufferOption('pipeline', options.buffer, 16), []);
}
