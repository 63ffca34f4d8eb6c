/**
 * `ResourcePool`: a bounded pool of reusable resources (connections, handles), FIFO fair and
 * cancellation-safe, on aio Futures and Tasks.
 */
import { Future, type Coro } from '../futures.js';
import { CancelledError, TimeoutError } from '../errors.js';
import { Task } from '../tasks.js';
import { timeout } from '../timeouts.js';
import { InlineAwaitable, runBody, type Mode } from '../body-runner.js';
import { requireRunningLoop, runningLoopOrNull } from '../loop/running.js';
import type { AbstractEventLoop } from '../loop/events.js';
import type { TimerHandle } from '../loop/handles.js';
import { argumentError, checkMs } from '../validate.js';
import { call, prepare, type StageFn } from '../pipeline/stages.js';

/** Options of `new ResourcePool(options)`. */
export interface ResourcePoolOptions<R> {
  /** Makes a resource: a generator function, an async function or a plain one. */
  create: () => Coro<R> | PromiseLike<R> | R;
  /** Disposes of a resource (closing a connection). Default: nothing. Its errors go to the loop's exception handler. */
  destroy?: (resource: R) => Coro<unknown> | PromiseLike<unknown> | unknown;
  /** Checked before an idle resource is handed out; `false` destroys it and another is used. Default: always valid. */
  validate?: (resource: R) => boolean;
  /** The most resources alive at once (idle, borrowed or being made). */
  max: number;
  /**
   * Resources kept alive (idle or borrowed), made up front: when the pool is constructed in a
   * running loop, else at the first `acquire()`; and made again when one is destroyed. A
   * failed making is reported to the loop's exception handler and tried again at the next
   * `acquire()`. Default 0.
   */
  min?: number;
  /**
   * How long a resource may stay idle (ms, on the loop's clock) before it is destroyed, as long
   * as more than `min` are alive. Default: kept until `close()`.
   */
  idleTimeoutMs?: number | null;
  /** How long `acquire()` waits before it throws `TimeoutError` (ms). Default: no limit. */
  acquireTimeoutMs?: number | null;
}

/** The pool is closed: `acquire()` fails, and waiting acquirers are woken with this error. */
export class PoolClosedError extends Error {
  override name = 'PoolClosedError';
}

/** What a waiting acquirer is handed: a resource, or the right to create one. */
const CREATE: unique symbol = Symbol('create');
type Grant<R> = { resource: R } | typeof CREATE;

/**
 * A borrowed resource. Give it back exactly once: `release()` (or leave a `using` block), or
 * `destroy()` if it is broken (the pool destroys it and makes a new one when needed).
 */
export class Lease<R> implements Disposable {
  /** The borrowed resource. */
  readonly resource: R;
  readonly #pool: ResourcePool<R>;
  #returned = false;

  /** @internal Made by `ResourcePool.acquire()`. */
  constructor(pool: ResourcePool<R>, resource: R) {
    this.#pool = pool;
    this.resource = resource;
  }

  /** Gives the resource back to the pool. Throws if it was already given back. */
  release(): void {
    this.#return(false);
  }

  /** Gives the resource back as broken: the pool destroys it. */
  destroy(): void {
    this.#return(true);
  }

