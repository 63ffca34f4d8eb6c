/** The one template of argument errors (src/validate.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMs } from '../src/validate.ts';

describe('argument checks', () => {
  test('durations are checked with one template: TypeError for a non-number, RangeError out of range', () => {
    assert.throws(() => checkMs('sleep', 'ms', '5'), {
      name: 'TypeError',
      message: 'sleep() expects ms to be a number of milliseconds, got string "5"',
    });
    assert.throws(() => checkMs('wait', 'timeout', Number.NaN, { nullable: true }), {
      name: 'TypeError',
      message: 'wait() expects timeout to be a number of milliseconds or null, got number NaN',
    });
    assert.throws(() => checkMs('advance', 'ms', -1, { finite: true, nonNegative: true }), {
      name: 'RangeError',
      message: 'advance() expects ms to be a finite number of milliseconds >= 0, got number -1',
    });
    checkMs('timeout', 'ms', null, { nullable: true });
    checkMs('callLater', 'delayMs', -5);
    checkMs('callAt', 'whenMs', Infinity);
  });
});
