import { recordSource, sourceOf } from '../debug-info.js';
import { anchorMaps } from './map-anchors.js';

/** @internal What a handle needs of its loop (the loop's interface in events.ts returns handles). */
export interface HandleLoop {
  _debug: boolean;
  _timerHandleCancelled(): void;
  callExceptionHandler(context: { message: string; [key: string]: unknown }): void;
}

/** A callback scheduled with `callSoon`. `cancel()` stops it from running. */
export class Handle {
  // Declared and set in the constructor, as Future's fields (TimerHandle constructs faster).
  /** @internal */ declare _callback: ((...args: any[]) => unknown) | null;
  /** @internal */ declare _args: unknown[] | null;
  /** @internal */ declare _cancelled: boolean;
  /** @internal */ declare readonly _loop: HandleLoop;

  /** @internal */
  constructor(callback: (...args: any[]) => unknown, args: unknown[], loop: HandleLoop) {
    this._callback = callback;
    this._args = args;
    this._cancelled = false;
    this._loop = loop;
    if (loop._debug) recordSource(this);
  }

  /** Prevents the callback from running. Does nothing if it already ran. */
  cancel(): void {
    if (this._cancelled) return;
    this._cancelled = true;
    // Drop references so a cancelled handle keeps nothing alive.
    this._callback = null;
    this._args = null;
  }

  /** True once `cancel()` was called. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** @internal */
  _run(): void {
    const callback = this._callback;
    if (callback === null) return;
    let result: unknown;
    try {
      result = callback(...this._args!);
    } catch (error) {
      this._report(callback, error);
      return;
    }
    // An async callback: its rejection goes to the exception handler too, not to Node's
    // unhandled-rejection handler (which would end the process).
    if (result instanceof Promise) result.then(undefined, (error: unknown) => this._report(callback, error));
  }

  /** @internal */
  _report(callback: Function, error: unknown): void {
    const source = sourceOf(this);
    this._loop.callExceptionHandler({
      message: `Exception in callback ${describeCallback(callback)}`,
      exception: error,
      handle: this,
      ...(source !== undefined ? { sourceTraceback: source } : {}),
    });
  }

  toString(): string {
    const state = this._cancelled ? 'cancelled' : describeCallback(this._callback!);
    return `<${this.constructor.name} ${state}>`;
  }
}

/** A callback scheduled with `callLater`/`callAt`. */
// Not `implements Timer`: Timer is internal (stripped from the .d.ts); a TimerHandle is still
// checked against it where the loop queues it.
export class TimerHandle extends Handle {
  /** @internal */ readonly _when: number;
  /** @internal Insertion order: timers due at the same time run first-in, first-out. */
  _seq = 0;
  /** @internal True while the handle sits in the loop's timer heap. */
  _scheduled = false;

  /** @internal */
  constructor(when: number, callback: (...args: any[]) => unknown, args: unknown[], loop: HandleLoop) {
    super(callback, args, loop);
    this._when = when;
  }

  /** The loop time (ms) at which the callback is due. */
  when(): number {
    return this._when;
  }

  override cancel(): void {
    if (!this._cancelled && this._scheduled) this._loop._timerHandleCancelled();
    super.cancel();
  }
}

anchorMaps((loop: HandleLoop) => [new Handle(noop, [], loop), new TimerHandle(Infinity, noop, [], loop)]);
function noop(): void {}

export function describeCallback(callback: Function): string {
  return callback.name ? `${callback.name}()` : '<anonymous function>';
}
