/**
 * Shared memory between a test and its executor jobs: proofs of order and concurrency that
 * need no timing. The jobs below are self-contained (they run in worker threads: only their
 * source crosses), and take the cells as an argument; a typed array over a SharedArrayBuffer
 * is shared, not copied.
 */

/** `n` Int32 cells, all 0, shared with worker threads. */
export function cells(n = 1): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/** Sets cell `index` to 1 and wakes the jobs waiting on it (`waitOpen`). */
export function open(shared: Int32Array, index = 0): void {
  Atomics.store(shared, index, 1);
  Atomics.notify(shared, index);
}

/** Job: waits until cell `index` is opened (at most 10 s); returns whether it was. */
export const waitOpen = (shared: Int32Array, index = 0): boolean => Atomics.wait(shared, index, 0, 10_000) !== 'timed-out';

/** Job: adds 1 to cell `index`; returns the new value. */
export const increment = (shared: Int32Array, index = 0): number => Atomics.add(shared, index, 1) + 1;

/**
 * Job: arrives at a barrier of `parties` (cell 0 counts arrivals) and waits until all have
 * arrived (at most 10 s). Returns whether they all did: only jobs running at the same time can.
 */
export const barrier = (shared: Int32Array, parties: number): boolean => {
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
  const deadline = Date.now() + 10_000;
  for (let seen = Atomics.load(shared, 0); seen < parties; seen = Atomics.load(shared, 0)) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(shared, 0, seen, left) === 'timed-out') return false;
  }
  return true;
};

/**
 * Job: appends `value` to a log: cell 0 is the length, the entries follow. Returns its index.
 */
export const append = (shared: Int32Array, value: number): number => {
  const at = Atomics.add(shared, 0, 1);
  Atomics.store(shared, at + 1, value);
  return at;
};

/** The entries of a log written by `append`. */
export function logOf(shared: Int32Array): number[] {
  return Array.from(shared.subarray(1, 1 + Atomics.load(shared, 0)));
}

/** Job: keeps the worker's CPU busy for `ms` milliseconds; returns how many loops it made. */
export const spin = (ms: number): number => {
  const end = performance.now() + ms;
  let loops = 0;
  while (performance.now() < end) loops++;
  return loops;
};
