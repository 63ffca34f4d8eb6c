import { Future, getRunningLoop, type Coro } from './core.js';

/**
 * One task at a time waiting for something to arrive (data on a StreamReader, a datagram):
 * `wait()` suspends until `wake()` or `fail(error)`. A cancelled wait leaves nothing behind.
 */
export class Wakeup {
  #future: Future<void> | null = null;

  /** True while a task waits. */
  get waiting(): boolean {
    return this.#future !== null;
  }

  /** Waits for the next `wake()`; the caller checks `waiting` first (one waiter at a time). */
  *wait(): Coro<void> {
    const future = new Future<void>(getRunningLoop());
    this.#future = future;
    try {
      yield* future;
    } finally {
      if (this.#future === future) this.#future = null;
    }
  }

  /** Resumes the waiting task, if any. */
  wake(): void {
    const future = this.#take();
    if (future !== null) future._resolve(undefined);
  }

  /** Makes the waiting task's wait throw `error`, if a task waits. */
  fail(error: unknown): void {
    this.#take()?.setException(error);
  }

  #take(): Future<void> | null {
    const future = this.#future;
    this.#future = null;
    return future !== null && !future.done() ? future : null;
  }
}
