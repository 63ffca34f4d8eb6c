/**
 * Argument checks, with one message template for every public call:
 * `<call>() expects <param> to be <what is accepted>, got <the value, described>`.
 */
import { describe } from './values.js';

/** The error for a bad argument, in the one template. */
export function argumentError(call: string, param: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${call}() expects ${param} to be ${expected}, got ${describe(value)}`);
}

/** Which durations a call accepts (all in milliseconds). */
export interface MsRule {
  /** `null` (and `undefined`) mean "no limit". Default false. */
  nullable?: boolean;
  /** Negative values are refused. Default false (asyncio treats them as 0). */
  nonNegative?: boolean;
  /** Infinity is refused. Default false. */
  finite?: boolean;
}

/**
 * Checks a duration or a loop time in milliseconds. Not a number, or NaN: TypeError; a number
 * outside what the call accepts (negative, infinite): RangeError (asyncio's ValueError). Both
 * in the shared template, saying what the call accepts.
 */
export function checkMs(call: string, param: string, value: unknown, rule: MsRule = {}): void {
  if (rule.nullable === true && (value === null || value === undefined)) return;
  const isNumber = typeof value === 'number' && !Number.isNaN(value);
  if (isNumber && !(rule.nonNegative === true && value < 0) && !(rule.finite === true && !Number.isFinite(value))) return;
  const kind = `${rule.finite === true ? 'a finite' : 'a'} number of milliseconds${rule.nonNegative === true ? ' >= 0' : ''}`;
  const error = argumentError(call, param, rule.nullable === true ? `${kind} or null` : kind, value);
  throw isNumber ? new RangeError(error.message) : error;
}

/** Checks that `value` is an event loop (anything built on `EventLoop`). */
export function checkLoop(call: string, param: string, value: unknown): void {
  if (typeof (value as { _pushReady?: unknown } | null)?._pushReady !== 'function') {
    throw argumentError(call, param, 'an event loop (e.g. getRunningLoop())', value);
  }
}
