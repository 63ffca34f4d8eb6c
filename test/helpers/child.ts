/**
 * Runs a TypeScript fixture in a child Node process (with tsx), for behaviour that needs
 * a process of its own: exiting by itself, SIGINT, garbage collection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (where node_modules/tsx lives). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function fixture(name: string): string {
  return path.join(ROOT, 'test', 'helpers', 'fixtures', name);
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True if the child had to be killed because it did not exit within the timeout. */
  timedOut: boolean;
}

export interface ChildOptions {
  /** Extra Node flags (e.g. `--expose-gc`). */
  nodeArgs?: string[];
  /** Arguments for the script (`process.argv.slice(2)`). */
  args?: string[];
  /** Kill the child after this many ms (generous: machines may be loaded). Default 60 s. */
  timeoutMs?: number;
  /** Called with each chunk of stdout, and the child (to send it signals). */
  onStdout?: (chunk: string, child: ChildProcess) => void;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
}

export function runChild(script: string, options: ChildOptions = {}): Promise<ChildResult> {
  const { nodeArgs = [], args = [], timeoutMs = 60_000, onStdout, env = {} } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, AIO_DEBUG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout?.(chunk, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
