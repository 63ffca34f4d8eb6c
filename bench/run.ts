// The benchmark harness: runs every workload × system in a fresh child process,
// prints the table, writes bench/results/latest.json and bench/results/latest.svg.
//
//   npm run bench                       every workload, full size
//   npm run bench -- --quick            N/10, fewer rounds (under a minute)
//   npm run bench -- queue-pingpong     one workload (several names allowed)
//   npm run bench -- --system aio       only the systems named (repeatable)
//   npm run bench -- --list             the workloads and their systems
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { nodeCommand, pythonCommand, pythonVersion, runCommand } from './lib/spawn.js';
import { formatCount, formatNumber, formatRange, formatRatio, formatValue, summarize, type Summary } from './lib/stats.js';
import { WORKLOADS, findWorkload, type SystemSpec, type WorkloadSpec } from './lib/suite.js';
import { renderChart } from './lib/svg.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

interface Mode {
  name: 'full' | 'quick';
  /**
   * Fresh processes per system, run in turns (every system of a workload once, then again),
   * their counted rounds pooled: a slow phase of the host spreads over every system instead
   * of falling on one.
   */
  passes: number;
  warmup: number;
  /** Counted rounds per process (at most). */
  rounds: number;
  /** Once the counted rounds of one system have taken this long, stop after 3. */
  budgetMs: number;
  timeoutMs: number;
}

const FULL: Mode = { name: 'full', passes: 2, warmup: 2, rounds: 4, budgetMs: 4_000, timeoutMs: 300_000 };
const QUICK: Mode = { name: 'quick', passes: 1, warmup: 1, rounds: 5, budgetMs: 1_000, timeoutMs: 60_000 };

export type Status = 'ok' | 'unavailable' | 'skipped' | 'error';

export interface Row {
  workload: string;
  system: string;
  runtime: SystemSpec['runtime'];
  unit: WorkloadSpec['unit'];
  n: number;
  status: Status;
  /** Why it is unavailable, skipped or failed. */
  reason?: string;
  samples?: number[];
  warmup?: number[];
  summary?: Summary;
  /** median(system) / median(workload's aio reference); null when either is missing. */
  ratio?: number | null;
  goal?: { text: string; met: boolean | null };
  notes?: Record<string, number | string>;
  /** Wall time of the child process. */
  seconds?: number;
}

interface Args {
  mode: Mode;
  workloads: WorkloadSpec[];
  systems: string[];
  list: boolean;
}

