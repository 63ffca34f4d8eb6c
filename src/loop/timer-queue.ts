/**
 * The loop's timers: what a timer is (`Timer`), the binary heap of (when, seq) that holds
 * timers with arbitrary deadlines, and the `TimerQueue` the loop uses, which keeps timers of
 * one whole-number delay in a FIFO list each and orders the lists with a small heap.
 */

/** @internal What the timer heap holds: a Timer, or a runtime object that is its own timer (a sleep's Future). */
export interface Timer {
  /** Loop time (ms) at which it is due. */
  readonly _when: number;
  /** Scheduling order: timers due at the same time run first-in, first-out. */
  _seq: number;
  readonly _cancelled: boolean;
  /** True while it sits in the heap. */
  _scheduled: boolean;
  /** Called (through the ready queue) when it is due, unless cancelled by then. */
  _run(): void;
}

/**
 * Binary min-heap of timers ordered by (when, seq). Cancelled timers are left in
 * place and dropped lazily when they reach the top; `compact()` rebuilds the heap
 * when most entries are cancelled, so memory does not grow with cancelled timers.
 *
 * @internal
 */
export class TimerHeap {
  #items: Timer[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): Timer | undefined {
    return this.#items[0];
  }

  push(timer: Timer): void {
    const items = this.#items;
    let i = items.length;
    items.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = timer;
  }

  pop(): Timer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top !== last && last !== undefined) this.#siftDown(last, 0);
    return top;
  }

  /** Removes every cancelled timer and restores the heap property in O(n). */
  compact(): void {
    const kept = this.#items.filter((t) => !t._cancelled);
    for (const t of this.#items) if (t._cancelled) t._scheduled = false;
    this.#items = kept;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.#siftDown(kept[i]!, i);
  }

  clear(): void {
    for (const t of this.#items) t._scheduled = false;
    this.#items = [];
  }

  #siftDown(timer: Timer, i: number): void {
    const items = this.#items;
    const n = items.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(items[child + 1]!, items[child]!)) child++;
      if (!before(items[child]!, timer)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = timer;
  }
}

/** @internal Timer `a` is due before `b`: earlier, or as early and scheduled first. */
export function before(a: Timer, b: Timer): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

/**
 * Timers scheduled `delay` ms ahead, for one whole-number delay, in the order they were
 * added. The loop's clock never goes back, so their deadlines only grow: the first one is
 * always the earliest.
 */
class TimerList {
  /** Slot of the first timer; the slots before it were popped. */
  head = 0;
  readonly timers: Timer[];
  /** The first timer's `_when` and `_seq`, kept here: sifting the lists then reads only lists. */
  when: number;
  seq: number;

  constructor(
    readonly delay: number,
    first: Timer,
  ) {
    this.timers = [first];
    this.when = first._when;
    this.seq = first._seq;
  }

  first(): Timer {
    return this.timers[this.head]!;
  }

  last(): Timer {
    return this.timers[this.timers.length - 1]!;
  }

  /** Removes the first timer; returns true if the list is now empty. */
  shift(): boolean {
    const timers = this.timers;
    timers[this.head++] = undefined as unknown as Timer;
    if (this.head === timers.length) {
      timers.length = 0;
      this.head = 0;
      return true;
    }
    // Drop the popped slots now and then, so a list that never empties does not grow.
    if (this.head >= 1024 && this.head * 2 >= timers.length) {
      timers.copyWithin(0, this.head);
      timers.length -= this.head;
      this.head = 0;
    }
    const first = timers[this.head]!;
    this.when = first._when;
    this.seq = first._seq;
    return false;
  }
}

const listBefore = (a: TimerList, b: TimerList): boolean => a.when < b.when || (a.when === b.when && a.seq < b.seq);

/** The heap's first timer is due before the list's. */
const heapFirst = (timer: Timer, list: TimerList): boolean =>
  timer._when < list.when || (timer._when === list.when && timer._seq < list.seq);

/**
 * The loop's timers, popped in (when, seq) order. Timers with a whole-number delay (a
 * `sleep(ms)`, a `callLater`) go to one FIFO list per delay, already sorted, and a small heap
 * orders the lists by their first timer: popping one of 100k pending timers costs a few
 * comparisons among the lists instead of a sift through a 100k-entry heap with a cache miss
 * at each level (Node's own timers are kept the same way). Any other timer (a `callAt`, a
 * fractional delay) goes to a plain binary heap. Cancelled timers stay in place until they
 * reach the front; `compact()` drops them all.
 *
 * @internal
 */
