/**
 * The source is layered one way, as CPython's asyncio is (`events` at the bottom, nothing
 * imports upward): no import cycle between modules, type imports included, and the bottom
 * modules import nothing above them. Read from the files themselves, so a new import that
 * closes a cycle fails here with the cycle spelled out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** Every module of src/ → the src modules it imports (values, types, re-exports, `import()` types). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const deps = importedFiles
      .map((ref) => ref.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => normalize(join(dirname(file), name.replace(/\.js$/, '.ts'))));
    graph.set(normalize(file), [...new Set(deps)]);
  }
  return graph;
}

/** The strongly connected components with more than one module (Tarjan), or self-imports. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One import path inside a component, to show how the cycle closes. */
function describeCycle(graph: Map<string, string[]>, component: string[]): string {
  const members = new Set(component);
  return component.map((m) => `  ${m} → ${graph.get(m)!.filter((d) => members.has(d)).join(', ')}`).join('\n');
}

describe('layering', () => {
  const graph = importGraph();

  test('the import graph of src/ was read (sanity check of the reader)', () => {
    assert.ok(graph.size > 30);
    assert.ok(graph.get('tasks.ts')!.includes('futures.ts'));
    assert.ok(graph.get('futures.ts')!.includes(join('loop', 'events.ts')), 'type imports count');
  });

  test('no import cycle, type imports included', () => {
    const found = cycles(graph);
    assert.deepEqual(
      found.map((c) => describeCycle(graph, c)),
      [],
      'import cycles (break them with an interface in the lower module, as loop/events.ts does for the loop)',
    );
  });

  test('the cycle finder finds a cycle', () => {
    const fake = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    assert.deepEqual(cycles(fake), [['a.ts', 'b.ts', 'c.ts']]);
  });

  test('the bottom modules import nothing of the runtime above them', () => {
    const allowed: Record<string, string[]> = {
      'values.ts': [],
      'debug-info.ts': [],
      [join('loop', 'map-anchors.ts')]: [],
      'errors.ts': [join('loop', 'map-anchors.ts')],
      [join('loop', 'events.ts')]: [join('loop', 'handles.ts'), join('loop', 'ready-queue.ts'), join('loop', 'timer-queue.ts')],
    };
    for (const [module, deps] of Object.entries(allowed)) {
      assert.deepEqual(graph.get(module)!.sort(), deps.sort(), `${module} imports`);
    }
  });

  test('no module but an entry point imports an entry point (src/index.ts, a subpath index) of another folder', () => {
    const offenders: string[] = [];
    for (const [module, deps] of graph) {
      if (module.endsWith('index.ts')) continue; // entry points re-export one another
      for (const dep of deps) {
        if (dep.endsWith('index.ts') && dirname(dep) !== dirname(module)) offenders.push(`${module} → ${dep}`);
      }
    }
    assert.deepEqual(offenders, [], 'import the module that defines the symbol instead');
  });

  test('the loop and the layers below it never import the layers built on them', () => {
    const core = ['futures.ts', 'tasks.ts', 'task-tracking.ts', join('loop', 'event-loop.ts')];
    const upper = ['testing', 'streams', 'subprocess', 'http', 'runners.ts', 'taskgroup.ts', 'timeouts.ts', 'gather.ts'];
    const reached = new Set<string>();
    const walk = (m: string): void => {
      if (reached.has(m)) return;
      reached.add(m);
      for (const d of graph.get(m) ?? []) walk(d);
    };
    core.forEach(walk);
    const bad = [...reached].filter((m) => upper.some((u) => m === u || m.startsWith(u + '/')));
    assert.deepEqual(bad.map((m) => relative('.', m)), []);
  });
});
