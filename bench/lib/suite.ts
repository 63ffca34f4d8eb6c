// The catalog: every workload, its systems, its size and its goals.
// The harness (bench/run.ts) reads only this file; each workload's code lives in
// bench/workloads/<name>.ts (Node systems) and bench/python/<name>.py (CPython).

export type Unit = 'ns' | 'B';

export interface SystemSpec {
  /** Name used in the table and passed to the child as `--system`. */
  readonly name: string;
  /** `node` runs bench/workloads/<workload>.ts, `python` runs bench/python/<workload>.py. */
  readonly runtime: 'node' | 'python';
  /** One line saying what this system does, for bench/README.md and --list. */
  readonly what: string;
  /** Runs at `scale` × the workload's N (a per-op figure), when full N would take minutes. */
  readonly scale?: number;
  /** Why it is scaled down: shown in the notes under the table. */
  readonly scaleWhy?: string;
}

export interface Goal {
  /** The aio row that carries the goal. */
  readonly system: string;
  /** Shown in the table, e.g. `≤ 2× raw-channel`. */
  readonly text: string;
  /** The peer the goal compares with (a relative goal). */
  readonly peer?: string;
  /** Met when median(system) <= factor × median(peer). */
  readonly factor?: number;
  /** `lt` for a strict "faster than". */
  readonly strict?: boolean;
  /** An absolute goal instead: met when median(system) < below, in the workload's unit. */
  readonly below?: number;
  /** Judged on this Node major version only (default: on every version run). */
  readonly node?: number;
  /**
   * The floor row that bounds the design (a relative goal only): the least any runtime built
   * this way does for the workload. When the goal is missed and this row misses it too, the
   * verdict says so: the goal is out of the design's reach in that run.
   */
  readonly floor?: string;
}

export interface WorkloadSpec {
  readonly name: string;
  /** The workload file (bench/workloads/<file>.ts, bench/python/<file>.py) when it is not `name`. */
  readonly file?: string;
  /** Extra arguments for the child: a variant of another workload's file (`--maxsize 1`). */
  readonly args?: readonly string[];
  readonly title: string;
  /** What one "operation" is: the divisor of the total. */
  readonly perOp: string;
  readonly unit: Unit;
  /** Operations per round in a full run; a quick run uses `quickN`. */
  readonly n: number;
  readonly quickN: number;
  /** The aio system every ratio is computed against. */
  readonly reference: string;
  readonly systems: readonly SystemSpec[];
  readonly goals: readonly Goal[];
}

const node = (name: string, what: string, scaled?: Scaled): SystemSpec => ({ name, runtime: 'node', what, ...scaled });
const cpython = (what: string, scaled?: Scaled): SystemSpec => ({ name: 'cpython', runtime: 'python', what, ...scaled });
/** The CPython script of the workload on uvloop's event loop (bench/python/child.py). */
const uvloop = (what: string): SystemSpec => ({ name: 'uvloop', runtime: 'python', what });
type Scaled = Pick<SystemSpec, 'scale' | 'scaleWhy'>;
const formatBatch = (n: number): string => `${n / 1000}k`;
const MIN_LOOP =
  'the floor of the design: a minimal generator runtime (task objects, a chunked ready queue, sleep(0) as one hop, ' +
  "callbacks queued, gather counting, Node's turn every 4 ms), without cancellation, errors or bookkeeping";

const ASYNCIO_LOOP =
  "the floor of the design with asyncio's semantics: min-loop plus what they make each task pay, each in the least code " +
  '(an aio Task\'s 11 fields and a name, a mark on the coroutine so that no second task steps it, the loop\'s list of ' +
  'pending tasks, the current task set around each step, a pending cancel checked at each step, errors caught)';

const MIN_CANCEL =
  'the floor of the design for cancelling: tasks in a group blocked on an event whose wait() is its own waiter; ' +
  "cancelling unlinks it and queues the task's step, which resumes the coroutine to a new error from the wait; " +
  "the group counts down; Node's turn every 4 ms; no task list, names, contexts or messages";

const ASYNCIO_CANCEL =
  "the floor of the design for cancelling with asyncio's semantics: min-cancel plus what they make each cancelled task pay, " +
  "each in the least code (an aio Task's 11 fields and a name, the loop's list of pending tasks left at the end, cancel() " +
  'counting the request and keeping its message, the step checking for a pending task and a cancel to throw in and setting ' +
  'the current task, the message carried by the error, a cancellation told from a failure, done tasks skipped by the group)';

