/** captureCallGraph/formatCallGraph/printCallGraph: what awaits a task, through every construct that waits for one. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  run,
  createTask,
  gather,
  shield,
  wait,
  waitFor,
  timeout,
  taskGroup,
  sleep,
  Event,
  Future,
  captureCallGraph,
  formatCallGraph,
  printCallGraph,
  getRunningLoop,
  newEventLoop,
  type Task,
} from '../src/index.ts';
import { exampleBefore, readmeExample, runExample } from './helpers/examples.ts';

/** Runs `body` with an unset Event that blocks the tasks it makes; sets it at the end. */
function withBlocker<T>(body: (go: Event) => Generator<any, T, any>, debug = false): Promise<T> {
  return run(
    function* () {
      const go = new Event();
      try {
        return yield* body(go);
      } finally {
        go.set();
      }
    },
    { debug },
  );
}

/** Lets the tasks started reach their first wait (async functions await in promise jobs). */
function* settle(): Generator<any, void, any> {
  for (let i = 0; i < 3; i++) yield* sleep(0);
}

describe('formatCallGraph', () => {
  test('a task awaited through gather, by a generator task awaited in turn by an async task', async () => {
    const text = await withBlocker(function* (go) {
      const leaf = createTask(function* () { yield* go.wait(); }, { name: 'leaf' });
      const gatherer = createTask(function* () { yield* gather(leaf, sleep(0)); }, { name: 'gatherer' });
      createTask(async () => { await gatherer; }, { name: 'async parent' });
      yield* settle();
      return formatCallGraph(leaf);
    });
    assert.equal(
      text,
      [
        '* Task(name="leaf")',
        '  + Awaited by:',
        '    * GatheringFuture()',
        '      + Awaited by:',
        '        * Task(name="gatherer")',
        '          + Awaited by:',
        '            * Task(name="async parent")',
      ].join('\n'),
    );
  });

  test('through shield, wait, waitFor and timeout', async () => {
    const texts = await withBlocker(function* (go) {
      const make = (name: string): Task<void> => createTask(function* () { yield* go.wait(); }, { name });
      const [a, b, c, d] = [make('a'), make('b'), make('c'), make('d')];
      createTask(function* () { yield* shield(a); }, { name: 'shields a' });
      createTask(function* () { yield* wait([b]); }, { name: 'waits b' });
      createTask(function* () { yield* timeout(60_000, function* () { yield* c; }); }, { name: 'times c' });
      createTask(async () => { await waitFor(d, 60_000); }, { name: 'waitFor d' });
      yield* settle();
      return [a, b, c, d].map((t) => formatCallGraph(t));
    });
    assert.deepEqual(texts, [
      '* Task(name="a")\n  + Awaited by:\n    * Future()\n      + Awaited by:\n        * Task(name="shields a")',
      '* Task(name="b")\n  + Awaited by:\n    * Future()\n      + Awaited by:\n        * Task(name="waits b")',
      '* Task(name="c")\n  + Awaited by:\n    * Task(name="times c")',
      '* Task(name="d")\n  + Awaited by:\n    * Task(name="waitFor d")',
    ]);
  });

  test("a TaskGroup's tasks are awaited by the task that entered it, nested tasks each by their parent", async () => {
    const text = await withBlocker(function* (go) {
      let inner: Task<void> | undefined;
      const outer = createTask(
        function* () {
          yield* taskGroup(function* (tg) {
            tg.createTask(function* () {
              inner = createTask(function* () { yield* go.wait(); }, { name: 'inner' });
              yield* inner;
            }, { name: 'group task' });
          });
        },
        { name: 'outer' },
      );
      yield* sleep(0);
      yield* sleep(0);
      createTask(function* () { yield* outer; }, { name: 'top' });
      yield* sleep(0);
      return formatCallGraph(inner!);
    });
    assert.equal(
      text,
      [
        '* Task(name="inner")',
        '  + Awaited by:',
        '    * Task(name="group task")',
        '      + Awaited by:',
        '        * Task(name="outer")',
        '          + Awaited by:',
        '            * Task(name="top")',
      ].join('\n'),
    );
  });

  test('a task nobody awaits, a plain future, a done task', async () => {
    const texts = await withBlocker(function* (go) {
      const alone = createTask(function* () { yield* go.wait(); }, { name: 'alone' });
      const fut = getRunningLoop().createFuture();
      createTask(function* () { yield* fut; }, { name: 'on future' });
      const done = createTask(function* () {}, { name: 'done' });
      yield* sleep(0);
      const texts = [formatCallGraph(alone), formatCallGraph(fut), formatCallGraph(done)];
      fut.setResult(1);
      return texts;
    });
    assert.deepEqual(texts, [
      '* Task(name="alone")',
      '* Future()\n  + Awaited by:\n    * Task(name="on future")',
      '* Task(name="done")',
    ]);
  });

  test('the current task: its live call stack from the caller down, innermost first; depth and limit', async () => {
    const graph = await run(function* main() {
      function* helper(): Generator<any, ReturnType<typeof captureCallGraph>, any> {
        yield* sleep(0);
        return captureCallGraph();
      }
      return yield* helper();
    });
    assert.ok(graph !== null);
    assert.deepEqual(
      graph.callStack.map((f) => f.functionName),
      ['helper', 'main'],
    );
    assert.match(graph.callStack[0]!.file, /call-graph\.test\.ts$/);
    const [limited, deeper, outermost] = await run(function* main() {
      function* helper(): Generator<any, unknown[], any> {
        yield* sleep(0);
        return [captureCallGraph(null, { limit: 1 }), captureCallGraph(undefined, { depth: 1 }), captureCallGraph(null, { limit: -1 })];
      }
      return yield* helper();
    }) as NonNullable<ReturnType<typeof captureCallGraph>>[];
    assert.deepEqual(limited!.callStack.map((f) => f.functionName), ['helper']);
    assert.deepEqual(deeper!.callStack.map((f) => f.functionName), ['main']);
    assert.deepEqual(outermost!.callStack.map((f) => f.functionName), ['main']);
  });

  test('debug mode: the coroutine chain each generator task is suspended in', async () => {
    const text = await withBlocker(function* (go) {
      function* deepest(): Generator<any, void, any> { yield* go.wait(); }
      function* middle(): Generator<any, void, any> { yield* deepest(); }
      const worker = createTask(middle, { name: 'worker' });
      function* awaiting(): Generator<any, void, any> { yield* worker; }
      createTask(awaiting, { name: 'parent' });
      yield* sleep(0);
      return formatCallGraph(worker);
    }, true);
    const lines = text.split('\n').filter((l) => !l.includes('/src/')); // the runtime's own frames (the Event's wait)
    assert.deepEqual(
      lines.map((l) => l.replace(/File ".*", line \d+/, 'File …')),
      [
        '* Task(name="worker")',
        '  + Call stack:',
        '  |   File …, in deepest()',
        '  |   File …, in middle()',
        '  + Awaited by:',
        '    * Task(name="parent")',
        '      + Call stack:',
        '      |   File …, in awaiting()',
      ],
    );
  });

  test('outside a task: null without a future, an error outside a loop; bad arguments', async () => {
    assert.throws(() => captureCallGraph(), /outside of a running event loop/);
    assert.equal(formatCallGraph(new Future(newEventLoop())), '* Future()');
    assert.throws(() => captureCallGraph({} as Future), /captureCallGraph\(\).*future/s);
    await run(function* () {
      assert.throws(() => formatCallGraph(null, { limit: 1.5 }), /options\.limit/);
      getRunningLoop().callSoon(() => assert.equal(captureCallGraph(), null));
      yield* sleep(0);
    });
  });

  test('printCallGraph writes the text and a newline to the file given', async () => {
    let written = '';
    await run(function* main() {
      printCallGraph(null, { file: { write: (t: string) => (written += t) }, limit: 0 });
    });
    assert.equal(written, '* Task(name="main")\n');
  });
});


describe('call graph documentation examples', () => {
  test('the README example and the doc comments print what they say', async () => {
    assert.deepEqual(await runExample(readmeExample('#### Introspection')), [
      '* Task(name="leaf")',
      '  + Awaited by:',
      '    * GatheringFuture()',
      '      + Awaited by:',
      '        * Task(name="parent")',
    ]);
    assert.deepEqual(await runExample(exampleBefore('src/call-graph.ts', 'export function formatCallGraph')), [
      '* Task(name="child")',
      '  + Awaited by:',
      '    * Task(name="main")',
    ]);
    assert.deepEqual(await runExample(exampleBefore('src/call-graph.ts', 'export function captureCallGraph')), ['true']);
  });
});