  /** `using lease = …`: releases the resource at the end of the block (if not done already). */
  [Symbol.dispose](): void {
    if (!this.#returned) this.#return(false);
  }

  #return(broken: boolean): void {
    if (this.#returned) throw new Error('Lease: the resource was already given back to the pool');
    this.#returned = true;
    this.#pool._giveBack(this.resource, broken);
  }
}

/**
 * A pool of at most `max` resources, made on demand by `create` and reused. `acquire()` hands
 * out an idle resource, makes one while fewer than `max` are alive, or waits its turn (first
 * come, first served). An acquirer cancelled or timed out at any point never loses a
 * resource nor gets one handed twice: a resource given to it as it was cancelled goes to the
 * next in line. With `min`, that many are made up front and kept alive; with `idleTimeoutMs`,
 * a resource idle that long is destroyed while more than `min` are alive (timed on the loop's
 * clock, so virtual time drives it). `close()` refuses new acquirers, waits until every
 * borrowed resource is back, and destroys them all.
 *
 * @example
 * import { run, sleep, gather, type Coro } from 'aio-ts';
 * import { ResourcePool } from 'aio-ts/pool';
 *
 * let made = 0;
 * const pool = new ResourcePool({
 *   create: async () => ({ id: ++made }), // say, a database connection
 *   destroy: (conn) => console.log(`closing ${conn.id}`),
 *   max: 2,
 * });
 *
 * function* query(n: number): Coro<string> {
 *   using lease = yield* pool.acquire(); // waits while 2 are borrowed
 *   yield* sleep(10);
 *   return `query ${n} on connection ${lease.resource.id}`;
 * }
 *
 * async function queryAsync(n: number): Promise<string> {
 *   using lease = await pool.acquire();
 *   await sleep(10);
 *   return `query ${n} on connection ${lease.resource.id}`;
 * }
 *
 * await run(async () => {
 *   console.log(await gather(query(1), query(2), query(3))); // connections 1, 2, then 1 again
 *   console.log(await queryAsync(4)); // query 4 on connection 2
 *   await pool.close(); // closing 1, closing 2
 * });
 */
export class ResourcePool<R> {
  readonly #create: StageFn<undefined, R>;
  readonly #destroy: StageFn<R, unknown> | null;
  readonly #validate: ((resource: R) => boolean) | null;
  readonly #max: number;
  readonly #min: number;
  readonly #acquireTimeoutMs: number | null;
  readonly #idleTimeoutMs: number | null;
  /** Idle resources, the one idle longest first, and the loop time each became idle. */
  #idle: R[] = [];
  #idleSince: number[] = [];
  /** The timer that destroys the first idle resource when its idle time is up (idleTimeoutMs). */
  #reaper: TimerHandle | null = null;
  /** Resources being made to keep `min` alive. */
  #filling = new Set<Task<R>>();
  /** Resources alive: idle, borrowed, being made, or reserved for a waiter who will make one. */
  #size = 0;
  #waiters: Future<Grant<R>>[] = [];
  #closing = false;
  #loop: AbstractEventLoop | null = null;
  #destroying = new Set<Task<unknown>>();
  #drained: Future<void> | null = null;

  /** @param options What the resources are and how many there may be. */
  constructor(options: ResourcePoolOptions<R>) {
    if (typeof options?.create !== 'function') throw argumentError('ResourcePool', 'options.create', 'a function', options?.create);
    if (options.destroy !== undefined && typeof options.destroy !== 'function') {
      throw argumentError('ResourcePool', 'options.destroy', 'a function', options.destroy);
    }
    if (options.validate !== undefined && typeof options.validate !== 'function') {
      throw argumentError('ResourcePool', 'options.validate', 'a function', options.validate);
    }
    if (!Number.isInteger(options.max) || options.max < 1) throw argumentError('ResourcePool', 'options.max', 'an integer >= 1', options.max);
    const min = options.min ?? 0;
    if (!Number.isInteger(min) || min < 0 || min > options.max) throw argumentError('ResourcePool', 'options.min', `an integer from 0 to max (${options.max})`, options.min);
    checkMs('ResourcePool', 'options.acquireTimeoutMs', options.acquireTimeoutMs, { nullable: true, nonNegative: true });
    checkMs('ResourcePool', 'options.idleTimeoutMs', options.idleTimeoutMs, { nullable: true, nonNegative: true });
    this.#create = prepare(options.create as StageFn<undefined, R>);
    this.#destroy = options.destroy === undefined ? null : prepare(options.destroy);
    this.#validate = options.validate ?? null;
    this.#max = options.max;
    this.#min = min;
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? null;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? null;
    const loop = runningLoopOrNull();
    if (loop !== null) this.#start(loop);
  }

  /** Resources alive (idle, borrowed or being made). */
  get size(): number {
    return this.#size;
  }

  /** Idle resources, ready to be handed out. */
  get idle(): number {
    return this.#idle.length;
  }

  /** Acquirers waiting for a resource. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing;
  }

  /**
   * Borrows a resource: `using lease = yield* pool.acquire()` / `using lease = await pool.acquire()`.
   * Throws `TimeoutError` after `acquireTimeoutMs`, `PoolClosedError` once the pool is closed,
   * and whatever `create` throws.
   */
  acquire(): InlineAwaitable<Lease<R>> {
    return new InlineAwaitable((mode) => this.#acquire(mode));
  }

  /**
   * Borrows a resource for `fn(resource)` (a generator function or an async function) and
   * gives it back when `fn` ends, whichever way.
   */
  use<T>(fn: (resource: R) => Coro<T> | PromiseLike<T> | T): InlineAwaitable<T> {
    if (typeof fn !== 'function') throw argumentError('use', 'fn', 'a function', fn);
    return new InlineAwaitable((mode) => this.#use(mode, fn));
  }

  /**
   * Closes the pool: acquirers waiting now and later get `PoolClosedError`; resolves once every
   * borrowed resource has been given back and every resource destroyed.
   */
  close(): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#close());
  }

  *#use<T>(mode: Mode, fn: (resource: R) => unknown): Coro<T> {
    const lease = yield* this.#acquire(mode);
    try {
      return yield* runBody<R, T>(fn, lease.resource, mode);
    } finally {
      lease.release();
    }
  }

