import { Future, PromptWaiter, PENDING, CANCELLED, FINISHED, type Awaitable, type AwaitedOf } from './futures.js';
import { ensureFuture } from './ensure-future.js';
import { requireRunningLoop } from './loop/running.js';
import type { AbstractEventLoop } from './loop/events.js';
import { anchorMaps } from './loop/map-anchors.js';
import { argumentError } from './validate.js';

/** Options of `gather()`, passed as a last argument: `gather(a, b, { returnExceptions: true })`. */
export interface GatherOptions {
  /** Put exceptions (and CancelledErrors) in the result array instead of throwing the first one. Default: false. */
  returnExceptions?: boolean;
}

/** An awaitable, or a function returning one (an async or generator function), run as a Task. */
type GatherArg = Awaitable<unknown> | (() => unknown);
type ResultOf<A> = A extends () => infer R ? (R extends Awaitable<unknown> ? AwaitedOf<R> : R) : AwaitedOf<A>;
type Results<A extends readonly unknown[]> = { -readonly [K in keyof A]: ResultOf<A[K]> };
/**
 * With `returnExceptions`, a failed child's slot holds what it threw, and any value can be
 * thrown (and a cancelled child's CancelledError): each slot is `unknown`, to narrow with
 * `instanceof`. (`ResultOf<A[K]> | unknown` is `unknown`: written so to say what a slot holds.)
 */
type ResultsOrErrors<A extends readonly unknown[]> = { -readonly [K in keyof A]: ResultOf<A[K]> | unknown };

/** The Future `gather()` returns: cancelling it cancels every child. */
export class GatheringFuture<T> extends Future<T> {
  /** @internal */ readonly _children: Future<unknown>[];
  /** @internal */ _cancelRequested = false;

  /** @internal */
  constructor(children: Future<unknown>[], loop: AbstractEventLoop) {
    super(loop);
    this._children = children;
  }

  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let cancelled = false;
    for (const child of this._children) if (child.cancel(msg)) cancelled = true;
    // Children that swallow the cancellation still end the gather cancelled.
    if (cancelled) this._cancelRequested = true;
    return cancelled;
  }
}

/**
 * Runs awaitables concurrently and resolves to their results in argument order.
 * Coroutines are wrapped in Tasks; the same awaitable passed twice runs once.
 * Without `{ returnExceptions: true }` (as last argument) the first exception
 * propagates at once and the other children keep running. Cancelling the gather
 * cancels every child.
 *
 * @example
 * import { run, gather, sleep, type Coro } from 'aio-ts';
 *
 * function* fetchData(ms: number, data: string): Coro<string> {
 *   yield* sleep(ms);
 *   return data;
 * }
 *
 * await run(function* () {
 *   // Typed as a tuple, [string, string, number], after 200 ms (not 300).
 *   const [a, b, c] = yield* gather(fetchData(200, 'Data 1'), fetchData(100, 'Data 2'), async () => 3);
 *   console.log(a, b, c); // Data 1 Data 2 3
 *
 *   const results = yield* gather(fetchData(10, 'ok'), async () => { throw new Error('boom'); }, { returnExceptions: true });
 *   console.log(results); // [ 'ok', Error: boom ]
 * });
 */
export function gather<const A extends readonly GatherArg[]>(...aws: A): GatheringFuture<Results<A>>;
export function gather<const A extends readonly GatherArg[]>(
  ...args: [...A, GatherOptions & { returnExceptions: true }]
): GatheringFuture<ResultsOrErrors<A>>;
export function gather<const A extends readonly GatherArg[]>(
  ...args: [...A, GatherOptions]
): GatheringFuture<Results<A>>;
export function gather(...args: unknown[]): GatheringFuture<unknown[]> {
  let returnExceptions = false;
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) {
    returnExceptions = Boolean(last.returnExceptions);
    args.pop();
  }
  return gatherArray(args, returnExceptions);
}

/**
 * `gather()` for any number of awaitables, given as an iterable (an array, a generator, a
 * Set): `gather(...aws)` spreads its arguments on the stack, which overflows somewhere above
 * 100k of them. Same semantics otherwise; the results are in iteration order.
 *
 * @example
 * const pages = yield* gatherFrom(urls.map((url) => fetchPage(url)));
 * const outcomes = yield* gatherFrom(jobs(), { returnExceptions: true });
 */
