/**
 * The public API is documented, and docs/api/ describes it as it is (Trio's test_exports is
 * the model). "Public" is every symbol exported by an entry point of package.json `exports`
 * (read from package.json, so a new subpath is covered at once) and every member of an
 * exported class, interface or object type that is not `_`-prefixed, `#private`, `private`
 * or `@internal`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectApi, entries, undocumented } from '../../scripts/api-model.ts';
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
