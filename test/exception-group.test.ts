import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExceptionGroup } from '../src/index.js';

class MyError extends Error {
  override name = 'MyError';
}

describe('ExceptionGroup', () => {
  test('is an AggregateError with message and errors, constructed in asyncio order', () => {
    const a = new TypeError('a');
    const b = new RangeError('b');
    const eg = new ExceptionGroup('several', [a, b]);
    assert.ok(eg instanceof AggregateError);
    assert.ok(eg instanceof Error);
    assert.equal(eg.name, 'ExceptionGroup');
    assert.equal(eg.message, 'several');
    assert.deepEqual(eg.errors, [a, b]);
    assert.equal(String(eg), 'ExceptionGroup: several');
    assert.deepEqual(new ExceptionGroup('from a set', new Set([a])).errors, [a]);
  });

  test('refuses a non-string message, a non-iterable or an empty list of errors', () => {
    assert.throws(() => new ExceptionGroup(42 as unknown as string, [new Error()]), TypeError);
    assert.throws(() => new ExceptionGroup('x', null as unknown as unknown[]), TypeError);
    assert.throws(() => new ExceptionGroup('x', []), RangeError);
  });

  test('subgroup() keeps the matching errors, by class or predicate, with the nesting', () => {
    const t1 = new TypeError('t1');
    const r1 = new RangeError('r1');
    const t2 = new TypeError('t2');
    const inner = new ExceptionGroup('inner', [t2, r1]);
    const eg = new ExceptionGroup('outer', [t1, inner]);

    const types = eg.subgroup(TypeError)!;
    assert.equal(types.message, 'outer');
    assert.equal(types.errors[0], t1);
    const nested = types.errors[1] as ExceptionGroup;
    assert.ok(nested instanceof ExceptionGroup);
    assert.equal(nested.message, 'inner');
    assert.deepEqual(nested.errors, [t2]);

    const byMessage = eg.subgroup((e) => e instanceof Error && e.message === 'r1')!;
    assert.deepEqual((byMessage.errors[0] as ExceptionGroup).errors, [r1]);
    assert.equal(byMessage.errors.length, 1);

    assert.equal(eg.subgroup(MyError), null);
    assert.equal(eg.subgroup(Error), eg); // the whole group matches: itself
    assert.equal(eg.subgroup((e) => e === eg), eg);
  });

  test('the condition is tried on nested groups too: a matching group is taken whole', () => {
    const inner = new ExceptionGroup('inner', [new TypeError('x'), new RangeError('y')]);
    const eg = new ExceptionGroup('outer', [inner, new MyError('z')]);
    const sub = eg.subgroup((e) => e instanceof ExceptionGroup && e.message === 'inner')!;
    assert.deepEqual(sub.errors, [inner]);
  });

  test('split() returns [match, rest], null for an empty side', () => {
    const t1 = new TypeError('t1');
    const r1 = new RangeError('r1');
    const m1 = new MyError('m1');
    const eg = new ExceptionGroup('outer', [t1, new ExceptionGroup('inner', [r1, m1])]);
    const [match, rest] = eg.split((e) => e instanceof TypeError || e instanceof MyError);
    assert.deepEqual(match!.errors[0], t1);
    assert.deepEqual((match!.errors[1] as ExceptionGroup).errors, [m1]);
    assert.equal(rest!.message, 'outer');
    assert.equal(rest!.errors.length, 1);
    assert.deepEqual((rest!.errors[0] as ExceptionGroup).errors, [r1]);

    assert.deepEqual(eg.split(Error), [eg, null]);
    const [none, all] = eg.split(SyntaxError);
    assert.equal(none, null);
    assert.equal(all!.errors.length, 2);
    assert.notEqual(all, eg); // rebuilt, like Python
  });

  test('parts keep the cause; derive() lets a subclass keep its class', () => {
    class MyGroup extends ExceptionGroup {
      override derive(errors: unknown[]): ExceptionGroup {
        return new MyGroup(this.message, errors);
      }
    }
    const cause = new Error('root');
    const eg = new MyGroup('mine', [new TypeError('a'), new RangeError('b')]);
    eg.cause = cause;
    const [match, rest] = eg.split(TypeError);
    assert.ok(match instanceof MyGroup);
    assert.ok(rest instanceof MyGroup);
    assert.equal(match.cause, cause);
    assert.equal(rest.cause, cause);
    const plain = new ExceptionGroup('plain', [new TypeError('a'), new RangeError('b')]);
    assert.equal(Object.getPrototypeOf(plain.subgroup(TypeError)), ExceptionGroup.prototype);
  });

  test('refuses a condition that is not a function', () => {
    const eg = new ExceptionGroup('x', [new Error()]);
    assert.throws(() => eg.subgroup('TypeError' as unknown as () => boolean), TypeError);
    assert.throws(() => eg.split(null as unknown as () => boolean), TypeError);
  });
});

describe('ExceptionGroup: more', () => {
  test('a class of thrown objects that are not Errors is matched with instanceof, not called', () => {
    class Failure {
      constructor(readonly code: number) {}
    }
    const failure = new Failure(1);
    const type = new TypeError('t');
    const eg = new ExceptionGroup('mixed', [failure, type]);
    const [match, rest] = eg.split(Failure);
    assert.deepEqual(match!.errors, [failure]);
    assert.deepEqual(rest!.errors, [type]);
    assert.deepEqual(eg.subgroup(Failure)!.errors, [failure]);
    // A plain function is still a predicate.
    assert.deepEqual(eg.subgroup(function isFailure(e: unknown) { return e instanceof Failure; })!.errors, [failure]);
  });

  test('parts are new groups even when every member matches; the group itself only when it matches', () => {
    const a = new TypeError('a');
    const b = new TypeError('b');
    const eg = new ExceptionGroup('all types', [a, b]);
    const sub = eg.subgroup(TypeError)!;
    assert.notEqual(sub, eg);
    assert.deepEqual(sub.errors, [a, b]);
    assert.equal(sub.message, 'all types');
    assert.equal(eg.subgroup(() => true), eg);
    assert.deepEqual(eg.split(() => true), [eg, null]);
    const [none, all] = eg.split(() => false);
    assert.equal(none, null);
    assert.deepEqual(all!.errors, [a, b]);
  });
});
