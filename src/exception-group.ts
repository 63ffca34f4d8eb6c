/**
 * Python's `ExceptionGroup` for JavaScript: several errors raised together (by a TaskGroup,
 * for instance), with `subgroup()` and `split()` to pick them apart.
 */

/**
 * What `subgroup()` and `split()` match errors against: an error class (matched with
 * `instanceof`) or a predicate.
 */
export type ErrorMatcher = ((error: unknown) => boolean) | (abstract new (...args: any[]) => unknown);

/**
 * Several unrelated errors raised together (Python's `ExceptionGroup`). `TaskGroup` throws one
 * with every error of its children (and of its body). Groups nest: an error in `errors` may be
 * a group itself.
 *
 * `subgroup(match)` keeps the errors that match, `split(match)` also returns the rest; both keep
 * the nesting and return `null` for an empty side. As in Python, `match` is tried on each group
 * (the group itself first) before its members: a group that matches is taken whole.
 *
 * @example
 * import { ExceptionGroup } from 'aio-ts';
 *
 * const eg = new ExceptionGroup('several', [new TypeError('bad type'), new RangeError('out of range')]);
 * const [types, rest] = eg.split(TypeError);
 * console.log(types?.errors, rest?.errors); // [TypeError: bad type] [RangeError: out of range]
 * console.log(eg.subgroup((e) => e instanceof RangeError)?.errors); // [RangeError: out of range]
 */
export class ExceptionGroup extends AggregateError {
  declare errors: unknown[];

  /**
   * @param message What the errors have in common (a string).
   * @param errors The errors, at least one (asyncio's order of arguments, not AggregateError's).
   */
  constructor(message: string, errors: Iterable<unknown>) {
    super(checkErrors(errors), checkMessage(message));
  }

  /**
   * The errors that match, as a group with the same message and nesting, or null if none
   * does. Returns the group itself when it matches as a whole.
   */
  subgroup(match: ErrorMatcher): ExceptionGroup | null {
    return splitTree(this, toPredicate('subgroup', match), false)[0] as ExceptionGroup | null;
  }

  /** `[matching, rest]`: like `subgroup(match)`, and the errors that do not match (null if none). */
  split(match: ErrorMatcher): [ExceptionGroup | null, ExceptionGroup | null] {
    const [matched, rest] = splitTree(this, toPredicate('split', match), true);
    return [matched as ExceptionGroup | null, rest as ExceptionGroup | null];
  }

  /**
   * Makes a group like this one with other errors; `subgroup()` and `split()` build their
   * results with it. Override it in a subclass to keep the subclass (and extra fields).
   */
  derive(errors: unknown[]): ExceptionGroup {
    return new ExceptionGroup(this.message, errors);
  }
}
ExceptionGroup.prototype.name = 'ExceptionGroup';

function checkMessage(message: unknown): string {
  if (typeof message !== 'string') {
    throw new TypeError(`new ExceptionGroup(message, errors): message must be a string, got ${typeof message}`);
  }
  return message;
}

function checkErrors(errors: unknown): unknown[] {
  if (typeof errors !== 'object' || errors === null || typeof (errors as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError('new ExceptionGroup(message, errors): errors must be an array (or iterable) of errors');
  }
  const list = [...(errors as Iterable<unknown>)];
  if (list.length === 0) {
    throw new RangeError('new ExceptionGroup(message, errors): errors must not be empty (a group holds at least one error)');
  }
  return list;
}

function toPredicate(method: string, match: ErrorMatcher): (error: unknown) => boolean {
  if (typeof match !== 'function') {
    throw new TypeError(`ExceptionGroup.${method}() expects an error class or a predicate function, got ${typeof match}`);
  }
  const proto: unknown = match.prototype;
  // A class (an Error subclass, or any class of thrown objects) is matched with instanceof:
  // calling a class as a predicate would throw.
  if (match === Error || proto instanceof Error || isClass(match)) {
    const cls = match as abstract new (...args: any[]) => unknown;
    return (error) => error instanceof cls;
  }
  return (error) => Boolean((match as (error: unknown) => boolean)(error));
}

function isClass(fn: ErrorMatcher): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Python's recursive split: the whole error if it matches, else member by member for groups. */
function splitTree(error: unknown, match: (error: unknown) => boolean, withRest: boolean): [unknown, unknown] {
  if (match(error)) return [error, null];
  if (!(error instanceof ExceptionGroup)) return [null, error];
  const matched: unknown[] = [];
  const rest: unknown[] = [];
  for (const member of error.errors) {
    const [m, r] = splitTree(member, match, withRest);
    if (m !== null) matched.push(m);
    if (withRest && r !== null) rest.push(r);
  }
  return [matched.length > 0 ? derive(error, matched) : null, rest.length > 0 ? derive(error, rest) : null];
}

function derive(group: ExceptionGroup, errors: unknown[]): ExceptionGroup {
  const derived = group.derive(errors);
  // Like Python, which copies __cause__, __context__ and __traceback__ to the parts.
  if (group.cause !== undefined) derived.cause = group.cause;
  if (group.stack !== undefined) derived.stack = group.stack;
  return derived;
}
