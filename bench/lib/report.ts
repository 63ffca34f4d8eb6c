// What a run writes to bench/results/latest.json, and how its ratios and goals are judged
// (shared by the harness and the README table, scripts/bench-table.ts).
import type { Summary } from './stats.js';
import type { Goal, SystemSpec, WorkloadSpec } from './suite.js';

export interface Mode {
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
  /**
   * Counted rounds go on past `rounds` until they have taken this long (at most 40): a round
   * of a few tens of ms varies with where the scavenges fall, so short workloads get more.
   */
  minMs: number;
  timeoutMs: number;
}

export type Status = 'ok' | 'unavailable' | 'skipped' | 'error';

export interface Row {
  workload: string;
  system: string;
  runtime: SystemSpec['runtime'];
  /** The Node version of a Node row (`v24.22.3`); absent for CPython rows. */
  node?: string;
  /** The largest young generation the child grew to, in MiB (Node rows). */
  youngGenMiB?: number;
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
  goal?: {
    text: string;
    met: boolean | null;
    /** Set when the goal is missed and its floor row misses it too: `min-loop 1.12× raw-async`. */
    floorMissed?: string;
  };
  notes?: Record<string, number | string>;
  /** Wall time of the child process. */
  seconds?: number;
}

/** What bench/results/latest.json holds. */
export interface Report {
  date: string;
  mode: Mode['name'];
  config: Pick<Mode, 'passes' | 'warmup' | 'rounds' | 'budgetMs' | 'minMs'>;
  seconds: number;
  machine: {
    node: string;
    nodes: { version: string; primary: boolean; youngGenMiB: number | null; source: string }[];
    nodeOptions: string | null;
    python: string | null;
    platform: string;
    cpus: string;
  };
  workloads: Pick<WorkloadSpec, 'name' | 'title' | 'perOp' | 'unit' | 'reference'>[];
  rows: Row[];
  /** Workloads re-measured after the full run with --update (same mode and Node versions), and on which CPUs. */
  updates: { date: string; seconds: number; workloads: string[]; config?: Report['config']; cpus?: string }[];
}

/** Fills in ratios and goals once every system of a workload has run. */
export function judge(w: WorkloadSpec, rows: Row[]): void {
  const medianOf = (system: string): number | null => {
    const r = rows.find((x) => x.system === system);
    return r?.summary !== undefined ? r.summary.median : null;
  };
  const ref = medianOf(w.reference);
  for (const row of rows) {
    row.ratio = row.summary !== undefined && ref !== null ? row.summary.median / ref : null;
  }
  // Several goals on one row read as one: met only when every one is, and stopped by the
  // floor only when every missed one is.
  const verdicts = new Map<Row, { text: string; met: boolean | null; floorMissed?: string }[]>();
  for (const goal of w.goals) {
    const row = rows.find((x) => x.system === goal.system);
    // A peer with no row here (CPython beside a non-primary Node version) is judged elsewhere.
    if (row === undefined || (goal.peer !== undefined && !rows.some((x) => x.system === goal.peer))) continue;
    if (goal.node !== undefined && !row.node?.startsWith(`v${goal.node}.`)) continue;
    const met = isMet(goal, medianOf(goal.system), medianOf);
    const floorMissed = met === false && goal.floor !== undefined ? floorText(goal, medianOf) : undefined;
    verdicts.set(row, [...(verdicts.get(row) ?? []), { text: goal.text, met, floorMissed }]);
  }
  for (const [row, list] of verdicts) {
    const met = list.some((v) => v.met === false) ? false : list.some((v) => v.met === null) ? null : true;
    row.goal = { text: list.map((v) => v.text).join(', '), met };
    const missed = list.filter((v) => v.met === false);
    if (missed.length > 0 && missed.every((v) => v.floorMissed !== undefined)) {
      row.goal.floorMissed = missed.map((v) => v.floorMissed).join(', ');
    }
  }
}

type MedianOf = (system: string) => number | null;

function isMet(goal: Goal, mine: number | null, medianOf: MedianOf): boolean | null {
  if (mine === null) return null;
  if (goal.below !== undefined) return mine < goal.below;
  const peer = goal.peer === undefined ? null : medianOf(goal.peer);
  if (peer === null) return null;
  const bound = (goal.factor ?? 1) * peer;
  return goal.strict === true ? mine < bound : mine <= bound;
}

/** `min-loop 1.12× raw-async` when the goal's floor row misses the goal too; else undefined. */
function floorText(goal: Goal, medianOf: MedianOf): string | undefined {
  const floor = medianOf(goal.floor!);
  const peer = medianOf(goal.peer!);
  if (floor === null || peer === null || isMet(goal, floor, medianOf) !== false) return undefined;
  return `${goal.floor} ${(floor / peer).toFixed(2)}× ${goal.peer}`;
}
