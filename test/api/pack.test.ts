/**
 * What users do: `npm pack` the package (its `prepack` builds dist/), install the tarball
 * into an empty project, import every public subpath from JavaScript and call into it, and
 * type-check a TypeScript file against the installed types (`module: nodenext`, strict).
 * The subpaths come from package.json `exports`, so a new one is covered at once; a file
 * missing from the tarball, a missing export or a broken type fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT, collectApi } from '../../scripts/api-model.ts';

const npm = (cwd: string, ...args: string[]): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

test('the packed tarball installs and works from JavaScript and TypeScript', { timeout: 180_000 }, async () => {
  const api = collectApi();
  const dir = mkdtempSync(join(tmpdir(), 'aio-pack-'));
  try {
    const [packed] = JSON.parse(npm(ROOT, 'pack', '--json', '--pack-destination', dir)) as { filename: string; files: { path: string }[] }[];
    const shipped = packed!.files.map((f) => f.path);
    assert.ok(!shipped.some((f) => f.startsWith('src/') || f.startsWith('test/')), `sources in the tarball: ${shipped.join(', ')}`);
    // The README links to the reference: it ships too, one page per entry point.
    for (const { entry } of api) assert.ok(shipped.includes(`docs/api/${entry.docName}.md`), `docs/api/${entry.docName}.md not in the tarball`);
    // No source maps: they would point to src/, which is not shipped (the JavaScript is the
    // TypeScript without its types, readable as it is).
    assert.ok(!shipped.some((f) => f.endsWith('.map')), 'source maps in the tarball');

    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(project, 'install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed!.filename));

    // JavaScript: every subpath imports, with every value export its source declares, and works.
    const expected = Object.fromEntries(
      api.map((m) => [m.entry.specifier, m.symbols.filter((s) => !['type', 'interface'].includes(s.kind)).map((s) => s.name).sort()]),
    );
    writeFileSync(
      join(project, 'main.mjs'),
      `import assert from 'node:assert/strict';
import { run, sleep, gather, getRunningLoop } from 'aio-ts';
import { runVirtual, VirtualEventLoop } from 'aio-ts/testing';
import { ThreadPoolExecutor } from 'aio-ts/executors';

const expected = ${JSON.stringify(expected)};
for (const [specifier, names] of Object.entries(expected)) {
  assert.deepEqual(Object.keys(await import(specifier)).sort(), names, specifier);
}

function* greet(ms, name) { yield* sleep(ms); return 'hello ' + name; }
assert.deepEqual(await run(function* () { return yield* gather(greet(2, 'a'), greet(1, 'b')); }), ['hello a', 'hello b']);
assert.equal(await runVirtual(function* () { yield* sleep(60_000); return getRunningLoop().time(); }), 60_000);
assert.ok(new VirtualEventLoop() instanceof VirtualEventLoop);
const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
assert.equal(await run(() => getRunningLoop().runInExecutor(pool, (a, b) => a * b, 6, 7)), 42);
await pool.shutdown();
console.log('ok');
`,
    );
    assert.equal(execFileSync(process.execPath, ['main.mjs'], { cwd: project, encoding: 'utf8' }).trim(), 'ok');

    // The `aio` command (package.json `bin`) runs from the installed package, on a process using it.
    assert.match(execFileSync('npx', ['--no-install', 'aio', '--help'], { cwd: project, encoding: 'utf8' }), /^Usage: aio <command> <pid>/);
    writeFileSync(
      join(project, 'target.mjs'),
      `import { run, createTask, sleep, Event } from 'aio-ts';
await run(function* () {
  const never = new Event();
  createTask(function* blockedTask() { yield* never.wait(); }, { name: 'blocked' });
  createTask(function* () { yield* sleep(3_600_000); }, { name: 'sleeper' });
  yield* sleep(0);
  console.log('ready');
  yield* never.wait();
});
`,
    );
    assert.match(await psOf(project), /^1\s+main\s.*\n2\s+blocked\s+waiting on <WaiterFuture pending>\s+-\s+blockedTask \(.*target\.mjs:4\)$/m);

    // TypeScript: each subpath's types resolve, and typed code using them compiles.
    writeFileSync(
      join(project, 'main.ts'),
      `${api.map((m, i) => `import * as entry${i} from '${m.entry.specifier}';`).join('\n')}
import { run, createTask, sleep, type Coro, type Task } from 'aio-ts';
import { runVirtual } from 'aio-ts/testing';
import { ThreadPoolExecutor, type Executor } from 'aio-ts/executors';

export const entries = [${api.map((_, i) => `entry${i}`).join(', ')}];
function* double(n: number): Coro<number> {
  yield* sleep(1);
  return n * 2;
}
export const four: Promise<number> = run(function* () {
  const task: Task<number> = createTask(double(2));
  return yield* task;
});
export const time: Promise<string> = runVirtual(async () => 'virtual');
export const pool: Executor = new ThreadPoolExecutor({ maxWorkers: 1 });
// @ts-expect-error a coroutine's result is typed: a number is not a string
export const wrong: Promise<string> = run(double(1));
`,
    );
    const program = ts.createProgram([join(project, 'main.ts')], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    });
    // The consumer and the installed declarations; @types/node and the libs are not ours to check.
    const ours = program.getSourceFiles().filter((f) => f.fileName.startsWith(project));
    assert.ok(ours.some((f) => f.fileName.includes('node_modules/aio-ts/dist/index.d.ts')), 'aio-ts types not resolved');
    const errors = [...program.getGlobalDiagnostics(), ...ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])]
      .map((d) => `${d.file ? relative(project, d.file.fileName) + ': ' : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `npx aio ps` on target.mjs of `project`, started with a free inspector port (opened here by SIGUSR1). */
async function psOf(project: string): Promise<string> {
  const target = spawn(process.execPath, ['--inspect-port=0', 'target.mjs'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    let err = '';
    target.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    target.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const until = async (done: () => boolean): Promise<void> => {
      for (let i = 0; i < 600 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(done(), `target: ${out}${err}`);
    };
    await until(() => out.includes('ready'));
    (process as unknown as { _debugProcess(pid: number): void })._debugProcess(target.pid!);
    await until(() => /listening on ws:\/\/127\.0\.0\.1:\d+/.test(err));
    const port = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(err)![1]!;
    return execFileSync('npx', ['--no-install', 'aio', 'ps', String(target.pid), '--port', port], { cwd: project, encoding: 'utf8' });
  } finally {
    target.kill('SIGKILL');
  }
}
