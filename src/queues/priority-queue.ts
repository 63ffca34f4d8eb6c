import { describe } from '../values.js';
import { Queue } from './queue.js';

/** Options of `new PriorityQueue(options)`. */
export interface PriorityQueueOptions<T> {
  /** The most items the queue holds; `0` or less (the default) means no limit. */
  maxsize?: number;
  /**
   * Orders items: negative if `a` comes out before `b`, positive if after, 0 if either
   * may. Default: `compareItems`, which orders numbers, bigints, strings, booleans and Dates
   * by value and arrays element by element, so `[priority, item]` tuples work as in Python.
   */
  compare?: (a: T, b: T) => number;
}

/**
 * A queue that gives back the smallest item first (asyncio.PriorityQueue), kept in a binary
 * heap. Items are numbers, strings, … or `[priority, item]` tuples by default; pass
 * `compare` for anything else. Items that compare equal come out in no particular order.
 *
 * @example
 * const jobs = new PriorityQueue<[number, string]>();
 * jobs.putNowait([2, 'write report']);
 * jobs.putNowait([1, 'fix the build']);
 * jobs.getNowait(); // [1, 'fix the build']
 *
 * interface Job { name: string; deadline: number }
 * const byDeadline = new PriorityQueue<Job>({ compare: (a, b) => a.deadline - b.deadline });
 * byDeadline.putNowait({ name: 'later', deadline: 20 });
 * byDeadline.putNowait({ name: 'sooner', deadline: 10 });
 * byDeadline.getNowait().name; // 'sooner'
 */
export class PriorityQueue<T> extends Queue<T> {
  readonly #heap: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  /**
   * @param maxsize The most items the queue holds (`0`, the default, or less: no limit), or
   * the options.
   * @param options `compare` (and `maxsize`, when the first argument is not given).
   */
  constructor(maxsize?: number | PriorityQueueOptions<T>, options?: PriorityQueueOptions<T>) {
    const opts = typeof maxsize === 'object' && maxsize !== null ? maxsize : (options ?? {});
    super(typeof maxsize === 'object' && maxsize !== null ? (maxsize.maxsize ?? 0) : (maxsize ?? opts.maxsize ?? 0));
    const compare = opts.compare ?? compareItems;
    if (typeof compare !== 'function') {
      throw new TypeError(`PriorityQueue() expects compare to be a function, got ${describe(compare)}`);
    }
    this.#compare = compare;
  }

  /** @internal */
  override _put(item: T): void {
    const heap = this.#heap;
    const compare = this.#compare;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(item, heap[parent]!) >= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  /** @internal */
  override _get(): T {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return top;
    const compare = this.#compare;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && compare(heap[child + 1]!, heap[child]!) < 0) child++;
      if (compare(heap[child]!, last) >= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** @internal */
  override _qsize(): number {
    return this.#heap.length;
  }

  /** @internal */
  override _items(): T[] {
    return this.#heap.slice();
  }
}

/**
 * PriorityQueue's default order, Python's for the same values: numbers and bigints by
 * value, strings by code unit, booleans false first, Dates by time, arrays (tuples)
 * element by element then by length. Anything else (or a mix, such as a number and a
 * string) cannot be ordered and throws TypeError: pass a `compare` option then.
 */
export function compareItems(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if ((ta === 'string' && tb === 'string') || (ta === 'boolean' && tb === 'boolean')) {
    return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const order = compareItems(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  throw new TypeError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)}: ` +
      'use numbers, strings or [priority, item] tuples, or pass a compare option',
  );
}
