/**
 * `move()`: transfer a buffer to or from a job instead of copying it. The mark is found by
 * a registered symbol, so a worker recognises the marks made by its own copy of this code.
 */
import type { MessagePort, TransferListItem } from 'node:worker_threads';

const MOVE = Symbol.for('aio-ts.executors.move');

/** What can be moved: an ArrayBuffer, a view of one (its whole buffer moves), a MessagePort. */
export type Movable = ArrayBuffer | ArrayBufferView | MessagePort;

/** @internal A value marked by `move()`, and what to transfer with it. */
export interface Moved {
  readonly [MOVE]: true;
  readonly value: unknown;
  readonly transfer: readonly TransferListItem[];
}

/**
 * Marks `value` to be **moved** to a worker thread (as an argument of `submit`,
 * `runInExecutor`, `toThread`, or an item of `map`) or back (as what a job returns), instead
 * of copied: an ArrayBuffer, or the buffer under a typed array or DataView (all of it), or a
 * MessagePort. The sender's buffer is then detached (length 0): no copy was made, however large.
 * Inside a self-contained job, `move` is in scope without an import. Only whole arguments and
 * whole results can be marked. A process pool copies instead (processes cannot share buffers).
 *
 * @example
 * import { ThreadPoolExecutor, move } from 'aio-ts/executors';
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const pixels = new Uint8Array(64 * 1024 * 1024);
 * const inverted = await pool.submit((data: Uint8Array) => {
 *   for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;
 *   return move(data); // back without a copy too
 * }, move(pixels));
 * console.log(pixels.byteLength, inverted[0]); // 0 255: the buffer went to the worker and came back
 */
export function move<T extends Movable>(value: T): T {
  let buffer: TransferListItem;
  if (value instanceof ArrayBuffer) buffer = value;
  else if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof ArrayBuffer)) {
      throw new TypeError('move() cannot move a view of a SharedArrayBuffer: it is shared with workers already, pass it as it is');
    }
    buffer = value.buffer;
  } else if (isPort(value)) buffer = value as MessagePort;
  else {
    const what = value === null ? 'null' : typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value;
    throw new TypeError(`move() expects an ArrayBuffer, a typed array, a DataView or a MessagePort, got ${what}: other values are copied, pass them as they are`);
  }
  const moved: Moved = { [MOVE]: true, value, transfer: [buffer] };
  return moved as unknown as T;
}

function isPort(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as MessagePort).postMessage === 'function' && typeof (value as MessagePort).close === 'function';
}

/** @internal True if `value` was marked by `move()`. */
export function isMoved(value: unknown): value is Moved {
  return typeof value === 'object' && value !== null && (value as Partial<Moved>)[MOVE] === true;
}

/**
 * @internal Replaces the marks of `move()` among `args` by their values (in place) and returns
 * what to transfer, or null if nothing is moved (the common case: one loop, no allocation).
 */
export function takeMoves(args: unknown[], transfer: TransferListItem[] | null): TransferListItem[] | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!isMoved(arg)) continue;
    args[i] = arg.value;
    (transfer ??= []).push(...arg.transfer);
  }
  return transfer;
}
