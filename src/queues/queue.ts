import { inspect } from 'node:util';
import { QueueEmpty, QueueFull, QueueShutDown } from '../errors.js';
import { describe } from '../values.js';
import { drive } from '../driver.js';
import { LoopBound, WaiterQueue, type Blocked } from '../waiters.js';
import { NEXT_OPERATION, WaitOp, type Operation } from '../operation.js';
import { anchorMaps } from '../loop/map-anchors.js';

const ITERATION_DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A FIFO queue for passing items between tasks (asyncio.Queue). With `maxsize > 0`, `put()`
 * waits while the queue is full; `get()` waits while it is empty. Waiters are served in
 * order, and a cancelled `get()` or `put()` never loses or duplicates an item: if it was
 * woken but cancelled before it could resume, it wakes the next waiter instead.
 *
 * `taskDone()` and `join()` track work: each item put counts as unfinished until a consumer
 * calls `taskDone()` for it; `join()` waits until no work is unfinished.
 *
 * `shutdown()` (asyncio 3.13): `put()`s throw `QueueShutDown` from then on, and so do `get()`s
 * once the queue is empty; blocked getters and putters are woken to find out.
 * `shutdown(true)` also drops the items left (counting them as done, which may release
 * `join()`), so every `get()` throws at once.
 *
 * The queue is async-iterable: `for await (const item of queue)` gets items until the
 * queue is shut down and empty. In a generator coroutine, loop on `yield* queue.next()` or use
 * `forAwait(queue, …)` (not `aiter(queue)`, whose steps pass through a Future: a cancellation
 * landing as an item is handed over would drop it). Iterating is getting: call `taskDone()`
 * for each item if something `join()`s the queue.
 *
 * Note: in an async function `await queue.get()` unwraps an item that is itself a thenable
 * (a Future or Promise), as `await` always does; `yield* queue.get()` and `for await` don't.
 *
 * @example
 * import { run, gather, Queue, type Coro } from 'aio-ts';
 *
 * const queue = new Queue<number>(10); // put() waits while 10 items are queued
 *
 * function* producer(): Coro<void> {
 *   for (let i = 0; i < 100; i++) yield* queue.put(i);
 *   queue.shutdown(); // consumers end once the queue is empty
 * }
 *
 * function* consumer(): Coro<number> {
 *   let total = 0;
 *   for (let r = yield* queue.next(); !r.done; r = yield* queue.next()) total += r.value;
 *   return total;
 * }
 *
 * async function consumerAsync(): Promise<number> {
 *   let total = 0;
 *   for await (const item of queue) total += item;
 *   return total;
 * }
 *
 * const [, a, b] = await run(() => gather(producer(), consumer(), consumerAsync()));
 * console.log(a + b); // 4950: every item consumed once
 */
export class Queue<T> extends LoopBound implements AsyncIterable<T> {
  readonly #maxsize: number;
  /** @internal */ readonly _getters = new WaiterQueue();
  /** @internal */ readonly _putters = new WaiterQueue();
  /** @internal Tasks in `join()`. */
  readonly _joiners = new WaiterQueue();
  /** @internal Items put and not yet marked done with `taskDone()`. */
  _unfinished = 0;
  /** @internal */ _isShutdown = false;
  // FIFO storage: a ring buffer (a power-of-two array), never Array#shift.
  #ring: (T | undefined)[] = [];
  #head = 0;
  #count = 0;

