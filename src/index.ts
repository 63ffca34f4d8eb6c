/**
 * aio-ts: Python's asyncio for TypeScript. Coroutines are generator functions
 * (`function*` + `yield*` is `async def` + `await`); async functions work too. An explicit
 * event loop, Tasks that can be cancelled, timeouts and task groups, asyncio's locks and
 * queues. All durations are milliseconds.
 *
 * @example
 * import { run, gather, sleep, type Coro } from 'aio-ts';
 *
 * function* greet(name: string): Coro<string> {
 *   yield* sleep(1000);
 *   return `Hello, ${name}!`;
 * }
 *
 * const greetings = await run(function* () {
 *   return yield* gather(greet('Alice'), greet('Bob'), greet('Charlie'));
 * });
 * console.log(greetings); // after one second, not three: [ 'Hello, Alice!', 'Hello, Bob!', 'Hello, Charlie!' ]
 */
export { CancelledError, TimeoutError, InvalidStateError, KeyboardInterrupt, DeadlockError } from './errors.js';
export { QueueEmpty, QueueFull, QueueShutDown, BrokenBarrierError } from './errors.js';
// A leaf module of aio-ts/streams (no networking imported): asyncio exports these two from the root.
export { IncompleteReadError, LimitOverrunError } from './streams/errors.js';
export { Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier, type BarrierState } from './locks/index.js';
export { Queue, LifoQueue, PriorityQueue, compareItems, type PriorityQueueOptions } from './queues/index.js';
export { Guard } from './locks/guard.js';
export type { Operation } from './operation.js';
export { Future, isFuture, type Coro, type Awaitable, type AwaitedOf, type Yieldable, type DoneCallback } from './futures.js';
export { Task, createTask, currentTask, allTasks, type TaskOptions, type TaskTarget, type TaskFactory } from './tasks.js';
export { isCoroutine, isCoroutineFunction } from './coroutines.js';
export type { StackFrame } from './task-stack.js';
export { eagerTaskFactory, createEagerTaskFactory, type TaskConstructor } from './eager.js';
export { ContextVar, Context, Token, LookupError, copyContext, type ContextVarOptions } from './contextvars.js';
export { ensureFuture } from './ensure-future.js';
export { formatTasks, printTasks } from './task-dump.js';
export { captureCallGraph, formatCallGraph, printCallGraph, type FutureCallGraph, type CallGraphOptions } from './call-graph.js';
export { sleep, type Sleep } from './sleep.js';
export { gather, gatherFrom, GatheringFuture, type GatherOptions } from './gather.js';
export { ExceptionGroup, type ErrorMatcher } from './exception-group.js';
export { wait, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, type ReturnWhen, type WaitOptions } from './wait.js';
export { waitFor } from './wait-for.js';
export { asCompleted, AsCompleted, type AsCompletedOptions, type CompletedFuture } from './as-completed.js';
export { shield } from './shield.js';
export { timeout, timeoutAt, Timeout, type TimeoutBody } from './timeouts.js';
export { taskGroup, TaskGroup, type TaskGroupBody } from './taskgroup.js';
export { InlineAwaitable } from './body-runner.js';
export { run, Runner, type RunOptions } from './runners.js';
export { aiter, forAwait, AsyncIteration } from './async-iter.js';
export { asyncWith, type AsyncContextManager, type EnteredValue, type Settled } from './async-with.js';
export {
  asyncContextManager,
  GeneratorContextManager,
  ContextGuard,
  type AsyncContextGuard,
  type ContextCoro,
} from './contextlib/context-manager.js';
export { AsyncExitStack, type ContextManager, type ExitFunction, type ExitLike } from './contextlib/exit-stack.js';
export { EventLoop, newEventLoop } from './loop/event-loop.js';
export { getRunningLoop } from './loop/event-loop.js';
export type { SignalName } from './loop/signals.js';
export { Handle, TimerHandle } from './loop/handles.js';
export type { ExceptionContext, ExceptionHandler } from './loop/exception-handler.js';
export {
  ThreadPoolExecutor,
  WorkerCrashError,
  toThread,
  type Executor,
  type ExecutorJob,
  type ShutdownOptions,
  type ThreadPoolExecutorOptions,
} from './executors/index.js';
