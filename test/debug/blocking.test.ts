/**
 * Debug mode reports a turn of Node's event loop that the aio loop kept busy beyond
 * slowCallbackDuration although no single step was that slow (async-function code run between
 * iterations), naming the longest step, and time lost outside the loop (Node came back late).
 * Real time on purpose (blocking is about the real clock); thresholds are far from the waits.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, sleep, getRunningLoop } from '../../src/index.ts';
import { busyWait, captureConsole } from '../helpers/capture.ts';

// Margins for a loaded 2-core machine: the stepper's step (40 ms) must stay the longest of its
// turn and below LIMIT although the process may be descheduled for tens of ms at any point.
const LIMIT = 150;

describe('debug mode: blocking', () => {
  test('async-function code between iterations that blocks Node is reported, with the longest task step of the turn', async () => {
    const { calls } = await captureConsole('warn', () =>
      run(
        async () => {
          getRunningLoop().slowCallbackDuration = LIMIT;
          const stepper = createTask(
            function* () {
              // Its first step runs in the iteration that resumes main's `await sleep(0)`, so
              // in the same turn as main's blocking code: the longest step, below the limit.
              busyWait(40);
            },
            { name: 'stepper' },
          );
          await sleep(0);
          busyWait(LIMIT * 3); // runs between two iterations: no step of the loop is slow
          await stepper;
        },
        { debug: true },
      ),
    );
    const messages = calls.map((args) => String(args[0]));
    const report = messages.find((m) => m.startsWith('aio: the event loop blocked Node for'));
    assert.ok(report !== undefined, JSON.stringify(messages));
    assert.match(report, /^aio: the event loop blocked Node for \d+\.\d{3} seconds in one turn \(\d+ iterations, \d+ callbacks and task steps taking \d+\.\d{3} s; \d+\.\d{3} s outside them: async-function code between iterations, promise callbacks\)\. Longest step: <Task \w+ name="stepper"> \(\d+\.\d{3} s\)$/);
    const seconds = Number(/blocked Node for (\d+\.\d+)/.exec(report)![1]);
    assert.ok(seconds >= (LIMIT * 3) / 1000, report);
    assert.equal(messages.filter((m) => m.startsWith('aio: executing')).length, 0, 'no single step was slow');
  });

  test('Node blocked by code outside the loop (a Node timer callback) while a task sleeps is reported', async () => {
    for (const style of ['generator', 'async'] as const) {
      const { calls } = await captureConsole('warn', () =>
        run(
          style === 'generator'
            ? function* () {
                getRunningLoop().slowCallbackDuration = LIMIT;
                setTimeout(() => busyWait(LIMIT * 3), 1);
                yield* sleep(20);
              }
            : async () => {
                getRunningLoop().slowCallbackDuration = LIMIT;
                setTimeout(() => busyWait(LIMIT * 3), 1);
                await sleep(20);
              },
          { debug: true },
        ),
      );
      const messages = calls.map((args) => String(args[0]));
      assert.ok(
        messages.some((m) => /^aio: Node's event loop was blocked for \d+\.\d{3} seconds outside the aio loop \(by code no task ran: a Node timer, I\/O or event callback, or synchronous code of the program\)$/.test(m)),
        `${style}: ${JSON.stringify(messages)}`,
      );
    }
  });

  test('nothing is reported with debug mode off', async () => {
    const { calls } = await captureConsole('warn', () =>
      run(async () => {
        getRunningLoop().slowCallbackDuration = LIMIT;
        setTimeout(() => busyWait(LIMIT * 2), 1);
        await sleep(20);
        await sleep(0);
        busyWait(LIMIT * 2);
      }),
    );
    assert.deepEqual(calls, []);
  });
});
