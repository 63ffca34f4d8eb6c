/** A unit of ready work: `fn(arg)`. Pairs avoid allocating a closure per step. */
export type ReadyFn = (arg: any) => void;

/** Slots per chunk: 512 (fn, arg) entries, 8 KiB. */
const CHUNK_SLOTS = 1024;

interface Chunk {
  readonly slots: unknown[];
  next: Chunk | null;
}

const newChunk = (): Chunk => ({ slots: new Array(CHUNK_SLOTS), next: null });

/**
 * FIFO of (fn, arg) pairs in a linked list of fixed-size chunks: O(1) push and shift, no
 * `Array#shift`, nothing copied as it grows (a ring buffer would re-copy 100k task steps
 * into ever larger arrays), and no allocation per entry in a steady state: the chunk
 * drained last is kept for the next one needed.
 */
export class ReadyQueue {
  #head: Chunk = newChunk();
  #tail: Chunk = this.#head;
  /** Next slot to read in #head, next slot to write in #tail. */
  #read = 0;
  #write = 0;
  #length = 0;
  #spare: Chunk | null = null;

  get length(): number {
    return this.#length;
  }

  push(fn: ReadyFn, arg: unknown): void {
    let write = this.#write;
    if (write === CHUNK_SLOTS) {
      const chunk = this.#spare ?? newChunk();
      this.#spare = null;
      this.#tail.next = chunk;
      this.#tail = chunk;
      write = 0;
    }
    const slots = this.#tail.slots;
    slots[write] = fn;
    slots[write + 1] = arg;
    this.#write = write + 2;
    this.#length++;
  }

  /** The function of the first entry (for debug reports). */
  firstFn(): ReadyFn {
    this.#skipDrainedChunk();
    return this.#head.slots[this.#read] as ReadyFn;
  }

  /** The argument of the first entry (for debug reports). */
  firstArg(): unknown {
    this.#skipDrainedChunk();
    return this.#head.slots[this.#read + 1];
  }

  /** Removes the first entry and calls it. The caller checks `length` first. */
  runFirst(): void {
    if (this.#read === CHUNK_SLOTS) this.#skipDrainedChunk();
    const slots = this.#head.slots;
    const read = this.#read;
    const fn = slots[read] as ReadyFn;
    const arg = slots[read + 1];
    slots[read] = undefined;
    slots[read + 1] = undefined;
    this.#read = read + 2;
    this.#length--;
    fn(arg);
  }

  clear(): void {
    this.#head = this.#tail = newChunk();
    this.#read = this.#write = this.#length = 0;
    this.#spare = null;
  }

  #skipDrainedChunk(): void {
    if (this.#read !== CHUNK_SLOTS) return;
    const drained = this.#head;
    this.#head = drained.next!;
    drained.next = null;
    this.#spare = drained;
    this.#read = 0;
  }
}
