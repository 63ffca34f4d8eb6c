/**
 * Every name of the core that aio-ts/streams and aio-ts/subprocess use, imported in this one
 * module: when core modules move or split, only these lines change.
 */
export { Future, type Coro, type Suspend } from '../futures.js';
export { InlineAwaitable } from '../body-runner.js';
/** @internal */
export { drive } from '../driver.js';
export { Task, type TaskTarget } from '../tasks.js';
export { describe, isIterator, isThenable } from '../values.js';
export { getRunningLoop, type EventLoop } from '../loop/event-loop.js';
export type { Operation } from '../operation.js';
/** @internal */
export { WaitOp } from '../operation.js';
/** @internal */
export { BLOCKED, type Blocked, WaiterFuture, WaiterQueue } from '../waiters.js';
/** @internal */
export { anchorMaps } from '../loop/map-anchors.js';
/** @internal */
export { NEXT_OPERATION, type OperationIterable } from '../operation.js';
export { gather } from '../gather.js';
export { CancelledError } from '../errors.js';
export type { AsyncContextManager } from '../async-with.js';
/** @internal */
export { trackResource, untrackResource, type RunResource } from '../loop/resources.js';
