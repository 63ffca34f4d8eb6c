import { LoopBound, WaiterQueue, type Blocked } from '../waiters.js';
import { WaitOp, type Operation } from '../operation.js';
import { anchorMaps } from '../loop/map-anchors.js';

/**
 * An event flag (asyncio.Event): `wait()` blocks until the flag is set. `set()` wakes every
 * waiter; a `clear()` right after does not un-wake them (they return `true` anyway), and
 * waits that start after the clear block again.
 *
 * @example
 * const ready = new Event();
 *
 * function* consumer(): Coro<void> {
 *   yield* ready.wait();
 *   console.log('ready!');
 * }
 *
 * async function consumerAsync(): Promise<void> {
 *   await ready.wait();
 * }
 *
 * // elsewhere: ready.set();
 */
export class Event extends LoopBound {
  /** @internal */ _value = false;
  /** @internal */ readonly _waiters = new WaiterQueue();

  /** True if the flag is set. */
  isSet(): boolean {
    return this._value;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this._value) return;
    this._value = true;
    this._waiters.wakeAll(true);
  }

  /** Clears the flag: later `wait()`s block until the next `set()`. */
  clear(): void {
    this._value = false;
  }

  /** Waits until the flag is set (returns at once if it is); resolves to `true`. */
  wait(): Operation<true> {
    return new EventWait(this);
  }

  override toString(): string {
    const waiters = this._waiters.size;
    return `<Event [${this._value ? 'set' : 'unset'}${waiters > 0 ? `, waiters:${waiters}` : ''}]>`;
  }
}

class EventWait extends WaitOp<true> {
  readonly #event: Event;

  constructor(event: Event) {
    super();
    this.#event = event;
  }

  _try(): true | Blocked {
    const event = this.#event;
    return event._value ? true : this._block(event._waiters, event._getLoop());
  }

  /** Woken by `set()`: done, even if the flag was cleared since. */
  override _resume(): true {
    return true;
  }
}

anchorMaps(() => {
  const event = new Event();
  return [event, event.wait()];
});
