/**
 * `Actor` and `spawnActor()`: a task of a task group that handles the messages of its
 * mailbox (an aio `Queue`) one at a time, with replies as Futures, and restarts with fresh
 * state after a failure if its policy allows.
 */
import { Future, type Coro } from '../futures.js';
import { CancelledError, QueueFull, TimeoutError } from '../errors.js';
import { Task, currentTask } from '../tasks.js';
import { Queue } from '../queues/queue.js';
import { sleep } from '../sleep.js';
import { InlineAwaitable } from '../body-runner.js';
import { TaskGroup, _currentTaskGroup } from '../taskgroup.js';
import type { AbstractEventLoop } from '../loop/events.js';
import { requireRunningLoop } from '../loop/running.js';
import { argumentError, checkMs } from '../validate.js';
import { call, prepare, type StageFn } from '../pipeline/stages.js';
import { ActorStoppedError } from './errors.js';
import { ActorContext } from './context.js';
import { RestartPolicy, type RestartOptions } from './supervision.js';

/** Handles one message and returns the reply (for `ask()`): a generator function, an async function or a plain one. */
export type ActorHandler<M, R> = (msg: M) => Coro<R> | PromiseLike<R> | R;

/**
 * Makes the actor's state and returns its handler; called when the actor starts and again at
 * each restart, so a restarted actor starts from fresh state. May be a generator function or
 * an async function (to open a connection first, say).
 */
export type ActorBehavior<M, R> = (
  // Not ActorContext<Actor<M, R>>: M and R are inferred from the handler, not from `ctx`.
  ctx: ActorContext<Actor<any, any>>,
) => ActorHandler<M, R> | Coro<ActorHandler<M, R>> | PromiseLike<ActorHandler<M, R>>;

/** Options of `spawnActor(behavior, options)`. */
export interface ActorOptions {
  /** The most messages waiting in the mailbox: `tell()` then waits, `tellNowait()` throws QueueFull. Default: no limit. */
  mailboxSize?: number;
  /** The actor's name (in errors, and its task's name). Default: `actor-<n>`. */
  name?: string;
  /** The task group the actor's task belongs to. Default: the current task group. */
  scope?: TaskGroup;
  /** Restart after a failure (see `RestartOptions`). Default: no restart, the first failure goes to the owner. */
  restart?: RestartOptions;
}

/** Options of `actor.ask(msg, options)`. */
export interface AskOptions {
  /** Milliseconds to wait for the reply before the Future fails with `TimeoutError`. Default: no limit. */
  timeout?: number | null;
}

/** Options of `actor.stop(options)`. */
export interface StopOptions {
  /**
   * false (default): the actor handles the messages already in its mailbox, then stops.
   * true: they are dropped (their asks fail with `ActorStoppedError`); the message being
   * handled is still handled to its end.
   */
  drop?: boolean;
}

/** A message sent with `ask()`, with the Future of its reply (a told message goes in the mailbox as it is). */
class Ask<M, R> {
  constructor(
    readonly msg: M,
    readonly reply: Future<R>,
  ) {}
}

/**
 * A message waiting for room in the mailbox: an ask (withdrawn once its reply is done), or a
 * told message with the Future its `tell()` awaits (withdrawn if that is cancelled).
 */
interface Waiting<M, R> {
  item: M | Ask<M, R>;
  entered: Future<void> | null;
}

let actorCount = 0;

/**
 * An actor: its own task, in a task group, handles the messages sent to it one at a time, in
 * the order they arrived. Made by `spawnActor()`. `M` is the type of its messages, `R` of its
 * replies.
 *
 * Failures: an error thrown by the handler (or the behavior) fails the `ask()` whose message
 * it was handling, if any, *and* ends the actor's run. With a `restart` policy the actor
 * restarts with fresh state (its mailbox kept) after the backoff; without one, or beyond the
 * limit, the actor stops and its task fails with the error, which its task group sees (it
 * cancels the group's other tasks and throws the error in its `ExceptionGroup`).
 */
export class Actor<M, R = void> implements AsyncDisposable {
  /** The actor's name. */
  readonly name: string;
  readonly #behavior: StageFn<ActorContext<Actor<any, any>>, ActorHandler<M, R>>;
  /** Unbounded: `#limit` is enforced here, so that messages waiting for room keep their order. */
  readonly #mailbox = new Queue<M | Ask<M, R>>();
  readonly #limit: number;
  /** Messages waiting for room, in the order they were sent; moved in as the actor takes messages. */
  #waiting: Waiting<M, R>[] = [];
  readonly #policy: RestartPolicy | null;
  readonly #loop: AbstractEventLoop;
  readonly #task: Task<void>;
  /** Done when the actor's task is, whichever way (never cancelled by a waiter). */
  readonly #ended: Future<void>;
  #restarts = 0;
  /** Why the actor stopped: set by stop(), a failure beyond the limit or a cancellation. */
  #stopped: ActorStoppedError | null = null;