  /**
   * @param maxsize The most items the queue holds; `put()` waits while it is full. `0` (the
   * default) or less means no limit.
   */
  constructor(maxsize = 0) {
    super();
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(`${new.target.name}() expects maxsize to be a number, got ${describe(maxsize)}`);
    }
    this.#maxsize = maxsize;
  }

  /** The most items the queue holds (`0` or less: no limit). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** The number of items in the queue. */
  qsize(): number {
    return this._qsize();
  }

  /** True if the queue holds no item. */
  empty(): boolean {
    return this._qsize() === 0;
  }

  /** True if the queue holds `maxsize` items (never, without a limit). */
  full(): boolean {
    return this.#maxsize > 0 && this._qsize() >= this.#maxsize;
  }

  /** Puts an item, waiting while the queue is full. Throws QueueShutDown if the queue is shut down. */
  put(item: T): Operation<void> {
    return new QueuePut(this, item);
  }

  /**
   * Removes and returns an item, waiting while the queue is empty. Throws QueueShutDown if
   * the queue is shut down and empty.
   */
  get(): Operation<T> {
    return new QueueGet(this);
  }

  /**
   * Like `get()`, but resolves to an IteratorResult: `{ done: true }` once the queue is shut
   * down and empty instead of throwing. For loops in generator coroutines:
   * `for (let r = yield* queue.next(); !r.done; r = yield* queue.next()) use(r.value);`
   */
  next(): Operation<IteratorResult<T, undefined>> {
    return new QueueNext(this);
  }

  /** Puts an item without waiting: throws QueueFull if the queue is full, QueueShutDown if shut down. */
  putNowait(item: T): void {
    if (this._isShutdown) throw new QueueShutDown('the queue is shut down');
    if (this.full()) throw new QueueFull(`the queue is full (maxsize ${this.#maxsize})`);
    this._put(item);
    this._unfinished++;
    this._getters.wakeFirst(undefined);
  }

  /**
   * Removes and returns an item without waiting: throws QueueEmpty if the queue is empty
   * (QueueShutDown if it is also shut down).
   */
  getNowait(): T {
    if (this._qsize() === 0) {
      if (this._isShutdown) throw new QueueShutDown('the queue is shut down and empty');
      throw new QueueEmpty('the queue is empty');
    }
    return this._take();
  }

  /**
   * Marks one item got from the queue as processed; when every item put has been, `join()`
   * returns. Throws RangeError if called more times than items were put.
   */
  taskDone(): void {
    if (this._unfinished <= 0) throw new RangeError('taskDone() called too many times');
    if (--this._unfinished === 0) this._joiners.wakeAll(undefined);
  }

  /** Waits until every item put has been marked processed with `taskDone()`. */
  join(): Operation<void> {
    return new QueueJoin(this);
  }

  /**
   * Shuts the queue down: `put()`s throw QueueShutDown from now on, and `get()`s do once
   * the queue is empty. Blocked getters and putters are woken. With `immediate` (default
   * false) the remaining items are dropped and counted as done (which may release `join()`),
   * so `get()`s throw at once.
   */
  shutdown(immediate = false): void {
    this._isShutdown = true;
    if (immediate) {
      while (this._qsize() > 0) {
        this._get();
        if (this._unfinished > 0) this._unfinished--;
      }
      if (this._unfinished === 0) this._joiners.wakeAll(undefined);
    }
    // Everyone blocked re-checks: getters find items or throw, putters throw.
    this._getters.wakeAll(undefined);
    this._putters.wakeAll(undefined);
  }

  /** @internal What `forAwait()` awaits in a generator task: `next()`, stepped in the task itself. */
  [NEXT_OPERATION](): Operation<IteratorResult<T, undefined>> {
    return new QueueNext(this);
  }

  /** Iterates items (`get()` after `get()`) until the queue is shut down and empty. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const iterator: AsyncIterableIterator<T> = {
      next: () => drive(new QueueNext(this)),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  override toString(): string {
    let s = `<${this.constructor.name} maxsize=${this.#maxsize}`;
    if (this._qsize() > 0) s += ` items=${inspect(this._items(), { depth: 1, maxArrayLength: 20, breakLength: Infinity })}`;
    if (this._getters.size > 0) s += ` getters=${this._getters.size}`;
    if (this._putters.size > 0) s += ` putters=${this._putters.size}`;
    if (this._unfinished > 0) s += ` tasks=${this._unfinished}`;
    if (this._isShutdown) s += ' shutdown';
    return s + '>';
  }

  // Storage hooks (asyncio's `_put`, `_get`, `_qsize`): override all four to change the
  // order in which items come out (see LifoQueue, PriorityQueue).

  /** @internal Storage hook: adds an item. */
  _put(item: T): void {
    let ring = this.#ring;
    const count = this.#count;
    if (count === ring.length) ring = this.#grow();
    ring[(this.#head + count) & (ring.length - 1)] = item;
    this.#count = count + 1;
  }

  /** @internal Storage hook: removes and returns the next item (only called when `_qsize() > 0`). */
  _get(): T {
    const ring = this.#ring;
    const head = this.#head;
    const item = ring[head] as T;
    ring[head] = undefined;
    this.#head = (head + 1) & (ring.length - 1);
    this.#count--;
    return item;
  }

  /** @internal Storage hook: the number of items. */
  _qsize(): number {
    return this.#count;
  }

  /** @internal Storage hook: the items, for `toString()`. */
  _items(): T[] {
    const ring = this.#ring;
    const items: T[] = [];
    for (let i = 0; i < this.#count; i++) items.push(ring[(this.#head + i) & (ring.length - 1)] as T);
    return items;
  }

  /** @internal Takes the next item and lets the first blocked putter re-check. */
  _take(): T {
    const item = this._get();
    this._putters.wakeFirst(undefined);
    return item;
  }

  #grow(): (T | undefined)[] {
    const old = this.#ring;
    const ring = new Array<T | undefined>(Math.max(8, old.length * 2));
    for (let i = 0; i < this.#count; i++) ring[i] = old[(this.#head + i) & (old.length - 1)];
    this.#ring = ring;
    this.#head = 0;
    return ring;
  }
}

class QueueGet<T> extends WaitOp<T> {
  readonly #queue: Queue<T>;

  constructor(queue: Queue<T>) {
    super();
    this.#queue = queue;
  }

  _try(): T | Blocked {
    const queue = this.#queue;
    if (queue._qsize() > 0) return queue._take();
    if (queue._isShutdown) throw new QueueShutDown('the queue is shut down and empty');
    return this._block(queue._getters, queue._getLoop());
  }

  /** Woken by a put but cancelled: the item is still there, so let the next getter have it. */
  override _abandon(): void {
    const queue = this.#queue;
    if (queue._qsize() > 0) queue._getters.wakeFirst(undefined);
  }
}

class QueueNext<T> extends WaitOp<IteratorResult<T, undefined>> {
  readonly #queue: Queue<T>;

  constructor(queue: Queue<T>) {
    super();
    this.#queue = queue;
  }

  _try(): IteratorResult<T, undefined> | Blocked {
    const queue = this.#queue;
    if (queue._qsize() > 0) return { done: false, value: queue._take() };
    if (queue._isShutdown) return ITERATION_DONE;
    return this._block(queue._getters, queue._getLoop());
  }

  override _abandon(): void {
    const queue = this.#queue;
    if (queue._qsize() > 0) queue._getters.wakeFirst(undefined);
  }
}

class QueuePut<T> extends WaitOp<void> {
  readonly #queue: Queue<T>;
  readonly #item: T;

  constructor(queue: Queue<T>, item: T) {
    super();
    this.#queue = queue;
    this.#item = item;
  }

  _try(): void | Blocked {
    const queue = this.#queue;
    if (!queue.full()) return queue.putNowait(this.#item);
    if (queue._isShutdown) throw new QueueShutDown('the queue is shut down');
    return this._block(queue._putters, queue._getLoop());
  }

  /** Woken by a get but cancelled: the free slot is still there, so let the next putter have it. */
  override _abandon(): void {
    const queue = this.#queue;
    if (!queue.full()) queue._putters.wakeFirst(undefined);
  }
}

class QueueJoin extends WaitOp<void> {
  readonly #queue: Queue<unknown>;

  constructor(queue: Queue<unknown>) {
    super();
    this.#queue = queue;
  }

  _try(): void | Blocked {
    const queue = this.#queue;
    if (queue._unfinished === 0) return;
    return this._block(queue._joiners, queue._getLoop());
  }

  /** Woken when the work was all done: done, even if more was put since. */
  override _resume(): void {}
}

anchorMaps(() => {
  const queue = new Queue<unknown>();
  return [queue, queue.get(), queue.put(null), queue.next(), queue.join()];
});
