/**
 * Node's AsyncLocalStorage through aio: tasks and callbacks run in the frame captured when
 * they were created (asyncio copies `contextvars` the same way), in both coroutine styles.
 * Its own file: the first `run()` of any AsyncLocalStorage turns capture on for the process.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  run,
  sleep,
  gather,
  createTask,
  getRunningLoop,
  taskGroup,
  copyContext,
  ContextVar,
  type Coro,
} from '../src/index.ts';
import * as contextvars from '../src/contextvars.ts';

const als = new AsyncLocalStorage<string>();

describe('AsyncLocalStorage in tasks and callbacks', () => {
  test('nothing is captured until an AsyncLocalStorage (or a ContextVar) is used', async () => {
    assert.equal(contextvars.contextsInUse, false);
    await run(function* () {
      const coro = (function* () {})();
      const task = createTask(coro);
      assert.equal(task.getCoro(), coro);
      yield* task;
    });
    assert.equal(contextvars.contextsInUse, false);
    als.run('first', () => assert.equal(als.getStore(), 'first'));
    assert.equal(contextvars.contextsInUse, true);
    assert.equal(
      AsyncLocalStorage.prototype.run.name,
      'run',
      'the original method is back once use was noticed',
    );
  });

  for (const style of ['generator', 'async'] as const) {
    test(`a task created inside als.run() sees the store at every step (${style})`, async () => {
      const seen: (string | undefined)[] = [];
      function* gen(): Coro<string | undefined> {
        seen.push(als.getStore());
        yield* sleep(1);
        seen.push(als.getStore());
        yield* sleep(0);
        return als.getStore();
      }
      async function fn(): Promise<string | undefined> {
        seen.push(als.getStore());
        await sleep(1);
        seen.push(als.getStore());
        await new Promise((resolve) => setImmediate(resolve));
        return als.getStore();
      }
      const result = await run(function* () {
        const task = als.run('req-1', () => createTask(style === 'generator' ? gen : fn));
        const other = als.run('req-2', () => createTask(style === 'generator' ? gen() : fn));
        assert.equal(als.getStore(), undefined);
        return yield* gather(task, other);
      });
      assert.deepEqual(result, ['req-1', 'req-2']);
      assert.deepEqual(seen, ['req-1', 'req-2', 'req-1', 'req-2']);
    });

    test(`gather and taskGroup children inherit the store of their creator (${style})`, async () => {
      const child = style === 'generator'
        ? function* (): Coro<string | undefined> { yield* sleep(0); return als.getStore(); }
        : async () => { await sleep(0); return als.getStore(); };
      const got = await run(() =>
        als.run('outer', async () => {
          const fromGather = await gather(child, child);
          const fromGroup: (string | undefined)[] = [];
          await taskGroup(function* (tg) {
            tg.createTask(function* () {
              fromGroup.push(yield* createTask(child));
            });
            als.run('inner', () => tg.createTask(async () => { fromGroup.push(await createTask(child)); }));
          });
          return [...fromGather, ...fromGroup.sort()];
        }),
      );
      assert.deepEqual(got, ['outer', 'outer', 'inner', 'outer']);
    });
  }

  test('run(main) inside als.run(): main and its tasks see the store', async () => {
    const got = await als.run('request', () =>
      run(function* () {
        const inner = yield* createTask(async () => als.getStore());
        return [als.getStore(), inner];
      }),
    );
    assert.deepEqual(got, ['request', 'request']);
  });

  test('callSoon, callLater, callAt and addDoneCallback run in the frame of their caller', async () => {
    const seen: string[] = [];
    await run(function* () {
      const loop = getRunningLoop();
      als.run('soon', () => loop.callSoon((x: number) => seen.push(`${als.getStore()} ${x}`), 1));
      als.run('later', () => loop.callLater(1, () => seen.push(`${als.getStore()}`)));
      als.run('at', () => loop.callAt(loop.time() + 2, () => seen.push(`${als.getStore()}`)));
      const context = als.run('explicit', () => copyContext());
      loop.callSoon(context.bind(() => seen.push(`${als.getStore()}`)));
      const fut = loop.createFuture<void>();
      als.run('done callback', () => fut.addDoneCallback(() => seen.push(`${als.getStore()}`)));
      yield* sleep(10);
      fut.setResult();
      yield* sleep(0);
    });
    assert.deepEqual(seen, ['soon 1', 'explicit', 'later', 'at', 'done callback']);
  });

  test('createTask(coro, { context }) runs in the frame and values captured by copyContext()', async () => {
    const cvar = new ContextVar<string>('cvar', { default: 'none' });
    const got = await run(function* () {
      const context = als.run('captured', () => {
        cvar.set('in als.run');
        return copyContext();
      });
      cvar.set('after the copy');
      return yield* gather(
        createTask(function* (): Coro<string> {
          yield* sleep(0);
          return `${als.getStore()} ${cvar.get()}`;
        }, { context }),
      );
    });
    assert.deepEqual(got, ['captured in als.run']);
  });

  test('errors and cancellation pass through a task run inside a frame', async () => {
    await run(function* () {
      const failing = als.run('x', () => createTask(function* () {
        yield* sleep(0);
        throw new RangeError('bad');
      }));
      yield* assertRejects(failing, RangeError);
      const caught: string[] = [];
      const sleeper = als.run('y', () => createTask(function* () {
        try {
          yield* sleep(10_000);
        } catch (error) {
          caught.push(`${als.getStore()} ${(error as Error).name}`);
          throw error;
        }
      }));
      yield* sleep(0);
      sleeper.cancel();
      yield* assertRejects(sleeper, Error);
      assert.deepEqual(caught, ['y CancelledError']);
      assert.equal(sleeper.cancelled(), true);
    });
  });
});

function* assertRejects(task: PromiseLike<unknown> & Iterable<unknown>, type: Function): Coro<void> {
  try {
    yield* (task as unknown as Coro<unknown>);
  } catch (error) {
    assert.ok(error instanceof type, String(error));
    return;
  }
  assert.fail('expected a failure');
}
