/**
 * Debug mode reports `await` of a generator coroutine in an async function (await gives back
 * the generator object, unrun), with the place of the await.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run, createTask, gather, sleep, getRunningLoop, ensureFuture, type Coro, type ExceptionContext } from '../../src/index.ts';

function* fetchData(ms: number): Coro<string> {
  yield* sleep(ms);
  return 'data';
}

function record(): ExceptionContext[] {
  const reports: ExceptionContext[] = [];
  getRunningLoop().setExceptionHandler((_loop, context) => reports.push(context));
  return reports;
}

describe('debug mode: await of a generator coroutine', () => {
  test('await genCoro() in an async-function task is reported with the task and the line of the await', async () => {
    const [value, reports] = await run(
      async () => {
        const reports = record();
        const value = await createTask(
          async () => {
            const got: unknown = await fetchData(1); // the mistake
            return got;
          },
          { name: 'awaiter' },
        );
        return [value, reports] as const;
      },
      { debug: true },
    );
    assert.equal(typeof (value as Generator).next, 'function', 'await still gives the generator back');
    assert.equal(reports.length, 1);
    assert.match(reports[0]!.message, /^await of a generator coroutine \(\[object Generator\]\) in an async function: await does not run a generator/);
    assert.equal((reports[0]!.task as { getName(): string }).getName(), 'awaiter');
    assert.match(String(reports[0]!.sourceTraceback).split('\n')[0]!, /await-generator\.test\.ts:27:/);
  });

  test('an async function returning a generator (createTask(async () => genCoro())) is reported', async () => {
    const reports = await run(
      function* () {
        const reports = record();
        yield* createTask(async () => fetchData(1));
        return reports;
      },
      { debug: true },
    );
    assert.equal(reports.length, 1);
    assert.match(String(reports[0]!.sourceTraceback).split('\n')[0]!, /await-generator\.test\.ts:47:/);
  });

  test('right ways are not reported: yield*, createTask/gather/ensureFuture of a coroutine, and nothing with debug mode off', async () => {
    for (const debug of [true, false]) {
      const reports = await run(
        async () => {
          const reports = record();
          assert.equal(await createTask(fetchData(1)), 'data');
          assert.deepEqual(await gather(fetchData(1), fetchData(2)), ['data', 'data']);
          assert.equal(await ensureFuture(fetchData(1)), 'data');
          assert.equal(await createTask(function* () { return yield* fetchData(1); }), 'data');
          if (!debug) await fetchData(1); // the mistake, unreported with debug mode off
          return reports;
        },
        { debug },
      );
      assert.deepEqual(reports, []);
    }
  });
});
