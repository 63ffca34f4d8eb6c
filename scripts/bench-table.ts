// Writes the README's speed table from bench/results/latest.json: one line per aio figure,
// its peers and floors on the primary Node version with their ratio to it, the same ratio on
// the other versions, and the goals judged again from the stored medians.
//
//   node --import tsx scripts/bench-table.ts          rewrite the table in README.md
//   node --import tsx scripts/bench-table.ts --print  print it instead
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { judge, type Report, type Row } from '../bench/lib/report.js';
import { findWorkload } from '../bench/lib/suite.js';

/** One line of the table. */
interface Line {
  workload: string;
  /** The aio row the line is about. */
  aio: string;
  label: string;
  /** Peers, then floors: [system, how the README names it]. */
  peers: readonly (readonly [string, string])[];
  floors?: readonly (readonly [string, string])[];
  /** The system whose ratio the Node 22 and 20 columns give (default: the first peer or floor). */
  beside?: string;
  /** The goal as the README words it, and the system carrying it in the catalog (default `aio`). */
  goal?: string;
  goalSystem?: string;
}

const RAW = [['raw-async', 'raw async']] as const;
const MIN_LOOPS = [
  ['min-loop', 'a minimal generator loop'],
  ['asyncio-loop', "the same with asyncio's semantics"],
] as const;
const GEN_FLOORS = [['bare-gen', 'bare generators'], ['task-state', 'a Task-sized object each'], ...MIN_LOOPS] as const;
const ECHO_PEERS = [['raw-net', 'raw `net`'], ['uvloop', 'uvloop'], ['cpython', 'CPython']] as const;
const ASYNC_FLOORS = [
  ['raw-async-hooks', "raw async with aio's promise hooks"],
  ['raw-async-thenable', 'the same awaiting a thenable'],
  ['min-async-loop', 'a minimal async-task loop'],
] as const;
const LINES: readonly Line[] = [
  {
    workload: 'spawn-gather',
    aio: 'aio-gen',
    label: 'spawn + gather 100k tasks, generator',
    peers: [['raw-async', 'raw async + `Promise.all`'], ['cpython', 'CPython'], ['effection', 'Effection']],
    floors: GEN_FLOORS,
    goal: '≤ 1× raw',
  },
  { workload: 'spawn-gather-1k', aio: 'aio-gen', label: '… in batches of 1k', peers: RAW, floors: MIN_LOOPS, goal: '≤ 1× raw' },
  { workload: 'spawn-gather-10k', aio: 'aio-gen', label: '… in batches of 10k', peers: RAW, floors: MIN_LOOPS, goal: '≤ 1× raw' },
  {
    workload: 'spawn-gather-1m',
    aio: 'aio-gen',
    label: '… 1M tasks (`gatherFrom`)',
    peers: RAW,
    floors: GEN_FLOORS,
    goal: '≤ 1× raw',
  },
  { workload: 'spawn-gather', aio: 'aio-async', label: 'spawn + gather 100k, async-function tasks', peers: [], floors: ASYNC_FLOORS, goal: '≤ 1.3× floor' },
  { workload: 'spawn-gather-1k', aio: 'aio-async', label: '… in batches of 1k', peers: [], floors: ASYNC_FLOORS, goal: '≤ 1.3× floor' },
  { workload: 'spawn-gather-10k', aio: 'aio-async', label: '… in batches of 10k', peers: [], floors: ASYNC_FLOORS, goal: '≤ 1.3× floor' },
  { workload: 'queue-pingpong', aio: 'aio', label: 'queue ping-pong, `Queue(16)`', peers: [['raw-channel', 'promise channel'], ['cpython', 'CPython']], goal: '≤ 2× raw' },
  {
    workload: 'queue-handoff',
    aio: 'aio',
    label: '`Queue(1)` hand-off',
    peers: [['raw-channel', 'promise channel']],
    floors: [['aio-futures', 'two aio tasks handing off through a Future each time']],
    goal: '≤ 1.5× raw',
  },
  {
    workload: 'pipeline',
    aio: 'aio-gen',
    label: '3-stage pipeline, concurrency 16',
    peers: [['node-streams', '`Readable.map` chain'], ['aio-queues', 'by hand with aio queues'], ['aio-async', 'the same with async stage functions']],
    goal: '≤ 1× Node streams',
  },
  { workload: 'resource-pool', aio: 'aio-gen', label: 'resource pool, 64 workers, 8 resources', peers: [['tarn', 'tarn.js'], ['generic-pool', 'generic-pool']], goal: '≤ tarn.js' },
  {
    workload: 'fanout-semaphore',
    aio: 'aio',
    label: '100k jobs through `Semaphore(64)`',
    peers: [['p-limit', 'p-limit'], ['p-queue', 'p-queue'], ['async-mutex', 'async-mutex'], ['cpython', 'CPython']],
    goal: '< p-limit',
  },
  { workload: 'lock-contention', aio: 'aio', label: 'lock contention, 1k tasks × 100', peers: [['async-mutex', 'async-mutex'], ['cpython', 'CPython']] },
  {
    workload: 'lock-uncontended',
    aio: 'aio',
    label: 'uncontended lock, `yield* lock.acquire()`',
    peers: [['raw-await', 'bare `await`'], ['async-mutex', 'async-mutex'], ['cpython', 'CPython']],
    goal: '≤ 1.2× raw',
  },
  {
    workload: 'lock-uncontended',
    aio: 'aio-async',
    label: '… `await lock.acquire()` in an async function',
    peers: [],
    floors: [['raw-thenable', '`await` of any thenable that resolves at once']],
  },
  {
    workload: 'async-await',
    aio: 'aio-future',
    label: '`await` in an async-function task',
    peers: [['aio-promise', 'of a resolved promise'], ['raw-await', 'bare']],
  },
  { workload: 'timers', aio: 'aio', label: '100k timers, 0–50 ms', peers: [['raw-timeout', '`setTimeout` + Promise'], ['cpython', 'CPython']] },
  {
    workload: 'cancel-storm',
    aio: 'aio',
    label: 'cancel 100k blocked tasks (TaskGroup)',
    peers: [['effection', 'Effection'], ['cpython', 'CPython']],
    floors: [
      ['gen-throw', 'generator `.throw()` twice'],
      ['min-cancel', 'a minimal cancelling loop'],
      ['asyncio-cancel', "the same with asyncio's semantics"],
    ],
    beside: 'gen-throw',
    goal: '< 1 µs on Node 24, ≤ 1.3× floor',
  },
  {
    workload: 'memory',
    aio: 'aio',
    label: 'memory per pending task (bytes)',
    peers: [['raw-async', 'async fn'], ['aio-async', 'aio async-function task'], ['cpython', 'CPython']],
    floors: [['raw-async-thenable', "an async fn with aio's hooks, a Task-sized object, awaiting a thenable"]],
    goal: 'async task ≤ 2× raw',
    goalSystem: 'aio-async',
  },
  {
    workload: 'executor',
    aio: 'aio',
    label: 'trivial job through the default executor',
    peers: [['raw-worker', "one worker's `postMessage` round trip"], ['cpython', 'CPython']],
  },
  {
    workload: 'pool-throughput',
    aio: 'aio',
    label: '2-worker pool, 64 jobs in flight',
    peers: [['piscina', 'piscina'], ['tinypool', 'tinypool'], ['cpython', 'CPython']],
    goal: '≤ piscina',
  },
  { workload: 'pool-transfer', aio: 'aio', label: '… each job moving a 1 MB buffer', peers: [['piscina', 'piscina'], ['tinypool', 'tinypool']], goal: '≤ piscina' },
  {
    workload: 'http-client',
    aio: 'aio-gen',
    label: 'HTTP client, 10k GETs at concurrency 64',
    peers: [['undici-request', 'undici `request`'], ['undici-fetch', '`fetch`'], ['cpython', 'aiohttp']],
    goal: '≤ 1.1× undici',
  },
  { workload: 'http-server', aio: 'aio-gen', label: 'HTTP server, 10k requests', peers: [['node-http', '`node:http`'], ['aiohttp', 'aiohttp.web']], goal: '≤ 1.15×' },
  {
    workload: 'echo-1',
    aio: 'aio-gen',
    label: 'TCP echo, one connection',
    peers: ECHO_PEERS,
    goal: '≤ 1.15× raw, < uvloop',
  },
  {
    workload: 'echo-50',
    aio: 'aio-gen',
    label: 'TCP echo, 50 connections',
    peers: ECHO_PEERS,
    goal: '≤ 1.15× raw, < uvloop',
  },
  { workload: 'bulk-transfer', aio: 'aio-gen', label: 'receiving 1 GiB over TCP (ns per MiB)', peers: [['raw-pipe', 'raw `pipe`']], goal: '≤ 1.2× raw' },
  { workload: 'readline-file', aio: 'aio-gen', label: 'reading 5M lines of a file', peers: [['node-readline', '`node:readline`']], goal: '≤ 1× readline' },
];

