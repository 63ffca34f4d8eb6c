/** The errors of `aio-ts/actors`. */

/**
 * The actor is stopped (by `stop()`, by a failure beyond its restart limit, or because its
 * task was cancelled): `tell()`, `tellNowait()` and `ask()` fail with it, and so do the asks
 * still in its mailbox when it stops without handling them. `cause` is the failure that
 * stopped it, if one did.
 */
export class ActorStoppedError extends Error {
  override name = 'ActorStoppedError';
}
