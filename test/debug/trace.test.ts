/**
 * run(main, { trace }) / AIO_TRACE: a Chrome trace-event file — one track per task (named by
 * thread_name metadata) with its lifetime, its steps inside it and its awaits between them,
 * timeouts and cancels as instant events, executor jobs as async events.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, createTask, gather, sleep, timeout, toThread, TimeoutError, type Coro } from '../../src/index.ts';
import { VirtualEventLoop } from '../../src/testing/index.ts';
import { observing } from '../../src/debug-events.ts';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: number;
  args?: Record<string, any>;
}

function tempFile(): { file: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'aio-trace-'));
  return { file: path.join(dir, 'trace.json'), [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads the file and checks the trace-event format: every event has a name, a phase, numbers for ts/pid/tid. */
function readTrace(file: string): TraceEvent[] {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(Array.isArray(json.traceEvents), 'a traceEvents array');
  for (const event of json.traceEvents as TraceEvent[]) {
    assert.equal(typeof event.name, 'string');
    assert.ok(['X', 'i', 'b', 'e', 'M'].includes(event.ph), `phase ${event.ph}`);
    for (const field of ['ts', 'pid', 'tid'] as const) assert.equal(typeof event[field], 'number', `${field} of ${JSON.stringify(event)}`);
    if (event.ph === 'X') assert.ok(typeof event.dur === 'number' && event.dur >= 0, 'a duration');
  }
  return json.traceEvents;
}

/** Track name → tid, from the thread_name metadata. */
function tracks(events: TraceEvent[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') map.set(e.args!['name'], e.tid);
  return map;
}

function* fetch(ms: number, what: string): Coro<string> {
  yield* sleep(ms);
  return what;
}

function* main(): Coro<string[]> {
  const a = createTask(fetch(100, 'a'), { name: 'fetch a' });
  const b = createTask(fetch(300, 'b'), { name: 'fetch b' });
  const results = yield* gather(a, b);
  try {
    yield* timeout(50, function* () { yield* sleep(1000); });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
  }
  return results;
}

const virtual = { loopFactory: () => new VirtualEventLoop() };

describe('run(main, { trace })', () => {
  test('one track per task: its lifetime, its steps inside it, what it awaited, a timeout instant', async () => {
    using tmp = tempFile();
    assert.deepEqual(await run(main, { ...virtual, trace: tmp.file }), ['a', 'b']);
    const events = readTrace(tmp.file);
    const tids = tracks(events);
    assert.deepEqual([...tids.keys()], ['main', 'fetch a', 'fetch b']);
    assert.equal(new Set(tids.values()).size, 3, 'a tid per task');
    for (const [name, tid] of tids) {
      const lifetimes = events.filter((e) => e.tid === tid && e.cat === 'task');
      assert.equal(lifetimes.length, 1, `one lifetime for ${name}`);
      const life = lifetimes[0]!;
      assert.equal(life.name, name);
      assert.equal(life.args!['outcome'], 'finished');
      const inner = events.filter((e) => e.tid === tid && (e.cat === 'step' || e.cat === 'await'));
      assert.ok(inner.filter((e) => e.cat === 'step').length >= 2, `${name} ran steps`);
      for (const e of inner) assert.ok(e.ts >= life.ts && e.ts + e.dur! <= life.ts + life.dur!, `${e.name} inside the lifetime of ${name}`);
    }
    const life = (name: string): TraceEvent => events.find((e) => e.cat === 'task' && e.name === name)!;
    assert.equal(life('fetch a').dur, 100_000, 'µs of the loop clock (virtual here)');
    assert.equal(life('fetch b').dur, 300_000);
    assert.equal(life('main').dur, 350_000);
    assert.equal(life('fetch a').args!['createdBy'], 'main');

    const awaits = (name: string): TraceEvent[] => events.filter((e) => e.cat === 'await' && e.tid === tids.get(name));
    assert.deepEqual(awaits('fetch a').map((e) => [e.name, e.ts, e.dur]), [['sleep 100 ms', 0, 100_000]]);
    const mainAwaits = awaits('main');
    assert.equal(mainAwaits[0]!.name, 'gather(2)');
    assert.match(mainAwaits[0]!.args!['awaits'], /fetch a, fetch b/);
    assert.equal(mainAwaits[0]!.dur, 300_000);

    const timeoutEvent = events.find((e) => e.ph === 'i' && e.name === 'timeout')!;
    assert.equal(timeoutEvent.tid, tids.get('main'));
    assert.equal(timeoutEvent.ts, 350_000);
    assert.equal(timeoutEvent.args!['deadlineMs'], 350);
    const cancel = events.find((e) => e.ph === 'i' && e.name === 'cancel')!;
    assert.equal(cancel.tid, tids.get('main'));
    assert.equal(observing, false, 'the recorder stopped observing when the run ended');
  });

  test('AIO_TRACE=file traces a run given no trace option', async () => {
    using tmp = tempFile();
    process.env['AIO_TRACE'] = tmp.file;
    try {
      await run(main, virtual);
    } finally {
      delete process.env['AIO_TRACE'];
    }
    assert.deepEqual([...tracks(readTrace(tmp.file)).keys()], ['main', 'fetch a', 'fetch b']);
  });

  test('written when main throws, with the failure and the cancelled tasks', async () => {
    using tmp = tempFile();
    await assert.rejects(
      run(
        function* () {
          createTask(sleep(1000), { name: 'left behind' });
          yield* sleep(10);
          throw new Error('boom');
        },
        { ...virtual, trace: tmp.file },
      ),
      /boom/,
    );
    const events = readTrace(tmp.file);
    const outcome = (name: string): unknown => events.find((e) => e.cat === 'task' && e.name === name)!.args!['outcome'];
    assert.equal(outcome('main'), 'failed: Error: boom');
    assert.equal(outcome('left behind'), 'cancelled', 'cancelled by run() at the end, and traced');
  });

  test('executor jobs are async events (b/e) with the job function name', async () => {
    using tmp = tempFile();
    await run(
      async () => toThread(function square(x: number) { return x * x; }, 7),
      { trace: tmp.file },
    );
    const events = readTrace(tmp.file);
    const begin = events.find((e) => e.ph === 'b')!;
    const end = events.find((e) => e.ph === 'e' && e.id === begin.id)!;
    assert.match(begin.name, /square/);
    assert.equal(end.args!['outcome'], 'fulfilled');
    assert.ok(end.ts >= begin.ts);
  });

  test('without trace, no observer; a bad option is refused', async () => {
    await run(main, virtual);
    assert.equal(observing, false);
    assert.throws(() => run(main, { trace: 42 as unknown as string }), /options\.trace/);
  });
});
