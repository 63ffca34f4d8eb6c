/**
 * Every name of the core that aio-ts/streams and aio-ts/subprocess use, imported in this one
 * module: when core modules move or split, only these lines change.
 */
export { Future, type Coro, type Suspend } from '../futures.js';
export { InlineAwaitable, drive } from '../body-runner.js';
export { Task, describe, isIterator, isThenable, type TaskTarget } from '../tasks.js';
export { getRunningLoop } from '../loop/running.js';
export type { EventLoop } from '../loop/event-loop.js';
export { NEXT_OPERATION, type Operation, type OperationIterable } from '../waiters.js';
export { gather } from '../gather.js';
export { CancelledError } from '../errors.js';
export type { AsyncContextManager } from '../async-with.js';
