/**
 * `aio ps` / `aio pstree` against real child processes: a small aio program with named tasks
 * blocked, a Node process without aio, a pid that does not exist, an inspector port held by
 * another process. Targets start with `--inspect-port=0` (a free port, printed on their
 * stderr when SIGUSR1 opens the inspector) so that parallel runs do not clash; one test takes
 * the default path (port 9229, opened and closed by the command) when that port is free.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { main } from '../../src/cli/aio.ts';
import { listTargets } from '../../src/cli/inspector-client.ts';
import { ROOT, fixture } from '../helpers/child.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Target {
  child: ChildProcess;
  pid: number;
  stderr(): string;
}

/** Starts `args` under node and waits for "ready" on its stdout. */
function start(args: string[], env: Record<string, string> = {}): Promise<Target> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, AIO_DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`target exited (${code}): ${err}`)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('ready')) resolve({ child, pid: child.pid!, stderr: () => err });
    });
  });
}

const startAio = (env?: Record<string, string>, port = '0'): Promise<Target> =>
  start([`--inspect-port=${port}`, '--import', 'tsx', fixture('introspect-target.ts')], env);

/** Opens the target's inspector (SIGUSR1) and returns the port it printed (it was started with --inspect-port=0). */
async function openOn(target: Target): Promise<number> {
  (process as unknown as { _debugProcess(pid: number): void })._debugProcess(target.pid);
  for (let i = 0; i < 300; i++) {
    const m = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(target.stderr());
    if (m !== null) return Number(m[1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the inspector did not open: ${target.stderr()}`);
}

async function aio(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('aio ps / aio pstree', { timeout: 120_000 }, () => {
  test('ps: one row per task with what it waits on and what awaits it; pstree: the tree', async () => {
    const target = await startAio();
    const port = await openOn(target);
    const ps = await aio('ps', String(target.pid), '--port', String(port));
    assert.equal(ps.code, 0, ps.err);
    const rows = ps.out.split('\n');
    assert.match(rows[0]!, new RegExp(`^process ${target.pid} \\(.*introspect-target\\.ts\\)$`));
    assert.match(rows[1]!, /^7 pending tasks \(outermost coroutines only: whole stacks are recorded in debug mode/);
    const row = (name: string): string => rows.find((r) => r.split(/\s{2,}/)[1] === name) ?? assert.fail(`no row for ${name}:\n${ps.out}`);
    assert.match(row('main'), /waiting on <Future pending>\s+-/);
    assert.match(row('crawler'), /waiting on <GatheringFuture pending>\s+\d+ main\s/);
    assert.match(row('guard'), /waiting on <Future pending>\s+\d+ main\s/);
    assert.match(row('fetch-1'), /waiting on <WaiterFuture pending>\s+\d+ crawler \(via GatheringFuture\)/);
    assert.match(row('fetch-2'), /\d+ crawler \(via GatheringFuture\)/);
    assert.match(row('shielded'), /\d+ guard \(via Future\)/);
    // Outside debug mode, the outermost coroutine of each task, read through the inspector (no
    // line: tsx compiled the file, and V8's positions are those of its output).
    assert.match(row('main'), /\smain \(.*introspect-target\.ts\)$/);
    assert.match(row('crawler'), /\scrawler \(.*introspect-target\.ts\)$/);
    assert.match(row('fetch-1'), /\sfetchPage \(.*introspect-target\.ts\)$/);
    assert.match(row('sleeper'), /\s<anonymous> \(.*introspect-target\.ts\)$/);
    const bare = await aio('ps', String(target.pid), '--port', String(port), '--no-coroutines');
    assert.match(bare.out, /^\d+\s+fetch-1\s+.*\(via GatheringFuture\)\s+-$/m);

    const tree = await aio('pstree', String(target.pid), '--port', String(port));
    assert.equal(tree.code, 0, tree.err);
    const shape = tree.out
      .split('\n')
      .slice(1)
      .map((l) => l.replace(/ \[\d+\] waiting on <\w+ pending>/, '').replace(/ in \S+ \(.*\)$/, ''));
    assert.deepEqual(shape, [
      '└── (T) main',
      '    ├── (T) crawler',
      '    │   ├── (T) fetch-1 (via GatheringFuture)',
      '    │   └── (T) fetch-2 (via GatheringFuture)',
      '    ├── (T) guard',
      '    │   └── (T) shielded (via Future)',
      '    └── (T) sleeper',
      '',
    ]);

    const json = await aio('ps', String(target.pid), '--port', String(port), '--json');
    const snapshot = JSON.parse(json.out);
    assert.equal(snapshot.pid, target.pid);
    assert.equal(snapshot.loops[0].tasks.length, 7);
  });

  test('in debug mode: the coroutine functions each task is suspended in', async () => {
    const target = await startAio({ AIO_DEBUG: '1' });
    const port = await openOn(target);
    const ps = await aio('ps', String(target.pid), '--port', String(port));
    assert.equal(ps.code, 0, ps.err);
    assert.match(ps.out, /^7 pending tasks:$/m);
    assert.match(ps.out, /fetch-1 .* fetchPage \(.*introspect-target\.ts:10\)$/m);
    assert.match(ps.out, /sleeper .* tg\.createTask\.name \(.*introspect-target\.ts:\d+\)$/m);
    assert.doesNotMatch(ps.out, /src\/|InlineAwaitable/, "aio's own frames are left out");
    assert.match(ps.out, /crawler .* crawler \(.*introspect-target\.ts:\d+\)$/m);
    const tree = await aio('pstree', String(target.pid), '--port', String(port));
    assert.match(tree.out, /└── \(T\) shielded \[\d+\] waiting on <WaiterFuture pending> \(via Future\) in fetchPage \(/);
  });

  test('the default port: the command opens the inspector with SIGUSR1 and closes it afterwards', async (t) => {
    if (!(await isPortFree(9229))) {
      t.skip('port 9229 is in use on this machine');
      return;
    }
    const target = await start(['--import', 'tsx', fixture('introspect-target.ts')]);
    const tree = await aio('pstree', String(target.pid));
    assert.equal(tree.code, 0, tree.err);
    assert.match(tree.out, /fetch-2/);
    let open = true;
    for (let i = 0; i < 100 && open; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      open = (await listTargets('127.0.0.1', 9229)) !== null;
    }
    assert.equal(open, false, 'the inspector is still open in the target');
    assert.match(target.stderr(), /Debugger ending on/);
  });

  test('a process without aio, a pid that does not exist, a port held by another process', async () => {
    const plain = await start(['--inspect-port=0', '-e', 'setInterval(() => {}, 1000); console.log("ready")']);
    const port = await openOn(plain);
    const noAio = await aio('ps', String(plain.pid), '--port', String(port));
    assert.equal(noAio.code, 1);
    assert.equal(noAio.err, `aio: process ${plain.pid} does not use aio: no aio-ts module is loaded in it (or one too old to be introspected)\n`);

    // aio loaded, but no loop running: the snapshot has no loop, and the command says so.
    const idle = await start([
      '--inspect-port=0',
      '--import',
      'tsx',
      '-e',
      `import(${JSON.stringify(ROOT + 'src/index.ts')}).then(() => { setInterval(() => {}, 1000); console.log('ready'); })`,
    ]);
    const idlePort = await openOn(idle);
    const noLoop = await aio('ps', String(idle.pid), '--port', String(idlePort));
    assert.equal(noLoop.code, 1);
    assert.match(noLoop.out, new RegExp(`^process ${idle.pid}.*: no aio loop is running\n$`));

    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    const missing = await aio('pstree', String(gone.pid));
    assert.equal(missing.code, 1);
    assert.equal(missing.err, `aio: no process with pid ${gone.pid}\n`);

    // This target's inspector port is the one `plain` listens on: the command finds the wrong process.
    const other = await startAio({}, String(port));
    const taken = await aio('ps', String(other.pid), '--port', String(port));
    assert.equal(taken.code, 1);
    assert.match(taken.err, new RegExp(`is taken by the inspector of process ${plain.pid}, not ${other.pid}`));
  });

  test('usage: --help, a bad command or pid', async () => {
    const help = await aio('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: aio <command> <pid>/);
    const bad = await aio('top', '1');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^aio: unknown command "top"/);
    const noPid = await aio('ps', 'abc');
    assert.equal(noPid.code, 2);
    assert.match(noPid.err, /^aio: pid must be a whole number from 1 to 2147483648, got "abc"/);
  });
});
