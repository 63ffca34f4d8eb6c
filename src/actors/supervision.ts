/**
 * Restart policy of an actor: how many restarts within which window, and how long to wait
 * before each (Erlang's restart intensity and period, with a backoff).
 */
import { argumentError, checkMs } from '../validate.js';

/** Options of `spawnActor(behavior, { restart })`. */
export interface RestartOptions {
  /** Restarts allowed within `withinMs`; one more failure in that window is given to the owner. Default 3. */
  maxRestarts?: number;
  /** The window (ms) in which restarts are counted. Default 5000. */
  withinMs?: number;
  /**
   * Wait before a restart (ms, on the loop's clock): a number, or a function of the restart's
   * rank in the window (1 for the first), e.g. `(n) => 100 * 2 ** (n - 1)`. Default 0.
   */
  backoff?: number | ((restart: number) => number);
}

/** Counts restarts in a sliding window and says whether one more is allowed, and after what wait. */
export class RestartPolicy {
  readonly #max: number;
  readonly #within: number;
  readonly #backoff: number | ((restart: number) => number);
  /** Loop times of the restarts still inside the window, oldest first. */
  #times: number[] = [];

  constructor(options: RestartOptions) {
    const max = options.maxRestarts ?? 3;
    if (!Number.isInteger(max) || max < 0) throw argumentError('spawnActor', 'options.restart.maxRestarts', 'an integer >= 0', max);
    checkMs('spawnActor', 'options.restart.withinMs', options.withinMs, { nullable: true, nonNegative: true });
    const backoff = options.backoff ?? 0;
    if (typeof backoff !== 'function') checkMs('spawnActor', 'options.restart.backoff', backoff, { nonNegative: true, finite: true });
    this.#max = max;
    this.#within = options.withinMs ?? 5000;
    this.#backoff = backoff;
  }

  /**
   * A failure at loop time `now`: the wait before the restart (ms), or -1 if the limit is
   * reached and the failure goes to the owner.
   */
  next(now: number): number {
    const times = this.#times;
    while (times.length > 0 && times[0]! <= now - this.#within) times.shift();
    if (times.length >= this.#max) return -1;
    times.push(now);
    const backoff = this.#backoff;
    if (typeof backoff === 'number') return backoff;
    const wait = backoff(times.length);
    checkMs('spawnActor', 'the value of options.restart.backoff(n)', wait, { nonNegative: true, finite: true });
    return wait;
  }

  /** The limit, for messages. */
  describe(): string {
    return `${this.#max} restarts within ${this.#within} ms`;
  }
}
