// executor: N trivial jobs ((x) => x + 1) round-tripped one at a time through a worker
// thread: what one job costs beyond the work itself. Timed from the end of a first job (the
// worker has started) to the end of the last; the executor's shutdown is not timed.
// Verified: the sum of the results is N(N+1)/2.
import { Worker } from 'node:worker_threads';
import { loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

const inc = (x: number): number => x + 1;

/** The floor: a bare worker that answers x + 1, one message each way per job. */
const RAW_WORKER = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (x) => parentPort.postMessage(x + 1));`;

await runChild({
  expected: (n) => (n * (n + 1)) / 2,
  systems: {
    aio: async (round) => {
      const { run, getRunningLoop } = await loadAio('run', 'getRunningLoop');
      return run(function* () {
        const loop = getRunningLoop();
        verify((yield* loop.runInExecutor(null, inc, 0)) === 1, 'first job');
        round.start();
        let total = 0;
        for (let i = 0; i < round.n; i++) total += yield* loop.runInExecutor(null, inc, i);
        round.stop();
        return total;
      });
    },

    'raw-worker': async (round) => {
      const worker = new Worker(RAW_WORKER, { eval: true, execArgv: [] });
      let answer: (x: number) => void = () => {};
      worker.on('message', (x: number) => answer(x));
      const roundTrip = (x: number): Promise<number> =>
        new Promise((resolve) => {
          answer = resolve;
          worker.postMessage(x);
        });
      verify((await roundTrip(0)) === 1, 'first job');
      round.start();
      let total = 0;
      for (let i = 0; i < round.n; i++) total += await roundTrip(i);
      round.stop();
      await worker.terminate();
      return total;
    },
  },
});
