// pipeline: N items through a 3-stage pipeline, concurrency 16 per stage, trivial work
// (x + 1 at each stage). Verified: the sum of what comes out is N(N-1)/2 + 3N.
import { Readable } from 'node:stream';
import { Unavailable } from '../lib/aio.js';
import { runChild } from '../lib/child.js';

const CONCURRENCY = 16;

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function loadPipeline(): Promise<typeof import('../../src/pipeline/index.ts') & typeof import('../../src/index.ts')> {
  try {
    const core = await import('../../src/index.ts');
    const pipeline = await import('../../src/pipeline/index.ts');
    return { ...core, ...pipeline };
  } catch (err) {
    throw new Unavailable(`cannot import src/pipeline/index.ts (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

/** The pipeline with generator stage functions that complete without suspending: its own cost. */
function genPipeline(ordered: boolean) {
  return async ({ n }: { n: number }): Promise<number> => {
    const { run, pipeline } = await loadPipeline();
    function* inc(x: number): Generator<never, number> {
      return x + 1;
    }
    return run(function* () {
      let total = 0;
      yield* pipeline(range(n))
        .map(inc, { concurrency: CONCURRENCY, ordered })
        .map(inc, { concurrency: CONCURRENCY, ordered })
        .map(inc, { concurrency: CONCURRENCY, ordered })
        .forEach(function* (x) {
          total += x;
        });
      return total;
    });
  };
}

await runChild({
  expected: (n) => (n * (n - 1)) / 2 + 3 * n,
  systems: {
    'aio-gen': genPipeline(false),
    'aio-gen-ordered': genPipeline(true),

    'aio-async': async ({ n }) => {
      const { run, pipeline } = await loadPipeline();
      const inc = async (x: number): Promise<number> => x + 1;
      return run(async () => {
        let total = 0;
        const p = pipeline(range(n))
          .map(inc, { concurrency: CONCURRENCY })
          .map(inc, { concurrency: CONCURRENCY })
          .map(inc, { concurrency: CONCURRENCY });
        for await (const x of p) total += x;
        return total;
      });
    },

    'aio-queues': async ({ n }) => {
      // The same pipeline by hand: 16 worker tasks per stage in one task group, Queue(16)s
      // between stages, each stage shutting its output down when its last worker ends.
      const { run, taskGroup, Queue } = await loadPipeline();
      return run(function* () {
        let total = 0;
        yield* taskGroup(function* (tg) {
          const queues = Array.from({ length: 4 }, () => new Queue<number>(CONCURRENCY));
          tg.createTask(function* () {
            for (let i = 0; i < n; i++) yield* queues[0]!.put(i);
            queues[0]!.shutdown();
          });
          for (let s = 0; s < 3; s++) {
            const input = queues[s]!;
            const output = queues[s + 1]!;
            let running = CONCURRENCY;
            for (let w = 0; w < CONCURRENCY; w++) {
              tg.createTask(function* () {
                for (let r = yield* input.next(); !r.done; r = yield* input.next()) yield* output.put(r.value + 1);
                if (--running === 0) output.shutdown();
              });
            }
          }
          const last = queues[3]!;
          for (let r = yield* last.next(); !r.done; r = yield* last.next()) total += r.value;
        });
        return total;
      });
    },

    'node-streams': async ({ n }) => {
      const inc = async (x: number): Promise<number> => x + 1;
      let total = 0;
      const stream = Readable.from(range(n))
        .map(inc, { concurrency: CONCURRENCY })
        .map(inc, { concurrency: CONCURRENCY })
        .map(inc, { concurrency: CONCURRENCY });
      for await (const x of stream) total += x as number;
      return total;
    },
  },
});
