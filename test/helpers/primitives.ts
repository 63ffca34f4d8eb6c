// Helpers shared by the tests of the synchronization primitives and queues.
import assert from 'node:assert/strict';
import { gather, sleep, type Coro, type Task, type Yieldable } from '../../src/index.js';

/** `n` bare hops through the ready queue (`n` loop iterations) from a generator coroutine. */
export function* hops(n = 1): Coro<void> {
  for (let i = 0; i < n; i++) yield* sleep(0);
}

/** `n` hops from an async function. */
export async function asyncHops(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await sleep(0);
}

/** Awaits `aw` in a coroutine and returns the error it throws, checking its class. */
export function* expectThrows<E>(aw: Yieldable<unknown>, cls: abstract new (...args: any[]) => E): Coro<E> {
  try {
    yield* aw;
  } catch (error) {
    assert.ok(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${cls.name} to be thrown`);
}

/** Awaits `aw` in an async function and returns the error it throws, checking its class. */
export async function expectRejects<E>(aw: PromiseLike<unknown>, cls: abstract new (...args: any[]) => E): Promise<E> {
  try {
    await aw;
  } catch (error) {
    assert.ok(error instanceof cls, `expected ${cls.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${cls.name} to be thrown`);
}

/**
 * Waits for every task to finish, whatever the outcome; fails (instead of hanging) if they
 * are not all done within 10,000 loop iterations: a lost wake-up shows up as a failure.
 */
export function* settle(...tasks: Task<unknown>[]): Coro<void> {
  yield* until(() => tasks.every((t) => t.done()), 'every task to finish', 10_000);
  yield* gather(...tasks, { returnExceptions: true });
}

/** `settle()` for async functions. */
export async function asyncSettle(...tasks: Task<unknown>[]): Promise<void> {
  await asyncUntil(() => tasks.every((t) => t.done()), 'every task to finish', 10_000);
  await gather(...tasks, { returnExceptions: true });
}

/** Hops until `cond()` holds (at most `limit` iterations), then asserts it. */
export function* until(cond: () => boolean, what = 'condition', limit = 1000): Coro<void> {
  for (let i = 0; i < limit && !cond(); i++) yield* sleep(0);
  assert.ok(cond(), `${what} did not happen within ${limit} iterations`);
}

/** `until()` for async functions. */
export async function asyncUntil(cond: () => boolean, what = 'condition', limit = 1000): Promise<void> {
  for (let i = 0; i < limit && !cond(); i++) await sleep(0);
  assert.ok(cond(), `${what} did not happen within ${limit} iterations`);
}
