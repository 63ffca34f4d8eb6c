/**
 * What users do: `npm pack` the package (its `prepack` builds dist/), install the tarball
 * into an empty project, import every public subpath from JavaScript and call into it, and
 * type-check a TypeScript file against the installed types (`module: nodenext`, strict).
 * The subpaths come from package.json `exports`, so a new one is covered at once; a file
 * missing from the tarball, a missing export or a broken type fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT, collectApi } from '../../scripts/api-model.ts';

const npm = (cwd: string, ...args: string[]): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

test('the packed tarball installs and works from JavaScript and TypeScript', { timeout: 180_000 }, () => {
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
