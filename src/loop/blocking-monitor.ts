/**
 * Debug mode: Node's event loop kept busy beyond `slowCallbackDuration`, whoever caused it.
 * The per-callback report (`executing … took`) names one slow step; this one covers a turn of
 * Node's loop that was long while no single step was (many steps, async-function code run
 * between iterations, foreign callbacks), and time lost outside the loop (Node came back late:
 * other code blocked it). The EventLoop makes one only in debug mode and calls it at the
 * points where it hands control to Node and gets it back.
 */

/** What the monitor needs of the loop. */
export interface MonitoredLoop {
  slowCallbackDuration: number;
}

export class BlockingMonitor {
  readonly #loop: MonitoredLoop;
  /** When the loop got control back from Node (performance.now()). */
  #since = 0.5;
  /** When it handed control to Node last (for the gap check). */
  #handedOff = -Infinity;
  #iterations = 0;
  #steps = 0;
  #inSteps = 0.5;
  #longest = 0.5;
  #longestWhat: (() => string) | null = null;

  constructor(loop: MonitoredLoop) {
    this.#loop = loop;
    this.#since = performance.now();
  }

  /** One iteration of the loop began. */
  iteration(): void {
    this.#iterations++;
  }

  /** A ready entry ran for `took` ms; `describe()` names it if it turns out to be the longest. */
  step(took: number, describe: () => string): void {
    this.#steps++;
    this.#inSteps += took;
    if (took > this.#longest) {
      this.#longest = took;
      this.#longestWhat = describe;
    }
  }

  /** The loop hands control to Node now (a setImmediate, or waiting while idle). */
  handOff(): void {
    const now = performance.now();
    const busy = now - this.#since;
    const limit = this.#loop.slowCallbackDuration;
    // A single step that long was reported by itself ("executing … took").
    if (busy >= limit && this.#longest < limit) {
      const outside = busy - this.#inSteps;
      const longest = this.#longestWhat === null ? 'none' : `${this.#longestWhat()} (${seconds(this.#longest)} s)`;
      console.warn(
        `aio: the event loop blocked Node for ${seconds(busy)} seconds in one turn ` +
          `(${this.#iterations} iterations, ${this.#steps} callbacks and task steps taking ${seconds(this.#inSteps)} s; ` +
          `${seconds(outside)} s outside them: async-function code between iterations, promise callbacks). ` +
          `Longest step: ${longest}`,
      );
    }
    this.#handedOff = now;
  }

  /**
   * Node gave control back. `expected`: the earliest it could have (performance.now() time;
   * -Infinity: unknown, e.g. woken by an event). Coming back late by the limit or more means
   * other code kept Node busy meanwhile.
   */
  resumed(expected: number): void {
    const now = performance.now();
    const late = now - Math.max(this.#handedOff, expected);
    const limit = this.#loop.slowCallbackDuration;
    if (expected !== -Infinity && late >= limit) {
      console.warn(
        `aio: Node's event loop was blocked for ${seconds(late)} seconds outside the aio loop ` +
          '(by code no task ran: a Node timer, I/O or event callback, or synchronous code of the program)',
      );
    }
    this.#since = now;
    this.#iterations = 0;
    this.#steps = 0;
    this.#inSteps = 0;
    this.#longest = 0;
    this.#longestWhat = null;
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
