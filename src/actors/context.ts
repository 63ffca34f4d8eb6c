/**
 * What a behavior is given each time the actor starts: its name, how many times it was
 * restarted, the actor itself (to message itself), and `onStop()` for clean-up.
 */
import type { Coro } from '../futures.js';
import { CancelledError } from '../errors.js';
import { argumentError } from '../validate.js';
import { call, prepare, type StageFn } from '../pipeline/stages.js';

/** A clean-up function of `ctx.onStop()`: a generator function, an async function or a plain one. */
export type StopCallback = () => Coro<unknown> | PromiseLike<unknown> | unknown;

/**
 * The context of one run of an actor's behavior (from its start or restart to its stop,
 * failure or cancellation). `A` is the actor's type, for `ctx.self`: annotate the parameter
 * (`(ctx: ActorContext<Actor<Msg, Reply>>) => …`) to type the messages it sends itself.
 */
export class ActorContext<A = unknown> {
  /** The actor: `ctx.self.tell(msg)` sends a message to itself (do not `ask()` yourself: you would wait for your own reply). */
  readonly self: A;
  /** The actor's name. */
  readonly name: string;
  /** How many times the actor has been restarted before this run (0 on the first). */
  readonly restarts: number;
  #cleanups: StageFn<undefined, unknown>[] = [];

  /** @internal Made by the actor for each run of its behavior. */
  constructor(self: A, name: string, restarts: number) {
    this.self = self;
    this.name = name;
    this.restarts = restarts;
  }

  /**
   * Registers `cleanup` to run in the actor's task when this run ends, whichever way (stop,
   * failure before a restart, cancellation of the owner): last registered, first run. Its
   * errors go to the loop's exception handler.
   */
  onStop(cleanup: StopCallback): void {
    if (typeof cleanup !== 'function') throw argumentError('onStop', 'cleanup', 'a function', cleanup);
    this.#cleanups.push(prepare(cleanup as StageFn<undefined, unknown>));
  }

  /** @internal Runs the clean-ups, last first; one that fails is reported and the others still run. */
  *_runCleanups(report: (error: unknown) => void): Coro<void> {
    const cleanups = this.#cleanups;
    this.#cleanups = [];
    let cancelled: CancelledError | null = null;
    while (cleanups.length > 0) {
      try {
        yield* call(cleanups.pop()!, undefined);
      } catch (error) {
        if (error instanceof CancelledError) cancelled ??= error;
        else report(error);
      }
    }
    if (cancelled !== null) throw cancelled;
  }
}