  *#acquire(_mode: Mode): Coro<Lease<R>> {
    if (this.#closing) throw new PoolClosedError('ResourcePool is closed: acquire() from a pool that is open');
    if (this.#loop === null) this.#start(requireRunningLoop());
    else if (this.#size < this.#min) this.#fill();
    while (this.#idle.length > 0) {
      const resource = this.#takeIdle();
      if (this.#validate === null || this.#validate(resource)) return new Lease(this, resource);
      this.#discard(resource);
    }
    if (this.#size < this.#max && this.#waiters.length === 0) {
      this.#size++;
      return new Lease(this, yield* this.#make());
    }
    const limit = this.#acquireTimeoutMs;
    const grant = limit === null ? yield* this.#wait() : yield* this.#waitWithin(limit);
    return new Lease(this, grant === CREATE ? yield* this.#make() : grant.resource);
  }

  *#waitWithin(limit: number): Coro<Grant<R>> {
    const pool = this;
    try {
      return yield* timeout(limit, function* () {
        return yield* pool.#wait();
      });
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new TimeoutError(`ResourcePool.acquire() waited ${limit} ms for one of ${this.#max} resources: raise max or acquireTimeoutMs, or hold resources for less time`);
      }
      throw error;
    }
  }

  /** Waits in line for a resource or for the right to make one. */
  *#wait(): Coro<Grant<R>> {
    const waiter = new Future<Grant<R>>(this.#loop!);
    this.#waiters.push(waiter);
    try {
      return yield* waiter;
    } catch (error) {
      const at = this.#waiters.indexOf(waiter);
      if (at >= 0) this.#waiters.splice(at, 1);
      // Granted as it was cancelled: pass the grant on, so that nothing is lost.
      else if (waiter.done() && !waiter.cancelled() && waiter.exception() === null) this.#regrant(waiter.result());
      throw error;
    }
  }

  /**
   * Makes a resource in a task of its own (capacity already counted): if the acquirer is
   * cancelled meanwhile, the task is cancelled too, and a resource it still makes is not lost.
   */
  *#make(): Coro<R> {
    const create = this.#create;
    const task = new Task<R>(function* () {
      return yield* call(create, undefined);
    }, { name: 'ResourcePool create' });
    try {
      return yield* task;
    } catch (error) {
      if (!task.done()) task.addDoneCallback(() => this.#settleMake(task));
      else this.#settleMake(task);
      throw error;
    }
  }

  /** A creation whose acquirer went away (or that failed): keep its resource, or free its place. */
  #settleMake(task: Task<R>): void {
    if (!task.cancelled() && task.exception() === null) this._giveBack(task.result(), false);
    else {
      this.#size--;
      this.#grantPlace();
    }
  }

  #regrant(grant: Grant<R>): void {
    if (grant === CREATE) {
      this.#size--;
      this.#grantPlace();
    } else this._giveBack(grant.resource, false);
  }

  /** @internal A lease gives its resource back. */
  _giveBack(resource: R, broken: boolean): void {
    if (broken || this.#closing) {
      this.#discard(resource);
      return;
    }
    const waiter = this.#nextWaiter();
    if (waiter !== null) waiter.setResult({ resource });
    else {
      this.#idle.push(resource);
      this.#idleSince.push(this.#loop!.time());
      if (this.#idleTimeoutMs !== null && this.#reaper === null) this.#armReaper();
    }
  }

  #takeIdle(): R {
    this.#idleSince.shift();
    return this.#idle.shift()!;
  }

  /** The pool meets its loop: make the `min` resources (later, in tasks of their own). */
  #start(loop: AbstractEventLoop): void {
    this.#loop = loop;
    if (this.#min > 0) loop.callSoon(() => this.#fill());
  }

  /** Makes resources, each in a task of its own, until `min` are alive. */
  #fill(): void {
    const create = this.#create;
    while (this.#size < this.#min && !this.#closing) {
      this.#size++;
      const task = new Task<R>(function* () {
        return yield* call(create, undefined);
      }, { name: 'ResourcePool create (min)' }, this.#loop!);
      this.#filling.add(task);
      task.addDoneCallback(() => this.#filled(task));
    }
  }

  #filled(task: Task<R>): void {
    this.#filling.delete(task);
    if (!task.cancelled() && task.exception() === null) {
      this._giveBack(task.result(), false);
      return;
    }
    if (!task.cancelled()) {
      this.#loop!.callExceptionHandler({ message: 'ResourcePool: create() failed while keeping min resources', exception: task.exception(), task });
    }
    // No retry here (a create that always fails would spin): the next acquire() tries again.
    this.#size--;
    this.#grantPlace();
  }

  /** Arms the timer for the resource idle longest, if more than `min` are alive. */
  #armReaper(): void {
    if (this.#idle.length === 0 || this.#size <= this.#min || this.#closing) return;
    const due = this.#idleSince[0]! + this.#idleTimeoutMs! - this.#loop!.time();
    this.#reaper = this.#loop!.callLater(Math.max(0, due), () => this.#reap());
  }

  /** Destroys the resources idle for idleTimeoutMs, oldest first, keeping `min` alive. */
  #reap(): void {
    this.#reaper = null;
    const limit = this.#loop!.time() - this.#idleTimeoutMs!;
    while (this.#idle.length > 0 && this.#size > this.#min && this.#idleSince[0]! <= limit) {
      this.#discard(this.#takeIdle());
    }
    this.#armReaper();
  }

