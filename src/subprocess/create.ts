import { spawn, type ChildProcess, type IOType, type StdioOptions } from 'node:child_process';
import type { Readable, Stream } from 'node:stream';
import { type Coro, getRunningLoop, InlineAwaitable, type Operation } from '../streams/core.js';
import { StreamReader, checkLimit } from '../streams/stream-reader.js';
import { StreamWriter } from '../streams/stream-writer.js';
import { describe, ioFuture } from '../streams/util.js';
import { Process } from './process.js';

/** Connect the child's stream to a new pipe: `proc.stdin` / `proc.stdout` / `proc.stderr`. */
export const PIPE = -1;
/** For `stderr` only: send it where stdout goes (with `stdout: PIPE`, both are read from `proc.stdout`). */
export const STDOUT = -2;
/** Connect the child's stream to /dev/null. */
export const DEVNULL = -3;

/**
 * Where a child's standard stream goes: `PIPE`, `DEVNULL`, `STDOUT` (stderr only), a file
 * descriptor, a Node stream with a file descriptor, or `null`/`undefined`: inherited from this
 * process (asyncio's default).
 */
export type StdioSpec = typeof PIPE | typeof STDOUT | typeof DEVNULL | number | Stream | null | undefined;

/** Options of `createSubprocessExec` and `createSubprocessShell`. */
export interface SubprocessOptions {
  /** The child's stdin: `PIPE` (then `process.stdin` is a StreamWriter), `DEVNULL`, a file descriptor or a stream. Default: inherited. */
  stdin?: StdioSpec;
  /** The child's stdout: `PIPE` (then `process.stdout` is a StreamReader), `DEVNULL`, a file descriptor or a stream. Default: inherited. */
  stdout?: StdioSpec;
  /** The child's stderr: as stdout, or `STDOUT` to merge it into stdout. Default: inherited. */
  stderr?: StdioSpec;
  /** Working directory of the child. */
  cwd?: string;
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Buffer limit of the stdout/stderr readers (default 64 KiB). */
  limit?: number;
}

/**
 * Starts `program` with `args` (asyncio.create_subprocess_exec). No shell: the arguments
 * reach the program as they are, never interpreted. Resolves to a `Process` once the child
 * has started; a program that cannot be started (not found, not executable) throws Node's
 * error (`code` ENOENT, EACCES…) with the program named in its message.
 *
 * @example
 * import { run } from 'aio-ts';
 * import { createSubprocessExec, PIPE } from 'aio-ts/subprocess';
 *
 * await run(function* () {
 *   const proc = yield* createSubprocessExec('ls', ['-l', '/'], { stdout: PIPE });
 *   const [out] = yield* proc.communicate();
 *   console.log(out!.toString(), 'exit code', proc.returncode);
 * });
 */
export function createSubprocessExec(program: string, args: readonly string[] = [], options: SubprocessOptions = {}): Operation<Process> {
  if (typeof program !== 'string' || program === '') {
    throw new TypeError(`createSubprocessExec() expects the program as a non-empty string, got ${describe(program)}`);
  }
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    throw new TypeError(
      `createSubprocessExec() expects args to be an array of strings, got ${describe(args)}: createSubprocessExec('ls', ['-l'], { stdout: PIPE })`,
    );
  }
  const plan = prepare(options, 'createSubprocessExec');
  return new InlineAwaitable(() => starting('createSubprocessExec', program, () => spawn(program, args, plan.spawnOptions), plan));
}

/**
 * Runs `command` through the shell (`/bin/sh -c`; cmd.exe on Windows), as
 * asyncio.create_subprocess_shell. Quote anything that comes from outside yourself, or use
 * `createSubprocessExec`.
 *
 * @example
 * const proc = yield* createSubprocessShell('echo hello | tr a-z A-Z', { stdout: PIPE });
 * const [out] = yield* proc.communicate(); // <Buffer 48 45 4c 4c 4f 0a>
 */
export function createSubprocessShell(command: string, options: SubprocessOptions = {}): Operation<Process> {
  if (typeof command !== 'string' || command === '') {
    throw new TypeError(`createSubprocessShell() expects the command as a non-empty string, got ${describe(command)}`);
  }
  const plan = prepare(options, 'createSubprocessShell');
  return new InlineAwaitable(() =>
    starting('createSubprocessShell', command, () => spawn(command, { ...plan.spawnOptions, shell: true }), plan),
  );
}

