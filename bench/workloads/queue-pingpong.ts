// queue-pingpong: N items through a bounded queue (maxsize 16) from one producer task
// to one consumer task. `--maxsize 1` (the queue-handoff row): producer and consumer
// alternate on every item. Verified: the consumer's sum is N(N-1)/2.
import { loadAio, type AioFuture } from '../lib/aio.js';
import { intArg, runChild, verify } from '../lib/child.js';

const MAXSIZE = intArg('--maxsize', 16);

/** The smallest correct bounded Promise channel: FIFO waiters, no Array#shift. */
class Channel<T> {
  private readonly buf: T[] = [];
  private head = 0;
  private readonly getters: ((v: T) => void)[] = [];
  private getHead = 0;
  private readonly putters: (() => void)[] = [];
  private putHead = 0;

  constructor(private readonly maxsize: number) {}

  private size(): number {
    return this.buf.length - this.head;
  }

  async put(v: T): Promise<void> {
    while (this.size() >= this.maxsize) await new Promise<void>((resolve) => this.putters.push(resolve));
    if (this.getHead < this.getters.length) {
      const getter = this.getters[this.getHead]!;
      this.getters[this.getHead++] = undefined as never;
      if (this.getHead === this.getters.length) this.getters.length = this.getHead = 0;
      getter(v);
      return;
    }
    this.buf.push(v);
  }

  get(): Promise<T> {
    if (this.size() > 0) {
      const v = this.buf[this.head]!;
      this.buf[this.head++] = undefined as never;
      if (this.head === this.buf.length) this.buf.length = this.head = 0;
      this.wakePutter();
      return Promise.resolve(v);
    }
    return new Promise<T>((resolve) => {
      this.getters.push(resolve);
      this.wakePutter();
    });
  }

  private wakePutter(): void {
    if (this.putHead < this.putters.length) {
      const putter = this.putters[this.putHead]!;
      this.putters[this.putHead++] = undefined as never;
      if (this.putHead === this.putters.length) this.putters.length = this.putHead = 0;
      putter();
    }
  }
}

await runChild({
  expected: (n) => (n * (n - 1)) / 2,
  systems: {
    aio: async ({ n }) => {
      const { run, createTask, gather, Queue } = await loadAio('run', 'createTask', 'gather', 'Queue');
      return run(function* () {
        const q = new Queue<number>(MAXSIZE);
        const producer = createTask(function* () {
          for (let i = 0; i < n; i++) yield* q.put(i);
          return 0;
        });
        const consumer = createTask(function* () {
          let total = 0;
          for (let i = 0; i < n; i++) total += yield* q.get();
          return total;
        });
        const [, total] = yield* gather(producer, consumer);
        verify(q.qsize() === 0, `queue left with ${q.qsize()} items`);
        return total!;
      });
    },

    // The floor of an aio hand-off: the same two tasks, each wait a new Future (createFuture,
    // yield*, setResult) on a plain array buffer: what a Queue adds is its operations and waiters.
    'aio-futures': async ({ n }) => {
      const { run, createTask, gather, getRunningLoop } = await loadAio('run', 'createTask', 'gather', 'getRunningLoop');
      return run(function* () {
        type Waiter = AioFuture<void> & { setResult(value: void): void };
        const loop = getRunningLoop();
        const buf: number[] = [];
        let head = 0;
        let getter: Waiter | null = null;
        let putter: Waiter | null = null;
        const producer = createTask(function* () {
          for (let i = 0; i < n; i++) {
            while (buf.length - head >= MAXSIZE) {
              putter = loop.createFuture<void>();
              yield* putter;
            }
            buf.push(i);
            if (getter !== null) {
              const waiter = getter;
              getter = null;
              waiter.setResult(undefined);
            }
          }
          return 0;
        });
        const consumer = createTask(function* () {
          let total = 0;
          for (let i = 0; i < n; i++) {
            while (buf.length === head) {
              getter = loop.createFuture<void>();
              yield* getter;
            }
            total += buf[head++]!;
            if (head === buf.length) buf.length = head = 0;
            if (putter !== null) {
              const waiter = putter;
              putter = null;
              waiter.setResult(undefined);
            }
          }
          return total;
        });
        const [, total] = yield* gather(producer, consumer);
        return total!;
      });
    },

    'raw-channel': async ({ n }) => {
      const ch = new Channel<number>(MAXSIZE);
      const producer = async (): Promise<void> => {
        for (let i = 0; i < n; i++) await ch.put(i);
      };
      const consumer = async (): Promise<number> => {
        let total = 0;
        for (let i = 0; i < n; i++) total += await ch.get();
        return total;
      };
      const [, total] = await Promise.all([producer(), consumer()]);
      return total;
    },
  },
});