  /** @internal Made by `spawnActor()`. */
  constructor(behavior: ActorBehavior<M, R>, options: ActorOptions, scope: TaskGroup, loop: AbstractEventLoop) {
    this.name = options.name ?? `actor-${++actorCount}`;
    this.#behavior = prepare(behavior as StageFn<ActorContext<Actor<any, any>>, ActorHandler<M, R>>);
    this.#limit = options.mailboxSize ?? Infinity;
    this.#policy = options.restart === undefined ? null : new RestartPolicy(options.restart);
    this.#loop = loop;
    this.#ended = new Future<void>(loop);
    this.#task = scope.createTask(this.#run(), { name: `Actor ${this.name}` });
    this.#task.addDoneCallback(() => this.#ended.setResult(undefined));
  }

  /** Messages waiting in the mailbox, or for room in it (not counting the one being handled). */
  get pending(): number {
    return this.#mailbox.qsize() + this.#waiting.length;
  }

  /** How many times the actor has been restarted. */
  get restarts(): number {
    return this.#restarts;
  }

  /** True once the actor takes no more messages: `stop()` was called, or it failed or was cancelled. */
  get stopped(): boolean {
    return this.#stopped !== null;
  }

  /**
   * Sends a message, waiting while the mailbox is full: `yield* actor.tell(msg)` /
   * `await actor.tell(msg)`. Like `queue.put()`, it does nothing until awaited. Messages that
   * wait for room (told or asked) enter the mailbox in the order they were sent. Throws
   * `ActorStoppedError` once the actor is stopped (also while waiting, if it drops them).
   */
  tell(msg: M): InlineAwaitable<void> {
    return new InlineAwaitable(() => this.#tell(msg));
  }

  /** Sends a message now: throws `QueueFull` if the mailbox is full, `ActorStoppedError` if the actor is stopped. */
  tellNowait(msg: M): void {
    if (this.#stopped !== null) throw this.#stoppedError('tellNowait()');
    if (!this.#hasRoom()) throw new QueueFull(`Actor ${this.name}: the mailbox is full (mailboxSize ${this.#limit}): use tell(), which waits for room`);
    this.#mailbox.putNowait(msg);
  }

  /**
   * Sends a message and returns the Future of the reply (what the handler returns for it, or
   * the error it throws): `yield* actor.ask(msg)` / `await actor.ask(msg)`. The message is sent
   * at once, or as soon as the mailbox has room. The Future fails with `TimeoutError` after
   * `timeout` ms, and with `ActorStoppedError` if the actor stops before handling the message.
   * Cancelling the Future (or a timeout) withdraws a message not yet handled; one being
   * handled is handled to its end, its reply dropped. If the handler throws, the Future gets
   * the error *and* the actor's restart policy applies (a restart, or the failure goes to the
   * task group).
   */
  ask(msg: M, options?: AskOptions): Future<R> {
    const limit = options?.timeout ?? null;
    checkMs('ask', 'options.timeout', limit, { nullable: true, nonNegative: true });
    const reply = new Future<R>(this.#loop);
    if (this.#stopped !== null) {
      reply.setException(this.#stoppedError('ask()'));
      return reply;
    }
    const ask = new Ask(msg, reply);
    if (this.#hasRoom()) this.#mailbox.putNowait(ask);
    else this.#waiting.push({ item: ask, entered: null });
    if (limit !== null) {
      const timer = this.#loop.callLater(limit, () => {
        if (!reply.done()) {
          reply.setException(new TimeoutError(`Actor ${this.name}: ask() got no reply within ${limit} ms: raise options.timeout, or make the handler faster`));
        }
      });
      reply.addDoneCallback(() => timer.cancel());
    }
    return reply;
  }

  /**
   * Stops the actor, at once: it takes no more messages (`ActorStoppedError`), handles those
   * already in its mailbox (or drops them with `{ drop: true }`: their asks fail), runs its
   * `onStop` clean-ups and ends. The returned awaitable waits until the actor's task has
   * ended; it never throws the actor's failure (its task group gets that). Called from the
   * actor's own handler, it does not wait (the handler must return first).
   */
  stop(options?: StopOptions): InlineAwaitable<void> {
    this.#stopped ??= new ActorStoppedError(`Actor ${this.name} was stopped: send messages before stop(), or spawn a new actor`);
    if (options?.drop === true) this.#dropMailbox();
    else this.#admit(true); // sent before stop(): handled too
    this.#mailbox.shutdown();
    return new InlineAwaitable(() => this.#waitEnd());
  }

  /** `await using actor = spawnActor(…)`: `stop()` at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** `<Actor name pending=n>`. */
  toString(): string {
    return `<Actor ${this.name} pending=${this.pending}${this.#stopped !== null ? ' stopped' : ''}>`;
  }

  *#tell(msg: M): Coro<void> {
    if (this.#stopped !== null) throw this.#stoppedError('tell()');
    if (this.#hasRoom()) {
      this.#mailbox.putNowait(msg);
      return;
    }
    const entered = new Future<void>(this.#loop);
    this.#waiting.push({ item: msg, entered });
    yield* entered; // cancelled: withdrawn (skipped when its turn comes)
  }

  /** Room for a message now: nothing waits for room before it, and the mailbox is under its limit. */
  #hasRoom(): boolean {
    return this.#waiting.length === 0 && this.#mailbox.qsize() < this.#limit;
  }

  /** Moves messages waiting for room into the mailbox, in order, while there is room (or all: `force`). */
  #admit(force: boolean): void {
    const waiting = this.#waiting;
    while (waiting.length > 0 && (force || this.#mailbox.qsize() < this.#limit)) {
      const { item, entered } = waiting.shift()!;
      if (entered !== null ? entered.done() : (item as Ask<M, R>).reply.done()) continue; // withdrawn
      this.#mailbox.putNowait(item);
      entered?.setResult(undefined);
    }
  }

  *#waitEnd(): Coro<void> {
    if (currentTask() === this.#task || this.#ended.done()) return;
    yield* this.#ended;
  }

  #dropMailbox(): void {
    const mailbox = this.#mailbox;
    while (mailbox.qsize() > 0) {
      const item = mailbox.getNowait();
      if (item instanceof Ask && !item.reply.done()) item.reply.setException(this.#stoppedError('ask()'));
    }
    for (const { item, entered } of this.#waiting.splice(0)) {
      if (entered !== null) {
        if (!entered.done()) entered.setException(this.#stoppedError('tell()'));
      } else if (!(item as Ask<M, R>).reply.done()) (item as Ask<M, R>).reply.setException(this.#stoppedError('ask()'));
    }
  }

  #stoppedError(call: string): ActorStoppedError {
    const why = this.#stopped!;
    return new ActorStoppedError(`${call}: ${why.message}`, why.cause === undefined ? undefined : { cause: why.cause });
  }

  /** The actor's task. However it ends, the actor is stopped after (an unexpected error included). */
  *#run(): Coro<void> {
    try {
      yield* this.#runs();
    } finally {
      this.#end(new ActorStoppedError(`Actor ${this.name} has ended: spawn a new actor`));
    }
  }

  /** Runs of the behavior, restarted per the policy, until stopped. */
  *#runs(): Coro<void> {
    for (;;) {
      const ctx = new ActorContext<Actor<any, any>>(this, this.name, this.#restarts);
      let failure: unknown;
      try {
        const handler = prepare(yield* call(this.#behavior, ctx));
        if (typeof handler !== 'function') {
          throw argumentError('spawnActor', 'behavior', 'a function that returns the message handler (a function)', handler);
        }
        yield* this.#serve(handler);
        return; // stopped, mailbox drained
      } catch (error) {
        if (error instanceof CancelledError) {
          this.#end(new ActorStoppedError(`Actor ${this.name} was cancelled (its task group is shutting down): spawn a new actor`));
          throw error;
        }
        failure = error;
      } finally {
        yield* ctx._runCleanups((error) => this.#report(error));
      }
      yield* this.#restart(failure);
    }
  }

  /** Handles messages until the mailbox is shut down and empty; throws the handler's error. */
  *#serve(handler: ActorHandler<M, R>): Coro<void> {
    const mailbox = this.#mailbox;
    for (let r = yield* mailbox.next(); !r.done; r = yield* mailbox.next()) {
      const item = r.value;
      if (this.#waiting.length > 0) this.#admit(false);
      if (!(item instanceof Ask)) {
        yield* call(handler, item);
        continue;
      }
      const reply = item.reply;
      if (reply.done()) continue; // withdrawn: cancelled or timed out before its turn
      let out: R;
      try {
        out = yield* call(handler, item.msg);
      } catch (error) {
        if (!reply.done()) reply.setException(error instanceof CancelledError ? this.#cancelledAsk() : error);
        throw error;
      }
      if (!reply.done()) reply.setResult(out);
    }
  }

  #cancelledAsk(): ActorStoppedError {
    return new ActorStoppedError(`Actor ${this.name} was cancelled while handling this ask() (its task group is shutting down)`);
  }

  /** After a failure: waits the backoff and returns (restart), or stops and throws the failure. */
  *#restart(failure: unknown): Coro<void> {
    let wait = -1;
    let why = 'no restart policy';
    if (this.#policy !== null) {
      try {
        wait = this.#policy.next(this.#loop.time());
        why = `restart limit reached: ${this.#policy.describe()}`;
      } catch (error) {
        why = `its restart backoff failed: ${String(error)}`;
      }
    }
    if (wait < 0) {
      this.#end(new ActorStoppedError(`Actor ${this.name} failed (${why}); its task group got the error: spawn a new actor`, { cause: failure }));
      throw failure;
    }
    this.#restarts++;
    if (wait > 0) {
      try {
        yield* sleep(wait);
      } catch (error) {
        if (error instanceof CancelledError) this.#end(new ActorStoppedError(`Actor ${this.name} was cancelled (its task group is shutting down): spawn a new actor`));
        throw error;
      }
    }
  }

  /** The actor will handle nothing more: refuse new messages, fail the asks still waiting. */
  #end(why: ActorStoppedError): void {
    this.#stopped ??= why;
    this.#dropMailbox();
    this.#mailbox.shutdown();
  }

  #report(error: unknown): void {
    this.#loop.callExceptionHandler({ message: `Actor ${this.name}: an onStop() clean-up failed`, exception: error, task: this.#task });
  }
}

/**
 * Starts an actor in a task of the current task group (the group whose body, or one of whose
 * tasks, is running; or `options.scope`). `behavior(ctx)` makes the actor's state and returns
 * its handler, `(msg) => reply`; it is called again at each restart, so state kept in its
 * closure starts fresh. Both may be generator functions, async functions or plain ones. The
 * group waits for the actor: `stop()` it (or `await using`) before the group's body ends.
 * Cancelling the group (or its owner) cancels the actor's task: the handler is interrupted at
 * its current await, and the `onStop` clean-ups and `finally` blocks run.
 *
 * @example
 * import { run, sleep, taskGroup } from 'aio-ts';
 * import { spawnActor } from 'aio-ts/actors';
 *
 * type Msg = { add: number } | 'total';
 *
 * // The state lives in the behavior's closure: a restart starts it afresh.
 * function counter() {
 *   let total = 0;
 *   return (msg: Msg) => (msg === 'total' ? total : (total += msg.add));
 * }
 *
 * // Async functions:
 * await run(async () => {
 *   await taskGroup(async () => {
 *     const actor = spawnActor(counter, { name: 'counter', mailboxSize: 100 });
 *     await actor.tell({ add: 2 }); // waits while the mailbox is full
 *     actor.tellNowait({ add: 3 }); // QueueFull if it is
 *     console.log(await actor.ask('total')); // 5
 *     await actor.stop(); // handles what is in the mailbox, then ends
 *   });
 * });
 *
 * // Generator coroutines, and a generator handler:
 * await run(function* () {
 *   yield* taskGroup(function* () {
 *     const slow = spawnActor(() => function* (n: number) {
 *       yield* sleep(10);
 *       return n * 2;
 *     });
 *     console.log(yield* slow.ask(21, { timeout: 1000 })); // 42
 *     yield* slow.stop();
 *   });
 * });
 */
export function spawnActor<M, R = void>(behavior: ActorBehavior<M, R>, options: ActorOptions = {}): Actor<M, R> {
  if (typeof behavior !== 'function') throw argumentError('spawnActor', 'behavior', 'a function (ctx) => handler', behavior);
  if (options === null || typeof options !== 'object') throw argumentError('spawnActor', 'options', 'an object', options);
  const size = options.mailboxSize;
  if (size !== undefined && size !== Infinity && (!Number.isInteger(size) || size < 1)) {
    const error = argumentError('spawnActor', 'options.mailboxSize', 'an integer >= 1 or Infinity', size);
    throw typeof size === 'number' ? new RangeError(error.message) : error;
  }
  if (options.name !== undefined && typeof options.name !== 'string') throw argumentError('spawnActor', 'options.name', 'a string', options.name);
  if (options.scope !== undefined && !(options.scope instanceof TaskGroup)) throw argumentError('spawnActor', 'options.scope', 'a TaskGroup', options.scope);
  const scope = options.scope ?? _currentTaskGroup();
  if (scope === null) {
    throw new Error('spawnActor() found no task group: call it inside taskGroup(…) (its body or one of its tasks), or pass { scope: tg }');
  }
  return new Actor<M, R>(behavior, options, scope, requireRunningLoop());
}
