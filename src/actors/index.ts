/**
 * `aio-ts/actors`: actors on aio's tasks, queues and task groups. `spawnActor(behavior,
 * options)` starts a task in the current task group that handles the messages of its mailbox
 * one at a time: `tell(msg)` / `tellNowait(msg)` send, `ask(msg, { timeout })` returns the
 * reply as a Future, `stop()` drains (or drops) the mailbox and waits for the end. A
 * `restart` policy restarts a failed actor with fresh state; beyond its limit the failure
 * goes to the task group.
 *
 * @example
 * import { run, taskGroup } from 'aio-ts';
 * import { spawnActor } from 'aio-ts/actors';
 *
 * const greeting = await run(() =>
 *   taskGroup(async () => {
 *     await using greeter = spawnActor(() => (name: string) => `hello, ${name}`);
 *     return await greeter.ask('actors');
 *   }),
 * );
 * console.log(greeting); // hello, actors
 */
export {
  spawnActor,
  Actor,
  type ActorBehavior,
  type ActorHandler,
  type ActorOptions,
  type AskOptions,
  type StopOptions,
} from './actor.js';
export { ActorContext, type StopCallback } from './context.js';
export { type RestartOptions } from './supervision.js';
export { ActorStoppedError } from './errors.js';
