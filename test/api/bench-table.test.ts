// The README's speed table is generated from bench/results/latest.json (scripts/bench-table.ts):
// a new benchmark run without regenerating it would leave the README quoting old figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, type Row } from '../../bench/lib/report.js';
import { findWorkload, type Goal } from '../../bench/lib/suite.js';
import { currentTable, readmeTable } from '../../scripts/bench-table.js';

test('the README speed table is the one bench/results/latest.json gives (run: npm run bench:table)', () => {
  assert.equal(readmeTable(), currentTable());
});

function verdictOf(goals: Goal[], node?: string): (medians: Record<string, number>) => Row['goal'] {
  const spec = { ...findWorkload('spawn-gather-1k')!, goals };
  const rows = (medians: Record<string, number>): Row[] =>
    Object.entries(medians).map(([system, median]) => ({
      workload: spec.name,
      system,
      runtime: 'node',
      ...(node === undefined ? {} : { node }),
      unit: 'ns',
      n: 1,
      status: 'ok',
      summary: { median, min: median, max: median },
    }));
  const verdict = (medians: Record<string, number>): Row['goal'] => {
    const judged = rows(medians);
    judge(spec, judged);
    return judged.find((r) => r.system === 'aio-gen')!.goal;
  };
  return verdict;
}

test('a missed goal says when its floor row misses it too, and only then', () => {
  const verdict = verdictOf([{ system: 'aio-gen', text: '≤ 1× raw-async', peer: 'raw-async', factor: 1, floor: 'min-loop' }]);
  assert.deepEqual(verdict({ 'aio-gen': 300, 'raw-async': 200, 'min-loop': 224 }), {
    text: '≤ 1× raw-async',
    met: false,
    floorMissed: 'min-loop 1.12× raw-async',
  });
  assert.deepEqual(verdict({ 'aio-gen': 300, 'raw-async': 200, 'min-loop': 190 }), { text: '≤ 1× raw-async', met: false });
  assert.deepEqual(verdict({ 'aio-gen': 190, 'raw-async': 200, 'min-loop': 224 }), { text: '≤ 1× raw-async', met: true });
});

test('a row with several goals is stopped by the floor only when every goal it misses is', () => {
  const verdict = verdictOf([
    { system: 'aio-gen', text: '≤ 1.15× raw-async', peer: 'raw-async', factor: 1.15 },
    { system: 'aio-gen', text: '< min-loop', peer: 'min-loop', factor: 1, strict: true, floor: 'raw-async' },
  ]);
  // Both missed, one with no floor: a plain miss.
  assert.deepEqual(verdict({ 'aio-gen': 300, 'raw-async': 200, 'min-loop': 190 }), {
    text: '≤ 1.15× raw-async, < min-loop',
    met: false,
  });
  // Only the floored goal missed, and its floor misses it too.
  assert.deepEqual(verdict({ 'aio-gen': 220, 'raw-async': 200, 'min-loop': 190 }), {
    text: '≤ 1.15× raw-async, < min-loop',
    met: false,
    floorMissed: 'raw-async 1.05× min-loop',
  });
  assert.deepEqual(verdict({ 'aio-gen': 180, 'raw-async': 200, 'min-loop': 190 }), {
    text: '≤ 1.15× raw-async, < min-loop',
    met: true,
  });
});

test('a goal for one Node version is judged on that version only', () => {
  const goals: Goal[] = [
    { system: 'aio-gen', text: '< 1 µs on Node 24', below: 1000, node: 24 },
    { system: 'aio-gen', text: '≤ 1.3× raw-async', peer: 'raw-async', factor: 1.3 },
  ];
  const medians = { 'aio-gen': 1100, 'raw-async': 1000 };
  assert.deepEqual(verdictOf(goals, 'v24.22.3')(medians), { text: '< 1 µs on Node 24, ≤ 1.3× raw-async', met: false });
  assert.deepEqual(verdictOf(goals, 'v20.20.2')(medians), { text: '≤ 1.3× raw-async', met: true });
});
