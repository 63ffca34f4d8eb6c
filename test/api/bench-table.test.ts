// The README's speed table is generated from bench/results/latest.json (scripts/bench-table.ts):
// a new benchmark run without regenerating it would leave the README quoting old figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, type Row } from '../../bench/lib/report.js';
import { findWorkload } from '../../bench/lib/suite.js';
import { currentTable, readmeTable } from '../../scripts/bench-table.js';

test('the README speed table is the one bench/results/latest.json gives (run: npm run bench:table)', () => {
  assert.equal(readmeTable(), currentTable());
});

test('a missed goal says when its floor row misses it too, and only then', () => {
  const spec = {
    ...findWorkload('spawn-gather-1k')!,
    goals: [{ system: 'aio-gen', text: '≤ 1× raw-async', peer: 'raw-async', factor: 1, floor: 'min-loop' }],
  };
  const rows = (medians: Record<string, number>): Row[] =>
    Object.entries(medians).map(([system, median]) => ({
      workload: spec.name,
      system,
      runtime: 'node',
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
  assert.deepEqual(verdict({ 'aio-gen': 300, 'raw-async': 200, 'min-loop': 224 }), {
    text: '≤ 1× raw-async',
    met: false,
    floorMissed: 'min-loop 1.12× raw-async',
  });
  assert.deepEqual(verdict({ 'aio-gen': 300, 'raw-async': 200, 'min-loop': 190 }), { text: '≤ 1× raw-async', met: false });
  assert.deepEqual(verdict({ 'aio-gen': 190, 'raw-async': 200, 'min-loop': 224 }), { text: '≤ 1× raw-async', met: true });
});
