// The benchmark harness: runs every workload × system in a fresh child process,
// prints the table, writes bench/results/latest.json and bench/results/latest.svg.
//
//   npm run bench                       every workload, full size
//   npm run bench -- --quick            N/10, fewer rounds (under a minute)
//   npm run bench -- queue-pingpong     one workload (several names allowed)
//   npm run bench -- --system aio       only the systems named (repeatable)
//   npm run bench -- --list             the workloads and their systems
//   npm run bench -- --node 20,22,24    Node systems on each version (default: 24 only)
//   npm run bench -- --update spawn-gather --node 20,22,24
//                                       re-measure named workloads into the last full run
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { currentMajor, nodeBinary } from '../scripts/node-versions.js';
import { nodeCommand, pythonCommand, pythonVersion, runCommand, youngGenLimitMiB } from './lib/spawn.js';
import { formatCount, formatNumber, formatRange, formatRatio, formatValue, summarize, type Summary } from './lib/stats.js';
import { WORKLOADS, findWorkload, type SystemSpec, type WorkloadSpec } from './lib/suite.js';
import { judge, type Mode, type Report, type Row, type Status } from './lib/report.js';
import { renderChart } from './lib/svg.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));


const FULL: Mode = { name: 'full', passes: 2, warmup: 2, rounds: 4, budgetMs: 4_000, minMs: 600, timeoutMs: 300_000 };
const QUICK: Mode = { name: 'quick', passes: 1, warmup: 1, rounds: 5, budgetMs: 1_000, minMs: 0, timeoutMs: 60_000 };


/** How many counted rounds a process runs, for the first line of a run. */
function roundsText(mode: Mode): string {
  const more = mode.minMs > 0 ? `, more until they took ${mode.minMs} ms` : '';
  return `${mode.rounds} counted rounds${more}; 3 once they took ${mode.budgetMs / 1000} s`;
}

/** A Node version the Node systems run on. */
interface NodeTarget {
  major: string;
  /** The binary: this process's own for its major, else a pinned build (scripts/node-versions.ts). */
  bin: string;
  /** `v24.22.3` */
  version: string;
  /** The young-generation size in force for that binary, in MiB (see youngGenLimitMiB). */
  youngGenMiB: number | null;
}

/** The default: Node 24 (Active LTS), what people starting a project today run. */
const DEFAULT_NODE = ['24'];



interface Args {
  mode: Mode;
  workloads: WorkloadSpec[];
  systems: string[];
  /** Node majors, as given to --node. */
  node: string[];
  list: boolean;
  /** Re-measure the named workloads and replace only their rows in latest.json. */
  update: boolean;
}

