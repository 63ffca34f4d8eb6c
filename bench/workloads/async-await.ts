// async-await: one async-function task awaits N times: what one `await` costs in aio's
// async-function tasks, next to a plain async function with no context tracking and one
// inside AsyncLocalStorage (the mechanism Node offers; cheap on Node 24, where
// AsyncContextFrame is the default). Verified: N awaits returned the awaited value (1).
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadAio } from '../lib/aio.js';
import { runChild } from '../lib/child.js';

async function awaitLoop(n: number, awaitable: PromiseLike<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < n; i++) total += await awaitable;
  return total;
}

await runChild({
  expected: (n) => n,
  systems: {
    'aio-future': async ({ n }) => {
      const { run, createTask, getRunningLoop } = await loadAio('run', 'createTask', 'getRunningLoop');
      return run(function* () {
        const done = getRunningLoop().createFuture<number>();
        done.setResult(1);
        return yield* createTask(async () => awaitLoop(n, done));
      });
    },

    'aio-promise': async ({ n }) => {
      const { run, createTask } = await loadAio('run', 'createTask');
      const resolved = Promise.resolve(1);
      return run(function* () {
        return yield* createTask(async () => awaitLoop(n, resolved));
      });
    },

    'raw-await': ({ n }) => awaitLoop(n, Promise.resolve(1)),

    'raw-await-als': ({ n }) => {
      const als = new AsyncLocalStorage<object>();
      return als.run({}, () => awaitLoop(n, Promise.resolve(1)));
    },
  },
});
