// lock-uncontended: one task acquiring and releasing a free lock N times.
// Verified: N acquisitions resolved to `true` (raw: N awaits returned the promise's value).
// aio: `yield* lock.acquire()` in a generator task; aio-async: `await lock.acquire()` in an
// async-function task.
import { Mutex } from 'async-mutex';
import { loadAio } from '../lib/aio.js';
import { runChild, verify } from '../lib/child.js';

await runChild({
  expected: (n) => n,
  systems: {
    aio: async ({ n }) => {
      const { run, Lock } = await loadAio('run', 'Lock');
      return run(function* () {
        const lock = new Lock();
        let acquired = 0;
        for (let i = 0; i < n; i++) {
          if ((yield* lock.acquire()) === true) acquired++;
          lock.release();
        }
        verify(!lock.locked(), 'lock still held at the end');
        return acquired;
      });
    },

    'aio-async': async ({ n }) => {
      const { run, Lock } = await loadAio('run', 'Lock');
      return run(async () => {
        const lock = new Lock();
        let acquired = 0;
        for (let i = 0; i < n; i++) {
          if ((await lock.acquire()) === true) acquired++;
          lock.release();
        }
        verify(!lock.locked(), 'lock still held at the end');
        return acquired;
      });
    },

    'raw-await': async ({ n }) => {
      const resolved = Promise.resolve(true);
      let acquired = 0;
      for (let i = 0; i < n; i++) if ((await resolved) === true) acquired++;
      return acquired;
    },

    // The floor of any lazy awaitable in an async function: `await` of a thenable costs a
    // microtask to call its then() before the one that resumes the function.
    'raw-thenable': async ({ n }) => {
      const thenable = { then: (resolve: (v: boolean) => void) => resolve(true) };
      let acquired = 0;
      for (let i = 0; i < n; i++) if ((await thenable) === true) acquired++;
      return acquired;
    },

    'async-mutex': async ({ n }) => {
      const mutex = new Mutex();
      let acquired = 0;
      for (let i = 0; i < n; i++) {
        const release = await mutex.acquire();
        acquired++;
        release();
      }
      verify(!mutex.isLocked(), 'mutex still held at the end');
      return acquired;
    },
  },
});