function parseArgs(argv: string[]): Args {
  const names: string[] = [];
  const systems: string[] = [];
  const node: string[] = [];
  let quick = false;
  let list = false;
  let update = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--list') list = true;
    else if (a === '--update') update = true;
    else if (a === '--system') systems.push(argv[++i] ?? '');
    else if (a === '--node') node.push(...(argv[++i] ?? '').split(',').filter((v) => v !== ''));
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else names.push(a);
  }
  const workloads = names.map((name) => {
    const w = findWorkload(name);
    if (w === undefined) throw new Error(`unknown workload ${name}; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
    return w;
  });
  const majors = [...new Set(node.length > 0 ? node : DEFAULT_NODE)];
  for (const m of majors) if (!/^\d+$/.test(m)) throw new Error(`--node takes majors such as 20,22,24, not ${m}`);
  if (update && (quick || systems.length > 0 || workloads.length === 0)) {
    throw new Error('--update re-measures whole workloads at full size: name the workloads, without --quick or --system');
  }
  return { mode: quick ? QUICK : FULL, workloads: workloads.length > 0 ? workloads : [...WORKLOADS], systems, node: majors, list, update };
}

/** The binary of each Node major, installing pinned builds on first use; the newest first. */
function nodeTargets(majors: string[]): NodeTarget[] {
  return [...majors]
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => {
      const bin = major === currentMajor() ? process.execPath : nodeBinary(major);
      const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
      return { major, bin, version, youngGenMiB: youngGenLimitMiB(bin) };
    });
}

function sizeOf(w: WorkloadSpec, s: SystemSpec, mode: Mode): number {
  const n = mode.name === 'quick' ? w.quickN : w.n;
  return Math.max(1, Math.round(n * (s.scale ?? 1)));
}

/** Runs system `s` of workload `w` once, on Node `target` (null for CPython systems). */
async function runOne(
  w: WorkloadSpec,
  s: SystemSpec,
  mode: Mode,
  python: string | null,
  target: NodeTarget | null,
): Promise<Row> {
  const n = sizeOf(w, s, mode);
  const row: Row = { workload: w.name, system: s.name, runtime: s.runtime, unit: w.unit, n, status: 'ok' };
  if (target !== null) row.node = target.version;
  if (s.runtime === 'python' && python === null) {
    return { ...row, status: 'skipped', reason: 'python3 not found' };
  }
  const file = w.file ?? w.name;
  const args = ['--system', s.name, '--n', String(n), '--warmup', String(mode.warmup), '--rounds', String(mode.rounds)];
  args.push('--budget-ms', String(mode.budgetMs), '--min-ms', String(mode.minMs), ...(w.args ?? []));
  const command =
    target !== null
      ? nodeCommand(`bench/workloads/${file}.ts`, ROOT, args, target.bin)
      : pythonCommand(`bench/python/${file}.py`, ROOT, args);
  const { result, seconds } = await runCommand(command, mode.timeoutMs);
  row.seconds = Math.round(seconds * 10) / 10;
  if (result.status === 'unavailable') return { ...row, status: 'unavailable', reason: result.reason };
  if (result.status === 'error') return { ...row, status: 'error', reason: result.message };
  if (target !== null && result.runtime !== undefined) {
    if (result.runtime.node !== target.version) {
      return { ...row, status: 'error', reason: `ran on Node ${result.runtime.node}, not ${target.version}` };
    }
    row.youngGenMiB = result.runtime.youngGenMiB;
  }
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
    ...(passes.some((r) => r.youngGenMiB !== undefined)
      ? { youngGenMiB: Math.max(...passes.map((r) => r.youngGenMiB ?? 0)) }
      : {}),
  };
}


function progressLine(row: Row): string {
  const head = `  ${row.workload.padEnd(18)} ${row.system.padEnd(15)} ${(row.node ?? '').padEnd(9)}`;
  const took = row.seconds !== undefined ? ` (${row.seconds} s)` : '';
  if (row.summary === undefined) return `${head} ${row.status}: ${row.reason ?? ''}${took}`;
  return `${head} ${formatValue(row.summary.median, row.unit)}/op${took}`;
}

function metText(r: Row): string {
  if (r.goal === undefined) return '';
  if (r.goal.met === null) return '—';
  if (r.goal.met) return 'yes';
  return r.goal.floorMissed === undefined ? 'NO' : `NO (the floor too: ${r.goal.floorMissed})`;
}

/** The rows of the primary Node version (and CPython's). */
const primaryRows = (rows: Row[], primary: NodeTarget): Row[] =>
  rows.filter((r) => r.node === undefined || r.node === primary.version);

/**
 * The table of the primary (newest) Node version; beside it, for each other version, the same
 * row's median and its ratio to aio on that version.
 */
function renderTable(rows: Row[], workloads: WorkloadSpec[], targets: NodeTarget[]): string {
  const [primary, ...others] = targets as [NodeTarget, ...NodeTarget[]];
  const header = ['workload', 'system', 'N', 'median/op', 'min–max', 'vs aio'];
  header.push(...others.map((t) => `${t.version}: median (vs aio)`), 'goal (aio rows)', 'met');
  const lines: string[][] = [header];
  for (const w of workloads) {
    for (const r of primaryRows(rows, primary).filter((x) => x.workload === w.name)) {
      const s = r.summary;
      const beside = others.map((t) => {
        if (r.node === undefined) return '';
        const o = rows.find((x) => x.workload === r.workload && x.system === r.system && x.node === t.version);
        if (o === undefined) return '';
        if (o.summary === undefined) return o.status;
        return `${formatValue(o.summary.median, o.unit)} (${formatRatio(o.ratio ?? null)})`;
      });
      lines.push([
        r.workload,
        r.system,
        formatCount(r.n),
        s !== undefined ? formatValue(s.median, r.unit) : r.status,
        s !== undefined ? formatRange(s) : '',
        s !== undefined ? formatRatio(r.ratio ?? null) : '',
        ...beside,
        r.goal?.text ?? '',
        metText(r),
      ]);
    }
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const right = new Set([2, 3, 4, 5, ...others.map((_, i) => 6 + i)]);
  const fmt = (l: string[]): string =>
    l.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((wd) => '-'.repeat(wd)).join('  ');
  return [fmt(lines[0]!), rule, ...lines.slice(1).map(fmt)].join('\n');
}

function renderNotes(rows: Row[], primary: NodeTarget): string[] {
  const notes: string[] = [];
  for (const r of rows) {
    const isPrimary = r.node === undefined || r.node === primary.version;
    const who = `${r.workload} / ${r.system}${isPrimary ? '' : ` on ${r.node}`}`;
    if (r.status !== 'ok') notes.push(`${who}: ${r.status}: ${r.reason ?? ''}`);
    if (!isPrimary && r.goal !== undefined) notes.push(`${who}: goal ${r.goal.text}: ${metText(r)}`);
    const spec = findWorkload(r.workload)?.systems.find((s) => s.name === r.system);
    if (isPrimary && spec?.scale !== undefined) notes.push(`${who}: run at N=${formatCount(r.n)}: ${spec.scaleWhy ?? ''}`);
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
      for (const s of w.systems) console.log(`  ${s.name.padEnd(15)} ${s.what}`);
    }
    return 0;
  }
  const { mode } = args;
  const python = pythonVersion();
  const began = Date.now();
  const targets = nodeTargets(args.node);
  const primary = targets[0]!;
  const last = args.update ? lastFullRun(targets) : null;
  const nodeLine = targets
    .map((t) => `${t.version} (young generation ${t.youngGenMiB === null ? 'unknown' : `${formatNumber(t.youngGenMiB)} MiB`})`)
    .join(', ');
  console.error(
    `aio bench, ${mode.name} mode: ${mode.passes} × (${mode.warmup} warm-up + ${roundsText(mode)}) per system, ` +
      `each in a fresh process, systems in turns. Node ${nodeLine}. ${python ?? 'python3 not found: CPython rows skipped'}.`,
  );
  // The figures must be what a user gets: a V8 heap flag here would change them for every row.
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  if (/semi-space|space-size|--gc|scavenge/.test(nodeOptions)) {
    console.error(`warning: NODE_OPTIONS tunes the heap (${nodeOptions}): these figures are not Node's defaults`);
  }
  const rows: Row[] = [];
  for (const w of args.workloads) {
    const systems = w.systems.filter((s) => args.systems.length === 0 || args.systems.includes(s.name));
    // Node systems once per version; CPython's once (they do not depend on Node).
    const jobs: { s: SystemSpec; target: NodeTarget | null }[] = [];
    for (const target of targets) for (const s of systems) if (s.runtime === 'node') jobs.push({ s, target });
    for (const s of systems) if (s.runtime === 'python') jobs.push({ s, target: null });
    const passes = new Map<(typeof jobs)[number], Row[]>(jobs.map((j) => [j, []]));
    for (let pass = 0; pass < mode.passes; pass++) {
      for (const job of jobs) {
        const done = passes.get(job)!;
        if (done.some((r) => r.status !== 'ok')) continue; // failed or unavailable: once is enough
        const row = await runOne(w, job.s, mode, python, job.target);
        console.error(progressLine(row));
        done.push(row);
      }
    }
    const pooled = jobs.map((j) => ({ ...j, row: pool(passes.get(j)!) }));
    for (const target of targets) {
      // Ratios and goals per version; CPython's rows are compared with the primary version's aio.
      const mine = pooled.filter((j) => j.target === target || (j.target === null && target === primary));
      judge(w, mine.map((j) => j.row));
    }
    // The primary version's rows in the catalog's order (CPython where it stands), then the others'.
    for (const target of targets) {
      for (const s of systems) {
        const j = pooled.find((x) => x.s === s && (x.target === target || (x.target === null && target === primary)));
        if (j !== undefined) rows.push(j.row);
      }
    }
  }
  const seconds = Math.round((Date.now() - began) / 100) / 10;

  console.log('');
  console.log(`Node ${nodeLine}${targets.length > 1 ? `: the table is ${primary.version}'s, the others beside it` : ''}.`);
  console.log(renderTable(rows, args.workloads, targets));
  const notes = renderNotes(rows, primary);
  if (notes.length > 0) console.log(['', 'Notes:', ...notes.map((n) => `  ${n}`)].join('\n'));
  console.log(`\nratio = system median / aio median (< 1: that system is faster). ${seconds} s in all.`);

  const report: Report = {
    date: new Date().toISOString(),
    mode: mode.name,
    config: { passes: mode.passes, warmup: mode.warmup, rounds: mode.rounds, budgetMs: mode.budgetMs, minMs: mode.minMs },
    seconds,
    machine: {
      /** The primary Node version: the table's and the chart's. */
      node: primary.version,
      nodes: targets.map((t) => ({
        version: t.version,
        primary: t === primary,
        youngGenMiB: t.youngGenMiB,
        source: t.bin === process.execPath ? 'the machine' : 'pinned build (scripts/node-versions.ts)',
      })),
      nodeOptions: nodeOptions || null,
      python,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    },
    workloads: args.workloads.map(({ name, title, perOp, unit, reference }) => ({ name, title, perOp, unit, reference })),
    rows,
    updates: [],
  };
  const saved = last === null ? report : mergeInto(last, report);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(saved, null, 2)}\n`);
  const remeasured = [...new Set(saved.updates.flatMap((u) => u.workloads))];
  const lastUpdate = saved.updates.at(-1);
  const elsewhere = lastUpdate?.cpus !== undefined && lastUpdate.cpus !== saved.machine.cpus ? ` on ${lastUpdate.cpus}` : '';
  const updated = lastUpdate !== undefined ? `, ${remeasured.length} of its workloads re-measured ${lastUpdate.date.slice(0, 10)}${elsewhere}` : '';
  writeFileSync(
    `${RESULTS}latest.svg`,
    renderChart(
      WORKLOADS.filter((w) => saved.workloads.some((x) => x.name === w.name)),
      primaryRows(saved.rows, primary),
      `${mode.name} run, ${saved.date.slice(0, 10)}${updated}, Node ${primary.version}` +
        (primary.youngGenMiB === null ? '' : ` (young generation ${formatNumber(primary.youngGenMiB)} MiB)`),
    ),
  );
  console.log('Wrote bench/results/latest.json and bench/results/latest.svg.');
  const errors = rows.filter((r) => r.status === 'error');
  if (errors.length > 0) console.error(`${errors.length} system(s) failed: see the notes above.`);
  return errors.length > 0 ? 1 : 0;
}

/**
 * `--update` starts from the last full run, which only a full run on the same Node versions
 * can amend, so that every row still compares like with like. Checked before measuring.
 */
function lastFullRun(targets: NodeTarget[]): Report {
  const file = `${RESULTS}latest.json`;
  if (!existsSync(file)) throw new Error('--update needs a previous full run in bench/results/latest.json: run npm run bench first');
  const last = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const had = last.machine.nodes.map((n) => n.version).join(',');
  const has = targets.map((t) => t.version).join(',');
  if (last.mode !== 'full' || had !== has) {
    throw new Error(
      `--update: the last run was a ${last.mode} run on Node ${had}, this one would be on ${has}: ` +
        'pass the same --node list, or run every workload again',
    );
  }
  return last;
}

/** The last full run with the rows of this run's workloads replaced, in the catalog's order. */
function mergeInto(last: Report, report: Report): Report {
  const names = new Set(report.workloads.map((w) => w.name));
  const order = (name: string): number => WORKLOADS.findIndex((w) => w.name === name);
  return {
    ...last,
    workloads: [...last.workloads.filter((w) => !names.has(w.name)), ...report.workloads].sort(
      (a, b) => order(a.name) - order(b.name),
    ),
    rows: [...last.rows.filter((r) => !names.has(r.workload)), ...report.rows].sort(
      (a, b) => order(a.workload) - order(b.workload),
    ),
    updates: [
      ...(last.updates ?? []),
      { date: report.date, seconds: report.seconds, workloads: [...names], config: report.config, cpus: report.machine.cpus },
    ],
  };
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
}
