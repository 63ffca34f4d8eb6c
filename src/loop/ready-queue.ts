/** A unit of ready work: `fn(arg)`. Pairs avoid allocating a closure per step. */
export type ReadyFn = (arg: any) => void;

/**
 * FIFO ring buffer of (fn, arg) pairs: O(1) push and shift, no `Array#shift`,
 * no allocation per entry once the buffer has grown to its working size.
 */
export class ReadyQueue {
  #buf: unknown[] = new Array(64);
  #head = 0;
  #tail = 0;
  #mask = 63;

  get length(): number {
    return ((this.#tail - this.#head) & this.#mask) >> 1;
  }

  push(fn: ReadyFn, arg: unknown): void {
    const buf = this.#buf;
    const tail = this.#tail;
    buf[tail] = fn;
    buf[tail + 1] = arg;
    this.#tail = (tail + 2) & this.#mask;
    if (this.#tail === this.#head) this.#grow();
  }

  /** The function of the first entry (for debug reports). */
  firstFn(): ReadyFn {
    return this.#buf[this.#head] as ReadyFn;
  }

  /** The argument of the first entry (for debug reports). */
  firstArg(): unknown {
    return this.#buf[this.#head + 1];
  }

  /** Removes the first entry and calls it. The caller checks `length` first. */
  runFirst(): void {
    const buf = this.#buf;
    const head = this.#head;
    const fn = buf[head] as ReadyFn;
    const arg = buf[head + 1];
    buf[head] = undefined;
    buf[head + 1] = undefined;
    this.#head = (head + 2) & this.#mask;
    fn(arg);
  }

  clear(): void {
    this.#buf = new Array(64);
    this.#head = this.#tail = 0;
    this.#mask = 63;
  }

  #grow(): void {
    const old = this.#buf;
    const head = this.#head;
    const size = old.length;
    // The buffer is full (head === tail): unroll it from head into a buffer twice as large.
    const buf = new Array(size * 2);
    for (let i = 0; i < size; i++) buf[i] = old[(head + i) & this.#mask];
    this.#buf = buf;
    this.#head = 0;
    this.#tail = size;
    this.#mask = size * 2 - 1;
  }
}
