/**
 * ContextVar / Context / copyContext, and their capture by tasks and callbacks. Translated
 * from CPython's Lib/test/test_context.py (ContextTest) and the context tests of
 * Lib/test/test_asyncio/test_tasks.py (test_context_1…6, test_get_context), in both
 * coroutine styles.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  sleep,
  gather,
  createTask,
  getRunningLoop,
  taskGroup,
  ContextVar,
  Context,
  Token,
  LookupError,
  copyContext,
  ensureFuture,
  type Coro,
} from '../src/index.ts';

describe('ContextVar and Context (test_context.py)', () => {
  test('a ContextVar needs a string name (test_context_var_new_1)', () => {
    assert.throws(() => new ContextVar(1 as unknown as string), /new ContextVar\(\) expects name to be a string, got number 1/);
    const v = new ContextVar('aaa');
    assert.equal(v.name, 'aaa');
  });

  test('get(): the value, else the given default, else the variable default, else LookupError (test_context_getset_1)', () => {
    const plain = new ContextVar<number>('plain');
    const withDefault = new ContextVar<number>('withDefault', { default: 7 });
    copyContext().run(() => {
      assert.throws(() => plain.get(), LookupError);
      assert.equal(plain.get(5), 5);
      assert.equal(withDefault.get(), 7);
      assert.equal(withDefault.get(9), 9, 'the argument wins over the variable default, as in Python');
      const token = plain.set(1);
      assert.equal(plain.get(), 1);
      assert.equal(token.var, plain);
      assert.equal(token.oldValue, Token.MISSING);
      const token2 = plain.set(2);
      assert.equal(token2.oldValue, 1);
      plain.reset(token2);
      assert.equal(plain.get(), 1);
      plain.reset(token);
      assert.throws(() => plain.get(), LookupError);
    });
  });

  test('reset() refuses a used token, one of another variable, one of another context (test_context_getset_2/3/4)', () => {
    const a = new ContextVar<number>('a');
    const b = new ContextVar<number>('b');
    copyContext().run(() => {
      const token = a.set(1);
      assert.throws(() => b.reset(token as unknown as Token<number>), (e: unknown) => e instanceof RangeError && /different ContextVar/.test(e.message));
      a.reset(token);
      assert.throws(() => a.reset(token), /has already been used once/);
      const other = a.set(2);
      copyContext().run(() => {
        assert.throws(() => a.reset(other), (e: unknown) => e instanceof RangeError && /different Context/.test(e.message));
      });
      assert.throws(() => a.reset({} as Token<number>), /ContextVar\.reset\(\) expects token to be a Token/);
    });
  });

  test('run() passes arguments and the return value, and propagates errors (test_context_run_1/2)', () => {
    const ctx = new Context();
    assert.equal(ctx.run((a: number, b: string) => `${a}${b}`, 1, 'x'), '1x');
    assert.throws(() => ctx.run(() => { throw new SyntaxError('boom'); }), SyntaxError);
    assert.throws(() => ctx.run(5 as unknown as () => void), /Context\.run\(\) expects fn to be a function/);
  });

  test('set() inside run() lands in that context only (test_context_run_3)', () => {
    const v = new ContextVar<string>('v');
    const ctx = copyContext();
    ctx.run(() => v.set('inside'));
    assert.equal(ctx.get(v), 'inside');
    assert.equal(ctx.has(v), true);
    assert.equal(ctx.size, 1);
    assert.deepEqual([...ctx.entries()], [[v, 'inside']]);
    assert.equal(v.get('outside'), 'outside');
    assert.equal(ctx.run(() => v.get()), 'inside');
  });

  test('nested copies see the values at their copy, not later ones (test_context_run_4, test_context_copy_1)', () => {
    const v = new ContextVar<number>('v', { default: 0 });
    const ctx1 = copyContext();
    ctx1.run(() => {
      v.set(1);
      const ctx2 = copyContext();
      v.set(2);
      assert.equal(ctx2.run(() => v.get()), 1);
      ctx2.run(() => v.set(3));
      assert.equal(v.get(), 2);
      const ctx3 = ctx2.copy();
      ctx3.run(() => v.set(4));
      assert.equal(ctx2.get(v), 3);
      assert.equal(ctx3.get(v), 4);
    });
    assert.equal(ctx1.get(v), 2);
  });

  test('a context cannot be entered twice (test_context_run_5/6)', () => {
    const ctx = new Context();
    assert.throws(() => ctx.run(() => ctx.run(() => {})), /cannot enter context: .* is already entered/);
    // …and it can be entered again once left, even after an error.
    assert.throws(() => ctx.run(() => { throw new Error('x'); }), /x/);
    assert.equal(ctx.run(() => 1), 1);
  });

  test('bind() runs the function in the context each call, with its name', () => {
    const v = new ContextVar<string>('v', { default: 'none' });
    const ctx = copyContext();
    ctx.run(() => v.set('bound'));
    function readIt(suffix: string): string {
      return v.get() + suffix;
    }
    const bound = ctx.bind(readIt);
    assert.equal(bound('!'), 'bound!');
    assert.equal(bound.name, 'readIt');
    assert.equal(v.get(), 'none');
  });
});

describe('tasks and callbacks copy the context (test_tasks.py)', () => {
  for (const style of ['generator', 'async'] as const) {
    test(`a task sees its creator's values at its creation; its sets stay in it (test_context_1, ${style})`, async () => {
      const cvar = new ContextVar<string>('cvar', { default: 'nope' });
      const seen: string[] = [];
      function* subGen(): Coro<void> {
        yield* sleep(1);
        seen.push(cvar.get());
        cvar.set('something else');
        yield* sleep(0);
        seen.push(cvar.get());
      }
      async function subAsync(): Promise<void> {
        await sleep(1);
        seen.push(cvar.get());
        cvar.set('something else');
        await sleep(0);
        seen.push(cvar.get());
      }
      await run(function* () {
        assert.equal(cvar.get(), 'nope');
        const subtask = createTask(style === 'generator' ? subGen() : subAsync);
        cvar.set('yes');
        assert.equal(cvar.get(), 'yes');
        yield* subtask;
        assert.equal(cvar.get(), 'yes');
      });
      assert.deepEqual(seen, ['nope', 'something else']);
      assert.equal(cvar.get(), 'nope', 'nothing leaked to the code outside run()');
    });

    test(`many tasks setting one variable each keep their own value across awaits (test_context_3, ${style})`, async () => {
      const cvar = new ContextVar<number>('cvar');
      function* subGen(n: number): Coro<void> {
        for (let i = 0; i < 10; i++) {
          cvar.set(n + i);
          yield* sleep((n * 7 + i * 3) % 5);
          assert.equal(cvar.get(), n + i);
        }
      }
      async function subAsync(n: number): Promise<void> {
        for (let i = 0; i < 10; i++) {
          cvar.set(n + i);
          await sleep((n * 7 + i * 3) % 5);
          assert.equal(cvar.get(), n + i);
        }
      }
      await run(function* () {
        const tasks = [];
        for (let i = 0; i < 100; i++) tasks.push(style === 'generator' ? subGen(i) : () => subAsync(i));
        yield* gather(...tasks);
      });
    });

    test(`createTask(coro, { context }) runs in that very context (test_context_4/5, ${style})`, async () => {
      const cvar = new ContextVar<number>('cvar');
      function* coroGen(val: number): Coro<void> {
        yield* sleep(0);
        cvar.set(val);
      }
      async function coroAsync(val: number): Promise<void> {
        await sleep(0);
        cvar.set(val);
      }
      const make = (val: number) => (style === 'generator' ? coroGen(val) : () => coroAsync(val));
      const ret = await run(function* () {
        const ret: (number | undefined)[] = [];
        const ctx = copyContext();
        ret.push(ctx.get(cvar));
        const t1 = createTask(make(1), { context: ctx });
        assert.equal(t1.getContext(), ctx, 'test_get_context');
        yield* t1;
        ret.push(ctx.get(cvar));
        yield* createTask(make(2), { context: ctx });
        ret.push(ctx.get(cvar));
        ret.push(cvar.get(undefined));
        return ret;
      });
      assert.deepEqual(ret, [undefined, 1, 2, undefined]);
    });
  }

  test('createTask refuses a context that is not a Context', async () => {
    await run(function* () {
      assert.throws(
        () => createTask(function* () {}, { context: {} as Context }),
        /createTask\(\) expects options\.context to be a Context \(copyContext\(\)\), got/,
      );
    });
  });

  test('callbacks run in a copy of the context of callSoon/callLater/callAt; bind() gives an explicit one (test_context_6)', async () => {
    const cvar = new ContextVar<string>('cvar', { default: 'none' });
    const seen: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      cvar.set('soon');
      loop.callSoon(() => {
        seen.push(cvar.get());
        cvar.set('changed by callback');
      });
      cvar.set('later');
      loop.callLater(1, () => seen.push(cvar.get()));
      cvar.set('at');
      loop.callAt(loop.time() + 1, () => seen.push(cvar.get()));
      const ctx = copyContext();
      ctx.run(() => cvar.set('explicit'));
      loop.callSoon(ctx.bind((value: number) => {
        seen.push(`${cvar.get()} ${value}`);
        cvar.set('explicit 2');
      }), 42);
      cvar.set('main');
      yield* sleep(5);
      assert.equal(cvar.get(), 'main');
      assert.equal(ctx.get(cvar), 'explicit 2', 'a bound callback sets in the context it was bound to');
    });
    assert.deepEqual(seen, ['soon', 'explicit 42', 'later', 'at']);
  });

  test('gather and taskGroup children copy the context at their creation', async () => {
    const cvar = new ContextVar<string>('cvar', { default: 'none' });
    await run(function* () {
      cvar.set('gather');
      const got = yield* gather(
        (function* (): Coro<string> {
          yield* sleep(0);
          return cvar.get();
        })(),
        async () => {
          await sleep(0);
          return cvar.get();
        },
      );
      assert.deepEqual(got, ['gather', 'gather']);
      const fromGroup: string[] = [];
      yield* taskGroup(function* (tg) {
        cvar.set('group');
        tg.createTask(function* () {
          yield* sleep(0);
          fromGroup.push(cvar.get());
          cvar.set('child');
        });
        tg.createTask(async () => {
          await sleep(0);
          fromGroup.push(cvar.get());
        });
      });
      assert.deepEqual(fromGroup, ['group', 'group']);
      assert.equal(cvar.get(), 'group');
    });
  });

  test('an async helper called from a generator task sees the task context after its awaits', async () => {
    const cvar = new ContextVar<string>('cvar', { default: 'none' });
    async function helper(): Promise<string> {
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      return cvar.get();
    }
    const got = await run(function* (): Coro<string[]> {
      cvar.set('main');
      const seen = createTask(function* (): Coro<string> {
        cvar.set('child');
        return yield* ensureFuture(helper());
      });
      return [yield* seen, cvar.get()];
    });
    assert.deepEqual(got, ['child', 'main']);
  });

  test('done callbacks run in a copy of the context of addDoneCallback; removeDoneCallback still finds them (test_context_2)', async () => {
    const cvar = new ContextVar<string>('cvar', { default: 'nope' });
    const seenInCallback: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      const onDone = (): void => {
        seenInCallback.push(cvar.get());
        cvar.set('something else'); // must not pollute the context of main
      };
      assert.equal(cvar.get(), 'nope');
      for (let j = 0; j < 2; j++) {
        const fut = loop.createFuture<void>();
        cvar.set(`yes${j}`);
        fut.addDoneCallback(onDone);
        loop.callSoon(() => fut.setResult());
        yield* fut;
        assert.equal(cvar.get(), `yes${j}`);
        for (let i = 0; i < 3; i++) {
          cvar.set(`yes${i}-${j}`);
          yield* sleep(0);
          assert.equal(cvar.get(), `yes${i}-${j}`);
        }
      }
      const removed = loop.createFuture<void>();
      removed.addDoneCallback(onDone);
      removed.addDoneCallback(onDone);
      assert.equal(removed.removeDoneCallback(onDone), 2);
      removed.setResult();
      yield* sleep(0);
    });
    assert.deepEqual(seenInCallback, ['yes0', 'yes1']);
  });
});

