// A hand-written SVG bar chart of a bench run: one panel per workload, one bar per
// system (median, with a min–max whisker), each panel on its own log scale.
import { formatCount, formatNumber, formatRatio, type Summary } from './stats.js';
import type { Unit, WorkloadSpec } from './suite.js';

/** What the chart needs of a table row (bench/run.ts's Row fits). */
export interface ChartRow {
  workload: string;
  system: string;
  runtime: 'node' | 'python';
  unit: Unit;
  n: number;
  status: string;
  summary?: Summary;
  ratio?: number | null;
  goal?: { text: string; met: boolean | null };
}

const WIDTH = 900;
const LABEL_X = 16;
const PLOT_X = 150;
const PLOT_W = 470;
const BAR_H = 14;
const ROW_H = 20;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const COLORS = { aio: '#2563eb', node: '#94a3b8', python: '#e69b23' } as const;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}" ${attrs}>${esc(s)}</text>`;
}

function colorOf(row: ChartRow): string {
  if (row.system.startsWith('aio')) return COLORS.aio;
  return row.runtime === 'python' ? COLORS.python : COLORS.node;
}

/** A log10 scale over whole decades covering every value. */
function logScale(values: number[]): { x: (v: number) => number; ticks: number[] } {
  const positive = values.filter((v) => v > 0);
  let lo = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  if (hi <= lo) hi = lo * 10;
  if (!Number.isFinite(lo)) [lo, hi] = [1, 10];
  const span = Math.log10(hi) - Math.log10(lo);
  const x = (v: number): number => PLOT_X + (PLOT_W * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / span;
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
  return { x, ticks };
}

function panel(w: WorkloadSpec, rows: ChartRow[], top: number): { svg: string[]; height: number } {
  const out: string[] = [];
  out.push(
    `<text x="${LABEL_X}" y="${top + 14}"><tspan font-size="14" font-weight="600" fill="#111827">${esc(w.name)}</tspan>` +
      `<tspan dx="10" font-size="11" fill="#6b7280">${esc(`${w.unit} per ${w.perOp} · ${w.title}`)}</tspan></text>`,
  );
  const ok = rows.filter((r) => r.summary !== undefined);
  const values = ok.flatMap((r) => [r.summary!.min, r.summary!.max, r.summary!.median]);
  const { x, ticks } = logScale(values.length > 0 ? values : [1]);
  const bodyTop = top + 24;
  const fullN = Math.max(...rows.map((r) => r.n));
  const bodyH = rows.length * ROW_H;
  for (const t of ticks) {
    out.push(`<line x1="${r1(x(t))}" y1="${bodyTop - 2}" x2="${r1(x(t))}" y2="${bodyTop + bodyH}" stroke="#e5e7eb"/>`);
    out.push(text(x(t), bodyTop + bodyH + 11, formatNumber(t), 'font-size="9" fill="#9ca3af" text-anchor="middle"'));
  }
  rows.forEach((row, i) => {
    const y = bodyTop + i * ROW_H;
    const mid = y + ROW_H / 2;
    out.push(text(PLOT_X - 8, mid + 4, row.system, 'font-size="12" fill="#374151" text-anchor="end"'));
    if (row.summary === undefined) {
      out.push(text(PLOT_X + 4, mid + 4, row.status, 'font-size="11" font-style="italic" fill="#9ca3af"'));
      return;
    }
    const s = row.summary;
    const color = colorOf(row);
    out.push(`<rect x="${PLOT_X}" y="${r1(mid - BAR_H / 2)}" width="${r1(Math.max(1, x(s.median) - PLOT_X))}" height="${BAR_H}" fill="${color}" rx="2"/>`);
    const [a, b] = [x(s.min), x(s.max)];
    out.push(`<path d="M${r1(a)} ${r1(mid)}H${r1(b)}M${r1(a)} ${r1(mid - 4)}V${r1(mid + 4)}M${r1(b)} ${r1(mid - 4)}V${r1(mid + 4)}" stroke="#1f2937" stroke-width="1"/>`);
    let label = `${formatNumber(s.median)} ${row.unit}`;
    if (row.ratio !== undefined && row.ratio !== null) label += ` · ${formatRatio(row.ratio)}`;
    if (row.n !== fullN) label += ` (N=${formatCount(row.n)})`;
    const lx = Math.max(x(s.median), b) + 6;
    out.push(text(lx, mid + 4, label, 'font-size="11" fill="#111827"'));
    if (row.goal !== undefined) {
      const mark = row.goal.met === null ? '?' : row.goal.met ? '✓' : '✗';
      const fill = row.goal.met === null ? '#6b7280' : row.goal.met ? '#15803d' : '#b91c1c';
      out.push(text(lx + label.length * 6.2 + 8, mid + 4, `${mark} goal ${row.goal.text}`, `font-size="11" fill="${fill}"`));
    }
  });
  return { svg: out, height: 24 + bodyH + 30 };
}

export function renderChart(workloads: readonly WorkloadSpec[], rows: readonly ChartRow[], subtitle: string): string {
  const body: string[] = [];
  let y = 62;
  for (const w of workloads) {
    const mine = rows.filter((r) => r.workload === w.name);
    if (mine.length === 0) continue;
    const p = panel(w, mine, y);
    body.push(...p.svg);
    y += p.height;
  }
  const legend = [
    [COLORS.aio, 'aio'],
    [COLORS.node, 'Node peers'],
    [COLORS.python, 'CPython asyncio'],
  ] as const;
  const head: string[] = [
    `<rect width="${WIDTH}" height="${y + 8}" fill="#ffffff"/>`,
    text(LABEL_X, 24, 'aio benchmarks: median per operation (lower is better)', 'font-size="16" font-weight="700" fill="#111827"'),
    text(LABEL_X, 42, `${subtitle} · log scale per panel · whiskers: min–max · ratio = system / aio`, 'font-size="11" fill="#6b7280"'),
    ...legend.flatMap(([color, name], i) => {
      const lx = WIDTH - 250 + legend.slice(0, i).reduce((acc, [, prev]) => acc + 26 + prev.length * 6, 0);
      return [`<rect x="${lx}" y="14" width="10" height="10" fill="${color}" rx="2"/>`, text(lx + 14, 23, name, 'font-size="11" fill="#374151"')];
    }),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 8}" viewBox="0 0 ${WIDTH} ${y + 8}" ${FONT}>`,
    ...head,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
