import { AsyncLocalStorage } from 'node:async_hooks';
import type { Task } from './tasks.js';

/**
 * Finds the Task an async function runs in. AsyncLocalStorage makes every `await`
 * in the process slower once a store is active, so it is created only when the
 * first async-function task starts: programs made of generator coroutines never
 * pay for it (the scheduler itself knows which generator task is running).
 */
let storage: AsyncLocalStorage<Task<unknown>> | null = null;

export function taskStorage(): AsyncLocalStorage<Task<unknown>> {
  return (storage ??= new AsyncLocalStorage());
}

/** The async-function task whose code is running, or null. */
export function asyncContextTask(): Task<unknown> | null {
  return storage === null ? null : (storage.getStore() ?? null);
}
