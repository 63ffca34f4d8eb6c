// Runs one workload+system in a fresh child process and reads its result line.
import { spawn, spawnSync } from 'node:child_process';
import { RESULT_PREFIX, type ChildResult } from './child.js';

export interface ChildRun {
  result: ChildResult;
  /** Wall time of the whole child, start-up included. */
  seconds: number;
}

export interface Command {
  cmd: string;
  args: string[];
  cwd: string;
}

/**
 * `node --expose-gc --import tsx <file>` with the Node binary `node` (default: this one).
 * Node children always run with gc() exposed, and never with a flag that tunes the GC.
 */
export function nodeCommand(file: string, cwd: string, args: string[], node = process.execPath): Command {
  return { cmd: node, args: ['--expose-gc', '--import', 'tsx', file, ...args], cwd };
}

// Keeps 4M small objects alive (~130 MB) and records how far V8 grows its new space meanwhile.
const YOUNG_GEN_PROBE = `
const v8 = require('node:v8');
const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
let max = size();
const keep = [];
for (let i = 0; i < 4e6; i++) {
  keep.push({ i });
  if ((i & 0xffff) === 0) max = Math.max(max, size());
}
console.log(Math.max(max, size()));`;

/**
 * The young-generation size in force for the Node binary `node`, in MiB: the largest new
 * space V8 grows to under an allocation load that survives (32 MiB on Node 20 and 22, 128 on
 * Node 24 on this kind of machine). Null if the probe fails.
 */
export function youngGenLimitMiB(node: string): number | null {
  // Same environment as the children (NODE_OPTIONS included): the size they run with.
  const r = spawnSync(node, ['-e', YOUNG_GEN_PROBE], { encoding: 'utf8' });
  const bytes = Number(r.stdout.trim());
  return r.status === 0 && bytes > 0 ? bytes / 2 ** 20 : null;
}

/**
 * The Python the CPython rows run on: `python3` on the PATH, or `AIO_BENCH_PYTHON` (e.g.
 * Debian's `/usr/bin/python3`, which has `python3-uvloop` and `python3-aiohttp`).
 */
const PYTHON = process.env.AIO_BENCH_PYTHON ?? 'python3';

/** `python3 -B <file>` (-B: leave no __pycache__ in bench/python). */
export function pythonCommand(file: string, cwd: string, args: string[]): Command {
  return { cmd: PYTHON, args: ['-B', file, ...args], cwd };
}

/** `Python 3.11.7`, or null when python3 cannot be run. */
export function pythonVersion(): string | null {
  const r = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim();
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

export function runCommand(command: Command, timeoutMs: number): Promise<ChildRun> {
  const began = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command.cmd, command.args, { cwd: command.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (result: ChildResult): void => {
      clearTimeout(timer);
      resolve({ result, seconds: (performance.now() - began) / 1000 });
    };
    child.on('error', (err) => finish({ status: 'error', message: `cannot start ${command.cmd}: ${err.message}` }));
    child.on('close', (code, signal) => {
      if (timedOut) return finish({ status: 'error', message: `timed out after ${timeoutMs / 1000} s` });
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line !== undefined) {
        try {
          return finish(JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult);
        } catch {
          return finish({ status: 'error', message: `unreadable result line: ${line.slice(0, 200)}` });
        }
      }
      const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
      finish({ status: 'error', message: `no result (${how}): ${tail(stderr, 3) || tail(stdout, 3)}` });
    });
  });
}
