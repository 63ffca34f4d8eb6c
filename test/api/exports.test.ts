/**
 * The public API is documented, and docs/api/ describes it as it is (Trio's test_exports is
 * the model). "Public" is every symbol exported by an entry point of package.json `exports`
 * (read from package.json, so a new subpath is covered at once) and every member of an
 * exported class, interface or object type that is not `_`-prefixed, `#private`, `private`
 * or `@internal`. The `@example`s that are whole programs (they import from `aio-ts`)
 * type-check, strict, against the sources; fragments (a line or two inside a coroutine, no
 * import) are not checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import ts from 'typescript';
import { ROOT, collectApi, entries, tagText, undocumented } from '../../scripts/api-model.ts';
import { renderAll, stalePages } from '../../scripts/api-docs.ts';

const api = collectApi();

test('every entry point of package.json exports is walked', () => {
  const subpaths = entries().map((e) => e.subpath);
  assert.ok(subpaths.includes('.') && subpaths.includes('./testing') && subpaths.includes('./executors'), String(subpaths));
  for (const module of api) assert.ok(module.symbols.length > 0, `${module.entry.specifier} exports nothing`);
  // The walk reaches members, not only top-level names.
  const future = api[0]!.symbols.find((s) => s.name === 'Future');
  assert.ok(future?.members.some((m) => m.name === 'result'), 'Future.result not found');
  assert.ok(!future!.members.some((m) => m.name.startsWith('_')), 'an _internal member was walked');
});

test('every exported symbol and public member has a doc comment', () => {
  const missing = undocumented(api);
  assert.deepEqual(missing, [], `undocumented public API (add a /** … */ comment, or mark it @internal):\n  ${missing.join('\n  ')}`);
});

test('every entry point has an overview comment', () => {
  for (const { entry, doc } of api) assert.ok(doc, `${entry.source} has no leading /** … */ overview`);
});

test('docs/api/ is current (run npm run docs)', () => {
  const stale = stalePages(renderAll(api));
  assert.deepEqual(stale, [], `API reference not current: run npm run docs\n  ${stale.join('\n  ')}`);
});

test('every @example that imports from the package type-checks', () => {
  const programs: { name: string; text: string }[] = [];
  for (const { entry, doc, symbols } of api) {
    const overview = doc.split(/^@example[ \t]*$/m).slice(1);
    overview.forEach((text, i) => programs.push({ name: `${entry.docName}-overview-${i}`, text }));
    for (const symbol of symbols) {
      const tags = [...symbol.tags.map((t) => ({ owner: symbol.name, t })), ...symbol.members.map((m) => m.tags.map((t) => ({ owner: `${symbol.name}.${m.name}`, t }))).flat()];
      tags
        .filter(({ t }) => t.name === 'example')
        .forEach(({ owner, t }, i) => programs.push({ name: `${owner.replace(/[^\w.]/g, '_')}-${i}`, text: tagText(t) }));
    }
  }
  const whole = programs.filter((p) => /from 'aio-ts(\/[\w-]+)?'/.test(p.text));
  assert.ok(whole.length >= 10, `only ${whole.length} examples import from aio-ts`);

  const dir = mkdtempSync(join(tmpdir(), 'aio-examples-'));
  try {
    const files = [...new Map(whole.map((p) => [p.name, p])).values()].map((p) => {
      const file = join(dir, `${p.name}.mts`);
      writeFileSync(file, `${p.text}\nexport {};\n`);
      return file;
    });
    // `aio-ts` and its subpaths resolve to their sources, as package.json maps them to dist/.
    const paths = Object.fromEntries(entries().map((e) => [e.specifier, [e.source]]));
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      paths,
      allowImportingTsExtensions: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const errors = files.flatMap((file) => {
      const sf = program.getSourceFile(file)!;
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
        const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line + 1;
        return `${basename(file, '.mts')}:${line} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      });
    });
    assert.deepEqual(errors, [], `examples that do not compile:\n  ${errors.join('\n  ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