const number = (v: number): string =>
  v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const ratio = (r: number): string => (r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(2)}×`);

function median(rows: Row[], workload: string, system: string, node: string | undefined): number | null {
  const r = rows.find((x) => x.workload === workload && x.system === system && (x.runtime === 'python' || x.node === node));
  return r?.summary?.median ?? null;
}

/** The goals judged again on the primary version's rows (a full run and its updates agree). */
function goalsMet(report: Report, primary: string): Map<string, Row['goal']> {
  const met = new Map<string, Row['goal']>();
  for (const workload of new Set(report.rows.map((r) => r.workload))) {
    const spec = findWorkload(workload);
    if (spec === undefined) continue;
    const rows: Row[] = report.rows
      .filter((r) => r.workload === workload && (r.runtime === 'python' || r.node === primary))
      .map(({ goal: _stored, ...r }) => r);
    judge(spec, rows);
    for (const r of rows) if (r.goal !== undefined) met.set(`${workload}/${r.system}`, r.goal);
  }
  return met;
}

function renderLine(line: Line, report: Report, versions: string[], met: Map<string, Row['goal']>): string {
  const [primary, ...others] = versions as [string, ...string[]];
  const mine = median(report.rows, line.workload, line.aio, primary);
  if (mine === null) throw new Error(`bench-table: no ${line.workload}/${line.aio} row on ${primary} in latest.json; run the bench first`);
  const cell = (pairs: readonly (readonly [string, string])[]): string[] =>
    pairs.flatMap(([system, name]) => {
      const v = median(report.rows, line.workload, system, primary);
      return v === null ? [] : [`${name} ${number(v)} (${ratio(v / mine)})`];
    });
  const peers = cell(line.peers).join(', ');
  const floors = cell(line.floors ?? []);
  const floorText = floors.length === 0 ? '' : `${floors.length > 1 ? 'floors' : 'floor'}: ${floors.join(', ')}`;
  const beside = line.beside ?? line.peers[0]?.[0] ?? line.floors?.[0]?.[0];
  const besideCells = others.map((node) => {
    const a = median(report.rows, line.workload, line.aio, node);
    const b = beside === undefined ? null : median(report.rows, line.workload, beside, node);
    return a === null || b === null || report.rows.find((r) => r.workload === line.workload && r.system === beside)?.runtime === 'python'
      ? ''
      : ratio(b / a);
  });
  const judged = met.get(`${line.workload}/${line.goalSystem ?? line.aio}`);
  const metText =
    line.goal === undefined || judged === undefined
      ? ''
      : judged.met === null
        ? '—'
        : judged.met
          ? 'yes'
          : judged.floorMissed === undefined
            ? 'no'
            : 'no (floor too)';
  const figures = [peers, floorText].filter((s) => s !== '').join('; ');
  return `| ${[line.label, number(mine), figures, ...besideCells, line.goal ?? '', metText].join(' | ')} |`;
}

function renderTable(report: Report): string {
  const versions = report.machine.nodes.map((n) => n.version);
  const met = goalsMet(report, versions[0]!);
  const major = (v: string): string => `Node ${v.slice(1).split('.')[0]}`;
  const header = [`workload (${major(versions[0]!)})`, 'aio', 'peers (ratio to aio)', ...versions.slice(1).map(major), 'goal', 'met'];
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...LINES.map((line) => renderLine(line, report, versions, met)),
  ].join('\n');
}

export const START = '<!-- bench-table: generated by scripts/bench-table.ts from bench/results/latest.json -->';
export const END = '<!-- bench-table end -->';
const ROOT = new URL('..', import.meta.url);
const README = fileURLToPath(new URL('README.md', ROOT));

/** The table for the current bench/results/latest.json. */
export function currentTable(): string {
  return renderTable(JSON.parse(readFileSync(new URL('bench/results/latest.json', ROOT), 'utf8')) as Report);
}

/** The README's table as it stands, between the markers. */
export function readmeTable(): string {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`bench-table: README.md has no "${START}" … "${END}" block`);
  return readme.slice(from + START.length, to).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = currentTable();
  if (process.argv.includes('--print')) {
    console.log(table);
  } else {
    const readme = readFileSync(README, 'utf8');
    const old = readmeTable();
    writeFileSync(README, readme.replace(old, table));
    console.log('bench-table: README.md table rewritten from bench/results/latest.json');
  }
}