const MIN_ASYNC_LOOP =
  'the floor of the design for async-function tasks: min-loop running async functions in Task-sized objects with the promise hooks, ' +
  "a then() on each one's promise, sleep(0) as the least thenable hopping through the queue, and Node's turn every 4 ms";

const THENABLE_FLOOR =
  'the floor of an async task awaiting a runtime awaitable: raw-async-hooks awaiting, instead of null, the least ' +
  'thenable (then() settles at once and returns a promise; every aio awaitable is a thenable, which V8 adopts)';

export const WORKLOADS: readonly WorkloadSpec[] = [
  {
    name: 'spawn-gather',
    title: 'spawn N tasks, each sleep(0) once, gather',
    perOp: 'task',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'createTask(function*(){ yield* sleep(0); return i }), yield* gather(...tasks)'),
      node('aio-async', 'createTask(async () => { await sleep(0); return i }), yield* gather(...tasks)'),
      node('raw-async', 'async f(i){ await null; return i } × N, Promise.all'),
      node('bare-gen', 'the floor: function*(i){ yield; return i } × N stepped from an array, no Task objects'),
      node('task-state', 'bare-gen plus one object per task holding the 11 fields of an aio Task (nothing else)'),
      node('min-loop', MIN_LOOP),
      node('asyncio-loop', ASYNCIO_LOOP),
      node(
        'raw-async-hooks',
        'raw-async with the promise hooks aio uses to find the task of async code, and a Task-sized object per task',
      ),
      node('raw-async-thenable', THENABLE_FLOOR),
      node('min-async-loop', MIN_ASYNC_LOOP),
      node('effection', 'Effection 4: spawn(function*(){ yield* sleep(0); return i }), yield* each task', {
        scale: 0.2,
        scaleWhy: 'about 0.1 ms per task, nearly linear: full N would take a minute',
      }),
      cpython('asyncio.create_task + asyncio.gather, each awaits asyncio.sleep(0)'),
    ],
    goals: [
      { system: 'aio-gen', text: '≤ 1× raw-async', peer: 'raw-async', factor: 1, floor: 'asyncio-loop' },
      { system: 'aio-async', text: '≤ 1.3× raw-async-hooks', peer: 'raw-async-hooks', factor: 1.3, floor: 'min-async-loop' },
    ],
  },
  ...[1_000, 10_000].map(
    (batch): WorkloadSpec => ({
      name: `spawn-gather-${batch / 1000}k`,
      file: 'spawn-gather',
      args: ['--batch', String(batch)],
      title: `spawn-gather in batches of ${formatBatch(batch)}: one run, N/${formatBatch(batch)} spawn+gather one after another`,
      perOp: 'task',
      unit: 'ns',
      n: 100_000,
      quickN: Math.max(10_000, 3 * batch),
      reference: 'aio-gen',
      systems: [
        node('aio-gen', `createTask(function*(){ yield* sleep(0); return i }) × ${formatBatch(batch)}, yield* gather(...tasks)`),
        node('aio-async', `createTask(async () => { await sleep(0); return i }) × ${formatBatch(batch)}, gather`),
        node('raw-async', `async f(i){ await null; return i } × ${formatBatch(batch)}, Promise.all`),
        node('bare-gen', 'the floor: bare generators stepped from an array, no Task objects'),
        node('task-state', 'bare-gen plus one object per task holding the 11 fields of an aio Task'),
        node('min-loop', MIN_LOOP),
        node('asyncio-loop', ASYNCIO_LOOP),
        node('raw-async-hooks', 'raw-async with the promise hooks aio uses, and a Task-sized object per task'),
        node('raw-async-thenable', THENABLE_FLOOR),
        node('min-async-loop', MIN_ASYNC_LOOP),
      ],
      goals: [
        { system: 'aio-gen', text: '≤ 1× raw-async', peer: 'raw-async', factor: 1, floor: 'asyncio-loop' },
        { system: 'aio-async', text: '≤ 1.3× raw-async-hooks', peer: 'raw-async-hooks', factor: 1.3, floor: 'min-async-loop' },
      ],
    }),
  ),
  {
    name: 'spawn-gather-1m',
    file: 'spawn-gather',
    args: ['--iterable'],
    title: 'spawn 1M tasks, each sleep(0) once, gather (aio: gatherFrom, an iterable)',
    perOp: 'task',
    unit: 'ns',
    n: 1_000_000,
    quickN: 100_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'createTask(function*(){ yield* sleep(0); return i }) × N, yield* gatherFrom(tasks)'),
      // No aio-async: at ~1.5 KB per pending async-function task, 1M of them need 1.5 GB of heap.
      node('raw-async', 'async f(i){ await null; return i } × N, Promise.all'),
      node('bare-gen', 'the floor: bare generators stepped from an array, no Task objects'),
      node('task-state', 'bare-gen plus one object per task holding the 11 fields of an aio Task'),
      node('min-loop', MIN_LOOP),
      node('asyncio-loop', ASYNCIO_LOOP),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1× raw-async', peer: 'raw-async', factor: 1, floor: 'asyncio-loop' }],
  },
  {
    name: 'queue-pingpong',
    title: 'N items through a bounded queue (maxsize 16), one producer, one consumer',
    perOp: 'item',
    unit: 'ns',
    n: 1_000_000,
    quickN: 100_000,
    reference: 'aio',
    systems: [
      node('aio', 'Queue(16): yield* q.put(i) / yield* q.get()'),
      node('raw-channel', 'minimal bounded Promise channel (in the bench file), two async functions'),
      cpython('asyncio.Queue(16), two tasks'),
    ],
    goals: [{ system: 'aio', text: '≤ 2× raw-channel', peer: 'raw-channel', factor: 2 }],
  },
  {
    name: 'queue-handoff',
    file: 'queue-pingpong',
    args: ['--maxsize', '1'],
    title: 'N items through a Queue(1): producer and consumer alternate on every item',
    perOp: 'item',
    unit: 'ns',
    n: 1_000_000,
    quickN: 100_000,
    reference: 'aio',
    systems: [
      node('aio', 'Queue(1): yield* q.put(i) / yield* q.get()'),
      node('raw-channel', 'the same minimal bounded Promise channel, maxsize 1'),
      node('aio-futures', 'the floor of an aio hand-off: the two tasks wait on a new Future each time, no Queue'),
    ],
    goals: [{ system: 'aio', text: '≤ 1.5× raw-channel', peer: 'raw-channel', factor: 1.5, floor: 'aio-futures' }],
  },
  {
    name: 'pipeline',
    title: 'N items through a 3-stage pipeline, concurrency 16 per stage, trivial work (x + 1)',
    perOp: 'item',
    unit: 'ns',
    n: 200_000,
    quickN: 20_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'aio-ts/pipeline: pipeline(range).map(function*, { concurrency: 16 }) × 3, forEach'),
      node('aio-gen-ordered', 'the same with ordered: true at each stage (input order kept, as Node streams do)'),
      node('aio-async', 'the same with async stage functions, consumed with for await'),
      node('aio-queues', 'the same by hand: 16 worker tasks per stage in a taskGroup, Queue(16) between stages'),
      node('node-streams', 'Readable.from(range).map(async fn, { concurrency: 16 }) × 3, for await (keeps order)'),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1× node-streams', peer: 'node-streams', factor: 1 }],
  },
  {
    name: 'resource-pool',
    title: 'N acquire/release cycles of a pool of 8 resources by 64 workers, one tick while holding',
    perOp: 'acquire',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'aio-ts/pool ResourcePool({ max: 8, min: 8 }): using lease = yield* pool.acquire(), yield* sleep(0)'),
      node('aio-async', 'the same from async functions: using lease = await pool.acquire(), await sleep(0)'),
      node('tarn', 'tarn.js Pool({ max: 8 }): await pool.acquire().promise, await null, pool.release(r)'),
      node('generic-pool', 'generic-pool createPool(…, { max: 8 }): await pool.acquire(), await null, pool.release(r)'),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1× tarn', peer: 'tarn', factor: 1 }],
  },
  {
    name: 'resource-pool-free',
    file: 'resource-pool',
    args: ['--workers', '1', '--max', '1'],
    title: 'N acquire/release cycles of a pool of 1 resource by one worker (never waits), one tick while holding',
    perOp: 'acquire',
    unit: 'ns',
    n: 1_000_000,
    quickN: 100_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'aio-ts/pool ResourcePool({ max: 1 }): using lease = yield* pool.acquire(), yield* sleep(0)'),
      node('aio-async', 'the same from an async function'),
      node('tarn', 'tarn.js: await pool.acquire().promise, await null, pool.release(r)'),
      node('generic-pool', 'generic-pool: await pool.acquire(), await null, pool.release(r)'),
    ],
    goals: [],
  },
  {
    name: 'fanout-semaphore',
    title: 'N jobs under a limit of 64, each job awaits one tick',
    perOp: 'job',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio',
    systems: [
      node('aio', 'Semaphore(64): N tasks, acquire, yield* sleep(0), release'),
      node('p-limit', 'pLimit(64)(async () => { await null; return i }), Promise.all'),
      node('p-queue', 'new PQueue({ concurrency: 64 }).add(async job), Promise.all'),
      node('async-mutex', 'new Semaphore(64).runExclusive(async job), Promise.all'),
      cpython('asyncio.Semaphore(64): N tasks, async with sem: await asyncio.sleep(0)'),
    ],
    goals: [{ system: 'aio', text: '< p-limit', peer: 'p-limit', factor: 1, strict: true }],
  },
  {
    name: 'lock-contention',
    title: 'N/100 tasks × 100 acquire/release each, one tick while holding',
    perOp: 'acquire',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio',
    systems: [
      node('aio', 'Lock: acquire, yield* sleep(0), release'),
      node('async-mutex', 'Mutex.runExclusive(async () => { await null })'),
      cpython('asyncio.Lock: async with lock: await asyncio.sleep(0)'),
    ],
    goals: [],
  },
  {
    name: 'lock-uncontended',
    title: 'one task, N acquire+release of a free lock',
    perOp: 'acquire',
    unit: 'ns',
    n: 1_000_000,
    quickN: 100_000,
    reference: 'aio',
    systems: [
      node('aio', 'Lock: yield* lock.acquire(); lock.release()'),
      node('aio-async', 'Lock, from an async-function task: await lock.acquire(); lock.release()'),
      node('raw-await', 'await of an already resolved promise'),
      node('raw-thenable', 'the floor of await on any lazy awaitable: a thenable whose then() resolves at once'),
      node('async-mutex', 'const release = await mutex.acquire(); release()'),
      cpython('await lock.acquire(); lock.release()'),
    ],
    goals: [{ system: 'aio', text: '≤ 1.2× raw-await', peer: 'raw-await', factor: 1.2 }],
  },
  {
    name: 'async-await',
    title: 'one async-function task awaits N times',
    perOp: 'await',
    unit: 'ns',
    n: 1_000_000,
    quickN: 100_000,
    reference: 'aio-future',
    systems: [
      node('aio-future', 'in createTask(async () => ...): await of an aio Future that is already done'),
      node('aio-promise', 'in createTask(async () => ...): await of a resolved Promise (what tracking the task costs)'),
      node('raw-await', 'the floor: a plain async function awaiting a resolved Promise, no context tracking'),
      node('raw-await-als', 'raw-await inside AsyncLocalStorage.run(): the context tracking Node offers'),
    ],
    goals: [],
  },
  {
    name: 'timers',
    title: 'N tasks sleeping seeded random delays of 0–50 ms (real time)',
    perOp: 'task',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio',
    systems: [
      node('aio', 'N tasks: yield* sleep(delay), gather'),
      node('raw-timeout', 'N promises of setTimeout(delay), Promise.all'),
      cpython('N tasks: await asyncio.sleep(delay / 1000), gather'),
    ],
    goals: [],
  },
  {
    name: 'cancel-storm',
    title: 'N tasks blocked on an Event, all cancelled at once (timed from the failure)',
    perOp: 'task',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio',
    systems: [
      node('aio', 'taskGroup whose body throws (falls back to task.cancel() on each task)'),
      node('effection', 'Effection 4: children suspended in a spawned scope, then task.halt()', {
        scale: 0.1,
        scaleWhy: 'spawning 100k Effection tasks takes ~15 s a round; the halt is linear in N',
      }),
      node('gen-throw', 'N suspended generator objects, .throw(err) into each'),
      node('min-cancel', MIN_CANCEL),
      node('asyncio-cancel', ASYNCIO_CANCEL),
      cpython('asyncio.TaskGroup whose body raises', {
        scale: 0.1,
        scaleWhy: 'each cancelled Event.wait() removes its waiter from a deque (O(N)): 40 µs/task at 10k, 370 µs at 100k',
      }),
    ],
    goals: [
      { system: 'aio', text: '< 1 µs on Node 24', below: 1000, node: 24 },
      { system: 'aio', text: '≤ 1.3× gen-throw', peer: 'gen-throw', factor: 1.3, floor: 'asyncio-cancel' },
    ],
  },
  {
    name: 'memory',
    title: 'heap bytes per pending task (N tasks blocked on an Event)',
    perOp: 'task',
    unit: 'B',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio',
    systems: [
      node('aio', 'N generator tasks blocked on Event.wait(); heapUsed delta after gc()'),
      node('aio-async', 'N async-function tasks blocked on await ev.wait(); heapUsed delta after gc()'),
      node('raw-async', 'N async functions awaiting a pending Promise; heapUsed delta after gc()'),
      node(
        'raw-async-thenable',
        "the floor of an async task on a thenable: raw-async with aio's promise hooks, a Task-sized object and a " +
          'reaction on each promise, awaiting the least thenable that stays pending (its then() keeps the handler and ' +
          'returns a promise)',
      ),
      cpython('N tasks blocked on asyncio.Event.wait(); tracemalloc delta'),
    ],
    goals: [{ system: 'aio-async', text: '≤ 2× raw-async', peer: 'raw-async', factor: 2, floor: 'raw-async-thenable' }],
  },
  {
    name: 'executor',
    title: 'N trivial jobs ((x) => x + 1) through a worker thread, one at a time',
    perOp: 'job',
    unit: 'ns',
    n: 10_000,
    quickN: 1_000,
    reference: 'aio',
    systems: [
      node('aio', 'yield* loop.runInExecutor(null, inc, i) in a loop (default ThreadPoolExecutor)'),
      node('raw-worker', 'the floor: one worker_threads Worker, postMessage(i) and await its reply'),
      cpython('await loop.run_in_executor(None, inc, i) in a loop (default ThreadPoolExecutor)'),
    ],
    goals: [],
  },
  {
    name: 'pool-throughput',
    title: 'N trivial jobs (x + 1) through a pool of 2 worker threads, 64 in flight',
    perOp: 'job',
    unit: 'ns',
    n: 10_000,
    quickN: 1_000,
    reference: 'aio',
    systems: [
      node('aio', 'ThreadPoolExecutor({ maxWorkers: 2, minWorkers: 2 }).submit(inc, i), a self-contained function'),
      node('aio-module', 'the same with moduleTask(pool-jobs.mjs, "inc")'),
      node('piscina', 'new Piscina({ filename: pool-jobs.mjs, minThreads: 2, maxThreads: 2 }).run(i, { name: "inc" })'),
      node('tinypool', 'new Tinypool({ filename: pool-jobs.mjs, minThreads: 2, maxThreads: 2 }).run(i, { name: "inc" })'),
      cpython('await loop.run_in_executor(ThreadPoolExecutor(max_workers=2), inc, i) in 64 lanes'),
    ],
    goals: [{ system: 'aio', text: '≤ piscina', peer: 'piscina', factor: 1 }],
  },
  {
    name: 'pool-transfer',
    title: 'N jobs each transferring a new 1 MB ArrayBuffer to a pool of 2 worker threads, 64 in flight',
    perOp: 'job',
    unit: 'ns',
    n: 1_000,
    quickN: 100,
    reference: 'aio',
    systems: [
      node('aio', 'pool.submit((b) => b.byteLength, move(buffer))'),
      node('aio-module', 'the same with moduleTask(pool-jobs.mjs, "size")'),
      node('piscina', 'piscina.run(buffer, { name: "size", transferList: [buffer] })'),
      node('tinypool', 'tinypool.run(buffer, { name: "size", transferList: [buffer] })'),
      cpython('run_in_executor(pool, len, bytearray(1 MB)) in 64 lanes (threads share memory: no copy)'),
    ],
    goals: [{ system: 'aio', text: '≤ piscina', peer: 'piscina', factor: 1 }],
  },
  {
    name: 'http-client',
    title: 'N GETs at concurrency 64 against a local node:http server in another process',
    perOp: 'request',
    unit: 'ns',
    n: 10_000,
    quickN: 1_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'ClientSession({ limit: 64 }), 64 generator workers: yield* session.get(url), yield* response.text()'),
      node('aio-async', 'ClientSession({ limit: 64 }), 64 async workers: await session.get(url), await response.text()'),
      node('undici-request', "undici's request() through an Agent({ connections: 64 }), 64 async workers, body.text()"),
      node('undici-fetch', "undici's fetch() through an Agent({ connections: 64 }), 64 async workers, response.text()"),
      cpython('aiohttp ClientSession(TCPConnector(limit=64)), 64 workers (unavailable without aiohttp)'),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1.1× undici-request', peer: 'undici-request', factor: 1.1 }],
  },
  {
    name: 'http-server',
    title: 'N requests at concurrency 64 (undici request() as load generator) to a server in another process',
    perOp: 'request',
    unit: 'ns',
    n: 10_000,
    quickN: 1_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'serve(function* () { return Response.bytes(ok) }): each request its own Task'),
      node('aio-async', 'serve(async () => Response.bytes(ok)): each request its own async-function Task'),
      node('node-http', 'the floor: a bare node:http handler, res.end(ok)'),
      node('aiohttp', "CPython aiohttp.web (Debian's python3-aiohttp), same load generator; unavailable without aiohttp"),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1.15× node-http', peer: 'node-http', factor: 1.15 }],
  },
  {
    name: 'echo-1',
    title: 'N echo round trips of 64 bytes over one loopback TCP connection (client and server in one process)',
    perOp: 'round trip',
    unit: 'ns',
    n: 100_000,
    quickN: 10_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'aio-ts/streams: write + drain, readexactly(64); the server echoes with readexactly + write + drain'),
      node('aio-async', 'the same in async functions'),
      node('raw-net', "the floor: node:net, the server echoes on 'data', the client sends the next message on each reply"),
      cpython('asyncio streams: write + drain, readexactly(64), asyncio.start_server echoing the same way'),
      uvloop('the same asyncio streams on uvloop (Debian python3-uvloop; unavailable without it)'),
    ],
    goals: [
      { system: 'aio-gen', text: '≤ 1.15× raw-net', peer: 'raw-net', factor: 1.15 },
      { system: 'aio-gen', text: '< cpython', peer: 'cpython', factor: 1, strict: true },
      { system: 'aio-gen', text: '< uvloop', peer: 'uvloop', factor: 1, strict: true, floor: 'raw-net' },
    ],
  },
  {
    name: 'echo-50',
    title: 'N echo round trips of 64 bytes spread over 50 loopback TCP connections at once',
    perOp: 'round trip',
    unit: 'ns',
    n: 200_000,
    quickN: 20_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'as echo-1, 50 client tasks and 50 handler tasks'),
      node('aio-async', 'the same in async functions'),
      node('raw-net', "the floor: node:net with 'data' events, 50 sockets"),
      cpython('asyncio streams, 50 client coroutines'),
      uvloop('the same on uvloop (Debian python3-uvloop; unavailable without it)'),
    ],
    goals: [
      { system: 'aio-gen', text: '≤ 1.15× raw-net', peer: 'raw-net', factor: 1.15 },
      { system: 'aio-gen', text: '< cpython', peer: 'cpython', factor: 1, strict: true },
      { system: 'aio-gen', text: '< uvloop', peer: 'uvloop', factor: 1, strict: true, floor: 'raw-net' },
    ],
  },
  {
    name: 'bulk-transfer',
    title: 'N MiB received over one loopback TCP connection (a raw node:net sender piping 64 KiB blocks; the receiver is measured)',
    perOp: 'MiB',
    unit: 'ns',
    n: 1024,
    quickN: 64,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'aio-ts/streams: openConnection, yield* reader.read(65536) until EOF'),
      node('aio-async', 'the same in an async function: await reader.read(65536)'),
      node('raw-pipe', 'the floor: the raw socket piped (stream.pipeline) into a counting Writable'),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1.2× raw-pipe', peer: 'raw-pipe', factor: 1.2 }],
  },
  {
    name: 'readline-file',
    title: 'N lines of 20 bytes read one by one from a file (5M lines ≈ 100 MB)',
    perOp: 'line',
    unit: 'ns',
    n: 5_000_000,
    quickN: 500_000,
    reference: 'aio-gen',
    systems: [
      node('aio-gen', 'yield* reader.readline() on fromReadable(fs.createReadStream(file))'),
      node('aio-async', 'for await (const line of fromReadable(fs.createReadStream(file)))'),
      node('node-readline', "node:readline's async iterator over fs.createReadStream(file)"),
    ],
    goals: [{ system: 'aio-gen', text: '≤ 1× node-readline', peer: 'node-readline', factor: 1 }],
  },
];

export function findWorkload(name: string): WorkloadSpec | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
