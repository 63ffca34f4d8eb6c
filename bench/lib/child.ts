// The child side of the protocol: a workload file calls `runChild(impl)`, which reads
//   --system NAME --n N --warmup W --rounds R [--budget-ms MS]
// runs W warm-up rounds then the counted rounds (each one verified), and prints one line
//   @@bench {"status":"ok","samples":[...],"warmup":[...],"notes":{...}}
// ({"status":"unavailable","reason":...} or {"status":"error","message":...}) on stdout.

import v8 from 'node:v8';
import { Unavailable } from './aio.js';

export const RESULT_PREFIX = '@@bench ';

export interface Round {
  /** Operations in this round: the value the result is divided by. */
  readonly n: number;
  /** Start the clock. By default it starts when the system function is called. */
  start(): void;
  /** Stop the clock. By default it stops when the system function's promise settles. */
  stop(): void;
  /**
   * A full garbage collection now, before `start()`: for a workload whose untimed set-up leaves a
   * large heap (100k blocked tasks), so that the collections the set-up owes are not paid inside
   * the timed window, by chance, in some rounds and some systems and not in others.
   */
  collect(): void;
  /** Record a per-operation value that is not a duration (memory: bytes per task). */
  sample(perOp: number): void;
  /** Extra figure for the table's notes; numbers are reported as the median over rounds. */
  note(key: string, value: number | string): void;
}

/** Runs one round and returns the value that `expected(n)` must equal. */
export type SystemFn = (round: Round) => Promise<number> | number;

export interface WorkloadImpl {
  expected(n: number): number;
  systems: Record<string, SystemFn>;
}

export class VerificationError extends Error {
  override name = 'VerificationError';
}

/** Throws a VerificationError unless `ok`. */
export function verify(ok: boolean, what: string): void {
  if (!ok) throw new VerificationError(what);
}

/** What the Node child ran on: the version, and the young-generation size it ended up using. */
export interface RuntimeInfo {
  node: string;
  /**
   * The largest size of V8's new space seen at the end of a round, in MiB: the young
   * generation in force (32 MiB on Node 20/22, up to 128 on 24), which decides how much of
   * a round goes to scavenges. No flag tunes it: children run with the defaults.
   */
  youngGenMiB: number;
  /** The child's Node flags, to show that none tunes the GC. */
  execArgv: string[];
}

export type ChildResult =
  | {
      status: 'ok';
      samples: number[];
      warmup: number[];
      notes: Record<string, number | string>;
      runtime?: RuntimeInfo;
    }
  | { status: 'unavailable'; reason: string }
  | { status: 'error'; message: string };

interface Options {
  system: string;
  n: number;
  warmup: number;
  rounds: number;
  budgetMs: number;
  minMs: number;
}

/** A workload's own integer option (`--batch 1000`), from the child's command line. */
export function intArg(flag: string, dflt: number): number {
  const argv = process.argv;
  const i = argv.indexOf(flag);
  const x = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isInteger(x) || x < 1) throw new Error(`bad value for ${flag}: ${argv[i + 1]}`);
  return x;
}

/** The current size of V8's new space (the young generation), in bytes. */
function newSpaceSize(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

function parseArgs(argv: string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (flag: string, dflt: number): number => {
    const v = get(flag);
    const x = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(x) || x < 0) throw new Error(`bad value for ${flag}: ${v}`);
    return x;
  };
  const system = get('--system');
  if (system === undefined) throw new Error('missing --system');
  return {
    system,
    n: int('--n', 1000),
    warmup: int('--warmup', 1),
    rounds: Math.max(1, int('--rounds', 3)),
    budgetMs: int('--budget-ms', 0),
    minMs: int('--min-ms', 0),
  };
}

/**
 * The most counted rounds `--min-ms` can ask for. Rounds of a few tens of ms vary with where
 * the scavenges fall, so short workloads run more of them; this caps the tiniest.
 */
const MAX_ROUNDS = 40;

const gc = (globalThis as { gc?: () => void }).gc;
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** Collects what earlier rounds left: a few gc() calls, each followed by a timer turn
 * (finalizers, weak references and a finished loop's last callbacks need one). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await tick();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The largest new-space size seen at the end of a round (V8 grows it under load). */
let youngGen = 0;

async function oneRound(
  fn: SystemFn,
  n: number,
  expected: number,
  notes: Map<string, (number | string)[]>,
): Promise<number> {
  let t0 = 0n;
  let t1 = 0n;
  let sample: number | undefined;
  const round: Round = {
    n,
    start: () => {
      t0 = process.hrtime.bigint();
    },
    stop: () => {
      t1 = process.hrtime.bigint();
    },
    collect: () => gc?.(),
    sample: (v) => {
      sample = v;
    },
    note: (key, value) => {
      const list = notes.get(key) ?? [];
      list.push(value);
      notes.set(key, list);
    },
  };
  await settle();
  round.start();
  const got = await fn(round);
  if (t1 === 0n) round.stop();
  youngGen = Math.max(youngGen, newSpaceSize());
  if (got !== expected) throw new VerificationError(`result ${got}, expected ${expected}`);
  if (sample !== undefined) return sample;
  if (process.env.AIO_ROUND_MARK) process.stderr.write(`@WIN ${t0} ${t1} ${(Number(t1 - t0) / n).toFixed(0)}\n`);
  return Number(t1 - t0) / n;
}

function emit(result: ChildResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

export async function runChild(impl: WorkloadImpl): Promise<void> {
  let code = 0;
  try {
    const opts = parseArgs(process.argv.slice(2));
    const fn = impl.systems[opts.system];
    if (fn === undefined) throw new Error(`unknown system ${opts.system}`);
    const expected = impl.expected(opts.n);
    const warmup: number[] = [];
    for (let i = 0; i < opts.warmup; i++) warmup.push(await oneRound(fn, opts.n, expected, new Map()));
    const notes = new Map<string, (number | string)[]>();
    const samples: number[] = [];
    const began = Date.now();
    const minRounds = Math.min(3, opts.rounds);
    for (;;) {
      samples.push(await oneRound(fn, opts.n, expected, notes));
      const elapsed = Date.now() - began;
      if (opts.budgetMs > 0 && elapsed > opts.budgetMs && samples.length >= minRounds) break;
      if (samples.length >= opts.rounds && (elapsed >= opts.minMs || samples.length >= MAX_ROUNDS)) break;
    }
    const noteOut: Record<string, number | string> = {};
    for (const [key, values] of notes) {
      const nums = values.filter((v): v is number => typeof v === 'number');
      noteOut[key] = nums.length === values.length ? median(nums) : values[values.length - 1]!;
    }
    const runtime = { node: process.version, youngGenMiB: youngGen / 2 ** 20, execArgv: process.execArgv };
    emit({ status: 'ok', samples, warmup, notes: noteOut, runtime });
  } catch (err) {
    if (err instanceof Unavailable) {
      emit({ status: 'unavailable', reason: err.message });
    } else {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      emit({ status: 'error', message });
      if (err instanceof Error && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
      code = 1;
    }
  }
  // Leftover timers or tasks of a failed round must not keep the child alive.
  process.exit(code);
}