function parseArgs(argv: string[]): Args {
  const names: string[] = [];
  const systems: string[] = [];
  let quick = false;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--list') list = true;
    else if (a === '--system') systems.push(argv[++i] ?? '');
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else names.push(a);
  }
  const workloads = names.map((name) => {
    const w = findWorkload(name);
    if (w === undefined) throw new Error(`unknown workload ${name}; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
    return w;
  });
  return { mode: quick ? QUICK : FULL, workloads: workloads.length > 0 ? workloads : [...WORKLOADS], systems, list };
}

function sizeOf(w: WorkloadSpec, s: SystemSpec, mode: Mode): number {
  const n = mode.name === 'quick' ? w.quickN : w.n;
  return Math.max(1, Math.round(n * (s.scale ?? 1)));
}

async function runOne(w: WorkloadSpec, s: SystemSpec, mode: Mode, python: string | null): Promise<Row> {
  const n = sizeOf(w, s, mode);
  const row: Row = { workload: w.name, system: s.name, runtime: s.runtime, unit: w.unit, n, status: 'ok' };
  if (s.runtime === 'python' && python === null) {
    return { ...row, status: 'skipped', reason: 'python3 not found' };
  }
  const args = ['--system', s.name, '--n', String(n), '--warmup', String(mode.warmup), '--rounds', String(mode.rounds)];
  args.push('--budget-ms', String(mode.budgetMs));
  const command =
    s.runtime === 'node'
      ? nodeCommand(`bench/workloads/${w.name}.ts`, ROOT, args)
      : pythonCommand(`bench/python/${w.name}.py`, ROOT, args);
  const { result, seconds } = await runCommand(command, mode.timeoutMs);
  row.seconds = Math.round(seconds * 10) / 10;
  if (result.status === 'unavailable') return { ...row, status: 'unavailable', reason: result.reason };
  if (result.status === 'error') return { ...row, status: 'error', reason: result.message };
  return { ...row, samples: result.samples, warmup: result.warmup, summary: summarize(result.samples), notes: result.notes };
}

/** One row from the passes of a system: their counted rounds pooled; the first failure wins. */
function pool(passes: Row[]): Row {
  const failed = passes.find((r) => r.status !== 'ok');
  if (failed !== undefined) return failed;
  const samples = passes.flatMap((r) => r.samples ?? []);
  const seconds = passes.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
  return {
    ...passes[passes.length - 1]!,
    samples,
    warmup: passes.flatMap((r) => r.warmup ?? []),
    summary: summarize(samples),
    seconds: Math.round(seconds * 10) / 10,
  };
}

/** Fills in ratios and goals once every system of a workload has run. */
function judge(w: WorkloadSpec, rows: Row[]): void {
  const medianOf = (system: string): number | null => {
    const r = rows.find((x) => x.system === system);
    return r?.summary !== undefined ? r.summary.median : null;
  };
  const ref = medianOf(w.reference);
  for (const row of rows) {
    row.ratio = row.summary !== undefined && ref !== null ? row.summary.median / ref : null;
  }
  for (const goal of w.goals) {
    const row = rows.find((x) => x.system === goal.system);
    if (row === undefined) continue;
    const mine = medianOf(goal.system);
    const peer = goal.peer === undefined ? null : medianOf(goal.peer);
    const factor = goal.factor ?? 1;
    let met: boolean | null = null;
    if (mine !== null && goal.below !== undefined) met = mine < goal.below;
    else if (mine !== null && peer !== null) met = goal.strict === true ? mine < factor * peer : mine <= factor * peer;
    row.goal = { text: goal.text, met };
  }
}

function progressLine(row: Row): string {
  const head = `  ${row.workload.padEnd(18)} ${row.system.padEnd(12)}`;
  const took = row.seconds !== undefined ? ` (${row.seconds} s)` : '';
  if (row.summary === undefined) return `${head} ${row.status}: ${row.reason ?? ''}${took}`;
  return `${head} ${formatValue(row.summary.median, row.unit)}/op${took}`;
}

function renderTable(rows: Row[], workloads: WorkloadSpec[]): string {
  const header = ['workload', 'system', 'N', 'median/op', 'min–max', 'vs aio', 'goal (aio rows)', 'met'];
  const lines: string[][] = [header];
  for (const w of workloads) {
    for (const r of rows.filter((x) => x.workload === w.name)) {
      const s = r.summary;
      const met = r.goal === undefined ? '' : r.goal.met === null ? '—' : r.goal.met ? 'yes' : 'NO';
      lines.push([
        r.workload,
        r.system,
        formatCount(r.n),
        s !== undefined ? formatValue(s.median, r.unit) : r.status,
        s !== undefined ? formatRange(s) : '',
        s !== undefined ? formatRatio(r.ratio ?? null) : '',
        r.goal?.text ?? '',
        met,
      ]);
    }
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const right = new Set([2, 3, 4, 5]);
  const fmt = (l: string[]): string =>
    l.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((wd) => '-'.repeat(wd)).join('  ');
  return [fmt(lines[0]!), rule, ...lines.slice(1).map(fmt)].join('\n');
}

function renderNotes(rows: Row[]): string[] {
  const notes: string[] = [];
  for (const r of rows) {
    const who = `${r.workload} / ${r.system}`;
    if (r.status !== 'ok') notes.push(`${who}: ${r.status}: ${r.reason ?? ''}`);
    const spec = findWorkload(r.workload)?.systems.find((s) => s.name === r.system);
    if (spec?.scale !== undefined) notes.push(`${who}: run at N=${formatCount(r.n)}: ${spec.scaleWhy ?? ''}`);
    const extra = Object.entries(r.notes ?? {});
    const show = (v: number | string): string => (typeof v === 'number' ? formatNumber(v) : v);
    if (extra.length > 0) notes.push(`${who}: ${extra.map(([k, v]) => `${k} ${show(v)}`).join(', ')}`);
  }
  return notes;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const w of WORKLOADS) {
      console.log(`${w.name}: ${w.title} (N=${formatCount(w.n)}, quick ${formatCount(w.quickN)})`);
      for (const s of w.systems) console.log(`  ${s.name.padEnd(12)} ${s.what}`);
    }
    return 0;
  }
  const { mode } = args;
  const python = pythonVersion();
  const began = Date.now();
  console.error(
    `aio bench, ${mode.name} mode: ${mode.passes} × (${mode.warmup} warm-up + up to ${mode.rounds} counted rounds) per system, ` +
      `each in a fresh process, systems in turns. ${python ?? 'python3 not found: CPython rows skipped'}.`,
  );
  const rows: Row[] = [];
  for (const w of args.workloads) {
    const systems = w.systems.filter((s) => args.systems.length === 0 || args.systems.includes(s.name));
    const passes = new Map<SystemSpec, Row[]>(systems.map((s) => [s, []]));
    for (let pass = 0; pass < mode.passes; pass++) {
      for (const s of systems) {
        const done = passes.get(s)!;
        if (done.some((r) => r.status !== 'ok')) continue; // failed or unavailable: once is enough
        const row = await runOne(w, s, mode, python);
        console.error(progressLine(row));
        done.push(row);
      }
    }
    const mine = systems.map((s) => pool(passes.get(s)!));
    judge(w, mine);
    rows.push(...mine);
  }
  const seconds = Math.round((Date.now() - began) / 100) / 10;

  console.log('');
  console.log(renderTable(rows, args.workloads));
  const notes = renderNotes(rows);
  if (notes.length > 0) console.log(['', 'Notes:', ...notes.map((n) => `  ${n}`)].join('\n'));
  console.log(`\nratio = system median / aio median (< 1: that system is faster). ${seconds} s in all.`);

  const report = {
    date: new Date().toISOString(),
    mode: mode.name,
    config: { passes: mode.passes, warmup: mode.warmup, rounds: mode.rounds, budgetMs: mode.budgetMs },
    seconds,
    machine: {
      node: process.version,
      python,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    },
    workloads: args.workloads.map(({ name, title, perOp, unit, reference }) => ({ name, title, perOp, unit, reference })),
    rows,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    `${RESULTS}latest.svg`,
    renderChart(args.workloads, rows, `${mode.name} run, ${report.date.slice(0, 10)}, Node ${process.version}`),
  );
  console.log('Wrote bench/results/latest.json and bench/results/latest.svg.');
  const errors = rows.filter((r) => r.status === 'error');
  if (errors.length > 0) console.error(`${errors.length} system(s) failed: see the notes above.`);
  return errors.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
}
