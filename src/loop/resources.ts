/**
 * Resources that the end of `run()` closes (servers, connections, child processes): each
 * registers itself with the loop it was opened on while it is open, and `Runner.close()`
 * closes whatever is still registered after cancelling the tasks and before closing the
 * loop. asyncio leaves them open (a listening server, a socket or a child would keep Node
 * alive after `run()`, silently); aio does not. Kept in a WeakMap keyed by the loop, as the
 * default executor is: no field added to the EventLoop class.
 */
import type { AbstractEventLoop } from './events.js';

/** @internal Something open that the end of `run()` must close. */
export interface RunResource {
  /**
   * Closes it, at the end of `run()`. May return a coroutine (a generator the loop runs as a
   * Task) that waits until it is really closed (a child reaped); it must finish by itself,
   * in bounded real time.
   */
  _closeAtRunEnd(): Iterator<unknown, unknown, unknown> | void;
}

const resourcesOf = new WeakMap<AbstractEventLoop, Set<RunResource>>();

/** @internal Registers an open resource of `loop`. */
export function trackResource(loop: AbstractEventLoop, resource: RunResource): void {
  let resources = resourcesOf.get(loop);
  if (resources === undefined) resourcesOf.set(loop, (resources = new Set()));
  resources.add(resource);
}

/** @internal The resource is closed: nothing left to do at the end of `run()`. */
export function untrackResource(loop: AbstractEventLoop, resource: RunResource): void {
  resourcesOf.get(loop)?.delete(resource);
}

/** @internal Whether `loop` has open resources. */
export function hasResources(loop: AbstractEventLoop): boolean {
  const resources = resourcesOf.get(loop);
  return resources !== undefined && resources.size > 0;
}

/** @internal The open resources of `loop`, in the order they were opened; the registry is emptied. */
export function takeResources(loop: AbstractEventLoop): RunResource[] {
  const resources = resourcesOf.get(loop);
  if (resources === undefined) return [];
  const list = [...resources];
  resources.clear();
  return list;
}
