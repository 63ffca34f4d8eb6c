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