interface Plan {
  spawnOptions: { stdio: StdioOptions; cwd?: string; env?: NodeJS.ProcessEnv };
  limit: number;
  mergeStderr: boolean;
}

function prepare(options: SubprocessOptions, call: string): Plan {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${call}() expects an options object ({ stdin, stdout, stderr, cwd, env, limit }), got ${describe(options)}`);
  }
  const limit = checkLimit(options.limit, `${call}()`);
  const stdin = stdioOf(options.stdin, 'stdin', call);
  const stdout = stdioOf(options.stdout, 'stdout', call);
  let stderr: IOType | number | Stream;
  let mergeStderr = false;
  if (options.stderr === STDOUT) {
    // Node cannot point fd 2 at the pipe it makes for fd 1: a second pipe, fed into the same reader.
    if (options.stdout === PIPE) {
      stderr = 'pipe';
      mergeStderr = true;
    } else {
      stderr = stdout;
    }
  } else {
    stderr = stdioOf(options.stderr, 'stderr', call);
  }
  const spawnOptions: Plan['spawnOptions'] = { stdio: [stdin, stdout, stderr] };
  if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
  if (options.env !== undefined) spawnOptions.env = options.env;
  return { spawnOptions, limit, mergeStderr };
}

function stdioOf(spec: StdioSpec, name: string, call: string): IOType | number | Stream {
  if (spec === undefined || spec === null) return 'inherit';
  if (spec === PIPE) return 'pipe';
  if (spec === DEVNULL) return 'ignore';
  if (spec === STDOUT) throw new RangeError(`${call}(): STDOUT is only valid for stderr, not for ${name}`);
  if (typeof spec === 'number' && Number.isInteger(spec) && spec >= 0) return spec;
  if (typeof spec === 'object' && typeof (spec as Stream).pipe === 'function') return spec as Stream;
  throw new TypeError(`${call}() expects ${name} to be PIPE, DEVNULL, a file descriptor, a stream or null (inherit), got ${describe(spec)}`);
}

function* starting(call: string, what: string, start: () => ChildProcess, plan: Plan): Coro<Process> {
  const loop = getRunningLoop();
  const child = start();
  const ready = ioFuture<void>(loop);
  const onSpawn = (): void => {
    if (!ready.done()) ready.setResult(undefined);
  };
  const onError = (error: NodeJS.ErrnoException): void => {
    if (ready.done()) return;
    const hint = error.code === 'ENOENT' ? ' (no such program or working directory: check the name, PATH and cwd)' : '';
    error.message = `${call}() could not start ${JSON.stringify(what)}: ${error.message}${hint}`;
    ready.setException(error);
  };
  child.once('spawn', onSpawn);
  child.once('error', onError);
  // Pipe errors before the Process owns them must not crash the program.
  let ok = false;
  try {
    yield* ready;
    ok = true;
  } finally {
    child.off('spawn', onSpawn);
    child.off('error', onError);
    if (!ok && child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
  }
  // Later 'error' events (a failed kill) are not fatal: the Process reports state through returncode.
  child.on('error', () => {});
  const stdin = child.stdin !== null ? new StreamWriter(child.stdin, null) : null;
  let stdout: StreamReader | null = null;
  let stderr: StreamReader | null = null;
  if (child.stdout !== null) {
    stdout = new StreamReader({ limit: plan.limit });
    feed(stdout, plan.mergeStderr && child.stderr !== null ? [child.stdout, child.stderr] : [child.stdout]);
  }
  if (child.stderr !== null && !plan.mergeStderr) {
    stderr = new StreamReader({ limit: plan.limit });
    feed(stderr, [child.stderr]);
  }
  return new Process(child, stdin, stdout, stderr, loop);
}

/** Feeds `reader` from one or more Readables; EOF once all have ended. */
function feed(reader: StreamReader, sources: Readable[]): void {
  let open = sources.length;
  reader._setSource({
    pause: () => sources.forEach((s) => s.pause()),
    resume: () => sources.forEach((s) => s.resume()),
  });
  for (const source of sources) {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      if (--open === 0 && reader.exception() === null && !reader._eofReceived) reader.feedEof();
    };
    source.on('data', (chunk: Buffer) => reader.feedData(chunk));
    source.on('end', end);
    source.on('close', end);
    source.on('error', (error: unknown) => {
      if (reader.exception() === null && !reader._eofReceived) reader.setException(error);
    });
  }
}
