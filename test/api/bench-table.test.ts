// The README's speed table is generated from bench/results/latest.json (scripts/bench-table.ts):
// a new benchmark run without regenerating it would leave the README quoting old figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentTable, readmeTable } from '../../scripts/bench-table.js';

test('the README speed table is the one bench/results/latest.json gives (run: npm run bench:table)', () => {
  assert.equal(readmeTable(), currentTable());
});
