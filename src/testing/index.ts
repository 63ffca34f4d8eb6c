/**
 * aio-ts/testing: virtual time for tests. A `VirtualEventLoop` clock stands still while code runs
 * and jumps to the next timer when every task is blocked, so timed code runs instantly and
 * sees exact, deterministic times.
 *
 * @example
 * import { sleep, getRunningLoop } from 'aio-ts';
 * import { runVirtual } from 'aio-ts/testing';
 *
 * const t = await runVirtual(function* () {
 *   yield* sleep(60_000);
 *   return getRunningLoop().time();
 * });
 * // t === 60000, after a few microseconds
 */
export {
  VirtualEventLoop,
  ClockStep,
  newVirtualEventLoop,
  runVirtual,
  advance,
  runUntilIdle,
  type VirtualLoopOptions,
} from './virtual-loop.js';