export function gatherFrom<A extends GatherArg>(aws: Iterable<A>, options?: GatherOptions & { returnExceptions?: false }): GatheringFuture<ResultOf<A>[]>;
export function gatherFrom<A extends GatherArg>(aws: Iterable<A>, options: GatherOptions): GatheringFuture<(ResultOf<A> | unknown)[]>;
export function gatherFrom(aws: Iterable<unknown>, options: GatherOptions = {}): GatheringFuture<unknown[]> {
  if (typeof (aws as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function' || typeof aws === 'string') {
    throw argumentError('gatherFrom', 'aws', 'an iterable (e.g. an array) of awaitables', aws);
  }
  if (typeof options !== 'object' || options === null) {
    throw argumentError('gatherFrom', 'options', 'an object like { returnExceptions: true }', options);
  }
  return gatherArray(Array.isArray(aws) ? aws.slice() : Array.from(aws), Boolean(options.returnExceptions));
}

/** Gathers `args`, an array of its own (it becomes the children array). */
function gatherArray(args: unknown[], returnExceptions: boolean): GatheringFuture<unknown[]> {
  const loop = requireRunningLoop();
  const total = args.length;
  // The rest array becomes the children array: no copy of a large gather's arguments.
  const children = args as Future<unknown>[];
  const outer = new GatheringFuture<unknown[]>(children, loop);
  if (total === 0) {
    outer.setResult([]);
    return outer;
  }
  const onChildDone = new ChildWaiter(outer, children, returnExceptions);
  // One pass over the arguments (a large gather is bound by memory traffic): wrap what is
  // not a Future of this loop, register the callback. The same coroutine passed twice must
  // run once; a Future passed twice simply gets two callbacks and is counted twice.
  // As in asyncio (3.12+), children that are already done are accounted for at once, after
  // the callbacks are registered: a gather of finished futures completes eagerly.
  let wrapped: Map<unknown, Future<unknown>> | null = null;
  let doneChildren: Future<unknown>[] | null = null;
  for (let i = 0; i < total; i++) {
    let child = children[i] as unknown;
    if (!(child instanceof Future && child._loop === loop)) {
      const arg = child;
      child = (wrapped ??= new Map()).get(arg);
      if (child === undefined) {
        try {
          child = wrap(arg, loop);
        } catch (error) {
          undo(children, i, wrapped, onChildDone);
          throw error;
        }
        wrapped.set(arg, child as Future<unknown>);
      }
      children[i] = child as Future<unknown>;
    }
    const future = child as Future<unknown>;
    if (future._state !== PENDING) (doneChildren ??= []).push(future);
    else future._addCallback(onChildDone);
  }
  if (doneChildren !== null) for (const child of doneChildren) onChildDone._wakeup(child);
  return outer;
}

/**
 * Counts a gather's children as they finish: a Waiter object (the protocol Tasks use), not a
 * closure per gather. When V8 optimizes a hot call site on a background thread it inlines the
 * function last called there and holds it, with its context, until the code is installed: a
 * closure over `children` and `outer` kept every child and the loop reachable after the run.
 */
class ChildWaiter extends PromptWaiter {
  #finished = 0;

  constructor(
    readonly outer: GatheringFuture<unknown[]>,
    readonly children: Future<unknown>[],
    readonly returnExceptions: boolean,
  ) {
    super();
  }

  /** A child that succeeded and is not the last: counted now, with no ready-queue entry (nothing else to do). */
  _completed(child: Future<unknown>): boolean {
    if (child._state !== FINISHED || this.#finished + 1 >= this.children.length) return false;
    this.#finished++;
    return true;
  }

  /** The gather's future awaits each child (the call graph's back-link). */
  _awaiter(): Future<unknown> {
    return this.outer;
  }

  _wakeup(child: Future<unknown>): void {
    const outer = this.outer;
    const finished = ++this.#finished;
    if (outer._state !== PENDING) {
      if (!child.cancelled()) child.exception(); // mark the error as retrieved
      return;
    }
    if (!this.returnExceptions) {
      if (child._state === CANCELLED) {
        outer.setException(child._makeCancelledError());
        return;
      }
      if (child._state !== FINISHED) {
        outer.setException(child.exception());
        return;
      }
    }
    if (finished < this.children.length) return;
    // A cancelled gather ends cancelled even if its children swallowed the cancellation.
    if (outer._cancelRequested) outer.setException(child._makeCancelledError());
    else outer.setResult(resultsOf(this.children));
  }
}

/**
 * The children's outcomes, in order. A function of its own: V8 optimizes a long loop while it
 * runs (on-stack replacement), and code compiled so inside `_wakeup` had no feedback yet for
 * what follows the loop, so it was thrown away at the loop's exit on every large gather.
 */
function resultsOf(children: Future<unknown>[]): unknown[] {
  const total = children.length;
  const results: unknown[] = new Array(total);
  for (let i = 0; i < total; i++) {
    const c = children[i]!;
    results[i] = c._state === FINISHED ? c._result : c._state === CANCELLED ? c._makeCancelledError() : c.exception();
  }
  return results;
}

anchorMaps((loop: AbstractEventLoop) => new ChildWaiter(new GatheringFuture<unknown[]>([], loop), [], false));

function wrap(arg: unknown, loop: AbstractEventLoop): Future<unknown> {
  if (Array.isArray(arg)) {
    throw new TypeError('gather() takes awaitables as separate arguments, got an Array: spread it, gather(...aws)');
  }
  return ensureFuture(arg as Awaitable<unknown>, loop);
}

/** A bad argument: forget the children registered so far; the tasks made for them never start. */
function undo(
  children: Future<unknown>[],
  count: number,
  wrapped: Map<unknown, Future<unknown>>,
  onChildDone: ChildWaiter,
): void {
  for (let i = 0; i < count; i++) children[i]!._removeCallback(onChildDone, Infinity);
  for (const task of wrapped.values()) task.cancel();
}

function isOptions(value: unknown): value is GatherOptions {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    'returnExceptions' in value
  );
}