export class TimerQueue {
  /** Timers with no list: arbitrary deadlines. */
  readonly #heap = new TimerHeap();
  /** Binary min-heap of the lists (none is empty), by first timer. */
  #lists: TimerList[] = [];
  readonly #byDelay = new Map<number, TimerList>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /**
   * Adds a timer (its `_seq` already set, above every earlier one). `delay`: how far ahead
   * of the clock it was scheduled, if it was scheduled that way.
   */
  push(timer: Timer, delay?: number): void {
    this.#size++;
    if (delay === undefined || !Number.isInteger(delay)) {
      this.#heap.push(timer);
      return;
    }
    const list = this.#byDelay.get(delay);
    if (list === undefined) {
      const created = new TimerList(delay, timer);
      this.#byDelay.set(delay, created);
      this.#insertList(created);
    } else if (list.last()._when > timer._when) {
      this.#heap.push(timer); // the clock went back (no loop of ours does that): stay correct anyway
    } else {
      list.timers.push(timer);
    }
  }

  /** The earliest timer, or undefined. */
  peek(): Timer | undefined {
    const fromHeap = this.#heap.peek();
    const list = this.#lists[0];
    if (list === undefined) return fromHeap;
    return fromHeap !== undefined && heapFirst(fromHeap, list) ? fromHeap : list.first();
  }

  /** Removes and returns the earliest timer. */
  pop(): Timer | undefined {
    const fromHeap = this.#heap.peek();
    const list = this.#lists[0];
    if (list === undefined || (fromHeap !== undefined && heapFirst(fromHeap, list))) {
      if (fromHeap !== undefined) this.#size--;
      return this.#heap.pop();
    }
    this.#size--;
    const timer = list.first();
    if (list.shift()) this.#removeFirstList();
    else this.#siftDown(list, 0);
    return timer;
  }

  /** Removes every cancelled timer (marking it unscheduled). */
  compact(): void {
    this.#heap.compact();
    let size = this.#heap.size;
    const kept: TimerList[] = [];
    for (const list of this.#lists) {
      const live: Timer[] = [];
      for (let i = list.head; i < list.timers.length; i++) {
        const timer = list.timers[i]!;
        if (timer._cancelled) timer._scheduled = false;
        else live.push(timer);
      }
      list.timers.length = 0;
      list.timers.push(...live);
      list.head = 0;
      if (live.length > 0) {
        list.when = live[0]!._when;
        list.seq = live[0]!._seq;
        kept.push(list);
      }
      else this.#byDelay.delete(list.delay);
      size += live.length;
    }
    this.#lists = kept;
    for (let i = (kept.length >> 1) - 1; i >= 0; i--) this.#siftDown(kept[i]!, i);
    this.#size = size;
  }

  /** Removes every timer (marking it unscheduled). */
  clear(): void {
    this.#heap.clear();
    for (const list of this.#lists) {
      for (let i = list.head; i < list.timers.length; i++) list.timers[i]!._scheduled = false;
    }
    this.#lists = [];
    this.#byDelay.clear();
    this.#size = 0;
  }

  #insertList(list: TimerList): void {
    const lists = this.#lists;
    let i = lists.length;
    lists.push(list);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!listBefore(list, lists[parent]!)) break;
      lists[i] = lists[parent]!;
      i = parent;
    }
    lists[i] = list;
  }

  /** The first list is empty: forget it (a new timer with its delay makes a new one). */
  #removeFirstList(): void {
    const lists = this.#lists;
    this.#byDelay.delete(lists[0]!.delay);
    const last = lists.pop()!;
    if (lists.length > 0) this.#siftDown(last, 0);
  }

  #siftDown(list: TimerList, i: number): void {
    const lists = this.#lists;
    const n = lists.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && listBefore(lists[child + 1]!, lists[child]!)) child++;
      if (!listBefore(lists[child]!, list)) break;
      lists[i] = lists[child]!;
      i = child;
    }
    lists[i] = list;
  }
}
