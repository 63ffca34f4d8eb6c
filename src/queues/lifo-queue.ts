import { Queue } from './queue.js';

/**
 * A queue that gives back the most recently put item first (asyncio.LifoQueue); otherwise
 * exactly like Queue.
 *
 * @example
 * const stack = new LifoQueue<string>();
 * stack.putNowait('a');
 * stack.putNowait('b');
 * stack.getNowait(); // 'b'
 */
export class LifoQueue<T> extends Queue<T> {
  readonly #items: T[] = [];

  /** @internal */
  override _put(item: T): void {
    this.#items.push(item);
  }

  /** @internal */
  override _get(): T {
    return this.#items.pop() as T;
  }

  /** @internal */
  override _qsize(): number {
    return this.#items.length;
  }

  /** @internal */
  override _items(): T[] {
    return this.#items.slice();
  }
}