  /**
   * The first waiter still waiting. A cancelled one (by its task or a timeout) stays in line
   * until its task resumes and leaves; skip it, so that nothing is handed to it.
   */
  #nextWaiter(): Future<Grant<R>> | null {
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (!waiter.done()) return waiter;
    }
    return null;
  }

  /** A place was freed: the first waiter may make a resource. */
  #grantPlace(): void {
    if (this.#closing) {
      if (this.#size === 0) this.#drained?.setResult(undefined);
      return;
    }
    const waiter = this.#nextWaiter();
    if (waiter === null) return;
    this.#size++;
    waiter.setResult(CREATE);
  }

  /** Destroys a resource in a task of its own and frees its place. */
  #discard(resource: R): void {
    const destroy = this.#destroy;
    if (destroy !== null) {
      const loop = this.#loop!;
      const task = new Task<unknown>(function* () {
        return yield* call(destroy, resource);
      }, { name: 'ResourcePool destroy' }, loop);
      this.#destroying.add(task as Task<unknown>);
      task.addDoneCallback(() => {
        this.#destroying.delete(task as Task<unknown>);
        if (!task.cancelled() && task.exception() !== null) {
          loop.callExceptionHandler({ message: 'ResourcePool: destroy() failed', exception: task.exception(), task });
        }
      });
    }
    this.#size--;
    this.#grantPlace();
    if (this.#size < this.#min && !this.#closing) this.#fill();
  }

  *#close(): Coro<void> {
    if (!this.#closing) {
      this.#closing = true;
      for (const waiter of this.#waiters.splice(0)) waiter.setException(new PoolClosedError('ResourcePool was closed while waiting in acquire()'));
      this.#reaper?.cancel();
      this.#reaper = null;
      for (const task of this.#filling) task.cancel(); // a resource still made is destroyed
      this.#idleSince = [];
      for (const resource of this.#idle.splice(0)) this.#discard(resource);
    }
    if (this.#size > 0) {
      this.#drained ??= new Future<void>(this.#loop ?? requireRunningLoop());
      yield* this.#drained;
    }
    while (this.#destroying.size > 0) {
      const task = this.#destroying.values().next().value!;
      // Now, not in its done callback: a done task's callbacks may not have run yet, and
      // `yield*` of a done task returns at once.
      this.#destroying.delete(task);
      try {
        yield* task;
      } catch (error) {
        if (error instanceof CancelledError && !task.cancelled()) throw error;
        // destroy() errors were reported to the exception handler
      }
    }
  }

  /** `<ResourcePool size/max, idle, waiting>`. */
  toString(): string {
    return `<ResourcePool ${this.#size}/${this.#max} alive, ${this.#idle.length} idle, ${this.#waiters.length} waiting>`;
  }
}
