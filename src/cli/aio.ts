#!/usr/bin/env node
/**
 * The `aio` command: `aio ps <pid>` and `aio pstree <pid>` show the tasks of a running Node
 * process that uses aio (Python's `python -m asyncio ps|pstree`). No start flag is needed on
 * the target: the command opens its inspector (SIGUSR1), asks aio there for a snapshot
 * (`Runtime.evaluate`), and closes the inspector again if it opened it.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './inspector-client.js';
import { readSnapshot } from './snapshot.js';
import { formatPs, formatPstree } from './render.js';

const USAGE = `Usage: aio <command> <pid> [options]

Shows the tasks of a running Node.js process that uses aio-ts.

Commands:
  ps <pid>       one line per pending task: name, what it waits on, what awaits it,
                 the coroutines it is suspended in (the outermost one; the whole chain
                 is recorded in debug mode: AIO_DEBUG=1)
  pstree <pid>   the tasks as a tree, each under the tasks that await it

Options:
  --port <n>     the port of the target's inspector (default 9229; a target started with
                 --inspect-port=<n> listens there)
  --host <h>     the inspector's host (default 127.0.0.1)
  --json         print the raw snapshot as JSON
  --no-coroutines  outside debug mode, do not look up each task's outermost coroutine
                 (a few inspector calls per task)
  --timeout <ms> how long the inspector may take to open (default 5000)
  -h, --help     this text

The command sends SIGUSR1 to the target, which opens its inspector (Node prints
"Debugger listening on ..." to the target's stderr) and closes it again afterwards.
`;

interface Output {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Output = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
};

/** Runs the command with `args` (without node and the script); resolves with the exit code. */
export async function main(args: string[], output: Output = stdio): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    output.err(`aio: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    output.out(USAGE);
    return 0;
  }
  try {
    const snapshot = await readSnapshot(parsed.pid, parsed);
    if (parsed.json) output.out(JSON.stringify(snapshot, null, 2));
    else output.out(parsed.command === 'ps' ? formatPs(snapshot) : formatPstree(snapshot));
    return snapshot.loops.length === 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    output.err(`aio: ${error.message}`);
    return 1;
  }
}

interface Parsed {
  command: 'ps' | 'pstree';
  pid: number;
  host: string;
  port: number;
  waitMs: number;
  json: boolean;
  coroutines: boolean;
}

function parseArgs(args: string[]): Parsed | 'help' {
  if (args.length === 0 || args.includes('-h') || args.includes('--help')) return 'help';
  const [command, ...rest] = args;
  if (command !== 'ps' && command !== 'pstree') throw new Error(`unknown command ${JSON.stringify(command)}`);
  const parsed: Parsed = { command, pid: NaN, host: '127.0.0.1', port: 9229, waitMs: 5000, json: false, coroutines: true };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--no-coroutines') parsed.coroutines = false;
    else if (arg === '--port') parsed.port = wholeNumber('--port', rest[++i], 1, 65535);
    else if (arg === '--timeout') parsed.waitMs = wholeNumber('--timeout', rest[++i], 0, 600_000);
    else if (arg === '--host') parsed.host = rest[++i] ?? '';
    else if (Number.isNaN(parsed.pid)) parsed.pid = wholeNumber('pid', arg, 1, 2 ** 31);
    else throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
  }
  if (Number.isNaN(parsed.pid)) throw new Error(`${command} needs the pid of the process to inspect`);
  if (parsed.host === '') throw new Error('--host needs a host name');
  return parsed;
}

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text ?? '')}`);
  }
  return value;
}

/** True when this module is the script Node runs (the `aio` bin), not an import. */
function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
