/**
 * One dormant instance of each class the runtime builds per task, per await or per run,
 * kept alive for good, so that V8 keeps those classes' hidden classes ("maps").
 *
 * V8 specializes optimized code to the maps of the objects it saw. Once no instance of a
 * class is left and a few full collections have run (V8 collects when allocation stops),
 * it drops the class's maps and throws away every optimized function that mentions them:
 * a program that runs a batch of tasks, lets them finish and sits idle would run its next
 * batch in slower code while the optimizer starts over (measured on spawn + gather, a cancel
 * storm, lock contention: 15–35 % slower per batch). The instances are built lazily, when
 * the first loop is created, on a loop of their own that never runs: they hold no user data.
 */
const anchors: unknown[] = [];
// The loop is typed by the caller: this module sits below every layer and imports none.
const makers: ((loop: any) => unknown)[] = [];
let dormant: any = null;

/** Keeps the maps of what `make` builds alive. `make` runs once, on a loop that never runs. */
export function anchorMaps<L>(make: (loop: L) => unknown): void {
  if (dormant === null) makers.push(make);
  else anchors.push(make(dormant));
}

/** @internal Called by the first loop created, with a loop made only for the anchors. */
export function buildAnchors(loop: unknown): void {
  dormant = loop;
  for (const make of makers) anchors.push(make(loop));
  makers.length = 0;
}

/** @internal True for the loop the anchors were built on (its tasks never run: observers skip them). */
export function isAnchorLoop(loop: unknown): boolean {
  return loop === dormant;
}
